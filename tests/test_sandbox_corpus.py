"""The adversarial corpus: hostile mnist-mlp submissions graded through the CLI in the sandbox.

Each folder under ``tests/adversarial/`` is a submission whose code attacks
the grader in one way (its docstring says how); the table below says what
must happen. Attacks that succeed raise or print ``LEAKED``, so "nothing
leaked" is checked the same way for every case. For each: the honest part is
graded normally, forged results are ignored, the host is untouched, no process
survives, and the student reads one clear sentence about what went wrong.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, by_kind

CORPUS = Path(__file__).resolve().parent / "adversarial"
FAST = {"import", "interface", "parameters", "architecture"}
FULL = FAST | {"training", "budget", "accuracy"}
WALL = ("--limit", "wall_seconds=8")


@dataclass
class Case:
    """What one hostile submission must lead to.

    :param command: ``check`` (fast stages only) or ``grade`` (training and the hidden test split).
    :param failed: exactly the kinds that fail (the rest pass, or are skipped because of these).
    :param sentence: a regular expression the failed tests' output must match.
    :param passed: kinds that must pass (the honest part).
    """

    command: str
    failed: set
    sentence: str | None = None
    passed: set = frozenset()
    options: tuple = ()


CASES = {
    # reading what it should not: nothing is there to read, so the honest model is graded normally
    "read_labels_filesystem": Case("grade", set(), passed=FULL - {"budget"}),
    "read_labels_proc": Case("grade", set(), passed=FULL - {"budget"}),
    "import_grader_by_path": Case("check", set(), passed=FAST),
    "environment_and_home": Case("check", set(), passed=FAST),
    # forging results: ignored; the real (wrong) model is graded
    "write_results_json": Case("check", {"parameters", "architecture"}, r"128", passed={"import", "interface"}),
    "forged_stdout": Case("check", {"architecture"}, r"Sigmoid", passed={"import", "parameters"}),
    "write_every_fd": Case("check", {"parameters", "architecture"}, r"fewer trainable parameters",
                           passed={"import", "interface"}),
    "gc_forge_results": Case("grade", set(), passed=FULL - {"budget"}),
    "monkeypatch_scoring": Case("grade", {"accuracy"}, r"accuracy \d+\.\d+% on \d+ test images",
                                passed=FAST | {"training"}),
    "modify_own_files": Case("grade", {"parameters", "architecture"}, r"fewer trainable parameters",
                             passed={"import", "interface"}),
    # misbehaving outputs during the evaluation: only the accuracy is lost
    "exit_during_eval": Case("grade", {"accuracy"}, r"exit status 0\) while predicting on the test images",
                             passed=FAST | {"training"}),
    "nan_during_eval": Case("grade", {"accuracy"}, r"contain \d+ NaN or infinite values",
                            passed=FAST | {"training"}),
    "wrong_shape_eval": Case("grade", {"accuracy"}, r"wrong shape", passed=FAST | {"training"}),
    "wrong_type_eval": Case("grade", {"accuracy"}, r"Evaluating your model failed .*AttributeError",
                            passed=FAST | {"training"}),
    "enormous_outputs": Case("grade", {"accuracy"}, r"did not return its outputs", passed=FAST | {"training"}),
    # resources: one sentence naming the limit and what the code was doing
    "alloc_at_once": Case("check", {"import"}, r"more than 4 GiB of memory while importing model\.py"),
    "alloc_slowly": Case("check", {"import"}, r"more than 1 GiB of memory while importing model\.py",
                         options=("--limit", "memory=1GiB")),
    "fork_sleepers": Case("check", {"import"}, r"more than 128 processes or threads at once while importing"),
    "double_fork_daemon": Case("check", set(), passed=FAST),
    "infinite_loop": Case("check", {"import"}, r"stopped after 8 s, the time allowed, while importing model\.py",
                          options=WALL),
    "sleep_forever": Case("check", {"import"}, r"stopped after 8 s, the time allowed, while importing model\.py",
                          options=WALL),
    "sigstop_self": Case("check", {"import"}, r"stopped after 8 s, the time allowed", options=WALL),
    "flood_output": Case("check", set(), passed=FAST),
    "big_file": Case("check", {"import"}, r"wrote a file larger than 256 MiB while importing model\.py"),
    # the network and the host
    "tcp_connection": Case("check", {"import"}, r"PermissionError.*Operation not permitted.*sandbox with no network"),
    "torch_hub_download": Case("check", {"import"}, r"(URLError|PermissionError).*sandbox with no network"),
    "host_canary": Case("check", set(), passed=FAST),
}

HOST_CANARY = Path("/tmp/torch-grader-host-canary.txt")
LISTENER_PORT = 47213


def _failed_outputs(results: dict) -> str:
    return "\n".join(t["output"] for t in results["tests"] if t["status"] == "failed")


def _processes_with(marker: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(pid)
        except OSError:
            continue
    return found


def _grade(run_cli, tmp_path, case: Case, submission: Path):
    out = tmp_path / "out"
    args = [case.command, "mnist-mlp", submission, "--out", out, *case.options]
    if case.command == "grade":
        args += ["--threads", "1"]
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode in ((0,) if case.command == "grade" else (0, 1)), proc.stderr + proc.stdout
    text = (out / "results.json").read_text()
    return json.loads(text), text, proc


@contextlib.contextmanager
def no_survivors(marker: str, tmp_path: Path):
    """Its forked sleepers and daemons run ``sleep MARKER``: none may be left."""
    yield
    assert _processes_with(marker) == [], "processes survived the grading"


@contextlib.contextmanager
def host_canary_untouched(tmp_path: Path):
    HOST_CANARY.write_text("the host's own file\n")
    try:
        yield
        assert HOST_CANARY.read_text() == "the host's own file\n"
        assert (ROOT / "README.md").read_text().startswith("#")
    finally:
        HOST_CANARY.unlink(missing_ok=True)


@contextlib.contextmanager
def listener_gets_nothing(tmp_path: Path):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind(("127.0.0.1", LISTENER_PORT))
    except OSError:
        pytest.skip(f"port {LISTENER_PORT} is taken on this host")
    server.listen(5)
    server.settimeout(0.2)
    accepted = []

    def accept():
        while not stop.is_set():
            try:
                accepted.append(server.accept())
            except OSError:
                continue

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
        server.close()
    assert accepted == []


@contextlib.contextmanager
def submitted_files_unchanged(tmp_path: Path):
    source = CORPUS / "modify_own_files"
    before = {p.name: p.read_bytes() for p in source.iterdir()}
    yield
    assert {p.name: p.read_bytes() for p in source.iterdir()} == before


@contextlib.contextmanager
def output_capped_and_clean(tmp_path: Path):
    yield
    report = (tmp_path / "out" / "report.html").read_text()
    assert "\x1b" not in report and "\x07" not in report
    assert len(report) < 5_000_000
    assert "more bytes of output not kept" in report


GUARDS = {  # what is checked on the host around a case, besides what every case checks
    "fork_sleepers": lambda tmp: no_survivors("987651", tmp),
    "double_fork_daemon": lambda tmp: no_survivors("987652", tmp),
    "host_canary": host_canary_untouched,
    "tcp_connection": listener_gets_nothing,
    "modify_own_files": submitted_files_unchanged,
    "flood_output": output_capped_and_clean,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_submission(run_cli, tmp_path, name):
    case = CASES[name]
    assert (CORPUS / name / "model.py").is_file()
    with GUARDS.get(name, lambda tmp: contextlib.nullcontext())(tmp_path):
        results, text, proc = _grade(run_cli, tmp_path, case, CORPUS / name)
    sandbox = results["extra_data"]["sandbox"]
    assert sandbox["mode"] == "bwrap" and not sandbox["degraded"], sandbox
    # nothing leaked, nothing forged, nothing unreadable on the terminal
    assert "LEAKED" not in text and "LEAKED" not in proc.stdout
    assert "\x1b" not in proc.stdout and "\x1b" not in text
    kinds = by_kind(results)
    failed = {kind for kind, tests in kinds.items() if any(t["status"] == "failed" and
                                                           not t["output"].startswith("Not checked") for t in tests)}
    assert failed == case.failed, _failed_outputs(results)
    for kind in case.passed:
        assert all(t["status"] == "passed" for t in kinds[kind]), (kind, _failed_outputs(results))
    if case.sentence:
        assert re.search(case.sentence, _failed_outputs(results)), _failed_outputs(results)
    # the host is untouched: no results.json in the working folder or its parents
    for folder in [tmp_path, *tmp_path.parents][:4]:
        assert not (folder / "results.json").exists()
    assert not (ROOT / "results.json").exists()


@pytest.mark.parametrize("archive, sentence", [
    ("dotdot.zip", "points outside the submission"),
    ("zip_bomb.zip", "looks like a zip bomb"),
])
def test_hostile_zips_are_refused_with_a_reason(run_cli, tmp_path, archive, sentence):
    case = Case("check", {"import"})
    results, text, _ = _grade(run_cli, tmp_path, case, CORPUS / "zips" / archive)
    assert sentence in text and "LEAKED" not in text
    assert not (tmp_path / "evil.py").exists() and not (tmp_path.parent / "evil.py").exists()


def test_symlinks_in_a_zip_are_left_out(run_cli, tmp_path):
    results, _, _ = _grade(run_cli, tmp_path, Case("check", set()), CORPUS / "zips" / "symlinks.zip")
    assert all(t["status"] == "passed" for t in results["tests"])
    assert results["score"] == results["max_score"]


def test_the_corpus_is_complete():
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "zips"}
    assert folders == set(CASES)
    assert len(CASES) + len(list((CORPUS / "zips").glob("*.zip"))) >= 25
