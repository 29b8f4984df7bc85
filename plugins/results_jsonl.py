"""Writes ``results.jsonl``: every student's current result as one JSON object per line.

For other tools (an LMS uploader, a notebook, ``jq``). Each line holds the
student id and group members, the status and its reason, score, max and
accuracy, the sha256 of the files and of the normalised source, the run
(gradebook id, when, device, seconds) and the whole ``results.json``.
"""
from __future__ import annotations

import json
from pathlib import Path

from grader import hookimpl
from grader.batch.exports import write_atomic

FILE_NAME = "results.jsonl"


def line(student) -> dict:
    return {"student": student.student, "members": student.members, "status": student.status,
            "reason": student.reason, "score": student.score, "max_score": student.max_score,
            "accuracy": student.accuracy, "sha256": student.sha256, "source_sha256": student.source_sha256,
            "run": {"id": student.run_id, "started": student.started, "finished": student.finished,
                    "device": student.device, "seconds": student.seconds,
                    "training_seconds": student.training_seconds},
            "results": student.results}


@hookimpl
def grader_write_batch_outputs(results, out_dir: Path):
    text = "".join(json.dumps(line(s), sort_keys=True) + "\n" for s in results.students)
    return [write_atomic(out_dir / FILE_NAME, text)]
