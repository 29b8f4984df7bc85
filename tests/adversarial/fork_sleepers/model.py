"""Forks 300 sleeping processes."""
import os
import time

import torch
from torch import nn

for _ in range(300):
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "987651"])


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
