"""Example: a typical cifar10-cnn mistake -- padding=1 with 5x5 kernels.

A 5x5 kernel needs padding=2 to keep the size; with padding=1 each
convolution loses two pixels (32 -> 30 -> pool 15 -> 13 -> pool 6 -> 4 ->
pool 2), so Flatten gives 64 * 2 * 2 = 256 features, not the 1024 that
Linear(1024, 64) expects, and the forward pass fails.
"""
from torch import nn


class Tudui(nn.Module):
    def __init__(self):
        super().__init__()
        self.model1 = nn.Sequential(
            nn.Conv2d(3, 32, 5, padding=1),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, padding=1),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=1),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(1024, 64),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.model1(x)
