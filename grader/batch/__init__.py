"""Batch grading: a whole class of submissions, in parallel slots, resumable.

``grader batch ASSIGNMENT SUBMISSIONS_DIR --out DIR`` is made of small
modules, each with one job:

* :mod:`grader.batch.layouts` finds the students in a submissions folder
  (a folder or .zip per student, a Gradescope export, nbgrader's layout);
* :mod:`grader.batch.fingerprints` says what a submission *is* (sha256 of
  its files, sha256 of its normalised source) to decide what needs grading
  and to flag identical submissions;
* :mod:`grader.batch.gradebook` is the SQLite gradebook (submissions, runs,
  results), written in one transaction as each submission finishes;
* :mod:`grader.batch.executor` runs jobs in slots (a local pool of worker
  processes, :mod:`grader.batch.worker`); a distributed backend can replace
  it behind the same small interface;
* :mod:`grader.batch.progress` is the live display (plain lines off a TTY);
* :mod:`grader.batch.pipeline` ties them together;
* :mod:`grader.batch.summary` writes the class report, ``summary.html``,
  through the ``grader_write_batch_outputs`` hook like any exporter.

Every submission is graded by :func:`grader.grading.grade` exactly as
``grader grade`` grades it, with ``Options.slot`` set to the worker's slot.
"""
