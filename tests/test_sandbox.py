"""The sandbox itself: what it records, how it refuses, its limits, its command line.

Most tests drive ``grader check`` as a user does; the GPU part (no GPU here)
and the uid claims are tested on the functions that build them.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import SUBMISSIONS, by_kind
from grader import limits, sandbox as sandboxes, seccomp
from grader.launcher import read_events

CORRECT = SUBMISSIONS / "mnist_mlp" / "correct_sequential"
CORPUS = Path(__file__).resolve().parent / "adversarial"
EVERY_PROTECTION = {"network closed", "host files invisible", "grader source and references invisible",
                    "unprivileged uid", "seccomp filter", "memory limit", "process limit", "file size limit",
                    "CPU time limit"}
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="a separate uid per slot needs root")


def check(run_cli, tmp_path, submission, *options, env=None):
    out = tmp_path / "out"
    proc = run_cli("check", "mnist-mlp", submission, "--out", out, *options, env=env)
    results = json.loads((out / "results.json").read_text()) if (out / "results.json").exists() else None
    return results, proc


@needs_root
def test_bwrap_is_the_default_and_records_every_protection(run_cli, tmp_path):
    results, proc = check(run_cli, tmp_path, CORRECT, "--limit", "processes=64")
    assert proc.returncode == 0, proc.stderr
    sandbox = results["extra_data"]["sandbox"]
    assert sandbox["mode"] == "bwrap" and sandbox["degraded"] is False
    assert set(sandbox["protections"]) == EVERY_PROTECTION and sandbox["missing"] == []
    assert sandbox["limits"]["processes"] == 64 and sandbox["limits"]["memory"] == 4 * 1024**3
    canaries = sandbox["canaries"]
    assert canaries["rlimits"]["NPROC"] == 64 and canaries["forked"] < 64
    assert canaries["uid"] >= sandboxes.UID_BASE and canaries["network"] == "denied"
    assert "Sandbox:" not in proc.stdout  # said only when degraded


@needs_root
def test_rlimits_mode_is_loud_recorded_and_really_weaker(run_cli, tmp_path):
    # the same hostile submission that finds nothing under bwrap finds the grader here
    results, proc = check(run_cli, tmp_path, CORPUS / "import_grader_by_path", "--sandbox", "rlimits")
    assert "WARNING: --sandbox rlimits is a degraded sandbox" in proc.stderr
    assert "Sandbox: rlimits (degraded" in proc.stdout
    sandbox = results["extra_data"]["sandbox"]
    assert sandbox["mode"] == "rlimits" and sandbox["degraded"] is True
    assert {"filesystem isolation", "seccomp filter", "grader source and references invisible"} <= set(
        sandbox["missing"])
    assert {"memory limit", "CPU time limit"} <= set(sandbox["protections"])
    assert "LEAKED the grader" in by_kind(results)["import"][0]["output"]


def _path_without_bwrap(tmp_path: Path, fake_bwrap: str | None = None) -> str:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("prlimit", "setpriv", "unshare"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    if fake_bwrap is not None:
        (bin_dir / "bwrap").write_text(f"#!/bin/sh\necho '{fake_bwrap}' >&2\nexit 1\n")
        (bin_dir / "bwrap").chmod(0o755)
    return str(bin_dir)


@pytest.mark.parametrize("fake_bwrap, said", [
    (None, "needs bwrap"),
    ("bwrap: No permissions to create new namespace", "No permissions to create new namespace"),
])
def test_without_a_working_bwrap_the_grader_refuses_and_names_the_fallback(run_cli, tmp_path, fake_bwrap, said):
    results, proc = check(run_cli, tmp_path, CORRECT, env={"PATH": _path_without_bwrap(tmp_path, fake_bwrap)})
    assert proc.returncode == 3 and results is None
    assert said in proc.stderr and "--sandbox rlimits" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("option, said", [
    ("bogus=1", "NAME one of"),
    ("memory=lots", "is not a size"),
    ("processes=-3", "must be positive"),
])
def test_bad_limits_are_usage_errors(run_cli, tmp_path, option, said):
    _, proc = check(run_cli, tmp_path, CORRECT, "--limit", option)
    assert proc.returncode == 2 and said in proc.stderr


def test_limit_values_parse_as_the_course_writes_them():
    assert limits.parse_size("4GiB") == 4 * 1024**3 and limits.parse_size("512M") == 512 * 1024**2
    assert limits.parse_overrides(["memory=1.5g", "wall-seconds=20", "processes=none"]) == {
        "memory": int(1.5 * 1024**3), "wall_seconds": 20.0, "processes": None}
    assert limits.human(4 * 1024**3) == "4 GiB" and limits.human(256 * 1024**2) == "256 MiB"


def test_cuda_gets_its_device_nodes_and_no_address_space_limit(tmp_path):
    for name in ("nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"):
        (tmp_path / name).write_text("")
    (tmp_path / "nvidia-caps").mkdir()
    (tmp_path / "null").write_text("")
    box = sandboxes.BwrapSandbox("cuda:1")
    box.dev_root = tmp_path
    job = tmp_path / "job"
    (job / "out").mkdir(parents=True)
    args = box.filesystem_args(job)
    binds = {(args[i + 1], args[i + 2]) for i, a in enumerate(args) if a == "--dev-bind"}
    assert binds == {(str(tmp_path / n), f"/dev/{n}") for n in
                     ("nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-caps")}
    assert args.index("--dev") < min(i for i, a in enumerate(args) if a == "--dev-bind")
    cpu = limits.prlimit_args(limits.Limits(), 60, 1, cuda=False)
    gpu = limits.prlimit_args(limits.Limits(), 60, 1, cuda=True)
    assert any(a.startswith("--as=") for a in cpu) and not any(a.startswith("--as=") for a in gpu)
    assert any(a.startswith("--data=") for a in gpu)
    assert "--dev-bind" not in sandboxes.BwrapSandbox("cpu").filesystem_args(job)


def test_the_sandbox_root_hides_the_grader_and_binds_only_what_the_child_needs(tmp_path):
    job = tmp_path / "job"
    for name in ("runner", "submission", "inputs", "out"):
        (job / name).mkdir(parents=True)
    args = sandboxes.BwrapSandbox("cpu").filesystem_args(job)
    sources = [args[i + 1] for i, a in enumerate(args) if a in ("--ro-bind", "--bind", "--ro-bind-try")]
    writable = [args[i + 2] for i, a in enumerate(args) if a == "--bind"]
    assert writable == [str(job / "out")]
    import grader

    source_tree = str(Path(grader.__file__).resolve().parent.parent)
    assert not any(s == source_tree or s.startswith(source_tree + "/") and "/.venv/" not in s for s in sources)
    assert not any(s in ("/", "/home", "/root", "/etc", "/tmp") for s in sources)


@needs_root
def test_parallel_runs_never_share_a_uid():
    # other graders on this host may hold some of these uids: only relations are asserted
    first, lock1 = sandboxes.claim_uid(3)
    second, lock2 = sandboxes.claim_uid(3)
    try:
        assert sandboxes.slot_uid(3) <= first < second < sandboxes.slot_uid(3) + sandboxes.UID_POOL
    finally:
        os.close(lock2)
    again, lock3 = sandboxes.claim_uid(3)  # the first is still held; the second was released
    os.close(lock1)
    os.close(lock3)
    assert again != first


@needs_root
def test_the_rlimits_mode_tries_its_uid_only_once_it_holds_it(monkeypatch):
    # another grader holds the slot's first uid (and kills every process of it when its run ends):
    # the check that the interpreter works as the uid must run as the uid this run claimed
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    probed = []
    monkeypatch.setattr(sandboxes, "_runs", lambda argv: probed.append(argv) or True)
    held, held_lock = sandboxes.claim_uid(0)
    try:
        uid, lock = sandboxes.RlimitsSandbox().claim(0)
        os.close(lock)
    finally:
        os.close(held_lock)
    probe = next(argv for argv in probed if argv[0].endswith("setpriv"))
    assert f"--reuid={uid}" in probe and uid != held


def test_the_seccomp_filter_builds():
    program = seccomp.build()
    assert len(program) % 8 == 0 and len(program) > 100  # BPF instructions are 8 bytes


def test_forged_runner_lines_out_of_order_are_ignored(tmp_path):
    lines = [
        {"type": "started"},
        {"type": "result", "call": "params", "ok": True, "data": {"trainable": 1}},  # forged: jumps ahead
        {"type": "result", "call": "load", "ok": True, "data": {"forged": True}},  # forged by load's own code
        {"type": "result", "call": "load", "ok": True, "data": {"class": "Network"}},  # the runner's record
        {"type": "result", "call": "interface", "ok": True, "data": {"attempts": []}},
        {"type": "result", "call": "load", "ok": True, "data": {"forged": "late"}},  # rewrites the past
        {"type": "result", "call": "params", "ok": True, "data": {"trainable": 203530}},
    ]
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    problems: list[str] = []
    observations, _, started, _ = read_events(tmp_path, problems, ["load", "interface", "params", "trace"])
    assert started and list(observations) == ["load", "interface", "params"]
    assert observations["load"].data == {"class": "Network"}
    assert observations["params"].data == {"trainable": 203530}
    assert len(problems) == 3


def test_hidden_folders_inside_bound_ones_are_covered(tmp_path):
    import torch

    inside = Path(torch.__file__).parent / "ao"  # stands for a grader package installed in site-packages
    box = sandboxes.BwrapSandbox("cpu")
    box.hide([inside, tmp_path / "elsewhere"])
    job = tmp_path / "job"
    (job / "out").mkdir(parents=True)
    args = box.filesystem_args(job)
    covered = [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]
    assert str(inside) in covered and str(tmp_path / "elsewhere") not in covered
    assert args.index(str(inside)) > max(i for i, a in enumerate(args) if a == "--ro-bind")
