"""Hidden checks for the bert-input exercise.

get_tokens_and_segments is compared as lists; named mistakes: the last '<sep>' missing, the second
text's '<sep>' in segment 0, the first '<sep>' in segment 1. BERTEncoder: with no blocks its output is
the embedding sum, compared with the parent's float64 reference (named: a missing segment or position
embedding); with blocks, the output must equal the learner's own blocks run on that sum with valid_lens.
"""

import torch
from torch import nn

from learndl_cli.grader.api import CheckFailed, build_either_edition, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_tokens(mod, tokens_a, tokens_b):
    before = list(tokens_a), None if tokens_b is None else list(tokens_b)
    out = mod.get_tokens_and_segments(tokens_a) if tokens_b is None else mod.get_tokens_and_segments(tokens_a, tokens_b)
    changed = list(tokens_a) != before[0] or (tokens_b is not None and list(tokens_b) != before[1])
    if isinstance(out, (tuple, list)) and len(out) == 2:
        out = [list(out[0]), [int(s) for s in out[1]]]
    return out, changed


def probe_encoder(mod, tokens, segments, valid_lens, weights, num_layers, X0, train):
    vocab_size, H = weights["token_embedding"].shape
    max_len = weights["pos_embedding"].shape[1]
    # Chinese edition: BERTEncoder(vocab_size, num_hiddens, norm_shape, ffn_num_input, ffn_num_hiddens,
    # num_heads, num_layers, dropout, max_len, key_size, query_size, value_size); English edition:
    # BERTEncoder(vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_layers, dropout, max_len).
    net = build_either_edition(
        mod.BERTEncoder, ((vocab_size, H, 2 * H, 2, num_layers, 0.0), dict(max_len=max_len)),
        ((vocab_size, H, [H], H, 2 * H, 2, num_layers, 0.0), dict(max_len=max_len, key_size=H, query_size=H, value_size=H)),
        ("norm_shape", "ffn_num_input", "key_size"))
    net.to(tokens.device)
    net.train(train)
    with torch.no_grad():
        for name, W in weights.items():
            target = getattr(net, name, None)
            if name == "pos_embedding" and isinstance(target, nn.Module):
                target, W = getattr(target, "weight", None), W[0]  # an nn.Embedding(max_len, num_hiddens) is fine too
            elif name != "pos_embedding":
                target = getattr(target, "weight", None)
            if not isinstance(target, torch.Tensor):
                raise CheckFailed(f"BERTEncoder has no self.{name}" + ("" if name == "pos_embedding" else " (an nn.Embedding)"))
            if tuple(target.shape) != tuple(W.shape):
                raise CheckFailed(f"BERTEncoder: self.{name} has shape {tuple(target.shape)}, expected {tuple(W.shape)}"
                                  + (" (segments 0 and 1: nn.Embedding(2, num_hiddens))" if name == "segment_embedding" else "")
                                  + (" (nn.Parameter of shape (1, max_len, num_hiddens))" if name == "pos_embedding" else ""))
            target.copy_(W)
    out = net(tokens, segments, valid_lens)
    through = without_lens = None
    if X0 is not None:
        blocks = list(getattr(net, "blks", []))
        if len(blocks) != num_layers:
            raise CheckFailed(f"BERTEncoder(num_layers={num_layers}) has {len(blocks)} blocks in self.blks")
        through, without_lens = X0, X0
        for blk in blocks:
            through = blk(through, valid_lens)
            without_lens = blk(without_lens, None)
    return out, through, without_lens


# ---------------------------------------------------------------------------- references (parent)


def ref_tokens(a, b=None, mistake=None):
    tokens = ["<cls>"] + a + ["<sep>"]
    segments = [0] * (len(a) + 2)
    if b is not None:
        tokens += b + ([] if mistake == "no_last_sep" else ["<sep>"])
        segments += [1] * (len(b) + (0 if mistake == "no_last_sep" else 1))
        if mistake == "last_sep_0":
            segments[-1] = 0
        if mistake == "first_sep_1":
            segments[len(a) + 1] = 1
    return [tokens, segments]


