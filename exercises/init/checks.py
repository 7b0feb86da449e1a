"""Hidden checks for the init exercise (statistical). Probes run in the learner's process; checks here decide.

Every bound below is at least 6 standard errors wide (or, for the uniform range, an event of
probability below 1e-6), so a correct implementation does not fail them.
"""

import math

import torch

from learndl_cli.grader.api import expect, fail, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_init(mod, which, W, gain, seed, as_parameter=False):
    torch.manual_seed(seed)
    if as_parameter:
        W = torch.nn.Parameter(W)
    fn = mod.xavier_uniform_ if which == "uniform" else mod.xavier_normal_
    out = fn(W) if gain is None else fn(W, gain)
    return {"same": out is W, "returned": type(out).__name__, "W": W.detach().clone()}


# ---------------------------------------------------------------------------- helpers (parent)


def fans(shape):
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def start(shape, dtype=torch.float32):
    return torch.full(shape, 7.0, dtype=dtype)  # a value no initialiser produces: shows untouched weights


def call_text(which, shape, gain):
    g = "" if gain is None else f", gain={gain:g}"
    return f"xavier_{which}_(W{g}) for W of shape {tuple(shape)}"


def check_in_place(got, which, shape, gain):
    what = call_text(which, shape, gain)
    W = got["W"]
    if not got["same"]:
        if got["returned"] == "NoneType":
            fail(f"{what} returned None: fill W in place and return W itself (as torch.nn.init does)")
        untouched = W.device.type != "meta" and bool((W == 7.0).all())
        if untouched:
            fail(f"{what} left W unchanged and returned a new {got['returned']}: the trailing underscore means "
                 "in place — fill W itself (W.uniform_ / W.normal_, or W.copy_) and return W")
        fail(f"{what} returned a different object: return W itself after filling it in place")
    expect(tuple(W.shape) == tuple(shape), f"{what} changed W's shape to {tuple(W.shape)}")
    if W.device.type != "meta":
        left = int((W == 7.0).sum())
        expect(left == 0, f"{what} left {left} of the {W.numel()} weights unchanged: fill all of W")
        expect(bool(torch.isfinite(W).all()), f"{what} produced nan or inf values")


def uniform_candidates(shape, gain, conv):
    fi, fo = fans(shape)
    g = 1.0 if gain is None else gain
    c = {
        "the xavier_uniform_ bound uses fan_in only: use a = gain * sqrt(6 / (fan_in + fan_out))": [g * math.sqrt(6 / fi), g * math.sqrt(3 / fi)],
        "the xavier_uniform_ bound uses fan_out only: use a = gain * sqrt(6 / (fan_in + fan_out))": [g * math.sqrt(6 / fo), g * math.sqrt(3 / fo)],
        "the bound is the normal std sqrt(2 / (fan_in + fan_out)): U(-a, a) has variance a^2 / 3, so a = sqrt(6 / (fan_in + fan_out))": [g * math.sqrt(2 / (fi + fo))],
        "forgot the square root: a = sqrt(6 / (fan_in + fan_out)), not 6 / (fan_in + fan_out)": [g * 6 / (fi + fo)],
        "the bound uses the mean of the fans wrongly: a = sqrt(6 / (fan_in + fan_out)), not sqrt(6 / ((fan_in + fan_out) / 2))": [g * math.sqrt(12 / (fi + fo))],
    }
    if gain not in (None, 1.0):
        c["ignores gain: multiply the bound by gain"] = [math.sqrt(6 / (fi + fo))]
        c["applied gain twice (or squared it): a = gain * sqrt(6 / (fan_in + fan_out))"] = [g * g * math.sqrt(6 / (fi + fo))]
    if conv:
        c["ignores the receptive field: for a conv weight (out, in, kh, kw), fan_in = in * kh * kw and fan_out = out * kh * kw"] = [
            g * math.sqrt(6 / (shape[0] + shape[1]))]
    return c


def normal_candidates(shape, gain, conv):
    fi, fo = fans(shape)
    g = 1.0 if gain is None else gain
    c = {
        "the xavier_normal_ std uses fan_in only: use std = gain * sqrt(2 / (fan_in + fan_out))": [g * math.sqrt(1 / fi), g * math.sqrt(2 / fi)],
        "the xavier_normal_ std uses fan_out only: use std = gain * sqrt(2 / (fan_in + fan_out))": [g * math.sqrt(1 / fo), g * math.sqrt(2 / fo)],
        "used the uniform bound sqrt(6 / (fan_in + fan_out)) as the std: the normal's std is sqrt(2 / (fan_in + fan_out))": [g * math.sqrt(6 / (fi + fo))],
        "used the variance 2 / (fan_in + fan_out) as the std: take its square root": [g * 2 / (fi + fo)],
    }
    if gain not in (None, 1.0):
        c["ignores gain: multiply the std by gain"] = [math.sqrt(2 / (fi + fo))]
        c["applied gain twice (or squared it): std = gain * sqrt(2 / (fan_in + fan_out))"] = [g * g * math.sqrt(2 / (fi + fo))]
    if conv:
        c["ignores the receptive field: for a conv weight (out, in, kh, kw), fan_in = in * kh * kw and fan_out = out * kh * kw"] = [
            g * math.sqrt(2 / (shape[0] + shape[1]))]
    return c


def name_scale(estimate, candidates, tolerance):
    for message, values in candidates.items():
        if any(abs(estimate / v - 1) <= tolerance for v in values):
            return message
    return None


