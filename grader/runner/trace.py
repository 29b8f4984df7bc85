"""Layer-by-layer shape trace of a forward pass, like the course's ``print_forward``.

Two instruments run together during one forward pass:

* forward hooks on every built-in ``torch.nn`` layer (``Linear``, ``Conv2d``,
  ``ReLU``, ``Flatten``, ...): the outermost built-in layer is one row, and
  what it calls inside is not traced again;
* a ``TorchFunctionMode`` that sees functional calls made outside such
  layers (``F.relu``, ``torch.relu``, ``x.view``, ``torch.flatten``,
  ``F.max_pool2d``, ...).

Each row is a canonical operation name and the output shape, so equivalent
spellings give equal traces: ``nn.ReLU`` / ``F.relu`` / ``torch.relu`` are all
``ReLU``; ``nn.Flatten`` / ``x.view(-1, 784)`` / ``x.flatten(1)`` are all
``Flatten``; ``nn.Sequential``, ``nn.ModuleList`` and attribute names leave
no trace. Calls that change nothing (a view to the same shape) and bookkeeping
(``x.size()``, ``.to()``) are not rows. Arithmetic between tensors is not a
row either: the trace shows the network's layers, not every operation.

A model whose forward raises is reported with the rows traced before the
error; code that hides its operations from both instruments (a custom
autograd Function, say) shows fewer rows, which the comparison then reports.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

_CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)

_ACTIVATIONS = {
    "relu": "ReLU",
    "relu_": "ReLU",
    "sigmoid": "Sigmoid",
    "sigmoid_": "Sigmoid",
    "tanh": "Tanh",
    "tanh_": "Tanh",
    "gelu": "GELU",
    "leaky_relu": "LeakyReLU",
    "leaky_relu_": "LeakyReLU",
    "elu": "ELU",
    "silu": "SiLU",
    "softmax": "Softmax",
    "log_softmax": "LogSoftmax",
}
_MODULE_NAMES = {"Softmax": "Softmax", "LogSoftmax": "LogSoftmax"}
_RESHAPES = {"view", "reshape", "flatten", "squeeze", "unsqueeze", "view_as", "reshape_as"}
_POOLS = {"max_pool2d": "MaxPool2d", "avg_pool2d": "AvgPool2d", "max_pool1d": "MaxPool1d"}


def _pair(value):
    if isinstance(value, (tuple, list)):
        return value[0] if len(set(value)) == 1 else tuple(value)
    return value


def _first_tensor(value):
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def describe_module(module: nn.Module) -> str:
    """The canonical name of a built-in layer, independent of how it is spelled."""
    name = type(module).__name__
    if isinstance(module, nn.Linear):
        bias = "" if module.bias is not None else ", bias=False"
        return f"Linear({module.in_features}, {module.out_features}{bias})"
    if isinstance(module, nn.Conv2d):
        parts = [str(module.in_channels), str(module.out_channels), f"kernel_size={_pair(module.kernel_size)}"]
        if _pair(module.stride) != 1:
            parts.append(f"stride={_pair(module.stride)}")
        if _pair(module.padding) != 0:
            parts.append(f"padding={_pair(module.padding)}")
        return f"Conv2d({', '.join(parts)})"
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        kernel = _pair(module.kernel_size)
        stride = _pair(module.stride) or kernel
        text = f"{name}(kernel_size={kernel}"
        text += f", stride={stride})" if stride != kernel else ")"
        return text
    if isinstance(module, nn.Flatten):
        return "Flatten"
    if isinstance(module, (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.GELU, nn.LeakyReLU, nn.ELU, nn.SiLU)):
        return name
    if name in _MODULE_NAMES:
        return _MODULE_NAMES[name]
    if isinstance(module, nn.Dropout):
        return f"Dropout(p={module.p})"
    extra = module.extra_repr()
    return f"{name}({extra})" if extra else name


def _describe_function(func, args, kwargs, out) -> str | None:
    name = getattr(func, "__name__", "")
    first = args[0] if args else None
    if name in _ACTIVATIONS:
        return _ACTIVATIONS[name]
    if name in _RESHAPES:
        if isinstance(first, torch.Tensor) and isinstance(out, torch.Tensor):
            if tuple(first.shape) == tuple(out.shape):
                return None
            return "Flatten" if out.dim() == 2 and first.dim() > 2 else "Reshape"
        return None
    if name in _POOLS:
        kernel = kwargs.get("kernel_size", args[1] if len(args) > 1 else None)
        stride = kwargs.get("stride", args[2] if len(args) > 2 else None)
        kernel, stride = _pair(kernel), _pair(stride) or _pair(kernel)
        text = f"{_POOLS[name]}(kernel_size={kernel}"
        return text + (f", stride={stride})" if stride != kernel else ")")
    if name == "linear":
        weight = args[1] if len(args) > 1 else kwargs.get("weight")
        if isinstance(weight, torch.Tensor):
            return f"Linear({weight.shape[1]}, {weight.shape[0]})"
    if name == "dropout":
        return f"Dropout(p={kwargs.get('p', args[1] if len(args) > 1 else 0.5)})"
    return None


class _FunctionRecorder(TorchFunctionMode):
    def __init__(self, tracer: "Tracer"):
        super().__init__()
        self.tracer = tracer

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if self.tracer.depth == 0:
            op = _describe_function(func, args, kwargs, out)
            tensor = _first_tensor(out)
            if op is not None and tensor is not None:
                self.tracer.add(op, tensor)
        return out


class Tracer:
    """Collects rows during one forward pass of ``model``."""

    def __init__(self, model: nn.Module):
        self.model = model
        self.rows: list[dict] = []
        self.depth = 0
        self.handles = []

    def add(self, op: str, tensor: torch.Tensor) -> None:
        shape = list(tensor.shape)
        if op in ("Flatten", "Reshape") and self.rows and self.rows[-1]["op"] in ("Flatten", "Reshape"):
            self.rows[-1] = {"op": "Flatten" if len(shape) == 2 else op, "shape": shape}
            return
        self.rows.append({"op": op, "shape": shape})

    def _hook(self, module):
        def pre(mod, inputs):
            self.depth += 1

        def post(mod, inputs, output):
            self.depth -= 1
            tensor = _first_tensor(output)
            if self.depth == 0 and tensor is not None:
                self.add(describe_module(mod), tensor)

        self.handles.append(module.register_forward_pre_hook(pre))
        self.handles.append(module.register_forward_hook(post))

    def __enter__(self):
        for module in self.model.modules():
            builtin = type(module).__module__.startswith("torch.nn.")
            if builtin and not isinstance(module, _CONTAINERS):
                self._hook(module)
        self.mode = _FunctionRecorder(self)
        self.mode.__enter__()
        return self

    def __exit__(self, *exc):
        self.mode.__exit__(*exc)
        for handle in self.handles:
            handle.remove()
        return False


def trace(model: nn.Module, x: torch.Tensor) -> dict:
    """Run ``model(x)`` under the tracer; return ``{"input", "rows", "error"}``.

    ``error`` is ``None`` or the exception raised by the forward pass, which
    the caller describes; the rows traced before it are kept.
    """
    rows_input = list(x.shape)
    tracer = Tracer(model)
    error = None
    with torch.no_grad():
        try:
            with tracer:
                model(x)
        except Exception as exc:  # the student's forward may raise anything
            error = exc
    return {"input": rows_input, "rows": tracer.rows, "error": error}
