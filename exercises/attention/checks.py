"""Hidden checks for the attention exercise: masked_softmax, DotProductAttention, MultiHeadAttention.

References are computed here, in the parent, in float64. Classic mistakes are named by computing the
wrong result too: mask applied after the softmax, valid_lens repeated instead of interleaved,
scores not divided by sqrt(d), heads merged without transposing back.
"""

import math

import torch
from torch.nn import functional as F

from learndl_cli.grader.api import CheckFailed, build_either_edition, expect, expect_close, expect_shape, fail, skip_on_meta

WEIGHT_NAMES = ("W_q", "W_k", "W_v", "W_o")


# ---------------------------------------------------------------------------- probes (child side)


def probe_masked_softmax(mod, X, valid_lens):
    return mod.masked_softmax(X, valid_lens)


def probe_dot(mod, Q, K, V, valid_lens, dropout, train, seed):
    torch.manual_seed(seed)
    net = mod.DotProductAttention(dropout).to(Q.device)
    net.train(train)
    out = net(Q, K, V, valid_lens)
    return out, getattr(net, "attention_weights", None)


def probe_dot_grad(mod, Q, K, V, valid_lens, G):
    Q, K, V = (t.clone().requires_grad_(True) for t in (Q, K, V))
    net = mod.DotProductAttention(0.0).to(Q.device)
    net.eval()
    out = net(Q, K, V, valid_lens)
    (out * G).sum().backward()
    return Q.grad, K.grad, V.grad


def probe_mha(mod, Q, K, V, valid_lens, weights, num_heads, dropout=0.0, train=False):
    num_hiddens = Q.shape[-1]
    # English edition: MultiHeadAttention(num_hiddens, num_heads, dropout, bias) with nn.LazyLinear;
    # Chinese edition: MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads,
    # dropout, bias) with nn.Linear.
    net = build_either_edition(mod.MultiHeadAttention, ((num_hiddens, num_heads, dropout), dict(bias=False)),
                     ((K.shape[-1], Q.shape[-1], V.shape[-1], num_hiddens, num_heads, dropout), dict(bias=False)),
                     ("key_size", "query_size", "value_size"))
    if Q.device.type != "meta":  # (a lazy module moved to meta before its first call breaks)
        net.to(Q.device)
    net.train(train)
    net(Q, K, V, valid_lens)  # materialises nn.LazyLinear layers
    net.to(Q.device)
    with torch.no_grad():
        for name, W in weights.items():
            layer = getattr(net, name, None)
            if layer is None or not isinstance(getattr(layer, "weight", None), torch.Tensor):
                raise CheckFailed(f"MultiHeadAttention has no linear layer self.{name} (the checks set its weight)")
            if tuple(layer.weight.shape) != tuple(W.shape):
                raise CheckFailed(
                    f"self.{name}.weight has shape {tuple(layer.weight.shape)}; the checks need "
                    f"{tuple(W.shape)} (num_hiddens outputs from num_hiddens inputs)"
                )
            if getattr(layer, "bias", None) is not None:
                raise CheckFailed(f"self.{name} has a bias although bias=False was passed")
            layer.weight.copy_(W)
    return net(Q, K, V, valid_lens)


# ---------------------------------------------------------------------------- references (parent)


def lens_per_row(valid_lens, num_queries, interleave=True):
    if valid_lens.dim() == 1:
        return valid_lens.repeat_interleave(num_queries) if interleave else valid_lens.repeat(num_queries)
    return valid_lens.reshape(-1)


def ref_masked_softmax(X, valid_lens, interleave=True, fill=-1e6):
    if valid_lens is None:
        return F.softmax(X.double(), dim=-1).to(X.dtype)
    batch, num_queries, num_keys = X.shape
    lens = lens_per_row(valid_lens, num_queries, interleave)
    keep = torch.arange(num_keys)[None, :] < lens[:, None]
    filled = X.double().reshape(-1, num_keys).masked_fill(~keep, fill).reshape(X.shape)
    return F.softmax(filled, dim=-1).to(X.dtype)


