"""Probes for assignments whose submission is an ``nn.Module``.

Each probe runs in the runner child, touches the student's code and returns
plain facts (dicts of numbers, strings and lists; arrays as ``.npy``). The
parent's checks turn those facts into verdicts; nothing here decides a grade.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import math
import sys

import torch
from torch import nn

from . import trace as tracing
from . import training
from .child import StudentCodeError


def _defined_names(path, variables: bool = False) -> list[str]:
    """Classes and functions a file defines, read from its syntax tree (no import).

    :param variables: also names bound by a top-level assignment
        (``mnist_transform = transforms.Compose(...)``), in file order, for
        submissions whose required names are values rather than classes.
    """
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(node.name)
        elif variables and isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name) and not t.id.startswith("_")]
    return list(dict.fromkeys(names))


def import_module(ctx, module: str):
    """Import ``module`` from the submission, with the phase of any failure."""
    file = ctx.submission_dir / f"{module}.py"
    if not file.is_file():
        found = sorted(p.name for p in ctx.submission_dir.rglob("*") if p.is_file())[:50]
        raise StudentCodeError("file", f"{module}.py is missing", file=f"{module}.py", found=found)
    if module in sys.modules:
        return sys.modules[module]
    try:
        return importlib.import_module(module)
    except BaseException as exc:  # a syntax error, a missing module, anything the file raises
        raise StudentCodeError("import", cause=exc, file=f"{module}.py") from exc


def _factory(ctx, module: str, attr: str):
    mod = import_module(ctx, module)
    obj = getattr(mod, attr, None)
    if obj is None:
        defined = _defined_names(ctx.submission_dir / f"{module}.py")
        modules = [n for n, v in vars(mod).items()
                   if inspect.isclass(v) and issubclass(v, nn.Module) and v.__module__ == mod.__name__]
        raise StudentCodeError("lookup", f"{module}.py has no {attr}", file=f"{module}.py",
                               expected=attr, defined=defined, modules=modules)
    return obj


def instantiate(ctx, module: str, attr: str) -> nn.Module:
    obj = _factory(ctx, module, attr)
    try:
        model = obj()
    except BaseException as exc:
        raise StudentCodeError("instantiate", cause=exc, file=f"{module}.py", expected=attr) from exc
    if not isinstance(model, nn.Module):
        raise StudentCodeError("instantiate", f"{attr}() returned {type(model).__name__}, not an nn.Module",
                               file=f"{module}.py", expected=attr, returned=type(model).__name__)
    return model


def load(ctx, module: str = "model", attr: str = "Network") -> dict:
    """Import the submission's model file and build the model once."""
    model = instantiate(ctx, module, attr)
    ctx.state["factory"] = (module, attr)
    ctx.state["model"] = model
    return {"class": type(model).__name__, "repr": repr(model)[:4000]}


def _model(ctx) -> nn.Module:
    if "model" not in ctx.state:
        load(ctx, *ctx.state.get("factory", ("model", "Network")))
    return ctx.state["model"]


def interface(ctx, shapes: list, batch: int = 5) -> dict:
    """Feed a random batch in each accepted input shape until one works."""
    model = _model(ctx)
    model.eval()
    attempts = []
    for shape in shapes:
        x = torch.randn([batch, *shape])
        try:
            with torch.no_grad():
                out = model(x)
        except Exception as exc:
            attempts.append({"shape": [batch, *shape], "ok": False,
                             "error": f"{type(exc).__name__}: {exc}"[:1000]})
            continue
        if not isinstance(out, torch.Tensor):
            attempts.append({"shape": [batch, *shape], "ok": False,
                             "error": f"forward returned {type(out).__name__}, not a tensor"})
            continue
        finite = bool(torch.isfinite(out).all()) if out.is_floating_point() else True
        attempts.append({"shape": [batch, *shape], "ok": True, "out_shape": list(out.shape),
                         "dtype": str(out.dtype).replace("torch.", ""), "floating": out.is_floating_point(),
                         "finite": finite})
        ctx.state["input_shape"] = list(shape)
        break
    return {"attempts": attempts}


def parameters(ctx) -> dict:
    """Per-layer parameter breakdown, like the course's ``print_parameters``."""
    model = _model(ctx)
    layers = []
    for name, layer in model.named_children():
        params = [{"name": n, "shape": list(p.shape), "numel": p.numel(), "trainable": p.requires_grad}
                  for n, p in layer.named_parameters()]
        layers.append({"name": name, "type": type(layer).__name__, "params": params})
    own = [{"name": n, "shape": list(p.shape), "numel": p.numel(), "trainable": p.requires_grad}
           for n, p in model.named_parameters(recurse=False)]
    if own:
        layers.append({"name": "(model)", "type": type(model).__name__, "params": own})
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return {"trainable": trainable, "total": total, "layers": layers}


def trace(ctx, shape: list | None = None, batch: int = 5, fallback: list | None = None) -> dict:
    """The layer-by-layer shape trace of one forward pass.

    ``fallback`` is the input shape to trace when the model accepted none
    (its rows then show how far the shapes got before the error).
    """
    model = _model(ctx)
    model.eval()
    shape = shape or ctx.state.get("input_shape") or fallback
    if shape is None:
        raise StudentCodeError("trace", "the model accepts none of the input shapes, so it cannot be traced")
    result = tracing.trace(model, torch.randn([batch, *shape]))
    error = result.pop("error")
    if error is not None:
        from .child import describe_exception

        result["error"] = describe_exception(error, ctx.submission_dir)
    result["batch"] = batch
    return result


def _layout(ctx) -> str:
    shape = ctx.state.get("input_shape")
    return "NHW" if shape is not None and len(shape) == 2 else "NCHW"


def train(ctx, recipe: dict, budget: float) -> dict:
    """Build a fresh model under the seed and train it with the recipe."""
    module, attr = ctx.state.get("factory", ("model", "Network"))
    ctx.reseed()
    model = instantiate(ctx, module, attr)
    x = training.to_tensor(ctx.input("train_x"), recipe["mean"], recipe["std"], _layout(ctx))
    y = training.targets(ctx.input("train_y"), recipe)
    try:
        summary = training.fit(model, x, y, recipe, seed=ctx.seed, budget=budget, device=ctx.device,
                               progress=ctx.progress)
    except BaseException as exc:
        raise StudentCodeError("train", cause=exc) from exc
    ctx.state["trained"] = model
    return summary


def predict(ctx, recipe: dict, input: str = "test_x") -> dict:
    """The trained model's outputs on the unlabeled test images, as an array."""
    model = ctx.state.get("trained")
    if model is None:
        raise StudentCodeError("predict", "training did not finish, so there is no trained model to evaluate")
    x = training.to_tensor(ctx.input(input), recipe["mean"], recipe["std"], _layout(ctx))
    try:
        out = training.predict(model, x, device=ctx.device)
    except BaseException as exc:
        raise StudentCodeError("predict", cause=exc) from exc
    return {"outputs": ctx.save_array("outputs", out.numpy()), "shape": list(out.shape),
            "nonfinite": int((~torch.isfinite(out)).sum()) if out.numel() else 0,
            "count": len(x), "ok": math.isfinite(float(out.float().abs().sum())) if out.numel() else False}
