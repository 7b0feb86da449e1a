from collections import Counter


def tokenize(lines, token="word"):
    out = []
    for line in lines:
        out.append(line.split() if token == "word" else [c for c in line])
    return out


class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        flat = []
        for item in tokens or []:
            if isinstance(item, (list, tuple)):
                flat.extend(item)
            else:
                flat.append(item)
        self.counter = Counter(flat)
        self.idx_to_token = ["<unk>"]
        for tok in reserved_tokens or []:
            if tok not in self.idx_to_token:
                self.idx_to_token.append(tok)
        # most frequent first; equal counts in alphabetical order
        self._freqs = sorted(self.counter.items(), key=lambda kv: (-kv[1], kv[0]))
        for tok, freq in self._freqs:
            if freq >= min_freq and tok not in self.idx_to_token:
                self.idx_to_token.append(tok)
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.token_to_idx)

    def __getitem__(self, tokens):
        if isinstance(tokens, (list, tuple)):
            return [self.token_to_idx.get(t, 0) for t in tokens]
        return self.token_to_idx.get(tokens, 0)

    def to_tokens(self, indices):
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[int(i)] for i in indices]
        return self.idx_to_token[int(indices)]

    @property
    def unk(self):
        return self.token_to_idx["<unk>"]

    @property
    def token_freqs(self):
        return self._freqs
