import torch
from torch import nn


class Network(nn.Module):
    """An extra hidden layer."""

    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer_extra = nn.Linear(256, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        x = torch.relu(self.layer1(x))
        x = torch.relu(self.layer_extra(x))
        return self.layer2(x)
