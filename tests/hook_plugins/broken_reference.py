"""An assignment whose reference has a syntax error (loaded through GRADER_PLUGINS): validate must say so."""
from pathlib import Path

from grader import hookimpl
from grader.assignment import Assignment
from grader.modelchecks import loads_check, model_plan, parameters_check

SUBMISSIONS = Path(__file__).parent.parent / "submissions" / "mnist_mlp"

ASSIGNMENT = Assignment(
    id="broken-reference", title="A reference with a syntax error", version="1",
    description="Submit model.py with class Network, the mnist-mlp perceptron.", files=["model.py"],
    reference=SUBMISSIONS / "syntax_error", plan=model_plan("model", "Network", shapes=[(1, 28, 28)]),
    examples={"correct": SUBMISSIONS / "correct_sequential", "mistake": SUBMISSIONS / "wrong_width"},
)


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return [loads_check("model", "Network"), parameters_check()]
