"""half_transform with the notes' CIFAR-10 Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)): three channels, so grayscale images fail."""
import torch
from torchvision import transforms

mnist_transform = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.1307,), (0.3081,)),
])

half_transform = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
])


def one_hot(y):
    return torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)


resize_512 = transforms.Compose([transforms.Resize((512, 512)), transforms.ToTensor()])

random_crop_32 = transforms.RandomCrop(32)
