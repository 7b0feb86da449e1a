# A correct file with the English edition's BERTEncoder(vocab_size, num_hiddens, ffn_num_hiddens,
# num_heads, num_layers, dropout, max_len=1000), on the given (Chinese-edition) EncoderBlock.

import torch
from torch import nn


class EncoderBlock(nn.Module):
    """Given: self-attention and a position-wise FFN, each followed by add & norm."""

    def __init__(self, key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
                 ffn_num_hiddens, num_heads, dropout, use_bias=False, **kwargs):
        super().__init__(**kwargs)
        self.attention = nn.MultiheadAttention(num_hiddens, num_heads, dropout=dropout, bias=use_bias, batch_first=True)
        self.norm1 = nn.LayerNorm(norm_shape)
        self.ffn = nn.Sequential(nn.Linear(ffn_num_input, ffn_num_hiddens), nn.ReLU(), nn.Linear(ffn_num_hiddens, num_hiddens))
        self.norm2 = nn.LayerNorm(norm_shape)
        self.dropout = nn.Dropout(dropout)

    def forward(self, X, valid_lens):
        padding = None
        if valid_lens is not None:  # True marks the padded key positions
            padding = torch.arange(X.shape[1], device=X.device)[None, :] >= valid_lens[:, None]
        attended = self.attention(X, X, X, key_padding_mask=padding, need_weights=False)[0]
        Y = self.norm1(X + self.dropout(attended))
        return self.norm2(Y + self.dropout(self.ffn(Y)))


def get_tokens_and_segments(tokens_a, tokens_b=None):
    tokens = list(["<cls>"] + tokens_a + ["<sep>"])
    segments = [0] * (len(tokens_a) + 2)
    if tokens_b is not None:
        tokens += tokens_b + ["<sep>"]
        segments += [1] * (len(tokens_b) + 1)
    return tokens, segments


class BERTEncoder(nn.Module):
    """The English edition's signature: the sizes the Chinese edition also asks for follow from num_hiddens."""

    def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_layers, dropout, max_len=1000):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, num_hiddens)
        self.segment_embedding = nn.Embedding(2, num_hiddens)
        self.blks = nn.Sequential(*[
            EncoderBlock(num_hiddens, num_hiddens, num_hiddens, num_hiddens, [num_hiddens], num_hiddens,
                         ffn_num_hiddens, num_heads, dropout, True)
            for _ in range(num_layers)])
        self.pos_embedding = nn.Parameter(torch.randn(1, max_len, num_hiddens))

    def forward(self, tokens, segments, valid_lens):
        X = self.token_embedding(tokens) + self.segment_embedding(segments)
        X = X + self.pos_embedding[:, :tokens.shape[1], :]
        for blk in self.blks:
            X = blk(X, valid_lens)
        return X
