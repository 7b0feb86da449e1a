"""Hidden checks for the resnet-block exercise. Probes run in the learner's process; checks here decide.

The checks build the block in the learner's process, run one forward pass in evaluation mode to
materialise the lazy layers, copy the check's weights and batch-norm statistics in by name, and
compare with a reference computed here from torch's own F.conv2d and F.batch_norm in float64.
"""


import torch
import torch.nn.functional as F

from learndl_cli.grader.api import CheckFailed, build_either_edition, expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def _materialised(mod, X, num_channels, use_1x1conv, strides):
    """The learner's block on X's device, its lazy layers materialised by one forward in eval mode.

    torch cannot materialise a lazy layer that was moved to 'meta' before its first call (the
    moved weight loses its lazy state), so for the meta pass the first call runs on a CPU zero
    tensor of X's shape and the block is moved afterwards; every later call runs on X itself.
    """
    # English edition: Residual(num_channels, use_1x1conv, strides) with lazy layers;
    # Chinese edition: Residual(input_channels, num_channels, use_1x1conv, strides) with nn.Conv2d.
    net = build_either_edition(mod.Residual, ((num_channels,), dict(use_1x1conv=use_1x1conv, strides=strides)),
                     ((X.shape[1], num_channels), dict(use_1x1conv=use_1x1conv, strides=strides)),
                     ("input_channels", "in_channels"))
    net.eval()
    with torch.no_grad():
        if X.device.type == "meta":
            net(torch.zeros(X.shape, dtype=X.dtype))
            net = net.to(X.device)
        else:
            net = net.to(X.device)
            net(X)
    return net


def _block(mod, X, num_channels, use_1x1conv, strides, weights):
    net = _materialised(mod, X, num_channels, use_1x1conv, strides)
    state = dict(net.named_parameters())
    state.update(dict(net.named_buffers()))
    with torch.no_grad():
        for key, W in weights.items():
            if key not in state:
                layer = key.split(".")[0]
                raise CheckFailed(f"Residual has no {key}: the checks need self.{layer} "
                                  f"({'a convolution with bias=True' if layer.startswith('conv') else 'a batch-norm layer'})")
            if tuple(state[key].shape) != tuple(W.shape):
                raise CheckFailed(f"Residual's {key} has shape {tuple(state[key].shape)}, expected {tuple(W.shape)}"
                                  f"{_shape_hint(key)}")
            state[key].copy_(W)
    return net


def _shape_hint(key):
    if key.startswith(("conv1", "conv2")):
        return ": conv1 and conv2 are 3x3 convolutions with num_channels output channels"
    if key.startswith("conv3"):
        return ": conv3 is a 1x1 convolution with num_channels output channels"
    return ": bn1 and bn2 normalise num_channels channels"


def probe_structure(mod, X, num_channels, use_1x1conv, strides):
    net = _materialised(mod, X, num_channels, use_1x1conv, strides)
    names = {name: [int(s) for s in p.shape] for name, p in net.named_parameters()}
    conv3 = getattr(net, "conv3", "missing")
    return names, "missing" if conv3 == "missing" else (conv3 is None)


def probe_forward(mod, X, num_channels, use_1x1conv, strides, weights, train):
    net = _block(mod, X, num_channels, use_1x1conv, strides, weights)
    net.train(train)
    return net(X)


def probe_grads(mod, X, num_channels, use_1x1conv, strides, weights, G):
    net = _block(mod, X, num_channels, use_1x1conv, strides, weights)
    net.train(True)
    X = X.clone().requires_grad_(True)
    out = net(X)
    (out * G).sum().backward()
    return X.grad, net.conv1.weight.grad


# ---------------------------------------------------------------------------- references (parent)


