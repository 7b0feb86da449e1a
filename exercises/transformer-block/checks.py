"""Hidden checks for the transformer-block exercise. Probes run in the learner's process; checks here decide.

The probe builds the learner's modules, materialises the lazy layers with one call, copies the
check's weights into the named layers (dense1, dense2, ln, attention.W_q/W_k/W_v/W_o, ...), and runs
them. The references are written out here in float64 with torch's own F.linear, F.layer_norm and
F.softmax.
"""

import math

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import CheckFailed, build_either_edition, expect_close, expect_shape, fail


# ---------------------------------------------------------------------------- probes (child side)


def _set_weights(net, params, owner):
    with torch.no_grad():
        for path, W in params.items():
            obj = net
            for part in path.split(".")[:-1]:
                obj = getattr(obj, part, None)
                if obj is None:
                    raise CheckFailed(f"{owner} has no {path.rsplit('.', 1)[0]} (the checks set {path})")
            leaf = path.split(".")[-1]
            t = getattr(obj, leaf, None)
            if not isinstance(t, torch.Tensor):
                if leaf == "bias" and W is not None:
                    raise CheckFailed(f"{owner}.{path} is missing: this layer must have a bias")
                raise CheckFailed(f"{owner} has no tensor {path} (the checks set it)")
            if tuple(t.shape) != tuple(W.shape):
                raise CheckFailed(f"{owner}.{path} has shape {tuple(t.shape)}; the checks need {tuple(W.shape)}")
            t.copy_(W)


def _prepare(net, X, call, *inputs):
    """Cast and move ``net``, then materialise its lazy layers with one call of ``call(*inputs)``.

    On the meta device the first call runs on CPU zeros of the same shapes (a lazy layer materialised
    by a meta input keeps CPU weights), and the module is moved to meta afterwards.
    """
    net.to(X.dtype)
    net.eval()
    if X.device.type == "meta":
        call(*[None if t is None else torch.zeros(t.shape, dtype=t.dtype) for t in inputs])
    else:
        net.to(X.device)
        call(*inputs)
    net.to(X.device)


def _new_block(mod, d, ffn_hidden, num_heads):
    """The learner's encoder block for inputs with d features: the English edition's
    TransformerEncoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout), or the Chinese
    edition's EncoderBlock(key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
    ffn_num_hiddens, num_heads, dropout) under either name."""
    cls = getattr(mod, "TransformerEncoderBlock", None) or getattr(mod, "EncoderBlock", None)
    if cls is None:
        raise CheckFailed("the file defines no class TransformerEncoderBlock (or EncoderBlock, its name in the Chinese edition)")
    return build_either_edition(cls, ((d, ffn_hidden, num_heads, 0.0), {}),
                      ((d, d, d, d, [d], d, ffn_hidden, num_heads, 0.0), {}),
                      ("key_size", "query_size", "value_size", "norm_shape", "ffn_num_input"))


def probe_ffn(mod, X, params, hidden, outputs):
    # English edition: PositionWiseFFN(ffn_num_hiddens, ffn_num_outputs) with nn.LazyLinear;
    # Chinese edition: PositionWiseFFN(ffn_num_input, ffn_num_hiddens, ffn_num_outputs) with nn.Linear.
    net = build_either_edition(mod.PositionWiseFFN, ((hidden, outputs), {}), ((X.shape[-1], hidden, outputs), {}),
                     ("ffn_num_input",))
    _prepare(net, X, net, X)
    _set_weights(net, params, "PositionWiseFFN")
    return net(X)


def probe_addnorm(mod, X, Y, params, dropout, train):
    net = mod.AddNorm(X.shape[-1], dropout)
    _prepare(net, X, net, X, Y)
    _set_weights(net, params, "AddNorm")
    net.train(train)
    return net(X, Y)


def probe_block(mod, X, valid_lens, params, ffn_hidden, num_heads):
    net = _new_block(mod, X.shape[-1], ffn_hidden, num_heads)
    _prepare(net, X, net, X, valid_lens)
    _set_weights(net, params, "TransformerEncoderBlock")
    return net(X, valid_lens)


def probe_block_grad(mod, X, valid_lens, params, ffn_hidden, num_heads, G):
    net = _new_block(mod, X.shape[-1], ffn_hidden, num_heads)
    _prepare(net, X, net, X, valid_lens)
    _set_weights(net, params, "TransformerEncoderBlock")
    X = X.clone().requires_grad_(True)
    out = net(X, valid_lens)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    (out * G).sum().backward()
    return X.grad, net.ffn.dense1.weight.grad, net.addnorm1.ln.weight.grad


# ---------------------------------------------------------------------------- references (parent)


