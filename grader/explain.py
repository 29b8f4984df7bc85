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


def error(error: dict | None) -> str:
    """One student-facing explanation of a failure the runner described."""
    if not error:
        return "Your code failed, but the runner gave no reason."
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
    }.get(phase, "Your code failed")
    if kind is None:
        return f"{lead}: {message}"
    return f"{lead} at {_where(error)}{_code(error)} with {kind}: {message}"


def missing(call: str, run) -> str:
    """Why a call has no result: the stage did not run, was stopped or crashed."""
    if run is None:
        return "This was not run."
    if isinstance(run, str):
        return run
    if run.timed_out:
        return (f"Your code was stopped after {run.seconds:.0f} s, the time allowed, before this step "
                f"finished. Look for an endless loop, or a very slow forward pass.")
    if not run.started:
        return ("The runner could not start. " + (run.stderr.strip().splitlines() or [""])[-1]).strip()
    if run.returncode is not None and run.returncode < 0:
        return (f"Your code was killed by signal {-run.returncode} before this step finished "
                f"(it may have used too much memory).")
    return (f"The runner stopped (exit status {run.returncode}) before this step finished; your code may "
            f"have called exit() or crashed the interpreter.")
