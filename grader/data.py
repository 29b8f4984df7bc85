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

    def missing(self, root: Path) -> str:
        """What ``--data ROOT`` lacks, in one sentence."""
        return (f"no {self.name} under {root}: expected {self._raw(root)}/train-images-idx3-ubyte "
                "(or .gz) and the other three IDX files")

    def load(self, root: Path | None) -> Dataset:
        if root is not None:
            root = Path(root)
            if not self._present(root):
                raise UsageError(self.missing(root))
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


def fashion_standin(raw: Path) -> None:
    """Synthetic garments as FashionMNIST's IDX files: 6,000 training and 1,000 test images."""
    from grader import standins

    train_y = standins.balanced_labels(6000, 10, seed=1)
    test_y = standins.balanced_labels(1000, 10, seed=2)
    write_idx(raw / IDX_FILES[0], standins.fashion_images(train_y, seed=11))
    write_idx(raw / IDX_FILES[1], train_y)
    write_idx(raw / IDX_FILES[2], standins.fashion_images(test_y, seed=12))
    write_idx(raw / IDX_FILES[3], test_y)


FASHION_MNIST = IdxSpec(
    name="FashionMNIST",
    make_standin=fashion_standin,
    standin_note="offline stand-in: synthetic garments drawn by the grader (not FashionMNIST images: 10 "
                 "classes of shapes with FashionMNIST's names, varied in size, position and texture, with "
                 "noise), 6,000 training and 1,000 test images, in FashionMNIST's on-disk format",
)


# --------------------------------------------------------------------------
# CIFAR-10's python batches
# --------------------------------------------------------------------------

CIFAR_FOLDER = "cifar-10-batches-py"
CIFAR_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch", "batches.meta")
STANDIN_MARK = "grader-standin.json"  # written by the grader beside the stand-in files it drew


def cifar_standin(folder: Path) -> None:
    """Synthetic scenes in CIFAR-10's layout: five training batches of 400, a test batch of 500.

    The batches are the pickled dicts torchvision reads; ``STANDIN_MARK``
    records their md5 sums, which stand in for the real files' sums when
    torchvision checks them (see :func:`standin_cifar10`).
    """
    import json
    import pickle

    from grader import standins

    folder.mkdir(parents=True, exist_ok=True)

    def batch(name: str, labels: np.ndarray, seed: int) -> None:
        images = standins.cifar_images(labels, seed)  # (N, 32, 32, 3), stored as CIFAR's (N, 3072) rows
        rows = np.ascontiguousarray(images.transpose(0, 3, 1, 2).reshape(len(labels), -1))
        entry = {"batch_label": f"synthetic stand-in {name}", "labels": [int(y) for y in labels], "data": rows,
                 "filenames": [f"synthetic_{name}_{i:05d}.png" for i in range(len(labels))]}
        with open(folder / name, "wb") as handle:
            pickle.dump(entry, handle, protocol=2)

    for i in range(5):
        batch(f"data_batch_{i + 1}", standins.balanced_labels(400, 10, seed=20 + i), seed=30 + i)
    batch("test_batch", standins.balanced_labels(500, 10, seed=29), seed=39)
    with open(folder / "batches.meta", "wb") as handle:
        pickle.dump({"label_names": list(standins.CIFAR_CLASSES), "num_cases_per_batch": 400, "num_vis": 3072},
                    handle, protocol=2)
    sums = {name: hashlib.md5((folder / name).read_bytes()).hexdigest() for name in CIFAR_FILES}
    (folder / STANDIN_MARK).write_text(json.dumps({"standin": True, "md5": sums}), encoding="utf-8")


def standin_cifar10(folder: Path):
    """torchvision's CIFAR10 class, checking the files against the sums the grader recorded.

    Only for a folder the grader drew itself: without its ``STANDIN_MARK``
    this refuses, so real (or unknown) data is always checked against the
    real CIFAR-10's sums before torchvision unpickles it.
    """
    import json

    import torchvision

    mark = folder / STANDIN_MARK
    if not mark.is_file():
        raise UsageError(f"{folder} is not a stand-in the grader made (no {STANDIN_MARK})")
    sums = json.loads(mark.read_text(encoding="utf-8"))["md5"]
    base = torchvision.datasets.CIFAR10
    return type("StandinCIFAR10", (base,), {
        "train_list": [[name, sums[name]] for name, _ in base.train_list],
        "test_list": [[name, sums[name]] for name, _ in base.test_list],
        "meta": {**base.meta, "md5": sums[base.meta["filename"]]},
    })


@dataclass
class CifarSpec(IdxSpec):
    """CIFAR-10 in its python layout (``ROOT/cifar-10-batches-py/``), read by ``torchvision.datasets.CIFAR10``.

    Finding, downloading and caching work as for :class:`IdxSpec`. torchvision
    checks each file's md5 sum against the real CIFAR-10's before it
    unpickles it; the grader's own stand-in is checked against the sums it
    recorded when it drew it, and only the stand-in is read that way.
    """

    def _raw(self, root: Path) -> Path:
        return root / CIFAR_FOLDER

    def _present(self, root: Path) -> bool:
        return all((self._raw(root) / f).is_file() for f in CIFAR_FILES)

    def missing(self, root: Path) -> str:
        return (f"no {self.name} under {root}: expected {self._raw(root)}/data_batch_1 ... data_batch_5, "
                "test_batch and batches.meta (the python version of CIFAR-10)")

    def read(self, root: Path, *, standin: bool = False) -> Dataset:
        import torchvision

        cls = standin_cifar10(self._raw(root)) if standin else torchvision.datasets.CIFAR10
        try:
            train = cls(str(root), train=True, download=False)
            test = cls(str(root), train=False, download=False)
        except Exception as exc:  # torchvision says "not found or corrupted"
            raise UsageError(f"cannot read {self.name} under {root}: {exc}") from exc
        return Dataset(
            name=self.name, root=root, standin=standin, note=self.standin_note if standin else "",
            train_x=np.ascontiguousarray(train.data), train_y=np.asarray(train.targets, dtype=np.int64),
            test_x=np.ascontiguousarray(test.data), test_y=np.asarray(test.targets, dtype=np.int64),
            classes=[str(c) for c in train.classes],
            files={f: sha256_file(self._raw(root) / f) for f in CIFAR_FILES},
        )

    def download(self, root: Path) -> bool:
        import torchvision

        if not _online(urlparse(torchvision.datasets.CIFAR10.url).hostname):
            return False
        try:
            torchvision.datasets.CIFAR10(str(root), train=True, download=True)
        except Exception:
            return False
        return self._present(root)


CIFAR10 = CifarSpec(
    name="CIFAR10",
    make_standin=cifar_standin,
    standin_note="offline stand-in: synthetic scenes drawn by the grader (not CIFAR-10 images: 10 classes of "
                 "coloured shapes with CIFAR-10's names, varied in size, position, colour and brightness, with "
                 "noise), 2,000 training and 500 test images, in CIFAR-10's python layout",
)
