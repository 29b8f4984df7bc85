"""Correct, the notes' second way: append Linear(1000, 10) with add_module (here with the legacy pretrained=False)."""
import torchvision
from torch import nn


def build_model():
    vgg16 = torchvision.models.vgg16(pretrained=False)
    vgg16.classifier.add_module("add_Linear", nn.Linear(1000, 10))
    return vgg16
