"""Hidden checks for the beam-search exercise. Probes run in the learner's process; checks here decide.

beam_step is compared with torch.topk over the flattened (beam, token) scores, on CPU and on meta.
beam_search runs over toy language models whose next-token log-probabilities depend on the last
token and the position (random tables from the check's seed); the reference search below follows the
statement exactly, and each classic mistake is the same search with one rule changed.
"""

import math

import torch

from learndl_cli.grader.api import CheckFailed, expect, expect_close, fail, skip_on_meta


# ---------------------------------------------------------------------------- the toy models


def make_step_fn(table, pos_table, bos, calls=None):
    """step_fn(prefixes) -> log_probs; table (V, V): logits by last token; pos_table (T, V) by position."""
    def step_fn(prefixes):
        if not isinstance(prefixes, torch.Tensor) or prefixes.dim() != 2 or prefixes.dtype != torch.long:
            raise CheckFailed("step_fn must be called with an int64 tensor of prefixes, shape (num_beams, t)")
        prefixes = prefixes.to(table.device)
        if not bool((prefixes[:, 0] == bos).all()):
            raise CheckFailed("every prefix passed to step_fn must start with bos")
        t = prefixes.shape[1]
        if t > pos_table.shape[0]:
            raise CheckFailed(f"step_fn was called with prefixes of length {t}: more than max_steps tokens were generated")
        if calls is not None:
            calls.append(prefixes.shape[0])
        logits = table[prefixes[:, -1]] + pos_table[t - 1]
        return logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    return step_fn


# ---------------------------------------------------------------------------- probes (child side)


def probe_step(mod, scores, log_probs, beam_size):
    out = mod.beam_step(scores, log_probs, beam_size)
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise CheckFailed("beam_step must return a tuple (top_scores, beam_indices, token_indices)")
    return tuple(out)


def probe_search(mod, models, bos, eos, beam_size, max_steps, alpha):
    results = []
    for table, pos_table in models:
        fn = make_step_fn(table, pos_table, bos)
        if alpha is None:
            out = mod.beam_search(fn, bos, eos, beam_size, max_steps)
        else:
            out = mod.beam_search(fn, bos, eos, beam_size, max_steps, alpha)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise CheckFailed("beam_search must return a pair (tokens, score)")
        tokens, score = out
        if tokens is None:
            raise CheckFailed("beam_search returned None for the tokens: hypotheses that ended with <eos> were dropped? "
                              "They stay candidates for the final choice")
        if isinstance(tokens, torch.Tensor):
            tokens = tokens.tolist()
        if isinstance(score, torch.Tensor):
            score = score.item()
        results.append(([int(t) for t in tokens], float(score)))
    return results


# ---------------------------------------------------------------------------- references (parent)


