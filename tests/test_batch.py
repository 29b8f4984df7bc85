"""``grader batch`` on a generated class of mnist-mlp submissions, run as a TA runs it.

The class (21 students: correct, wrong, broken and malicious) is generated
from the mnist-mlp test submissions and examples, graded once with two
workers (module-scoped), and the tests that change things work on copies
of the class and of its output folder. A second, smaller batch is killed
with SIGKILL and resumed; a third loses a worker mid-grading.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS

MLP = SUBMISSIONS / "mnist_mlp"
EXAMPLES = ROOT / "assignments" / "mnist_mlp" / "examples"
BUDGET = "15"  # seconds of training: correct models need about 2; the hanging one is stopped at 15 + grace
BATCH = ("--workers", "2", "--threads", "1", "--time-budget", BUDGET)

CORRECT = {"c_sequential", "c_modulelist_zip", "c_example", "c_copy", "c_reworded"}
WRONG = {"w_width", "w_sigmoid", "w_shuffled", "w_no_relu", "w_nan"}
BROKEN = {"b_syntax", "b_class_name", "b_missing_file", "b_no_super", "b_not_a_zip"}
MALICIOUS = {"m_zip_traversal", "m_symlink", "m_segfault", "m_exit", "m_spam", "m_hang"}
CLASS = CORRECT | WRONG | BROKEN | MALICIOUS

REWORDED = '''# My own network -- written from scratch, honestly.
from torch import nn  # the layers


class Network(nn.Module):
    \'\'\'A multilayer perceptron for MNIST digits.\'\'\'

    def __init__(self):
        super().__init__()   # always first
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))



    def forward(self, x):
        # x: (N, 1, 28, 28)
        return self.net(x)
'''


def _copy(src: Path, dest: Path, prepend: str = "", replace: tuple[str, str] | None = None) -> None:
    dest.mkdir(parents=True)
    text = (src / "model.py").read_text()
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    (dest / "model.py").write_text(prepend + text)


def make_class(root: Path) -> Path:
    """One folder or .zip per student, named by the student id."""
    root.mkdir()
    correct = MLP / "correct_sequential"
    _copy(correct, root / "c_sequential")
    _copy(correct, root / "c_copy")  # the very same files as c_sequential
    (root / "c_reworded").mkdir()
    (root / "c_reworded" / "model.py").write_text(REWORDED)  # the same source, other comments and layout
    with zipfile.ZipFile(root / "c_modulelist_zip.zip", "w") as archive:
        archive.write(MLP / "correct_modulelist" / "model.py", "handin/model.py")
    _copy(EXAMPLES / "correct", root / "c_example")
    for name, folder in {"w_width": MLP / "wrong_width", "w_sigmoid": MLP / "sigmoid_instead_of_relu",
                         "w_shuffled": MLP / "shuffled_predictions", "w_no_relu": EXAMPLES / "mistake",
                         "w_nan": MLP / "nan_output", "b_syntax": MLP / "syntax_error",
                         "b_class_name": MLP / "wrong_class_name", "b_no_super": MLP / "no_super_init",
                         "m_hang": MLP / "hangs_in_training"}.items():
        _copy(folder, root / name)
    shutil.copytree(MLP / "missing_file", root / "b_missing_file")
    (root / "b_not_a_zip.zip").write_bytes(b"this is not a zip file\n" * 10)
    with zipfile.ZipFile(root / "m_zip_traversal.zip", "w") as archive:
        archive.write(correct / "model.py", "model.py")
        archive.writestr("../../outside.py", "print('escaped')\n")
    (root / "m_symlink").mkdir()
    (root / "m_symlink" / "model.py").symlink_to("/etc/passwd")
    _copy(correct, root / "m_segfault", prepend="import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    _copy(correct, root / "m_exit", replace=("        return self.net(x)", "        import os\n        os._exit(3)"))
    _copy(MLP / "wrong_class_name", root / "m_spam", prepend="import sys\nfor _ in range(300):\n"
          "    print('x' * 65536)\n    print('y' * 65536, file=sys.stderr)\n")
    entries = {p.name.removesuffix(".zip") for p in root.iterdir()}
    assert entries == CLASS and len(entries) >= 20
    return root


def gradebook_csv(out: Path) -> dict[str, dict]:
    with open(out / "gradebook.csv", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def query(out: Path, sql: str, *args) -> list[tuple]:
    db = sqlite3.connect(out / "gradebook.sqlite", timeout=30)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def current_runs(out: Path) -> dict[str, tuple]:
    rows = query(out, "SELECT student, id, status, score, reason FROM runs WHERE current = 1")
    return {r[0]: r[1:] for r in rows}


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    return make_class(tmp_path_factory.mktemp("class") / "submissions")


@pytest.fixture(scope="module")
def graded(klass, run_cli, tmp_path_factory):
    """The class graded once, uninterrupted, with two workers: (out folder, process, seconds)."""
    out = tmp_path_factory.mktemp("graded") / "out"
    started = time.monotonic()
    proc = run_cli("batch", "mnist-mlp", klass, "--out", out, *BATCH)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "an exporter failed" not in proc.stdout, proc.stdout
    return out, proc, seconds


def copy_of(klass: Path, out: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the class and its graded output, to change."""
    shutil.copytree(klass, tmp_path / "submissions", symlinks=True)
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "submissions", tmp_path / "out"


