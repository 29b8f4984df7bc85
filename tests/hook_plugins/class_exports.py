"""A course's class-wide outputs, loaded through GRADER_PLUGINS: the guide's examples of the batch hooks."""
from grader import hookimpl
from grader.batch.exports import write_atomic


@hookimpl
def grader_write_batch_outputs(results, out_dir):
    lines = [f"{s.student},{'' if s.score is None else s.score}" for s in results.students]
    return [write_atomic(out_dir / "scores.csv", "student,score\n" + "\n".join(lines) + "\n")]


@hookimpl
def grader_register_exporters(register):
    def build(assignment, out, settings):
        out.mkdir(parents=True, exist_ok=True)
        (out / "assignment.txt").write_text(f"{assignment.id} {assignment.version}\n")
        return [out / "assignment.txt"]

    register("manifest", build, "a one-line manifest of the assignment")
