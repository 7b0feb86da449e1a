import torch


def softmax(X, dim=-1):
    print("softmax called with", tuple(X.shape))
    X_max = X.amax(dim=dim, keepdim=True).detach()
    X_exp = torch.exp(X - X_max)
    partition = torch.sum(X_exp, dim=dim, keepdim=True)
    return X_exp / partition  # 这里应用了广播机制
