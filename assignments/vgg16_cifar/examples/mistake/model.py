"""Example: a typical vgg16-cifar mistake -- the two ways mixed up.

The notes either replace classifier[6] with Linear(4096, 10) or append
Linear(1000, 10) after it. Appending Linear(4096, 10) puts a layer that
expects 4096 features after one that gives 1000, so the forward pass fails.
"""
import torchvision
from torch import nn


def build_model():
    vgg16 = torchvision.models.vgg16(weights=None)
    vgg16.classifier.add_module("add_linear", nn.Linear(4096, 10))
    return vgg16
