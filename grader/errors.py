"""Errors the grader raises for its users (not for students).

A :class:`UsageError` means the command was given something it cannot use
(an unknown assignment, a missing folder); the CLI prints its message on one
line and exits 2. A :class:`GraderError` means the grader itself could not
finish; the CLI prints it and exits 1. A broken *submission* is neither: it
is graded, and its problems become failed tests.
"""


class UsageError(Exception):
    """The user asked for something that cannot be done as asked."""


class GraderError(Exception):
    """The grader could not do its own job (data missing, disk full, ...)."""


class SubmissionError(Exception):
    """The submission cannot be staged (a corrupt or hostile .zip, say).

    The grade then records this message as the reason for zero marks.
    """
