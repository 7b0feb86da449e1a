"""Hidden checks for the decomposable-attention exercise (Attend). The probe sets the weights of the
two linear layers of self.f; references in float64 here, in the parent. Named mistakes: a softmax over
the wrong axis for beta or for alpha, scores without f, scores divided by sqrt(d)."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from learndl_cli.grader.api import CheckFailed, expect_close, fail, fmt_shape


# ---------------------------------------------------------------------------- probes (child side)


def probe_attend(mod, A, B, W1, b1, W2, b2, train, seed):
    torch.manual_seed(seed)
    net = mod.Attend(W1.shape[1], W1.shape[0])
    net.to(A.device)
    net.train(train)
    linears = [m for m in net.f.modules() if isinstance(m, nn.Linear)] if isinstance(getattr(net, "f", None), nn.Module) else []
    if len(linears) != 2:
        raise CheckFailed("Attend.f must be the given mlp(num_inputs, num_hiddens, flatten=False) (two linear layers)")
    with torch.no_grad():
        for layer, W, b in zip(linears, (W1, W2), (b1, b2)):
            if tuple(layer.weight.shape) != tuple(W.shape):
                raise CheckFailed(f"a linear layer of Attend.f has weight shape {tuple(layer.weight.shape)}, expected {tuple(W.shape)}")
            layer.weight.copy_(W)
            layer.bias.copy_(b)
    out = net(A, B)
    return list(out) if isinstance(out, (tuple, list)) else out


# ---------------------------------------------------------------------------- references (parent)


def ref(A, B, W1, b1, W2, b2, *, beta_dim=-1, alpha="right", use_f=True, scale=False):
    A, B = A.double(), B.double()

    def f(X):
        return torch.relu(torch.relu(X @ W1.double().T + b1.double()) @ W2.double().T + b2.double())

    fA, fB = (f(A), f(B)) if use_f else (A, B)
    e = fA @ fB.transpose(1, 2)
    if scale:
        e = e / math.sqrt(fA.shape[-1])
    beta = torch.softmax(e, dim=beta_dim) @ B
    if alpha == "right":
        alpha_w = torch.softmax(e.transpose(1, 2), dim=-1)
    else:  # softmax over B's tokens, then transposed: the weights do not sum to 1 over A's tokens
        alpha_w = torch.softmax(e, dim=-1).transpose(1, 2)
    return (beta.float(), (alpha_w @ A).float())


def inputs(rng, batch=2, m=4, n=6, embed=5, hidden=7):
    return (rng.normal((batch, m, embed)), rng.normal((batch, n, embed)), rng.normal((hidden, embed), scale=0.5),
            rng.normal((hidden,), scale=0.2), rng.normal((hidden, hidden), scale=0.5), rng.normal((hidden,), scale=0.2))


NO_F = "the scores must compare f(A) with f(B): e = torch.bmm(self.f(A), self.f(B).permute(0, 2, 1)), not the raw embeddings"
SCALED = "decomposable attention does not divide the scores by sqrt(d) (that is scaled dot-product attention)"


def _check(learner, rng, what, **sizes):
    A, B, W1, b1, W2, b2 = inputs(rng, **sizes)
    got = learner.run(probe_attend, A, B, W1, b1, W2, b2, False, rng.torch_seed())
    if not isinstance(got, list) or len(got) != 2:
        fail(f"{what} must return a pair (beta, alpha)")
    beta, alpha = got
    right = ref(A, B, W1, b1, W2, b2)
    m, n = A.shape[1], B.shape[1]
    if m != n and isinstance(beta, torch.Tensor) and isinstance(alpha, torch.Tensor) \
            and tuple(beta.shape) == tuple(right[1].shape) and tuple(alpha.shape) == tuple(right[0].shape):
        fail(f"{what}: beta has shape {fmt_shape(beta)} and alpha {fmt_shape(alpha)}: return (beta, alpha), beta with "
             f"one row per token of A ({m}), alpha one per token of B ({n})")
    where = {"A": A, "B": B}
    expect_close(beta, right[0], what=f"{what}: beta", inputs=where, mistakes={
        "beta's weights must be a softmax over B's tokens, the last axis of e (each token of A averages B)":
            ref(A, B, W1, b1, W2, b2, beta_dim=1)[0],
        NO_F: ref(A, B, W1, b1, W2, b2, use_f=False)[0],
        SCALED: ref(A, B, W1, b1, W2, b2, scale=True)[0],
    })
    expect_close(alpha, right[1], what=f"{what}: alpha", inputs=where, mistakes={
        "alpha's weights must be a softmax over A's tokens: transpose e to (batch, n, m) first, then softmax over its "
        "last axis (softmax(e, dim=-1).transpose(1, 2) normalises over B's tokens)":
            ref(A, B, W1, b1, W2, b2, alpha="transposed_after")[1],
        NO_F: ref(A, B, W1, b1, W2, b2, use_f=False)[1],
        SCALED: ref(A, B, W1, b1, W2, b2, scale=True)[1],
    })


# ---------------------------------------------------------------------------- checks, in order


def test_attend(learner, rng):
    _check(learner, rng, "Attend(5, 7)(A with 4 tokens, B with 6 tokens)")


def test_longer_premise(learner, rng):
    _check(learner, rng, "Attend(3, 4)(A with 7 tokens, B with 2 tokens)", batch=3, m=7, n=2, embed=3, hidden=4)


def test_equal_lengths(learner, rng):
    A, B, W1, b1, W2, b2 = inputs(rng, batch=1, m=3, n=3, embed=4, hidden=4)
    got = learner.run(probe_attend, A, B, W1, b1, W2, b2, False, rng.torch_seed())
    if not isinstance(got, list) or len(got) != 2:
        fail("Attend(...)(A, B) must return a pair (beta, alpha)")
    expect_close(got[0], ref(A, B, W1, b1, W2, b2)[0], what="Attend(4, 4)(A, B): beta for equal lengths",
                 inputs={"A": A, "B": B}, mistakes={
        NO_F: ref(A, B, W1, b1, W2, b2, use_f=False)[0],
        SCALED: ref(A, B, W1, b1, W2, b2, scale=True)[0],
    })
