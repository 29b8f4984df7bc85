"""The grader's plugin API: every hook a plugin may implement.

This module is the API reference. It holds specifications only: empty bodies
whose docstrings document each parameter and return value. Plugins implement
hooks with the ``hookimpl`` marker exported by :mod:`grader`::

    from grader import hookimpl

    @hookimpl
    def grader_register_assignments(register):
        register(my_assignment)

An implementation may accept fewer arguments than its specification, so new
arguments can be added to a hook without breaking existing plugins.

Built-in behaviour goes through these same hooks: the course's assignments,
the ``results.json`` writer and the HTML report are ordinary plugins listed in
:data:`grader.plugins.DEFAULT_PLUGINS`, registered before third-party plugins
found through the ``grader`` entry-point group.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pluggy

if TYPE_CHECKING:  # pragma: no cover - typing only
    from grader.assignment import Assignment
    from grader.batch.gradebook import ClassResults
    from grader.checks import Check
    from grader.results import Grade

hookspec = pluggy.HookspecMarker("grader")


# --------------------------------------------------------------------------
# Registration: what exists
# --------------------------------------------------------------------------


@hookspec
def grader_register_assignments(register: Callable[["Assignment"], None]) -> None:
    """Register the assignments this plugin provides.

    :param register: call it once per :class:`grader.assignment.Assignment`.
        The host validates each assignment when it is registered and refuses
        duplicate ids with an error naming both plugins.
    :returns: nothing; use ``register``.
    """


@hookspec
def grader_collect_checks(assignment: "Assignment") -> list["Check"] | None:
    """Contribute checks to an assignment.

    Called once per grading for the assignment being graded. The plugin that
    registered an assignment returns that assignment's own checks here; other
    plugins may add checks to any assignment (a course-wide style rule, say).
    Checks from all plugins are merged and run in dependency order; results
    list the assignment's own checks first, then the other plugins' in
    registration order.

    :param assignment: the assignment being graded.
    :returns: a list of :class:`grader.checks.Check`, or ``None`` for "none
        from this plugin".
    """


# --------------------------------------------------------------------------
# Grading lifecycle
# --------------------------------------------------------------------------


@hookspec
def grader_grade_started(assignment: "Assignment", submission_dir: Path, options: dict) -> None:
    """Called before a submission is graded.

    :param assignment: the assignment being graded.
    :param submission_dir: the staged, read-only copy of the submission.
    :param options: the grading options (``device``, ``seed``, ``time_budget``,
        ``fast``: true for ``grader check``, which runs no training).
    """


@hookspec
def grader_grade_finished(grade: "Grade") -> None:
    """Called with the finished grade, before any output is written.

    Plugins may read the grade (to notify, log or collect it); they should
    not change scores, which belong to the checks.

    :param grade: the complete :class:`grader.results.Grade`.
    """


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


@hookspec
def grader_write_outputs(grade: "Grade", out_dir: Path) -> list[Path] | None:
    """Write files describing a grade into ``out_dir``.

    The built-in writers produce ``results.json`` (Gradescope's format) and
    ``report.html``. Every writer is called; a failing writer is reported
    and does not stop the others.

    :param grade: the complete grade.
    :param out_dir: an existing folder the writer may write into.
    :returns: the paths written, shown to the user; or ``None``.
    """


@hookspec
def grader_template_dirs() -> list[Path] | None:
    """Folders of Jinja2 templates, searched before the built-in ones.

    A course overrides one template (say ``report.html.j2``) by returning a
    folder that holds a file of the same name; a plugin adds the partial for
    its own kind of test details as ``details/<view>.html.j2``.

    :returns: folders, or ``None``.
    """


# --------------------------------------------------------------------------
# Batch grading: a whole class (``grader batch``) and exports
# --------------------------------------------------------------------------


@hookspec
def grader_write_batch_outputs(results: "ClassResults", out_dir: Path) -> list[Path] | None:
    """Write files describing a whole class's grades into ``out_dir``.

    Called once at the end of every ``grader batch``, also when nothing
    needed grading, with every student's *current* result (those graded by
    earlier batches included). The built-in exporters write
    ``gradebook.csv``, ``results.jsonl`` and ``summary.html``. Every exporter
    is called; a failing exporter is reported and does not stop the others.
    Write atomically (a temporary file, then rename): a batch may be killed
    at any moment.

    :param results: a :class:`grader.batch.gradebook.ClassResults`: the
        assignment (``id``, ``title``, ``version``), ``out_dir``, and
        ``students``, a list of :class:`grader.batch.gradebook.StudentResult`
        (student id, group members, ``status`` ``"graded"`` or ``"failed"``,
        ``reason``, ``score``, ``max_score``, ``accuracy``, ``sha256`` of the
        files, ``source_sha256`` of the normalised source, ``tests`` as
        dicts with ``name``, ``kind``, ``score``, ``max_score``, ``status``,
        ``output``, the whole ``results`` dict of ``results.json``, timings).
    :param out_dir: the batch's ``--out`` folder; each student's
        ``results.json`` and ``report.html`` are in ``out_dir/<student>/``.
    :returns: the paths written, shown to the user; or ``None``.
    """


@hookspec
def grader_register_exporters(register: Callable[[str, Callable, str], None]) -> None:
    """Register the bundles ``grader export NAME ASSIGNMENT --out PATH`` can build.

    The built-in ``gradescope`` exporter builds a Gradescope autograder
    bundle (``setup.sh``, ``run_autograder``) that runs this grader inside
    Gradescope's container.

    :param register: call ``register(name, build, description)`` once per
        exporter. ``name`` is the word on the command line (lowercase
        letters, digits, dashes); ``description`` one line for ``--help``;
        ``build(assignment, out, settings)`` writes the bundle at ``out`` (a
        :class:`pathlib.Path` the user chose) and returns the paths written.
        ``settings`` is a dict with ``time_budget`` (seconds or ``None`` for
        the assignment's), ``threads`` (or ``None``) and ``seed``. The host
        refuses a duplicate name with an error naming both plugins.
    :returns: nothing; use ``register``.
    """
