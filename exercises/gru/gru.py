"""Gated recurrent units from scratch (d2l 9.1). Run `learndl check gru` to grade this file."""

import torch


def gru(inputs, state, params):
    """inputs: (num_steps, batch, vocab); state: (H,) with H (batch, num_hiddens);
    params: [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q].
    Returns (outputs of shape (num_steps * batch, vocab), (H,))."""
    # TODO: your code here
    raise NotImplementedError("gru")
