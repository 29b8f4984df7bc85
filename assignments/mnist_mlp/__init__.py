"""mnist-mlp: the course's first network, a 784 -> 256 -> ReLU -> 10 perceptron on MNIST.

From course notes 001 (``xhh_model.py``): ``model.py`` defines
``class Network(nn.Module)`` taking images (N, 1, 28, 28) -- (N, 28, 28) is
accepted too -- and returning (N, 10) logits. The grader trains it with the
notes' recipe: ToTensor then Normalize((0.1307,), (0.3081,)), Adam with
lr 1e-3, batch 64, cross-entropy, 10 epochs, and scores it on the test split.
"""
from pathlib import Path

from grader import hookimpl, reference
from grader.assignment import Assignment, Thresholds
from grader.data import MNIST
from grader.modelchecks import classification_metrics, model_checks, model_plan

HERE = Path(__file__).parent
REFERENCE = reference.folder("mnist_mlp")

RECIPE = {
    "loss": "cross_entropy",
    "optimizer": "adam",
    "lr": 1e-3,
    "batch_size": 64,
    "epochs": 10,
    "mean": [0.1307],
    "std": [0.3081],
}

ASSIGNMENT = Assignment(
    id="mnist-mlp",
    title="MNIST perceptron: 784 -> 256 -> ReLU -> 10",
    version="1",
    description=(
        "Submit model.py defining class Network(nn.Module): Linear(784, 256), ReLU, Linear(256, 10). "
        "forward takes images of shape (N, 1, 28, 28) and returns (N, 10) logits (no softmax)."
    ),
    files=["model.py"],
    reference=REFERENCE,
    plan=model_plan("model", "Network", shapes=[(1, 28, 28), (28, 28)], recipe=RECIPE),
    data=MNIST,
    evaluate=classification_metrics,
    thresholds=Thresholds(metric="accuracy", full_below=2.0, zero_below=15.0),
    time_budget=120.0,
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
)


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return model_checks("model", "Network")
