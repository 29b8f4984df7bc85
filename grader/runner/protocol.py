"""What the parent and the runner child exchange, and the caps on it.

The job folder (``JOB``) is laid out as::

    JOB/job.json        the calls to make (written by the parent)
    JOB/runner/         a copy of this package, as ``graderrunner``, plus
                        assignment probe modules (read-only for the child)
    JOB/submission/     a copy of the student's files (read-only for the child)
    JOB/inputs/         staged ``.npy`` inputs: training split, unlabeled test images
    JOB/out/            the only place the child writes

The child appends one JSON line per finished call (and progress lines while
training) to ``JOB/out/events.jsonl`` and writes arrays as ``.npy`` files in
``JOB/out/``. The parent reads them with size caps and validation; it never
unpickles anything and never parses the child's stdout or stderr.
"""

JOB_FILE = "job.json"
RUNNER_DIR = "runner"
RUNNER_PACKAGE = "graderrunner"
SUBMISSION_DIR = "submission"
INPUTS_DIR = "inputs"
OUT_DIR = "out"
EVENTS_FILE = "events.jsonl"

# Caps on what the parent reads back.
MAX_EVENTS_BYTES = 8 * 1024 * 1024
MAX_EVENT_LINE_BYTES = 1024 * 1024
MAX_ARRAY_BYTES = 64 * 1024 * 1024
MAX_OUTPUT_BYTES = 256 * 1024  # stdout+stderr kept per stream
MAX_TEXT = 4000  # longest string kept in an error message

ARRAY_DTYPES = ("float32", "float64", "int64", "int32", "uint8", "bool")
