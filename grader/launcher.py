"""The parent's side of the runner: stage a job, start the child, read back plain data.

``run_job`` builds the job folder (see :mod:`grader.runner.protocol`) and
hands it to ``run_command``, which starts the child through the sandbox
(:mod:`grader.sandbox`) under the resource limits (:mod:`grader.limits`),
drains its stdout and stderr concurrently into capped buffers, watches the
wall clock and the size of what it writes, and at the end kills its whole
process tree -- its process group, its PID namespace, and every process of
the slot's uid, so double-forked daemons die too. ``run_job`` then reads
``events.jsonl`` and the ``.npy`` arrays with size caps and validation.
Nothing the child wrote is unpickled or executed, its output is never
parsed, and its exit status is not a verdict: only the result records count.
When a limit stopped the child, the run says which one (``resource``) and
which call was running, so the student reads one clear sentence.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader import limits as limits_mod, text
from grader.runner import protocol

RUNNER_SOURCE = Path(__file__).parent / "runner"
_BOOT = ("import sys; sys.path[:0] = [sys.argv[1] + '/runner']; "
         "from graderrunner.child import main; main(sys.argv[1])")
_ARRAY_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_]{1,64}\.npy$")


@dataclass
class Call:
    """One probe to run in the child: ``probe`` is ``"module:function"``."""

    id: str
    probe: str
    args: dict = field(default_factory=dict)


@dataclass
class Observation:
    """What one call returned: data on success, a described error otherwise."""

    ok: bool
    data: dict = field(default_factory=dict)
    error: dict | None = None
    seconds: float = 0.0
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class RunResult:
    """Everything read back from one child run."""

    observations: dict[str, Observation]
    progress: list[dict]
    stdout: str
    stderr: str
    returncode: int | None
    timed_out: bool
    seconds: float
    started: bool  # the runner reported that it started
    finished: bool  # the runner reported that it made every call
    problems: list[str] = field(default_factory=list)  # what the parent refused to read
    resource: str | None = None  # the limit that stopped the child: wall, cpu, output, memory, signal
    signal: int | None = None  # the signal that ended the child, if one did
    running: Call | None = None  # the call that was running when the child stopped
    limits: Any = None  # the grader.limits.Limits it ran under


@dataclass
class Exit:
    """How one sandboxed command ended, and what it printed (capped and cleaned)."""

    stdout: str
    stderr: str
    returncode: int | None
    timed_out: bool
    seconds: float
    signal: int | None = None
    resource: str | None = None  # wall, output, cpu, file_size, memory or signal


class _Drain(threading.Thread):
    """Reads a pipe to its end, keeping the first ``cap`` bytes."""

    def __init__(self, pipe, cap: int):
        super().__init__(daemon=True)
        self.pipe, self.cap = pipe, cap
        self.kept = bytearray()
        self.dropped = 0

    def run(self):
        while chunk := self.pipe.read(65536):
            room = self.cap - len(self.kept)
            if room > 0:
                self.kept += chunk[:room]
            self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        out = text.clean(bytes(self.kept))
        if self.dropped:
            out += f"\n... [{self.dropped} more bytes of output not kept]"
        return out


def stage_job(job_dir: Path, calls: list[Call], submission_dir: Path, inputs: dict[str, np.ndarray],
              runner_modules: list[Path], device: str, seed: int, threads: int, fixtures=None) -> None:
    """Lay out the job folder that the child (and a sandbox around it) sees."""
    runner = job_dir / protocol.RUNNER_DIR
    shutil.copytree(RUNNER_SOURCE, runner / protocol.RUNNER_PACKAGE,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for module in runner_modules:
        shutil.copyfile(module, runner / Path(module).name)
    shutil.copytree(submission_dir, job_dir / protocol.SUBMISSION_DIR)
    (job_dir / protocol.INPUTS_DIR).mkdir()
    for name, array in inputs.items():
        np.save(job_dir / protocol.INPUTS_DIR / f"{name}.npy", array, allow_pickle=False)
    if fixtures is not None:
        fixtures(job_dir / protocol.INPUTS_DIR)
    (job_dir / protocol.OUT_DIR).mkdir()
    job = {"calls": [{"id": c.id, "probe": c.probe, "args": c.args} for c in calls],
           "device": device, "seed": seed, "threads": threads}
    (job_dir / protocol.JOB_FILE).write_text(json.dumps(job), encoding="utf-8")


def child_env(job_dir: Path, threads: int) -> dict[str, str]:
    """The child's whole environment: nothing of the grader's is passed on."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(job_dir / protocol.OUT_DIR),
        "TMPDIR": str(job_dir / protocol.OUT_DIR),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "OPENBLAS_NUM_THREADS": str(threads),
        "TORCH_HOME": str(job_dir / protocol.OUT_DIR / "torch"),
        "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
    }


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def folder_bytes(folder: Path, max_entries: int = 20000) -> int:
    """Bytes on disk under ``folder``; a folder with more entries than ``max_entries`` counts as huge."""
    total, seen, stack = 0, 0, [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > max_entries:
                return 1 << 62
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            total += info.st_blocks * 512
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return total


_SIGNAL_RESOURCE = {signal.SIGXCPU: "cpu", signal.SIGXFSZ: "file_size", signal.SIGKILL: "memory"}


def run_command(argv: list[str], job_dir: Path, *, sandbox, limits, timeout: float, threads: int = 1,
                slot: int = 0, env: dict[str, str] | None = None) -> Exit:
    """Run ``argv`` in ``sandbox`` with ``job_dir/out`` as its writable folder; always clean up.

    The child gets ``timeout`` wall-clock seconds and ``limits.output_bytes``
    of files; past either it is killed. Its stdout and stderr are drained
    concurrently, capped and cleaned of escape sequences.
    """
    out_dir = job_dir / protocol.OUT_DIR
    launch = sandbox.launch(list(argv), job_dir, env if env is not None else child_env(job_dir, threads),
                            limits, timeout, threads=threads, slot=slot)
    started_at = time.monotonic()
    resource = None
    try:
        proc = subprocess.Popen(launch.argv, env=launch.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True, cwd=out_dir,
                                pass_fds=launch.pass_fds)
    except OSError as exc:
        launch.close()
        sandbox.sweep(launch)
        return Exit("", f"the sandbox could not be started: {exc}", None, False, 0.0)
    launch.close()  # the child holds its own copies
    drains = [_Drain(proc.stdout, protocol.MAX_OUTPUT_BYTES), _Drain(proc.stderr, protocol.MAX_OUTPUT_BYTES)]
    for drain in drains:
        drain.start()
    deadline = started_at + timeout
    try:
        while True:
            try:
                proc.wait(timeout=min(0.25, max(0.0, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() >= deadline:
                resource = "wall"
                break
            if limits.output_bytes is not None and folder_bytes(out_dir) > limits.output_bytes:
                resource = "output"
                break
    finally:
        _kill_group(proc)  # the sandbox (and with it its PID namespace), or the child's group
        sandbox.sweep(launch)  # anything else of the slot's uid: setsid'd and double-forked daemons
        proc.wait()
        for drain in drains:
            drain.join(timeout=5)
    seconds = time.monotonic() - started_at
    sig = sandbox.exit_signal(proc.returncode)
    if resource is None and sig is not None:
        resource = _SIGNAL_RESOURCE.get(sig, "signal")
    return Exit(drains[0].text(), drains[1].text(), proc.returncode, resource == "wall", round(seconds, 3),
                sig, resource)


_MEMORY_WORDS = ("can't allocate memory", "cannot allocate memory", "out of memory", "std::bad_alloc")


def classify_error(error: dict | None) -> str | None:
    """The limit behind a failure the child reported, if it looks like one."""
    if not error:
        return None
    kind, message = error.get("type") or "", (error.get("message") or "").lower()
    if kind == "MemoryError" or any(word in message for word in _MEMORY_WORDS):
        return "memory"
    if "file too large" in message or "[errno 27]" in message:
        return "file_size"
    if kind == "BlockingIOError" and "resource temporarily unavailable" in message:
        return "processes"
    if "disk quota exceeded" in message or "no space left" in message:
        return "output"
    return None


def read_events(out_dir: Path, problems: list[str],
                calls: list[str] | None = None) -> tuple[dict[str, Observation], list[dict], bool, bool]:
    """Parse ``events.jsonl`` with caps; malformed lines are skipped and reported.

    :param calls: the job's call ids in order. The runner writes one result
        per call, in that order, after the call returns. Student code runs
        in the same process and can write into the runner's open files, so
        lines are taken in sequence only: a result for the call after the
        last one accepted moves on, a second result for that same call
        replaces the first (the runner's own comes after anything the call's
        code wrote), and any other result is ignored. This stops forged lines
        that jump ahead or rewrite earlier calls; it cannot stop code that
        imitates the runner exactly (see docs/security.md).
    """
    observations: dict[str, Observation] = {}
    progress: list[dict] = []
    started = finished = False
    path = out_dir / protocol.EVENTS_FILE
    if not path.is_file() or path.is_symlink():
        return observations, progress, started, finished
    with open(path, "rb") as handle:
        raw = handle.read(protocol.MAX_EVENTS_BYTES + 1)
    if len(raw) > protocol.MAX_EVENTS_BYTES:
        problems.append("the runner's event log was larger than allowed; its end was ignored")
        raw = raw[: protocol.MAX_EVENTS_BYTES]
    for line in raw.splitlines():
        if len(line) > protocol.MAX_EVENT_LINE_BYTES:
            problems.append("an oversized event line was ignored")
            continue
        try:
            record = json.loads(line)
        except ValueError:
            problems.append("a malformed event line was ignored")
            continue
        if not isinstance(record, dict):
            continue
        kind = record.get("type")
        if kind == "started":
            started = True
        elif kind == "finished":
            finished = True
        elif kind == "progress" and isinstance(record.get("data"), dict) and len(progress) < 10000:
            progress.append({"call": str(record.get("call")), **record["data"]})
        elif kind == "result" and isinstance(record.get("call"), str):
            call = record["call"]
            latest = next(reversed(observations), None)
            if call in observations and call != latest:
                problems.append(f"a second result for {call[:64]!r} was ignored")
                continue
            if call == latest:
                problems.append(f"a second result for {call[:64]!r} replaced the first")
                del observations[call]
            elif calls is not None and (len(observations) >= len(calls) or calls[len(observations)] != call):
                problems.append(f"a result for {call[:64]!r} out of the job's order was ignored")
                continue
            ok = record.get("ok") is True
            # results and errors carry student code's own words (an exception's message, a source line, a
            # repr): shown on terminals and in reports, so no escape sequences, control characters or lone
            # surrogates
            data = text.clean_strings(record["data"]) if isinstance(record.get("data"), dict) else {}
            error = text.clean_strings(record["error"]) if isinstance(record.get("error"), dict) else None
            if not ok and error is None:
                error = {"type": None, "message": "the runner reported a failure without a reason"}
            seconds = record.get("seconds") if isinstance(record.get("seconds"), (int, float)) else 0.0
            observations[call] = Observation(ok=ok, data=data if ok else {}, error=error, seconds=float(seconds))
    return observations, progress, started, finished


def read_arrays(out_dir: Path, observations: dict[str, Observation], problems: list[str]) -> None:
    """Load ``CALL.NAME.npy`` files into their observations, refusing anything odd."""
    budget = protocol.MAX_ARRAY_BYTES
    for path in sorted(out_dir.iterdir()):
        if not path.name.endswith(".npy"):
            continue
        call, _, rest = path.name.partition(".")
        name = rest[: -len(".npy")]
        if not _ARRAY_NAME.match(path.name) or call not in observations or path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        if size > budget:
            problems.append(f"{path.name} is larger than allowed ({size} bytes) and was ignored")
            continue
        try:
            array = np.load(path, allow_pickle=False)
        except Exception as exc:  # a forged or truncated file
            problems.append(f"{path.name} could not be read as an array ({type(exc).__name__})")
            continue
        if array.dtype.name not in protocol.ARRAY_DTYPES:
            problems.append(f"{path.name} has dtype {array.dtype}, which is not accepted")
            continue
        budget -= size
        observations[call].arrays[name] = array


def run_job(calls: list[Call], *, submission_dir: Path, inputs: dict[str, np.ndarray] | None = None,
            runner_modules: list[Path] = (), device: str = "cpu", seed: int = 0, threads: int = 1,
            timeout: float = 60.0, sandbox=None, fixtures=None, limits=None, slot: int = 0) -> RunResult:
    """Run ``calls`` against a submission in a fresh child; return what it observed.

    :param timeout: wall-clock seconds after which the child's process tree
        is killed (capped by ``limits.wall_seconds``); results recorded
        before that are kept.
    :param sandbox: a :class:`grader.sandbox.Sandbox`; the default is the
        bubblewrap sandbox.
    :param fixtures: ``fixtures(inputs_dir)`` writes extra input files.
    :param limits: a :class:`grader.limits.Limits`; the defaults if ``None``.
    :param slot: the parallel slot, which picks the child's uid.
    """
    from grader import sandbox as sandboxes

    sandbox = sandbox or sandboxes.default(device)
    limits = limits or limits_mod.Limits()
    timeout = limits.timeout(timeout)
    limits = limits.override({"cpu_seconds": limits.cpu_for(timeout, threads)})  # the figure a sentence names
    job_dir = Path(tempfile.mkdtemp(prefix="grader-job-"))
    try:
        stage_job(job_dir, calls, submission_dir, inputs or {}, list(runner_modules), device, seed, threads,
                  fixtures)
        argv = [sys.executable, "-I", "-c", _BOOT, str(job_dir)]
        done = run_command(argv, job_dir, sandbox=sandbox, limits=limits, timeout=timeout, threads=threads,
                           slot=slot)
        problems: list[str] = []
        out_dir = job_dir / protocol.OUT_DIR
        observations, progress, started, finished = read_events(out_dir, problems, [c.id for c in calls])
        read_arrays(out_dir, observations, problems)
        for observation in observations.values():
            resource = classify_error(observation.error)
            if resource is not None:
                observation.error = {**observation.error, "resource": resource, "limits": limits.describe()}
        running = next((c for c in calls if c.id not in observations), None)
        return RunResult(observations=observations, progress=progress, stdout=done.stdout, stderr=done.stderr,
                         returncode=done.returncode, timed_out=done.timed_out, seconds=done.seconds,
                         started=started, finished=finished, problems=problems, resource=done.resource,
                         signal=done.signal, running=running, limits=limits)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
