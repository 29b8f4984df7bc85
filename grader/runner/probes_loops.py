"""Probes for assignments that grade a student's own training and test loops.

The course's FashionMNIST notes have students write
``train_loop(dataloader, model, loss_fn, optimizer)`` and
``test_loop(dataloader, model, loss_fn)``. These probes call them on fixed
data (slices of the training split: hidden labels never come here), from
fixed starting weights, under a fixed seed, and report what the loops did:
the change they made to the weights, the mode the model was in, the order of
forward, backward, step and zero_grad, what ``test_loop`` returned. The
parent compares that with the reference's loops, run by the same probes.

The network the loops are given is the probe's own (:func:`probe_network`:
the course's 784-512-512-10 perceptron with dropout, so that training mode
changes the result), so that a mistake in the student's model cannot look
like a mistake in their loops.
"""
from __future__ import annotations

import inspect
import math
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from . import probes_model, training
from .child import StudentCodeError

SKETCH = 64  # numbers kept of a weight change (a count sketch: comparable, small)
LOOPS = {"train_loop": ("dataloader", "model", "loss_fn", "optimizer"), "test_loop": ("dataloader", "model", "loss_fn")}


def _function(ctx, module: str, name: str):
    mod = probes_model.import_module(ctx, module)
    function = getattr(mod, name, None)
    if not callable(function):
        defined = probes_model._defined_names(ctx.submission_dir / f"{module}.py")
        raise StudentCodeError("lookup", f"{module}.py has no function {name}", file=f"{module}.py",
                               expected=name, defined=defined)
    return function


def load_loops(ctx, module: str = "train") -> dict:
    """Import the loops' file; each loop exists and accepts the course's arguments."""
    found = {}
    for name, arguments in LOOPS.items():
        function = _function(ctx, module, name)
        try:
            signature = inspect.signature(function)
            signature.bind(*arguments)
        except TypeError:
            raise StudentCodeError("signature", f"{name} must take ({', '.join(arguments)}); yours takes "
                                   f"{name}{signature}", file=f"{module}.py", expected=name) from None
        except ValueError:  # a builtin without a signature: let the call tell
            signature = "(...)"
        found[name] = f"{name}{signature}"
    return {"functions": found}


def probe_network(in_features: int, classes: int, dropout: float = 0.2) -> nn.Module:
    """The course's 784-512-512-10 perceptron with dropout after each ReLU."""
    return nn.Sequential(nn.Flatten(), nn.Linear(in_features, 512), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(512, 512), nn.ReLU(), nn.Dropout(dropout), nn.Linear(512, classes))


def _slice(ctx, recipe: dict, start: int, count: int):
    x = training.to_tensor(ctx.input("train_x")[start : start + count], recipe["mean"], recipe["std"])
    y = torch.from_numpy(ctx.input("train_y")[start : start + count]).long()
    if len(y) < count:
        raise StudentCodeError("data", f"the training split has fewer than {start + count} images")
    return x.to(ctx.device), y.to(ctx.device)


def sketch(tensors: list[torch.Tensor]) -> list[float]:
    """A count sketch of the concatenated tensors: ``SKETCH`` numbers, the same for the same input.

    Each element goes to one of ``SKETCH`` buckets with a random sign drawn
    from a fixed generator, so the distance between two sketches estimates
    the distance between the tensors themselves.
    """
    generator = torch.Generator().manual_seed(20240901)
    out = torch.zeros(SKETCH, dtype=torch.float64)
    for tensor in tensors:
        flat = tensor.detach().double().cpu().flatten()
        bucket = torch.randint(0, SKETCH, (flat.numel(),), generator=generator)
        sign = torch.randint(0, 2, (flat.numel(),), generator=generator).double() * 2 - 1
        out.index_add_(0, bucket, flat * sign)
    return out.tolist()


