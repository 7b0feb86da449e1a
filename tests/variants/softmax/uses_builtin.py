# expect: forbidden: you used X.softmax
import torch


def softmax(X, dim=-1):
    return X.softmax(dim)
