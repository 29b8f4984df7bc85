"""A plugin-driven autograder for a PyTorch deep-learning course."""
import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("grader")
"""Marker for hook implementations: ``@hookimpl`` (see :mod:`grader.hookspecs`)."""

KINDS = ("import", "interface", "parameters", "architecture", "transform", "dataset",
         "training", "accuracy", "budget", "resources")
"""Every test carries exactly one of these kind tags."""

FAST_KINDS = ("import", "interface", "parameters", "architecture", "transform", "dataset")
"""Kinds that ``grader check`` runs: no training, no hidden data."""
