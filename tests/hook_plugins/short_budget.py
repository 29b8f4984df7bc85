"""mnist-mlp with a time budget far too short to train it, as ``mnist-mlp-short`` (loaded through GRADER_PLUGINS).

The grace is long, so the runner child is never killed: training is always
cut short by the budget, however loaded the machine is.
"""
from dataclasses import replace

from grader import hookimpl
from grader.assignments import mnist_mlp

ASSIGNMENT = replace(mnist_mlp.ASSIGNMENT, id="mnist-mlp-short", time_budget=0.3, grace=120.0)


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return mnist_mlp.grader_collect_checks(mnist_mlp.ASSIGNMENT)
    return None
