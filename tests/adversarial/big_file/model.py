"""Writes a 10 GB file next to itself."""
import torch
from torch import nn

block = b"x" * (16 * 1024 * 1024)
with open("huge.bin", "wb") as handle:
    for _ in range(640):  # 10 GiB
        handle.write(block)


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
