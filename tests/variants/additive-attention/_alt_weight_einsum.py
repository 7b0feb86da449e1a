# A correct additive attention that reads self.w_v.weight directly (einsum) instead of calling the layer.
import torch
import torch.nn.functional as F
from torch import nn


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return F.softmax(X, dim=-1)
    if valid_lens.dim() == 1:
        valid_lens = valid_lens[:, None]                      # (batch, 1) broadcasts over queries
    pos = torch.arange(X.shape[-1], device=X.device)
    mask = pos[None, None, :] < valid_lens[..., None]
    return F.softmax(torch.where(mask, X, torch.tensor(-1e6, dtype=X.dtype, device=X.device)), dim=-1)


class AdditiveAttention(nn.Module):
    def __init__(self, num_hiddens, dropout):
        super().__init__()
        self.W_q = nn.LazyLinear(num_hiddens, bias=False)
        self.W_k = nn.LazyLinear(num_hiddens, bias=False)
        self.w_v = nn.LazyLinear(1, bias=False)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        q = self.W_q(queries)[:, :, None, :]
        k = self.W_k(keys)[:, None, :, :]
        self.w_v(q[:, :1, :1])  # make sure w_v is materialised before reading its weight
        scores = torch.einsum('bqkh,h->bqk', torch.tanh(q + k), self.w_v.weight[0])
        self.attention_weights = masked_softmax(scores, valid_lens)
        attn = self.dropout(self.attention_weights)
        return torch.einsum('bqk,bkv->bqv', attn, values)
