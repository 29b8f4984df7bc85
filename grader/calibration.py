"""The reference implementation's observations, run like a submission and cached.

The reference goes through the same plan, runner and recipe as a student's
submission, with the same seed, budget and device, on the same data. Its
observations (parameter counts, trace) are what checks compare against; its
metrics on the test split set the calibrated thresholds. Results are cached
in the grader's cache folder by everything that could change them: the
assignment and its version, the reference files, the grader, torch, the data
fingerprint, the seed, the budget and the kind of device.
"""
from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from grader import __version__
from grader.errors import GraderError


@dataclass
class ReferenceRun:
    observations: dict  # call id -> data
    metrics: dict = field(default_factory=dict)
    cached: bool = False
    seconds: float = 0.0
    arrays: dict = field(default_factory=dict)  # call id -> {name: array}, cached beside the JSON

    def data(self, call: str) -> dict:
        if call not in self.observations:
            raise GraderError(f"the reference implementation produced no result for {call!r}")
        return self.observations[call]

    def array(self, call: str, name: str):
        """An array the reference's call saved (pixels after a transform, say)."""
        if name not in self.arrays.get(call, {}):
            raise GraderError(f"the reference implementation saved no array {name!r} for {call!r}")
        return self.arrays[call][name]


def _load_arrays(path: Path) -> dict:
    """``CALL.NAME`` keys of a cached ``.npz`` back into ``{call: {name: array}}`` (no pickle)."""
    import numpy as np

    arrays: dict = {}
    if path.is_file():
        with np.load(path, allow_pickle=False) as npz:
            for key in npz.files:
                call, _, name = key.partition(".")
                arrays.setdefault(call, {})[name] = npz[key]
    return arrays


def _key(assignment, options, dataset, reference_sha: str) -> str:
    import torch

    device_kind = "cuda" if str(options.device).startswith("cuda") else "cpu"
    parts = {
        "assignment": assignment.id, "version": assignment.version, "grader": __version__,
        "torch": torch.__version__, "reference": reference_sha, "seed": options.seed,
        "device": device_kind, "fast": options.fast,
        "data": dataset.fingerprint if dataset is not None else None,
        "budget": None if options.fast else assignment.budget(options),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def run(assignment, options, dataset, execute) -> ReferenceRun:
    """The reference's observations for this grading, from the cache or a fresh run.

    :param execute: ``execute(submission_dir) -> (observations, runs)``, the
        same function that runs the student's submission.
    """
    from grader.data import cache_dir
    from grader.submission import fingerprint

    sha, _ = fingerprint(Path(assignment.reference))
    key = _key(assignment, options, dataset, sha)
    path = cache_dir() / "reference" / f"{assignment.id}-{key}.json"
    if path.is_file():
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            return ReferenceRun(payload["observations"], payload["metrics"], cached=True,
                                seconds=payload.get("seconds", 0.0), arrays=_load_arrays(path.with_suffix(".npz")))
        except (ValueError, KeyError, OSError, zipfile.BadZipFile):
            pass  # a damaged cache entry is recomputed
    observations, runs = execute(Path(assignment.reference))
    failed = {k: o.error for k, o in observations.items() if not o.ok}
    if failed or not observations:
        detail = "; ".join(f"{k}: {(e or {}).get('type')}: {(e or {}).get('message')}" for k, e in failed.items())
        stderr = " ".join(r.stderr.strip()[-300:] for r in runs.values() if not isinstance(r, str))
        raise GraderError(f"the reference implementation of {assignment.id} failed in the runner "
                          f"({detail or stderr or 'no result'}); the grader or its environment is broken")
    metrics = {}
    if not options.fast and assignment.evaluate is not None and dataset is not None:
        outputs = next((o.arrays["outputs"] for o in observations.values() if "outputs" in o.arrays), None)
        if outputs is not None:
            metrics = {k: v for k, v in assignment.evaluate(outputs, dataset).items() if not k.startswith("_")}
    seconds = round(sum(r.seconds for r in runs.values() if not isinstance(r, str)), 3)
    arrays = {k: dict(o.arrays) for k, o in observations.items() if o.arrays}
    result = ReferenceRun({k: o.data for k, o in observations.items()}, metrics, cached=False, seconds=seconds,
                          arrays=arrays)
    path.parent.mkdir(parents=True, exist_ok=True)
    if arrays:  # written before the JSON, which marks the entry complete
        import numpy as np

        tmp = Path(tempfile.mkstemp(dir=path.parent, suffix=".npz")[1])
        with open(tmp, "wb") as handle:
            np.savez(handle, **{f"{call}.{name}": a for call, named in arrays.items() for name, a in named.items()})
        tmp.replace(path.with_suffix(".npz"))
    tmp = Path(tempfile.mkstemp(dir=path.parent, suffix=".tmp")[1])
    tmp.write_text(json.dumps({"observations": result.observations, "metrics": metrics, "seconds": seconds,
                               "python": sys.version.split()[0]}), encoding="utf-8")
    tmp.replace(path)
    return result
