"""Hidden checks for the attention-pooling exercise. Probes run in the learner's process; checks here decide."""

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import CheckFailed, expect, expect_close, expect_shape, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_nw(mod, x_train, y_train, x_query, sigma):
    out = mod.nadaraya_watson(x_train, y_train, x_query, sigma)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise CheckFailed("nadaraya_watson must return a pair (y_hat, attention_weights)")
    return tuple(out)


def probe_nw_default(mod, x_train, y_train, x_query):
    return tuple(mod.nadaraya_watson(x_train, y_train, x_query))


def _net(mod, w):
    net = mod.NWKernelRegression()
    param = getattr(net, "w", None)
    if not isinstance(param, torch.nn.Parameter):
        raise CheckFailed("NWKernelRegression must have self.w = nn.Parameter(...) of shape (1,)")
    if tuple(param.shape) != (1,):
        raise CheckFailed(f"self.w has shape {tuple(param.shape)}; it must be (1,)")
    if not any(p is param for p in net.parameters()):
        raise CheckFailed("self.w is not among net.parameters(): assign an nn.Parameter so an optimiser can train it")
    net.to(device=w.device, dtype=w.dtype)
    with torch.no_grad():
        net.w.copy_(w)
    return net


def probe_param(mod, queries, keys, values, w):
    net = _net(mod, w)
    out = net(queries, keys, values)
    return out, getattr(net, "attention_weights", None)


def probe_param_grad(mod, queries, keys, values, w, G):
    net = _net(mod, w)
    out = net(queries, keys, values)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    (out * G).sum().backward()
    return net.w.grad


# ---------------------------------------------------------------------------- references (parent)


def ref_nw(x_train, y_train, x_query, sigma=1.0, *, half=True, dim=1, normalise=True):
    diff = x_query.double().reshape(-1, 1) - x_train.double().reshape(1, -1)
    scores = -diff ** 2 / ((2 if half else 1) * sigma ** 2)
    if normalise:
        A = F.softmax(scores, dim=dim)
    else:
        A = torch.exp(scores)
    return (A @ y_train.double()).to(x_train.dtype), A.to(x_train.dtype)


def ref_param(queries, keys, values, w, *, use_w=True, half=True):
    ww = w.double() if use_w else torch.ones(1, dtype=torch.float64)
    scores = -((queries.double().reshape(-1, 1) - keys.double()) * ww) ** 2 / (2 if half else 1)
    A = F.softmax(scores, dim=1)
    return (A * values.double()).sum(1).to(queries.dtype), A.to(queries.dtype)


def naive_nw(x_train, y_train, x_query, sigma):
    """exp / sum in the inputs' dtype: every weight underflows to 0 for a far query (0 / 0 = nan)."""
    diff = x_query.reshape(-1, 1) - x_train.reshape(1, -1)
    K = torch.exp(-diff ** 2 / (2 * sigma ** 2))
    A = K / K.sum(dim=1, keepdim=True)
    return A @ y_train, A


def nw_mistakes(x_train, y_train, x_query, sigma, index):
    return {
        "the kernel weights underflow to 0 for a query far from every training point (0/0 = nan): normalise with a stable softmax of the scores (F.softmax is allowed)":
            naive_nw(x_train, y_train, x_query, sigma)[index],
        "the Gaussian kernel is exp(-(x - x_i)^2 / (2 sigma^2)): the factor 1/2 (or sigma) is missing":
            ref_nw(x_train, y_train, x_query, sigma, half=False)[index],
        "the weights were normalised over the queries; normalise over the training points (softmax along dim=1)":
            ref_nw(x_train, y_train, x_query, sigma, dim=0)[index],
        "the kernel weights are not normalised: each row of attention weights must sum to 1 (a softmax over the training points)":
            ref_nw(x_train, y_train, x_query, sigma, normalise=False)[index],
        "sigma is ignored: divide the squared distance by 2 * sigma ** 2":
            ref_nw(x_train, y_train, x_query, 1.0)[index],
    }


def sample(rng, n_train, n_query):
    x_train, _ = torch.sort(rng.uniform((n_train,), 0.0, 5.0))
    y_train = 2 * torch.sin(x_train) + x_train ** 0.8 + 0.5 * rng.normal((n_train,))
    x_query = rng.uniform((n_query,), 0.0, 5.0)
    return x_train, y_train, x_query


