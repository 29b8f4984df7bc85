"""Reference for transforms: the course's transforms (notes 000, 001, 002 and 003)."""
import torch
from torchvision import transforms

# ToTensor then Normalize with MNIST's mean and std (notes 001).
mnist_transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])

# ToTensor then Normalize((0.5,), (0.5,)): pixels to [-1, 1] (notes 000).
half_transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])

# int label -> float one-hot of 10 (notes 002: Lambda + scatter_).
one_hot = transforms.Lambda(lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1))

# Resize a PIL image to 512x512, then ToTensor (notes 003).
resize_512 = transforms.Compose([transforms.Resize((512, 512)), transforms.ToTensor()])

# A random 32x32 window (notes 003).
random_crop_32 = transforms.RandomCrop(32)
