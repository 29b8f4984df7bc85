"""Checks for a submitted weights file (a trained ``state_dict``), and the calls they read.

The runner loads the file with ``torch.load(..., weights_only=True)``
(:mod:`grader.runner.probes_weights`); the grader's own process never opens
it. These checks turn what the runner saw into sentences: the file is a
state_dict (not a whole pickled model, which the notes advise against), and
its tensors fit the submitted model by name and shape.
"""
from __future__ import annotations

from grader.checks import Check, CheckFailed, ProbeFailed
from grader.launcher import Call

PROBE = "graderrunner.probes_weights:load_weights"

WHY_STATE_DICT = (
    "The notes save model.state_dict() and load it with torch.load(..., weights_only=True): a state_dict holds "
    "only tensors, which weights_only=True loads safely. torch.save(model, ...) pickles the whole model: loading "
    "it needs weights_only=False, which runs whatever code the file names (so a file from someone else can do "
    "anything on your machine), and it only works where the model's class is defined exactly as it was when "
    "saved. The grader loads weights_only=True files only.")
SAVE = "torch.save(model.state_dict(), '{file}')"


def weights_call(id: str = "weights", file: str = "weights.pth") -> Call:
    return Call(id, PROBE, {"file": file})


def _status(ctx, call: str) -> tuple[str, dict]:
    """(status, facts) of the weights call: ``ok`` and its data, or the runner's reason and details."""
    obs = ctx.observations.get(call)
    if obs is not None and obs.ok:
        return "ok", obs.data
    if obs is not None and obs.error and obs.error.get("phase") == "weights":
        return obs.error.get("status") or "refused", obs.error
    if obs is not None and obs.error and obs.error.get("status") == "model":
        return "model", obs.error
    ctx.observe(call)  # raises ProbeFailed with the reason the call has no result
    raise ProbeFailed("the runner gave no reason")  # pragma: no cover - observe raised


def weights_file_check(file: str = "weights.pth", call: str = "weights", points: float = 1) -> Check:
    def weights_file(ctx):
        status, facts = _status(ctx, call)
        save = SAVE.format(file=file)
        if status == "missing":
            found = ", ".join(facts.get("found") or []) or "no files at all"
            raise CheckFailed(f"{file} is missing from your submission (found: {found}).",
                              hint=f"After training, save the weights with {save} and submit the file.")
        if status == "whole_model":
            classes = ", ".join(facts.get("classes") or [])
            raise CheckFailed(f"{file} holds a whole pickled model (it names {classes}), saved with "
                              f"torch.save(model, ...). " + WHY_STATE_DICT,
                              expected=f"a state_dict: {save}", actual="a pickled nn.Module",
                              hint=f"Save the weights only: {save}.")
        if status == "refused":
            names = ", ".join(facts.get("globals") or [])
            raise CheckFailed(f"torch.load('{file}', weights_only=True) refuses the file: {str(facts.get('reason')).rstrip('.')}."
                              + (f" It names {names}, which a state_dict does not need." if names else ""),
                              expected=f"a file written by {save}", actual="a file weights_only=True refuses",
                              hint=f"Write it with {save}; " + WHY_STATE_DICT)
        if status == "checkpoint":
            keys, inner = ", ".join(facts.get("keys") or []), ", ".join(facts.get("inner") or [])
            raise CheckFailed(f"{file} holds a checkpoint dict (keys: {keys}), not a state_dict: the model's "
                              f"weights are inside it, under {inner}.",
                              expected="a dict of tensors named like your model's parameters",
                              actual=f"a dict of {keys}", hint=f"Submit the model's weights themselves: {save}.")
        if status == "not_state_dict":
            holds = facts.get("holds")
            others = ", ".join(facts.get("others") or [])
            raise CheckFailed(f"{file} loads, but holds a {holds}" + (f" with non-tensor entries ({others})"
                                                                       if others else "") + ", not a state_dict.",
                              expected="a dict of tensors named like your model's parameters", actual=holds,
                              hint=f"Save {save}.")
        tensors = facts.get("tensors")
        return f"{file} is a state_dict of {tensors} tensors that torch.load(weights_only=True) accepts."

    return Check(id="weights_file", name=f"{file} is a state_dict that loads with weights_only=True",
                 kind="import", points=points, func=weights_file,
                 description=f"{file} is a state_dict saved with {SAVE.format(file=file)}, which the grader loads "
                             "with torch.load(..., weights_only=True) in its runner (a whole pickled model is "
                             "refused, for the reasons the notes give).")


def weights_match_check(file: str = "weights.pth", call: str = "weights", points: float = 1) -> Check:
    def weights_match(ctx):
        status, facts = _status(ctx, call)
        if status == "mismatch":
            lines = []
            if facts.get("missing"):
                lines.append(f"missing from the file: {', '.join(facts['missing'])}")
            if facts.get("unexpected"):
                lines.append(f"in the file but not in your model: {', '.join(facts['unexpected'])}")
            for m in facts.get("mismatched") or []:
                lines.append(f"{m['key']}: {tuple(m['file'])} in the file, {tuple(m['model'])} in your model")
            raise CheckFailed(f"The tensors in {file} do not fit your model: " + "; ".join(lines) + ".",
                              expected=f"the names of model.state_dict(): {', '.join(facts.get('expected_keys') or [])}",
                              actual=f"{facts.get('tensors')} tensors that differ as listed",
                              hint="Save the state_dict of the very model class you submit, after training it; "
                                   "renaming a layer renames its weights.")
        if status != "ok":
            raise CheckFailed(f"{file} could not be loaded into your model (see the test above).")
        return f"all {facts['tensors']} tensors fit your model by name and shape and were loaded."

    return Check(id="weights_match", name=f"{file} fits the model by name and shape", kind="parameters",
                 points=points, func=weights_match, depends=("loads", "weights_file"),
                 description=f"Every tensor in {file} has the name and shape of a tensor in your model's "
                             "state_dict(), and none is missing, so model.load_state_dict() accepts it.")
