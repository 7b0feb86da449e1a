"""Hidden checks for the positional-encoding exercise. Probes run in the learner's process; checks here decide."""

import math

import torch

from learndl_cli.grader.api import expect, expect_close, expect_shape, fail, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_P(mod, like, num_hiddens, max_len):
    net = mod.PositionalEncoding(num_hiddens, 0.0, max_len)
    P = net.P
    if not isinstance(P, torch.Tensor):
        return f"self.P is a {type(P).__name__}, expected a tensor"
    return P.detach().to(like.device)


def probe_P_default_len(mod, like, num_hiddens):
    net = mod.PositionalEncoding(num_hiddens, 0.0)
    return net.P.detach().to(like.device)


def probe_forward(mod, X, max_len):
    net = mod.PositionalEncoding(X.shape[-1], 0.0, max_len)
    net.to(X.device)          # as a training loop would; a plain-attribute P stays where it was made
    net.eval()
    return net(X)


def probe_train(mod, X, dropout, max_len, seed):
    torch.manual_seed(seed)
    net = mod.PositionalEncoding(X.shape[-1], dropout, max_len)
    net.to(X.device)
    net.train()
    return net(X)


def probe_keeps_input(mod, X, max_len):
    before = X.clone()
    net = mod.PositionalEncoding(X.shape[-1], 0.0, max_len)
    net.to(X.device)
    net.eval()
    net(X)
    return before, X


# ---------------------------------------------------------------------------- references (parent)


def ref_P(num_hiddens, max_len, *, swap=False, half_exponent=False, no_divide=False, concat=False,
          odd_own_exponent=False):
    pos = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    two_j = torch.arange(0, num_hiddens, 2, dtype=torch.float64)
    if half_exponent:
        two_j = two_j / 2
    expo = two_j if no_divide else two_j / num_hiddens
    angles = pos / torch.pow(torch.tensor(10000.0, dtype=torch.float64), expo)
    even, odd = torch.sin(angles), torch.cos(angles)
    if odd_own_exponent:
        odd = torch.cos(pos / torch.pow(torch.tensor(10000.0, dtype=torch.float64), (two_j + 1) / num_hiddens))
    if swap:
        even, odd = odd, even
    P = torch.zeros(1, max_len, num_hiddens, dtype=torch.float64)
    if concat:
        P[0, :, : num_hiddens // 2] = even
        P[0, :, num_hiddens // 2:] = odd
    else:
        P[0, :, 0::2] = even
        P[0, :, 1::2] = odd
    return P.float()


def P_mistakes(d, max_len):
    return {
        "sin and cos are swapped: the even columns (0, 2, 4, ...) hold sin and the odd columns hold cos":
            ref_P(d, max_len, swap=True),
        "wrong exponent: the frequency of columns 2j and 2j+1 is 1 / 10000^(2j/d) (torch.arange(0, d, 2) / d), not 10000^(j/d)":
            ref_P(d, max_len, half_exponent=True),
        "wrong exponent: divide 2j by num_hiddens: 10000 ** (2j / d), not 10000 ** (2j)":
            ref_P(d, max_len, no_divide=True),
        "sin and cos must be interleaved (P[:, :, 0::2] = sin, P[:, :, 1::2] = cos), not put in two halves":
            ref_P(d, max_len, concat=True),
        "the cos column 2j+1 must use the same frequency as its sin column 2j: 1 / 10000^(2j/d), not (2j+1)/d":
            ref_P(d, max_len, odd_own_exponent=True),
    }


def get_P(learner, d, max_len):
    like = torch.zeros(1)
    got = learner.run(probe_P, like, d, max_len)
    if isinstance(got, str):
        fail(got)
    return got


# ---------------------------------------------------------------------------- checks, in order


def test_P_table(learner):
    d, max_len = 8, 60
    got = get_P(learner, d, max_len)
    expect_shape(got, (1, max_len, d), what=f"PositionalEncoding({d}, 0, max_len={max_len}).P",
                 inputs={"num_hiddens": d, "max_len": max_len})
    expect_close(got, ref_P(d, max_len), what=f"PositionalEncoding({d}, 0, max_len={max_len}).P",
                 inputs={"num_hiddens": d, "max_len": max_len}, atol=1e-5, mistakes=P_mistakes(d, max_len))


def test_P_default_max_len(learner, rng):
    d = 2 * rng.int(3, 17)
    got = learner.run(probe_P_default_len, torch.zeros(1), d)
    expect_close(got, ref_P(d, 1000), what=f"PositionalEncoding({d}, 0).P (default max_len=1000)",
                 inputs={"num_hiddens": d}, atol=5e-4, mistakes=P_mistakes(d, 1000))


def test_forward_adds_P(learner, rng):
    d, T, max_len = 16, 9, 50
    X = rng.normal((3, T, d))
    got = learner.run(probe_forward, X, max_len)
    P = ref_P(d, max_len)
    expect_close(got, X + P[:, :T], what="PositionalEncoding(...).eval()(X)", inputs={"X": X, "max_len": max_len},
                 mistakes={
                     "X was not added: forward returns dropout(X + P[:, :num_steps, :])": P[:, :T].expand(3, T, d).contiguous(),
                     "P was not added: forward returns dropout(X + P[:, :num_steps, :])": X,
                     "used the last num_steps rows of P; positions start at 0: P[:, :num_steps, :]": X + P[:, -T:],
                 })


def test_forward_float64(learner, rng):
    d, T = 6, 12
    X = rng.normal((2, T, d), dtype=torch.float64)
    got = learner.run(probe_forward, X, 20)
    expect_close(got, X + ref_P(d, 20)[:, :T].double(), what="PositionalEncoding(...).eval()(X) for a float64 X",
                 inputs={"X": X}, atol=1e-6)


def test_input_unchanged(learner, rng):
    X = rng.normal((2, 5, 4))
    before, after = learner.run(probe_keeps_input, X, 10)
    expect_close(after, before, what="X after calling the encoding (it must not be modified in place: use X + P, not X += P)",
                 inputs={"X": X}, atol=0, rtol=0)


@skip_on_meta
def test_dropout_in_training(learner, rng):
    p = 0.5
    d, T, batch = 32, 50, 64
    X = rng.normal((batch, T, d)) + 3.0
    got = learner.run(probe_train, X, p, 60, rng.torch_seed())
    expect_shape(got, X.shape, what="PositionalEncoding(..., dropout=0.5).train()(X)", inputs={"X": X})
    full = X + ref_P(d, 60)[:, :T]
    zero = got == 0
    n = got.numel()
    frac = zero.double().mean().item()
    sd = math.sqrt(p * (1 - p) / n)
    if abs(frac - p) > 6 * sd:
        fail(f"in training mode with dropout={p}, {frac:.3f} of the outputs are 0 (expected about {p}): "
             "apply self.dropout to X + P (nn.Dropout only drops in training mode)")
    kept = ~zero
    # (dropout applied before adding P leaves almost no zeros: the fraction check above names it)
    expect_close(got[kept], full[kept] / (1 - p),
                 what=f"the outputs that dropout kept (they must equal (X + P) / (1 - {p}))", inputs={"X": X})
