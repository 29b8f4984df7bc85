"""Probes for a submitted weights file: load it safely, match it to the model.

The only place the grader opens a student's ``.pth`` file is here, in the
runner child, with ``torch.load(..., weights_only=True)``: PyTorch's
restricted unpickler, which builds tensors and plain containers and refuses
every other class a pickle names. When it refuses, :func:`pickled_globals`
reads the names the pickle asks for with :mod:`pickletools` (which parses
opcodes and runs nothing), so that a whole pickled model
(``torch.save(model, ...)``) can be told apart from a damaged file.

A failure is raised as :class:`StudentCodeError` with phase ``"weights"`` and
a ``status`` the parent's checks turn into sentences: ``missing``,
``whole_model``, ``refused``, ``not_state_dict``, ``checkpoint``,
``mismatch`` (the file is a state_dict, but not one for this model) or
``model`` (the file loaded; the model did not).
"""
from __future__ import annotations

import io
import pickletools
import re
import zipfile
from collections.abc import Mapping

import torch

from . import probes_model
from .child import StudentCodeError

MAX_PICKLE_BYTES = 64 * 1024 * 1024  # read at most this much of a pickle to name its classes
_STRINGS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING", "BINSTRING",
            "SHORT_BINSTRING"}


def pickled_globals(path) -> list[str]:
    """The ``module.name`` of every class or function a pickle (or torch file) refers to.

    Reads opcodes only; nothing is imported or called. A zip-format torch
    file's pickle is its ``data.pkl``; the legacy format is several pickles
    in a row, followed by raw tensor bytes, where reading stops.
    """
    streams = []
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith("data.pkl") and info.file_size <= MAX_PICKLE_BYTES:
                    streams.append(archive.read(info))
    else:
        with open(path, "rb") as handle:
            streams.append(handle.read(MAX_PICKLE_BYTES))
    names: list[str] = []
    for data in streams:
        buffer = io.BytesIO(data)
        for _ in range(8):
            strings: list[str] = []
            try:
                for op, arg, _pos in pickletools.genops(buffer):
                    if op.name in _STRINGS:
                        strings.append(str(arg))
                    elif op.name == "GLOBAL":
                        names.append(str(arg).replace(" ", "."))
                    elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                        names.append(f"{strings[-2]}.{strings[-1]}")
            except Exception:  # the end of the pickles: raw bytes, or a damaged file
                break
            if buffer.tell() >= len(data):
                break
    return list(dict.fromkeys(names))


def _classes_of_model(names: list[str], own_modules: set[str]) -> list[str]:
    """The names that only a pickled nn.Module would carry: torch.nn layers, the submission's classes."""
    return [n for n in names if n.startswith(("torch.nn.modules.", "torch.nn.parallel."))
            or n.split(".")[0] in own_modules]


def _reason(exc: Exception) -> str:
    """The part of torch.load's error that says what is wrong with the file."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    found = re.search(r"WeightsUnpickler error: (.*?)(?:\s+Please use|\n|$)", text)
    if found:
        return found.group(1).strip()[:300]
    if "Weights only load failed" in text:
        return "the restricted unpickler refuses what it holds"
    first = (text.strip().splitlines() or [""])[0][:200]
    return f"it is not a file torch.save wrote ({type(exc).__name__}: {first})"


def _refused(ctx, path, file: str, exc: Exception):
    names = pickled_globals(path) or re.findall(r"GLOBAL ([\w.]+)", str(exc))
    own = {p.stem for p in ctx.submission_dir.glob("*.py")} | {"__main__"}
    model_classes = _classes_of_model(names, own)
    reason = _reason(exc)
    if model_classes:
        return StudentCodeError("weights", f"{file} holds a whole pickled model", status="whole_model",
                                classes=model_classes[:8], reason=reason, file=file)
    return StudentCodeError("weights", f"torch.load refuses {file}", status="refused", reason=reason,
                            globals=names[:8], file=file)


def _state_dict(obj, file: str) -> dict:
    """``obj`` if it is a state_dict (a mapping of names to tensors), else the reason it is not."""
    if not isinstance(obj, Mapping):
        raise StudentCodeError("weights", f"{file} holds a {type(obj).__name__}", status="not_state_dict",
                               holds=type(obj).__name__, file=file)
    inner = [k for k, v in obj.items() if isinstance(v, Mapping) and any(isinstance(t, torch.Tensor)
                                                                         for t in v.values())]
    if inner:
        raise StudentCodeError("weights", f"{file} holds a checkpoint", status="checkpoint",
                               keys=[str(k) for k in list(obj)[:12]], inner=[str(k) for k in inner[:4]], file=file)
    others = [str(k) for k, v in obj.items() if not isinstance(v, torch.Tensor)]
    if others or not obj:
        raise StudentCodeError("weights", f"{file} is not a dict of tensors", status="not_state_dict",
                               holds="dict" if obj else "empty dict", others=others[:8], file=file)
    return dict(obj)


def load_weights(ctx, file: str = "weights.pth") -> dict:
    """Load ``file`` with ``weights_only=True`` and into the model built by ``load``.

    Every name and shape must match the model's own ``state_dict()``; then
    the weights are loaded and the model is kept (as the trained model) for
    ``predict``.
    """
    path = ctx.submission_dir / file
    if not path.is_file():
        found = sorted(p.name for p in ctx.submission_dir.rglob("*") if p.is_file())[:50]
        raise StudentCodeError("weights", f"{file} is missing", status="missing", file=file, found=found)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # refused by the restricted unpickler, or not a torch file at all
        raise _refused(ctx, path, file, exc) from None
    weights = _state_dict(obj, file)
    try:
        model = probes_model._model(ctx)
    except StudentCodeError as exc:
        exc.details.update(status="model", tensors=len(weights))
        raise
    expected = {k: list(v.shape) for k, v in model.state_dict().items()}
    got = {k: list(v.shape) for k, v in weights.items()}
    missing = [k for k in expected if k not in got]
    unexpected = [k for k in got if k not in expected]
    mismatched = [{"key": k, "file": got[k], "model": expected[k]} for k in expected if k in got and got[k] != expected[k]]
    if missing or unexpected or mismatched:
        raise StudentCodeError("weights", f"{file} does not match the model", status="mismatch",
                               tensors=len(weights), missing=missing[:12], unexpected=unexpected[:12],
                               mismatched=mismatched[:12], expected_keys=list(expected)[:12], file=file)
    model.load_state_dict(weights, strict=True)
    ctx.state["trained"] = model
    return {"tensors": len(weights), "keys": list(weights)[:24], "bytes": path.stat().st_size,
            "dtypes": sorted({str(v.dtype).replace("torch.", "") for v in weights.values()})}
