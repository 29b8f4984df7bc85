"""cifar10-cnn: the notes' CIFAR-10 network ``Tudui``, built with nn.Sequential.

From course notes 003: ``model.py`` defines ``class Tudui(nn.Module)``:
Conv2d(3, 32, 5, padding=2), MaxPool2d(2), Conv2d(32, 32, 5, padding=2),
MaxPool2d(2), Conv2d(32, 64, 5, padding=2), MaxPool2d(2), Flatten,
Linear(1024, 64), Linear(64, 10): (N, 3, 32, 32) -> (N, 10) logits, 145,578
parameters. The grader trains it with the notes' recipe: ToTensor (no
normalisation), cross-entropy, SGD with lr 0.01. The notes do not fix the
batch size for training; the grader uses 16 (more steps per second of CPU
than 64, and SGD without momentum needs the steps), for 6 epochs.
"""
from pathlib import Path

from grader import hookimpl, reference
from grader.assignment import Assignment, Thresholds
from grader.data import CIFAR10
from grader.modelchecks import (accuracy_check, architecture_check, budget_check, classification_metrics,
                                interface_check, loads_check, model_plan, parameters_check, training_check)

HERE = Path(__file__).parent

RECIPE = {
    "loss": "cross_entropy",
    "optimizer": "sgd",
    "lr": 0.01,
    "batch_size": 16,
    "epochs": 6,
    "mean": [0.0],
    "std": [1.0],
}

FLATTEN_HINT = ("Each Conv2d(..., 5, padding=2) keeps the 32x32 size and each MaxPool2d(2) halves it: "
                "32 -> 16 -> 8 -> 4, so Flatten gives 64 * 4 * 4 = 1024 features for Linear(1024, 64). Check "
                "the channels and the padding of each Conv2d; the trace in the report shows where the shapes "
                "go wrong.")

ASSIGNMENT = Assignment(
    id="cifar10-cnn",
    title="CIFAR-10 CNN (Tudui): three conv + pool blocks, two linear layers",
    version="1",
    description=(
        "Submit model.py defining class Tudui(nn.Module), built with nn.Sequential: Conv2d(3, 32, 5, padding=2), "
        "MaxPool2d(2), Conv2d(32, 32, 5, padding=2), MaxPool2d(2), Conv2d(32, 64, 5, padding=2), MaxPool2d(2), "
        "Flatten(), Linear(1024, 64), Linear(64, 10). forward takes images (N, 3, 32, 32) and returns (N, 10) "
        "logits. The grader trains it on CIFAR-10 with ToTensor, cross-entropy and SGD lr 0.01 (batch 16, "
        "6 epochs) and marks the accuracy on the hidden test split."
    ),
    files=["model.py"],
    reference=reference.folder("cifar10_cnn"),
    plan=model_plan("model", "Tudui", shapes=[(3, 32, 32)], recipe=RECIPE),
    data=CIFAR10,
    evaluate=classification_metrics,
    thresholds=Thresholds(metric="accuracy", full_below=8.0, zero_below=30.0),
    time_budget=180.0,
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
)


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return [loads_check("model", "Tudui"), interface_check(hint=FLATTEN_HINT), parameters_check(),
                architecture_check(), training_check(), budget_check(), accuracy_check()]
