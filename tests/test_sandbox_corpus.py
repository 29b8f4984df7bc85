"""The adversarial corpus: hostile mnist-mlp submissions graded through the CLI in the sandbox.

Each folder under ``tests/adversarial/`` is a submission whose code attacks
the grader in one way (its docstring says how); the table below says what
must happen. Attacks that succeed raise or print ``LEAKED``, so "nothing
leaked" is checked the same way for every case. For each: the honest part is
graded normally, forged results are ignored, the host is untouched, no process
survives, and the student reads one clear sentence about what went wrong.
"""
from __future__ import annotations

import json
import os
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
    "write_results_json": Case("grade", {"parameters", "architecture"}, r"128", passed={"import", "interface"}),
    "forged_stdout": Case("grade", {"architecture"}, r"Sigmoid", passed={"import", "parameters"}),
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
    "tcp_connection": Case("check", {"import"}, r"PermissionError.*Operation not permitted"),
    "torch_hub_download": Case("check", {"import"}, r"(URLError|PermissionError|Operation not permitted)"),
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


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_submission(run_cli, tmp_path, name):
    case = CASES[name]
    assert (CORPUS / name / "model.py").is_file()
    results, text, proc = _grade(run_cli, tmp_path, case, CORPUS / name)
    sandbox = results["extra_data"]["sandbox"]
    assert sandbox["mode"] == "bwrap" and not sandbox["degraded"], sandbox
    # nothing leaked, nothing forged
    assert "LEAKED" not in text and "LEAKED" not in proc.stdout
    kinds = by_kind(results)
    failed = {kind for kind, tests in kinds.items() if any(t["status"] == "failed" and
                                                           not t["output"].startswith("Not checked") for t in tests)}
    assert failed == case.failed, _failed_outputs(results)
    for kind in case.passed:
        assert all(t["status"] == "passed" for t in kinds[kind]), (kind, _failed_outputs(results))
    if case.sentence:
        import re

        assert re.search(case.sentence, _failed_outputs(results)), _failed_outputs(results)
    # the host is untouched: no results.json in the working folder or its parents, no survivors
    for folder in [tmp_path, *tmp_path.parents][:4]:
        assert not (folder / "results.json").exists() or folder == tmp_path / "out"
    assert not (ROOT / "results.json").exists()


def test_forked_sleepers_and_daemons_do_not_survive(run_cli, tmp_path):
    for name, marker in (("fork_sleepers", "987651"), ("double_fork_daemon", "987652")):
        (tmp_path / name).mkdir()
        _grade(run_cli, tmp_path / name, CASES[name], CORPUS / name)
        assert _processes_with(marker) == [], f"{name} left processes behind"


def test_canary_file_on_the_host_is_untouched(run_cli, tmp_path):
    HOST_CANARY.write_text("the host's own file\n")
    try:
        results, _, _ = _grade(run_cli, tmp_path, CASES["host_canary"], CORPUS / "host_canary")
        assert HOST_CANARY.read_text() == "the host's own file\n"
        assert (ROOT / "README.md").read_text().startswith("#")
    finally:
        HOST_CANARY.unlink(missing_ok=True)


def test_a_listener_on_the_host_gets_no_connection(run_cli, tmp_path):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind(("127.0.0.1", LISTENER_PORT))
    except OSError:
        pytest.skip(f"port {LISTENER_PORT} is taken on this host")
    server.listen(5)
    accepted = []

    def accept():
        server.settimeout(60)
        try:
            accepted.append(server.accept())
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        results, _, _ = _grade(run_cli, tmp_path, CASES["tcp_connection"], CORPUS / "tcp_connection")
    finally:
        server.close()
        thread.join(5)
    assert accepted == []
    assert "Operation not permitted" in _failed_outputs(results)


def test_submitted_files_are_not_changed(run_cli, tmp_path):
    source = CORPUS / "modify_own_files"
    before = {p.name: p.read_bytes() for p in source.iterdir()}
    _grade(run_cli, tmp_path, CASES["modify_own_files"], source)
    assert {p.name: p.read_bytes() for p in source.iterdir()} == before


def test_output_flood_is_capped_and_escape_codes_are_neutralised(run_cli, tmp_path):
    results, _, proc = _grade(run_cli, tmp_path, CASES["flood_output"], CORPUS / "flood_output")
    report = (tmp_path / "out" / "report.html").read_text()
    assert "\x1b" not in report and "\x1b" not in proc.stdout and "\x07" not in report
    assert len(report) < 5_000_000
    assert "more bytes of output not kept" in report


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
