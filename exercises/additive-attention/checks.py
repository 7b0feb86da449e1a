"""Hidden checks for the additive-attention exercise. Probes run in the learner's process; checks here decide.

References are computed in the parent in float64 from the same weights the probe copies into the
learner's layers W_q, W_k, w_v.
"""

import math

import torch
from torch.nn import functional as F

from learndl_cli.grader.api import CheckFailed, build_either_edition, expect, expect_close, expect_shape, fail, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def _build(mod, Q, K, V, valid_lens, weights, dropout=0.0):
    h = weights["W_q"].shape[0]
    # English edition: AdditiveAttention(num_hiddens, dropout) with nn.LazyLinear;
    # Chinese edition: AdditiveAttention(key_size, query_size, num_hiddens, dropout) with nn.Linear.
    net = build_either_edition(mod.AdditiveAttention, ((h, dropout), {}),
                     ((K.shape[-1], Q.shape[-1], h, dropout), {}), ("key_size", "query_size"))
    net.to(Q.dtype)
    net.eval()
    if Q.device.type == "meta":
        # A lazy module moved to meta before its first call breaks, and one materialised by meta
        # inputs keeps CPU weights: materialise it on CPU stand-ins, then move it.
        def on_cpu(t):
            if t is None:
                return None
            return torch.zeros(t.shape, dtype=t.dtype) if t.is_floating_point() else torch.ones(t.shape, dtype=t.dtype)

        net(on_cpu(Q), on_cpu(K), on_cpu(V), on_cpu(valid_lens))
    else:
        net.to(Q.device)
        net(Q, K, V, valid_lens)  # materialises nn.LazyLinear layers
    net.to(Q.device)
    inputs = {"W_q": "queries", "W_k": "keys", "w_v": "tanh features"}
    with torch.no_grad():
        for name, W in weights.items():
            layer = getattr(net, name, None)
            if layer is None or not isinstance(getattr(layer, "weight", None), torch.Tensor):
                raise CheckFailed(f"AdditiveAttention has no linear layer self.{name} (the checks set its weight)")
            if tuple(layer.weight.shape) != tuple(W.shape):
                raise CheckFailed(
                    f"self.{name}.weight has shape {tuple(layer.weight.shape)}; the checks need {tuple(W.shape)}: "
                    f"self.{name} must be applied to the {inputs[name]} ({W.shape[1]} features) and give {W.shape[0]} output(s)"
                    + (" (W_q is for the queries, W_k for the keys)" if name != "w_v" else "")
                )
            if getattr(layer, "bias", None) is not None:
                raise CheckFailed(f"self.{name} has a bias; d2l's additive attention uses bias=False")
            layer.weight.copy_(W)
    return net


def probe_forward(mod, Q, K, V, valid_lens, weights):
    net = _build(mod, Q, K, V, valid_lens, weights)
    out = net(Q, K, V, valid_lens)
    return out, getattr(net, "attention_weights", None)


def probe_grad(mod, Q, K, V, valid_lens, weights, G):
    net = _build(mod, Q, K, V, valid_lens, weights)
    Q, K, V = (t.clone().requires_grad_(True) for t in (Q, K, V))
    out = net(Q, K, V, valid_lens)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    (out * G).sum().backward()
    return Q.grad, K.grad, V.grad, net.W_q.weight.grad, net.W_k.weight.grad, net.w_v.weight.grad


def probe_train_dropout(mod, Q, K, valid_lens, weights, dropout, seed):
    n_k = K.shape[1]
    V = torch.eye(n_k, dtype=Q.dtype, device=Q.device).expand(Q.shape[0], n_k, n_k)
    net = _build(mod, Q, K, V, valid_lens, weights, dropout)
    torch.manual_seed(seed)
    net.train()
    out = net(Q, K, V, valid_lens)   # with V = I, out is exactly dropout(attention weights)
    return out, net.attention_weights


# ---------------------------------------------------------------------------- references (parent)


def ref_masked_softmax(S, valid_lens):
    if valid_lens is None:
        return F.softmax(S, dim=-1)
    lens = valid_lens if valid_lens.dim() == 2 else valid_lens[:, None].expand(S.shape[0], S.shape[1])
    keep = torch.arange(S.shape[-1])[None, None, :] < lens[..., None]
    return F.softmax(S.masked_fill(~keep, -1e6), dim=-1)


def ref(Q, K, V, valid_lens, w, *, tanh=True, mask=True, dim=-1, scale=False):
    q = Q.double() @ w["W_q"].double().T
    k = K.double() @ w["W_k"].double().T
    feat = q.unsqueeze(2) + k.unsqueeze(1)
    if tanh:
        feat = torch.tanh(feat)
    S = (feat @ w["w_v"].double().T).squeeze(-1)
    if scale:
        S = S / math.sqrt(q.shape[-1])
    if dim == -1:
        A = ref_masked_softmax(S, valid_lens if mask else None)
    else:
        A = F.softmax(S, dim=dim)
    return torch.bmm(A, V.double()).to(Q.dtype), A.to(Q.dtype)


MISTAKE_ARGS = {
    "the scores lack the tanh: score = w_v(tanh(W_q q + W_k k))": dict(tanh=False),
    "valid_lens was ignored: pass it to masked_softmax so padded keys get weight 0": dict(mask=False),
    "the softmax ran over the queries; it must run over the keys (the last axis)": dict(dim=1),
    "the scores were divided by sqrt(num_hiddens); additive attention has no scaling (that is dot-product attention)": dict(scale=True),
}


