# Plain functions written with torchvision.transforms.functional, normalising by hand.
import torch
import torchvision.transforms.functional as TF
from torchvision import transforms


def mnist_transform(img):
    return (TF.to_tensor(img) - 0.1307) / 0.3081


def half_transform(img):
    return (TF.to_tensor(img) - 0.5) / 0.5  # [0, 1] -> [-1, 1]


def one_hot(label):
    vector = torch.zeros(10)
    vector[label] = 1.0
    return vector


def resize_512(img):
    return TF.to_tensor(TF.resize(img, [512, 512]))


def random_crop_32(img):
    top, left, height, width = transforms.RandomCrop.get_params(img, output_size=(32, 32))
    return TF.crop(img, top, left, height, width)
