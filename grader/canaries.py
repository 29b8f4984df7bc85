"""Canaries: at start, prove which protections of the sandbox are really active.

Before the first submission is run, the sandbox starts a tiny Python program
exactly as it would start the runner child, and the program tries what a
hostile submission would try: open a TCP connection to a listener the parent
holds on 127.0.0.1, read a file the parent just wrote on the host, see the
grader's source folder, fork more processes than the limit allows, ptrace
itself, and report its uid and rlimits. The parent reads the answers (this
program is the grader's own, not a student's) and records each protection as
active or missing; the report and ``results.json`` carry the list.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from pathlib import Path

PROGRAM = r"""
import ctypes, json, os, resource, socket, sys, time
args = json.loads(sys.argv[1])
out = {"uid": os.getuid(), "euid": os.geteuid()}
try:
    s = socket.create_connection(("127.0.0.1", args["port"]), timeout=2)
    s.close()
    out["network"] = "open"
except PermissionError:
    out["network"] = "denied"
except OSError as exc:
    out["network"] = "unreachable: " + type(exc).__name__
try:
    with open(args["host_file"]) as handle:
        out["host_file"] = "read" if handle.read() else "empty"
except OSError as exc:
    out["host_file"] = type(exc).__name__
out["grader_source"] = "visible" if os.path.exists(args["grader_source"]) else "invisible"
libc = ctypes.CDLL(None, use_errno=True)
out["ptrace"] = "allowed" if libc.ptrace(0, 0, None, None) == 0 else "denied"
out["rlimits"] = {name: resource.getrlimit(getattr(resource, "RLIMIT_" + name))[0]
                  for name in ("DATA", "AS", "CPU", "FSIZE", "NPROC", "NOFILE")}
forked = 0
want = args["fork"]
if want:
    for _ in range(want):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        forked += 1
out["forked"] = forked
print(json.dumps(out), flush=True)
os._exit(0)
"""


def _listener() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.1)
    return server


def run(sandbox, limits, timeout: float = 60.0) -> dict:
    """Run the canary program in ``sandbox``; return its answers and what they prove.

    :returns: ``{"answers": {...}, "active": [...], "missing": [...],
        "started": bool, "stderr": str}``.
    """
    from grader import launcher
    import grader

    server = _listener()
    job_dir = Path(tempfile.mkdtemp(prefix="grader-canary-"))
    try:
        host_dir = job_dir / "host"
        host_dir.mkdir(mode=0o755)
        host_file = host_dir / "canary.txt"
        host_file.write_text("the host's file\n")
        host_file.chmod(0o644)
        (job_dir / "out").mkdir()
        fork = (limits.processes or 64) + 16
        args = {"port": server.getsockname()[1], "host_file": str(host_file),
                "grader_source": str(Path(grader.__file__).parent), "fork": fork}
        argv = [sys.executable, "-I", "-c", PROGRAM, json.dumps(args)]
        result = launcher.run_command(argv, job_dir, sandbox=sandbox, limits=limits, timeout=timeout,
                                      threads=1, slot=0)
        connected = _accepted(server)
    finally:
        server.close()
        import shutil

        shutil.rmtree(job_dir, ignore_errors=True)
    answers: dict = {}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            try:
                answers = json.loads(line)
            except ValueError:
                pass
    return {"answers": answers, "started": bool(answers), "stderr": result.stderr[-2000:],
            **judge(answers, limits, connected, fork)}


def _accepted(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except OSError:
        return False
    conn.close()
    return True


def judge(answers: dict, limits, connected: bool, fork: int) -> dict:
    """Sort the canary's answers into active and missing protections."""
    active, missing = [], []

    def record(ok: bool, name: str):
        (active if ok else missing).append(name)

    record(not connected and answers.get("network") != "open", "network closed")
    record(answers.get("host_file") == "FileNotFoundError", "host files invisible")
    record(answers.get("grader_source") == "invisible", "grader source and references invisible")
    record(answers.get("uid", 0) != 0 and answers.get("euid", 0) != 0, "unprivileged uid")
    record(answers.get("ptrace") == "denied", "seccomp filter")
    rl = answers.get("rlimits", {})
    if limits.memory is not None:
        record(rl.get("DATA", -1) not in (-1, None), "memory limit")
    if limits.processes is not None:
        record(answers.get("uid", 0) != 0 and answers.get("forked", fork) < fork, "process limit")
    if limits.file_size is not None:
        record(rl.get("FSIZE", -1) not in (-1, None), "file size limit")
    record(rl.get("CPU", -1) not in (-1, None), "CPU time limit")
    return {"active": active, "missing": missing}
