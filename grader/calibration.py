"""The reference implementation's observations, run like a submission and cached.

The reference goes through the same plan, runner and recipe as a student's
submission, with the same seed, budget and device, on the same data. Its
observations (parameter counts, trace) are what checks compare against; its
metrics on the test split set the calibrated thresholds. Results are cached
in the grader's cache folder by everything that could change them: the
assignment and its version, the reference files, the grader, torch, the data
fingerprint, the seed, the budget, the kind of device, and the plan (its
calls, the probe code and the fixture files it generates). Arrays the
reference saved are cached beside its observations, in an ``.npz``.

``grader calibrate`` (:func:`calibrate`) measures more than one run: it trains
the reference with the assignment's recipe from several seeds, through the
same runner path, and stores the band its metric falls in (mean, spread,
range) for that data fingerprint. Grading then sets the thresholds from the
stored band whenever one exists for the data being graded
(:func:`thresholds`), records which basis was used in
``extra_data.thresholds``, and says where the student's value sits in the
band (:func:`where`).
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
from grader.errors import GraderError, UsageError


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


def _plan_digest(assignment, options) -> str:
    """What the reference's observations depend on besides its files: the calls, the probe code, the fixtures.

    So that changing a probe module, a call's arguments or the generated
    fixture files is never answered from a stale cache entry.
    """
    from grader.launcher import RUNNER_SOURCE
    from grader.submission import fingerprint

    digest = hashlib.sha256()
    for source in sorted(RUNNER_SOURCE.glob("*.py")) + [Path(m) for m in assignment.runner_modules]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    for stage in assignment.plan(assignment, options):
        digest.update(json.dumps([stage.name, [[c.id, c.probe, c.args] for c in stage.calls]],
                                 sort_keys=True, default=str).encode())
        if stage.fixtures is not None:
            with tempfile.TemporaryDirectory() as folder:
                stage.fixtures(Path(folder))
                digest.update(fingerprint(Path(folder))[0].encode())
    return digest.hexdigest()


def _key(assignment, options, dataset, reference_sha: str) -> str:
    import torch

    device_kind = "cuda" if str(options.device).startswith("cuda") else "cpu"
    parts = {
        "assignment": assignment.id, "version": assignment.version, "grader": __version__,
        "torch": torch.__version__, "reference": reference_sha, "seed": options.seed,
        "device": device_kind, "fast": options.fast,
        "data": dataset.fingerprint if dataset is not None else None,
        "budget": None if options.fast else assignment.budget(options),
        "plan": _plan_digest(assignment, options),
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
                          f"({detail or stderr or 'no result'}): the reference folder {assignment.reference} or "
                          "the grader's environment is broken")
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


# --------------------------------------------------------------------------
# Calibration over seeds: the reference's band, and thresholds set from it
# --------------------------------------------------------------------------


def device_kind(device: str) -> str:
    """``cuda`` for any CUDA device, else ``cpu``: what results and budgets depend on."""
    return "cuda" if str(device).startswith("cuda") else "cpu"


def band_path(assignment, dataset, device: str) -> Path:
    """Where the band for this assignment, reference, data fingerprint and kind of device is stored."""
    import re

    from grader.data import cache_dir
    from grader.submission import fingerprint

    sha, _ = fingerprint(Path(assignment.reference))
    version = re.sub(r"[^A-Za-z0-9.]", "_", str(assignment.version))
    name = f"{assignment.id}-v{version}-{dataset.fingerprint}-{device_kind(device)}-{sha[:12]}.json"
    return cache_dir() / "calibration" / name


def stored(assignment, dataset, device: str) -> dict | None:
    """The band ``grader calibrate`` stored for this data, or ``None``."""
    path = band_path(assignment, dataset, device)
    try:
        band = json.loads(path.read_text(encoding="utf-8"))
        if band["metric"] != assignment.thresholds.metric:
            return None  # calibrated for another metric: the assignment changed
        float(band["mean"]), float(band["std"]), float(band["min"]), float(band["max"]), int(band["count"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    band["file"] = str(path)
    return band


def band_thresholds(spec, band: dict) -> dict:
    """Thresholds from a measured band: the assignment's margins, widened where the band is wider.

    Full marks from ``mean - max(full_below, 2 * std)``: a correct model
    trained from another seed lands above that almost always. The zero point
    moves down by as much as the full-marks point did, so the ramp between
    them keeps the width the assignment declared.
    """
    mean, std = float(band["mean"]), float(band["std"])
    margin = max(spec.full_below, 2 * std)
    drop = spec.zero_below + (margin - spec.full_below)
    return {"metric": spec.metric, "basis": "calibration",
            "full": round(mean - margin, 2), "zero": round(mean - drop, 2), "reference": round(mean, 2),
            "band": {k: band[k] for k in ("mean", "std", "min", "max", "count", "seeds", "fingerprint", "file")
                     if k in band},
            "source": f"calibrated: the reference trained from {band['count']} seeds scored {mean:.2f} ± "
                      f"{std:.2f} on this data; full marks from {margin:.2f} points below that mean, none "
                      f"from {drop:.2f} below"}


def thresholds(assignment, options, dataset, reference_run) -> dict:
    """The thresholds for one grading: the stored band for this data if any, else the reference's run."""
    spec = assignment.thresholds
    band = stored(assignment, dataset, options.device) if dataset is not None else None
    if band is not None:
        return band_thresholds(spec, band)
    return spec.resolve(reference_run.metrics.get(spec.metric), dataset.name if dataset else "",
                        dataset.standin if dataset else True)


