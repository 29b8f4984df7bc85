"""Example: a correct vgg16-cifar submission -- the notes' first way, replacing classifier[6]."""
import torchvision
from torch import nn


def build_model():
    vgg16_false = torchvision.models.vgg16(weights=None)
    vgg16_false.classifier[6] = nn.Linear(4096, 10)
    return vgg16_false


if __name__ == "__main__":
    print(build_model())
