"""What an assignment is: the things a plugin declares when it registers one.

An assignment says what students submit, where its reference implementation
is, which data it uses, what the runner child must observe (its *plan*: a
list of stages, each one child process), and how observations become marks
(its checks, contributed through ``grader_collect_checks``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from grader.launcher import Call
from grader.limits import Limits


@dataclass
class Options:
    """How one grading runs (from the command line)."""

    device: str = "cpu"
    seed: int = 0
    time_budget: float | None = None  # None: the assignment's default
    fast: bool = False  # ``grader check``: fast checks only, no data
    threads: int = 2
    sandbox: Any = None  # a grader.sandbox object; None for the default
    data_root: Path | None = None  # --data; None: cache, download, or the stand-in
    slot: int = 0  # parallel slot (batch grading); the sandbox picks a uid per slot
    limits: dict = field(default_factory=dict)  # --limit overrides of the assignment's Limits


@dataclass
class Stage:
    """One child run: calls made in order in one fresh process.

    :param fast: also runs for ``grader check`` (no training, no hidden data).
    :param needs_data: the dataset's staged inputs are given to the child.
    :param timeout: seconds before the child is killed; ``None`` means the
        time budget plus the assignment's grace.
    :param requires: ids of calls (from earlier stages) that must have
        succeeded, else this stage is not run and its calls are reported as
        not reached for that reason.
    :param fixtures: ``fixtures(inputs_dir)`` writes files the child may read
        (generated images, CSV files) into the job's read-only inputs folder.
    """

    name: str
    calls: list[Call]
    fast: bool = True
    needs_data: bool = False
    timeout: float | None = 60.0
    requires: tuple[str, ...] = ()
    fixtures: Callable[[Path], None] | None = None


@dataclass
class Thresholds:
    """How a metric becomes marks: linear from ``zero`` to ``full`` (in percent).

    Relative thresholds (the default) are set from the reference trained with
    the same recipe, seed and budget on the same data: full marks from
    ``reference - full_below`` points, none at ``reference - zero_below``.
    ``absolute`` fixes numbers per dataset name instead, e.g.
    ``{"MNIST": (97.0, 85.0)}`` for the real MNIST; stand-ins are always
    calibrated. A calibration stored by ``grader calibrate`` for the data
    being graded takes precedence over both (see :mod:`grader.calibration`);
    ``basis`` in the resolved thresholds says which was used.
    """

    metric: str = "accuracy"
    full_below: float = 2.0
    zero_below: float = 15.0
    absolute: dict[str, tuple[float, float]] = field(default_factory=dict)

    def resolve(self, reference_value: float | None, dataset_name: str, standin: bool) -> dict:
        if not standin and dataset_name in self.absolute:
            full, zero = self.absolute[dataset_name]
            return {"metric": self.metric, "full": full, "zero": zero, "basis": "fixed",
                    "source": f"fixed for {dataset_name}"}
        if reference_value is None:
            return {"metric": self.metric, "full": None, "zero": None, "basis": "none",
                    "source": "reference unavailable"}
        return {"metric": self.metric, "basis": "reference", "full": round(reference_value - self.full_below, 2),
                "zero": round(reference_value - self.zero_below, 2),
                "reference": round(reference_value, 2),
                "source": f"reference {reference_value:.2f} - {self.full_below:g} / - {self.zero_below:g} points"}


_ID = re.compile(r"^[a-z][a-z0-9-]{1,40}$")


@dataclass
class Assignment:
    """An assignment, as a plugin registers it.

    :param id: the name on the command line (``mnist-mlp``).
    :param title: one line for humans.
    :param version: bump it when grading changes; results record it and
        batch grading regrades on a change.
    :param description: what students submit, in a few sentences.
    :param files: the files a submission must contain.
    :param reference: a folder laid out like a correct submission.
    :param plan: ``plan(assignment, options) -> list[Stage]``.
    :param data: a dataset spec (:class:`grader.data.IdxSpec`) or ``None``.
    :param inputs: ``inputs(dataset) -> {name: array}`` staged for data
        stages; by default the training images and labels and the *unlabeled*
        test images.
    :param evaluate: ``evaluate(outputs, dataset) -> metrics`` computed in
        the grader's process from the child's outputs and the hidden labels.
    :param examples: bundled submissions, ``{"correct": path, "mistake": path}``.
    :param runner_modules: extra probe modules copied into the child.
    :param limits: what one runner child may use (:class:`grader.limits.Limits`:
        4 GiB of memory, 128 processes, 256 MiB files by default).
    :param device: the device ``time_budget`` is set for (``cpu`` or
        ``cuda``); ``grader validate`` checks that the reference fits there.
    """

    id: str
    title: str
    version: str
    description: str
    files: list[str]
    reference: Path
    plan: Callable[["Assignment", Options], list[Stage]]
    data: Any = None
    inputs: Callable[[Any], dict[str, np.ndarray]] | None = None
    evaluate: Callable[[np.ndarray, Any], dict] | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    time_budget: float = 60.0
    grace: float = 15.0
    examples: dict[str, Path] = field(default_factory=dict)
    runner_modules: list[Path] = field(default_factory=list)
    device: str = "cpu"
    limits: Limits = field(default_factory=Limits)  # memory, CPU, files, processes per runner child
    plugin: str = ""  # set by the host at registration

    def validate(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"assignment id {self.id!r} must be lowercase letters, digits and dashes")
        if not Path(self.reference).is_dir():
            raise ValueError(f"assignment {self.id}: reference folder {self.reference} does not exist")
        if self.device not in ("cpu", "cuda"):
            raise ValueError(f"assignment {self.id}: device {self.device!r} must be 'cpu' or 'cuda'")
        for module in self.runner_modules:
            if not Path(module).is_file():
                raise ValueError(f"assignment {self.id}: runner module {module} does not exist")

    def run_limits(self, options: Options) -> Limits:
        """The assignment's limits with the command line's overrides."""
        return self.limits.override(options.limits)

    def budget(self, options: Options) -> float:
        return float(options.time_budget if options.time_budget is not None else self.time_budget)

    def staged_inputs(self, dataset) -> dict[str, np.ndarray]:
        if self.inputs is not None:
            return self.inputs(dataset)
        return {"train_x": dataset.train_x, "train_y": dataset.train_y, "test_x": dataset.test_x}
