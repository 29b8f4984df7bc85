"""A plugin with a typo in a hook's name: the grader must refuse it at load, not ignore it."""
from grader import hookimpl


@hookimpl
def grader_register_assignment(register):  # the hook is grader_register_assignments
    pass
