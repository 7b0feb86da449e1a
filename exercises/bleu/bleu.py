"""BLEU (d2l 9.7). Run `learndl check bleu` to grade this file."""

import collections
import math


def bleu(pred_seq: str, label_seq: str, k: int) -> float:
    """BLEU score of the predicted sequence against the label (reference) sequence.

    pred_seq, label_seq: tokens separated by single spaces, e.g. "il est bon ."
    k: the longest n-gram to match (1 <= k <= number of predicted tokens).
    Returns a Python float in [0, 1]:
        exp(min(0, 1 - len_label / len_pred)) * prod_{n=1..k} p_n ** (1 / 2**n)
    where p_n is the clipped n-gram precision of the prediction.
    """
    # TODO: your code here
    raise NotImplementedError("bleu")
