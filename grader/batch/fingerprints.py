"""What a submission is, as two hashes: its files, and its normalised source.

* ``sha256``: the same fingerprint ``grader grade`` records in results.json
  (sorted relative paths and contents of the staged files), so a rerun can
  tell an unchanged submission from a changed one, and two students who
  handed in the very same files are spotted.
* ``source_sha256``: the Python files with comments, docstrings, blank lines,
  indentation width and quoting style taken out, so a copy whose comments
  were reworded still matches. It uses :mod:`tokenize` only; the student's
  code is read as text and never imported or compiled here.

Staging is :func:`grader.submission.stage`, the same step grading starts
with, so a .zip is checked (paths, links, sizes) before anything is read.
"""
from __future__ import annotations

import hashlib
import io
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

from grader import submission as submissions
from grader.data import sha256_file
from grader.errors import SubmissionError

MAX_SOURCE_BYTES = 2 * 1024 * 1024  # Python source read for the normalised hash
_DROP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_LAYOUT = {tokenize.NEWLINE: ";", tokenize.INDENT: "{", tokenize.DEDENT: "}"}  # structure, not widths


@dataclass
class Fingerprint:
    sha256: str
    source_sha256: str | None  # None when the submission has no readable Python source
    error: str | None = None  # why it could not be staged (the grade will say it too)


def normalised_source(text: str) -> str:
    """Python source as its tokens, without comments, docstrings or layout."""
    kept: list[str] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return " ".join(text.split())  # not tokenizable: whitespace-insensitive text
    at_statement_start = True
    for index, tok in enumerate(tokens):
        if tok.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            at_statement_start = True
        if tok.type in _DROP:
            continue
        if tok.type in _LAYOUT:
            if not (tok.type == tokenize.NEWLINE and (not kept or kept[-1] in ";{")):
                kept.append(_LAYOUT[tok.type])
            continue
        if tok.type == tokenize.STRING and at_statement_start:
            following = next((tokens[i] for i in range(index + 1, len(tokens))
                              if tokens[i].type not in (tokenize.COMMENT, tokenize.NL)), None)
            if following is None or following.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                continue  # a docstring or a bare string statement (its NEWLINE is folded)
        at_statement_start = False
        if tok.type == tokenize.STRING:
            kept.append(_requote(tok.string))
        else:
            kept.append(tok.string)
    return " ".join(kept)


def _requote(literal: str) -> str:
    """'abc' and "abc" are the same string."""
    prefix_len = len(literal) - len(literal.lstrip("rbuRBUfF"))
    prefix, body = literal[:prefix_len].lower(), literal[prefix_len:]
    for quote in ('"""', "'''", '"', "'"):
        if body.startswith(quote) and body.endswith(quote) and len(body) >= 2 * len(quote):
            return prefix + '"' + body[len(quote):-len(quote)] + '"'
    return literal


def source_hash(folder: Path) -> str | None:
    digest = hashlib.sha256()
    budget = MAX_SOURCE_BYTES
    found = False
    for path in sorted(folder.rglob("*.py")):
        if not path.is_file() or budget <= 0:
            continue
        raw = path.read_bytes()[:budget]
        budget -= len(raw)
        found = True
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(normalised_source(raw.decode("utf-8", errors="replace")).encode() + b"\0")
    return digest.hexdigest() if found else None


def fingerprint(source: Path) -> Fingerprint:
    """Both hashes of the submission at ``source`` (a folder or a .zip)."""
    with tempfile.TemporaryDirectory(prefix="grader-batch-") as tmp:
        try:
            staged = submissions.stage(Path(source), Path(tmp) / "submission")
        except SubmissionError as exc:
            raw = sha256_file(source) if Path(source).is_file() else hashlib.sha256(str(source).encode()).hexdigest()
            return Fingerprint(sha256=raw, source_sha256=None, error=str(exc))
        return Fingerprint(sha256=staged.sha256, source_sha256=source_hash(staged.files_dir))
