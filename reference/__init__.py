"""Reference implementations: one folder per assignment, laid out like a correct submission.

These folders are data for the grader: each is run through the same runner,
plan and recipe as a student's submission (never imported by the grader
itself), and they are never made visible to a student's code.
"""

from pathlib import Path


def folder(name: str) -> Path:
    """The reference folder for an assignment (``mnist_mlp``)."""
    return Path(__file__).parent / name
