"""Sentences for students about what went wrong in the runner child.

The child describes a failure as plain data (the phase it happened in, the
exception's type and message, the file and line in the submission); these
functions turn that into one or two sentences a student can act on.
"""
from __future__ import annotations

_ALLOWED = "torch, torchvision, numpy, PIL and Python's standard library"


def _where(error: dict) -> str:
    file, line = error.get("file"), error.get("line")
    if file and line:
        return f"{file} line {line}"
    return file or "your code"


def _code(error: dict) -> str:
    code = error.get("code")
    return f": `{code}`" if code else ""


# exceptions of code that tried to reach the network, which the sandbox does not have
_NETWORK_ERRORS = {"URLError", "HTTPError", "gaierror", "herror", "timeout", "TimeoutError", "ConnectionError",
                   "ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError", "RemoteDisconnected"}
_SANDBOX = ("The grader runs your code in a sandbox with no network (nothing can be downloaded, no connection "
            "opened), where some system calls fail with 'Operation not permitted': submit everything your code "
            "needs with it.")


def _sandbox_hint(kind: str | None, message: str) -> str:
    if kind in _NETWORK_ERRORS or (kind == "PermissionError" and message.startswith("[Errno 1]")):
        return (" " if message.rstrip().endswith((".", "!", "?")) else ". ") + _SANDBOX
    return ""


_PHASE_ACTIVITY = {
    "import": "while importing {file}",
    "lookup": "while importing {file}",
    "instantiate": "while creating {expected}()",
    "train": "while training",
    "predict": "while predicting on the test images",
    "trace": "while tracing your forward pass",
}
_PROBE_ACTIVITY = {
    "load": "while importing {module}.py and creating the model",
    "interface": "while running your forward pass on a test batch",
    "parameters": "while counting your model's parameters",
    "trace": "while tracing your forward pass",
    "train": "while training",
    "predict": "while predicting on the test images",
}


def _format(template: str, values: dict) -> str:
    try:
        return template.format(**{k: v for k, v in values.items() if v is not None})
    except (KeyError, IndexError):
        return template.split(" {")[0] + " your code"


def activity(call) -> str:
    """What the runner was doing during ``call`` (a launcher.Call), as "while ..."."""
    if call is None:
        return "while starting"
    function = call.probe.rpartition(":")[2]
    template = _PROBE_ACTIVITY.get(function)
    return _format(template, {"module": "model", **call.args}) if template else f"during the step '{call.id}'"


def _limit(limits: dict | None, name: str) -> str:
    from grader.limits import human

    value = (limits or {}).get(name)
    if name in ("memory", "file_size", "output_bytes"):
        return human(value) if value is not None else "the allowed amount"
    return f"{value:g}" if isinstance(value, (int, float)) else "the allowed number of"


_RESOURCE = {
    "memory": "Your code used more than {memory} of memory {doing}. Look for a tensor or a list that grows "
              "without bound, or an enormous allocation.",
    "wall": "Your code was stopped after {seconds:.0f} s, the time allowed, {doing}. Look for an endless loop, "
            "a sleep, waiting on something that never comes, or a very slow forward pass.",
    "cpu": "Your code used more than {cpu_seconds} of CPU time {doing} and was stopped. Look for busy loops or "
           "threads that never finish.",
    "file_size": "Your code wrote a file larger than {file_size} {doing}. Do not write files the assignment "
                 "does not ask for.",
    "output": "Your code wrote more than {output_bytes} of files {doing} and was stopped. Do not write files "
              "the assignment does not ask for.",
    "processes": "Your code tried to run more than {processes} processes or threads at once {doing}. Do not "
                 "start processes: the grader runs your model itself.",
}


def resource(kind: str, doing: str, limits: dict | None, seconds: float | None = None) -> str:
    """One sentence about a limit a submission ran into, and what to do about it."""
    cpu = (limits or {}).get("cpu_seconds")
    values = {name: _limit(limits, name) for name in ("memory", "file_size", "output_bytes", "processes")}
    values.update(doing=doing, seconds=seconds or 0, cpu_seconds=f"{cpu:g} s" if cpu else "the allowed amount")
    template = _RESOURCE.get(kind, "Your code was stopped {doing} because it ran into a limit ({kind}).")
    return template.format(kind=kind, **values)


