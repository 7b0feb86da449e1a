"""Hidden checks for the bleu exercise. Probes run in the learner's process; checks here decide.

There is no BLEU in torch: the reference is the statement's formula, written out here in float64
(Python floats), with each classic mistake written out beside it so it can be named.
"""

import collections
import math
import numbers

import torch

from learndl_cli.grader.api import expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_bleu(mod, cases):
    out = []
    for pred, label, k in cases:
        value = mod.bleu(pred, label, k)
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return f"bleu({pred!r}, {label!r}, {k}) returned {type(value).__name__}, not a number"
        out.append(float(value))
    return out


# ---------------------------------------------------------------------------- references (parent)


def _ngrams(tokens, n):
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def ref_bleu(pred_seq, label_seq, k, *, penalty=True, clip=True, weights="half", inverted_bp=False,
             label_denominator=False):
    pred, label = pred_seq.split(" "), label_seq.split(" ")
    lp, ll = len(pred), len(label)
    score = 1.0
    if penalty:
        score = math.exp(min(0.0, 1.0 - (lp / ll if inverted_bp else ll / lp)))
    for n in range(1, k + 1):
        counts = collections.Counter(_ngrams(label, n))
        matches = 0
        for g in _ngrams(pred, n):
            if counts[g] > 0:
                matches += 1
                if clip:
                    counts[g] -= 1
        denom = (ll - n + 1) if label_denominator else (lp - n + 1)
        p = matches / denom if denom > 0 else 0.0
        score *= p ** (0.5 ** n if weights == "half" else 1.0 / k)
    return score


MISTAKES = {
    "the brevity penalty is missing: multiply by exp(min(0, 1 - len_label / len_pred)) so that short predictions are penalised":
        dict(penalty=False),
    "n-gram matches are not clipped: each n-gram of the label can match at most as many times as it occurs in the label (use up a copy on every match)":
        dict(clip=False),
    "wrong n-gram weights: d2l's BLEU raises p_n to the power 1/2**n (0.5 ** n), not 1/k":
        dict(weights="uniform"),
    "the brevity penalty is inverted: it is exp(min(0, 1 - len_label / len_pred)) (label length over predicted length)":
        dict(inverted_bp=True),
    "p_n divides by the number of n-grams in the label; divide by the number in the prediction, len_pred - n + 1":
        dict(label_denominator=True),
}

WORDS = ["a", "b", "c", "d", "e", "f"]


def _sentence(rng, length):
    return " ".join(WORDS[int(i)] for i in rng.integers(0, len(WORDS), (length,)))


def random_cases(rng, count):
    cases = []
    for _ in range(count):
        lp, ll = rng.int(2, 9), rng.int(2, 9)
        cases.append((_sentence(rng, lp), _sentence(rng, ll), rng.int(1, min(lp, 4) + 1)))
    return cases


def compare(learner, cases, what):
    got = learner.run(probe_bleu, cases)
    if isinstance(got, str):
        fail(got)
    expect(isinstance(got, list) and len(got) == len(cases), f"{what}: expected one number per call")
    got_t = torch.tensor(got, dtype=torch.float64)
    expected = torch.tensor([ref_bleu(*c) for c in cases], dtype=torch.float64)
    mistakes = {msg: torch.tensor([ref_bleu(*c, **kw) for c in cases], dtype=torch.float64) for msg, kw in MISTAKES.items()}
    if not bool(torch.allclose(got_t, expected, atol=1e-9, rtol=1e-9)):
        bad = int((got_t - expected).abs().nan_to_num(nan=math.inf).argmax())
        p, l, k = cases[bad]
        where = f" (e.g. bleu({p!r}, {l!r}, k={k}) = {expected[bad].item():.6g}, you gave {got_t[bad].item():.6g})"
        # named only when confirmed: the mistake shows on these cases and is the only one that matches
        matches = [msg for msg, wrong in mistakes.items()
                   if not bool(torch.allclose(wrong, expected, atol=1e-9, rtol=1e-9))
                   and bool(torch.allclose(got_t, wrong, atol=1e-9, rtol=1e-9))]
        if len(matches) == 1:
            fail(f"{what}: {matches[0]}{where}")
        fail(f"{what} is wrong{where}")
    expect_close(got_t, expected, what=what, atol=1e-9, rtol=1e-9)


# ---------------------------------------------------------------------------- checks, in order


def test_identical_is_one(learner):
    cases = [("a b c d", "a b c d", 4), ("le chat est noir .", "le chat est noir .", 2), ("go .", "go .", 2)]
    compare(learner, cases, "bleu of a prediction identical to its label (must be 1)")


def test_book_examples(learner):
    cases = [("go .", "va !", 2), ("i lost .", "j'ai perdu .", 2), ("he's calm .", "il est calme .", 2),
             ("i'm home .", "je suis chez moi .", 2), ("je suis .", "je suis chez moi .", 2),
             ("il est calme .", "il est calme .", 2), ("il est très calme .", "il est calme .", 2)]
    compare(learner, cases, "bleu on short translations")


def test_short_prediction(learner, rng):
    cases = [("a b", "a b c d", 2), ("a b c", "a b c d e f", 1), ("c d e", "a b c d e", 3)]
    for _ in range(5):
        ll = rng.int(5, 9)
        label = _sentence(rng, ll)
        lp = rng.int(2, ll)
        start = rng.int(0, ll - lp + 1)
        cases.append((" ".join(label.split(" ")[start:start + lp]), label, rng.int(1, min(lp, 3) + 1)))
    compare(learner, cases, "bleu of a prediction shorter than its label")


def test_clipped_counts(learner):
    cases = [("a a a a", "a b c d", 1), ("a b a b a b", "a b c a", 2), ("the the the .", "the cat .", 1),
             ("x y x y", "x y z w", 2)]
    compare(learner, cases, "bleu of a prediction that repeats n-grams")


def test_random(learner, rng):
    compare(learner, random_cases(rng, 40), "bleu on random sentences")


def test_longer_prediction_and_k(learner, rng):
    cases = [("a b c d e f a", "a b c", 3), ("a b c d", "a b c d", 1), ("a b c d e", "b c d e a", 4),
             ("b c d e a b", "a b c d e", 3)]
    compare(learner, cases + random_cases(rng, 10), "bleu for longer predictions and several k")
