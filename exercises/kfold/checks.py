"""Hidden checks for the kfold exercise. Probes run in the learner's process; checks here decide."""

import torch

from learndl_cli.grader.api import expect, expect_close, expect_shape, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_folds(mod, k, i, X, y):
    X0, y0 = X.clone(), y.clone()
    out = mod.get_k_fold_data(k, i, X, y)
    if not isinstance(out, (tuple, list)) or len(out) != 4:
        return "bad", type(out).__name__, len(out) if isinstance(out, (tuple, list)) else -1
    return tuple(out), X0, X, y0, y


# ---------------------------------------------------------------------------- references (parent)


def fold(X, k, j):
    fs = X.shape[0] // k
    return X[j * fs:(j + 1) * fs]


def reference(k, i, X, y):
    others = [j for j in range(k) if j != i]
    return (torch.cat([fold(X, k, j) for j in others]), torch.cat([fold(y, k, j) for j in others]),
            fold(X, k, i), fold(y, k, i))


def rows_shared(A, B):
    """How many rows of A also occur in B (rows of the check's X are all distinct)."""
    if A.numel() == 0 or B.numel() == 0 or A.shape[1:] != B.shape[1:]:
        return 0
    a, b = A.reshape(A.shape[0], -1), B.reshape(B.shape[0], -1)
    return int((a[:, None, :] == b[None, :, :]).all(-1).any(1).sum())


def judge(got, k, i, X, y):
    inputs = {"X": X, "y": y, "k": k, "i": i}
    call = f"get_k_fold_data({k}, {i}, X, y)"
    if isinstance(got, tuple) and got and got[0] == "bad":
        fail(f"{call} returned a {got[1]}: return the 4-tuple (X_train, y_train, X_valid, y_valid)")
    (X_train, y_train, X_valid, y_valid), X0, X1, y0, y1 = got
    RXt, Ryt, RXv, Ryv = reference(k, i, X, y)
    n, fs = X.shape[0], X.shape[0] // k
    for name, t in (("X_train", X_train), ("y_train", y_train), ("X_valid", X_valid), ("y_valid", y_valid)):
        expect(isinstance(t, torch.Tensor), f"{call}: {name} is a {type(t).__name__}, expected a tensor")
    if X_valid.device.type != "meta" and X_train.device.type != "meta":
        shared = rows_shared(X_valid, X_train)
        if shared:
            fail(f"{call}: the validation fold overlaps the training folds: {shared} of the {X_valid.shape[0]} "
                 f"validation rows are also in X_train (leave fold {i} out of the training set)")
    if X_valid.shape[0] != fs and n % k:
        fail(f"{call} for n = {n}: X_valid has {X_valid.shape[0]} rows, expected n // k = {fs}; when k does not divide n, "
             f"every fold has n // k rows and the last n % k = {n % k} rows are left out (as in d2l)")
    expect_shape(X_valid, RXv.shape, what=f"{call}: X_valid (fold {i}, n // k = {fs} rows)", inputs=inputs)
    if X_train.shape[0] != (k - 1) * fs and n % k and X_train.shape[1:] == RXt.shape[1:]:
        fail(f"{call} for n = {n}: X_train has {X_train.shape[0]} rows, expected (k - 1) * (n // k) = {(k - 1) * fs}; "
             f"the last n % k = {n % k} rows belong to no fold and are left out (as in d2l)")
    expect_shape(X_train, RXt.shape, what=f"{call}: X_train (the other k - 1 = {k - 1} folds)", inputs=inputs)
    valid_mistakes = {f"took fold {j} as the validation set: fold i = {i} is rows i * (n // k) to (i + 1) * (n // k)": fold(X, k, j)
                      for j in (i - 1, i + 1) if 0 <= j < k}
    expect_close(X_valid, RXv, what=f"{call}: X_valid", inputs=inputs, atol=0, rtol=0, mistakes=valid_mistakes)
    expect_close(y_valid, Ryv, what=f"{call}: y_valid", inputs=inputs, atol=0, rtol=0, mistakes={
        "y_valid does not belong to X_valid: cut y with the same slice as X": fold(y, k, (i + 1) % k),
    })
    others = [j for j in range(k) if j != i]
    expect_close(X_train, RXt, what=f"{call}: X_train", inputs=inputs, atol=0, rtol=0, mistakes={
        "the training folds are out of order: concatenate folds 0, 1, ..., k-1 (without i) in that order":
            torch.cat([fold(X, k, j) for j in reversed(others)]),
    })
    expect_close(y_train, Ryt, what=f"{call}: y_train", inputs=inputs, atol=0, rtol=0, mistakes={
        "y_train does not belong to X_train: cut and concatenate y exactly like X": y[:RXt.shape[0]],
    })
    expect_close(X1, X0, what=f"X after {call} (it must not be modified)", atol=0, rtol=0)
    expect_close(y1, y0, what=f"y after {call} (it must not be modified)", atol=0, rtol=0)


# ---------------------------------------------------------------------------- checks, in order


def test_middle_fold(learner, rng):
    X, y = rng.normal((20, 3)), rng.normal((20,))
    judge(learner.run(probe_folds, 5, 2, X, y), 5, 2, X, y)


def test_first_and_last_fold(learner, rng):
    X, y = rng.normal((12, 2)), rng.integers(0, 100, (12,))
    for i in (0, 3):
        judge(learner.run(probe_folds, 4, i, X, y), 4, i, X, y)


def test_every_fold_of_a_column_target(learner, rng):
    X, y = rng.normal((15, 4)), rng.normal((15, 1), dtype=torch.float64)
    for i in range(3):
        judge(learner.run(probe_folds, 3, i, X, y), 3, i, X, y)


def test_n_not_divisible_by_k(learner, rng):
    X, y = rng.normal((23, 2)), rng.normal((23,))
    for i in (1, 4):
        judge(learner.run(probe_folds, 5, i, X, y), 5, i, X, y)


def test_two_folds(learner, rng):
    X, y = rng.normal((9, 2, 2)), rng.normal((9,))
    for i in (0, 1):
        judge(learner.run(probe_folds, 2, i, X, y), 2, i, X, y)
