"""Reads the environment and home folders for secrets."""
import glob
import os

import torch
from torch import nn

FOUND = [k for k in os.environ if k.startswith(("GRADER", "PYTEST", "CI", "SSH", "AWS", "GITHUB", "VIRTUAL_ENV"))]
for home in ["/root", os.path.expanduser("~")] + glob.glob("/home/*"):
    try:
        names = os.listdir(home)
    except OSError:
        continue
    if any(n.startswith((".bash", ".ssh", ".git", ".config", ".cache")) for n in names):
        FOUND.append(home)
if FOUND:
    raise RuntimeError("LEAKED the environment or a home folder: " + ", ".join(FOUND[:5]))


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
