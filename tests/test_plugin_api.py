"""The plugin API as a product: every hook documented and tested, plugins from every origin.

Two tests keep the API honest (as datasette's do): each hook in
grader/hookspecs.py has a section with an example in the guide
(docs/writing-an-assignment.md) and a test of its own, named
``test_hook_<hook>...``, somewhere under tests/. The hook tests below drive
the CLI with a course plugin loaded from its path (tests/hook_plugins/) and
with a separate distribution (tests/external_plugin/) installed by pip.
"""
from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, failed_kinds, pip_installed

HOOK_PLUGINS = Path(__file__).parent / "hook_plugins"
EXTERNAL = Path(__file__).parent / "external_plugin"
GUIDE = ROOT / "docs" / "writing-an-assignment.md"
CORRECT = ROOT / "assignments" / "mnist_mlp" / "examples" / "correct"


def hook_names() -> list[str]:
    tree = ast.parse((ROOT / "grader" / "hookspecs.py").read_text())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and any(ast.unparse(d).split("(")[0] == "hookspec" for d in node.decorator_list)]


def guide_sections() -> dict[str, str]:
    """``### name`` headings of the guide and the text under each, up to the next heading."""
    text = GUIDE.read_text()
    parts = re.split(r"^#{2,4} +`?([A-Za-z_]+)`?.*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_hookspecs_are_found():
    assert {"grader_register_assignments", "grader_collect_checks", "grader_write_outputs"} <= set(hook_names())


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_is_documented_with_an_example(hook):
    sections = guide_sections()
    assert hook in sections, f"docs/writing-an-assignment.md has no '### {hook}' section"
    assert "@hookimpl" in sections[hook] and f"def {hook}(" in sections[hook], (
        f"the guide's section on {hook} has no example implementation")


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_has_a_test(hook):
    names = set()
    for path in Path(__file__).parent.glob("test_*.py"):
        names |= {node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)}
    assert any(name.startswith(f"test_hook_{hook}") for name in names), f"no test named test_hook_{hook}..."


# --------------------------------------------------------------------------
# A course plugin loaded from its path: lifecycle, checks, outputs, templates
# --------------------------------------------------------------------------


def course_env(tmp_path, **extra) -> dict:
    return {"GRADER_PLUGINS": str(HOOK_PLUGINS / "course_hooks.py"), "COURSE_HOOKS_LOG": str(tmp_path / "log"),
            **extra}


@pytest.fixture(scope="module")
def course_check(run_cli, tmp_path_factory):
    """``grader check mnist-mlp`` of the correct example with the course plugin: (proc, out, log lines)."""
    tmp = tmp_path_factory.mktemp("course")
    proc = run_cli("check", "mnist-mlp", CORRECT, "--out", tmp / "out", env=course_env(tmp))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = [json.loads(line) for line in (tmp / "log").read_text().splitlines()]
    return proc, tmp / "out", log


def test_plugins_lists_each_plugin_with_its_origin_and_hooks(run_cli, tmp_path):
    proc = run_cli("plugins", env=course_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if line.strip().startswith("course_hooks"))
    assert f"path {HOOK_PLUGINS / 'course_hooks.py'}" in line
    for hook in ("grader_collect_checks", "grader_grade_finished", "grader_grade_started", "grader_template_dirs",
                 "grader_write_outputs"):
        assert hook in proc.stdout
    assert re.search(r"grader\.plugins\.results_json +built-in +grader_write_outputs", proc.stdout)


