import torch.nn.functional as F
from torch import nn


class Network(nn.Module):
    """Layers in an nn.ModuleList, x.flatten and F.relu in forward."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(784, 256), nn.Linear(256, 10)])

    def forward(self, x):
        x = x.flatten(1)
        x = F.relu(self.blocks[0](x))
        return self.blocks[1](x)
