"""Hidden checks for the word2vec-subsample exercise.

Subsampling is random, and correct implementations draw their numbers in different orders, so the
checks never compare one seeded outcome: they check the structure exactly (unknown tokens gone,
order kept, the counter) and the keep rate of each frequency class against its binomial bounds (six
standard deviations, plus 3). A wrong rule (keeping with the discard probability, using the count
instead of the frequency) is named only when the rates fit it and do not fit the right rule.
"""

import collections
import math
import random

import torch

from learndl_cli.grader.api import expect, fail, skip_on_meta

T = 1e-4


# ---------------------------------------------------------------------------- probes (child side)


def probe_subsample(mod, sentences, known, seed):
    class Vocab:
        """The part of d2l's Vocab that subsample uses: unknown tokens map to index 0, vocab.unk."""

        def __init__(self, tokens):
            self.idx_to_token = ["<unk>"] + list(tokens)
            self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

        def __len__(self):
            return len(self.idx_to_token)

        def __getitem__(self, tokens):
            if not isinstance(tokens, (list, tuple)):
                return self.token_to_idx.get(tokens, self.unk)
            return [self.__getitem__(t) for t in tokens]

        def to_tokens(self, indices):
            if not isinstance(indices, (list, tuple)):
                return self.idx_to_token[indices]
            return [self.idx_to_token[i] for i in indices]

        @property
        def unk(self):
            return 0

    random.seed(seed)
    torch.manual_seed(seed)
    out = mod.subsample([list(line) for line in sentences], Vocab(known))
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return out
    lines, counter = out
    lines = [list(line) for line in lines] if isinstance(lines, (list, tuple)) else lines
    counter = {str(k): int(v) for k, v in dict(counter).items()} if hasattr(counter, "items") else counter
    return lines, counter


# ---------------------------------------------------------------------------- inputs and references (parent)


def corpus(rng):
    """Sentences of 20 tokens, shuffled: classes of very different frequency, plus unknown tokens."""
    classes = {"the": 8000, "of": 2000}
    classes.update({f"w{i}": 100 for i in range(40)})
    classes.update({f"r{i}": 2 for i in range(60)})
    unknown = {"zzz": 400, "qqq": 200}
    tokens = [t for t, n in {**classes, **unknown}.items() for _ in range(n)]
    order = torch.argsort(rng.uniform((len(tokens),))).tolist()
    tokens = [tokens[i] for i in order]
    sentences = [tokens[i:i + 20] for i in range(0, len(tokens), 20)]
    return sentences, sorted(classes), classes


GROUPS = {"the": lambda t: t == "the", "of": lambda t: t == "of",
          "w*": lambda t: t.startswith("w"), "r*": lambda t: t.startswith("r")}


def keep_rate(rule, count, total):
    f = count / total
    if rule == "right":
        return min(1.0, math.sqrt(T / f))
    if rule == "discard":  # kept with the probability of discarding
        return max(1.0 - math.sqrt(T / f), 0.0)
    if rule == "count":  # sqrt(t / count): the count used as if it were the frequency
        return min(1.0, math.sqrt(T / count))
    raise ValueError(rule)


def fits(rule, kept, counts, total):
    for group, test in GROUPS.items():
        members = [t for t in counts if test(t)]
        n = sum(counts[t] for t in members)
        p = keep_rate(rule, counts[members[0]], total)
        k = sum(kept[t] for t in members)
        if abs(k - n * p) > 6 * math.sqrt(n * p * (1 - p)) + 3:
            return False
    return True


def rates(kept, counts):
    parts = []
    for group, test in GROUPS.items():
        members = [t for t in counts if test(t)]
        n = sum(counts[t] for t in members)
        parts.append(f"{group}: kept {sum(kept[t] for t in members)} of {n}")
    return "; ".join(parts)


def is_subsequence(short, long):
    it = iter(long)
    return all(any(x == y for y in it) for x in short)


