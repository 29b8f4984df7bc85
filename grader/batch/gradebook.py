"""The gradebook: an SQLite database of submissions, grading runs and their results.

Three tables:

* ``submissions``: one row per distinct submission of a student (the sha256
  of its files, the sha256 of its normalised source, where it was, when it
  was first and last seen);
* ``runs``: one row per grading of a submission, with everything that can
  change a grade (grader version, assignment version, data fingerprint,
  seed, time budget, device), the slot, when it started and finished, its
  status and score, and the whole ``results.json`` it produced;
* ``results``: one row per test of a finished run.

The database is in WAL mode with ``synchronous=FULL``. A run is inserted as
``running`` when it is handed to a slot; it becomes a result in one
transaction (its tests, its status, and the ``current`` flag moving to it
from the student's previous run), so a batch killed at any moment leaves
either the whole result or none. A unique index allows at most one current
run per student and assignment. Runs left ``running`` by a batch that died
are marked ``interrupted`` when the next batch starts; they are never read
back as results. Old runs are kept: ``grader history STUDENT`` lists them.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UsageError

FILE_NAME = "gradebook.sqlite"
SCHEMA_VERSION = 1
KEY_FIELDS = ("grader_version", "assignment_version", "data_fingerprint", "seed", "time_budget", "device_kind")
"""What a run was graded under; a change in any of them (or in the files) regrades."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source_sha256 TEXT,
    source TEXT NOT NULL,
    members TEXT NOT NULL DEFAULT '[]',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    UNIQUE (student, assignment, sha256)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    assignment_version TEXT NOT NULL,
    data_fingerprint TEXT,
    seed INTEGER NOT NULL,
    time_budget REAL,
    device_kind TEXT NOT NULL,
    device TEXT NOT NULL,
    slot INTEGER,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'graded', 'failed', 'interrupted')),
    reason TEXT,
    score REAL,
    max_score REAL,
    accuracy REAL,
    seconds REAL,
    training_seconds REAL,
    results_json TEXT,
    current INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS one_current_run ON runs (student, assignment) WHERE current = 1;
CREATE INDEX IF NOT EXISTS runs_by_student ON runs (student, assignment, id);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    status TEXT NOT NULL,
    output TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
);
"""


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class StudentResult:
    """A student's current result, as exporters and the class report read it."""

    student: str
    members: list[str]
    status: str  # graded or failed
    reason: str | None
    score: float | None
    max_score: float | None
    accuracy: float | None
    sha256: str
    source_sha256: str | None
    source: str
    run_id: int
    started: str
    finished: str
    seconds: float | None
    training_seconds: float | None
    device: str
    results: dict | None  # the results.json this run wrote
    tests: list[dict] = field(default_factory=list)  # name, kind, score, max_score, status, output


@dataclass
class ClassResults:
    """Every student's current result for one assignment, with where the files are."""

    assignment: dict  # id, title, version
    out_dir: Path
    students: list[StudentResult]
    generated: str

    def test_names(self) -> list[str]:
        """Test names in the order they are graded (the union over students)."""
        names: list[str] = []
        for student in self.students:
            for test in student.tests:
                if test["name"] not in names:
                    names.append(test["name"])
        return names


