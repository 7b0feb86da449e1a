"""Hidden checks for the bilinear-kernel exercise. The reference is the tent formula in float64 with
plain Python arithmetic, here in the parent. Named mistakes: the filter on every channel pair, the
center of an even kernel, the factor k // 2."""

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import expect_close


# ---------------------------------------------------------------------------- probes (child side)


def probe_kernel(mod, like, in_channels, out_channels, kernel_size):
    # the function takes no tensor, so it makes its weight on the CPU (as the book's does); like a layer
    # that copies it in, move it to the device being graded (`like` carries that device)
    W = mod.bilinear_kernel(in_channels, out_channels, kernel_size)
    return W.to(like.device) if isinstance(W, torch.Tensor) else W


# ---------------------------------------------------------------------------- references (parent)


def ref(c_in, c_out, k, *, center="book", factor="book", every_pair=False):
    f = (k + 1) // 2 if factor == "book" else k // 2
    if center == "book":
        mid = f - 1 if k % 2 == 1 else f - 0.5
    else:  # always factor - 1, as for an odd kernel
        mid = f - 1
    tent = torch.tensor([1 - abs(t - mid) / f for t in range(k)], dtype=torch.float64)
    filt = tent[:, None] * tent[None, :]
    W = torch.zeros((c_in, c_out, k, k), dtype=torch.float64)
    for i in range(c_in):
        for o in range(c_out):
            if every_pair or i == o:
                W[i, o] = filt
    return W.float()


def mistakes(c_in, c_out, k):
    return {
        "every channel pair got the filter: only weight[c, c] holds it (channel c is upsampled into channel c), "
        "the rest stays 0": ref(c_in, c_out, k, every_pair=True),
        "the center of an even kernel lies between two pixels: factor - 0.5, not factor - 1":
            ref(c_in, c_out, k, center="odd"),
        "factor is (kernel_size + 1) // 2, not kernel_size // 2": ref(c_in, c_out, k, factor="floor"),
    }


def check(learner, c_in, c_out, k):
    got = learner.run(probe_kernel, torch.zeros(1), c_in, c_out, k)
    expect_close(got, ref(c_in, c_out, k), what=f"bilinear_kernel({c_in}, {c_out}, {k})", check_dtype=False,
                 mistakes=mistakes(c_in, c_out, k))


# ---------------------------------------------------------------------------- checks, in order


def test_one_channel_even(learner):
    check(learner, 1, 1, 4)


def test_one_channel_odd(learner):
    check(learner, 1, 1, 5)


def test_channels_are_separate(learner):
    check(learner, 3, 3, 4)


def test_larger_kernels(learner):
    check(learner, 2, 2, 16)
    check(learner, 2, 2, 7)


def test_upsamples_like_bilinear_interpolation(learner):
    # with kernel 2s, stride s, padding s/2 the transposed convolution of a constant image is constant inside
    W = learner.run(probe_kernel, torch.zeros(1), 2, 2, 4)
    X = torch.ones((1, 2, 5, 5))
    expect_close(W, ref(2, 2, 4), what="bilinear_kernel(2, 2, 4)", check_dtype=False, mistakes=mistakes(2, 2, 4))
    if W.device.type == "meta":
        return
    Y = F.conv_transpose2d(X, W.float(), stride=2, padding=1)
    expect_close(Y[:, :, 1:-1, 1:-1], torch.ones_like(Y[:, :, 1:-1, 1:-1]),
                 what="a constant image upsampled 2 times with bilinear_kernel(2, 2, 4) (inside the border)")
