"""Reference for vgg16-cifar, the second way the notes teach: append Linear(1000, 10) (138,367,554 parameters).

The notes do this to the pretrained model; the grader never downloads
weights, so the reference builds the same architecture from weights=None.
"""
import torchvision
from torch import nn


def build_model():
    vgg16 = torchvision.models.vgg16(weights=None)
    vgg16.classifier.add_module("add_Linear", nn.Linear(1000, 10))
    return vgg16
