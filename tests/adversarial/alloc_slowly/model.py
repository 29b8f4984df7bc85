"""Allocates memory 64 MiB at a time until something gives."""
import torch
from torch import nn

HOARD = []
while True:
    HOARD.append(bytearray(64 * 1024 * 1024))


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
