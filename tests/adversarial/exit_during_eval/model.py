"""Leaves with os._exit(0) in the middle of the evaluation."""
import os

import torch
from torch import nn


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        out = self.layer2(torch.relu(self.layer1(x.view(-1, 28 * 28))))
        if not self.training and len(x) > 5:  # evaluation on the test images
            os._exit(0)
        return out
