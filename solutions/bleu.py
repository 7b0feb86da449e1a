"""Reference solution for the bleu exercise (d2l 9.7)."""

import collections
import math


def ngrams(tokens, n):
    """The n-grams of a token list, as tuples, in order (with repeats)."""
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def bleu(pred_seq, label_seq, k):
    pred, label = pred_seq.split(" "), label_seq.split(" ")
    score = math.exp(min(0.0, 1.0 - len(label) / len(pred)))     # brevity penalty
    for n in range(1, k + 1):
        available = collections.Counter(ngrams(label, n))       # copies of each label n-gram
        matches = 0
        for gram in ngrams(pred, n):
            if available[gram] > 0:                              # clipped: each copy matches once
                matches += 1
                available[gram] -= 1
        precision = matches / (len(pred) - n + 1)
        score *= precision ** (0.5 ** n)
    return score
