"""Reference solution for the word2vec-subsample exercise (d2l 14.3.2)."""

import collections
import math
import random


def subsample(sentences, vocab):
    """Remove unknown tokens, then keep each occurrence of w with probability min(1, sqrt(1e-4 / f(w)))."""
    sentences = [[token for token in line if vocab[token] != vocab.unk] for line in sentences]
    counter = collections.Counter(token for line in sentences for token in line)
    num_tokens = sum(counter.values())

    def keep(token):
        # f(w) = counter[token] / num_tokens; a uniform draw below sqrt(t / f(w)) keeps it
        return random.uniform(0, 1) < math.sqrt(1e-4 / counter[token] * num_tokens)

    return [[token for token in line if keep(token)] for line in sentences], counter