def make(rng, batch, n_q, n_k, q_size, k_size, v_size, h):
    Q = rng.normal((batch, n_q, q_size))
    K = rng.normal((batch, n_k, k_size))
    V = rng.normal((batch, n_k, v_size))
    weights = {"W_q": rng.normal((h, q_size), scale=0.5), "W_k": rng.normal((h, k_size), scale=0.5),
               "w_v": rng.normal((1, h))}
    return Q, K, V, weights


def compare(learner, Q, K, V, valid_lens, weights, what):
    out, attn = learner.run(probe_forward, Q, K, V, valid_lens, weights)
    inputs = {"queries": Q, "keys": K, "values": V,
              "valid_lens": None if valid_lens is None else valid_lens.tolist()}
    exp_out, exp_attn = ref(Q, K, V, valid_lens, weights)
    if attn is None:
        fail(f"{what}: forward must set self.attention_weights (batch, n_q, n_k)")
    wrong = {msg: ref(Q, K, V, valid_lens, weights, **kw)[1] for msg, kw in MISTAKE_ARGS.items()}
    expect_close(attn, exp_attn, what=f"{what}: self.attention_weights", inputs=inputs, mistakes=wrong)
    expect_close(out, exp_out, what=f"{what}: the output", inputs=inputs, atol=1e-5)


# ---------------------------------------------------------------------------- checks, in order


def test_no_mask(learner, rng):
    Q, K, V, w = make(rng, 2, 3, 5, 4, 6, 3, 8)
    compare(learner, Q, K, V, None, w, "AdditiveAttention(8, 0)(queries, keys, values, None)")


def test_valid_lens_per_example(learner, rng):
    Q, K, V, w = make(rng, 3, 4, 6, 5, 3, 2, 7)
    valid_lens = torch.tensor([2, 6, 4])
    compare(learner, Q, K, V, valid_lens, w, "AdditiveAttention with valid_lens of shape (batch,)")


def test_valid_lens_per_query(learner, rng):
    Q, K, V, w = make(rng, 2, 3, 5, 4, 4, 3, 6)
    valid_lens = torch.tensor([[1, 3, 5], [2, 2, 4]])
    compare(learner, Q, K, V, valid_lens, w, "AdditiveAttention with valid_lens of shape (batch, n_q)")


def test_book_shapes(learner, rng):
    """The book's example: 2 queries of size 20 against 10 keys of size 2, values of size 4."""
    Q, K, V, w = make(rng, 2, 1, 10, 20, 2, 4, 8)
    valid_lens = torch.tensor([2, 6])
    out, attn = learner.run(probe_forward, Q, K, V, valid_lens, w)
    expect_shape(out, (2, 1, 4), what="the output for queries (2, 1, 20), keys (2, 10, 2), values (2, 10, 4)")
    compare(learner, Q, K, V, valid_lens, w, "AdditiveAttention on the book's shapes")


def test_gradients(learner, rng):
    Q, K, V, w = make(rng, 2, 3, 4, 3, 5, 2, 6)
    Q, K, V = Q.double(), K.double(), V.double()
    w = {k: v.double() for k, v in w.items()}
    valid_lens = torch.tensor([3, 4])
    G = rng.normal((2, 3, 2), dtype=torch.float64)
    got = learner.run(probe_grad, Q, K, V, valid_lens, w, G)
    if got is None:
        fail("the output does not require grad: keep everything in torch operations (no .detach(), .item(), torch.tensor(...))")
    leaves = [t.clone().requires_grad_(True) for t in (Q, K, V, w["W_q"], w["W_k"], w["w_v"])]
    out, _ = ref(*leaves[:3], valid_lens, {"W_q": leaves[3], "W_k": leaves[4], "w_v": leaves[5]})
    (out * G).sum().backward()
    names = ["queries", "keys", "values", "W_q.weight", "W_k.weight", "w_v.weight"]
    for name, g, leaf in zip(names, got, leaves):
        if g is None:
            fail(f"no gradient reached {name}: keep the computation in torch operations")
        expect_close(g, leaf.grad, what=f"the gradient with respect to {name} (float64)", atol=1e-9, rtol=1e-7)


@skip_on_meta
def test_dropout_on_weights(learner, rng):
    p = 0.5
    Q, K, _, w = make(rng, 64, 16, 16, 4, 4, 16, 8)
    valid_lens = rng.integers(8, 17, (64,))
    out, attn = learner.run(probe_train_dropout, Q, K, valid_lens, w, p, rng.torch_seed())
    _, exp_attn = ref(Q, K, torch.eye(16).expand(64, 16, 16), valid_lens, w)
    expect_close(attn, exp_attn, what="self.attention_weights in training mode (store them before dropout)",
                 inputs={"queries": Q})
    live = exp_attn > 1e-6
    dropped = (out == 0) & live
    frac = dropped.double().sum().item() / live.sum().item()
    sd = math.sqrt(p * (1 - p) / live.sum().item())
    expect(abs(frac - p) < 6 * sd,
           f"in training mode with dropout={p}, {frac:.3f} of the attention weights were dropped (expected about {p}): "
           "apply self.dropout to the attention weights before multiplying by the values")
    kept = live & ~dropped
    expect_close(out[kept], exp_attn[kept] / (1 - p),
                 what=f"the kept attention weights in training mode (they must be scaled by 1/(1-{p}))")