# --------------------------------------------------------------------------
# the class, graded with two workers
# --------------------------------------------------------------------------


def test_every_student_gets_results_and_a_report(graded):
    out, proc, _ = graded
    runs = current_runs(out)
    for student in CLASS:
        results = json.loads((out / student / "results.json").read_text())
        assert "score" in results and "output" in results
        assert (out / student / "report.html").is_file() or runs[student][1] == "failed"
    assert f"graded {len(CLASS)}, could not be graded 0, unchanged 0" in proc.stdout
    assert "slots: 2 x 1 thread(s) on cpu" in proc.stdout
    finished = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    assert len(finished) == len(CLASS) and "ETA" in finished[0], "plain progress lines off a terminal"
    assert f"done {len(CLASS)}/{len(CLASS)}, running 0, queued 0;" in finished[-1]


def test_scores_follow_what_each_student_handed_in(graded):
    out, _, _ = graded
    rows = gradebook_csv(out)
    assert set(rows) == CLASS
    for student in CORRECT:
        assert rows[student]["score"] == rows[student]["max"] == "10", student
    for student in WRONG:
        assert 0 < float(rows[student]["score"]) < 10, (student, rows[student]["score"])
    for student in BROKEN | {"m_zip_traversal", "m_symlink", "m_segfault", "m_spam"}:
        assert float(rows[student]["score"] or 0) == 0, (student, rows[student]["score"])
    assert float(rows["m_exit"]["score"]) <= 1
    assert float(rows["m_hang"]["score"]) < 10


def test_the_gradebook_csv_has_one_column_per_test(graded):
    out, _, _ = graded
    with open(out / "gradebook.csv", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:3] == ["id", "score", "max"] and header[-3:] == ["accuracy", "status", "sha256"]
    tests = header[3:-3]
    assert "accuracy on the hidden test split" in tests and len(tests) == 7
    row = gradebook_csv(out)["c_sequential"]
    assert sum(float(row[t]) for t in tests) == float(row["score"])
    assert float(row["accuracy"]) > 90 and len(row["sha256"]) == 64 and row["status"] == "graded"


def test_crashes_timeouts_and_refused_zips_are_recorded_with_their_reason(graded):
    out, _, _ = graded
    runs = current_runs(out)
    assert "time limit" in runs["m_hang"][3]
    assert "signal 11" in runs["m_segfault"][3]
    assert "exited with status 3" in runs["m_exit"][3]
    outside = json.loads((out / "m_zip_traversal" / "results.json").read_text())
    assert "points outside the submission" in outside["tests"][0]["output"]
    spam = json.loads((out / "m_spam" / "results.json").read_text())
    assert "defines Net, not Network" in spam["tests"][0]["output"], "a flood of output changes nothing"


