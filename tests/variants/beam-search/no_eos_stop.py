# expect: must stop there

import math

import torch


def beam_step(scores, log_probs, beam_size):
    vocab_size = log_probs.shape[1]
    total = (scores.unsqueeze(1) + log_probs).reshape(-1)     # every (beam, token) extension
    k = min(beam_size, total.numel())
    top_scores, flat = torch.topk(total, k)                  # sorted, best first
    return top_scores, flat // vocab_size, flat % vocab_size


def beam_search(step_fn, bos, eos, beam_size, max_steps, alpha=0.75):
    live = [[bos]]              # prefixes still growing, each starting with bos
    live_scores = [0.0]         # their log P
    finished = []               # (tokens, log P) of hypotheses that produced eos
    for _ in range(max_steps):
        if not live:
            break
        prefixes = torch.tensor(live, dtype=torch.long)
        log_probs = step_fn(prefixes)
        scores = torch.tensor(live_scores, dtype=log_probs.dtype, device=log_probs.device)
        top, beams, tokens = beam_step(scores, log_probs, beam_size)
        live, live_scores = [], []
        for s, b, tok in zip(top.tolist(), beams.tolist(), tokens.tolist()):
            seq = prefixes[b].tolist() + [tok]
            if False:
                finished.append((seq, s))      # stops here, still a candidate
            else:
                live.append(seq)
                live_scores.append(s)
    candidates = finished + list(zip(live, live_scores))
    best_tokens, best_score = None, -math.inf
    for seq, logp in candidates:
        length = len(seq) - 1                    # generated tokens: bos excluded, eos included
        score = logp / length ** alpha
        if score > best_score:
            best_tokens, best_score = seq[1:], score
    return best_tokens, best_score
