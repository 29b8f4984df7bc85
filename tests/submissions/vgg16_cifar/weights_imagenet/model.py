"""The notes' first way, with ImageNet weights asked for by name (weights="IMAGENET1K_V1"). Nothing may be downloaded."""
import torchvision
from torch import nn


def build_model():
    model = torchvision.models.vgg16(weights="IMAGENET1K_V1")
    model.classifier[6] = nn.Linear(4096, 10)
    return model