def judge_uniform(got, shape, gain, conv=False):
    check_in_place(got, "uniform", shape, gain)
    what = call_text("uniform", shape, gain)
    W = got["W"].double().flatten()
    n = W.numel()
    fi, fo = fans(shape)
    a = (1.0 if gain is None else gain) * math.sqrt(6 / (fi + fo))
    top = W.abs().max().item()
    if not (a * (1 - 2e-3) <= top <= a * (1 + 1e-5)):
        named = name_scale(top, uniform_candidates(shape, gain, conv), 0.01)
        if named:
            fail(f"{what}: {named} (expected the largest |w| just under {a:.5g}, got {top:.5g})")
        if top > a * (1 + 1e-5):
            fail(f"{what}: a weight of size {top:.5g} lies outside [-a, a] with a = {a:.5g} "
                 "(not uniform on [-a, a]: draw with W.uniform_(-a, a))")
        fail(f"{what}: the weights only reach {top:.5g}, expected them to fill [-a, a] with a = {a:.5g}")
    mean = W.mean().item()
    bound = 6 * a / math.sqrt(3) / math.sqrt(n)
    expect(abs(mean) <= bound, f"{what}: the mean of the weights is {mean:.3g}, expected 0 (within {bound:.2g}): "
           "the distribution must be symmetric around 0, U(-a, a)")
    inner = (W.abs() < a / 2).double().mean().item()
    margin = 6 * math.sqrt(0.25 / n)
    expect(abs(inner - 0.5) <= margin, f"{what}: {inner:.3f} of the weights lie in [-a/2, a/2], expected 0.5 for a "
           f"uniform distribution (within {margin:.3f}): draw uniformly, e.g. W.uniform_(-a, a)")
    var = (W * W).mean().item()
    var_bound = 6 * math.sqrt(4 / 45) * a * a / math.sqrt(n)
    expect(abs(var - a * a / 3) <= var_bound, f"{what}: the variance of the weights is {var:.4g}, expected a^2 / 3 = "
           f"{a * a / 3:.4g} (within {var_bound:.2g})")


def judge_normal(got, shape, gain, conv=False):
    check_in_place(got, "normal", shape, gain)
    what = call_text("normal", shape, gain)
    W = got["W"].double().flatten()
    n = W.numel()
    fi, fo = fans(shape)
    std = (1.0 if gain is None else gain) * math.sqrt(2 / (fi + fo))
    var = (W * W).mean().item()
    var_margin = 6 * math.sqrt(2 / n)
    if abs(var / (std * std) - 1) > var_margin:
        named = name_scale(math.sqrt(var), normal_candidates(shape, gain, conv), 0.03)
        if named:
            fail(f"{what}: {named} (expected a standard deviation of {std:.5g}, got {math.sqrt(var):.5g})")
        fail(f"{what}: the standard deviation of the weights is {math.sqrt(var):.5g}, expected "
             f"gain * sqrt(2 / (fan_in + fan_out)) = {std:.5g}")
    mean = W.mean().item()
    bound = 6 * std / math.sqrt(n)
    expect(abs(mean) <= bound, f"{what}: the mean of the weights is {mean:.3g}, expected 0 (within {bound:.2g})")
    inner = (W.abs() < std).double().mean().item()
    p = math.erf(1 / math.sqrt(2))  # 0.6827 for a normal distribution
    margin = 6 * math.sqrt(p * (1 - p) / n)
    if abs(inner - p) > margin:
        looks_uniform = abs(inner - 1 / math.sqrt(3)) <= margin
        fail(f"{what}: {inner:.3f} of the weights lie within one standard deviation of 0, expected {p:.3f} for a normal "
             f"distribution{' (this looks uniform)' if looks_uniform else ''}: draw from N(0, std^2), e.g. W.normal_(0, std)")


# ---------------------------------------------------------------------------- checks, in order


def test_uniform_in_place(learner, rng):
    shape = (30, 50)
    got = learner.run(probe_init, "uniform", start(shape), None, rng.torch_seed())
    check_in_place(got, "uniform", shape, None)


@skip_on_meta
def test_uniform_linear_weight(learner, rng):
    shape = (300, 500)
    judge_uniform(learner.run(probe_init, "uniform", start(shape), None, rng.torch_seed()), shape, None)


@skip_on_meta
def test_uniform_gain(learner, rng):
    shape = (200, 700)
    judge_uniform(learner.run(probe_init, "uniform", start(shape), 2.5, rng.torch_seed()), shape, 2.5)


@skip_on_meta
def test_uniform_conv_weight(learner, rng):
    shape = (64, 48, 5, 5)
    judge_uniform(learner.run(probe_init, "uniform", start(shape), None, rng.torch_seed()), shape, None, conv=True)


def test_normal_in_place(learner, rng):
    shape = (30, 50)
    got = learner.run(probe_init, "normal", start(shape), None, rng.torch_seed())
    check_in_place(got, "normal", shape, None)


@skip_on_meta
def test_normal_linear_weight(learner, rng):
    shape = (300, 500)
    judge_normal(learner.run(probe_init, "normal", start(shape), None, rng.torch_seed()), shape, None)


@skip_on_meta
def test_normal_gain_float64(learner, rng):
    shape = (400, 250)
    judge_normal(learner.run(probe_init, "normal", start(shape, torch.float64), 0.5, rng.torch_seed()), shape, 0.5)


@skip_on_meta
def test_normal_conv_weight(learner, rng):
    shape = (64, 48, 5, 5)
    judge_normal(learner.run(probe_init, "normal", start(shape), None, rng.torch_seed()), shape, None, conv=True)


def test_parameters(learner, rng):
    shape = (120, 80)
    for which in ("uniform", "normal"):
        got = learner.run(probe_init, which, start(shape), None, rng.torch_seed(), True)
        check_in_place(got, which, shape, None)
