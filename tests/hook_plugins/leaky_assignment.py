"""An assignment with every mistake ``grader validate`` exists to catch (loaded through GRADER_PLUGINS).

* its inputs stage the hidden test labels for the runner;
* its runner module imports a package the runner child does not have;
* one check's description does not tell a student anything;
* its "mistake" example is a correct submission, so no check catches it;
* its time budget is far below what even the reference needs.
"""
from pathlib import Path

from grader import hookimpl, reference
from grader.assignment import Assignment
from grader.checks import check
from grader.data import MNIST
from grader.modelchecks import loads_check, model_plan, parameters_check

HERE = Path(__file__).parent
SUBMISSIONS = HERE.parent / "submissions" / "mnist_mlp"
_inspect = model_plan("model", "Network", shapes=[(1, 28, 28)])


def plan(assignment, options):
    stages = _inspect(assignment, options)
    stages[0].timeout = None  # limited by the (far too small) time budget
    return stages


ASSIGNMENT = Assignment(
    id="leaky-labels",
    title="An assignment that is not ready",
    version="1",
    description="Submit model.py with class Network, the mnist-mlp perceptron.",
    files=["model.py"],
    reference=reference.folder("mnist_mlp"),
    plan=plan,
    data=MNIST,
    inputs=lambda dataset: {"train_x": dataset.train_x, "test_x": dataset.test_x, "test_y": dataset.test_y},
    time_budget=0.5,
    grace=120.0,  # the child is killed only at budget + grace: the reference must finish, however loaded the machine
    runner_modules=[HERE / "leaky_probes.py"],
    examples={"correct": SUBMISSIONS / "correct_sequential", "mistake": SUBMISSIONS / "correct_modulelist"},
)


@check(kind="parameters", points=1, depends=["loads"])
def vague(ctx):
    """Checks it."""


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return [loads_check("model", "Network"), parameters_check(), vague]
    return None
