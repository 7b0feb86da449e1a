# A correct file another way: torch.randperm for the positions, one uniform draw per position split
# at 0.8 and 0.9, and a random vocabulary index.
import torch


def _replace_mlm_tokens(tokens, candidate_pred_positions, num_mlm_preds, vocab):
    out = tokens.copy()
    order = torch.randperm(len(candidate_pred_positions)).tolist()
    chosen = [candidate_pred_positions[i] for i in order[:num_mlm_preds]]
    labels = []
    for pos in chosen:
        u = torch.rand(()).item()
        if u < 0.8:
            out[pos] = "<mask>"
        elif u >= 0.9:
            out[pos] = vocab.to_tokens(int(torch.randint(len(vocab), ())))
        labels.append((pos, tokens[pos]))
    return out, labels
