import torch


def dropout_layer(X, dropout):
    if dropout >= 1.0:
        return X * 0.0
    keep_prob = 1.0 - dropout
    mask = torch.bernoulli(torch.full_like(X, keep_prob))
    return X * mask / keep_prob