def _result(got, what):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{what} must return a pair (subsampled sentences, counter)")
    lines, counter = got
    if not isinstance(lines, list) or not all(isinstance(line, list) for line in lines):
        fail(f"{what}: the first result must be a list of sentences, each a list of tokens")
    if not isinstance(counter, dict):
        fail(f"{what}: the second result must be a collections.Counter of the tokens")
    return lines, counter


# ---------------------------------------------------------------------------- checks, in order


def test_structure(learner, rng):
    sentences, known, counts = corpus(rng)
    what = "subsample(sentences, vocab)"
    lines, counter = _result(learner.run(probe_subsample, sentences, known, rng.torch_seed()), what)
    expect(len(lines) == len(sentences), f"{what} returned {len(lines)} sentences for {len(sentences)}: keep every "
                                         "sentence (even if it becomes empty)")
    out_unknown = sum(1 for line in lines for t in line if t not in counts)
    expect(out_unknown == 0, f"{what} left {out_unknown} unknown tokens in the sentences: remove every token with "
                             "vocab[token] == vocab.unk first")
    if any(t not in counts for t in counter):
        fail(f"{what}: the counter counts unknown tokens ({sorted(t for t in counter if t not in counts)[:3]}): count "
             "only the known ones, after removing the unknown tokens")
    after = collections.Counter(t for line in lines for t in line)
    if counter != counts and dict(after) == dict(counter):
        fail(f"{what}: the counter counts the tokens after subsampling; it must count them before (it gives f(w))")
    wrong = [t for t in counts if counter.get(t, 0) != counts[t]]
    expect(not wrong, f"{what}: the counter is wrong for {wrong[:3]} (for example {wrong[0]!r}: {counter.get(wrong[0], 0)}, "
                      f"expected {counts[wrong[0]] if wrong else 0})" if wrong else "")
    for line, original in zip(lines, sentences):
        if not is_subsequence(line, [t for t in original if t in counts]):
            fail(f"{what}: a subsampled sentence is not the original one with some tokens left out, in the same "
                 f"order: {line[:8]} from {original[:8]}")


@skip_on_meta
def test_keep_rates(learner, rng):
    sentences, known, counts = corpus(rng)
    total = sum(counts.values())
    what = "subsample(sentences, vocab)"
    lines, _ = _result(learner.run(probe_subsample, sentences, known, rng.torch_seed()), what)
    kept = collections.Counter(t for line in lines for t in line)
    if fits("right", kept, counts, total):
        return
    seen = rates(kept, counts)
    named = {
        "discard": "kept each occurrence with the probability of discarding it: keep it with probability "
                   "min(1, sqrt(t / f(w))), i.e. when a uniform draw is below sqrt(t / f(w))",
        "count": "f(w) is the token's frequency, count / number of tokens, not its count: keep with probability "
                 "sqrt(1e-4 / counter[w] * num_tokens)",
    }
    hits = [rule for rule in named if fits(rule, kept, counts, total)]
    if len(hits) == 1:
        fail(f"{what}: {named[hits[0]]} ({seen})")
    expected = "; ".join(f"{g}: about {keep_rate('right', counts[[t for t in counts if GROUPS[g](t)][0]], total):.3f}"
                         for g in GROUPS)
    fail(f"{what}: the keep rates do not follow min(1, sqrt(1e-4 / f(w))) ({seen}; expected keep probability {expected})")


@skip_on_meta
def test_seeded(learner, rng):
    sentences, known, _ = corpus(rng)
    seed = rng.torch_seed()
    first = learner.run(probe_subsample, sentences, known, seed)
    second = learner.run(probe_subsample, sentences, known, seed)
    expect(first == second, "subsample gives different results for the same seed: draw the random numbers with "
                            "random (random.uniform) or torch, whose seeds are set, not a generator of your own")
    other = learner.run(probe_subsample, sentences, known, seed + 1)
    expect(first != other, "subsample gives the same result for different seeds: each occurrence needs its own random draw")
