"""Example: a typical mnist-eight mistake -- a softmax before BCEWithLogitsLoss.

Softmax over a single output is always 1, so every image gets the same
logit: the loss cannot go down, and the model answers "8" for every digit.
BCEWithLogitsLoss applies the sigmoid itself; forward must return the raw
logit. (Its plain accuracy would be about 10 %; a model answering "not 8"
everywhere would have about 90 %: both have a balanced accuracy of 50 %.)
"""
import torch
import torch.nn as nn


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, stride=1, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 1)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        x = torch.relu(self.fc1(x))
        return torch.softmax(self.fc2(x), dim=1)
