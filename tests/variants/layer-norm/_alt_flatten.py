import torch


def layer_norm(X, gamma, beta, eps):
    """Flatten the normalised dimensions into one, normalise, then restore the shape."""
    lead = X.shape[: X.dim() - gamma.dim()]
    flat = X.reshape(*lead, -1).double()
    mean = flat.mean(-1, keepdim=True)
    var = flat.sub(mean).pow(2).mean(-1, keepdim=True)
    normed = (flat - mean) / (var + eps) ** 0.5
    return normed.reshape(X.shape).to(X.dtype) * gamma + beta
