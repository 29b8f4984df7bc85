"""The notes' code as written: vgg16_true with ImageNet weights, then add_module. Nothing may be downloaded."""
import torchvision
from torch import nn


def build_model():
    vgg16_true = torchvision.models.vgg16(pretrained=True)
    vgg16_true.classifier.add_module("add_Linear", nn.Linear(1000, 10))
    return vgg16_true