def mask_after_softmax(X, valid_lens):
    batch, num_queries, num_keys = X.shape
    keep = torch.arange(num_keys)[None, :] < lens_per_row(valid_lens, num_queries)[:, None]
    return (F.softmax(X.double(), -1) * keep.reshape(X.shape)).to(X.dtype)


def ref_attention(Q, K, V, valid_lens, scale=True, interleave=True):
    d = Q.shape[-1]
    scores = torch.bmm(Q.double(), K.double().transpose(1, 2))
    if scale:
        scores = scores / math.sqrt(d)
    weights = ref_masked_softmax(scores, valid_lens, interleave).double()
    return torch.bmm(weights, V.double()).to(Q.dtype), weights.to(Q.dtype)


def ref_mha(Q, K, V, valid_lens, W, h, merge_ok=True, interleave_heads=True, scale=True, head_major=False):
    def split(X):
        b, n, d = X.shape
        if head_major:  # permute(2, 0, 1, 3): row i of the batch*heads axis is head i // b of example i % b
            return X.reshape(b, n, h, d // h).permute(2, 0, 1, 3).reshape(h * b, n, d // h)
        return X.reshape(b, n, h, d // h).permute(0, 2, 1, 3).reshape(b * h, n, d // h)

    q, k, v = (split(X.double() @ W[name].double().T) for X, name in ((Q, "W_q"), (K, "W_k"), (V, "W_v")))
    lens = valid_lens
    if lens is not None:
        if interleave_heads:
            lens = torch.repeat_interleave(lens, h, dim=0)
        else:
            lens = lens.repeat(h) if lens.dim() == 1 else lens.repeat(h, 1)
    out, _ = ref_attention(q, k, v, lens, scale=scale)
    b, n = Q.shape[0], Q.shape[1]
    if head_major:
        merged = out.reshape(h, b, n, -1).permute(1, 2, 0, 3).reshape(b, n, -1)
    elif merge_ok:
        merged = out.reshape(b, h, n, -1).permute(0, 2, 1, 3).reshape(b, n, -1)
    else:
        merged = out.reshape(b, n, -1)
    return (merged @ W["W_o"].double().T).to(Q.dtype)


def mha_inputs(rng, batch=2, n_q=4, n_k=6, hidden=8):
    Q = rng.normal((batch, n_q, hidden))
    K = rng.normal((batch, n_k, hidden))
    V = rng.normal((batch, n_k, hidden))
    W = {name: rng.normal((hidden, hidden), scale=1 / math.sqrt(hidden)) for name in WEIGHT_NAMES}
    return Q, K, V, W


def mha_mistakes(Q, K, V, lens, W, h):
    mistakes = {
        "heads merged without transposing back (reshape to (batch, heads, n, d/h), permute to (batch, n, heads, d/h), then flatten)":
            ref_mha(Q, K, V, lens, W, h, merge_ok=False),
        "scores not divided by sqrt(d)": ref_mha(Q, K, V, lens, W, h, scale=False),
    }
    if lens is not None:
        mistakes["valid_lens repeated with .repeat instead of interleaved: use torch.repeat_interleave(valid_lens, num_heads, dim=0)"] = \
            ref_mha(Q, K, V, lens, W, h, interleave_heads=False)
        # With the heads split head-major, repeat_interleave no longer lines up with the rows; on a
        # batch of 2 with 2 heads this gives exactly the .repeat mistake's output, so the checks use
        # a batch size unlike the number of heads, where the two differ.
        mistakes["the heads were split head-major, permute(2, 0, 1, 3): split them per example, "
                 "X.reshape(batch, n, heads, d/h).permute(0, 2, 1, 3), so that "
                 "repeat_interleave(valid_lens, heads) gives each row its example's length"] = \
            ref_mha(Q, K, V, lens, W, h, head_major=True)
    return mistakes


REPEAT_MISTAKE = "valid_lens repeated with .repeat instead of torch.repeat_interleave (each example's length must cover all its queries)"
AFTER_MISTAKE = "mask applied after the softmax (rows no longer sum to 1): fill masked scores with -1e6 before the softmax"


# ---------------------------------------------------------------------------- checks: masked_softmax


def test_masked_softmax_without_lens(learner, rng):
    X = rng.normal((2, 3, 5))
    got = learner.run(probe_masked_softmax, X, None)
    expect_close(got, ref_masked_softmax(X, None), what="masked_softmax(X, None)", inputs={"X": X})


def test_masked_softmax_lens_per_example(learner, rng):
    X = rng.normal((2, 3, 5))
    lens = torch.tensor([2, 4])
    got = learner.run(probe_masked_softmax, X, lens)
    expect_close(got, ref_masked_softmax(X, lens), what="masked_softmax(X, valid_lens=[2, 4])", inputs={"X": X}, mistakes={
        AFTER_MISTAKE: mask_after_softmax(X, lens),
        REPEAT_MISTAKE: ref_masked_softmax(X, lens, interleave=False),
    })


def test_masked_softmax_lens_per_query(learner, rng):
    X = rng.normal((2, 3, 5))
    lens = torch.tensor([[1, 3, 5], [2, 2, 4]])
    got = learner.run(probe_masked_softmax, X, lens)
    expect_close(got, ref_masked_softmax(X, lens), what="masked_softmax(X, valid_lens of shape (2, 3))", inputs={"X": X}, mistakes={
        AFTER_MISTAKE: mask_after_softmax(X, lens),
    })


def test_masked_softmax_zero_length(learner, rng):
    X = rng.normal((2, 2, 4))
    lens = torch.tensor([0, 3])
    got = learner.run(probe_masked_softmax, X, lens)
    expect_close(got, ref_masked_softmax(X, lens), what="masked_softmax(X, valid_lens=[0, 3])", inputs={"X": X}, mistakes={
        "a row with valid length 0 gives nan: fill with -1e6 (as d2l does), not -inf, so it becomes uniform":
            ref_masked_softmax(X, lens, fill=float("-inf")),
    })


# ---------------------------------------------------------------------------- checks: DotProductAttention


def test_dot_product_attention(learner, rng):
    Q, K, V = rng.normal((2, 3, 4)), rng.normal((2, 5, 4)), rng.normal((2, 5, 6))
    lens = torch.tensor([2, 5])
    out, weights = learner.run(probe_dot, Q, K, V, lens, 0.0, False, rng.torch_seed())
    ref_out, ref_w = ref_attention(Q, K, V, lens)
    if weights is None:
        fail("DotProductAttention.forward does not set self.attention_weights")
    inputs = {"queries": Q, "keys": K, "values": V}
    expect_close(weights, ref_w, what="attention_weights", inputs=inputs, mistakes={
        "scores not divided by sqrt(d): use torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)":
            ref_attention(Q, K, V, lens, scale=False)[1],
    })
    expect_close(out, ref_out, what="DotProductAttention output", inputs=inputs)


def test_dot_product_attention_without_lens(learner, rng):
    Q, K, V = rng.normal((3, 2, 8)), rng.normal((3, 4, 8)), rng.normal((3, 4, 2))
    out, weights = learner.run(probe_dot, Q, K, V, None, 0.0, False, rng.torch_seed())
    ref_out, _ = ref_attention(Q, K, V, None)
    expect_close(out, ref_out, what="DotProductAttention output with valid_lens=None",
                 inputs={"queries": Q, "keys": K, "values": V}, mistakes={
        "scores not divided by sqrt(d)": ref_attention(Q, K, V, None, scale=False)[0],
    })


def test_dot_product_attention_eval_has_no_dropout(learner, rng):
    Q, K, V = rng.normal((2, 3, 4)), rng.normal((2, 5, 4)), rng.normal((2, 5, 6))
    lens = torch.tensor([3, 4])
    out, _ = learner.run(probe_dot, Q, K, V, lens, 0.5, False, rng.torch_seed())
    expect_close(out, ref_attention(Q, K, V, lens)[0], what="DotProductAttention(0.5) output in eval() mode (dropout must be off)",
                 inputs={"queries": Q, "keys": K, "values": V})


@skip_on_meta
def test_dot_product_attention_uses_dropout(learner, rng):
    Q, K, V = rng.normal((4, 8, 4)), rng.normal((4, 16, 4)), rng.normal((4, 16, 6))
    out, _ = learner.run(probe_dot, Q, K, V, None, 0.5, True, rng.torch_seed())
    expect_shape(out, (4, 8, 6), what="DotProductAttention output")
    expect(not bool(torch.allclose(out, ref_attention(Q, K, V, None)[0], atol=1e-5)),
           "DotProductAttention(0.5) in train() mode gives the output without dropout: apply self.dropout to the attention weights")


def test_dot_product_attention_gradient(learner, rng):
    Q, K, V = rng.normal((2, 3, 4)), rng.normal((2, 5, 4)), rng.normal((2, 5, 6))
    lens = torch.tensor([2, 5])
    G = rng.normal((2, 3, 6))
    got = learner.run(probe_dot_grad, Q, K, V, lens, G)
    Qr, Kr, Vr = (t.double().requires_grad_(True) for t in (Q, K, V))
    (ref_attention(Qr, Kr, Vr, lens)[0] * G.double()).sum().backward()
    for name, grad, ref in zip(("queries", "keys", "values"), got, (Qr.grad, Kr.grad, Vr.grad)):
        expect_close(grad, ref.float(), what=f"the gradient with respect to {name}", inputs={"queries": Q, "keys": K, "values": V})


# ---------------------------------------------------------------------------- checks: MultiHeadAttention


def test_multihead_shape(learner, rng):
    Q, K, V, W = mha_inputs(rng)
    got = learner.run(probe_mha, Q, K, V, torch.tensor([3, 6]), W, 2)
    expect_shape(got, (2, 4, 8), what="MultiHeadAttention(8, 2, 0.0) output", inputs={"queries": Q, "keys": K})


def test_multihead_values(learner, rng):
    Q, K, V, W = mha_inputs(rng, batch=3)  # batch unlike the number of heads (see mha_mistakes)
    lens = torch.tensor([3, 6, 2])
    got = learner.run(probe_mha, Q, K, V, lens, W, 2)
    expect_close(got, ref_mha(Q, K, V, lens, W, 2), what="MultiHeadAttention(8, heads=2) output with valid_lens=[3, 6, 2]",
                 inputs={"queries": Q, "keys": K, "values": V}, mistakes=mha_mistakes(Q, K, V, lens, W, 2))


def test_multihead_without_lens(learner, rng):
    Q, K, V, W = mha_inputs(rng, batch=3, n_q=2, n_k=5, hidden=12)
    got = learner.run(probe_mha, Q, K, V, None, W, 3)
    expect_close(got, ref_mha(Q, K, V, None, W, 3), what="MultiHeadAttention(12, heads=3) output with valid_lens=None",
                 inputs={"queries": Q, "keys": K, "values": V}, mistakes=mha_mistakes(Q, K, V, None, W, 3))


def test_multihead_lens_per_query(learner, rng):
    Q, K, V, W = mha_inputs(rng, batch=2, n_q=3, n_k=5, hidden=8)
    lens = torch.tensor([[1, 4, 5], [2, 3, 3]])
    got = learner.run(probe_mha, Q, K, V, lens, W, 4)
    expect_close(got, ref_mha(Q, K, V, lens, W, 4), what="MultiHeadAttention(8, heads=4) output with valid_lens of shape (2, 3)",
                 inputs={"queries": Q, "keys": K, "values": V}, mistakes=mha_mistakes(Q, K, V, lens, W, 4))
