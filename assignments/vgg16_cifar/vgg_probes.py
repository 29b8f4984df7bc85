"""Runner probes for vgg16-cifar, copied into the runner child as a top-level module.

``load`` builds the student's model with downloads switched off: a request
for pretrained weights (``pretrained=True``, ``weights="IMAGENET1K_V1"``,
``weights="DEFAULT"``) is recorded and answered with random weights, so the
architecture is still graded and nothing is fetched. ``head`` describes the
classifier; ``variants`` runs the same probes on the reference's other
spellings (``model_append.py``), which only the reference folder has.
"""
from __future__ import annotations

import contextlib

import torch

from graderrunner import probes_model
from graderrunner.child import StudentCodeError
from graderrunner.trace import describe_module


@contextlib.contextmanager
def no_downloads(requested: list):
    """Record requests for pretrained weights and build with random weights; refuse every download."""
    from torchvision.models import _api

    original = _api.WeightsEnum.__dict__["verify"]

    def verify(cls, obj):
        if obj is not None:
            requested.append(str(obj))
        return None  # as if weights=None: the same architecture, randomly initialised

    def refuse(*args, **kwargs):
        raise StudentCodeError("download", "your code tried to download a file; nothing is downloaded during "
                                           "grading")

    saved = {name: getattr(torch.hub, name) for name in ("load", "load_state_dict_from_url", "download_url_to_file")}
    _api.WeightsEnum.verify = classmethod(verify)
    for name in saved:
        setattr(torch.hub, name, refuse)
    try:
        yield
    finally:
        _api.WeightsEnum.verify = original
        for name, function in saved.items():
            setattr(torch.hub, name, function)


def load(ctx, module: str = "model", attr: str = "build_model") -> dict:
    """``probes_model.load`` with downloads switched off; says which weights were asked for."""
    requested: list = []
    with no_downloads(requested):
        data = probes_model.load(ctx, module, attr)
    return {**data, "weights_requested": requested}


def head(ctx) -> dict:
    """The model's type and its classifier, layer by layer (what the notes change)."""
    model = probes_model._model(ctx)
    classifier = getattr(model, "classifier", None)
    layers = []
    if isinstance(classifier, torch.nn.Sequential):
        layers = [{"name": name, "layer": describe_module(layer)} for name, layer in classifier.named_children()]
    extra = [name for name, _ in model.named_children() if name not in ("features", "avgpool", "classifier")]
    return {"type": type(model).__name__, "classifier": layers, "extra_children": extra}


def variants(ctx, modules: list, attr: str, shapes: list, batch: int) -> dict:
    """The probes' data for each of ``modules`` the submission has (the reference's other spellings)."""
    found = {}
    own = ctx.state.get("model"), ctx.state.get("factory"), ctx.state.get("input_shape")
    for module in modules:
        if not (ctx.submission_dir / f"{module}.py").is_file():
            continue
        load(ctx, module, attr)
        found[module] = {"interface": probes_model.interface(ctx, shapes, batch=batch),
                         "params": probes_model.parameters(ctx),
                         "trace": probes_model.trace(ctx, batch=batch), "head": head(ctx)}
    ctx.state["model"], ctx.state["factory"], ctx.state["input_shape"] = own
    return found
