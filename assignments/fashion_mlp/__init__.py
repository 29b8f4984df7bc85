"""fashion-mlp: the notes' FashionMNIST perceptron, trained by the student's own loops.

From course notes 002: ``model.py`` defines ``class NeuralNetwork(nn.Module)``
(Flatten, Linear(784, 512), ReLU, Linear(512, 512), ReLU, Linear(512, 10):
669,706 parameters) and ``train.py`` defines ``train_loop(dataloader, model,
loss_fn, optimizer)`` and ``test_loop(dataloader, model, loss_fn)`` as
taught, ``test_loop`` returning ``(accuracy, average_loss)``.

The loops are graded by what they do (:mod:`grader.loopchecks`), against the
reference loops run the same way; then the student's model is trained end
to end by the student's ``train_loop``: cross-entropy, SGD, batch 64,
ToTensor only, 5 epochs. The notes' learning rate, 1e-3 over 10 epochs of
60,000 images, barely moves a network in the few hundred steps that CPU
grading affords; the grader uses 0.05, which the loops never see (they
receive the optimizer ready-made).
"""
from pathlib import Path

from grader import hookimpl, reference
from grader.assignment import Assignment, Stage, Thresholds
from grader.data import FASHION_MNIST
from grader.launcher import Call
from grader.loopchecks import loop_checks, loops_calls
from grader.modelchecks import (PROBES, accuracy_check, architecture_check, budget_check, classification_metrics,
                                interface_check, loads_check, model_plan, parameters_check, training_check)

HERE = Path(__file__).parent

RECIPE = {
    "loss": "cross_entropy",
    "optimizer": "sgd",
    "lr": 0.05,
    "batch_size": 64,
    "epochs": 5,
    "mean": [0.0],
    "std": [1.0],
}
SHAPES = [[1, 28, 28], [28, 28]]


def plan(assignment, options):
    """Inspect the model and import the loops; run the loops on training data; train end to end."""
    inspect = model_plan("model", "NeuralNetwork", shapes=SHAPES)(assignment, options)[0]
    load_loops, run_loops = loops_calls(RECIPE)
    inspect.calls.append(load_loops)
    load = {"module": "model", "attr": "NeuralNetwork"}
    return [
        inspect,
        Stage("loops", run_loops, fast=False, needs_data=True, timeout=60 + assignment.grace, requires=("loops",)),
        Stage("train", [
            Call("train_load", f"{PROBES}:load", load),
            Call("train_interface", f"{PROBES}:interface", {"shapes": SHAPES}),
            Call("train", "graderrunner.probes_loops:train_with_loop",
                 {"recipe": RECIPE, "budget": assignment.budget(options)}),
            Call("predict", f"{PROBES}:predict", {"recipe": RECIPE}),
        ], fast=False, needs_data=True, timeout=None, requires=("load", "loops")),
    ]


ASSIGNMENT = Assignment(
    id="fashion-mlp",
    title="FashionMNIST perceptron with your own train_loop and test_loop",
    version="1",
    description=(
        "Submit model.py defining class NeuralNetwork(nn.Module): Flatten, Linear(784, 512), ReLU, "
        "Linear(512, 512), ReLU, Linear(512, 10), returning (N, 10) logits; and train.py defining "
        "train_loop(dataloader, model, loss_fn, optimizer) (one epoch: model.train(), then for each batch "
        "forward, loss, backward, step, zero_grad) and test_loop(dataloader, model, loss_fn) (model.eval(), "
        "torch.no_grad(), returning (accuracy, average_loss)). Keep any script code in train.py under "
        "`if __name__ == '__main__':`. The grader runs your loops against the reference's, then trains your "
        "model with your train_loop (cross-entropy, SGD, batch 64, ToTensor, 5 epochs) and marks the accuracy "
        "on the hidden test split."
    ),
    files=["model.py", "train.py"],
    reference=reference.folder("fashion_mlp"),
    plan=plan,
    data=FASHION_MNIST,
    evaluate=classification_metrics,
    thresholds=Thresholds(metric="accuracy", full_below=3.0, zero_below=20.0),
    time_budget=120.0,
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
)


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return [loads_check("model", "NeuralNetwork"), interface_check(), parameters_check(), architecture_check(),
                *loop_checks("train"), training_check(), budget_check(),
                accuracy_check(description="Trained by your own train_loop with the grader's recipe, your model's "
                                           "predictions on the hidden test images reach the accuracy thresholds "
                                           "(marks rise linearly between them).",
                               hint="Check the loop checks above first: a train_loop that differs from the notes' "
                                    "trains differently.")]
