# Another style: nn.Conv2d with the kernel as its weight, nn.MaxPool2d layers, unsqueeze, math.floor.
import math

import torch
from torch import nn

INPUT = torch.tensor([[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]],
                     dtype=torch.float32)
KERNEL = torch.tensor([[1, 2, 1], [0, 1, 0], [2, 1, 0]], dtype=torch.float32)


def to_nchw(t):
    return t.unsqueeze(0).unsqueeze(0)


def _conv(stride, padding):
    layer = nn.Conv2d(1, 1, kernel_size=3, stride=stride, padding=padding, bias=False)
    with torch.no_grad():
        layer.weight.copy_(to_nchw(KERNEL))
        return layer(to_nchw(INPUT))


def conv_outputs():
    return {"stride1": _conv(1, 0), "stride2": _conv(2, 0), "padding1": _conv(1, 1)}


def pool_outputs():
    x = to_nchw(INPUT)
    return {"ceil_true": nn.MaxPool2d(3, ceil_mode=True)(x), "ceil_false": nn.MaxPool2d(3)(x)}


def conv_output_size(n, kernel, stride, padding):
    return math.floor((n + 2 * padding - kernel) / stride) + 1
