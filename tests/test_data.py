"""Data: the offline stand-in, --data roots (plain and gzipped), torchvision's reader."""
from __future__ import annotations

import gzip
import json
import shutil

import numpy as np
import pytest
import torch
from torchvision import datasets, transforms

from conftest import ROOT
from grader import data
from grader.runner import training


@pytest.fixture()
def standin(cache_dir, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("GRADER_OFFLINE", "1")
    return data.MNIST.load(None)


def test_standin_is_sklearn_digits_in_mnist_format(standin):
    assert standin.standin and "scikit-learn" in standin.note
    assert standin.train_x.shape == (1500, 28, 28) and standin.test_x.shape == (297, 28, 28)
    assert standin.train_x.dtype == np.uint8
    assert sorted(set(standin.train_y.tolist())) == list(range(10))
    # digits sit in the 20x20 centre, like MNIST's, with a 4-pixel empty border
    assert standin.train_x[:, :4, :].max() == 0 and standin.train_x[:, -4:, :].max() == 0
    assert standin.train_x.max() == 255


def test_standin_is_read_back_through_torchvision(standin):
    tv = datasets.MNIST(str(standin.root), train=False, download=False)
    assert torch.equal(tv.data, torch.from_numpy(standin.test_x))
    assert tv.targets.tolist() == standin.test_y.tolist()


def test_one_tensor_equals_totensor_then_normalize_per_sample(standin):
    recipe_x = training.to_tensor(standin.train_x[:50], [0.1307], [0.3081])
    tv = datasets.MNIST(str(standin.root), train=True, download=False,
                        transform=transforms.Compose([transforms.ToTensor(),
                                                      transforms.Normalize((0.1307,), (0.3081,))]))
    per_sample = torch.stack([tv[i][0] for i in range(50)])
    assert recipe_x.shape == per_sample.shape == (50, 1, 28, 28)
    assert torch.allclose(recipe_x, per_sample, atol=1e-6)


def _copy_raw(src_root, dest_root, gz: bool):
    raw = dest_root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.IDX_FILES:
        source = src_root / "MNIST" / "raw" / name
        if gz:
            with open(source, "rb") as fin, gzip.open(raw / f"{name}.gz", "wb") as fout:
                shutil.copyfileobj(fin, fout)
        else:
            shutil.copyfile(source, raw / name)
    return dest_root


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzipped"])
def test_data_root_is_read_plain_or_gzipped_and_recorded(grade, standin, tmp_path, gz):
    root = _copy_raw(standin.root, tmp_path / "datasets", gz)
    results, proc = grade("mnist-mlp", ROOT / "assignments" / "mnist_mlp" / "examples" / "correct",
                          "--data", root)
    source = results["extra_data"]["data"]
    assert source["standin"] is False and source["root"] == str(root)
    assert source["files"]["t10k-labels-idx1-ubyte"] == data.sha256_file(
        standin.root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte")
    assert "stand-in" not in proc.stdout
    assert results["score"] == results["max_score"]


def test_data_root_without_mnist_is_a_usage_error(run_cli, tmp_path):
    (tmp_path / "empty").mkdir()
    proc = run_cli("grade", "mnist-mlp", ROOT / "assignments" / "mnist_mlp" / "examples" / "correct",
                   "--out", tmp_path / "out", "--data", tmp_path / "empty")
    assert proc.returncode == 2
    assert "no MNIST under" in proc.stderr and "train-images-idx3-ubyte" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "results.json").exists()


def test_write_idx_round_trips_through_torchvision(tmp_path):
    images = np.random.RandomState(1).randint(0, 256, size=(7, 28, 28)).astype(np.uint8)
    labels = np.arange(7, dtype=np.uint8)
    raw = tmp_path / "MNIST" / "raw"
    data.write_idx(raw / "train-images-idx3-ubyte", images)
    data.write_idx(raw / "train-labels-idx1-ubyte", labels)
    data.write_idx(raw / "t10k-images-idx3-ubyte", images[:3])
    data.write_idx(raw / "t10k-labels-idx1-ubyte", labels[:3])
    loaded = data.MNIST.load(tmp_path)
    assert np.array_equal(loaded.train_x, images) and loaded.train_y.tolist() == list(range(7))
    assert data.MNIST.load(tmp_path).fingerprint == loaded.fingerprint  # stable
    data.write_idx(raw / "t10k-labels-idx1-ubyte", labels[:3][::-1])
    assert data.MNIST.load(tmp_path).fingerprint != loaded.fingerprint  # follows the files
    assert json.dumps(loaded.source())  # plain JSON for results.json
