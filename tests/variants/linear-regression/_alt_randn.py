import torch


def synthetic_data(w, b, num_examples):
    d = w.shape[0]
    X = torch.randn(num_examples, d, device=w.device, dtype=w.dtype)
    noise = 0.01 * torch.randn(num_examples, 1, device=w.device, dtype=w.dtype)
    y = X @ w.reshape(d, 1) + b + noise
    return X, y


def linreg(X, w, b):
    return X @ w + b


def squared_loss(y_hat, y):
    y = y.view(-1, 1) if y.dim() == 1 else y
    return 0.5 * (y_hat - y).pow(2)


def sgd(params, lr, batch_size):
    for p in params:
        p.data.sub_(lr * p.grad.data / batch_size)
        p.grad.data.zero_()
