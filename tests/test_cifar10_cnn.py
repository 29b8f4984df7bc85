"""cifar10-cnn graded through the CLI on the synthetic CIFAR-10 stand-in, read by torchvision's CIFAR10."""
from __future__ import annotations

import pytest

from conftest import ROOT, SUBMISSIONS

CIFAR = SUBMISSIONS / "cifar10_cnn"
EXAMPLES = ROOT / "assignments" / "cifar10_cnn" / "examples"


@pytest.mark.parametrize("folder", [EXAMPLES / "correct", CIFAR / "correct_functional"])
def test_correct_spellings_get_full_marks(grade, folder):
    results, proc = grade("cifar10-cnn", folder)
    assert results["score"] == results["max_score"] == 10, proc.stdout
    extra = results["extra_data"]
    assert extra["data"]["name"] == "CIFAR10" and extra["data"]["standin"] is True
    assert "synthetic" in extra["data"]["note"] and "synthetic" in results["output"]
    assert set(extra["data"]["files"]) == {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
                                           "data_batch_5", "test_batch", "batches.meta"}
    assert "145,578 trainable parameters" in proc.stdout or any(
        "145,578" in t["output"] for t in results["tests"])


def _check(run_cli, folder):
    proc = run_cli("check", "cifar10-cnn", folder)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = " ".join(proc.stdout.split())
    failed = {line.split()[-2] for line in proc.stdout.splitlines() if line.startswith("FAIL")}
    return failed, text


def test_padding_that_breaks_the_flatten(run_cli):
    failed, text = _check(run_cli, EXAMPLES / "mistake")
    assert "interface" in failed and "architecture" in failed
    assert "(5x256 and 1024x64)" in text  # what the student's Linear(1024, 64) received
    assert "64 * 4 * 4 = 1024" in text  # the hint that says where 1024 comes from


def test_wrong_channels(run_cli):
    failed, text = _check(run_cli, CIFAR / "wrong_channels")
    assert failed == {"parameters", "architecture"}
    assert "more trainable parameters than the reference" in text
    assert "Conv2d(32, 32, kernel_size=5, padding=2)" in text  # the reference's layer, in the trace diff
    # grader check writes no report: every step that differs is in the message itself, reference | yours
    assert "3 step(s) differ (reference | yours):" in text
    assert ("step 5: Conv2d(32, 64, kernel_size=5, padding=2) -> (N, 64, 8, 8) | "
            "Conv2d(64, 64, kernel_size=5, padding=2) -> (N, 64, 8, 8)") in text


def test_only_the_graders_own_standin_skips_torchvision_md5_check(cache_dir, monkeypatch, tmp_path):
    """The stand-in is read by torchvision's CIFAR10 with the sums the grader recorded; the same files given as
    --data are checked against the real CIFAR-10's sums (and refused), and no folder without the grader's mark
    is ever read as a stand-in."""
    import shutil

    from grader import data
    from grader.errors import UsageError

    monkeypatch.setenv("GRADER_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("GRADER_OFFLINE", "1")
    standin = data.CIFAR10.load(None)
    assert standin.standin and "synthetic" in standin.note
    assert standin.train_x.shape == (2000, 32, 32, 3) and standin.test_x.shape == (500, 32, 32, 3)
    assert standin.classes[:2] == ["airplane", "automobile"] and sorted(set(standin.test_y.tolist())) == list(range(10))

    copy = tmp_path / "datasets" / data.CIFAR_FOLDER
    shutil.copytree(standin.root / data.CIFAR_FOLDER, copy)
    with pytest.raises(UsageError, match="cannot read CIFAR10 under .*corrupted"):
        data.CIFAR10.load(tmp_path / "datasets")  # --data: torchvision's md5 check against the real files
    (copy / data.STANDIN_MARK).unlink()
    with pytest.raises(UsageError, match="is not a stand-in the grader made"):
        data.standin_cifar10(copy)
