"""Hidden checks for the mlm-masking exercise.

The replacement is random and correct implementations draw in different orders, so nothing is compared
seed by seed. The structure is checked exactly (a new list, the count, the labels, untouched positions);
the 80/10/10 rule by the share of '<mask>', unchanged and random tokens over 2,900 positions, within
five binomial standard deviations plus 2 (a correct file fails about once in a million grades). A
mixed-up rule is named only when the shares fit it and not the right one.
"""

import math
import random

import torch

from learndl_cli.grader.api import expect, fail, skip_on_meta

SPECIAL = ["<unk>", "<pad>", "<mask>", "<cls>", "<sep>"]


# ---------------------------------------------------------------------------- probes (child side)


def probe_replace(mod, tokens, candidates, num_mlm_preds, vocab_tokens, seed):
    class Vocab:
        """The part of d2l's Vocab that _replace_mlm_tokens uses."""

        def __init__(self, idx_to_token):
            self.idx_to_token = list(idx_to_token)
            self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

        def __len__(self):
            return len(self.idx_to_token)

        def __getitem__(self, tokens):
            if not isinstance(tokens, (list, tuple)):
                return self.token_to_idx.get(tokens, 0)
            return [self.__getitem__(t) for t in tokens]

        def to_tokens(self, indices):
            if not isinstance(indices, (list, tuple)):
                return self.idx_to_token[int(indices)]
            return [self.idx_to_token[int(i)] for i in indices]

        @property
        def unk(self):
            return 0

    random.seed(seed)
    torch.manual_seed(seed)
    given = list(tokens)
    out = mod._replace_mlm_tokens(given, list(candidates), num_mlm_preds, Vocab(vocab_tokens))
    changed = given != list(tokens)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return out, changed
    new_tokens, pairs = out
    new_tokens = [str(t) for t in new_tokens] if isinstance(new_tokens, (list, tuple)) else new_tokens
    if isinstance(pairs, (list, tuple)):
        pairs = [[int(p[0]), str(p[1])] if isinstance(p, (list, tuple)) and len(p) == 2 else repr(p) for p in pairs]
    return [new_tokens, pairs], changed


# ---------------------------------------------------------------------------- inputs (parent)


def setup(rng, length=3000, words=300, used=50):
    """A long sentence from the first `used` words of a vocabulary of `words` words plus special tokens."""
    vocab = SPECIAL + [f"w{i}" for i in range(words)]
    body = [f"w{int(i)}" for i in rng.integers(0, used, (length - 2,))]
    tokens = ["<cls>"] + body + ["<sep>"]
    return tokens, list(range(1, length - 1)), vocab


RULES = {  # share of '<mask>', unchanged, random token
    "right": (0.8, 0.1, 0.1),
    "random_80": (0.1, 0.1, 0.8),
    "keep_80": (0.1, 0.8, 0.1),
    "no_random": (0.8, 0.2, 0.0),
    "no_keep": (0.8, 0.0, 0.2),
    "second_draw_0.1": (0.8, 0.02, 0.18),
}
NAMED = {
    "random_80": "80/10/10 mixed up: 80% of the chosen tokens must become '<mask>', not a random token",
    "keep_80": "80/10/10 mixed up: 80% of the chosen tokens must become '<mask>'; only 10% stay unchanged",
    "no_random": "no chosen token became a random token: 10% must be replaced by random.choice(vocab.idx_to_token)",
    "no_keep": "no chosen token stayed unchanged: 10% must keep their original token",
    "second_draw_0.1": ("after the 80% '<mask>' draw, the remaining 20% split half and half (a second draw below 0.5), "
                        "so 10% stay and 10% become random; it kept only about 2%"),
}


def expected_shares(rule, vocab_size):
    mask, keep, rand = RULES[rule]
    # a random token may happen to be the original one (1 in vocab_size), or '<mask>' itself
    return (mask + rand / vocab_size, keep + rand / vocab_size, rand * (1 - 2 / vocab_size))


def fits(rule, counts, n, vocab_size):
    for k, p in zip(counts, expected_shares(rule, vocab_size)):
        if abs(k - n * p) > 5 * math.sqrt(n * p * (1 - p)) + 2:
            return False
    return True


def _result(got, what):
    out, changed = got
    if not isinstance(out, list) or len(out) != 2:
        fail(f"{what} must return a pair (mlm_input_tokens, pred_positions_and_labels)")
    new_tokens, pairs = out
    if not isinstance(new_tokens, list) or not isinstance(pairs, list):
        fail(f"{what} must return two lists")
    bad = [p for p in pairs if not isinstance(p, list)]
    if bad:
        fail(f"{what}: each entry of pred_positions_and_labels must be a (position, original token) pair, got {bad[0]}")
    return new_tokens, pairs, changed


