"""digit-features: a feature extractor for 28x28 digit images, graded without training.

Students submit ``model.py`` with ``class Features(nn.Module)``:
``Conv2d(1, 4, 5)``, ReLU, 2x2 max pooling, flatten, ``Linear(576, 32)`` and a
final ReLU, so that every image becomes 32 non-negative features.

Everything here is what any third-party assignment may use: the standard
model plan and checks of :mod:`grader.modelchecks`, a probe of its own that
runs in the runner child (``probes_features.py``, listed in
``runner_modules``), a check of its own, a template partial for that check's
details, and an extra output file.
"""
from pathlib import Path

from grader import hookimpl
from grader.assignment import Assignment
from grader.checks import CheckFailed, check
from grader.launcher import Call
from grader.modelchecks import architecture_check, interface_check, loads_check, model_plan, parameters_check

HERE = Path(__file__).parent
_model_stages = model_plan("model", "Features", shapes=[(1, 28, 28)])


def plan(assignment, options):
    """The standard inspection stage, plus this assignment's own probe in the same child."""
    stages = _model_stages(assignment, options)
    stages[0].calls.append(Call("feature_range", "probes_features:feature_range", {"batch": 16}))
    return stages


ASSIGNMENT = Assignment(
    id="digit-features",
    title="Digit features: Conv2d(1, 4, 5) -> ReLU -> MaxPool -> Linear(576, 32) -> ReLU",
    version="1",
    description="Submit model.py defining class Features(nn.Module) that maps (N, 1, 28, 28) images to (N, 32) "
                "non-negative features: Conv2d(1, 4, 5), ReLU, MaxPool 2, flatten, Linear(576, 32), ReLU.",
    files=["model.py"],
    reference=HERE / "reference",
    plan=plan,
    runner_modules=[HERE / "probes_features.py"],
    time_budget=30.0,
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
)


@check(kind="interface", points=1, name="features are non-negative", depends=["forward"])
def features_are_non_negative(ctx):
    """Your features come out of a ReLU: none of the 32 features of a random batch is negative."""
    data = ctx.observe("feature_range")
    ctx.details = {"view": "feature_range", **data}
    if data["min"] < 0:
        raise CheckFailed("Some of your features are negative.", expected="every feature >= 0",
                          actual=f"smallest feature {data['min']:.3f}",
                          hint="End forward with a ReLU after the last Linear layer.")
    return f"features from {data['min']:.3f} to {data['max']:.3f}, {data['zeros']:.0%} of them zero."


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return [loads_check("model", "Features"), interface_check(), parameters_check(), architecture_check(),
                features_are_non_negative]


@hookimpl
def grader_template_dirs():
    return [HERE / "templates"]


@hookimpl
def grader_write_outputs(grade, out_dir):
    if grade.assignment["id"] != ASSIGNMENT.id:
        return None
    path = out_dir / "features.txt"
    lines = [f"{test.check_id}: {'passed' if test.passed else 'failed'}" for test in grade.tests]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [path]