class _Recorder:
    """Watches a model and an optimizer: forward passes (and their mode), backward, step, zero_grad."""

    def __init__(self, model: nn.Module, optimizer=None):
        self.events: list[str] = []
        self.counts = {"forward": 0, "backward": 0, "step": 0, "zero_grad": 0}
        self.modes = {"train": 0, "eval": 0}
        self.grad_enabled = 0
        self.handles = [model.register_forward_pre_hook(self._forward)]
        last = list(model.parameters())[-1]
        self.handles.append(last.register_hook(self._backward))
        self._wrap(model, "zero_grad")
        if optimizer is not None:
            self.handles.append(optimizer.register_step_pre_hook(lambda *args: self._event("step")))
            self._wrap(optimizer, "zero_grad")

    def _event(self, name: str) -> None:
        self.counts[name] += 1
        if len(self.events) < 24:
            self.events.append(name)

    def _forward(self, module, inputs):
        self._event("forward")
        self.modes["train" if module.training else "eval"] += 1
        self.grad_enabled += int(torch.is_grad_enabled())

    def _backward(self, grad):
        self._event("backward")

    def _wrap(self, owner, name: str) -> None:
        original = getattr(owner, name)

        def wrapped(*args, **kwargs):
            self._event(name)
            return original(*args, **kwargs)

        setattr(owner, name, wrapped)

    def report(self) -> dict:
        for handle in self.handles:
            handle.remove()
        return {"events": self.events, "counts": self.counts, "modes": self.modes,
                "grad_enabled_forwards": self.grad_enabled}


def _call(loop, phase: str, *args):
    try:
        return loop(*args)
    except BaseException as exc:  # the student's loop may raise anything
        raise StudentCodeError(phase, cause=exc) from exc


def train_loop_once(ctx, recipe: dict, module: str = "train", count: int = 704, batch_size: int = 64) -> dict:
    """One epoch of the student's ``train_loop`` on the first ``count`` training images, in order.

    The model starts in evaluation mode (so the loop must call
    ``model.train()``) from weights fixed by the seed; the optimizer is the
    recipe's. Returns a sketch of the change in the weights, its size, and
    what the loop did.
    """
    train_loop = _function(ctx, module, "train_loop")
    x, y = _slice(ctx, recipe, 0, count)
    ctx.reseed()
    model = probe_network(x[0].numel(), 10).to(ctx.device)
    model.eval()
    before = [p.detach().clone() for p in model.parameters()]
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=False)
    optimizer = training._optimizer(recipe, model)
    recorder = _Recorder(model, optimizer)
    ctx.reseed()  # the same dropout masks for every loop that does the same work
    _call(train_loop, "train_loop", loader, model, nn.CrossEntropyLoss(), optimizer)
    delta = [p.detach() - b for p, b in zip(model.parameters(), before)]
    size = math.sqrt(sum(float(d.double().pow(2).sum()) for d in delta))
    return {"sketch": sketch(delta), "change": size, "batches": len(loader), "images": count,
            "finite": all(bool(torch.isfinite(d).all()) for d in delta), **recorder.report()}


def _number(value):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def test_loop_once(ctx, recipe: dict, module: str = "train", start: int = 704, count: int = 640,
                   batch_size: int = 64) -> dict:
    """The student's ``test_loop`` on ``count`` training images after the first ``start``.

    The network is the probe's, trained for one epoch by the harness (so its
    numbers mean something) and left in training mode: the loop must switch
    to evaluation mode itself. ``count`` is a whole number of batches, so
    the average loss is the same per batch or per image.
    """
    test_loop = _function(ctx, module, "test_loop")
    x, y = _slice(ctx, recipe, start, count)
    ctx.reseed()
    model = probe_network(x[0].numel(), 10)
    warmup = {"loss": "cross_entropy", "optimizer": "adam", "lr": 1e-3, "batch_size": batch_size, "epochs": 1}
    training.fit(model, x, y, warmup, seed=ctx.seed, budget=60, device=ctx.device)
    model.train()
    for p in model.parameters():
        p.grad = None
    before = sketch(list(model.parameters()))
    recorder = _Recorder(model)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=False)
    result = _call(test_loop, "test_loop", loader, model, nn.CrossEntropyLoss())
    values = None
    if isinstance(result, (tuple, list)) and len(result) == 2:
        values = [_number(v) for v in result]
        values = values if None not in values else None
    return {"returned": type(result).__name__, "length": len(result) if isinstance(result, (tuple, list)) else None,
            "values": values, "images": count, "batches": len(loader),
            "grads_left": sum(p.grad is not None for p in model.parameters()),
            "weights_changed": sketch(list(model.parameters())) != before, **recorder.report()}


