"""Reference solution for the softmax exercise (d2l 3.6)."""

import torch


def softmax(X: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Numerically stable softmax of X along `dim`."""
    shifted = X - X.max(dim=dim, keepdim=True).values  # the largest entry of each slice becomes 0
    E = torch.exp(shifted)
    return E / E.sum(dim=dim, keepdim=True)


X = torch.normal(0, 1, (2, 5))
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))

if __name__ == "__main__":
    print(softmax(torch.tensor([1000., 1001.])))
