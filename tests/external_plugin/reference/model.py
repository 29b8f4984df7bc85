"""Reference for digit-features."""
import torch
from torch import nn


class Features(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, kernel_size=5)  # (N, 4, 24, 24)
        self.pool = nn.MaxPool2d(2)  # (N, 4, 12, 12)
        self.fc = nn.Linear(4 * 12 * 12, 32)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x)))
        return torch.relu(self.fc(x.flatten(1)))