def ref_search(step_fn, bos, eos, beam_size, max_steps, alpha=0.75, *, no_stop=False, count_bos=False,
               drop_finished=False, keep_live=False, no_accumulate=False, exclude_eos=False):
    live, live_scores, finished = [[bos]], [0.0], []
    for _ in range(max_steps):
        if not live:
            break
        prefixes = torch.tensor(live, dtype=torch.long)
        lp = step_fn(prefixes).double()
        total = (torch.tensor(live_scores, dtype=torch.float64)[:, None] + lp).reshape(-1)
        V = lp.shape[1]
        if keep_live and not no_stop:  # beam_size live hypotheses at every step; <eos> ones set aside
            top, flat = torch.topk(total, total.numel())
            top, flat = top.tolist(), flat.tolist()
            picks = [(s, i) for s, i in zip(top, flat) if i % V != eos][:beam_size]
            picks += [(s, i) for s, i in zip(top[:beam_size], flat[:beam_size]) if i % V == eos]
        else:
            top, flat = torch.topk(total, min(beam_size, total.numel()))
            picks = list(zip(top.tolist(), flat.tolist()))
        live_prev = [p.tolist() for p in prefixes]
        live, live_scores = [], []
        for s, i in picks:
            seq = live_prev[i // V] + [i % V]
            if no_accumulate:
                s = float(lp.reshape(-1)[i])
            if i % V == eos and not no_stop:
                finished.append((seq, s))
            else:
                live.append(seq)
                live_scores.append(s)
    candidates = ([] if drop_finished else finished) + list(zip(live, live_scores))
    best, best_score = None, -math.inf
    for seq, logp in candidates:
        L = len(seq) if count_bos else len(seq) - 1
        if exclude_eos and seq[-1] == eos and L > 1:
            L -= 1
        score = logp / L ** alpha
        if score > best_score:
            best, best_score = seq[1:], score
    return best, best_score


SEARCH_MISTAKES = {
    "beam_size is ignored: this is greedy search; keep the beam_size best extensions at every step": dict(greedy=True),
    "no length normalisation: choose the candidate with the largest log P / L ** alpha, not the largest log P": dict(alpha_override=0.0),
    "a hypothesis that produced <eos> must stop there (and remain a candidate); it was extended further": dict(no_stop=True),
    "L counts the generated tokens, <eos> included but <bos> excluded": dict(count_bos=True),
    "hypotheses that ended with <eos> were dropped; they stay candidates for the final choice": dict(drop_finished=True),
    "the beam was refilled to beam_size live hypotheses: take the beam_size best extensions of all, then set aside "
    "those ending in <eos> (the beam shrinks)": dict(keep_live=True),
    "a hypothesis's score is the sum of its tokens' log-probabilities: add the beam's score to log_probs, "
    "do not keep only the last token's": dict(no_accumulate=True),
    "L counts the generated tokens, <eos> included: do not leave <eos> out of the length": dict(exclude_eos=True),
}


def run_ref(models, bos, eos, beam_size, max_steps, alpha, **flags):
    out = []
    a = 0.75 if alpha is None else alpha
    if flags.pop("greedy", False):
        beam_size = 1
    if "alpha_override" in flags:
        a = flags.pop("alpha_override")
    for table, pos_table in models:
        out.append(ref_search(make_step_fn(table.double(), pos_table.double(), bos), bos, eos, beam_size, max_steps, a, **flags))
    return out


def same(a, b):
    return a[0] == b[0] and abs(a[1] - b[1]) <= 1e-5 * max(1.0, abs(b[1]))


def make_models(rng, count, vocab, max_steps, eos, eos_bias=0.0, scale=1.5):
    models = []
    for _ in range(count):
        table = rng.normal((vocab, vocab), scale=scale, dtype=torch.float64)   # float64 in the child too,
        pos = rng.normal((max_steps, vocab), scale=scale, dtype=torch.float64)  # so rankings agree exactly
        pos[:, eos] += eos_bias * torch.arange(max_steps, dtype=torch.float64) / max_steps
        models.append((table, pos))
    return models


def compare_search(learner, models, bos, eos, beam_size, max_steps, alpha, what):
    got = learner.run(probe_search, models, bos, eos, beam_size, max_steps, alpha)
    expected = run_ref(models, bos, eos, beam_size, max_steps, alpha)
    if all(same(g, e) for g, e in zip(got, expected)):
        return
    wrong_by = {msg: run_ref(models, bos, eos, beam_size, max_steps, alpha, **dict(flags)) for msg, flags in SEARCH_MISTAKES.items()}
    i = next(i for i, (g, e) in enumerate(zip(got, expected)) if not same(g, e))
    example = (f" (model {i}: expected tokens {expected[i][0]} with score {expected[i][1]:.5g}, "
               f"got {got[i][0]} with score {got[i][1]:.5g})")
    # A mistake is named only when it is confirmed: it shows on these models (its result differs from
    # the right one somewhere), the learner's results match it on every model, and no other mistake's do.
    matches = [msg for msg, wrong in wrong_by.items()
               if not all(same(w, e) for w, e in zip(wrong, expected)) and all(same(g, w) for g, w in zip(got, wrong))]
    if len(matches) == 1:
        fail(f"{what}: {matches[0]}{example}")
    if got[i][0] == expected[i][0]:
        fail(f"{what}: the right tokens, but the score should be log P / L ** alpha{example}")
    fail(f"{what} chose a different sequence{example}")


# ---------------------------------------------------------------------------- checks, in order


def test_beam_step(learner, rng):
    scores = rng.normal((3,), scale=2.0)
    log_probs = torch.log_softmax(rng.normal((3, 7)), dim=-1)
    top, beams, tokens = learner.run(probe_step, scores, log_probs, 4)
    total = (scores[:, None].double() + log_probs.double()).reshape(-1)
    ref_top, flat = torch.topk(total, 4)
    inputs = {"scores": scores, "log_probs": log_probs, "beam_size": 4}
    expect_close(top, ref_top.float(), what="beam_step(scores, log_probs, 4): top_scores", inputs=inputs, mistakes={
        "the beam's own score was not added: rank scores[b] + log_probs[b, token] over all (b, token) pairs":
            torch.topk(log_probs.reshape(-1).double(), 4).values.float(),
    })
    expect_close(beams, flat // 7, what="beam_step(...): beam_indices", inputs=inputs, atol=0, rtol=0, mistakes={
        "beam and token were swapped: for the flat index i over (num_beams, vocab_size), beam = i // vocab_size, token = i % vocab_size": flat % 7,
    })
    expect_close(tokens, flat % 7, what="beam_step(...): token_indices", inputs=inputs, atol=0, rtol=0, mistakes={
        "token_indices must index the vocabulary: token = i % vocab_size for the flat index i": flat,
    })


