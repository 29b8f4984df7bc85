"""Staging a submission: a folder or a .zip becomes a plain folder of regular files.

The staged copy is what the runner sees, so the student's originals are never
touched. Only regular files are copied: symbolic links, devices and anything
outside the submission are left out. A .zip is checked before anything is
extracted: no absolute paths, no ``..``, no links, and caps on the number of
files and their sizes (a zip bomb is refused from its headers, before any
byte is inflated). A zip whose files all sit in one top folder is unwrapped.
"""
from __future__ import annotations

import hashlib
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader import text
from grader.errors import SubmissionError, UsageError

MAX_FILES = 500
MAX_FILE_BYTES = 200 * 1024 * 1024  # a VGG16 state_dict is about 530 MB; save-load uses small models
MAX_TOTAL_BYTES = 400 * 1024 * 1024
SKIP_NAMES = {"__pycache__", ".git", ".ipynb_checkpoints", ".DS_Store", "__MACOSX"}


@dataclass
class Submission:
    """A staged submission."""

    source: Path
    files_dir: Path
    sha256: str
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # left out while staging, with why


def _skip(parts) -> bool:
    return any(p in SKIP_NAMES for p in parts)


def _unprintable_name(name: str) -> str:
    return f"{text.clean(name)} (a file name that is not valid UTF-8 or holds control characters)"


def _copy_folder(src: Path, dest: Path, skipped: list[str]) -> None:
    total = 0
    count = 0
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if _skip(rel.parts):
            continue
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode):
            continue
        if text.unprintable(str(rel)):
            skipped.append(_unprintable_name(str(rel)))
            continue
        if stat.S_ISLNK(mode):
            skipped.append(f"{rel} (a symbolic link)")
            continue
        if not stat.S_ISREG(mode):
            skipped.append(f"{rel} (not a regular file)")
            continue
        count += 1
        total += path.stat().st_size
        if count > MAX_FILES or total > MAX_TOTAL_BYTES or path.stat().st_size > MAX_FILE_BYTES:
            raise SubmissionError(
                f"the submission is too large: at most {MAX_FILES} files and "
                f"{MAX_TOTAL_BYTES // 2**20} MiB in all are accepted")
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _extract_zip(src: Path, dest: Path, skipped: list[str]) -> None:
    try:
        archive = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{src.name} is not a readable .zip file ({exc})") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        names = []
        total = 0
        for member in members:
            name = PurePosixPath(member.filename.replace("\\", "/"))
            if _skip(name.parts):
                continue
            if name.is_absolute() or ".." in name.parts or member.filename.startswith("/"):
                raise SubmissionError(f"{src.name} contains the path {member.filename!r}, which points "
                                      "outside the submission; zip your files without absolute or '..' paths")
            if text.unprintable(member.filename):
                skipped.append(_unprintable_name(member.filename))
                continue
            if member.flag_bits & 0x1:
                raise SubmissionError(f"{src.name} is password-protected ({member.filename} is encrypted); "
                                      "zip your files again without a password")
            if stat.S_ISLNK(member.external_attr >> 16):
                skipped.append(f"{member.filename} (a symbolic link)")
                continue
            total += member.file_size
            if member.file_size > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
                raise SubmissionError(
                    f"{src.name} unpacks to more than {MAX_TOTAL_BYTES // 2**20} MiB; "
                    "submit only your source files (and weights where the assignment asks for them)")
            if member.compress_size and member.file_size / member.compress_size > 1000:
                raise SubmissionError(f"{src.name} looks like a zip bomb ({member.filename} would grow "
                                      f"{member.file_size // max(member.compress_size, 1)}-fold); it was not unpacked")
            names.append((member, name))
        if len(names) > MAX_FILES:
            raise SubmissionError(f"{src.name} holds {len(names)} files; at most {MAX_FILES} are accepted")
        tops = {n.parts[0] for _, n in names if len(n.parts) > 1}
        unwrap = len(tops) == 1 and all(len(n.parts) > 1 for _, n in names)
        for member, name in names:
            rel = PurePosixPath(*name.parts[1:]) if unwrap else name
            target = dest.joinpath(*rel.parts)
            written = 0
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as fin, open(target, "wb") as fout:
                    while chunk := fin.read(1 << 20):
                        written += len(chunk)
                        if written > member.file_size:  # headers lied about the size
                            raise SubmissionError(f"{src.name} is damaged: {member.filename} is larger than it says")
                        fout.write(chunk)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
                raise SubmissionError(f"{src.name} could not be unpacked: {member.filename} is damaged or packed in "
                                      f"a way the grader cannot read ({exc}); zip your files again with an "
                                      "ordinary zip tool") from exc
            except (FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
                raise SubmissionError(f"{src.name} uses a name both for a file and for a folder "
                                      f"({member.filename}); zip your files again with an ordinary zip tool") from exc
            except OSError as exc:
                raise SubmissionError(f"{src.name} could not be unpacked: {member.filename} cannot be written "
                                      f"({exc.strerror or exc})") from exc


def fingerprint(folder: Path) -> tuple[str, list[str]]:
    """sha256 over the sorted relative paths and contents of every file."""
    digest = hashlib.sha256()
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    for rel in files:
        digest.update(rel.encode() + b"\0")
        with open(folder / rel, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest(), files


def stage(source: Path, dest: Path) -> Submission:
    """Copy ``source`` (a folder or a .zip) into the new folder ``dest``.

    :raises UsageError: ``source`` does not exist.
    :raises SubmissionError: the submission cannot be staged; the message says why.
    """
    source = Path(source)
    if not source.exists():
        raise UsageError(f"submission not found: {source}")
    dest.mkdir(parents=True, exist_ok=False)
    skipped: list[str] = []
    if source.is_dir():
        _copy_folder(source, dest, skipped)
    elif source.suffix.lower() == ".zip":
        _extract_zip(source, dest, skipped)
    else:
        raise UsageError(f"a submission is a folder or a .zip file, not {source.name}")
    sha, files = fingerprint(dest)
    return Submission(source=source, files_dir=dest, sha256=sha, files=files, skipped=skipped)
