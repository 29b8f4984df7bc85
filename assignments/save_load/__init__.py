"""save-load: submit a trained model's weights as a state_dict, as the notes teach saving.

From course notes 002 and 003: the student submits ``model.py`` (``class
Network``, the mnist-mlp perceptron 784 -> 256 -> ReLU -> 10) and
``weights.pth``, written by ``torch.save(model.state_dict(), "weights.pth")``
after training. The runner loads it with ``torch.load(...,
weights_only=True)`` (never the grader's own process), checks every tensor's
name and shape against the model, loads it, and evaluates the model on the
test split without training: inputs ToTensor then Normalize((0.1307,),
(0.3081,)), as in mnist-mlp. A whole pickled model (``torch.save(model,
...)``) is refused with the notes' reason for preferring state_dicts.

Thresholds: on the real MNIST, full marks from 95 %, none below 85 %; on the
offline stand-in, relative to the reference's weights (made by
``reference/save_load/train.py`` on the stand-in).
"""
from pathlib import Path

from grader import hookimpl, reference
from grader.assignment import Assignment, Stage, Thresholds
from grader.data import MNIST
from grader.launcher import Call
from grader.modelchecks import (PROBES, accuracy_check, architecture_check, classification_metrics, interface_check,
                                loads_check, model_plan, parameters_check)
from grader.weightchecks import weights_call, weights_file_check, weights_match_check

HERE = Path(__file__).parent
PREPROCESS = {"mean": [0.1307], "std": [0.3081]}  # ToTensor then Normalize((0.1307,), (0.3081,))
SHAPES = [[1, 28, 28], [28, 28]]


def plan(assignment, options):
    """Inspect the model and the weights file (fast); then load both again and predict the test split."""
    inspect = model_plan("model", "Network", shapes=SHAPES)(assignment, options)[0]
    inspect.calls.append(weights_call("weights"))
    return [inspect, Stage("evaluate", [
        Call("eval_load", f"{PROBES}:load", {"module": "model", "attr": "Network"}),
        Call("eval_interface", f"{PROBES}:interface", {"shapes": SHAPES}),
        weights_call("eval_weights"),
        Call("predict", f"{PROBES}:predict", {"recipe": PREPROCESS}),
    ], fast=False, needs_data=True, timeout=60 + assignment.grace, requires=("weights",))]


ASSIGNMENT = Assignment(
    id="save-load",
    title="Save a trained model as a state_dict; the grader loads and tests it",
    version="1",
    description=(
        "Submit model.py defining class Network(nn.Module) (Linear(784, 256), ReLU, Linear(256, 10), taking "
        "(N, 1, 28, 28) images) and weights.pth, the state_dict of your trained Network saved with "
        "torch.save(model.state_dict(), 'weights.pth'). Train it on MNIST with inputs ToTensor then "
        "Normalize((0.1307,), (0.3081,)): the grader loads the file with torch.load(..., weights_only=True), "
        "preprocesses the hidden test images the same way and marks the accuracy, without training. A whole "
        "pickled model (torch.save(model, ...)) is refused."
    ),
    files=["model.py", "weights.pth"],
    reference=reference.folder("save_load"),
    plan=plan,
    data=MNIST,
    evaluate=classification_metrics,
    thresholds=Thresholds(metric="accuracy", full_below=3.0, zero_below=20.0, absolute={"MNIST": (95.0, 85.0)}),
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
)


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return [loads_check("model", "Network"), interface_check(), parameters_check(), architecture_check(points=1),
                weights_file_check(), weights_match_check(),
                accuracy_check(description="Your saved weights, loaded into your model, reach the accuracy "
                                           "thresholds on the hidden test images (preprocessed with ToTensor then "
                                           "Normalize((0.1307,), (0.3081,))); nothing is trained.",
                               hint="Submit the state_dict of the trained model (not of a fresh one), trained on "
                                    "images preprocessed as stated: ToTensor then Normalize((0.1307,), (0.3081,)).",
                               depends=("weights_match",))]
