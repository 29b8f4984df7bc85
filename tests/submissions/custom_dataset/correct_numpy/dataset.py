# Another style: numpy reads the CSV (labels come out as numpy.int64, as pandas' iloc gives them),
# pathlib paths, `is not None` tests, and MyData's files sorted.
from pathlib import Path

import numpy as np
from PIL import Image
from torch.utils.data import Dataset
from torchvision.io import read_image


class CustomImageDataset(Dataset):
    def __init__(self, annotations_file, img_dir, transform=None, target_transform=None):
        table = np.loadtxt(annotations_file, delimiter=",", dtype=str, skiprows=1, ndmin=2)
        self.files = [Path(img_dir) / name for name in table[:, 0]]
        self.labels = table[:, 1].astype(np.int64)
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.files)

    def __getitem__(self, idx):
        image, label = read_image(str(self.files[idx])), self.labels[idx]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label


class MyData(Dataset):
    def __init__(self, root_dir, label_dir):
        super().__init__()
        self.label_dir = label_dir
        self.paths = sorted(p for p in (Path(root_dir) / label_dir).iterdir() if p.is_file())

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, idx):
        return Image.open(self.paths[idx]), self.label_dir
