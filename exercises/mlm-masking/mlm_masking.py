"""Masked language model data for BERT (d2l 14.9.2). Run `learndl check mlm-masking` to grade this file."""

import random

import torch


def _replace_mlm_tokens(tokens: list[str], candidate_pred_positions: list[int], num_mlm_preds: int, vocab):
    """Choose up to num_mlm_preds random positions among candidate_pred_positions and replace their tokens.

    Each chosen token becomes '<mask>' with probability 0.8, stays unchanged with probability 0.1, and
    becomes a random token of the vocabulary (vocab.idx_to_token) with probability 0.1.
    Returns (mlm_input_tokens, pred_positions_and_labels): a new list of tokens (the input list is not
    changed) and a list of (position, original token) pairs, one per chosen position.
    Use `random` (or torch) so a fixed seed reproduces it.
    """
    # TODO: your code here
    raise NotImplementedError("_replace_mlm_tokens")
