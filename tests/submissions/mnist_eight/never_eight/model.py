"""The right CNN, but its logit is pushed down by 20: it answers "not 8" for almost every digit.

The few hundred training steps cannot undo the shift, so about nine test
digits in ten are still "right" (accuracy about 90 %) while hardly any 8 is
found: balanced accuracy about 50 %. The mark must not reward it.
"""
import torch
import torch.nn as nn


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1, 1)
        self.fc1 = nn.Linear(3136, 128)
        self.fc2 = nn.Linear(128, 1)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.relu(self.fc1(x.view(x.size(0), -1)))
        return self.fc2(x) - 20.0
