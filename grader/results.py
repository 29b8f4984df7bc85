"""A finished grade and its Gradescope form (``results.json``).

Gradescope's autograder results format: top-level ``score``, ``max_score``,
``execution_time``, ``output`` and ``tests``; each test has ``name``,
``score``, ``max_score``, ``status`` (``"passed"``/``"failed"``), ``output``,
``tags`` and ``visibility``. Extra facts go to ``extra_data``, which
Gradescope keeps but does not show.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class TestResult:
    name: str
    kind: str
    score: float
    max_score: float
    passed: bool
    output: str
    check_id: str
    description: str = ""
    skipped: bool = False
    visibility: str = "visible"
    details: dict = field(default_factory=dict)  # for the report; not in results.json

    def gradescope(self) -> dict:
        return {"name": self.name, "score": self.score, "max_score": self.max_score,
                "status": "passed" if self.passed else "failed", "output": self.output,
                "tags": [self.kind], "visibility": self.visibility}


@dataclass
class Grade:
    assignment: dict  # id, title, version, plugin
    submission: dict  # source, sha256, files, skipped
    tests: list[TestResult]
    metrics: dict
    data: dict | None  # the data source, None for ``grader check``
    environment: dict  # grader, torch, torchvision, python, device, seed, threads
    sandbox: dict
    timings: dict
    thresholds: dict | None = None
    reference: dict = field(default_factory=dict)  # reference metrics and training summary
    logs: dict = field(default_factory=dict)  # stage -> {"stdout", "stderr", "problems"}
    notes: list[str] = field(default_factory=list)  # said on the terminal and in the report
    fast: bool = False

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 4)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 4)

    @property
    def all_passed(self) -> bool:
        return all(t.passed for t in self.tests)

    @property
    def left_out(self) -> str | None:
        """The sentence naming what staging left out of the submission (links, devices), or None."""
        skipped = (self.submission or {}).get("skipped") or []
        if not skipped:
            return None
        return (f"Left out of your submission: {'; '.join(skipped)}. Only regular files with printable names "
                "are graded: submit the files themselves, not links to them.")

    def summary(self) -> str:
        lines = [f"{self.assignment['id']}: {self.score:g} / {self.max_score:g}"]
        lines += self.notes
        if self.left_out:
            lines.append(self.left_out)
        return "\n".join(lines)

    def gradescope(self) -> dict:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.timings.get("total", 0.0), 3),
            "output": self.summary(),
            "tests": [t.gradescope() for t in self.tests],
            "extra_data": {
                "assignment": self.assignment,
                "submission_sha256": self.submission.get("sha256"),
                "versions": {k: self.environment.get(k) for k in ("grader", "torch", "torchvision", "python")},
                "device": self.environment.get("device"),
                "seed": self.environment.get("seed"),
                "data": self.data,
                "timings": self.timings,
                "metrics": self.metrics,
                "thresholds": self.thresholds,
                "sandbox": self.sandbox,
                "mode": "check" if self.fast else "grade",
            },
        }


def write_json(path: Path, payload: dict) -> None:
    import json

    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, allow_nan=False), encoding="utf-8")
    tmp.replace(path)
