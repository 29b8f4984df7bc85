# Mistake: F.one_hot without num_classes, so the vector is as long as the label + 1.
import torch
from torchvision import transforms

mnist_transform = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.1307,), (0.3081,)),
])

half_transform = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.5,), (0.5,)),
])


def one_hot(y):
    return torch.nn.functional.one_hot(torch.tensor(y)).float()


resize_512 = transforms.Compose([transforms.Resize((512, 512)), transforms.ToTensor()])

random_crop_32 = transforms.RandomCrop(32)