class Gradebook:
    """The gradebook database at ``path`` (created when missing)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise UsageError(f"{self.path} was written by a newer grader (schema {version}); upgrade the grader")
        if version == 0:  # one transaction: a new gradebook has all its tables or none
            self.db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    def close(self) -> None:
        self.db.close()

    def transaction(self):
        return _Transaction(self.db)

    # -- before grading -------------------------------------------------------

    def assignments(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT assignment FROM submissions")]

    def interrupt_stale(self) -> int:
        """Runs a dead batch left ``running`` become ``interrupted`` (never results)."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE runs SET status = 'interrupted', finished = ?, "
                "reason = 'the batch stopped before this submission finished grading' WHERE status = 'running'",
                (now(),))
        return cursor.rowcount

    def see(self, student: str, assignment: str, sha256: str, source_sha256: str | None, source: str,
            members: list[str]) -> int:
        """Record that this submission exists now; its id."""
        stamp = now()
        with self.transaction():
            self.db.execute(
                "INSERT INTO submissions (student, assignment, sha256, source_sha256, source, members, first_seen, "
                "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (student, assignment, sha256) DO UPDATE "
                "SET last_seen = excluded.last_seen, source = excluded.source, members = excluded.members",
                (student, assignment, sha256, source_sha256, source, json.dumps(members), stamp, stamp))
            row = self.db.execute("SELECT id FROM submissions WHERE student = ? AND assignment = ? AND sha256 = ?",
                                  (student, assignment, sha256)).fetchone()
        return int(row["id"])

    def current(self, student: str, assignment: str) -> sqlite3.Row | None:
        """The student's current run joined with its submission, or ``None``."""
        return self.db.execute(
            "SELECT runs.*, submissions.sha256 FROM runs JOIN submissions ON submissions.id = runs.submission_id "
            "WHERE runs.student = ? AND runs.assignment = ? AND runs.current = 1", (student, assignment)).fetchone()

    # -- grading --------------------------------------------------------------

    def start_run(self, submission_id: int, student: str, assignment: str, key: dict, device: str,
                  slot: int | None) -> int:
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO runs (submission_id, student, assignment, grader_version, assignment_version, "
                "data_fingerprint, seed, time_budget, device_kind, device, slot, started, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')",
                (submission_id, student, assignment, *[key[k] for k in KEY_FIELDS], device, slot, now()))
        return int(cursor.lastrowid)

    def finish_run(self, run_id: int, *, status: str, reason: str | None, results: dict | None,
                   seconds: float | None, training_seconds: float | None) -> None:
        """Make the run the student's current result, with its tests, in one transaction."""
        tests = (results or {}).get("tests", [])
        metrics = ((results or {}).get("extra_data") or {}).get("metrics") or {}
        accuracy = metrics.get("accuracy") if isinstance(metrics.get("accuracy"), (int, float)) else None
        graded = status == "graded" and results is not None  # a failed run has no score, not a zero
        with self.transaction():
            row = self.db.execute("SELECT student, assignment, status FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None or row["status"] != "running":
                raise RuntimeError(f"run {run_id} is not running")
            self.db.execute("UPDATE runs SET current = 0 WHERE student = ? AND assignment = ? AND current = 1",
                            (row["student"], row["assignment"]))
            self.db.execute(
                "UPDATE runs SET status = ?, reason = ?, finished = ?, score = ?, max_score = ?, accuracy = ?, "
                "seconds = ?, training_seconds = ?, results_json = ?, current = 1 WHERE id = ?",
                (status, reason, now(), results.get("score") if graded else None,
                 results.get("max_score") if graded else None, accuracy,
                 seconds, training_seconds, json.dumps(results) if results is not None else None, run_id))
            self.db.executemany(
                "INSERT INTO results (run_id, position, name, kind, score, max_score, status, output) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, i, t.get("name", ""), (t.get("tags") or [""])[0], t.get("score", 0.0),
                  t.get("max_score", 0.0), t.get("status", ""), t.get("output", "")) for i, t in enumerate(tests)])

    def interrupt(self, run_ids: list[int], reason: str) -> None:
        with self.transaction():
            self.db.executemany("UPDATE runs SET status = 'interrupted', finished = ?, reason = ? "
                                "WHERE id = ? AND status = 'running'", [(now(), reason, r) for r in run_ids])

    # -- reading --------------------------------------------------------------

    def history(self, student: str, assignment: str | None = None) -> list[sqlite3.Row]:
        """Every run of a student, oldest first, with the submission's sha256."""
        query = ("SELECT runs.*, submissions.sha256 FROM runs JOIN submissions ON submissions.id = runs.submission_id "
                 "WHERE runs.student = ?")
        args: list = [student]
        if assignment:
            query += " AND runs.assignment = ?"
            args.append(assignment)
        return self.db.execute(query + " ORDER BY runs.id", args).fetchall()

    def tests(self, run_id: int) -> list[dict]:
        return [dict(r) for r in self.db.execute(
            "SELECT name, kind, score, max_score, status, output FROM results WHERE run_id = ? ORDER BY position",
            (run_id,))]

    def students(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT student FROM runs ORDER BY student")]

    def snapshot(self, assignment: dict, out_dir: Path, students: list[str] | None = None) -> ClassResults:
        """Every current result of ``assignment`` (only ``students`` when given)."""
        rows = self.db.execute(
            "SELECT runs.*, submissions.sha256, submissions.source_sha256, submissions.source, submissions.members "
            "FROM runs JOIN submissions ON submissions.id = runs.submission_id "
            "WHERE runs.assignment = ? AND runs.current = 1 ORDER BY runs.student", (assignment["id"],)).fetchall()
        wanted = set(students) if students is not None else None
        found = []
        for row in rows:
            if wanted is not None and row["student"] not in wanted:
                continue
            found.append(StudentResult(
                student=row["student"], members=json.loads(row["members"] or "[]"), status=row["status"],
                reason=row["reason"], score=row["score"], max_score=row["max_score"], accuracy=row["accuracy"],
                sha256=row["sha256"], source_sha256=row["source_sha256"], source=row["source"], run_id=row["id"],
                started=row["started"], finished=row["finished"], seconds=row["seconds"],
                training_seconds=row["training_seconds"], device=row["device"],
                results=json.loads(row["results_json"]) if row["results_json"] else None,
                tests=self.tests(row["id"])))
        return ClassResults(assignment=assignment, out_dir=Path(out_dir), students=found, generated=now())


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on an exception."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, tb):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
