from torch import nn


class Network(nn.Module):
    """The perceptron as one nn.Sequential with nn.Flatten and nn.ReLU."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))

    def forward(self, x):
        return self.net(x)
