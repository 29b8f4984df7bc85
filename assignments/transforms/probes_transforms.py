"""Runner probes for transforms: apply the student's transforms to the grader's generated images.

Runs in the runner child (imported there as a top-level module, next to
``graderrunner``). Each probe looks one transform up in ``transforms.py``,
applies it to generated PIL images (or int labels), under a given torch seed
for random ones, and describes every output; arrays are saved for the parent,
which compares them with the reference's.
"""
from __future__ import annotations

from graderrunner.probes_data import load as load_names, lookup, outcome

MODULE = "transforms"
NAMES = ["mnist_transform", "half_transform", "one_hot", "resize_512", "random_crop_32"]


def load(ctx) -> dict:
    return load_names(ctx, MODULE, NAMES)


def _open(ctx, file: str):
    from PIL import Image

    with Image.open(ctx.inputs_dir / file) as image:
        image.load()
        return image.copy()


def _apply(ctx, transform: str, inputs: list, make) -> dict:
    """``transform(make(input))`` for each input (a torch seed first where one is given)."""
    import torch

    function = lookup(ctx, MODULE, transform)
    outputs = []
    for number, given in enumerate(inputs):
        value = make(given)
        if given.get("seed") is not None:
            torch.manual_seed(given["seed"])
        outputs.append(outcome(ctx, f"out{number}", function, value, **given))
    return {"outputs": outputs}


def images(ctx, transform: str, inputs: list) -> dict:
    """Apply ``transform`` to generated PIL images: ``inputs`` are ``{"file", "seed"?}``."""
    return _apply(ctx, transform, inputs, lambda given: _open(ctx, given["file"]))


def labels(ctx, transform: str, inputs: list) -> dict:
    """Apply ``transform`` to int labels: ``inputs`` are ``{"label"}``."""
    return _apply(ctx, transform, inputs, lambda given: int(given["label"]))
