"""Hidden checks for the lr-scheduler exercise. Probes run in the learner's process; checks here decide.

The reference for epochs 0..max_update is torch's own schedulers, chained in the parent:
LinearLR(start_factor=warmup_begin_lr/base_lr, total_iters=warmup_steps) then
CosineAnnealingLR(T_max=max_update - warmup_steps, eta_min=final_lr), via SequentialLR; beyond
max_update (where torch's cosine would rise again) the statement says final_lr.
"""

import math
import numbers
import warnings

import torch

from learndl_cli.grader.api import expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_schedule(mod, kwargs, epochs):
    sched = mod.CosineScheduler(**kwargs)
    out = []
    for e in epochs:
        v = sched(e)
        if isinstance(v, torch.Tensor) and v.numel() == 1:
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            return f"scheduler({e}) returned {type(v).__name__}, not a number"
        out.append(float(v))
    return out


# ---------------------------------------------------------------------------- references (parent)


def torch_schedule(max_update, base_lr=0.01, final_lr=0.0, warmup_steps=0, warmup_begin_lr=0.0):
    """lr for epochs 0..max_update from torch.optim.lr_scheduler (float64 Python floats)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    cosine_len = max_update - warmup_steps
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if warmup_steps:
            warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=warmup_begin_lr / base_lr, end_factor=1.0,
                                                     total_iters=warmup_steps)
            cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cosine_len, eta_min=final_lr)
            sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[warmup_steps])
        else:
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cosine_len, eta_min=final_lr)
        lrs = []
        for _ in range(max_update + 1):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return lrs


def formula(epoch, max_update, base_lr=0.01, final_lr=0.0, warmup_steps=0, warmup_begin_lr=0.0, *,
            no_warmup=False, phase_from_zero=False, no_final=False, begin_zero=False, rise_after=False):
    if begin_zero:
        warmup_begin_lr = 0.0
    if no_final:
        final_lr = 0.0
    if not no_warmup and epoch < warmup_steps:
        return warmup_begin_lr + (base_lr - warmup_begin_lr) * epoch / warmup_steps
    if epoch <= max_update or rise_after:
        if no_warmup or phase_from_zero:
            frac = epoch / max_update
        else:
            frac = (epoch - warmup_steps) / (max_update - warmup_steps)
        return final_lr + (base_lr - final_lr) * (1 + math.cos(math.pi * frac)) / 2
    return final_lr


MISTAKES = {
    "the warm-up is missing: for epoch < warmup_steps the rate rises linearly from warmup_begin_lr to base_lr": dict(no_warmup=True),
    "the cosine phase must start at the end of the warm-up: use (epoch - warmup_steps) / (max_update - warmup_steps)": dict(phase_from_zero=True),
    "final_lr is ignored: the cosine goes from base_lr down to final_lr: final_lr + (base_lr - final_lr) * (1 + cos(...)) / 2": dict(no_final=True),
    "the warm-up must start at warmup_begin_lr, not 0": dict(begin_zero=True),
    "after max_update the rate must stay at final_lr (the cosine rises again if you keep evaluating it)": dict(rise_after=True),
}


def compare(learner, kwargs, extra_epochs, what, use_torch=True):
    max_update = kwargs["max_update"]
    epochs = list(range(max_update + 1 + extra_epochs))
    got = learner.run(probe_schedule, kwargs, epochs)
    if isinstance(got, str):
        fail(got)
    if not isinstance(got, list) or len(got) != len(epochs):
        fail(f"{what}: expected one number per epoch")
    params = dict(kwargs)
    if use_torch:
        ref = torch_schedule(**params) + [params.get("final_lr", 0.0)] * extra_epochs
    else:
        ref = [formula(e, **params) for e in epochs]
    wrong = {msg: torch.tensor([formula(e, **params, **flags) for e in epochs], dtype=torch.float64)
             for msg, flags in MISTAKES.items()}
    expect_close(torch.tensor(got, dtype=torch.float64), torch.tensor(ref, dtype=torch.float64),
                 what=f"{what}: the rates for epochs 0..{epochs[-1]}", inputs={"scheduler": kwargs},
                 atol=1e-8, rtol=1e-5, mistakes=wrong)  # float32 arithmetic is a correct way too


# ---------------------------------------------------------------------------- checks, in order


def test_plain_cosine(learner):
    compare(learner, {"max_update": 20, "base_lr": 0.3, "final_lr": 0.01}, 0, "CosineScheduler without warm-up")


def test_book_example(learner):
    """d2l's example: CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01)."""
    compare(learner, {"max_update": 20, "base_lr": 0.3, "final_lr": 0.01, "warmup_steps": 5, "warmup_begin_lr": 0.001},
            0, "CosineScheduler with warm-up")


def test_after_max_update(learner):
    compare(learner, {"max_update": 12, "base_lr": 0.5, "final_lr": 0.05, "warmup_steps": 3, "warmup_begin_lr": 0.02},
            8, "CosineScheduler after max_update")


def test_warmup_from_zero_and_defaults(learner, rng):
    max_update = rng.int(10, 40)
    kwargs = {"max_update": max_update, "base_lr": 0.1, "warmup_steps": rng.int(1, max_update // 2)}
    compare(learner, kwargs, 3, "CosineScheduler warming up from warmup_begin_lr=0 with final_lr=0 (the defaults)",
            use_torch=False)
    compare(learner, {"max_update": 10}, 2, "CosineScheduler(10) with all defaults")


def test_random_settings(learner, rng):
    for _ in range(3):
        max_update = rng.int(8, 60)
        kwargs = {"max_update": max_update, "base_lr": float(rng.uniform((), 0.05, 1.0)),
                  "final_lr": float(rng.uniform((), 0.0, 0.04)), "warmup_steps": rng.int(1, max_update),
                  "warmup_begin_lr": float(rng.uniform((), 0.001, 0.04))}
        compare(learner, kwargs, 4, "CosineScheduler")
