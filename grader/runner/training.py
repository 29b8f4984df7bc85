"""The harness's training and prediction loops, driven by an assignment's recipe.

A recipe is a plain dict (it travels in ``job.json``)::

    {"loss": "cross_entropy" | "bce_with_logits",
     "target": None | {"equals": 8},        # binary task: label == 8
     "optimizer": "adam" | "sgd", "lr": 1e-3, "momentum": 0.0,
     "batch_size": 64, "epochs": 5,
     "mean": [0.1307], "std": [0.3081]}     # ToTensor then Normalize

The training split arrives as one uint8 array, (N, H, W) for grayscale or
(N, H, W, C) for colour, and is turned into one float tensor once: the same
numbers as ``ToTensor()`` then ``Normalize(mean, std)`` per sample, without
paying for per-sample PIL transforms every epoch.
"""
from __future__ import annotations

import math
import time

import torch
from torch import nn


def to_tensor(images, mean, std, layout: str = "NCHW") -> torch.Tensor:
    """uint8 images -> normalised float tensor, as ToTensor + Normalize would give.

    ``layout`` is ``"NCHW"`` (the course's (N, 1, 28, 28)) or ``"NHW"`` for a
    grayscale model written for (N, 28, 28) inputs.
    """
    x = torch.from_numpy(images).float().div_(255.0)
    if x.dim() == 3:
        x = x.unsqueeze(1)
    else:
        x = x.permute(0, 3, 1, 2).contiguous()
    channels = x.shape[1]
    m = torch.tensor(list(mean) * (channels if len(mean) == 1 else 1)).view(1, -1, 1, 1)
    s = torch.tensor(list(std) * (channels if len(std) == 1 else 1)).view(1, -1, 1, 1)
    x = (x - m) / s
    if layout == "NHW" and channels == 1:
        x = x.squeeze(1)
    return x


def targets(labels, recipe: dict) -> torch.Tensor:
    y = torch.from_numpy(labels).long()
    target = recipe.get("target") or {}
    if "equals" in target:
        return (y == int(target["equals"])).float().unsqueeze(1)
    return y


def _loss(recipe: dict) -> nn.Module:
    return {"cross_entropy": nn.CrossEntropyLoss, "bce_with_logits": nn.BCEWithLogitsLoss}[recipe["loss"]]()


def _optimizer(recipe: dict, model: nn.Module):
    params = model.parameters()
    if recipe["optimizer"] == "adam":
        return torch.optim.Adam(params, lr=recipe["lr"])
    return torch.optim.SGD(params, lr=recipe["lr"], momentum=recipe.get("momentum", 0.0))


def fit(model: nn.Module, x: torch.Tensor, y: torch.Tensor, recipe: dict, *, seed: int,
        budget: float, device: str = "cpu", progress=None) -> dict:
    """Train ``model`` in place until the recipe's epochs are done or the budget runs out.

    :returns: a summary: steps and epochs done, whether the budget stopped
        training, the loss curve as (step, mean loss) points, seconds taken.
    """
    started = time.monotonic()
    deadline = started + budget
    model.to(device)
    x, y = x.to(device), y.to(device)
    loss_fn, optimizer = _loss(recipe), _optimizer(recipe, model)
    batch, n = int(recipe["batch_size"]), len(x)
    steps_per_epoch = math.ceil(n / batch)
    window = max(1, steps_per_epoch // 10)
    order = torch.Generator().manual_seed(seed)
    curve, running, count, step = [], 0.0, 0, 0
    stopped_by_budget, diverged = False, False
    model.train()
    for epoch in range(int(recipe["epochs"])):
        perm = torch.randperm(n, generator=order).to(device)
        for start in range(0, n, batch):
            if time.monotonic() > deadline:
                stopped_by_budget = True
                break
            idx = perm[start : start + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            value = float(loss.detach())
            step += 1
            if not math.isfinite(value):
                diverged = True
                break
            running, count = running + value, count + 1
            if count == window:
                curve.append([step, running / count])
                running, count = 0.0, 0
        if count:
            curve.append([step, running / count])
            running, count = 0.0, 0
        if progress is not None:
            progress(epoch=epoch + 1, step=step, seconds=round(time.monotonic() - started, 3))
        if stopped_by_budget or diverged:
            break
    return {
        "steps": step,
        "steps_per_epoch": steps_per_epoch,
        "epochs_planned": int(recipe["epochs"]),
        "epochs_done": round(step / steps_per_epoch, 3),
        "stopped_by_budget": stopped_by_budget,
        "diverged": diverged,
        "curve": curve[-500:],
        "seconds": round(time.monotonic() - started, 3),
    }


def predict(model: nn.Module, x: torch.Tensor, device: str = "cpu", batch: int = 1000) -> torch.Tensor:
    """The model's outputs for ``x`` in evaluation mode, on the CPU."""
    model.to(device)
    model.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(x), batch):
            out = model(x[start : start + batch].to(device))
            outputs.append(out.detach().float().cpu())
    return torch.cat(outputs) if outputs else torch.empty(0)