def test_the_database_holds_one_current_result_per_student(graded):
    out, _, _ = graded
    assert query(out, "PRAGMA journal_mode")[0][0] == "wal"
    assert query(out, "SELECT count(*) FROM submissions")[0][0] == len(CLASS)
    assert query(out, "SELECT count(*), count(DISTINCT student) FROM runs WHERE current = 1")[0] == (len(CLASS),) * 2
    assert query(out, "SELECT count(*) FROM runs WHERE status NOT IN ('graded', 'failed')")[0][0] == 0
    tests = query(out, "SELECT count(*) FROM results JOIN runs ON runs.id = results.run_id "
                       "WHERE runs.student = 'c_sequential'")[0][0]
    assert tests == 7
    for student, (run_id, *_rest) in current_runs(out).items():
        assert (out / student / ".run").read_text() == str(run_id), "each folder holds its current run's files"


def test_the_class_report_flags_copies_and_links_every_report(graded):
    out, _, _ = graded
    html = (out / "summary.html").read_text()
    for student in CLASS:
        assert student in html
    assert 'href="c_sequential/report.html"' in html
    assert "http://" not in html and "https://" not in html and "<script src" not in html, "offline"
    identical = html[html.index('id="identical"'):html.index('id="students"')]
    assert "c_copy, c_sequential" in identical and "the same files" in identical
    assert "c_copy, c_reworded, c_sequential" in identical and "comments, docstrings and layout" in identical
    tests = html[html.index('id="tests"'):html.index('id="accuracy"')]
    assert "trainable parameter count matches the reference" in tests and "&times;" in tests
    assert "Stopped by the runner" in html and "m_hang" in html[html.index("Stopped by the runner"):]
    assert "full " in html[html.index('id="accuracy"'):], "thresholds drawn on the accuracy chart"


def test_results_jsonl_carries_every_current_result(graded):
    out, _, _ = graded
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert {line["student"] for line in lines} == CLASS
    line = next(l for l in lines if l["student"] == "c_example")
    assert line["results"]["score"] == 10 and line["run"]["seconds"] > 0 and line["sha256"]


# --------------------------------------------------------------------------
# reruns: incremental
# --------------------------------------------------------------------------


def test_a_rerun_with_nothing_changed_grades_nothing_and_is_quick(klass, graded, run_cli, tmp_path):
    out, _, first_seconds = graded
    klass_copy, out_copy = copy_of(klass, out, tmp_path)
    before = query(out_copy, "SELECT count(*) FROM runs")[0][0]
    started = time.monotonic()
    proc = run_cli("batch", "mnist-mlp", klass_copy, "--out", out_copy, *BATCH)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    assert f"graded 0, could not be graded 0, unchanged {len(CLASS)}" in proc.stdout
    assert query(out_copy, "SELECT count(*) FROM runs")[0][0] == before
    assert seconds < 0.25 * first_seconds, (seconds, first_seconds)
    assert gradebook_csv(out_copy) == gradebook_csv(out)


def test_a_changed_file_regrades_just_that_student_and_keeps_the_old_score(klass, graded, run_cli, tmp_path):
    out, _, _ = graded
    klass_copy, out_copy = copy_of(klass, out, tmp_path)
    before = current_runs(out_copy)
    model = klass_copy / "w_width" / "model.py"
    model.write_text(model.read_text().replace("128", "256"))  # the student fixed the hidden width
    dry = run_cli("batch", "mnist-mlp", klass_copy, "--out", out_copy, *BATCH, "--dry-run")
    assert "w_width" in dry.stdout and "files changed" in dry.stdout and "1 to grade" in dry.stdout
    proc = run_cli("batch", "mnist-mlp", klass_copy, "--out", out_copy, *BATCH)
    assert proc.returncode == 0, proc.stderr
    assert f"graded 1, could not be graded 0, unchanged {len(CLASS) - 1}" in proc.stdout
    after = current_runs(out_copy)
    assert {s for s in CLASS if after[s][0] != before[s][0]} == {"w_width"}
    assert gradebook_csv(out_copy)["w_width"]["score"] == "10"
    history = run_cli("history", "w_width", "--out", out_copy)
    assert history.returncode == 0, history.stderr
    runs = [line for line in history.stdout.splitlines() if " graded " in line]
    assert len(runs) == 2 and "7/10" in runs[0] and "10/10" in runs[1] and runs[1].startswith("*")


