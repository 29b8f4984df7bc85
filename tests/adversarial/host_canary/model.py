"""Tries to change a file on the host (the test writes /tmp/torch-grader-host-canary.txt)."""
import os

import torch
from torch import nn

for path in ("/tmp/torch-grader-host-canary.txt", "/work/main/README.md"):
    try:
        with open(path, "w") as handle:
            handle.write("LEAKED: changed by a submission\n")
    except OSError:
        pass
    try:
        os.remove(path)
    except OSError:
        pass


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
