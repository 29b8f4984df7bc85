"""Example: a typical digit-features mistake -- no ReLU after the last layer, so features can be negative."""
from torch import nn


class Features(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, 4, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(576, 32))

    def forward(self, x):
        return self.net(x)