def _structure(tokens, candidates, num, new_tokens, pairs, changed, what):
    expect(not changed, f"{what} changed the caller's tokens list: copy it first (mlm_input_tokens = list(tokens))")
    expect(len(new_tokens) == len(tokens), f"{what} returned {len(new_tokens)} tokens for {len(tokens)}")
    want = min(num, len(candidates))
    expect(len(pairs) == want, f"{what} chose {len(pairs)} positions, expected {want} (num_mlm_preds, or every "
                               "candidate when there are fewer)")
    positions = [p for p, _ in pairs]
    expect(len(set(positions)) == len(positions), f"{what} chose a position twice: walk through the shuffled candidates once")
    outside = [p for p in positions if p not in set(candidates)]
    expect(not outside, f"{what} chose position {outside[0] if outside else 0}, which is not a candidate")
    wrong_labels = [(p, label) for p, label in pairs if label != tokens[p]]
    expect(not wrong_labels, f"{what}: the label of a chosen position must be its original token, got "
                             f"{wrong_labels[0] if wrong_labels else ''}")
    chosen = set(positions)
    moved = [i for i, (a, b) in enumerate(zip(tokens, new_tokens)) if i not in chosen and a != b]
    expect(not moved, f"{what} changed position {moved[0] if moved else 0}, which was not chosen")


# ---------------------------------------------------------------------------- checks, in order


def test_structure(learner, rng):
    tokens, candidates, vocab = setup(rng, length=40)
    what = "_replace_mlm_tokens(tokens of length 40, 38 candidates, 6, vocab)"
    new_tokens, pairs, changed = _result(learner.run(probe_replace, tokens, candidates, 6, vocab, rng.torch_seed()), what)
    _structure(tokens, candidates, 6, new_tokens, pairs, changed, what)


def test_fewer_candidates_than_predictions(learner, rng):
    tokens, _, vocab = setup(rng, length=12)
    candidates = [2, 5, 7]
    what = "_replace_mlm_tokens(tokens, candidates [2, 5, 7], num_mlm_preds=5, vocab)"
    new_tokens, pairs, changed = _result(learner.run(probe_replace, tokens, candidates, 5, vocab, rng.torch_seed()), what)
    _structure(tokens, candidates, 5, new_tokens, pairs, changed, what)


@skip_on_meta
def test_the_80_10_10_rule(learner, rng):
    tokens, candidates, vocab = setup(rng)
    num = 2900
    what = f"_replace_mlm_tokens on {num} positions"
    new_tokens, pairs, changed = _result(learner.run(probe_replace, tokens, candidates, num, vocab, rng.torch_seed()), what)
    _structure(tokens, candidates, num, new_tokens, pairs, changed, what)
    outcome = [new_tokens[p] for p, _ in pairs]
    masked = sum(t == "<mask>" for t in outcome)
    kept = sum(t == tokens[p] for t, (p, _) in zip(outcome, pairs))
    others = [t for t, (p, _) in zip(outcome, pairs) if t != "<mask>" and t != tokens[p]]
    foreign = [t for t in others if t not in set(vocab)]
    expect(not foreign, f"{what}: a random replacement must be a vocabulary token, got {foreign[0] if foreign else ''!r}")
    counts, n = (masked, kept, len(others)), len(pairs)
    seen = f"'<mask>' {masked}, unchanged {kept}, random {len(others)} of {n}"
    if not fits("right", counts, n, len(vocab)):
        hits = [rule for rule in NAMED if fits(rule, counts, n, len(vocab))]
        if len(hits) == 1:
            fail(f"{what}: {NAMED[hits[0]]} ({seen})")
        fail(f"{what}: the shares do not follow 80% '<mask>', 10% unchanged, 10% random ({seen})")
    in_sentence = set(tokens)
    if len(others) >= 60 and all(t in in_sentence for t in others):
        fail(f"{what}: every random replacement came from the sentence itself; draw it from the whole vocabulary "
             f"(random.choice(vocab.idx_to_token)) ({len(others)} random tokens, none outside the sentence)")


@skip_on_meta
def test_positions_are_random(learner, rng):
    tokens, candidates, vocab = setup(rng, length=400)
    what = "_replace_mlm_tokens(tokens, 398 candidates, 60, vocab)"
    _, pairs, _ = _result(learner.run(probe_replace, tokens, candidates, 60, vocab, rng.torch_seed()), what)
    positions = sorted(p for p, _ in pairs)
    expect(positions != candidates[:60], f"{what} always chose the first 60 candidates: shuffle "
                                         "candidate_pred_positions (random.shuffle) before taking them")
    late = sum(p > 200 for p in positions)
    expect(10 <= late <= 50, f"{what}: {late} of 60 chosen positions are in the second half; the choice must be "
                             "uniform over the candidates (shuffle them)")


@skip_on_meta
def test_seeded(learner, rng):
    tokens, candidates, vocab = setup(rng, length=200)
    seed = rng.torch_seed()
    first = learner.run(probe_replace, tokens, candidates, 30, vocab, seed)
    second = learner.run(probe_replace, tokens, candidates, 30, vocab, seed)
    expect(first == second, "_replace_mlm_tokens gives different results for the same seed: draw with random or torch, "
                            "whose seeds are set, not a generator of your own")
