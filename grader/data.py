"""Datasets, read with torchvision's own classes from a torchvision dataset root.

Where the data comes from, in order:

1. ``--data ROOT``: a torchvision dataset root (``ROOT/MNIST/raw/...``);
   missing files are an error that names the expected paths.
2. The data cache dir (platformdirs' user cache, or ``$GRADER_CACHE_DIR``),
   where the real data is downloaded on first use when the machine is online
   (set ``GRADER_OFFLINE=1`` to skip the attempt).
3. The offline stand-in: data the grader generates in the real on-disk
   format and reads through the same torchvision class. For MNIST it is
   scikit-learn's real handwritten digits (1,797 images of 8x8) upscaled to
   20x20 and padded to 28x28 as MNIST digits are, split 1,500 / 297 with a
   fixed permutation. Every report names it as a stand-in.

A loaded dataset is plain numpy: the training split as one uint8 array, so
training time goes to the model, and the test split's labels, which stay in
the grader's process.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import numpy as np
import platformdirs

from grader.errors import UsageError


def cache_dir() -> Path:
    """The grader's cache folder (data, reference runs); ``$GRADER_CACHE_DIR`` overrides."""
    path = Path(os.environ.get("GRADER_CACHE_DIR") or platformdirs.user_cache_dir("torch-grader"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Dataset:
    """A loaded dataset: arrays plus where they came from."""

    name: str
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray  # hidden labels: never staged for the runner
    classes: list[str]
    root: Path
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    standin: bool = False
    note: str = ""

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(self.name.encode())
        for name in sorted(self.files):
            digest.update(f"{name}={self.files[name]}".encode())
        return digest.hexdigest()[:16]

    def source(self) -> dict:
        """What ``results.json`` and the report say about the data."""
        return {"name": self.name, "root": str(self.root), "standin": self.standin, "note": self.note,
                "fingerprint": self.fingerprint, "files": self.files,
                "train": int(len(self.train_y)), "test": int(len(self.test_y))}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------
# IDX files (MNIST's on-disk format)
# --------------------------------------------------------------------------


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array in the IDX format torchvision's MNIST reads."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + array.tobytes())


IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def digits_standin(raw: Path) -> None:
    """scikit-learn's digits as MNIST: 20x20 digits centred in 28x28, 1,500 / 297."""
    import torch
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.from_numpy(digits.images.astype(np.float32) / 16.0).unsqueeze(1)
    big = torch.nn.functional.interpolate(images, size=(20, 20), mode="bilinear", align_corners=False)
    padded = torch.nn.functional.pad(big, (4, 4, 4, 4)).squeeze(1)
    pixels = (padded.clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    order = np.random.RandomState(0).permutation(len(pixels))
    train, test = order[:1500], order[1500:]
    labels = digits.target.astype(np.uint8)
    write_idx(raw / IDX_FILES[0], pixels[train])
    write_idx(raw / IDX_FILES[1], labels[train])
    write_idx(raw / IDX_FILES[2], pixels[test])
    write_idx(raw / IDX_FILES[3], labels[test])


@dataclass
class IdxSpec:
    """A dataset in MNIST's IDX layout, read by a torchvision class (MNIST, FashionMNIST)."""

    name: str  # torchvision's class name and folder name
    make_standin: Callable[[Path], None]
    standin_note: str
    standin_version: str = "1"

    def _raw(self, root: Path) -> Path:
        return root / self.name / "raw"

    def _present(self, root: Path) -> bool:
        raw = self._raw(root)
        return all((raw / f).is_file() or (raw / f"{f}.gz").is_file() for f in IDX_FILES)

    def _ungzipped_root(self, root: Path) -> Path:
        """Where the plain IDX files are: ``root`` itself, or a cache copy of the gunzipped files."""
        raw = self._raw(root)
        if all((raw / f).is_file() for f in IDX_FILES):
            return root
        digest = hashlib.sha256(b"".join(sha256_file(raw / f"{f}.gz").encode() for f in IDX_FILES
                                         if not (raw / f).is_file())).hexdigest()[:16]
        target = cache_dir() / "gunzipped" / digest
        out = self._raw(target)
        for f in IDX_FILES:
            if (out / f).is_file():
                continue
            out.mkdir(parents=True, exist_ok=True)
            if (raw / f).is_file():
                shutil.copyfile(raw / f, out / f)
            else:
                with gzip.open(raw / f"{f}.gz", "rb") as fin, open(out / f".{f}.part", "wb") as fout:
                    shutil.copyfileobj(fin, fout)
                os.replace(out / f".{f}.part", out / f)
        return target

    def read(self, root: Path, *, standin: bool = False) -> Dataset:
        """Read both splits through torchvision's class for this dataset."""
        import torchvision

        cls = getattr(torchvision.datasets, self.name)
        plain = self._ungzipped_root(root)
        try:
            train = cls(str(plain), train=True, download=False)
            test = cls(str(plain), train=False, download=False)
        except Exception as exc:  # torchvision says "Dataset not found" or the file is damaged
            raise UsageError(f"cannot read {self.name} under {root}: {exc}") from exc
        raw = self._raw(plain)
        return Dataset(
            name=self.name, root=root, standin=standin, note=self.standin_note if standin else "",
            train_x=train.data.numpy(), train_y=train.targets.numpy().astype(np.int64),
            test_x=test.data.numpy(), test_y=test.targets.numpy().astype(np.int64),
            classes=[str(c) for c in getattr(train, "classes", [])],
            files={f: sha256_file(raw / f) for f in IDX_FILES},
        )

    def standin_root(self) -> Path:
        root = cache_dir() / "standin" / f"{self.name}-v{self.standin_version}"
        if not self._present(root):
            tmp = root.with_name(root.name + f".tmp{os.getpid()}")
            shutil.rmtree(tmp, ignore_errors=True)
            self.make_standin(self._raw(tmp))
            try:
                os.replace(tmp, root)
            except OSError:  # another grader made it first
                shutil.rmtree(tmp, ignore_errors=True)
        return root

    def download(self, root: Path) -> bool:
        """Try torchvision's download into ``root``; False when offline."""
        import torchvision

        mirrors = getattr(getattr(torchvision.datasets, self.name), "mirrors", [])
        if not mirrors or not _online(urlparse(mirrors[0]).hostname):
            return False

        try:
            getattr(torchvision.datasets, self.name)(str(root), train=True, download=True)
            getattr(torchvision.datasets, self.name)(str(root), train=False, download=True)
        except Exception:
            return False
        return self._present(root)

    def load(self, root: Path | None) -> Dataset:
        if root is not None:
            root = Path(root)
            if not self._present(root):
                raw = self._raw(root)
                raise UsageError(f"no {self.name} under {root}: expected {raw}/train-images-idx3-ubyte "
                                 "(or .gz) and the other three IDX files")
            return self.read(root)
        cached = cache_dir() / "data"
        if self._present(cached) or self.download(cached):
            return self.read(cached)
        return self.read(self.standin_root(), standin=True)


def _online(host: str, timeout: float = 3.0) -> bool:
    """Whether a download is worth trying; remembered for an hour when it is not."""
    if os.environ.get("GRADER_OFFLINE"):
        return False
    marker = cache_dir() / "offline-since"
    if marker.exists() and time.time() - marker.stat().st_mtime < 3600:
        return False
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        marker.touch()
        return False


MNIST = IdxSpec(
    name="MNIST",
    make_standin=digits_standin,
    standin_note="offline stand-in: scikit-learn's handwritten digits (1,797 real 8x8 digits, upscaled "
                 "to 28x28), 1,500 training and 297 test images, in MNIST's on-disk format",
)
