"""Long short-term memory from scratch (d2l 9.2). Run `learndl check lstm` to grade this file."""

import torch


def lstm(inputs, state, params):
    """inputs: (num_steps, batch, vocab); state: (H, C), both (batch, num_hiddens);
    params: [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q].
    Returns (outputs of shape (num_steps * batch, vocab), (H, C))."""
    # TODO: your code here
    raise NotImplementedError("lstm")