def make_weights(rng, c_in, c, use_1x1conv):
    w = {
        "conv1.weight": rng.normal((c, c_in, 3, 3), scale=0.3), "conv1.bias": rng.normal((c,), scale=0.2),
        "conv2.weight": rng.normal((c, c, 3, 3), scale=0.3), "conv2.bias": rng.normal((c,), scale=0.2),
    }
    if use_1x1conv:
        w["conv3.weight"] = rng.normal((c, c_in, 1, 1), scale=0.5)
        w["conv3.bias"] = rng.normal((c,), scale=0.2)
    for bn in ("bn1", "bn2"):
        w[f"{bn}.weight"] = rng.uniform((c,), 0.5, 1.5)
        w[f"{bn}.bias"] = rng.normal((c,), scale=0.2)
        w[f"{bn}.running_mean"] = rng.normal((c,), scale=0.3)
        w[f"{bn}.running_var"] = rng.uniform((c,), 0.5, 2.0)
    return w


def reference(X, w, strides, train, mistake=None):
    """The block in float64 from F.conv2d / F.batch_norm; `mistake` builds a known-wrong variant."""
    d = {k: v.double() for k, v in w.items()}
    X = X.double()

    def bn(Y, name):
        if train:
            return F.batch_norm(Y, None, None, d[f"{name}.weight"], d[f"{name}.bias"], training=True, eps=1e-5)
        return F.batch_norm(Y, d[f"{name}.running_mean"], d[f"{name}.running_var"], d[f"{name}.weight"],
                            d[f"{name}.bias"], training=False, eps=1e-5)

    s1, s2 = (1, strides) if mistake == "stride_on_conv2" else (strides, 1)
    Y = F.conv2d(X, d["conv1.weight"], d["conv1.bias"], stride=s1, padding=1)
    Y = bn(F.relu(Y), "bn1") if mistake == "relu_before_bn" else F.relu(bn(Y, "bn1"))
    if mistake == "no_relu_after_bn1":
        Y = bn(F.conv2d(X, d["conv1.weight"], d["conv1.bias"], stride=s1, padding=1), "bn1")
    Y = bn(F.conv2d(Y, d["conv2.weight"], d["conv2.bias"], stride=s2, padding=1), "bn2")
    shortcut = F.conv2d(X, d["conv3.weight"], d["conv3.bias"], stride=strides) if "conv3.weight" in d else X
    if mistake == "no_shortcut":
        out = F.relu(Y)
    elif mistake == "relu_before_add":
        out = F.relu(Y) + shortcut
    elif mistake == "no_final_relu":
        out = Y + shortcut
    else:
        out = F.relu(Y + shortcut)
    return out.float()


MISTAKES = {
    "applied the ReLU before adding the shortcut: add first, then ReLU(Y + shortcut)": "relu_before_add",
    "forgot the final ReLU: the block returns ReLU(Y + shortcut)": "no_final_relu",
    "forgot to add the shortcut (X, or conv3(X) with use_1x1conv): the block returns ReLU(Y + shortcut)": "no_shortcut",
    "applied the stride in conv2; it belongs to conv1 (and conv3)": "stride_on_conv2",
    "put the ReLU before bn1: the order is conv1 -> bn1 -> ReLU": "relu_before_bn",
    "forgot the ReLU between bn1 and conv2": "no_relu_after_bn1",
}


def _compare(got, X, w, strides, train, what):
    mistakes = {}
    for message, key in MISTAKES.items():
        try:
            mistakes[message] = reference(X, w, strides, train, key)
        except RuntimeError:  # that variant does not fit these shapes (e.g. no shortcut when channels change)
            pass
    expect_close(got, reference(X, w, strides, train), what=what, inputs={"X": X}, atol=1e-4, rtol=1e-3, mistakes=mistakes)


# ---------------------------------------------------------------------------- checks, in order


