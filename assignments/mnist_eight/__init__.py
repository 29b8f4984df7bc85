"""mnist-eight: "is this digit an 8?", the course's first CNN, as a binary classifier.

From course notes 000: ``model.py`` defines ``class CNN(nn.Module)`` with
conv1 ``Conv2d(1, 32, 3, 1, 1)``, conv2 ``Conv2d(32, 64, 3, 1, 1)``, fc1
``Linear(3136, 128)`` and fc2 ``Linear(128, 1)``; forward is relu,
max-pool 2, relu, max-pool 2, flatten, relu(fc1), fc2: one raw logit per
image, (N, 1), 420,481 parameters. The grader trains it with the notes'
recipe: labels ``(y == 8)``, BCEWithLogitsLoss, Adam lr 1e-3, batch 64,
5 epochs, images normalised with mean 0.5 / std 0.5.

About one digit in ten is an 8, so a model that always answers "not 8"
scores about 90 % accuracy, as the notes warn. The mark is therefore on
balanced accuracy (the mean of the recall on 8s and on other digits: 50 %
for that model); accuracy, precision, recall and F1 are reported beside
it, with the confusion matrix.
"""
from pathlib import Path

from grader import hookimpl, reference
from grader.assignment import Assignment, Thresholds
from grader.data import MNIST
from grader.modelchecks import (accuracy_check, architecture_check, binary_metrics, budget_check, interface_check,
                                loads_check, model_plan, parameters_check, training_check)

HERE = Path(__file__).parent

RECIPE = {
    "loss": "bce_with_logits",
    "target": {"equals": 8},
    "optimizer": "adam",
    "lr": 1e-3,
    "batch_size": 64,
    "epochs": 5,
    "mean": [0.5],
    "std": [0.5],
}

FLATTEN_HINT = ("Both convolutions need padding=1 (Conv2d(..., 3, 1, 1)) to keep the 28x28 size, and each max-pool 2 "
                "halves it: 28 -> 14 -> 7, so flatten gives 64 * 7 * 7 = 3136 features for fc1 Linear(3136, 128). "
                "Without padding a 3x3 convolution loses two pixels (28 -> 26 -> 13 -> 11 -> 5: 64 * 5 * 5 = 1600).")

ASSIGNMENT = Assignment(
    id="mnist-eight",
    title="Is it an 8? A binary CNN on MNIST",
    version="1",
    description=(
        "Submit model.py defining class CNN(nn.Module): conv1 Conv2d(1, 32, 3, 1, 1), conv2 Conv2d(32, 64, 3, 1, 1), "
        "fc1 Linear(3136, 128), fc2 Linear(128, 1). forward: relu(conv1), max-pool 2, relu(conv2), max-pool 2, "
        "flatten, relu(fc1), fc2, returning (N, 1) raw logits (no sigmoid: BCEWithLogitsLoss applies it). The "
        "grader trains it on (label == 8) with BCEWithLogitsLoss, Adam lr 1e-3, batch 64, 5 epochs, inputs "
        "normalised with mean 0.5 and std 0.5, and marks the balanced accuracy on the hidden test split."
    ),
    files=["model.py"],
    reference=reference.folder("mnist_eight"),
    plan=model_plan("model", "CNN", shapes=[(1, 28, 28)], recipe=RECIPE),
    data=MNIST,
    evaluate=binary_metrics(8, ("not 8", "8")),
    thresholds=Thresholds(metric="balanced_accuracy", full_below=4.0, zero_below=20.0),
    time_budget=120.0,
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
)


def checks() -> list:
    return [
        loads_check("model", "CNN"), interface_check(hint=FLATTEN_HINT), parameters_check(), architecture_check(),
        training_check(), budget_check(),
        accuracy_check(
            name="balanced accuracy on the hidden test split",
            description="Trained by the grader with the notes' recipe, your model's balanced accuracy on the "
                        "hidden test images (the mean of its recall on 8s and on other digits) reaches the "
                        "thresholds. Plain accuracy would reward always answering 'not 8' with about 90 %; "
                        "balanced accuracy gives that 50 %. Accuracy, precision, recall and F1 are reported "
                        "beside it.",
            hint="A model that (almost) always gives the same answer has a balanced accuracy near 50 % however "
                 "high its accuracy: look at the confusion matrix in the report. Return raw logits, not "
                 "probabilities."),
    ]


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return checks()