REGRADE_WHEN = [  # what changed since the class was graded, and the reason the dry run gives
    ("UPDATE runs SET grader_version = '0.0.1'", "grader version changed (0.0.1 -> "),
    ("UPDATE runs SET assignment_version = '0'", "assignment version changed (0 -> 1)"),
    ("UPDATE runs SET data_fingerprint = 'feedbeef'", "data fingerprint changed (feedbeef -> "),
    ("UPDATE runs SET seed = 7", "seed changed (7 -> 0)"),
    ("UPDATE runs SET device_kind = 'cuda'", "device kind changed (cuda -> cpu)"),
    ("rm b_syntax", "its results folder is missing"),
    ("--time-budget 30", "time budget changed (15.0 -> 30.0)"),
]


def test_a_rerun_regrades_when_what_the_grade_depends_on_changed(klass, run_cli, tmp_path):
    graded_out = tmp_path / "graded"
    only = ("--only", "b_syntax,b_class_name", "--threads", "1")
    proc = run_cli("batch", "mnist-mlp", klass, "--out", graded_out, *only, "--time-budget", BUDGET, "--workers", "4")
    assert proc.returncode == 0, proc.stderr
    said = proc.stdout.splitlines()  # what is about to happen is said before the first result; no idle slots
    assert said[0].startswith("mnist-mlp: 2 to grade, 0 up to date (folders layout) in 2 slot(s) of 1 thread(s)")
    assert said[1].startswith("[1/2] b_")
    for number, (change, why) in enumerate(REGRADE_WHEN):
        out = tmp_path / f"change-{number}"
        shutil.copytree(graded_out, out)
        options = ["--time-budget", BUDGET]
        if change.startswith("UPDATE"):
            db = sqlite3.connect(out / "gradebook.sqlite")
            with db:
                db.execute(change + " WHERE student = 'b_syntax'")
            db.close()
        elif change.startswith("--"):
            options = change.split()
        else:
            shutil.rmtree(out / "b_syntax")
        dry = run_cli("batch", "mnist-mlp", klass, "--out", out, *only, *options, "--dry-run")
        assert dry.returncode == 0, dry.stderr
        rows = {line.split()[0]: " ".join(line.split()[1:]) for line in dry.stdout.splitlines()
                if line.startswith("b_")}
        assert rows["b_syntax"].startswith("grade " + why), (change, dry.stdout)
        whole_batch = change.startswith("--")  # a change of options regrades everyone
        assert rows["b_class_name"].startswith("grade " + why if whole_batch else "keep up to date"), change


def test_history_of_an_unknown_student_suggests_a_name(graded, run_cli):
    out, _, _ = graded
    proc = run_cli("history", "w_widht", "--out", out)
    assert proc.returncode == 2 and "did you mean w_width" in proc.stderr


# --------------------------------------------------------------------------
# killed, resumed; a worker lost
# --------------------------------------------------------------------------

SUBSET = ["b_class_name", "b_syntax", "c_example", "c_sequential", "m_segfault", "w_width"]