def test_structure(learner, rng):
    X = rng.normal((2, 3, 6, 6))
    names, conv3_is_none = learner.run(probe_structure, X, 3, False, 1)
    for key, shape in (("conv1.weight", [3, 3, 3, 3]), ("conv2.weight", [3, 3, 3, 3]), ("bn1.weight", [3]), ("bn2.weight", [3])):
        layer = key.split(".")[0]
        expect(key in names, f"Residual(3) has no parameter {key}: name the layers conv1, conv2, conv3, bn1 and bn2 (found {sorted(names)})")
        expect(names[key] == shape, f"Residual(3)'s {key} has shape {tuple(names[key])}, expected {tuple(shape)}{_shape_hint(layer)}")
    expect(conv3_is_none != "missing", "Residual(3) has no attribute conv3: set self.conv3 = None when use_1x1conv is False")
    expect(conv3_is_none is True and not any(k.startswith("conv3.") for k in names),
           "Residual(3) (use_1x1conv=False) has a conv3 layer: the shortcut is X itself, so set self.conv3 = None")
    names, _ = learner.run(probe_structure, X, 5, True, 2)
    expect(names.get("conv3.weight") == [5, 3, 1, 1],
           f"Residual(5, use_1x1conv=True, strides=2)'s conv3.weight has shape {tuple(names.get('conv3.weight') or ())}, "
           "expected (5, 3, 1, 1): a 1x1 convolution from the input channels to num_channels")


def test_identity_shortcut_eval(learner, rng):
    X = rng.normal((2, 3, 5, 5))
    w = make_weights(rng, 3, 3, False)
    got = learner.run(probe_forward, X, 3, False, 1, w, False)
    _compare(got, X, w, 1, False, "Residual(3)(X) in evaluation mode (net.eval())")


def test_identity_shortcut_train(learner, rng):
    X = rng.normal((4, 3, 5, 5))
    w = make_weights(rng, 3, 3, False)
    got = learner.run(probe_forward, X, 3, False, 1, w, True)
    _compare(got, X, w, 1, True, "Residual(3)(X) in training mode (net.train())")


def test_1x1conv_stride_2(learner, rng):
    X = rng.normal((3, 3, 6, 6))
    w = make_weights(rng, 3, 6, True)
    for train in (False, True):
        got = learner.run(probe_forward, X, 6, True, 2, w, train)
        mode = "training" if train else "evaluation"
        _compare(got, X, w, 2, train, f"Residual(6, use_1x1conv=True, strides=2)(X) in {mode} mode")


def test_1x1conv_odd_size(learner, rng):
    X = rng.normal((2, 4, 7, 5))
    w = make_weights(rng, 4, 3, True)
    got = learner.run(probe_forward, X, 3, True, 2, w, False)
    _compare(got, X, w, 2, False, "Residual(3, use_1x1conv=True, strides=2)(X) for an odd-sized X in evaluation mode")


def test_gradients(learner, rng):
    X = rng.normal((3, 2, 4, 4))
    w = make_weights(rng, 2, 4, True)
    G = rng.normal((3, 4, 4, 4))
    gX, gW = learner.run(probe_grads, X, 4, True, 1, w, G)
    d = {k: v.double().requires_grad_(k == "conv1.weight") for k, v in w.items()}
    Xr = X.double().requires_grad_(True)

    def bn(Y, name):
        return F.batch_norm(Y, None, None, d[f"{name}.weight"], d[f"{name}.bias"], training=True, eps=1e-5)

    Y = F.relu(bn(F.conv2d(Xr, d["conv1.weight"], d["conv1.bias"], padding=1), "bn1"))
    Y = bn(F.conv2d(Y, d["conv2.weight"], d["conv2.bias"], padding=1), "bn2")
    (F.relu(Y + F.conv2d(Xr, d["conv3.weight"], d["conv3.bias"])) * G.double()).sum().backward()
    if gX is None or gW is None:
        fail("no gradient reached X or conv1.weight: the block must be differentiable (no .data / .detach())")
    expect_close(gX, Xr.grad.float(), what="the gradient of sum(Residual(4, use_1x1conv=True)(X) * G) with respect to X",
                 inputs={"X": X}, atol=1e-4, rtol=1e-3)
    expect_close(gW, d["conv1.weight"].grad.float(), what="the gradient with respect to conv1.weight", inputs={"X": X},
                 atol=1e-4, rtol=1e-3)
