"""Example: a correct digit-features submission, written as one nn.Sequential."""
from torch import nn


class Features(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, 4, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                 nn.Linear(576, 32), nn.ReLU())

    def forward(self, x):
        return self.net(x)
