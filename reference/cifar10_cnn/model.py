"""Reference for cifar10-cnn: the notes' Tudui built with nn.Sequential (course notes 003), 145,578 parameters.

(N, 3, 32, 32) -> three 5x5 convolutions with padding 2 (the size stays) each
followed by 2x2 max-pooling (32 -> 16 -> 8 -> 4) -> Flatten (64 * 4 * 4 =
1024) -> Linear(1024, 64) -> Linear(64, 10).
"""
from torch import nn
from torch.nn import Conv2d, Flatten, Linear, MaxPool2d, Sequential


class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.model1 = Sequential(
            Conv2d(3, 32, 5, padding=2),
            MaxPool2d(2),
            Conv2d(32, 32, 5, padding=2),
            MaxPool2d(2),
            Conv2d(32, 64, 5, padding=2),
            MaxPool2d(2),
            Flatten(),
            Linear(1024, 64),
            Linear(64, 10),
        )

    def forward(self, x):
        x = self.model1(x)
        return x