def compare_nw(learner, x_train, y_train, x_query, sigma, what, default=False):
    if default:
        y_hat, A = learner.run(probe_nw_default, x_train, y_train, x_query)
    else:
        y_hat, A = learner.run(probe_nw, x_train, y_train, x_query, sigma)
    exp_y, exp_A = ref_nw(x_train, y_train, x_query, sigma)
    inputs = {"x_train": x_train, "x_query": x_query, "sigma": sigma}
    expect_close(A, exp_A, what=f"{what}: the attention weights", inputs=inputs,
                 mistakes=nw_mistakes(x_train, y_train, x_query, sigma, 1))
    expect_close(y_hat, exp_y, what=f"{what}: y_hat", inputs=inputs, atol=1e-5)


# ---------------------------------------------------------------------------- checks, in order


def test_nadaraya_watson(learner, rng):
    x_train, y_train, x_query = sample(rng, 20, 7)
    compare_nw(learner, x_train, y_train, x_query, 1.0, "nadaraya_watson(x_train, y_train, x_query)", default=True)


def test_sigma(learner, rng):
    x_train, y_train, x_query = sample(rng, 15, 6)
    compare_nw(learner, x_train, y_train, x_query, 0.4, "nadaraya_watson(..., sigma=0.4)")


def test_far_queries(learner, rng):
    # float64: in float32 a score near -45000 is only known to about 0.003, which alone moves the weights
    x_train, y_train, _ = (t.double() for t in sample(rng, 12, 1))
    x_query = torch.tensor([-40.0, 2.5, 60.0], dtype=torch.float64)
    compare_nw(learner, x_train, y_train, x_query, 0.2, "nadaraya_watson for queries far from every training point (sigma=0.2)")


def test_float64(learner, rng):
    x_train, y_train, x_query = (t.double() for t in sample(rng, 10, 4))
    y_hat, A = learner.run(probe_nw, x_train, y_train, x_query, 0.7)
    exp_y, exp_A = ref_nw(x_train, y_train, x_query, 0.7)
    expect_close(y_hat, exp_y, what="nadaraya_watson in float64: y_hat", inputs={"x_train": x_train}, atol=1e-12, rtol=1e-10)


def test_parametric(learner, rng):
    n, m = 6, 9
    keys = rng.uniform((n, m), 0.0, 5.0)
    values = rng.normal((n, m))
    queries = rng.uniform((n,), 0.0, 5.0)
    w = torch.tensor([rng.uniform((), 1.5, 4.0).item()])
    out, A = learner.run(probe_param, queries, keys, values, w)
    exp_out, exp_A = ref_param(queries, keys, values, w)
    inputs = {"queries": queries, "keys": keys, "w": round(w.item(), 4)}
    if A is None:
        fail("NWKernelRegression.forward must set self.attention_weights (n, m)")
    expect_close(A, exp_A, what="NWKernelRegression: self.attention_weights", inputs=inputs, mistakes={
        "self.w is not used: the score is -((query - key) * w)^2 / 2": ref_param(queries, keys, values, w, use_w=False)[1],
        "the score is -((query - key) * w)^2 / 2: the factor 1/2 is missing": ref_param(queries, keys, values, w, half=False)[1],
    })
    expect_close(out, exp_out, what="NWKernelRegression(queries, keys, values)", inputs=inputs)


def test_parametric_gradient(learner, rng):
    n, m = 5, 7
    keys = rng.uniform((n, m), 0.0, 5.0, dtype=torch.float64)
    values = rng.normal((n, m), dtype=torch.float64)
    queries = rng.uniform((n,), 0.0, 5.0, dtype=torch.float64)
    w = torch.tensor([1.3], dtype=torch.float64)
    G = rng.normal((n,), dtype=torch.float64)
    got = learner.run(probe_param_grad, queries, keys, values, w, G)
    if got is None:
        fail("NWKernelRegression's output does not depend on self.w through autograd (no .detach(), .item(), torch.tensor(...))")
    wr = w.clone().requires_grad_(True)
    (ref_param(queries, keys, values, wr)[0] * G).sum().backward()
    expect_close(got, wr.grad, what="the gradient of sum(output * G) with respect to w (float64)", atol=1e-10, rtol=1e-8)
