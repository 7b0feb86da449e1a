import torch
import torch.nn.functional as F
from torch import nn


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    if valid_lens.dim() == 1:
        valid_lens = valid_lens.unsqueeze(-1).expand(-1, X.size(1))
    keys = torch.arange(X.size(-1), device=X.device)
    mask = keys.view(1, 1, -1) >= valid_lens.unsqueeze(-1)
    return torch.softmax(X.masked_fill(mask, -1e6), dim=-1)


class DotProductAttention(nn.Module):
    def __init__(self, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        scores = queries @ keys.transpose(-2, -1) / queries.size(-1) ** 0.5
        self.attention_weights = masked_softmax(scores, valid_lens)
        return self.dropout(self.attention_weights) @ values


class MultiHeadAttention(nn.Module):
    def __init__(self, num_hiddens, num_heads, dropout, bias=False):
        super().__init__()
        assert num_hiddens % num_heads == 0
        self.num_heads = num_heads
        self.head_dim = num_hiddens // num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_k = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_v = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    def _split(self, X):
        B, n, _ = X.shape
        return X.view(B, n, self.num_heads, self.head_dim).transpose(1, 2).contiguous().view(
            B * self.num_heads, n, self.head_dim)

    def _merge(self, X):
        Bh, n, d = X.shape
        return X.view(Bh // self.num_heads, self.num_heads, n, d).transpose(1, 2).contiguous().view(
            Bh // self.num_heads, n, self.num_heads * d)

    def forward(self, queries, keys, values, valid_lens=None):
        Q, K, V = self._split(self.W_q(queries)), self._split(self.W_k(keys)), self._split(self.W_v(values))
        if valid_lens is not None:
            valid_lens = valid_lens.repeat_interleave(self.num_heads, dim=0)
        out = self.attention(Q, K, V, valid_lens)
        return self.W_o(self._merge(out))
