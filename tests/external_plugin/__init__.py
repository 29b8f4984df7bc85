"""digit-features, an assignment plugin for torch-grader (the hooks are in assignment.py)."""
