# A correct file another way: torch.rand draws all at once (vectorised), a dict for the counts.
import math

import torch


def subsample(sentences, vocab):
    known = [[t for t in line if vocab[t] != vocab.unk] for line in sentences]
    counter = {}
    for line in known:
        for t in line:
            counter[t] = counter.get(t, 0) + 1
    total = sum(counter.values())
    flat = [t for line in known for t in line]
    keep_p = torch.tensor([min(1.0, math.sqrt(1e-4 * total / counter[t])) for t in flat])
    keep = (torch.rand(len(flat)) < keep_p).tolist()
    out, i = [], 0
    for line in known:
        out.append([t for t, k in zip(line, keep[i:i + len(line)]) if k])
        i += len(line)
    return out, counter
