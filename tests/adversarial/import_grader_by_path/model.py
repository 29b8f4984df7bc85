"""Imports the grader and reads the reference solution by path."""
import importlib
import os
import sys

import torch
from torch import nn

FOUND = []
for guess in ("/work/main", os.getcwd() + "/../../..", "/root", "/opt", "/srv", "/home"):
    sys.path.insert(0, guess)
try:
    importlib.import_module("grader")
    FOUND.append("import grader")
except ImportError:
    pass
for top in ("/work", "/root", "/home", "/srv", "/opt", "/tmp", "/usr/local", os.path.dirname(os.getcwd())):
    for root, dirs, files in os.walk(top, onerror=lambda e: None):
        paths = [os.path.join(root, f) for f in files]
        FOUND += [p for p in paths if p.endswith(("grader/hookspecs.py", "reference/mnist_mlp/model.py"))]
if FOUND:
    raise RuntimeError("LEAKED the grader or the reference: " + ", ".join(FOUND[:5]))


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
