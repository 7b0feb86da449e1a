"""Hidden checks for the textcnn exercise. The probe sets every weight; the reference runs here, in
the parent, in float64 with torch's conv1d. Max-over-time pooling (the text) and
average pooling (the book's code) both pass. Named mistakes: no ReLU, the embeddings concatenated the other way round, the constant embedding left out; dropout
missing in train() mode."""

import torch
import torch.nn.functional as F
from torch import nn

from learndl_cli.grader.api import CheckFailed, expect, expect_close, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_textcnn(mod, inputs, weights, vocab_size, embed_size, kernel_sizes, num_channels, train, seed):
    torch.manual_seed(seed)
    net = mod.TextCNN(vocab_size, embed_size, kernel_sizes, num_channels)
    net.to(inputs.device)
    net.train(train)

    def place(name, module_attr, W):
        if not isinstance(module_attr, torch.Tensor):
            raise CheckFailed(f"TextCNN has no {name} (the checks set it)")
        if tuple(module_attr.shape) != tuple(W.shape):
            hint = ""
            if name.startswith("self.convs") and name.endswith(".weight"):
                hint = " (nn.Conv1d(2 * embed_size, c, k): the two embeddings are concatenated into 2 * embed_size channels)"
            raise CheckFailed(f"TextCNN: {name} has shape {tuple(module_attr.shape)}, expected {tuple(W.shape)}{hint}")
        module_attr.copy_(W)

    with torch.no_grad():
        for name in ("embedding", "constant_embedding", "decoder"):
            layer = getattr(net, name, None)
            place(f"self.{name}.weight", getattr(layer, "weight", None), weights[name + ".weight"])
            if name == "decoder":
                place("self.decoder.bias", getattr(layer, "bias", None), weights["decoder.bias"])
        convs = list(getattr(net, "convs", []))
        if len(convs) != len(kernel_sizes):
            raise CheckFailed(f"TextCNN: self.convs has {len(convs)} layers, expected one per kernel size ({len(kernel_sizes)})")
        for i, conv in enumerate(convs):
            place(f"self.convs[{i}].weight", getattr(conv, "weight", None), weights[f"convs.{i}.weight"])
            place(f"self.convs[{i}].bias", getattr(conv, "bias", None), weights[f"convs.{i}.bias"])
    return net(inputs)


# ---------------------------------------------------------------------------- references (parent)


def make_weights(rng, vocab_size, embed_size, kernel_sizes, num_channels):
    W = {"embedding.weight": rng.normal((vocab_size, embed_size)),
         "constant_embedding.weight": rng.normal((vocab_size, embed_size)),
         "decoder.weight": rng.normal((2, sum(num_channels)), scale=0.5), "decoder.bias": rng.normal((2,))}
    for i, (c, k) in enumerate(zip(num_channels, kernel_sizes)):
        W[f"convs.{i}.weight"] = rng.normal((c, 2 * embed_size, k), scale=0.3)
        W[f"convs.{i}.bias"] = rng.normal((c,)) - 2.0  # some channels' maxima stay negative: ReLU matters
    return W


def ref(inputs, W, kernel_sizes, *, pool="max", relu=True, order="ec", constant=True):
    E = W["embedding.weight"].double()[inputs]
    C = W["constant_embedding.weight"].double()[inputs] if constant else E
    X = torch.cat((E, C) if order == "ec" else (C, E), dim=2).permute(0, 2, 1)
    parts = []
    for i in range(len(kernel_sizes)):
        Y = F.conv1d(X, W[f"convs.{i}.weight"].double(), W[f"convs.{i}.bias"].double())
        Y = Y.amax(dim=2) if pool == "max" else Y.mean(dim=2)
        parts.append(torch.relu(Y) if relu else Y)
    enc = torch.cat(parts, dim=1)
    return (enc @ W["decoder.weight"].double().T + W["decoder.bias"].double()).float()


def expected(got, inputs, W, ks):
    """Max over time, as the text describes; or the mean over time, as the book's PyTorch code has it
    (``nn.AdaptiveAvgPool1d(1)``). A learner's book code must fit, so both are right."""
    mean = ref(inputs, W, ks, pool="mean")
    if isinstance(got, torch.Tensor) and got.device.type != "meta" and tuple(got.shape) == tuple(mean.shape) \
            and bool(torch.allclose(got.double(), mean.double(), atol=1e-5, rtol=1e-4)):
        return mean
    return ref(inputs, W, ks)


def mistakes(inputs, W, ks):
    return {
        "no ReLU after the pooling: each pooled channel goes through self.relu": ref(inputs, W, ks, relu=False),
        "the embeddings are concatenated in the wrong order: self.embedding first, then self.constant_embedding":
            ref(inputs, W, ks, order="ce"),
        "the second half of the channels must come from self.constant_embedding, not self.embedding again":
            ref(inputs, W, ks, constant=False),
    }


SETUP = dict(vocab_size=20, embed_size=4, kernel_sizes=[2, 3], num_channels=[3, 5])


def run(learner, rng, batch=2, steps=7, train=False, **setup):
    cfg = {**SETUP, **setup}
    inputs = rng.integers(0, cfg["vocab_size"], (batch, steps))
    W = make_weights(rng, cfg["vocab_size"], cfg["embed_size"], cfg["kernel_sizes"], cfg["num_channels"])
    got = learner.run(probe_textcnn, inputs, W, cfg["vocab_size"], cfg["embed_size"], cfg["kernel_sizes"],
                      cfg["num_channels"], train, rng.torch_seed())
    return got, inputs, W, cfg["kernel_sizes"]


# ---------------------------------------------------------------------------- checks, in order


def test_forward(learner, rng):
    got, inputs, W, ks = run(learner, rng)
    expect_close(got, expected(got, inputs, W, ks), what="TextCNN(20, 4, [2, 3], [3, 5]) in eval() mode", inputs={"inputs": inputs},
                 mistakes=mistakes(inputs, W, ks))


def test_three_kernel_sizes(learner, rng):
    got, inputs, W, ks = run(learner, rng, batch=3, steps=9, kernel_sizes=[3, 4, 5], num_channels=[2, 3, 4], embed_size=3)
    expect_close(got, expected(got, inputs, W, ks), what="TextCNN(20, 3, [3, 4, 5], [2, 3, 4]) in eval() mode",
                 inputs={"inputs": inputs}, mistakes=mistakes(inputs, W, ks))


def test_any_sentence_length(learner, rng):
    got, inputs, W, ks = run(learner, rng, batch=2, steps=4)
    expect_close(got, expected(got, inputs, W, ks), what="TextCNN(...) for sentences of 4 tokens", inputs={"inputs": inputs},
                 mistakes=mistakes(inputs, W, ks))


@skip_on_meta
def test_dropout_in_train_mode(learner, rng):
    got, inputs, W, ks = run(learner, rng, batch=16, steps=8, train=True)
    expect(not any(bool(torch.allclose(got, ref(inputs, W, ks, pool=pool), atol=1e-5)) for pool in ("max", "mean")),
           "TextCNN in train() mode gives the output without dropout: apply self.dropout (nn.Dropout(0.5)) to the "
           "concatenated encoding before the decoder")