def test_beam_step_small(learner, rng):
    """Fewer extensions than beam_size: return all of them, best first; float64 works too."""
    scores = torch.zeros(1, dtype=torch.float64)
    log_probs = torch.log_softmax(rng.normal((1, 3), dtype=torch.float64), dim=-1)
    top, beams, tokens = learner.run(probe_step, scores, log_probs, 5)
    ref_top, flat = torch.topk(log_probs.reshape(-1), 3)
    expect_close(top, ref_top, what="beam_step with beam_size=5 but only 3 extensions (k = min(beam_size, num_beams * vocab_size))",
                 inputs={"log_probs": log_probs}, atol=1e-12)
    expect_close(tokens, flat % 3, what="beam_step(...): token_indices", atol=0, rtol=0)


@skip_on_meta
def test_search_beam_one_is_greedy(learner, rng):
    V, max_steps, bos, eos = 6, 5, 0, 5
    models = make_models(rng, 6, V, max_steps, eos)
    compare_search(learner, models, bos, eos, 1, max_steps, None, "beam_search(..., beam_size=1) (greedy)")


@skip_on_meta
def test_search(learner, rng):
    V, max_steps, bos, eos = 7, 6, 0, 6
    models = make_models(rng, 30, V, max_steps, eos, eos_bias=2.0)
    compare_search(learner, models, bos, eos, 3, max_steps, None, "beam_search(step_fn, bos=0, eos=6, beam_size=3, max_steps=6)")


@skip_on_meta
def test_search_alpha(learner, rng):
    V, max_steps, bos, eos = 6, 7, 1, 0
    models = make_models(rng, 25, V, max_steps, eos, eos_bias=1.0)
    for alpha in (0.0, 1.0):
        compare_search(learner, models, bos, eos, 4, max_steps, alpha, f"beam_search(..., beam_size=4, alpha={alpha})")


@skip_on_meta
def test_search_stops_early(learner, rng):
    """A model that ends almost every sequence at once: the search must stop calling step_fn."""
    V, max_steps, bos, eos = 5, 8, 0, 4
    models = make_models(rng, 10, V, max_steps, eos)
    for table, pos in models:
        pos[:, eos] += 8.0
    compare_search(learner, models, bos, eos, 2, max_steps, None, "beam_search with a model that prefers <eos>")
