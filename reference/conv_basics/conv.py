"""Reference for conv-basics: F.conv2d stride and padding, max-pool ceil_mode, (N, C, H, W) (notes 003)."""
import torch
import torch.nn.functional as F

INPUT = torch.tensor([[1, 2, 0, 3, 1],
                      [0, 1, 2, 3, 1],
                      [1, 2, 1, 0, 0],
                      [5, 2, 3, 1, 1],
                      [2, 1, 0, 1, 1]])
KERNEL = torch.tensor([[1, 2, 1],
                       [0, 1, 0],
                       [2, 1, 0]])


def to_nchw(t):
    """A 2-D tensor (H, W) as a batch of one single-channel image (1, 1, H, W)."""
    return torch.reshape(t, (1, 1, t.shape[0], t.shape[1]))


def conv_outputs():
    x, k = to_nchw(INPUT), to_nchw(KERNEL)
    return {
        "stride1": F.conv2d(x, k, stride=1),
        "stride2": F.conv2d(x, k, stride=2),
        "padding1": F.conv2d(x, k, stride=1, padding=1),
    }


def pool_outputs():
    x = to_nchw(INPUT).float()  # max_pool2d needs floats
    return {
        "ceil_true": F.max_pool2d(x, kernel_size=3, ceil_mode=True),
        "ceil_false": F.max_pool2d(x, kernel_size=3, ceil_mode=False),
    }


def conv_output_size(n, kernel, stride, padding):
    """floor((n + 2 * padding - kernel) / stride) + 1"""
    return (n + 2 * padding - kernel) // stride + 1
