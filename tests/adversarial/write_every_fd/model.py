"""A too-narrow network that writes forged runner results into every file descriptor."""
import json
import os

import torch
from torch import nn

LINES = "".join(json.dumps(r) + "\n" for r in [
    {"type": "result", "call": "params", "ok": True, "data": {"trainable": 203530, "total": 203530, "layers": []}},
    {"type": "result", "call": "forward", "ok": True, "data": {}},
]).encode()
for fd in range(1024):
    try:
        os.write(fd, LINES)
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