def where(value: float, thresholds: dict) -> str | None:
    """A sentence placing a student's value in the reference's band, or ``None`` without a band."""
    band = thresholds.get("band")
    if not band:
        return None
    mean, std = float(band["mean"]), float(band["std"])
    diff = value - mean
    sigmas = f", {diff / std:+.1f} standard deviations" if std > 0 else ""
    inside = "inside" if band["min"] <= value <= band["max"] else "outside"
    return (f"The reference trained from {band['count']} seeds scored {mean:.2f} ± {std:.2f} (from "
            f"{band['min']:.2f} to {band['max']:.2f}); yours is {abs(diff):.2f} points "
            f"{'above' if diff >= 0 else 'below'} that mean{sigmas}, {inside} the reference's range.")


def calibrate(assignment, options, seeds: int, execute, progress=None) -> tuple[dict, Path]:
    """Train the reference from ``seeds`` seeds (``options.seed`` on), store and return its band.

    Each run goes through :func:`run` (so through the runner, like a
    submission, and cached per seed); the metric is computed here from the
    hidden labels.

    :param execute: ``execute(assignment, options, folder, dataset) -> (observations, runs)``,
        :func:`grader.grading.execute_plan`.
    :param progress: ``progress(seed, value, seconds, cached)`` after each run.
    :returns: the band as stored, and the file it is stored in.
    """
    import dataclasses
    import statistics
    import time

    import torch

    if seeds < 1:
        raise UsageError("--seeds must be at least 1")
    if assignment.data is None or assignment.evaluate is None:
        raise UsageError(f"assignment {assignment.id} has no data or no evaluate function: "
                         "there is no metric to calibrate")
    metric = assignment.thresholds.metric
    dataset = assignment.data.load(options.data_root)
    runs = []
    for seed in range(options.seed, options.seed + seeds):
        seeded = dataclasses.replace(options, seed=seed)
        ref = run(assignment, seeded, dataset, lambda folder, o=seeded: execute(assignment, o, folder, dataset))
        if metric not in ref.metrics:
            raise GraderError(f"the reference's run from seed {seed} produced no {metric!r} metric "
                              f"(it produced: {', '.join(ref.metrics) or 'none'})")
        cut = any(isinstance(d, dict) and d.get("stopped_by_budget") for d in ref.observations.values())
        runs.append({"seed": seed, "value": float(ref.metrics[metric]), "seconds": ref.seconds,
                     "cached": ref.cached, "stopped_by_budget": cut})
        if progress is not None:
            progress(seed, float(ref.metrics[metric]), ref.seconds, ref.cached)
    cut = [str(r["seed"]) for r in runs if r["stopped_by_budget"]]
    if cut:
        raise UsageError(f"the reference's training was cut short by the {assignment.budget(options):g} s time "
                         f"budget from seed(s) {', '.join(cut)}; a band of cut-short runs measures the budget, "
                         "not the model: raise --time-budget (or the assignment's time_budget)")
    values = [r["value"] for r in runs]
    band = {"assignment": assignment.id, "version": assignment.version, "metric": metric,
            "count": len(values), "seeds": [r["seed"] for r in runs], "runs": runs,
            "mean": round(statistics.fmean(values), 4),
            "std": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
            "min": min(values), "max": max(values), "fingerprint": dataset.fingerprint,
            "data": {k: v for k, v in dataset.source().items() if k != "files"},
            "device": device_kind(options.device), "budget": assignment.budget(options),
            "grader": __version__, "torch": torch.__version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    band["thresholds"] = {k: v for k, v in band_thresholds(assignment.thresholds, band).items()
                          if k in ("full", "zero", "source")}
    path = band_path(assignment, dataset, options.device)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkstemp(dir=path.parent, suffix=".tmp")[1])
    tmp.write_text(json.dumps(band, indent=1), encoding="utf-8")
    tmp.replace(path)
    return band, path