def ref_ffn(X, p, prefix="", relu=True):
    H = F.linear(X, p[prefix + "dense1.weight"], p[prefix + "dense1.bias"])
    if relu:
        H = F.relu(H)
    return F.linear(H, p[prefix + "dense2.weight"], p[prefix + "dense2.bias"])


def ln(X, p, prefix):
    return F.layer_norm(X, X.shape[-1:], p[prefix + "ln.weight"], p[prefix + "ln.bias"], eps=1e-5)


def ref_addnorm(X, Y, p, prefix="", kind="post"):
    if kind == "post":
        return ln(X + Y, p, prefix)
    if kind == "pre":
        return X + ln(Y, p, prefix)
    if kind == "no_residual":
        return ln(Y, p, prefix)
    if kind == "norm_input":
        return ln(X, p, prefix) + Y
    raise ValueError(kind)


def ref_mha(X, valid_lens, p, num_heads):
    B, T, d = X.shape
    def split(M):
        return M.reshape(B, T, num_heads, d // num_heads).permute(0, 2, 1, 3)
    q, k, v = (split(X @ p[f"attention.W_{n}.weight"].T) for n in "qkv")
    scores = q @ k.transpose(-1, -2) / math.sqrt(d // num_heads)       # (B, H, T, T)
    if valid_lens is not None:
        keep = torch.arange(T)[None, None, None, :] < valid_lens[:, None, None, None]
        scores = scores.masked_fill(~keep, -1e6)
    A = F.softmax(scores, dim=-1)
    out = (A @ v).permute(0, 2, 1, 3).reshape(B, T, d)
    return out @ p["attention.W_o.weight"].T


def ref_block(X, valid_lens, p, num_heads, *, kind="post", mask=True, ffn_on_x=False, second_residual=True):
    X = X.double()
    p = {k: v.double() for k, v in p.items()}
    if kind == "prenorm":  # the pre-norm block of later transformers: X + sublayer(ln(X))
        Y = X + ref_mha(ln(X, p, "addnorm1."), valid_lens if mask else None, p, num_heads)
        return Y + ref_ffn(ln(Y, p, "addnorm2."), p, "ffn.")
    A = ref_mha(X, valid_lens if mask else None, p, num_heads)
    Y = ref_addnorm(X, A, p, "addnorm1.", kind)
    Fy = ref_ffn(X if ffn_on_x else Y, p, "ffn.")
    if not second_residual:
        return ln(Fy, p, "addnorm2.")
    return ref_addnorm(Y, Fy, p, "addnorm2.", kind)


def ffn_params(rng, d_in, hidden, d_out, prefix=""):
    return {prefix + "dense1.weight": rng.normal((hidden, d_in), scale=0.5), prefix + "dense1.bias": rng.normal((hidden,), scale=0.5),
            prefix + "dense2.weight": rng.normal((d_out, hidden), scale=0.5), prefix + "dense2.bias": rng.normal((d_out,), scale=0.5)}


def ln_params(rng, d, prefix=""):
    return {prefix + "ln.weight": 1 + 0.3 * rng.normal((d,)), prefix + "ln.bias": 0.3 * rng.normal((d,))}


def block_params(rng, d, hidden):
    p = {f"attention.W_{n}.weight": rng.normal((d, d), scale=1 / math.sqrt(d)) for n in "qkvo"}
    p.update(ln_params(rng, d, "addnorm1."))
    p.update(ffn_params(rng, d, hidden, d, "ffn."))
    p.update(ln_params(rng, d, "addnorm2."))
    return p


ADDNORM_MISTAKES = {
    "pre": "AddNorm is post-norm: ln(dropout(Y) + X), normalising after the residual addition (you returned X + ln(Y))",
    "no_residual": "the residual connection is missing: add the sublayer's input X before normalising, ln(dropout(Y) + X)",
    "norm_input": "AddNorm normalises the sum: ln(dropout(Y) + X), not ln(X) + Y",
}


# ---------------------------------------------------------------------------- checks, in order


def test_ffn(learner, rng):
    X = rng.normal((2, 5, 6))
    p = ffn_params(rng, 6, 10, 4)
    got = learner.run(probe_ffn, X, p, 10, 4)
    what = "PositionWiseFFN(10, 4)(X)"
    expect_shape(got, (2, 5, 4), what=what, inputs={"X": X})
    Xd, pd = X.double(), {k: v.double() for k, v in p.items()}
    expect_close(got, ref_ffn(Xd, pd).float(), what=what, inputs={"X": X}, mistakes={
        "the ReLU between dense1 and dense2 is missing: dense2(relu(dense1(X)))": ref_ffn(Xd, pd, relu=False).float(),
    })


def test_addnorm(learner, rng):
    X, Y = rng.normal((2, 4, 6)), rng.normal((2, 4, 6), scale=2.0)
    p = ln_params(rng, 6)
    got = learner.run(probe_addnorm, X, Y, p, 0.5, False)
    Xd, Yd, pd = X.double(), Y.double(), {k: v.double() for k, v in p.items()}
    expect_close(got, ref_addnorm(Xd, Yd, pd).float(), what="AddNorm(6, 0.5).eval()(X, Y)", inputs={"X": X, "Y": Y},
                 mistakes={msg: ref_addnorm(Xd, Yd, pd, kind=k).float() for k, msg in ADDNORM_MISTAKES.items()})


def test_addnorm_dropout_on_Y(learner, rng):
    """With dropout=1 in training mode, dropout(Y) is all zeros, so AddNorm gives ln(X)."""
    X, Y = rng.normal((2, 3, 5)), rng.normal((2, 3, 5))
    p = ln_params(rng, 5)
    got = learner.run(probe_addnorm, X, Y, p, 1.0, True)
    Xd, Yd, pd = X.double(), Y.double(), {k: v.double() for k, v in p.items()}
    expect_close(got, ln(Xd, pd, "").float(), what="AddNorm(5, dropout=1.0).train()(X, Y) (dropout drops all of Y, so it is ln(X))",
                 inputs={"X": X, "Y": Y}, mistakes={
                     "dropout must be applied to Y, the sublayer's output, before adding X (self.ln(self.dropout(Y) + X))": ref_addnorm(Xd, Yd, pd).float(),
                     "dropout must be applied to Y only, not to the sum or to X": torch.zeros_like(X),
                 })


def test_block(learner, rng):
    d, hidden, heads = 8, 16, 2
    X = rng.normal((2, 5, d))
    valid_lens = torch.tensor([3, 5])
    p = block_params(rng, d, hidden)
    got = learner.run(probe_block, X, valid_lens, p, hidden, heads)
    what = "TransformerEncoderBlock(8, 16, 2, 0)(X, valid_lens)"
    inputs = {"X": X, "valid_lens": valid_lens.tolist()}
    expect_shape(got, X.shape, what=what, inputs=inputs)
    expect_close(got, ref_block(X, valid_lens, p, heads).float(), what=what, inputs=inputs, atol=1e-4, mistakes={
        "valid_lens was not passed to the attention: self.attention(X, X, X, valid_lens)": ref_block(X, valid_lens, p, heads, mask=False).float(),
        "the block is pre-norm (X + sublayer(ln(X))); the book's block is post-norm: Y = ln(X + attention(X)); out = ln(Y + ffn(Y))":
            ref_block(X, valid_lens, p, heads, kind="prenorm").float(),
        "the feed-forward network must read Y, the output of the first AddNorm, not X": ref_block(X, valid_lens, p, heads, ffn_on_x=True).float(),
        "the second residual connection is missing: return self.addnorm2(Y, self.ffn(Y))": ref_block(X, valid_lens, p, heads, second_residual=False).float(),
    })


def test_block_more_heads_no_mask(learner, rng):
    d, hidden, heads = 12, 20, 4
    X = rng.normal((3, 4, d))
    p = block_params(rng, d, hidden)
    got = learner.run(probe_block, X, None, p, hidden, heads)
    expect_close(got, ref_block(X, None, p, heads).float(), what="TransformerEncoderBlock(12, 20, 4, 0)(X, None)",
                 inputs={"X": X}, atol=1e-4)


def test_block_gradient(learner, rng):
    d, hidden, heads = 8, 12, 2
    X = rng.normal((2, 4, d), dtype=torch.float64)
    valid_lens = torch.tensor([2, 4])
    p = {k: v.double() for k, v in block_params(rng, d, hidden).items()}
    G = rng.normal((2, 4, d), dtype=torch.float64)
    got = learner.run(probe_block_grad, X, valid_lens, p, hidden, heads, G)
    if got is None:
        fail("the block's output does not require grad: keep everything in torch operations")
    Xr = X.clone().requires_grad_(True)
    pr = {k: v.clone().requires_grad_(True) for k, v in p.items()}
    (ref_block(Xr, valid_lens, pr, heads) * G).sum().backward()
    for name, g, ref in zip(("X", "ffn.dense1.weight", "addnorm1.ln.weight"), got,
                            (Xr.grad, pr["ffn.dense1.weight"].grad, pr["addnorm1.ln.weight"].grad)):
        if g is None:
            fail(f"no gradient reached {name}")
        expect_close(g, ref, what=f"the gradient with respect to {name} (float64)", atol=1e-9, rtol=1e-7)
