# torchvision.transforms.v2 style.
import torch
import torch.nn.functional as F
from torchvision.transforms import v2

to_float = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]

mnist_transform = v2.Compose(to_float + [v2.Normalize(mean=[0.1307], std=[0.3081])])
half_transform = v2.Compose(to_float + [v2.Normalize(mean=[0.5], std=[0.5])])


def one_hot(y):
    return F.one_hot(torch.tensor(y), num_classes=10).float()


resize_512 = v2.Compose([v2.Resize((512, 512))] + to_float)
random_crop_32 = v2.RandomCrop(32)
