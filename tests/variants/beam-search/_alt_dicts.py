import math

import torch


def beam_step(scores, log_probs, beam_size):
    cands = []
    for b in range(log_probs.shape[0]):
        for v in range(log_probs.shape[1]):
            cands.append((scores[b] + log_probs[b, v], b, v))
    cands.sort(key=lambda c: -float(c[0]))
    cands = cands[:beam_size]
    dev = log_probs.device
    return (torch.stack([c[0] for c in cands]),
            torch.tensor([c[1] for c in cands], device=dev),
            torch.tensor([c[2] for c in cands], device=dev))


def beam_search(step_fn, bos, eos, beam_size, max_steps, alpha=0.75):
    beam = [{"tokens": [bos], "logp": 0.0}]
    done = []
    step = 0
    while beam and step < max_steps:
        step += 1
        X = torch.tensor([h["tokens"] for h in beam], dtype=torch.int64)
        log_probs = step_fn(X).double()
        scores = torch.tensor([h["logp"] for h in beam], dtype=torch.float64, device=log_probs.device)
        vals, bs, ts = beam_step(scores, log_probs, beam_size)
        new_beam = []
        for v, b, t in zip(vals.tolist(), bs.tolist(), ts.tolist()):
            hyp = {"tokens": beam[b]["tokens"] + [t], "logp": v}
            (done if t == eos else new_beam).append(hyp)
        beam = new_beam

    def normalised(h):
        return h["logp"] / math.pow(len(h["tokens"]) - 1, alpha)

    best = None
    for h in done + beam:
        if best is None or normalised(h) > normalised(best):
            best = h
    return best["tokens"][1:], float(normalised(best))