def error(error: dict | None) -> str:
    """One student-facing explanation of a failure the runner described."""
    if not error:
        return "Your code failed, but the runner gave no reason."
    if error.get("resource"):
        template = _PHASE_ACTIVITY.get(error.get("phase"), "")
        doing = _format(template, {"file": error.get("file") or "your code", "expected": error.get("expected")})
        lead = resource(error["resource"], doing or "while it ran", error.get("limits"))
        where = f" (at {_where(error)}{_code(error)})" if error.get("line") else ""
        return lead.replace(". ", f"{where}. ", 1) if where else lead
    phase, kind, message = error.get("phase"), error.get("type"), error.get("message") or ""
    if phase == "file":
        found = error.get("found") or []
        listing = ", ".join(found[:12]) if found else "no files at all"
        return (f"{error.get('file')} is missing from your submission (found: {listing}). "
                f"Submit a file named exactly {error.get('file')} at the top of your submission.")
    if kind in ("SyntaxError", "IndentationError", "TabError"):
        return f"{_where(error)} has a syntax error ({message}){_code(error)}. Fix it and run the file once yourself."
    if kind == "ModuleNotFoundError":
        return (f"{_where(error)} imports the module '{error.get('module') or message}', which the grader does "
                f"not have. Use only {_ALLOWED}, and the files of your own submission.")
    if phase == "lookup":
        expected = error.get("expected")
        defined = error.get("modules") or error.get("defined") or []
        if defined:
            names = ", ".join(defined)
            return (f"{error.get('file')} defines {names}, not {expected}. Name your class (or function) "
                    f"exactly {expected}: the grader looks it up by that name.")
        return f"{error.get('file')} defines nothing named {expected}. Add it: the grader looks it up by that name."
    if phase == "instantiate" and "before Module.__init__() call" in message:
        return (f"{error.get('expected')}.__init__ creates a layer before calling super().__init__() "
                f"({_where(error)}). Make `super().__init__()` the first line of __init__.")
    if phase == "instantiate" and kind is None:
        return message
    lead = {
        "import": "Importing your code failed",
        "instantiate": f"Creating {error.get('expected')}() failed",
        "train": "Training your model failed",
        "predict": "Evaluating your model failed",
        "trace": "Tracing your model failed",
        "construct": "Creating your dataset failed",
    }.get(phase, "Your code failed")
    if kind is None:
        return f"{lead}: {message}"
    at = f" at {_where(error)}{_code(error)}" if error.get("file") else ""  # not "failed at your code"
    return f"{lead}{at} with {kind}: {message}{_sandbox_hint(kind, message)}"


_NOT_TOP_LEVEL = ("SyntaxError", "IndentationError", "TabError", "ModuleNotFoundError", "ImportError")


def import_hint(error: dict | None) -> str | None:
    """What to do when importing a file failed in its own code: guard the script part of it, or ``None``.

    Course notes put the code that uses a class (load a dataset, build and
    train a model, try the class out) in the same file; submitted as it is,
    that code runs when the grader imports the file, with no internet and
    none of the student's own files, and fails there.
    """
    if not error or error.get("phase") != "import" or error.get("type") in _NOT_TOP_LEVEL + (None,):
        return None
    file = error.get("file") or "your file"
    return (f"The grader imports {file} only to use the classes and functions it defines; the rest of the file "
            "(loading data, building or training a model, trying your code out) runs when it is imported, where "
            "there is no internet and no file but those you submitted. Put that part under "
            "`if __name__ == '__main__':`.")


def missing(call: str, run) -> str:
    """Why a call has no result: the stage did not run, hit a limit, was stopped or crashed."""
    if run is None:
        return "This was not run."
    if isinstance(run, str):
        return run
    running = getattr(run, "running", None)
    doing = activity(running)
    limits = run.limits.describe() if getattr(run, "limits", None) is not None else None
    before = "" if running is None or running.id == call else " This step was not reached."
    kind = getattr(run, "resource", None) or ("wall" if run.timed_out else None)
    if kind in ("wall", "cpu", "output", "file_size"):
        return resource(kind, doing, limits, run.seconds) + before
    if not run.started:
        last = (run.stderr.strip().splitlines() or [""])[-1]
        if kind == "memory" or getattr(run, "signal", None):
            return resource("memory", "while starting", limits) if kind == "memory" else \
                f"The runner could not start (signal {run.signal}). {last}".strip()
        return ("The runner could not start. " + last).strip()
    if kind == "memory":
        return (f"Your code was killed {doing}, most likely for using more than "
                f"{_limit(limits, 'memory')} of memory.{before}")
    signal_number = getattr(run, "signal", None)
    if signal_number is None and run.returncode is not None and run.returncode < 0:
        signal_number = -run.returncode
    if signal_number is not None:
        return (f"Your code was killed by signal {_signal_name(signal_number)} {doing}: it crashed the "
                f"interpreter or stopped itself.{before}")
    return (f"The runner stopped (exit status {run.returncode}) {doing}; your code may have called exit(), "
            f"os._exit() or crashed the interpreter.{before}")


def _signal_name(number: int) -> str:
    import signal

    try:
        return f"{signal.Signals(number).name} ({number})"
    except ValueError:
        return str(number)
