"""CustomImageDataset takes no target_transform: __init__(self, annotations_file, img_dir, transform=None)."""
import csv
import os

from PIL import Image
from torch.utils.data import Dataset
from torchvision.io import read_image


class CustomImageDataset(Dataset):
    def __init__(self, annotations_file, img_dir, transform=None):
        with open(annotations_file, newline="") as f:
            self.rows = [(row["file"], int(row["label"])) for row in csv.DictReader(f)]
        self.img_dir = img_dir
        self.transform = transform
        self.target_transform = None

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, idx):
        file, label = self.rows[idx]
        image = read_image(os.path.join(self.img_dir, file))
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label


class MyData(Dataset):
    def __init__(self, root_dir, label_dir):
        self.root_dir = root_dir
        self.label_dir = label_dir
        self.path = os.path.join(root_dir, label_dir)
        self.img_path = os.listdir(self.path)

    def __getitem__(self, idx):
        img = Image.open(os.path.join(self.path, self.img_path[idx]))
        return img, self.label_dir

    def __len__(self):
        return len(self.img_path)
