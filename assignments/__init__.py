"""The course's assignments, each a plugin registered through the ``grader`` hooks."""
