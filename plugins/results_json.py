"""Writes ``results.json`` in Gradescope's autograder results format."""
from pathlib import Path

from grader import hookimpl
from grader.results import write_json


@hookimpl
def grader_write_outputs(grade, out_dir: Path):
    path = out_dir / "results.json"
    write_json(path, grade.gradescope())
    return [path]
