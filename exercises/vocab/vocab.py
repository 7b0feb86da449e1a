"""Tokenization and a vocabulary (d2l 8.2). Run `learndl check vocab` to grade this file."""

import collections


def tokenize(lines, token="word"):
    """One list of tokens per line: words (line.split()) for token='word', characters for token='char'."""
    # TODO: your code here
    raise NotImplementedError("tokenize")


class Vocab:
    """A vocabulary: '<unk>' is index 0, then reserved_tokens, then tokens by decreasing frequency.

    tokens: a list of token lists or a flat list of tokens. Tokens counted fewer than min_freq
    times are left out. Keep self.idx_to_token (list) and self.token_to_idx (dict).
    """

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        # TODO: count the tokens, sort them by frequency, build idx_to_token and token_to_idx
        raise NotImplementedError("Vocab.__init__")

    def __len__(self):
        raise NotImplementedError("Vocab.__len__")

    def __getitem__(self, tokens):
        """The index of one token (unknown -> self.unk), or a list of indices for a list/tuple of tokens."""
        raise NotImplementedError("Vocab.__getitem__")

    def to_tokens(self, indices):
        """The token of one index, or a list of tokens for a list/tuple of indices."""
        raise NotImplementedError("Vocab.to_tokens")

    @property
    def unk(self):
        """The index of the unknown token: 0."""
        raise NotImplementedError("Vocab.unk")

    @property
    def token_freqs(self):
        """All (token, count) pairs, most frequent first."""
        raise NotImplementedError("Vocab.token_freqs")
