import collections

import torch


def bleu(pred_seq, label_seq, k):
    pred, label = pred_seq.split(' '), label_seq.split(' ')
    precisions = []
    for n in range(1, k + 1):
        label_counts = collections.Counter(tuple(label[i:i + n]) for i in range(len(label) - n + 1))
        pred_counts = collections.Counter(tuple(pred[i:i + n]) for i in range(len(pred) - n + 1))
        hits = sum(min(c, label_counts[g]) for g, c in pred_counts.items())
        precisions.append(hits / (len(pred) - n + 1))
    p = torch.tensor(precisions, dtype=torch.float64)
    w = 0.5 ** torch.arange(1, k + 1, dtype=torch.float64)
    penalty = torch.exp(torch.clamp(torch.tensor(1 - len(label) / len(pred), dtype=torch.float64), max=0))
    return penalty * torch.prod(p ** w)
