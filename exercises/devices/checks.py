"""Hidden checks for the devices exercise. Probes run in the learner's process; checks here decide.

try_gpu / try_all_gpus: the probe simulates machines with 0, 1, 2 and 4 GPUs by replacing
torch.cuda.device_count and torch.cuda.is_available (and the learner's own imported names for them)
in the child for the duration of the call (creating torch.device('cuda:3')
needs no GPU), then asks the real machine too. The tensor functions are compared with float64
references; the grader's meta pass (and --device cuda where there is a GPU) proves that they create
their tensors on the input's device.
"""

import torch

from learndl_cli.grader.api import expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def _describe(d):
    if isinstance(d, torch.device):
        return str(d)
    return f"<{type(d).__name__} {d!r}>"


def probe_gpus(mod, counts):
    real, real_available = torch.cuda.device_count, torch.cuda.is_available
    # a learner may also ask is_available() first, or `from torch.cuda import device_count`
    own = {name: fn for name, fn in ((k, getattr(mod, k, None)) for k in ("device_count", "is_available"))
           if fn is real or fn is real_available}
    out = []
    try:
        for n in counts:
            torch.cuda.device_count = lambda n=n: n
            torch.cuda.is_available = lambda n=n: n > 0
            for name in own:
                setattr(mod, name, torch.cuda.device_count if name == "device_count" else torch.cuda.is_available)
            all_gpus = mod.try_all_gpus()
            out.append({
                "try_gpu()": _describe(mod.try_gpu()),
                "try_gpu(1)": _describe(mod.try_gpu(1)),
                "try_gpu(3)": _describe(mod.try_gpu(3)),
                "try_gpu(4)": _describe(mod.try_gpu(4)),
                "try_all_gpus()": [_describe(d) for d in all_gpus] if isinstance(all_gpus, (list, tuple)) else _describe(all_gpus),
            })
    finally:
        torch.cuda.device_count, torch.cuda.is_available = real, real_available
        for name, fn in own.items():
            setattr(mod, name, fn)
    return out


def probe_real(mod):
    return _describe(mod.try_gpu()), torch.cuda.device_count()


def probe_bias(mod, X):
    before = X.clone()
    out = mod.add_bias_column(X)
    return out, before, X


def probe_causal(mod, S):
    before = S.clone()
    out = mod.causal_mask(S)
    return out, before, S


# ---------------------------------------------------------------------------- references (parent)


def expected_gpus(n):
    def gpu(i):
        return f"cuda:{i}" if n >= i + 1 else "cpu"
    return {"try_gpu()": gpu(0), "try_gpu(1)": gpu(1), "try_gpu(3)": gpu(3), "try_gpu(4)": gpu(4),
            "try_all_gpus()": [f"cuda:{i}" for i in range(n)] or ["cpu"]}


def ref_causal(S, offset=1):
    T = S.shape[-1]
    future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=offset)
    return S.masked_fill(future, -1e6)


# ---------------------------------------------------------------------------- checks, in order


def test_try_gpu(learner):
    counts = [0, 1, 2, 4]
    got = learner.run(probe_gpus, counts)
    for n, mine in zip(counts, got):
        exp = expected_gpus(n)
        for call, value in mine.items():
            if value == exp[call]:
                continue
            machine = f"on a machine with {n} GPU{'s' if n != 1 else ''} (torch.cuda.device_count() == {n})"
            flat = value if isinstance(value, str) else " ".join(value)
            if "<str" in flat:
                fail(f"{call} {machine} returned a string; return torch.device objects (torch.device('cuda:0'), torch.device('cpu'))")
            if call.startswith("try_gpu(") and value == "cuda" or value == ["cuda"]:
                fail(f"{call} {machine} returned {value!r}: name the GPU's index, torch.device(f'cuda:{{i}}')")
            if call == "try_gpu(4)" and n == 4 and value != "cpu" or call == "try_gpu()" and n == 1 and value == "cpu":
                fail(f"{call} {machine} returned {value!r}, expected {exp[call]!r}: off by one, GPU i exists when device_count() >= i + 1 (indices start at 0)")
            if call.startswith("try_gpu(") and value == "cuda:0" and exp[call].startswith("cuda:"):
                fail(f"{call} {machine} returned 'cuda:0': try_gpu(i) must return GPU i, torch.device(f'cuda:{{i}}')")
            if call == "try_all_gpus()" and n == 0 and value == []:
                fail(f"{call} {machine} returned []: with no GPU it returns [torch.device('cpu')] so that code can still run")
            fail(f"{call} {machine} returned {value!r}, expected {exp[call]!r}")


def test_this_machine(learner):
    got, count = learner.run(probe_real)
    expected = "cuda:0" if count >= 1 else "cpu"
    expect(got == expected, f"try_gpu() on this machine ({count} GPUs) returned {got!r}, expected {expected!r}")


def test_add_bias_column(learner, rng):
    for dtype in (torch.float32, torch.float64):
        X = rng.normal((5, 3), dtype=dtype)
        out, before, after = learner.run(probe_bias, X)
        ones = torch.ones(5, 1, dtype=dtype)
        expect_close(out, torch.cat([X, ones], 1), what=f"add_bias_column(X) for a {str(dtype)[6:]} X", inputs={"X": X},
                     atol=0, rtol=0, mistakes={"the column of ones goes last (torch.cat([X, ones], dim=1))": torch.cat([ones, X], 1)})
        expect_close(after, before, what="X after add_bias_column(X) (it must not change)", inputs={"X": X}, atol=0, rtol=0)


def test_causal_mask(learner, rng):
    for dtype, shape in ((torch.float32, (2, 4, 4)), (torch.float64, (3, 2, 5, 5)), (torch.float32, (1, 1))):
        S = rng.normal(shape, dtype=dtype)
        out, before, after = learner.run(probe_causal, S)
        expect_close(out, ref_causal(S), what=f"causal_mask(scores) for {str(dtype)[6:]} scores", inputs={"scores": S},
                     atol=0, rtol=0, mistakes={
                         "the diagonal must stay: only j > i (the future) is masked (triu with diagonal=1)": ref_causal(S, 0),
                         "the wrong triangle was masked: mask the future positions j > i, above the diagonal": ref_causal(S.transpose(-1, -2)).transpose(-1, -2),
                     })
        expect_close(after, before, what="scores after causal_mask(scores) (it must not be modified in place: masked_fill, not masked_fill_)",
                     inputs={"scores": S}, atol=0, rtol=0)
