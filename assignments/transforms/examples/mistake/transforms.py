"""transforms, a typical mistake: Normalize's mean and std swapped in mnist_transform."""
import torch
from torchvision import transforms

mnist_transform = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.3081,), (0.1307,)),
])

half_transform = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.5,), (0.5,)),
])

one_hot = transforms.Lambda(lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1))

resize_512 = transforms.Compose([transforms.Resize((512, 512)), transforms.ToTensor()])

random_crop_32 = transforms.RandomCrop(32)
