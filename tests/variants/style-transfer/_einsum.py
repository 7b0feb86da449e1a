# A correct file another way: einsum for the Gram matrix, torch.diff for total variation, a float64
# accumulation inside, and explicit element counts instead of .mean().
import torch


def content_loss(Y_hat, Y):
    d = Y_hat - Y.detach()
    return (d * d).sum() / d.numel()


def gram(X):
    _, c, h, w = X.shape
    F = X.reshape(c, h * w)
    return torch.einsum("ik,jk->ij", F.double(), F.double()).to(X.dtype) / (c * h * w)


def style_loss(Y_hat, gram_Y):
    return ((gram(Y_hat) - gram_Y.detach()) ** 2).mean()


def tv_loss(Y_hat):
    dv = torch.diff(Y_hat, dim=2).abs()
    dh = torch.diff(Y_hat, dim=3).abs()
    return (dv.sum() / dv.numel() + dh.sum() / dh.numel()) / 2
