"""How the runner child is isolated from the grader and the host.

A sandbox turns the child's command line and environment into the ones to
start. The foundation ships one mode:

* ``process`` — a separate child process with an emptied environment, its
  own session (its whole process group is killed when grading ends), a
  private job folder as its working and home directory, and a wall-clock
  limit. It keeps student code out of the grader's process and hidden
  labels out of its reach, but it does not hide the host's files or close
  the network: it is a development mode, and the grade records it.

The bubblewrap sandbox replaces this default without changing the runner
protocol: the child reads and writes only its job folder.
"""
from __future__ import annotations

from pathlib import Path


class ProcessSandbox:
    """A plain child process: isolation of state, not of the host."""

    name = "process"

    def command(self, argv: list[str], job_dir: Path, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
        return argv, env

    def describe(self) -> dict:
        return {
            "mode": self.name,
            "protections": ["separate process", "emptied environment", "own process group, killed at the end",
                            "wall-clock limit", "hidden labels never staged"],
            "missing": ["filesystem isolation", "network isolation", "memory and process limits", "seccomp"],
            "degraded": True,
        }


def default() -> ProcessSandbox:
    return ProcessSandbox()