TOKEN_MISTAKES = {
    "no_last_sep": "a pair ends with a second '<sep>' after tokens_b (in segment 1)",
    "last_sep_0": "the '<sep>' after tokens_b belongs to segment 1, like tokens_b",
    "first_sep_1": "the first '<sep>' (after tokens_a) belongs to segment 0, like tokens_a",
}


def weights(rng, vocab=12, H=8, max_len=10):
    return {"token_embedding": rng.normal((vocab, H)), "segment_embedding": rng.normal((2, H)),
            "pos_embedding": rng.normal((1, max_len, H))}


def ref_embed(tokens, segments, W, *, segment=True, position=True):
    X = W["token_embedding"].double()[tokens]
    if segment:
        X = X + W["segment_embedding"].double()[segments]
    if position:
        X = X + W["pos_embedding"].double()[:, :tokens.shape[1], :]
    return X


def batch(rng, b=2, T=6, vocab=12):
    tokens = rng.integers(0, vocab, (b, T))
    segments = torch.tensor([[0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 1, 1]])[:b, :T]
    return tokens, segments, torch.tensor([6, 4])[:b]


def _check_tokens(learner, a, b):
    what = f"get_tokens_and_segments({a}" + ("" if b is None else f", {b}") + ")"
    got, changed = learner.run(probe_tokens, a, b)
    right = ref_tokens(a, b)
    if got == right:
        if changed:
            fail(f"{what} changed its input lists: build new lists (['<cls>'] + tokens_a + ...) instead of appending to them")
        return
    if not isinstance(got, list) or len(got) != 2:
        fail(f"{what} must return a pair (tokens, segments)")
    hits = [m for m in TOKEN_MISTAKES if b is not None and ref_tokens(a, b, m) == got]
    if len(hits) == 1:
        fail(f"{what}: {TOKEN_MISTAKES[hits[0]]} (got segments {got[1]}, expected {right[1]})")
    fail(f"{what} returned {got}, expected {right}")


# ---------------------------------------------------------------------------- checks, in order


def test_one_text(learner):
    _check_tokens(learner, ["this", "movie", "is", "great"], None)


def test_a_pair(learner):
    _check_tokens(learner, ["i", "like", "dogs"], ["they", "bark"])


def test_empty_second_text(learner):
    _check_tokens(learner, ["hello"], [])


def test_embeddings_are_summed(learner, rng):
    tokens, segments, lens = batch(rng)
    W = weights(rng)
    out, *_ = learner.run(probe_encoder, tokens, segments, lens, W, 0, None, False)
    expect_close(out, ref_embed(tokens, segments, W).float(),
                 what="BERTEncoder(num_layers=0)(tokens, segments, valid_lens) (the sum of the three embeddings)",
                 inputs={"tokens": tokens}, mistakes={
        "the segment embedding is missing: add self.segment_embedding(segments)":
            ref_embed(tokens, segments, W, segment=False).float(),
        "the position embedding is missing: add self.pos_embedding[:, :seq_len, :] (broadcast over the batch)":
            ref_embed(tokens, segments, W, position=False).float(),
    })


def test_positions_follow_the_sequence_length(learner, rng):
    tokens, segments, lens = batch(rng, b=1, T=3)
    W = weights(rng, max_len=7)
    out, *_ = learner.run(probe_encoder, tokens, segments, lens, W, 0, None, False)
    expect_close(out, ref_embed(tokens, segments, W).float(),
                 what="BERTEncoder(num_layers=0) for a sequence of 3 tokens (positions 0, 1, 2 of pos_embedding)",
                 inputs={"tokens": tokens})


def test_blocks_run_with_valid_lens(learner, rng):
    tokens, segments, lens = batch(rng)
    W = weights(rng)
    X0 = ref_embed(tokens, segments, W).float()
    out, through, without_lens = learner.run(probe_encoder, tokens, segments, lens, W, 2, X0, False)
    expect_close(out, through, what="BERTEncoder(num_layers=2) output (the embedding sum through self.blks, each with valid_lens)",
                 inputs={"tokens": tokens}, atol=1e-4, mistakes={
        "pass valid_lens to every block: blk(X, valid_lens), so padded positions are not attended to": without_lens,
    })
