# A correct file another way (d2l 13.10.3): the transposed convolution is a matrix product with the
# transpose of the convolution's matrix, built one output element at a time, on the inputs' device.
import torch


def trans_conv(X, K, stride=1, padding=0):
    h, w = X.shape
    kh, kw = K.shape
    H, W = (h - 1) * stride + kh, (w - 1) * stride + kw
    # column (i, j) of M holds K placed at (i * stride, j * stride) in the H x W output
    M = torch.zeros((H * W, h * w), dtype=X.dtype, device=X.device)
    for i in range(h):
        for j in range(w):
            window = torch.zeros((H, W), dtype=X.dtype, device=X.device)
            window[i * stride:i * stride + kh, j * stride:j * stride + kw] = K
            M[:, i * w + j] = window.reshape(-1)
    Y = (M @ X.reshape(-1)).reshape(H, W)
    return Y[padding:H - padding, padding:W - padding]
