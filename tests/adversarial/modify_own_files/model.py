"""A too-narrow network that tries to rewrite its own submitted file (and add one) into a correct one."""
import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
for name in ("model.py", "planted.py"):
    try:
        with open(os.path.join(HERE, name), "w") as handle:
            handle.write("LEAKED = True\n")
    except OSError:
        pass


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 128)
        self.layer2 = nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
