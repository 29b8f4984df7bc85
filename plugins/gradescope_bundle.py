"""The ``gradescope`` exporter: an autograder bundle that runs this grader inside Gradescope.

``grader export gradescope ASSIGNMENT --out autograder.zip`` writes a zip to
upload as a Gradescope programming assignment's autograder (``--out`` a
folder name without ``.zip`` writes the same files into a folder):

* ``setup.sh``, run once when Gradescope builds the image: installs Python,
  CPU-only torch and torchvision, then the grader from ``grader-source/``
  (this checkout's packages, pinned by its ``constraints.txt``), and warms
  the grader's cache in ``/autograder/cache``: the dataset is downloaded
  while the build has network, and the reference is run once by grading the
  assignment's bundled examples (``grader demo``);
* ``run_autograder``, run for each submission: grades
  ``/autograder/submission`` offline on the CPU with the bundle's time
  budget and threads, into ``/autograder/results/`` (``results.json`` in
  Gradescope's format, and ``report.html``). Should the grader itself fail,
  it still writes a ``results.json`` that says so, with the log's end;
* ``bundle.json``: the assignment, grader version and settings it was built with.

``AUTOGRADER_ROOT`` and ``GRADER`` override ``/autograder`` and the grader's
path, to try ``run_autograder`` outside Gradescope.
"""
from __future__ import annotations

import json
import shlex
import shutil
import tempfile
import tomllib
import zipfile
from pathlib import Path

from grader import __version__, hookimpl
from grader.errors import GraderError, UsageError

SOURCE_DIR = "grader-source"
DEFAULT_THREADS = 2

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
SOURCE=$(cd "$(dirname "$0")" && pwd)/{source}
export DEBIAN_FRONTEND=noninteractive
if ! python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
python3 -m venv /autograder/venv
PIP="/autograder/venv/bin/pip install -q --disable-pip-version-check"
# torch and torchvision as CPU wheels (Gradescope has no GPU), at the versions the grader is pinned to;
# every other dependency pinned by the checkout's constraints.txt.
TORCH=$(grep -E '^torch==' "$SOURCE/constraints.txt" 2>/dev/null || echo torch)
VISION=$(grep -E '^torchvision==' "$SOURCE/constraints.txt" 2>/dev/null || echo torchvision)
$PIP --index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple "${{TORCH%%+*}}" "${{VISION%%+*}}"
grep -v -E '^(torch|torchvision|triton|nvidia-|cuda-)' "$SOURCE/constraints.txt" > /tmp/constraints.txt 2>/dev/null || true
$PIP -c /tmp/constraints.txt "$SOURCE"
# Warm the cache while the build has network: the data, and the reference run.
export GRADER_CACHE_DIR=/autograder/cache
/autograder/venv/bin/grader demo --assignment {assignment} --out /tmp/grader-warmup --device cpu {options} \\
  || echo "setup: the warm-up did not grade the examples as labelled; see above"
chmod -R a+rX /autograder/cache
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission: its files are in $ROOT/submission,
# and Gradescope reads $ROOT/results/results.json.
set -uo pipefail
ROOT=${{AUTOGRADER_ROOT:-/autograder}}
GRADER=${{GRADER:-$ROOT/venv/bin/grader}}
export GRADER_CACHE_DIR=${{GRADER_CACHE_DIR:-$ROOT/cache}} GRADER_OFFLINE=1
mkdir -p "$ROOT/results"
"$GRADER" grade {assignment} "$ROOT/submission" --out "$ROOT/results" --device cpu {options} \\
  > "$ROOT/results/grader.log" 2>&1
status=$?
cat "$ROOT/results/grader.log"
if [ "$status" -ne 0 ] || [ ! -s "$ROOT/results/results.json" ]; then
  python3 - "$ROOT/results/results.json" "$status" "$ROOT/results/grader.log" <<'PY'
import json, sys
log = open(sys.argv[3], errors="replace").read()[-3000:]
message = ("The autograder itself failed (exit status %s), so this submission has no grade yet; "
           "your TA has been told.\\n\\n%s" % (sys.argv[2], log))
json.dump({{"score": 0.0, "output": message, "tests": []}}, open(sys.argv[1], "w"))
PY
fi
exit 0
"""


def project_root() -> Path:
    """The checkout the grader runs from: the folder of its ``pyproject.toml``."""
    import grader

    root = Path(grader.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        raise GraderError(f"no pyproject.toml above {Path(grader.__file__).parent}: build the Gradescope bundle "
                          "from a source checkout of the grader (pip install -e .)")
    return root


def copy_source(root: Path, dest: Path) -> None:
    """The files pip needs to install the grader: pyproject, constraints, README and the package folders."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    folders = set(config.get("tool", {}).get("setuptools", {}).get("package-dir", {}).values()) or {"grader"}
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "constraints.txt", "README.md", "LICENSE"):
        if (root / name).is_file():
            shutil.copyfile(root / name, dest / name)
    for folder in sorted(folders):
        shutil.copytree(root / folder, dest / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*"))


def cli_options(settings: dict) -> str:
    options = ["--threads", str(settings.get("threads") or DEFAULT_THREADS), "--seed", str(settings.get("seed", 0))]
    if settings.get("time_budget"):
        options += ["--time-budget", f"{float(settings['time_budget']):g}"]
    return " ".join(shlex.quote(o) for o in options)


def write_bundle(folder: Path, assignment, settings: dict) -> None:
    options = cli_options(settings)
    quoted = shlex.quote(assignment.id)
    copy_source(project_root(), folder / SOURCE_DIR)
    (folder / "setup.sh").write_text(SETUP.format(source=SOURCE_DIR, assignment=quoted, options=options))
    (folder / "run_autograder").write_text(RUN.format(assignment=quoted, options=options))
    for name in ("setup.sh", "run_autograder"):
        (folder / name).chmod(0o755)
    (folder / "bundle.json").write_text(json.dumps(
        {"assignment": assignment.id, "assignment_version": assignment.version, "grader_version": __version__,
         "settings": {**settings, "threads": settings.get("threads") or DEFAULT_THREADS}}, indent=2))


def build(assignment, out: Path, settings: dict) -> list[Path]:
    out = Path(out)
    if out.exists() and (out.is_file() or any(out.iterdir())):
        raise UsageError(f"{out} already exists; choose a new --out")
    if out.suffix.lower() != ".zip":
        out.mkdir(parents=True, exist_ok=True)
        write_bundle(out, assignment, settings)
        return [out]
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="grader-bundle-") as tmp:
        write_bundle(Path(tmp), assignment, settings)
        partial = out.with_name(out.name + ".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo.from_file(path, path.relative_to(tmp).as_posix())
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, path.read_bytes())
        partial.replace(out)
    return [out]


@hookimpl
def grader_register_exporters(register):
    register("gradescope", build, "a Gradescope autograder bundle (setup.sh, run_autograder) that runs this grader")
