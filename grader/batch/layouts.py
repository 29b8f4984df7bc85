"""Where the students are: the layouts of a folder of submissions a TA downloads.

Three layouts are recognised, in this order:

* **Gradescope** "Export Submissions": ``submission_metadata.yml`` beside one
  folder per submission (``submission_123456/``). The student id is the
  submitter's ``:sid:`` (else the e-mail, else the name); a group
  submission is one entry whose id joins its members' ids with ``+``.
* **nbgrader**: ``submitted/{student}/{assignment}/`` (SUBMISSIONS_DIR is
  the course folder or its ``submitted/`` folder). The assignment folder
  is the one named like the assignment id (``mnist-mlp`` or ``mnist_mlp``).
* **One entry per student** (the default): a folder or a ``.zip`` named by
  the student id.

Student ids become folder names under ``--out``, so anything outside
``A-Z a-z 0-9 . _ @ + -`` is replaced by ``_``. What is ignored is said, never
dropped silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from grader import text
from grader.errors import UsageError

GRADESCOPE_METADATA = "submission_metadata.yml"
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


@dataclass
class Entry:
    """One submission to grade: who submitted it and where its files are."""

    student: str
    source: Path  # a folder or a .zip, as ``grader grade`` accepts
    members: list[str] = field(default_factory=list)  # group submissions: every submitter


@dataclass
class Layout:
    """The submissions found in a folder, and what was left out (with why)."""

    name: str  # "folders", "gradescope" or "nbgrader"
    entries: list[Entry]
    notes: list[str] = field(default_factory=list)


def safe_id(text: str) -> str:
    """A student id usable as a folder name."""
    cleaned = _UNSAFE.sub("_", text.strip()).strip(".") or "_"
    return cleaned[:120]


def _unique(entries: list[Entry], notes: list[str]) -> list[Entry]:
    """The entries with unique student ids; ``notes`` made printable (names come from the TA's download)."""
    readable = []
    for entry in entries:
        if text.unprintable(str(entry.source)):
            notes.append(f"{entry.source} ignored: its path is not valid UTF-8 or holds control characters; "
                         "rename it and run again")
        else:
            readable.append(entry)
    notes[:] = [text.clean(note) for note in notes]
    entries = readable
    seen: dict[str, int] = {}
    for entry in entries:
        if entry.student in seen:
            seen[entry.student] += 1
            renamed = f"{entry.student}-{seen[entry.student]}"
            notes.append(f"two submissions for {entry.student}: the one at {entry.source} is graded as {renamed}")
            entry.student = renamed
        else:
            seen[entry.student] = 1
    return sorted(entries, key=lambda e: e.student)


def _hidden(path: Path) -> bool:
    return path.name.startswith((".", "__"))


# --------------------------------------------------------------------------
# one folder or .zip per student
# --------------------------------------------------------------------------


def folders(root: Path, out_dir: Path | None = None) -> Layout:
    entries: list[Entry] = []
    notes: list[str] = []
    out = Path(out_dir).resolve() if out_dir is not None else None
    for path in sorted(root.iterdir()):
        if _hidden(path):
            continue
        if path.resolve() == out:
            notes.append(f"{path.name}/ ignored: it is the --out folder")
            continue
        if path.is_dir():
            entries.append(Entry(safe_id(path.name), path))
        elif path.suffix.lower() == ".zip":
            if (root / path.stem).is_dir():
                notes.append(f"{path.name} ignored: the folder {path.stem}/ is graded instead")
                continue
            entries.append(Entry(safe_id(path.stem), path))
        else:
            notes.append(f"{path.name} ignored: a submission is a folder or a .zip")
    return Layout("folders", _unique(entries, notes), notes)


# --------------------------------------------------------------------------
# Gradescope "Export Submissions"
# --------------------------------------------------------------------------


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse_gradescope_metadata(text: str) -> dict[str, list[dict]]:
    """``submission_metadata.yml`` -> ``{folder: [submitter, ...]}``.

    Gradescope writes Ruby-flavoured YAML (keys like ``:sid:``). This reads
    just the submitters of each submission, without a YAML library::

        submission_123:
          :submitters:
          - :name: Pair One
            :sid: '200'
    """
    found: dict[str, list[dict]] = {}
    current: list[dict] | None = None
    in_submitters, submitters_indent = False, 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if indent == 0:
            current = found.setdefault(_scalar(line.rstrip(":")).lstrip(":"), [])
            in_submitters = False
            continue
        item = line.startswith("- ")
        if item:
            line = line[2:].strip()
        key, sep, value = line.lstrip(":").partition(":")
        if current is None or not sep:
            continue
        if key == "submitters":
            in_submitters, submitters_indent = True, indent
        elif not item and indent <= submitters_indent:
            in_submitters = False  # a sibling of :submitters:, such as :created_at:
        elif in_submitters:
            if item or not current:
                current.append({})
            current[-1][key.strip()] = _scalar(value)
    return found


def gradescope(root: Path) -> Layout:
    try:
        metadata = parse_gradescope_metadata((root / GRADESCOPE_METADATA).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {root / GRADESCOPE_METADATA}: {exc}") from exc
    entries: list[Entry] = []
    notes: list[str] = []
    for folder, submitters in sorted(metadata.items()):
        path = root / folder
        if not path.is_dir():
            notes.append(f"{folder} is in {GRADESCOPE_METADATA} but has no folder")
            continue
        ids = [safe_id(s.get("sid") or s.get("email") or s.get("name") or "") for s in submitters]
        ids = [i for i in ids if i != "_"] or [safe_id(folder)]
        entries.append(Entry("+".join(ids), path, members=ids))
    listed = set(metadata)
    for path in sorted(root.iterdir()):
        if path.is_dir() and not _hidden(path) and path.name not in listed:
            notes.append(f"{path.name}/ ignored: it is not listed in {GRADESCOPE_METADATA}")
    return Layout("gradescope", _unique(entries, notes), notes)


# --------------------------------------------------------------------------
# nbgrader: submitted/{student}/{assignment}/
# --------------------------------------------------------------------------


def _assignment_folder(student_dir: Path, assignment_id: str) -> Path | None:
    names = {assignment_id.lower(), assignment_id.replace("-", "_").lower()}
    for path in sorted(student_dir.iterdir()):
        if path.is_dir() and path.name.lower() in names:
            return path
    return None


def nbgrader(submitted: Path, assignment_id: str) -> Layout | None:
    """The nbgrader layout, or ``None`` when no student folder holds the assignment."""
    entries: list[Entry] = []
    notes: list[str] = []
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir() and not _hidden(p)):
        folder = _assignment_folder(student_dir, assignment_id)
        if folder is None:
            notes.append(f"{student_dir.name}/ ignored: no {assignment_id} folder inside")
            continue
        entries.append(Entry(safe_id(student_dir.name), folder))
    if not entries:
        return None
    return Layout("nbgrader", _unique(entries, notes), notes)


def discover(root: Path, assignment_id: str, out_dir: Path | None = None) -> Layout:
    """Find every submission under ``root`` (``out_dir``, the batch's ``--out``, is never one).

    :raises UsageError: ``root`` is not a folder, or holds no submission.
    """
    root = Path(root)
    if not root.is_dir():
        raise UsageError(f"SUBMISSIONS_DIR {root} is not a folder")
    out = Path(out_dir).resolve() if out_dir is not None else None
    subdirs = [p for p in root.iterdir() if p.is_dir() and not _hidden(p) and p.resolve() != out]
    if not (root / GRADESCOPE_METADATA).is_file() and len(subdirs) == 1 \
            and (subdirs[0] / GRADESCOPE_METADATA).is_file():
        root = subdirs[0]  # an unzipped export: one top folder
    if (root / GRADESCOPE_METADATA).is_file():
        layout = gradescope(root)
    else:
        submitted = root if root.name == "submitted" else root / "submitted"
        layout = (nbgrader(submitted, assignment_id) if submitted.is_dir() else None) or folders(root, out_dir)
    if not layout.entries:
        raise UsageError(f"no submissions found in {root}: expected one folder or .zip per student, a "
                         f"Gradescope export ({GRADESCOPE_METADATA}) or nbgrader's submitted/STUDENT/"
                         f"{assignment_id}/" + (f" ({'; '.join(layout.notes[:3])})" if layout.notes else ""))
    return layout
