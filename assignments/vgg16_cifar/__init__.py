"""vgg16-cifar: torchvision's VGG16 changed for CIFAR-10's 10 classes, either way the notes teach.

From course notes 002 and 003: ``model.py`` defines ``build_model()``
returning ``torchvision.models.vgg16(weights=None)`` changed for 10 classes,
by replacing ``classifier[6]`` with ``Linear(4096, 10)`` (134,301,514
parameters) or by appending ``Linear(1000, 10)`` with ``add_module``
(138,367,554). Both are accepted, each compared with its own reference:
``reference/vgg16_cifar/model.py`` and ``model_append.py``.

Nothing is trained: the checks are the interface ((N, 3, 224, 224) ->
(N, 10) on a batch of 2, on the CPU), the parameter count, the layer trace
and the classifier. A submission asking for pretrained weights is graded
with random ones and told that nothing is downloaded during grading (see
``vgg_probes.py``, which runs in the runner child).
"""
from pathlib import Path

from grader import hookimpl, reference
from grader.assignment import Assignment, Stage
from grader.checks import Check, CheckFailed
from grader.launcher import Call
from grader.modelchecks import PROBES, architecture_check, interface_check, loads_check, parameters_check

HERE = Path(__file__).parent
SHAPES = [[3, 224, 224]]
BATCH = 2  # small N: VGG16 on 224x224 is heavy on a CPU
APPEND = "model_append"  # the reference's second spelling; only the reference folder has it


def plan(assignment, options):
    load = {"module": "model", "attr": "build_model"}
    return [Stage("inspect", [
        Call("load", "vgg_probes:load", load),
        Call("interface", f"{PROBES}:interface", {"shapes": SHAPES, "batch": BATCH}),
        Call("params", f"{PROBES}:parameters"),
        Call("trace", f"{PROBES}:trace", {"batch": BATCH, "fallback": SHAPES[0]}),
        Call("head", "vgg_probes:head"),
        Call("variants", "vgg_probes:variants",
             {"modules": [APPEND], "attr": "build_model", "shapes": SHAPES, "batch": BATCH}),
    ], fast=True, timeout=180 + assignment.grace)]


def way(head: dict) -> str:
    """Which way of the notes a classifier follows: ``append`` (8 layers) or ``replace``."""
    return "append" if len(head["classifier"]) == 8 else "replace"


def matched_reference(ctx, call: str) -> dict:
    """The reference's data for ``call``, from the reference built the same way as the submission."""
    if way(ctx.observe("head")) == "append":
        return ctx.reference("variants")[APPEND][call]
    return ctx.reference(call)


def _check(id, kind, name, description, func, depends=("loads",)) -> Check:
    return Check(id=id, name=name, kind=kind, points=1, func=func, description=description, depends=tuple(depends))


def pretrained_check() -> Check:
    def no_pretrained_weights(ctx):
        requested = ctx.observe("load")["weights_requested"]
        if requested:
            raise CheckFailed(
                f"build_model() asks for pretrained weights ({', '.join(requested)}). Nothing is downloaded "
                "during grading, so your model was graded with random weights.",
                expected="torchvision.models.vgg16(weights=None)", actual=f"weights={requested[0]}",
                hint="This assignment grades the architecture: build VGG16 with weights=None (pretrained=False in "
                     "older code). The notes load ImageNet weights to fine-tune; the grader neither downloads nor "
                     "trains them.")
        return "build_model() starts from random weights (weights=None)."

    return _check("no_pretrained_weights", "parameters", "build_model() asks for no pretrained weights",
                  "build_model() builds VGG16 with weights=None: nothing is downloaded during grading.",
                  no_pretrained_weights)


def head_check() -> Check:
    def classifier(ctx):
        mine, ref = ctx.observe("head"), matched_reference(ctx, "head")
        ctx.details = {"view": "generic", "mine": mine, "reference": ref}
        if mine["extra_children"]:
            names = ", ".join(mine["extra_children"])
            raise CheckFailed(f"Your model has new layers outside the classifier ({names}) that VGG16's forward never "
                              "uses: it runs features, avgpool and classifier, nothing else.",
                              hint="Change the classifier itself: model.classifier[6] = nn.Linear(4096, 10), or "
                                   "model.classifier.add_module('add_linear', nn.Linear(1000, 10)).")
        got = [layer["layer"] for layer in mine["classifier"]]
        want = [layer["layer"] for layer in ref["classifier"]]
        if got != want:
            differ = [i for i in range(max(len(got), len(want)))
                      if i >= len(got) or i >= len(want) or got[i] != want[i]]
            first = differ[0]
            raise CheckFailed(
                f"Your classifier differs from the reference built the same way ({way(mine)}) at classifier[{first}].",
                expected=want[first] if first < len(want) else "nothing", actual=got[first] if first < len(got) else
                "nothing",
                hint="Replacing the last layer: classifier[6] = nn.Linear(4096, 10) (it receives 4096 features). "
                     "Appending: add_module(..., nn.Linear(1000, 10)) after the 1000-way layer (it receives 1000).")
        what = ("classifier[6] replaced by Linear(4096, 10)" if way(mine) == "replace"
                else f"{mine['classifier'][-1]['layer']} appended as classifier.{mine['classifier'][-1]['name']}")
        return f"{what}, as the notes teach."

    return _check("classifier", "architecture", "the classifier ends in 10 outputs, one of the notes' two ways",
                  "VGG16's classifier is changed for 10 classes one of the two ways the notes teach: classifier[6] "
                  "replaced by Linear(4096, 10), or Linear(1000, 10) appended with add_module.", classifier)


ASSIGNMENT = Assignment(
    id="vgg16-cifar",
    title="VGG16 changed for CIFAR-10's 10 classes",
    version="1",
    description=(
        "Submit model.py defining build_model(), which returns torchvision.models.vgg16(weights=None) changed "
        "for 10 classes, either way the notes teach: model.classifier[6] = nn.Linear(4096, 10) (134,301,514 "
        "parameters), or model.classifier.add_module('add_linear', nn.Linear(1000, 10)) (138,367,554). The "
        "grader checks a forward pass (N, 3, 224, 224) -> (N, 10), the parameter count, the layers and the "
        "classifier against the reference built the same way. No training; no pretrained weights (nothing is "
        "downloaded during grading)."
    ),
    files=["model.py"],
    reference=reference.folder("vgg16_cifar"),
    plan=plan,
    runner_modules=[HERE / "vgg_probes.py"],
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
)


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return [loads_check("model", "build_model"), pretrained_check(),
                interface_check(reference=matched_reference), parameters_check(reference=matched_reference),
                architecture_check(points=1, reference=matched_reference), head_check()]
