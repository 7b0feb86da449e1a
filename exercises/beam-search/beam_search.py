"""Beam search (d2l 9.8). Run `learndl check beam-search` to grade this file.

See README.md for the exact algorithm; the checks compare with it step by step.
"""

import math

import torch


def beam_step(scores, log_probs, beam_size):
    """One step of beam search: the best `beam_size` one-token extensions of the current beams.

    scores:    (num_beams,) float, log P of each beam so far
    log_probs: (num_beams, vocab_size) float, log P(next token | beam)
    Returns (top_scores, beam_indices, token_indices), each of shape (k,) with
    k = min(beam_size, num_beams * vocab_size), best first:
      top_scores[r] = scores[beam_indices[r]] + log_probs[beam_indices[r], token_indices[r]]
    beam_indices and token_indices are int64; everything is on the inputs' device.
    """
    # TODO: your code here
    raise NotImplementedError("beam_step")


def beam_search(step_fn, bos, eos, beam_size, max_steps, alpha=0.75):
    """Beam search over a model given as a step function.

    step_fn(prefixes) -> log_probs: prefixes is an int64 tensor (num_beams, t) of token ids, each row
      starting with bos; log_probs is (num_beams, vocab_size), log P(next token | row).
    Returns (tokens, score): tokens is the best candidate as a list of ints, without bos, ending with
    eos if it stopped there; score = log P(tokens) / L ** alpha with L = len(tokens).
    """
    # TODO: your code here
    raise NotImplementedError("beam_search")
