"""A course's own plugin, loaded from its path through GRADER_PLUGINS (not installed).

It implements every grading and output hook, and records each lifecycle call
as one JSON line in the file named by ``COURSE_HOOKS_LOG``, so that the tests
in test_plugin_api.py see what the grader handed to plugins.
"""
import json
import os
from pathlib import Path

from grader import hookimpl
from grader.checks import CheckFailed, check

LIMIT = 250_000


def _log(event: str, **data) -> None:
    path = os.environ.get("COURSE_HOOKS_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"event": event, **data}) + "\n")


@check(kind="parameters", points=1, name="within the course's parameter limit", depends=["loads"])
def within_parameter_limit(ctx):
    """Your network has at most 250,000 trainable parameters, the course's limit for every network."""
    count = ctx.observe("params")["trainable"]
    ctx.details = {"view": "course_limit", "count": count, "limit": LIMIT}
    if count > LIMIT:
        raise CheckFailed("Your network is larger than the course allows.", expected=f"at most {LIMIT:,}",
                          actual=f"{count:,}", hint="Use the layer widths the assignment gives.")
    return f"{count:,} trainable parameters, within the limit."


@hookimpl
def grader_collect_checks(assignment):
    if assignment.id == "mnist-mlp":
        return [within_parameter_limit]
    return None


@hookimpl
def grader_grade_started(assignment, submission_dir, options):
    _log("started", assignment=assignment.id, files=sorted(p.name for p in Path(submission_dir).iterdir()),
         fast=options["fast"], seed=options["seed"])


@hookimpl
def grader_grade_finished(grade):
    _log("finished", assignment=grade.assignment["id"], score=grade.score, max_score=grade.max_score,
         tests=[t.check_id for t in grade.tests])


@hookimpl
def grader_write_outputs(grade, out_dir):
    if os.environ.get("COURSE_HOOKS_BREAK_WRITER"):
        raise RuntimeError("the course's writer is broken")
    path = Path(out_dir) / "course.txt"
    path.write_text(f"{grade.assignment['id']}: {grade.score:g} / {grade.max_score:g}\n", encoding="utf-8")
    return [path]


@hookimpl
def grader_template_dirs():
    return [Path(__file__).parent / "course_templates"]
