"""weights.pth is the state_dict of a Network with 32 hidden units, not 256."""
import torch
from torch import nn


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)  # input layer to hidden layer
        self.layer2 = nn.Linear(256, 10)  # hidden layer to output layer

    def forward(self, x):
        x = x.view(-1, 28 * 28)  # flatten (N, 1, 28, 28) or (N, 28, 28) to (N, 784)
        x = self.layer1(x)
        x = torch.relu(x)
        return self.layer2(x)
