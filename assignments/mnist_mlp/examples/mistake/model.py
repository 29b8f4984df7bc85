"""Example: a typical mnist-mlp mistake -- the ReLU between the two layers is missing.

Without an activation the two linear layers collapse into one linear map, so
the network is only a linear classifier. The parameter count is still right:
only the layer-by-layer trace (and the accuracy) shows the mistake.
"""
from torch import nn


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        x = self.layer1(x)
        return self.layer2(x)