def test_hook_grader_collect_checks_adds_a_course_check_with_its_sentence(course_check, run_cli, tmp_path):
    _, out, _ = course_check
    results = json.loads((out / "results.json").read_text())
    test = next(t for t in results["tests"] if t["name"] == "within the course's parameter limit")
    assert test["status"] == "passed" and test["tags"] == ["parameters"]
    assert test["output"] == "203,530 trainable parameters, within the limit."
    # the assignment's own checks come first, in their author's order; the course's check follows them
    names = [t["name"] for t in results["tests"]]
    assert names[0] == "model.py imports and Network() builds the model"
    assert names[-1] == "within the course's parameter limit"
    # a network too large (an extra 256-wide layer: 269,322) fails it with expected, actual and a hint ...
    run_cli("check", "mnist-mlp", SUBMISSIONS / "mnist_mlp" / "extra_layer", "--out", tmp_path / "big",
            env=course_env(tmp_path))
    big = json.loads((tmp_path / "big" / "results.json").read_text())
    test = next(t for t in big["tests"] if t["name"] == "within the course's parameter limit")
    assert test["status"] == "failed" and test["score"] == 0
    assert test["output"] == ("Your network is larger than the course allows.\nExpected: at most 250,000\n"
                              "Actual:   269,322\nHint: Use the layer widths the assignment gives.")
    # ... and one that does not import has it skipped, not failed on its own account
    proc = run_cli("check", "mnist-mlp", SUBMISSIONS / "mnist_mlp" / "syntax_error", "--out", tmp_path / "broken",
                   env=course_env(tmp_path))
    assert proc.returncode == 1
    broken = json.loads((tmp_path / "broken" / "results.json").read_text())
    test = next(t for t in broken["tests"] if t["name"] == "within the course's parameter limit")
    assert test["status"] == "failed" and test["score"] == 0
    assert test["output"].startswith("Not checked: this needs 'model.py imports")


def test_hook_grader_grade_started_sees_the_staged_submission_and_options(course_check):
    started = [e for e in course_check[2] if e["event"] == "started"]
    assert started == [{"event": "started", "assignment": "mnist-mlp", "files": ["model.py"], "fast": True,
                        "seed": 0}]


def test_hook_grader_grade_finished_sees_the_whole_grade(course_check):
    finished = [e for e in course_check[2] if e["event"] == "finished"]
    assert len(finished) == 1 and finished[0]["score"] == finished[0]["max_score"] == 6
    assert sorted(finished[0]["tests"]) == ["architecture", "forward", "loads", "parameter_count",
                                            "within_parameter_limit"]


def test_hook_grader_write_outputs_writes_beside_the_built_in_outputs(course_check):
    proc, out, _ = course_check
    assert (out / "course.txt").read_text() == "mnist-mlp: 6 / 6\n"
    assert f"wrote {out / 'course.txt'}" in proc.stdout
    assert (out / "results.json").is_file() and (out / "report.html").is_file()


def test_a_failing_writer_is_reported_and_the_others_still_write(run_cli, tmp_path):
    proc = run_cli("check", "mnist-mlp", CORRECT, "--out", tmp_path / "out",
                   env=course_env(tmp_path, COURSE_HOOKS_BREAK_WRITER="1"))
    assert proc.returncode == 0
    assert "a writer failed: course_hooks: RuntimeError: the course's writer is broken" in proc.stderr
    assert (tmp_path / "out" / "results.json").is_file() and (tmp_path / "out" / "report.html").is_file()


def test_hook_grader_template_dirs_adds_the_partial_for_a_check_details(course_check):
    report = (course_check[1] / "report.html").read_text()
    assert '<p class="course-limit">203,530 of the course\'s 250,000 parameters.</p>' in report


def test_a_blocked_path_plugin_is_not_loaded(run_cli, tmp_path):
    proc = run_cli("plugins", env=course_env(tmp_path, GRADER_BLOCK_PLUGINS="course_hooks"))
    assert proc.returncode == 0
    assert "path " not in proc.stdout and "blocked by GRADER_BLOCK_PLUGINS: course_hooks" in proc.stdout


def test_a_misspelled_hook_fails_loudly_at_load(run_cli):
    proc = run_cli("list", env={"GRADER_PLUGINS": str(HOOK_PLUGINS / "misspelled_hook.py")})
    assert proc.returncode == 3
    assert ("grader_register_assignment in plugin misspelled_hook (did you mean grader_register_assignments?)"
            in " ".join(proc.stderr.split()))


def test_an_assignment_id_registered_twice_names_both_plugins(run_cli):
    proc = run_cli("list", env={"GRADER_PLUGINS": str(HOOK_PLUGINS / "duplicate_assignment.py")})
    assert proc.returncode == 3
    assert ("assignment 'mnist-mlp' is registered twice: by grader.assignments.mnist_mlp and by "
            "duplicate_assignment") in " ".join(proc.stderr.split())


