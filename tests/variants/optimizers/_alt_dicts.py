import torch


def init_momentum_states(params):
    return [torch.zeros_like(p) for p in params]


def init_adagrad_states(params):
    return [torch.zeros_like(p) for p in params]


def init_rmsprop_states(params):
    return [torch.zeros_like(p) for p in params]


def init_adam_states(params):
    return [{"v": torch.zeros_like(p), "s": torch.zeros_like(p)} for p in params]


def sgd_momentum(params, states, hyperparams):
    for i in range(len(params)):
        p, v = params[i], states[i]
        with torch.no_grad():
            v *= hyperparams["momentum"]
            v += p.grad
            p -= hyperparams["lr"] * v
        p.grad.data.zero_()


def adagrad(params, states, hyperparams):
    lr = hyperparams.get("lr")
    eps = hyperparams.get("eps")
    for p, s in zip(params, states):
        g = p.grad.detach()
        s += g ** 2
        p.data -= lr * g / (s + eps) ** 0.5
        p.grad.zero_()


def rmsprop(params, states, hyperparams):
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] = hyperparams["gamma"] * s + (1.0 - hyperparams["gamma"]) * p.grad.pow(2)
            p[:] = p - hyperparams["lr"] * p.grad / (s + hyperparams["eps"]).sqrt()
            p.grad.zero_()


def adam(params, states, hyperparams):
    t = hyperparams["t"]
    for p, state in zip(params, states):
        v, s = state["v"], state["s"]
        with torch.no_grad():
            g = p.grad
            v[:] = hyperparams["beta1"] * v + (1 - hyperparams["beta1"]) * g
            s[:] = hyperparams["beta2"] * s + (1 - hyperparams["beta2"]) * g * g
            m_hat = v / (1 - hyperparams["beta1"] ** t)
            s_hat = s / (1 - hyperparams["beta2"] ** t)
            p -= hyperparams["lr"] * m_hat / (s_hat.sqrt() + hyperparams["eps"])
            g.zero_()
    hyperparams["t"] += 1
