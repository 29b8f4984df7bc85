"""transforms: the course's torchvision transforms (notes 000, 001, 002 and 003).

``transforms.py`` exposes

* ``mnist_transform``: ToTensor, then Normalize((0.1307,), (0.3081,));
* ``half_transform``: ToTensor, then Normalize((0.5,), (0.5,)), pixels to [-1, 1];
* ``one_hot``: a target transform, int label -> float tensor of 10 with a single 1;
* ``resize_512``: Resize((512, 512)), then ToTensor, for RGB PIL images;
* ``random_crop_32``: RandomCrop(32).

The grader applies each to generated grayscale and RGB PIL images (the
random crop under fixed torch seeds) and compares the outputs with the
reference's: kind, shape, dtype, then values within 1e-6. Nothing is
trained, so every check is fast and also runs under ``grader check``; all
are tagged ``transform`` except the import check.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from grader import explain, hookimpl, reference
from grader.assignment import Assignment, Stage
from grader.checks import CheckFailed, check
from grader.datachecks import expect_same, imports_check, observed, phrase
from grader.fixtures import ImageSpec, image, write_image
from grader.launcher import Call

HERE = Path(__file__).parent
PROBES = "probes_transforms"
TOLERANCE = 1e-6

DIGITS = [ImageSpec("digit_a.png", 28, 28, "L"), ImageSpec("digit_b.png", 28, 28, "L")]
PHOTOS = [ImageSpec("photo_a.png", 40, 48, "RGB"), ImageSpec("photo_b.png", 45, 36, "RGB")]
LARGE = ImageSpec("photo_large.png", 600, 540, "RGB")  # resize_512 scales it down
GRAY = ImageSpec("gray_a.png", 41, 44, "L")
SPECS = {spec.name: spec for spec in DIGITS + PHOTOS + [LARGE, GRAY]}
CROP_IMAGES = [PHOTOS[0], PHOTOS[1], GRAY]
CROP_SEEDS = 3  # crops per image, under seeds options.seed + 0, 1, 2


def write_fixtures(inputs: Path) -> None:
    for spec in SPECS.values():
        write_image(inputs, spec)


def _files(specs) -> list[dict]:
    return [{"file": spec.name} for spec in specs]


def crop_inputs(seed: int) -> list[dict]:
    return [{"file": spec.name, "seed": seed + k} for spec in CROP_IMAGES for k in range(CROP_SEEDS)]


def plan(assignment, options):
    images = f"{PROBES}:images"
    return [Stage("transforms", [
        Call("load", f"{PROBES}:load"),
        Call("mnist", images, {"transform": "mnist_transform", "inputs": _files(DIGITS + PHOTOS[:1])}),
        Call("half", images, {"transform": "half_transform", "inputs": _files(DIGITS + PHOTOS[:1])}),
        Call("one_hot", f"{PROBES}:labels", {"transform": "one_hot", "inputs": [{"label": y} for y in range(10)]}),
        Call("resize", images, {"transform": "resize_512", "inputs": _files([PHOTOS[0], LARGE])}),
        Call("crop", images, {"transform": "random_crop_32", "inputs": crop_inputs(options.seed)}),
    ], fast=True, timeout=60 + assignment.grace, fixtures=write_fixtures)]


ASSIGNMENT = Assignment(
    id="transforms",
    title="The course's transforms: Normalize, one-hot, Resize, RandomCrop",
    version="1",
    description=(
        "Submit transforms.py exposing mnist_transform (ToTensor, Normalize((0.1307,), (0.3081,))), "
        "half_transform (ToTensor, Normalize((0.5,), (0.5,))), one_hot (int label -> float one-hot of 10), "
        "resize_512 (Resize((512, 512)), ToTensor) and random_crop_32 (RandomCrop(32))."
    ),
    files=["transforms.py"],
    reference=reference.folder("transforms"),
    plan=plan,
    time_budget=30.0,
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
    runner_modules=[HERE / f"{PROBES}.py"],
)


def _outputs(ctx, call: str):
    """``(mine, reference's)`` for each input in order; an input the submission failed on ends it there."""
    for mine, ref in zip(ctx.observe(call)["outputs"], ctx.reference(call)["outputs"]):
        if "error" in mine:
            what = mine.get("file") or f"the label {mine.get('label')}"
            hint = None
            if "doesn't match the broadcast shape" in (mine["error"].get("message") or ""):
                hint = ("Your Normalize has a mean and a std for each of 3 channels, and this image has 1. "
                        "Normalize((m,), (s,)), one value each, works for grayscale and RGB images alike.")
            raise CheckFailed(f"Applying it to {what} failed: {explain.error(mine['error'])}", hint=hint)
        yield mine, ref


def _pixels(spec: ImageSpec) -> np.ndarray:
    """The input as ToTensor sees it: float (C, H, W) in [0, 1]."""
    x = image(spec).astype(np.float64) / 255
    return x[None] if x.ndim == 2 else x.transpose(2, 0, 1)


def normalize_hint(spec: ImageSpec, output: np.ndarray, mean: float, std: float) -> str:
    """What the output is, if it is (x - m) / s of the input for some m and s."""
    x = _pixels(spec).ravel()
    y = output.astype(np.float64).ravel()
    if y.shape != x.shape:
        return ""
    slope, intercept = np.polyfit(x, y, 1)
    if np.abs(slope * x + intercept - y).max() > 1e-3 or abs(slope) < 1e-9:
        return (f"Your output is not (x - mean) / std of the input. ToTensor first (pixels to [0, 1]), then "
                f"Normalize(({mean},), ({std},)).")
    found_std, found_mean = 1 / slope, -intercept / slope
    if abs(found_std - 1) < 1e-3 and abs(found_mean) < 1e-3:
        return f"Your output is ToTensor's alone: add Normalize(({mean},), ({std},)) after it."
    if abs(found_std * 255 - 1) < 1e-2 and abs(found_mean) < 1e-2:
        return "Your output is the raw pixels (0 to 255): ToTensor first, which scales them to [0, 1]."
    return (f"Your output is (x - {found_mean:.4g}) / {found_std:.4g}, that is Normalize with mean {found_mean:.4g} "
            f"and std {found_std:.4g}; use mean {mean} and std {std}: Normalize(({mean},), ({std},)).")


def _normalize_check(call: str, mean: float, std: float, ctx) -> str:
    mine = []
    for m, r in _outputs(ctx, call):
        mine.append(m)
        spec = SPECS[m["file"]]
        out, expected = m["output"], r["output"]
        hint = ""
        if out.get("shape") == expected.get("shape") and "array" in out:
            hint = normalize_hint(spec, observed(ctx, call, out), mean, std)
        expect_same(ctx, f"The output for {spec.name} ({'grayscale' if spec.mode == 'L' else 'RGB'}, "
                         f"{spec.width}x{spec.height})", call, out, expected, tol=TOLERANCE, hints={
                             "kind": "ToTensor turns the PIL image into a tensor: put it first.",
                             "shape": "ToTensor gives (C, H, W): one channel for a grayscale image, three for RGB.",
                             "dtype": "ToTensor gives float32; keep it.",
                             "values": hint or f"ToTensor, then Normalize(({mean},), ({std},))."})
    low = min(observed(ctx, call, m["output"]).min() for m in mine)
    high = max(observed(ctx, call, m["output"]).max() for m in mine)
    return (f"{len(mine)} images, grayscale and RGB, equal the reference's within {TOLERANCE:g}; "
            f"float32, values from {low:.3f} to {high:.3f}.")


@check(kind="transform", points=1, name="mnist_transform: ToTensor, then Normalize((0.1307,), (0.3081,))",
       depends=["imports"])
def mnist_transform(ctx):
    """mnist_transform turns a PIL image (grayscale or RGB) into a float32 (C, H, W) tensor, ToTensor then
    Normalize((0.1307,), (0.3081,)), equal to the reference's output within 1e-6."""
    return _normalize_check("mnist", 0.1307, 0.3081, ctx)


@check(kind="transform", points=1, name="half_transform: ToTensor, then Normalize((0.5,), (0.5,))",
       depends=["imports"])
def half_transform(ctx):
    """half_transform turns a PIL image (grayscale or RGB) into a float32 (C, H, W) tensor with values in
    [-1, 1], ToTensor then Normalize((0.5,), (0.5,)), equal to the reference's output within 1e-6."""
    return _normalize_check("half", 0.5, 0.5, ctx)


@check(kind="transform", points=1, name="one_hot: an int label becomes a float one-hot of 10", depends=["imports"])
def one_hot(ctx):
    """one_hot turns each label 0 to 9 into a float32 tensor of shape (10,) holding a single 1, at the label's
    index, as the notes' Lambda with scatter_ does."""
    for m, r in _outputs(ctx, "one_hot"):
        out, length = m["output"], (m["output"].get("shape") or [None])[0]
        hint_shape = "There are 10 classes: start from torch.zeros(10, dtype=torch.float)."
        if length == m["label"] + 1 != 10:
            entries = "1 entry" if length == 1 else f"{length} entries"
            hint_shape = (f"Your vector for {m['label']} has {entries}, the label + 1: F.one_hot guesses the "
                          "number of classes from the label unless you pass num_classes=10.")
        elif length is not None and len(out["shape"]) == 1 and length != 10:
            hint_shape = (f"Your vector has {length} entries; there are 10 classes (0 to 9): "
                          "torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1).")
        expect_same(ctx, f"one_hot({m['label']})", "one_hot", out, r["output"], hints={
            "kind": "Return a tensor: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1).",
            "shape": hint_shape,
            "dtype": "Make it float: torch.zeros(10, dtype=torch.float) (F.one_hot gives int64; add .float()).",
            "values": f"The single 1 goes at index {m['label']}, the label itself."})
    return "Labels 0 to 9 give float32 one-hot vectors of 10, each with its 1 at the label."


@check(kind="transform", points=1, name="resize_512: Resize((512, 512)), then ToTensor", depends=["imports"])
def resize_512(ctx):
    """resize_512 turns an RGB PIL image of any size (smaller or larger than 512) into a float32 tensor
    (3, 512, 512) with values in [0, 1], Resize((512, 512)) then ToTensor, equal to the reference's within 1e-6."""
    count = 0
    for m, r in _outputs(ctx, "resize"):
        count += 1
        spec = SPECS[m["file"]]
        expect_same(ctx, f"resize_512 of {spec.name} ({spec.width}x{spec.height})", "resize", m["output"],
                    r["output"], tol=TOLERANCE, hints={
                        "kind": "End with ToTensor, which turns the resized PIL image into a tensor.",
                        "shape": "Resize(512) scales the shorter side to 512 and keeps the aspect ratio; "
                                 "give both sides: Resize((512, 512)).",
                        "dtype": "ToTensor gives float32; keep it.",
                        "values": "Resize the PIL image first, then ToTensor (resizing a tensor interpolates "
                                  "differently), with Resize's default (bilinear) interpolation."})
    return f"{count} RGB images, smaller and larger than 512, become (3, 512, 512) as the reference's."


def _crops(ctx) -> list[tuple[dict, dict]]:
    return list(_outputs(ctx, "crop"))


@check(kind="transform", points=1, name="random_crop_32: the crop is 32x32", depends=["imports"])
def crop_size(ctx):
    """random_crop_32 of a PIL image (grayscale or RGB, larger than 32x32) is a 32x32 PIL image of the same
    mode, as RandomCrop(32) gives."""
    crops = _crops(ctx)
    for m, r in crops:
        out, expected = m["output"], r["output"]
        spec = SPECS[m["file"]]
        what = f"random_crop_32 of {spec.name} ({spec.width}x{spec.height}, {spec.mode})"
        if out["kind"] != "pil":
            raise CheckFailed(f"{what} is {phrase(out)}, not a PIL image.", expected=phrase(expected),
                              actual=phrase(out), hint="Return what RandomCrop(32) gives for a PIL image; "
                                                       "don't add ToTensor.")
        if out["size"] != expected["size"]:
            width, height = out["size"]
            raise CheckFailed(f"{what} is {width}x{height}; the crop must be 32x32.", expected="32x32",
                              actual=f"{width}x{height}", hint="Use RandomCrop(32): a square window of 32 pixels.")
        if out["mode"] != expected["mode"]:
            raise CheckFailed(f"{what} has mode {out['mode']}; a crop keeps the image's mode.",
                              expected=expected["mode"], actual=out["mode"], hint="Crop only; don't convert.")
    return f"{len(crops)} crops of grayscale and RGB images, all 32x32."


def window_of(pixels: np.ndarray, crop: np.ndarray) -> tuple[int, int] | None:
    """Where ``crop`` sits in ``pixels`` as a sub-window, ``(top, left)``, or ``None``."""
    height, width = crop.shape[:2]
    for top in range(pixels.shape[0] - height + 1):
        for left in range(pixels.shape[1] - width + 1):
            if np.array_equal(pixels[top:top + height, left:left + width], crop):
                return top, left
    return None


@check(kind="transform", points=1, name="random_crop_32: the crop is a window of the image",
       depends=["crop_size"])
def crop_window(ctx):
    """Each crop is a 32x32 sub-window of the input image, pixel for pixel: nothing resized, padded or flipped."""
    crops = _crops(ctx)
    places = []
    for m, _ in crops:
        spec = SPECS[m["file"]]
        place = window_of(image(spec), observed(ctx, "crop", m["output"]))
        if place is None:
            raise CheckFailed(f"A crop of {spec.name} is not a 32x32 window of the image.",
                              hint="Cut a window out of the image as it is (RandomCrop(32)); don't resize, pad or "
                                   "flip it.")
        places.append(place)
    return f"All {len(crops)} crops are windows of their images, at (top, left) {', '.join(map(str, places))}."


@check(kind="transform", points=1, name="random_crop_32: same window as the reference under the same seed",
       depends=["crop_window"])
def crop_seeded(ctx):
    """Under the same torch seed, random_crop_32 cuts the same window as the reference's RandomCrop(32): the
    window is drawn from torch's random generator."""
    crops = _crops(ctx)
    for m, r in crops:
        if m["output"].get("sha256") != r["output"].get("sha256"):
            spec = SPECS[m["file"]]
            yours = window_of(image(spec), observed(ctx, "crop", m["output"]))
            theirs = window_of(image(spec), observed(ctx, "crop", r["output"], reference=True))
            raise CheckFailed(f"Under torch.manual_seed({m['seed']}), your crop of {spec.name} is a different "
                              "window from the reference's.", expected=f"(top, left) = {theirs}",
                              actual=f"(top, left) = {yours}",
                              hint="Use transforms.RandomCrop(32), which draws from torch's generator; don't "
                                   "draw with random or numpy, and don't seed inside the transform.")
    return f"{len(crops)} crops under {CROP_SEEDS} seeds per image match the reference's windows."


CHECKS = [imports_check("transforms", ["mnist_transform", "half_transform", "one_hot", "resize_512",
                                       "random_crop_32"]),
          mnist_transform, half_transform, one_hot, resize_512, crop_size, crop_window, crop_seeded]


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return CHECKS
