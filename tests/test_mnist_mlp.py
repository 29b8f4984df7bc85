"""mnist-mlp graded end to end through the CLI on the offline data.

Every numbered part of the grade has submissions here that pass it in more
than one spelling and fail it in the typical ways, each failure checked for
its kind tag and for the sentence the student reads.
"""
from __future__ import annotations

import json
import shutil
import zipfile

import pytest

from conftest import ROOT, SUBMISSIONS, by_kind, failed_kinds

MLP = SUBMISSIONS / "mnist_mlp"
EXAMPLES = ROOT / "assignments" / "mnist_mlp" / "examples"


def output_of(results: dict, kind: str) -> str:
    return "\n".join(t["output"] for t in by_kind(results)[kind])


# --------------------------------------------------------------------------
# correct submissions, several spellings: full marks
# --------------------------------------------------------------------------


@pytest.mark.parametrize("folder", [
    EXAMPLES / "correct",
    MLP / "correct_sequential",
    MLP / "correct_modulelist",
    MLP / "correct_nhw_only",
])
def test_correct_spellings_get_full_marks(grade, folder):
    results, proc = grade("mnist-mlp", folder)
    assert results["score"] == results["max_score"] == 10, proc.stdout
    assert all(t["status"] == "passed" for t in results["tests"])
    assert "Score: 10 / 10" in proc.stdout
    assert "report.html" in proc.stdout


