import torch


def beam_step(scores, log_probs, beam_size):
    num_beams, vocab_size = log_probs.shape
    cand = (scores[:, None] + log_probs).flatten()
    order = torch.argsort(cand, descending=True)[:beam_size]
    beams = torch.div(order, vocab_size, rounding_mode='floor')
    tokens = order - beams * vocab_size
    return cand[order], beams, tokens


def beam_search(step_fn, bos, eos, beam_size, max_steps, alpha=0.75):
    prefixes = torch.tensor([[bos]])
    logp = torch.zeros(1, dtype=torch.float64)
    candidates = []  # (score, tokens)
    for _ in range(max_steps):
        if prefixes.shape[0] == 0:
            break
        lp = step_fn(prefixes)
        top, beams, toks = beam_step(logp.to(lp.device, lp.dtype), lp, beam_size)
        new = torch.cat([prefixes.to(beams.device)[beams], toks[:, None]], dim=1)
        done = toks == eos
        for row, s in zip(new[done], top[done]):
            seq = row.tolist()[1:]
            candidates.append((s.item() / len(seq) ** alpha, seq))
        prefixes, logp = new[~done], top[~done]
    for row, s in zip(prefixes, logp):
        seq = row.tolist()[1:]
        candidates.append((s.item() / len(seq) ** alpha, seq))
    best = max(candidates, key=lambda c: c[0])  # max keeps the first of equal scores
    return best[1], best[0]
