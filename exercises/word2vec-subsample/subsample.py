"""Subsampling frequent words (d2l 14.3.2). Run `learndl check word2vec-subsample` to grade this file."""

import collections
import math
import random

import torch


def subsample(sentences: list[list[str]], vocab):
    """Drop occurrences of frequent tokens at random.

    sentences: a list of sentences, each a list of token strings. vocab: a d2l Vocab (vocab[token] is
    its index, vocab.unk the index of unknown tokens). Returns (subsampled sentences, counter): the
    sentences without unknown tokens, each remaining occurrence of token w kept with probability
    min(1, sqrt(1e-4 / f(w))), f(w) = count(w) / (number of known tokens); and a collections.Counter
    of the known tokens before subsampling. Use `random` (or torch) so a fixed seed reproduces it.
    """
    # TODO: your code here
    raise NotImplementedError("subsample")