def test_results_json_follows_gradescope_and_records_the_run(grade):
    results, _ = grade("mnist-mlp", EXAMPLES / "correct")
    assert set(results) == {"score", "max_score", "execution_time", "output", "tests", "extra_data"}
    kinds = {"import", "interface", "parameters", "architecture", "transform", "dataset",
             "training", "accuracy", "budget", "resources"}
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "tags", "visibility"}
        assert test["status"] in ("passed", "failed")
        assert len(test["tags"]) == 1 and test["tags"][0] in kinds
    assert {t["tags"][0] for t in results["tests"]} == {"import", "interface", "parameters", "architecture",
                                                         "training", "budget", "accuracy"}
    extra = results["extra_data"]
    assert extra["assignment"]["id"] == "mnist-mlp" and extra["assignment"]["version"]
    assert len(extra["submission_sha256"]) == 64
    assert extra["versions"]["torch"] and extra["versions"]["torchvision"] and extra["versions"]["grader"]
    assert extra["device"] == "cpu" and extra["seed"] == 0
    data = extra["data"]
    assert data["name"] == "MNIST" and data["standin"] is True
    assert data["train"] == 1500 and data["test"] == 297
    assert set(data["files"]) == {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                  "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}
    assert extra["metrics"]["accuracy"] > 90
    assert extra["thresholds"]["full"] < extra["thresholds"]["reference"]
    assert extra["timings"]["total"] > 0
    assert "stand-in" in results["output"]
    assert "reference implementation did not finish" not in results["output"]


def test_zip_submission_is_graded_like_the_folder(grade, tmp_path):
    archive = tmp_path / "student.zip"
    with zipfile.ZipFile(archive, "w") as zf:  # zipped with its folder, as students do
        zf.write(EXAMPLES / "correct" / "model.py", "my_submission/model.py")
    zipped, _ = grade("mnist-mlp", archive)
    folder, _ = grade("mnist-mlp", EXAMPLES / "correct")
    assert zipped["score"] == 10
    assert zipped["extra_data"]["submission_sha256"] == folder["extra_data"]["submission_sha256"]


# --------------------------------------------------------------------------
# 1. import
# --------------------------------------------------------------------------


@pytest.mark.parametrize("case, phrases", [
    ("syntax_error", ["model.py line 11", "syntax error", "def forward(self, x)"]),
    ("wrong_class_name", ["model.py defines Net, not Network"]),
    ("missing_module", ["imports the module 'tensorflow'", "line 2"]),
    ("no_super_init", ["super().__init__()", "first line of __init__"]),
    ("missing_file", ["model.py is missing", "found: models.py"]),
])
def test_import_failures_are_explained(run_cli, case, phrases, tmp_path):
    proc = run_cli("check", "mnist-mlp", MLP / case, "--out", tmp_path)
    assert proc.returncode == 1
    results = json.loads((tmp_path / "results.json").read_text())
    assert failed_kinds(results) == {"import", "interface", "parameters", "architecture"}
    message = output_of(results, "import")
    for phrase in phrases:
        assert phrase in message
    # one mistake is reported once: the dependent checks are skipped, not failed noisily
    assert output_of(results, "parameters").startswith("Not checked")


def test_a_broken_submission_still_gets_a_full_grade_and_exit_0(grade):
    results, proc = grade("mnist-mlp", MLP / "syntax_error")
    assert results["score"] == 0 and results["max_score"] == 10
    assert failed_kinds(results) == {"import", "interface", "parameters", "architecture", "training",
                                     "budget", "accuracy"}
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------
# 2. interface, 3. parameters, 4. architecture
# --------------------------------------------------------------------------


def test_wrong_output_size_fails_interface_parameters_and_architecture(run_cli, tmp_path):
    proc = run_cli("check", "mnist-mlp", MLP / "wrong_output_size", "--out", tmp_path)
    results = json.loads((tmp_path / "results.json").read_text())
    assert failed_kinds(results) == {"interface", "parameters", "architecture"}
    assert "Expected: (N, 10)" in output_of(results, "interface")
    assert "Actual:   (N, 9)" in output_of(results, "interface")
    assert "Linear(256, 9)" in output_of(results, "architecture")
    assert proc.returncode == 1


def test_nan_output_fails_interface(run_cli, tmp_path):
    run_cli("check", "mnist-mlp", MLP / "nan_output", "--out", tmp_path)
    results = json.loads((tmp_path / "results.json").read_text())
    assert failed_kinds(results) == {"interface"}
    assert "NaN or infinite" in output_of(results, "interface")


def test_parameter_message_shows_both_totals_and_per_layer_breakdowns(run_cli, tmp_path):
    run_cli("check", "mnist-mlp", MLP / "wrong_width", "--out", tmp_path)
    results = json.loads((tmp_path / "results.json").read_text())
    message = output_of(results, "parameters")
    assert "Expected: 203,530" in message and "Actual:   101,770" in message
    assert "layer(layer1) parameters:" in message
    assert "torch.Size([128, 784]) has 100352 parameters" in message  # theirs
    assert "torch.Size([256, 784]) has 200704 parameters" in message  # the reference's
    assert "(a wrong size?)" in output_of(results, "architecture")


@pytest.mark.parametrize("case, phrase", [
    ("extra_layer", "extra layer"),
    ("sigmoid_instead_of_relu", "Sigmoid"),
])
def test_architecture_mistakes(run_cli, tmp_path, case, phrase):
    run_cli("check", "mnist-mlp", MLP / case, "--out", tmp_path)
    results = json.loads((tmp_path / "results.json").read_text())
    assert "architecture" in failed_kinds(results)
    assert phrase in output_of(results, "architecture")


def test_missing_activation_passes_parameters_but_fails_architecture(grade):
    results, _ = grade("mnist-mlp", EXAMPLES / "mistake")
    assert failed_kinds(results) == {"architecture"}
    assert "missing activation" in output_of(results, "architecture")
    assert results["score"] == 8


# --------------------------------------------------------------------------
# 5. training + accuracy, 6. budget
# --------------------------------------------------------------------------


def test_outputs_that_do_not_match_their_images_fail_accuracy(grade):
    results, _ = grade("mnist-mlp", MLP / "shuffled_predictions")
    assert "accuracy" in failed_kinds(results)
    accuracy = by_kind(results)["accuracy"][0]
    assert accuracy["score"] == 0
    assert results["extra_data"]["metrics"]["accuracy"] < 40
    assert "full marks from" in accuracy["output"]


def test_budget_stops_training_and_the_model_is_evaluated_as_it_is(grade):
    results, _ = grade("mnist-mlp", MLP / "slow_forward", "--time-budget", "2")
    budget = by_kind(results)["budget"][0]
    assert budget["status"] == "failed"
    assert "2 s time budget ran out" in budget["output"] and "of 10 epochs" in budget["output"]
    # evaluated anyway: a metric exists, and the honest checks still pass
    assert "accuracy" in results["extra_data"]["metrics"]
    assert by_kind(results)["architecture"][0]["status"] == "passed"


def test_a_budget_too_small_for_the_reference_is_said_not_blamed_on_the_student(grade):
    results, _ = grade("mnist-mlp", MLP / "correct_sequential", "--time-budget", "0.3")
    assert by_kind(results)["budget"][0]["status"] == "failed"
    assert ("The reference implementation did not finish training within the 0.3 s time budget either"
            in results["output"]) and "larger --time-budget" in results["output"]


def test_a_hanging_submission_is_killed_at_budget_plus_grace(grade):
    results, _ = grade("mnist-mlp", MLP / "hangs_in_training", "--time-budget", "2")
    stage = results["extra_data"]["timings"]["stage_train"]
    assert stage < 2 + 15 + 10  # budget + grace, plus start-up slack
    assert failed_kinds(results) >= {"training", "budget", "accuracy"}
    assert "stopped after" in by_kind(results)["budget"][0]["output"]
    # what it did before hanging is still graded
    for kind in ("import", "interface", "parameters", "architecture"):
        assert by_kind(results)[kind][0]["status"] == "passed"
