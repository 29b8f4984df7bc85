"""Shared by the batch exporters: calling them, atomic writes, and the registry of bundle exporters.

Bundle exporters (``grader export NAME ASSIGNMENT --out PATH``) are
registered through the ``grader_register_exporters`` hook, validated here
the way assignments are: a name on the command line, a callable, no
duplicates.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.errors import GraderError

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,40}$")


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename: never half a file."""
    path = Path(path)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o666 & ~_umask())  # as open() would make it, not mkstemp's 0600
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@dataclass
class Exporter:
    name: str
    build: Callable
    description: str
    plugin: str


def exporters(pm) -> dict[str, Exporter]:
    """Every registered bundle exporter by name, with the plugin that registered it."""
    found: dict[str, Exporter] = {}
    for impl in pm.hook.grader_register_exporters.get_hookimpls():
        plugin = impl.plugin_name

        def register(name, build, description="", _plugin=plugin):
            if not isinstance(name, str) or not _NAME.match(name):
                raise GraderError(f"plugin {_plugin} registered the exporter name {name!r}: use lowercase "
                                  "letters, digits and dashes")
            if not callable(build):
                raise GraderError(f"plugin {_plugin} registered exporter {name} with a build that is not callable")
            if name in found:
                raise GraderError(f"exporter {name!r} is registered twice: by {found[name].plugin} and by {_plugin}")
            found[name] = Exporter(name, build, str(description), _plugin)

        impl.function(*[{"register": register}[a] for a in impl.argnames])
    return found


def write_batch_outputs(pm, snapshot, out_dir: Path) -> tuple[list[Path], list[str]]:
    """Call every ``grader_write_batch_outputs`` exporter; one that fails is reported, the others still run."""
    from grader.grading import call_writers

    return call_writers(pm.hook.grader_write_batch_outputs, results=snapshot, out_dir=out_dir)
