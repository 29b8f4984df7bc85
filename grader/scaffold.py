"""``grader new``: a new assignment as an installable plugin package that works out of the box.

The package is rendered from the Jinja2 templates under
``templates/scaffold/`` (each ``NAME.j2`` becomes ``NAME``): a
``pyproject.toml`` whose ``grader`` entry point names the assignment module,
the module itself (the assignment, its recipe, data, budget, thresholds and
checks with their points), a reference implementation, a correct example and
a typical mistake, and tests that grade both through the command line.

Out of the box it is a small MNIST convolutional network, a different shape
from the built-in ``mnist-mlp``, so that right after ``pip install -e PATH``
``grader validate`` passes, the correct example gets full marks and the
mistake does not; the instructor then changes it into their own assignment.
The folder is the package (``package-dir`` maps it), so ``PATH/examples/``
and ``PATH/reference/`` are where an instructor expects them and still ship
inside the installed package.
"""
from __future__ import annotations

from pathlib import Path

import jinja2

from grader.assignment import _ID
from grader.errors import UsageError

RENAMES = {"gitignore": ".gitignore"}  # names a package-data glob would skip if they were dotfiles


def templates_dir() -> Path:
    import grader.templates

    return Path(grader.templates.__file__).parent / "scaffold"


def package_name(assignment_id: str) -> str:
    """The Python package an assignment id becomes: ``mnist-cnn`` -> ``grader_mnist_cnn``."""
    return "grader_" + assignment_id.replace("-", "_")


def create(assignment_id: str, dest: Path, title: str | None = None) -> list[Path]:
    """Render the scaffold for ``assignment_id`` into the new (or empty) folder ``dest``.

    :returns: the files written, relative to ``dest``.
    :raises UsageError: the id is not a valid assignment id, or ``dest`` holds files.
    """
    if not _ID.match(assignment_id):
        raise UsageError(f"assignment id {assignment_id!r} must be 2 to 41 lowercase letters, digits and dashes, "
                         "starting with a letter (it is what students and TAs type)")
    title = title or "A small convolutional network for MNIST"
    if any(c in title for c in '"\\\n'):
        raise UsageError("the title must be one line without double quotes or backslashes")
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UsageError(f"{dest} already exists and is not an empty folder: choose a new one")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False)
    context = {"id": assignment_id, "package": package_name(assignment_id), "title": title}
    written = []
    for name in sorted(env.list_templates(extensions=["j2"])):
        relative = name[: -len(".j2")]
        relative = str(Path(relative).with_name(RENAMES.get(Path(relative).name, Path(relative).name)))
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(env.get_template(name).render(**context), encoding="utf-8")
        written.append(Path(relative))
    return written
