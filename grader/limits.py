"""Resource limits for one runner child: what a submission may use, and how it is enforced.

An assignment declares its limits (:class:`Limits`, defaults below); the
command line may override them (``--limit memory=2GiB``). The sandbox turns
them into ``prlimit`` arguments applied to the child before it execs, and the
launcher enforces the two that no rlimit covers (wall-clock time, and the
total size of what the child writes).

Memory is enforced as ``RLIMIT_DATA`` (heap and private anonymous mappings,
which is where tensors live) rather than ``RLIMIT_AS``: importing torch maps
about 3.5 GiB of shared libraries, so an address-space limit of 4 GiB would
leave no room at all, and CUDA reserves far more address space than it uses.
The libraries' own writable data (about 0.8 GiB for a CUDA build of torch)
is allowed on top (:data:`LIBRARY_DATA`). On the CPU an ``RLIMIT_AS``
backstop also caps shared mappings, which ``RLIMIT_DATA`` does not count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from grader.errors import UsageError

GiB = 1024**3
MiB = 1024**2
LIBRARY_DATA = 1 * GiB  # writable data of the interpreter, torch and CUDA libraries
ADDRESS_SPACE_HEADROOM = 8 * GiB  # shared-library mappings (torch + CUDA libraries: ~3.5 GiB)


@dataclass(frozen=True)
class Limits:
    """What one runner child may use. ``None`` means "not limited".

    :param memory: bytes of memory the submission's code may allocate.
    :param cpu_seconds: CPU seconds per process; ``None``: twice the stage's
        wall-clock timeout times the thread count, plus 30 s.
    :param wall_seconds: caps every stage's timeout (the time budget plus
        grace for training); ``None`` keeps the plan's timeouts.
    :param file_size: bytes of the largest file the child may write.
    :param output_bytes: bytes the child may write in all (its out folder).
    :param processes: processes and threads the child may run at once.
    :param open_files: file descriptors per process.
    """

    memory: int | None = 4 * GiB
    cpu_seconds: float | None = None
    wall_seconds: float | None = None
    file_size: int | None = 256 * MiB
    output_bytes: int | None = 512 * MiB
    processes: int | None = 128
    open_files: int | None = 1024

    def override(self, overrides: dict | None) -> "Limits":
        return replace(self, **(overrides or {}))

    def timeout(self, stage_timeout: float) -> float:
        """The wall-clock seconds a stage gets under these limits."""
        return stage_timeout if self.wall_seconds is None else min(stage_timeout, self.wall_seconds)

    def cpu_for(self, timeout: float, threads: int) -> int | None:
        if self.cpu_seconds is not None:
            return int(self.cpu_seconds)
        return int(2 * timeout * max(1, threads) + 30)

    def describe(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([KMGT]i?B?|B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": MiB, "g": GiB, "t": 1024 * GiB}
_SIZES = ("memory", "file_size", "output_bytes")


def parse_size(text: str) -> int:
    """``"4GiB"``, ``"512M"``, ``"1.5g"`` or a number of bytes -> bytes."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a size (say 512MiB or 4GiB)")
    unit = (match.group(2) or "").lower()[:1]
    return int(float(match.group(1)) * _UNITS[unit])


def parse_overrides(items) -> dict:
    """``["memory=2GiB", "wall_seconds=20", "processes=none"]`` -> a dict for :meth:`Limits.override`.

    :raises UsageError: an unknown limit or a value that is not a number or size.
    """
    names = {f.name for f in fields(Limits)}
    out: dict = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in names:
            raise UsageError(f"--limit {item!r}: say NAME=VALUE with NAME one of {', '.join(sorted(names))}")
        value = value.strip()
        try:
            if value.lower() == "none":
                out[name] = None
            elif name in _SIZES:
                out[name] = parse_size(value)
            elif name in ("cpu_seconds", "wall_seconds"):
                out[name] = float(value)
            else:
                out[name] = int(value)
        except ValueError as exc:
            raise UsageError(f"--limit {item!r}: {exc}") from exc
        if out[name] is not None and out[name] <= 0:
            raise UsageError(f"--limit {item!r}: the value must be positive (or none)")
    return out


def human(nbytes: int | None) -> str:
    """Bytes as the course says them: ``4 GiB``, ``256 MiB``."""
    if nbytes is None:
        return "unlimited"
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if nbytes >= size:
            value = nbytes / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{nbytes} bytes"


def prlimit_args(limits: Limits, timeout: float, threads: int, cuda: bool) -> list[str]:
    """``prlimit`` options that apply ``limits`` to the child (and everything it starts)."""
    args = ["--core=0"]
    if limits.memory is not None:
        data = limits.memory + LIBRARY_DATA
        args.append(f"--data={data}")
        if not cuda:  # CUDA reserves huge address ranges; RLIMIT_AS would break it
            args.append(f"--as={data + ADDRESS_SPACE_HEADROOM}")
    cpu = limits.cpu_for(timeout, threads)
    if cpu is not None:
        args.append(f"--cpu={cpu}")
    if limits.file_size is not None:
        args.append(f"--fsize={limits.file_size}")
    if limits.processes is not None:
        args.append(f"--nproc={limits.processes}")
    if limits.open_files is not None:
        args.append(f"--nofile={limits.open_files}")
    return args
