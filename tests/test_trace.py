"""The layer-by-layer trace: equivalent spellings give equal rows, mistakes do not.

These run the tracer in the test process on models written here (trusted
test code); student models are only ever traced in the runner child.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from grader.modelchecks import trace_diff
from grader.runner.trace import trace


def rows(model, shape=(5, 1, 28, 28)):
    result = trace(model, torch.randn(shape))
    assert result["error"] is None
    return [(r["op"], tuple(r["shape"])) for r in result["rows"]]


COURSE = [("Flatten", (5, 784)), ("Linear(784, 256)", (5, 256)), ("ReLU", (5, 256)), ("Linear(256, 10)", (5, 10))]


class ViewTorchRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1, self.layer2 = nn.Linear(784, 256), nn.Linear(256, 10)

    def forward(self, x):
        return self.layer2(torch.relu(self.layer1(x.view(-1, 784))))


class FlattenMethodFunctional(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(784, 256), nn.Linear(256, 10)

    def forward(self, x):
        return self.b(F.relu(self.a(x.flatten(1))))


class ReshapeTensorMethod(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(784, 256), nn.Linear(256, 10)])

    def forward(self, x):
        x = x.reshape(x.shape[0], -1).contiguous()
        return self.layers[1](self.layers[0](x).relu())


class CustomActivation(nn.Module):
    """A student-defined module is looked inside, not shown as one opaque row."""

    def forward(self, x):
        return torch.relu(x)


class NestedCustom(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(784, 256), CustomActivation())
        self.head = nn.Linear(256, 10)

    def forward(self, x):
        return self.head(self.body(torch.flatten(x, 1)))


def test_equivalent_spellings_trace_identically():
    sequential = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    for model in (sequential, ViewTorchRelu(), FlattenMethodFunctional(), ReshapeTensorMethod(), NestedCustom()):
        assert rows(model) == COURSE, type(model).__name__


def test_layers_inside_builtin_modules_are_not_traced_twice():
    # nn.Linear calls F.linear and nn.ReLU calls F.relu inside: one row each
    assert len(rows(nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.ReLU()))) == 3


def test_conv_and_pool_spellings():
    modules = nn.Sequential(nn.Conv2d(1, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))

    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1)

        def forward(self, x):
            return F.max_pool2d(F.relu(self.conv1(x)), 2)

    expected = [("Conv2d(1, 32, kernel_size=3, padding=1)", (5, 32, 28, 28)), ("ReLU", (5, 32, 28, 28)),
                ("MaxPool2d(kernel_size=2)", (5, 32, 14, 14))]
    assert rows(modules) == rows(Functional()) == expected


def test_mistakes_change_the_trace():
    missing_relu = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.Linear(256, 10))
    softmax = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10), nn.Softmax(dim=1))
    assert rows(missing_relu) != COURSE
    assert rows(softmax)[-1][0] == "Softmax"


def test_a_forward_error_keeps_the_rows_before_it():
    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(784, 256)

        def forward(self, x):
            x = torch.relu(self.a(x.view(-1, 784)))
            return x @ torch.ones(3, 3)

    result = trace(Broken(), torch.randn(5, 1, 28, 28))
    assert isinstance(result["error"], RuntimeError)
    assert [r["op"] for r in result["rows"]] == ["Flatten", "Linear(784, 256)", "ReLU"]


def test_trace_diff_marks_missing_extra_and_changed_rows():
    ref = ["Flatten -> (N, 784)", "Linear(784, 256) -> (N, 256)", "ReLU -> (N, 256)", "Linear(256, 10) -> (N, 10)"]
    missing = trace_diff([ref[0], ref[1], ref[3]], ref)
    assert [r["status"] for r in missing] == ["equal", "equal", "missing", "equal"]
    extra = trace_diff(ref[:3] + ["ReLU -> (N, 256)"] + ref[3:], ref)
    assert [r["status"] for r in extra].count("extra") == 1
    changed = trace_diff(ref[:3] + ["Linear(256, 9) -> (N, 9)"], ref)
    assert changed[-1] == {"status": "changed", "reference": ref[3], "mine": "Linear(256, 9) -> (N, 9)"}
