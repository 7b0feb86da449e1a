"""Reference solution for the mlm-masking exercise (d2l 14.9.2)."""

import random


def _replace_mlm_tokens(tokens, candidate_pred_positions, num_mlm_preds, vocab):
    """Pick num_mlm_preds random candidates; 80% '<mask>', 10% unchanged, 10% a random vocabulary token."""
    mlm_input_tokens = list(tokens)  # a copy: the caller's tokens stay as they are
    pred_positions_and_labels = []
    random.shuffle(candidate_pred_positions)
    for position in candidate_pred_positions:
        if len(pred_positions_and_labels) >= num_mlm_preds:
            break
        if random.random() < 0.8:
            masked_token = "<mask>"
        elif random.random() < 0.5:  # the remaining 20%: half unchanged, half random
            masked_token = tokens[position]
        else:
            masked_token = random.choice(vocab.idx_to_token)
        mlm_input_tokens[position] = masked_token
        pred_positions_and_labels.append((position, tokens[position]))
    return mlm_input_tokens, pred_positions_and_labels
