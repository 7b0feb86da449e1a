"""BERT's input representation (d2l 14.8.2-14.8.3). Run `learndl check bert-input` to grade this file.

EncoderBlock is given (a Transformer encoder block, d2l 10.7, with the book's signature).
"""

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


def get_tokens_and_segments(tokens_a: list[str], tokens_b: list[str] | None = None):
    """BERT's input tokens and segment ids for one text (tokens_a) or a pair of texts.

    One text:  ['<cls>', *tokens_a, '<sep>'] with segments 0 everywhere.
    A pair:    ['<cls>', *tokens_a, '<sep>', *tokens_b, '<sep>'] with segments 0 up to and including
               the first '<sep>', 1 for tokens_b and its '<sep>'. Returns (tokens, segments), two lists.
    """
    # TODO: your code here
    raise NotImplementedError("get_tokens_and_segments")


class BERTEncoder(nn.Module):
    """BERT's encoder: token + segment + learnable position embeddings, then num_layers EncoderBlocks.

    Attributes the checks use: self.token_embedding (nn.Embedding(vocab_size, num_hiddens)),
    self.segment_embedding (nn.Embedding(2, num_hiddens)), self.pos_embedding (nn.Parameter of shape
    (1, max_len, num_hiddens)) and self.blks (the blocks, in order).
    """

    def __init__(self, vocab_size, num_hiddens, norm_shape, ffn_num_input, ffn_num_hiddens, num_heads,
                 num_layers, dropout, max_len=1000, key_size=768, query_size=768, value_size=768, **kwargs):
        super().__init__(**kwargs)
        # TODO: the three embeddings and the blocks
        raise NotImplementedError("BERTEncoder.__init__")

    def forward(self, tokens, segments, valid_lens):
        """tokens, segments: (batch, seq_len) int64; valid_lens: (batch,) -> (batch, seq_len, num_hiddens)."""
        # TODO: your code here
        raise NotImplementedError("BERTEncoder.forward")