class _RecordingLoss(nn.Module):
    """The recipe's loss, remembering each value the student's loop computes."""

    def __init__(self, loss: nn.Module):
        super().__init__()
        self.loss = loss
        self.values: list[float] = []

    def forward(self, *args, **kwargs):
        out = self.loss(*args, **kwargs)
        self.values.append(float(out.detach()))
        return out


class _BudgetedLoader:
    """A DataLoader that stops handing out batches once the time budget is spent."""

    def __init__(self, loader: DataLoader, deadline: float):
        self.loader, self.deadline, self.stopped = loader, deadline, False
        self.dataset, self.batch_size = loader.dataset, loader.batch_size

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            if time.monotonic() > self.deadline:
                self.stopped = True
                return
            yield batch


def _curve(values: list[float], steps_per_epoch: int) -> list[list[float]]:
    """(step, mean loss) over windows of a tenth of an epoch, as :func:`training.fit` reports it."""
    window = max(1, steps_per_epoch // 10)
    points = []
    for start in range(0, len(values), window):
        chunk = values[start : start + window]
        points.append([start + len(chunk), sum(chunk) / len(chunk)])
    return points[-500:]


def train_with_loop(ctx, recipe: dict, budget: float, module: str = "train") -> dict:
    """Train the student's model with the student's ``train_loop``, epoch by epoch, within the budget.

    The data is the whole training split, shuffled each epoch by a seeded
    generator, already on the grading device; the loss and the optimizer are
    the recipe's. The trained model is kept for ``predict``.
    """
    train_loop = _function(ctx, module, "train_loop")
    started = time.monotonic()
    model_module, attr = ctx.state.get("factory", ("model", "Network"))
    ctx.reseed()
    model = probes_model.instantiate(ctx, model_module, attr).to(ctx.device)
    x = training.to_tensor(ctx.input("train_x"), recipe["mean"], recipe["std"], probes_model._layout(ctx))
    y = training.targets(ctx.input("train_y"), recipe)
    order = torch.Generator().manual_seed(ctx.seed)
    loader = _BudgetedLoader(DataLoader(TensorDataset(x.to(ctx.device), y.to(ctx.device)),
                                        batch_size=int(recipe["batch_size"]), shuffle=True, generator=order),
                             deadline=started + budget)
    loss_fn, optimizer = _RecordingLoss(training._loss(recipe)), training._optimizer(recipe, model)
    for epoch in range(int(recipe["epochs"])):
        _call(train_loop, "train", loader, model, loss_fn, optimizer)
        ctx.progress(epoch=epoch + 1, step=len(loss_fn.values), seconds=round(time.monotonic() - started, 3))
        if loader.stopped or not all(math.isfinite(v) for v in loss_fn.values[-len(loader):]):
            break
    ctx.state["trained"] = model
    steps = len(loss_fn.values)
    return {"steps": steps, "steps_per_epoch": len(loader), "epochs_planned": int(recipe["epochs"]),
            "epochs_done": round(steps / max(1, len(loader)), 3), "stopped_by_budget": loader.stopped,
            "diverged": not all(math.isfinite(v) for v in loss_fn.values),
            "curve": _curve([v for v in loss_fn.values if math.isfinite(v)], len(loader)),
            "seconds": round(time.monotonic() - started, 3)}