def batch_process(klass: Path, out: Path, grader_env: dict, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "grader.cli", "batch", "mnist-mlp", str(klass), "--out", str(out),
                             *args], env=grader_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def wait_for(condition, timeout: float = 300, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def count(out: Path, sql: str) -> int:
    if not (out / "gradebook.sqlite").exists():
        return 0
    try:
        return query(out, sql)[0][0]
    except sqlite3.OperationalError:  # the tables are being created
        return 0


def workers_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"grader.batch.worker" in argv and str(parent).encode() in argv:
            found.append(int(entry.name))
    return found


def test_a_batch_killed_with_sigkill_resumes_to_the_same_scores(klass, graded, run_cli, grader_env, tmp_path):
    out = tmp_path / "out"
    proc = batch_process(klass, out, grader_env, *BATCH, "--only", ",".join(SUBSET))
    wait_for(lambda: count(out, "SELECT count(*) FROM runs WHERE status = 'graded'") >= 2 or proc.poll() is not None,
             what="two results")
    assert proc.poll() is None, proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    wait_for(lambda: not workers_of(proc.pid), timeout=20, what="the workers to die with the batch")
    done_before = {r[0] for r in query(out, "SELECT student FROM runs WHERE status = 'graded'")}
    assert query(out, "SELECT count(*) FROM runs WHERE status = 'running'")[0][0] >= 1, "killed mid-grading"

    resumed = run_cli("batch", "mnist-mlp", klass, "--out", out, *BATCH, "--only", ",".join(SUBSET))
    assert resumed.returncode == 0, resumed.stderr
    assert "did not finish were graded again" in resumed.stdout
    runs = current_runs(out)
    assert sorted(runs) == SUBSET
    assert query(out, "SELECT count(*) FROM runs WHERE current = 1")[0][0] == len(SUBSET)
    assert query(out, "SELECT count(*) FROM runs WHERE status = 'running'")[0][0] == 0
    interrupted = query(out, "SELECT student, current FROM runs WHERE status = 'interrupted'")
    assert interrupted and all(current == 0 for _, current in interrupted)
    for student in done_before:
        assert query(out, "SELECT count(*) FROM runs WHERE student = ? AND status = 'graded'", student)[0][0] == 1
    uninterrupted = gradebook_csv(graded[0])
    resumed_rows = gradebook_csv(out)
    for student in SUBSET:
        assert resumed_rows[student]["score"] == uninterrupted[student]["score"], student
        assert (out / student / ".run").read_text() == str(runs[student][0])
        json.loads((out / student / "results.json").read_text())


def grading_c_sequential(klass: Path, out: Path, grader_env: dict, only: tuple) -> subprocess.Popen:
    """A one-slot batch, started and waited on until c_sequential is being graded (students go in sorted order)."""
    proc = batch_process(klass, out, grader_env, *only)
    wait_for(lambda: count(out, "SELECT count(*) FROM runs WHERE student = 'c_sequential' AND status = 'running'")
             or proc.poll() is not None, what="c_sequential to start")
    return proc


def test_ctrl_c_keeps_what_finished_and_the_same_command_grades_the_rest(klass, run_cli, grader_env, tmp_path):
    out = tmp_path / "out"
    only = ("--only", "b_syntax,c_sequential,w_width", "--workers", "1", "--threads", "1", "--time-budget", BUDGET)
    proc = grading_c_sequential(klass, out, grader_env, only)  # b_syntax is graded by then
    assert proc.poll() is None, proc.stderr.read()
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert proc.wait(timeout=120) == 130
    assert "what finished is saved: run the same command again" in " ".join(proc.stderr.read().split())
    wait_for(lambda: not workers_of(proc.pid), timeout=20, what="the workers to die with the batch")
    assert current_runs(out) == {"b_syntax": current_runs(out)["b_syntax"]}
    assert query(out, "SELECT status, current, reason FROM runs WHERE student = 'c_sequential'") == [
        ("interrupted", 0, "the batch was interrupted before this submission finished grading")]

    resumed = run_cli("batch", "mnist-mlp", klass, "--out", out, *only)
    assert resumed.returncode == 0, resumed.stderr
    assert "graded 2, could not be graded 0, unchanged 1" in resumed.stdout
    runs = current_runs(out)
    assert sorted(runs) == ["b_syntax", "c_sequential", "w_width"] and {r[1] for r in runs.values()} == {"graded"}
    assert gradebook_csv(out)["c_sequential"]["score"] == "10"


def test_a_worker_that_dies_fails_only_its_submission(klass, run_cli, grader_env, tmp_path):
    out = tmp_path / "out"
    only = ("--only", "c_sequential,b_class_name", "--workers", "1", "--threads", "1", "--time-budget", BUDGET)
    proc = grading_c_sequential(klass, out, grader_env, only)  # on a worker that is up: b_class_name went first
    time.sleep(1.0)
    for pid in workers_of(proc.pid):
        os.kill(pid, signal.SIGKILL)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert "c_sequential" in (out / "summary.html").read_text() and (out / "gradebook.csv").is_file()
    runs = current_runs(out)
    assert runs["c_sequential"][1] == "failed" and "worker died" in runs["c_sequential"][3]
    assert runs["b_class_name"][1] == "graded"
    assert json.loads((out / "c_sequential" / "results.json").read_text())["extra_data"]["status"] == "failed"
    assert gradebook_csv(out)["c_sequential"]["score"] == ""

    again = run_cli("batch", "mnist-mlp", klass, "--out", out, *only)
    assert "graded 0, could not be graded 0, unchanged 2" in again.stdout
    assert "could not be graded earlier: c_sequential" in again.stdout
    retry = run_cli("batch", "mnist-mlp", klass, "--out", out, "--only", "c_sequential", "--time-budget", BUDGET,
                    "--regrade", "--dry-run")
    assert retry.returncode == 0, retry.stderr
    row = next(line.split() for line in retry.stdout.splitlines() if line.startswith("c_sequential"))
    assert row[1:3] == ["grade", "--regrade"] and "1 to grade, 0 kept" in retry.stdout


# --------------------------------------------------------------------------
# the exporters' hook, with a course plugin loaded from its path
# --------------------------------------------------------------------------

ROSTER_PLUGIN = '''
from grader import hookimpl
from grader.batch.exports import write_atomic


@hookimpl
def grader_write_batch_outputs(results, out_dir):
    lines = [f"{s.student},{s.status},{'' if s.score is None else s.score}" for s in results.students]
    return [write_atomic(out_dir / "roster.csv", "\\n".join(lines) + "\\n")]
'''

BROKEN_EXPORTER = '''
from grader import hookimpl


@hookimpl
def grader_write_batch_outputs(results, out_dir):
    raise RuntimeError("the LMS is down")
'''


def test_hook_grader_write_batch_outputs_runs_every_exporter(klass, graded, run_cli, tmp_path):
    out, _, _ = graded
    klass_copy, out_copy = copy_of(klass, out, tmp_path)
    (tmp_path / "roster.py").write_text(ROSTER_PLUGIN)
    (tmp_path / "broken_exporter.py").write_text(BROKEN_EXPORTER)
    for name in ("summary.html", "gradebook.csv"):
        (out_copy / name).unlink()
    proc = run_cli("batch", "mnist-mlp", klass_copy, "--out", out_copy, *BATCH,
                   env={"GRADER_PLUGINS": f"{tmp_path / 'roster.py'},{tmp_path / 'broken_exporter.py'}"})
    assert proc.returncode == 0, proc.stderr
    assert "graded 0," in proc.stdout, "exporters run even when nothing needed grading"
    roster = dict(line.split(",", 1) for line in (out_copy / "roster.csv").read_text().splitlines())
    assert set(roster) == CLASS and roster["c_example"] == "graded,10.0"
    assert f"wrote {out_copy / 'roster.csv'}" in proc.stdout
    assert "an exporter failed: broken_exporter: RuntimeError: the LMS is down" in proc.stdout
    assert (out_copy / "summary.html").is_file() and (out_copy / "gradebook.csv").is_file(), "the others still ran"
