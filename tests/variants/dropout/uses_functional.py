# expect: forbidden: you used torch.nn.functional.dropout
import torch


def dropout_layer(X, dropout):
    return torch.nn.functional.dropout(X, dropout, training=True)
