# Mistake: to_nchw reshapes to the notes' 5x5 only.
import torch
import torch.nn.functional as F

input = torch.tensor([[1, 2, 0, 3, 1],
                      [0, 1, 2, 3, 1],
                      [1, 2, 1, 0, 0],
                      [5, 2, 3, 1, 1],
                      [2, 1, 0, 1, 1]])
kernel = torch.tensor([[1, 2, 1],
                       [0, 1, 0],
                       [2, 1, 0]])


def to_nchw(t):
    return torch.reshape(t, (-1, 1, 5, 5))


def conv_outputs():
    x, k = to_nchw(input), to_nchw(kernel)
    return {"stride1": F.conv2d(x, k, stride=1),
            "stride2": F.conv2d(x, k, stride=2),
            "padding1": F.conv2d(x, k, stride=1, padding=1)}


def pool_outputs():
    x = to_nchw(input).float()
    return {"ceil_true": F.max_pool2d(x, kernel_size=3, ceil_mode=True),
            "ceil_false": F.max_pool2d(x, kernel_size=3, ceil_mode=False)}


def conv_output_size(n, kernel, stride, padding):
    return (n + 2 * padding - kernel) // stride + 1