def test_a_path_plugin_that_does_not_exist_is_a_clear_error(run_cli, tmp_path):
    proc = run_cli("list", env={"GRADER_PLUGINS": str(tmp_path / "nowhere.py")})
    assert proc.returncode == 3 and "GRADER_PLUGINS: no such file" in proc.stderr


# --------------------------------------------------------------------------
# A separate distribution, installed with pip: found through its entry point
# --------------------------------------------------------------------------


def test_hook_grader_register_assignments_from_an_installed_distribution(run_cli, grade, tmp_path):
    source = tmp_path / "external_plugin"
    shutil.copytree(EXTERNAL, source)  # pip builds in the source folder: keep tests/ clean
    with pip_installed(source, tmp_path / "site") as installed:
        listed = run_cli("list", env=installed)
        assert listed.returncode == 0, listed.stderr
        row = next(line for line in listed.stdout.splitlines() if line.startswith(" digit-features"))
        assert "entry point (grader-digit-features 0.1.0)" in row
        plugins = run_cli("plugins", env=installed).stdout
        row = next(line for line in plugins.splitlines() if line.strip().startswith("digit-features"))
        assert ("grader_collect_checks, grader_register_assignments, grader_template_dirs, grader_write_outputs"
                in row)

        results, proc = grade("digit-features", source / "examples" / "correct", env=installed)
        assert results["score"] == results["max_score"] == 6
        assert results["extra_data"]["assignment"]["plugin"] == "digit-features"
        out = Path(proc.stdout.split("wrote ")[-1].strip()).parent
        assert (out / "features.txt").read_text().splitlines()[-1] == "features_are_non_negative: passed"
        assert '<p class="feature-range">Features of a random batch [16, 32]' in (out / "report.html").read_text()

        results, _ = grade("digit-features", source / "examples" / "mistake", env=installed)
        assert failed_kinds(results) == {"interface", "architecture"}
        test = next(t for t in results["tests"] if t["name"] == "features are non-negative")
        assert "Expected: every feature >= 0" in test["output"] and "Hint: End forward with a ReLU" in test["output"]

        blocked = run_cli("list", env={**installed, "GRADER_BLOCK_PLUGINS": "digit-features"})
        assert blocked.returncode == 0 and "digit-features" not in blocked.stdout
    gone = run_cli("grade", "digit-features", source / "examples" / "correct", "--out", tmp_path / "gone")
    assert gone.returncode == 2 and "unknown assignment 'digit-features'" in gone.stderr


# --------------------------------------------------------------------------
# Class-wide hooks: the guide's examples, run by grader batch and grader export
# --------------------------------------------------------------------------

CLASS_EXPORTS = {"GRADER_PLUGINS": str(HOOK_PLUGINS / "class_exports.py")}


def test_hook_grader_register_exporters_adds_a_bundle_to_grader_export(run_cli, tmp_path):
    proc = run_cli("export", "manifest", "mnist-mlp", "--out", tmp_path / "bundle", env=CLASS_EXPORTS)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "bundle" / "assignment.txt").read_text() == "mnist-mlp 1\n"
    assert f"wrote {tmp_path / 'bundle' / 'assignment.txt'}" in proc.stdout
    unknown = run_cli("export", "manifest", "mnist-mlp", "--out", tmp_path / "none")
    assert unknown.returncode == 2 and "unknown exporter 'manifest'" in unknown.stderr


def test_hook_grader_write_batch_outputs_writes_a_class_file(run_cli, tmp_path):
    submissions = tmp_path / "submissions"
    shutil.copytree(CORRECT, submissions / "ada")
    shutil.copytree(SUBMISSIONS / "mnist_mlp" / "syntax_error", submissions / "bob")
    proc = run_cli("batch", "mnist-mlp", submissions, "--out", tmp_path / "out", "--workers", "1", "--threads", "1",
                   env=CLASS_EXPORTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = (tmp_path / "out" / "scores.csv").read_text().splitlines()
    assert lines[0] == "student,score" and sorted(line.split(",")[0] for line in lines[1:]) == ["ada", "bob"]
    assert dict(line.split(",") for line in lines[1:])["bob"] == "0.0"
    assert (tmp_path / "out" / "gradebook.csv").is_file()  # the built-in exporters still write
