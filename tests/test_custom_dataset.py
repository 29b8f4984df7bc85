"""custom-dataset graded through the CLI: CustomImageDataset over a CSV, MyData over folders.

Correct submissions in several styles get full marks under ``grader grade``
and ``grader check``; each typical mistake fails exactly the test it should,
with the sentence and hint the student reads, and the tests after it are
skipped rather than failed again.
"""
from __future__ import annotations

import json

import pytest

from conftest import SUBMISSIONS, by_kind, failures

CASES = SUBMISSIONS / "custom_dataset"
FULL = 11


def skipped(results: dict) -> set[str]:
    return {t["name"] for t in results["tests"] if t["output"].startswith("Not checked")}


def test_notes_style_gets_full_marks_with_tags(grade):
    results, proc = grade("custom-dataset", CASES / "correct_csv_reader")
    assert results["score"] == results["max_score"] == FULL, proc.stdout
    kinds = by_kind(results)
    assert set(kinds) == {"import", "dataset"}
    assert len(kinds["dataset"]) == 8
    assert results["extra_data"]["data"] is None  # fixtures are generated; no dataset is loaded


def test_the_notes_pandas_code_passes_grader_check(run_cli, tmp_path):
    """The notes' own CustomImageDataset (pd.read_csv, .iloc, numpy.int64 labels) gets full marks."""
    proc = run_cli("check", "custom-dataset", CASES / "correct_pandas_notes", "--out", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == results["max_score"] == FULL


def test_another_style_passes_grader_check(run_cli, tmp_path):
    """numpy.loadtxt, numpy.int64 labels, pathlib, sorted files: every check runs under ``grader check``."""
    proc = run_cli("check", "custom-dataset", CASES / "correct_numpy", "--out", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All fast checks pass" in proc.stdout
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["extra_data"]["mode"] == "check"
    assert results["score"] == FULL and len(results["tests"]) == 9


@pytest.mark.parametrize("case, failing, phrases", [
    ("header_as_data", "CSV dataset: length is the number of rows",
     ["has 9 items; the annotations file lists 8 images", "header row `file,label` was read as an image"]),
    ("label_as_string", "CSV dataset: labels are the rows' ints",
     ["is a str ('3'); labels must be ints", "Expected: an int (3)", "int('3')"]),
    ("transform_twice", "CSV dataset: transform and target_transform run once per item",
     ["transform was called twice for dataset[0]", "Actual:   2 calls", "Apply self.transform once"]),
    ("label_zero_skipped", "CSV dataset: transform and target_transform run once per item",
     ["target_transform was not called for dataset[1]", "label is 0, which is false"]),
    ("no_target_transform", "CSV dataset: transform and target_transform run once per item",
     ["cannot be created: Creating your dataset failed with TypeError", "unexpected keyword argument "
      "'target_transform'", "transform=None, target_transform=None)"]),
    ("grayscale_as_rgb", "CSV dataset: images equal read_image of each row's file",
     ["img_4117.png) has the wrong shape", "Expected: (1, 14, 11)", "Actual:   (3, 14, 11)", "grayscale"]),
])
def test_typical_mistakes_fail_the_right_test(grade, case, failing, phrases):
    results, _ = grade("custom-dataset", CASES / case)
    failed = failures(results)
    assert list(failed) == [failing], failed
    for phrase in phrases:
        assert phrase in failed[failing]
    assert "CSV dataset: a DataLoader with batch 4 collates it" in skipped(results) | set(failed)
    mydata = [t for t in results["tests"] if t["name"].startswith("MyData")]
    assert mydata and all(t["status"] == "passed" for t in mydata)  # one mistake costs only its own tests


def test_mydata_path_without_label_dir_fails_its_items_once(grade):
    results, _ = grade("custom-dataset", CASES / "mydata_without_label_dir")
    failed = failures(results)
    assert list(failed) == ["MyData: items are (PIL image, folder name) for every file"], failed
    text = failed["MyData: items are (PIL image, folder name) for every file"]
    assert "MyData(root_dir, 'ants')[0] failed" in text and "FileNotFoundError" in text
    assert "os.path.join(self.root_dir, self.label_dir, img_name)" in text
    assert "MyData: ants + bees concatenates" in skipped(results)  # the same mistake is not reported twice
    assert all(t["status"] == "passed" for t in results["tests"] if t["name"].startswith("CSV dataset"))


def test_the_notes_try_out_lines_at_the_top_level_are_told_to_guard_them(run_cli):
    """The notes follow MyData with ants_dataset = MyData("dataset/train", ...): run at import, it fails."""
    proc = run_cli("check", "custom-dataset", CASES / "notes_script")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = " ".join(proc.stdout.split())
    assert "Importing your code failed at dataset.py" in text and "'dataset/train/ants_image'" in text
    assert "The grader imports dataset.py only to use the classes and functions it defines" in text
    assert "Put that part under `if __name__ == '__main__':`" in text


def test_demo_grades_the_examples_as_labelled(run_cli, tmp_path):
    proc = run_cli("demo", "--assignment", "custom-dataset", "--out", tmp_path, "--threads", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    correct = json.loads((tmp_path / "custom-dataset" / "correct" / "results.json").read_text())
    mistake = json.loads((tmp_path / "custom-dataset" / "mistake" / "results.json").read_text())
    assert correct["score"] == FULL
    assert list(failures(mistake)) == ["CSV dataset: length is the number of rows"]
    assert len(skipped(mistake)) == 4  # images, labels, transforms, DataLoader
    assert (tmp_path / "custom-dataset" / "mistake" / "report.html").is_file()


def test_fixtures_are_the_same_every_run_with_grayscale_rgb_and_a_label_of_zero(tmp_path):
    from PIL import Image

    from grader.assignments import custom_dataset

    first, second = tmp_path / "a", tmp_path / "b"
    custom_dataset.write_fixtures(first)
    custom_dataset.write_fixtures(second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    rows = (first / custom_dataset.ANNOTATIONS).read_text().splitlines()
    assert rows[0] == "file,label" and len(rows) == 1 + len(custom_dataset.CSV_ROWS)
    assert "0" in [row.split(",")[1] for row in rows[1:]]
    modes = {Image.open(first / custom_dataset.IMAGES / row.split(",")[0]).mode for row in rows[1:]}
    assert modes == {"L", "RGB"}
    assert len(list((first / custom_dataset.IMAGES).iterdir())) > len(rows) - 1  # an unlisted image too
