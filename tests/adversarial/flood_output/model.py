"""Prints 300 MB of output full of terminal escape sequences, then behaves."""
import sys

import torch
from torch import nn

CHUNK = ("\x1b[2J\x1b[31mACCURACY 100%\x1b]0;pwned\x07\x1b[0m \xff" + "A" * 1000 + "\n") * 1000
for _ in range(300):
    sys.stdout.write(CHUNK)
    sys.stderr.write(CHUNK)
sys.stdout.flush()


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
