"""Writes ``gradebook.csv``: one row per student, for a spreadsheet or an LMS gradebook column.

Columns: ``id``, ``score``, ``max``, one column per test (its score, headed
by the test's name), ``accuracy``, ``status`` (``graded`` or ``failed``) and
``sha256`` (of the submission's files). A submission that could not be
graded has empty scores, so an LMS import does not record a zero by mistake.
A cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``)
is prefixed with ``'``.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader import hookimpl
from grader.batch.exports import write_atomic

FILE_NAME = "gradebook.csv"


def number(value) -> str:
    return "" if value is None else f"{float(value):g}"


def cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@hookimpl
def grader_write_batch_outputs(results, out_dir: Path):
    names = results.test_names()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id", "score", "max", *(cell(n) for n in names), "accuracy", "status", "sha256"])
    for student in results.students:
        graded = student.status == "graded"
        scores = {t["name"]: t["score"] for t in student.tests}
        writer.writerow([cell(student.student), number(student.score if graded else None),
                         number(student.max_score if graded else None),
                         *(number(scores.get(n)) for n in names), number(student.accuracy), student.status,
                         student.sha256])
    return [write_atomic(out_dir / FILE_NAME, buffer.getvalue())]
