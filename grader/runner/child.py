"""The runner child's main loop: make each call of the job, write what it saw.

Started by the parent as::

    python -I -c "import sys; sys.path[:0] = [JOB/runner]; \
                  from graderrunner.child import main; main(JOB)"

Each call names a probe, ``"module:function"``, importable from
``JOB/runner``; the probe receives a :class:`Context` and the call's
arguments and returns a JSON-able dict. A probe that raises is recorded with
a description of the exception meant for the student (file and line inside
the submission); the next call still runs.
"""
from __future__ import annotations

import importlib
import json
import math
import os
import random
import sys
import time
import traceback
from pathlib import Path

from . import protocol


class StudentCodeError(Exception):
    """A failure in the student's code, with the phase it happened in.

    ``phase`` is a short word the parent's checks turn into a sentence
    (``"file"``, ``"import"``, ``"lookup"``, ``"instantiate"``, ...);
    ``details`` are extra facts for that sentence (the classes found, say).
    """

    def __init__(self, phase: str, message: str = "", cause: BaseException | None = None, **details):
        super().__init__(message or (str(cause) if cause else phase))
        self.phase = phase
        self.cause = cause
        self.details = details


class Context:
    """What a probe may use: the submission, the staged inputs, the output."""

    def __init__(self, job_dir: Path, job: dict):
        self.job_dir = job_dir
        self.submission_dir = job_dir / protocol.SUBMISSION_DIR
        self.inputs_dir = job_dir / protocol.INPUTS_DIR
        self.out_dir = job_dir / protocol.OUT_DIR
        self.device = job.get("device", "cpu")
        self.seed = int(job.get("seed", 0))
        self.state: dict = {}  # shared between the calls of one job
        self.call_id = ""
        self._events = open(self.out_dir / protocol.EVENTS_FILE, "a", encoding="utf-8")

    # -- inputs and outputs ------------------------------------------------
    def input(self, name: str):
        import numpy as np

        return np.load(self.inputs_dir / f"{name}.npy", allow_pickle=False)

    def has_input(self, name: str) -> bool:
        return (self.inputs_dir / f"{name}.npy").is_file()

    def save_array(self, name: str, array) -> str:
        import numpy as np

        file = f"{self.call_id}.{name}.npy"
        np.save(self.out_dir / file, np.ascontiguousarray(array), allow_pickle=False)
        return file

    def progress(self, **data) -> None:
        self.event({"type": "progress", "call": self.call_id, "data": data})

    def event(self, record: dict) -> None:
        self._events.write(json.dumps(record, default=_jsonable, allow_nan=False) + "\n")
        self._events.flush()

    def reseed(self) -> None:
        """Seed every generator so that model initialisation is reproducible."""
        random.seed(self.seed)
        try:
            import numpy as np

            np.random.seed(self.seed % 2**32)
        except ImportError:  # pragma: no cover
            pass
        import torch

        torch.manual_seed(self.seed)


def _jsonable(value):
    """Turn numpy and torch scalars, tuples and sizes into JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _finite(value):
    """Replace NaN and infinities (which JSON cannot carry) by strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def describe_exception(exc: BaseException, submission_dir: Path) -> dict:
    """Describe an exception for the student: type, message, and where in their files."""
    if isinstance(exc, StudentCodeError):
        if exc.cause is not None:
            info = describe_exception(exc.cause, submission_dir)
        else:
            info = {"type": None, "message": str(exc)[: protocol.MAX_TEXT], "file": None, "line": None, "code": None}
        info["phase"] = exc.phase
        info.update(_finite(exc.details))
        return info
    info = {
        "type": type(exc).__name__,
        "message": str(exc)[: protocol.MAX_TEXT],
        "file": None,
        "line": None,
        "code": None,
    }
    if isinstance(exc, ModuleNotFoundError):
        info["module"] = exc.name
    root = str(submission_dir.resolve())
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.filename:
        info["file"] = _relative(exc.filename, root)
        info["line"] = exc.lineno
        info["code"] = (exc.text or "").strip()[:200] or None
        info["message"] = exc.msg
    else:
        own = [f for f in frames if f.filename.startswith(root)]
        if own:
            last = own[-1]
            info["file"] = _relative(last.filename, root)
            info["line"] = last.lineno
            info["code"] = (last.line or "").strip()[:200] or None
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    text = "".join(lines).replace(root + os.sep, "")
    info["traceback"] = text[-protocol.MAX_TEXT :]
    return info


def _relative(filename: str, root: str) -> str:
    path = os.path.abspath(filename)
    if path.startswith(root + os.sep):
        return path[len(root) + 1 :]
    return os.path.basename(path)


def _resolve(probe: str):
    module_name, _, function = probe.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, function)


def main(job_dir) -> None:
    job_dir = Path(job_dir)
    job = json.loads((job_dir / protocol.JOB_FILE).read_text(encoding="utf-8"))
    threads = int(job.get("threads", 1))
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    import torch

    torch.set_num_threads(threads)
    ctx = Context(job_dir, job)
    os.chdir(ctx.out_dir)
    sys.path.insert(0, str(ctx.submission_dir))
    ctx.event({"type": "started", "pid": os.getpid(), "torch": torch.__version__})
    for call in job["calls"]:
        ctx.call_id = call["id"]
        started = time.monotonic()
        try:
            function = _resolve(call["probe"])
            ctx.reseed()
            data = function(ctx, **call.get("args", {})) or {}
            record = {"type": "result", "call": call["id"], "ok": True, "data": _finite(data)}
        except (Exception, SystemExit, KeyboardInterrupt) as exc:  # student code may raise anything
            record = {
                "type": "result",
                "call": call["id"],
                "ok": False,
                "error": describe_exception(exc, ctx.submission_dir),
            }
        record["seconds"] = round(time.monotonic() - started, 4)
        ctx.event(record)
    ctx.event({"type": "finished"})
    ctx._events.close()
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave at once: a submission's atexit handlers or stray threads have
    # no say in how the runner ends.
    os._exit(0)
