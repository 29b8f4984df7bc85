"""Sends its code to a listener on 127.0.0.1 (the test opens one on port 47213)."""
import socket

import torch
from torch import nn

with socket.create_connection(("127.0.0.1", 47213), timeout=5) as conn:
    conn.sendall(b"LEAKED over TCP")


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
