"""The plugin manager: built-in plugins first, then entry points, then checks.

Built-in behaviour is ordinary plugins, listed in :data:`DEFAULT_PLUGINS` and
registered through the same manager as third-party plugins, which are found
through the ``grader`` entry-point group. ``GRADER_BLOCK_PLUGINS`` (names
separated by commas) blocks plugins by name, built-in ones included. After
loading, ``check_pending`` makes a misspelled hook implementation fail loudly.
``GRADER_TRACE_HOOKS=1`` prints every hook call to stderr.
"""
from __future__ import annotations

import importlib
import os
import sys

import pluggy

from grader import hookspecs
from grader.errors import GraderError

DEFAULT_PLUGINS = (
    "grader.assignments.mnist_mlp",
    "grader.assignments.custom_dataset",
    "grader.assignments.transforms",
    "grader.assignments.conv_basics",
    "grader.assignments.mnist_eight",
    "grader.assignments.cifar10_cnn",
    "grader.assignments.fashion_mlp",
    "grader.assignments.vgg16_cifar",
    "grader.assignments.save_load",
    "grader.plugins.results_json",
    "grader.plugins.report_html",
    "grader.plugins.gradebook_csv",
    "grader.plugins.results_jsonl",
    "grader.plugins.gradescope_bundle",
    "grader.batch.summary",
)
ENTRY_POINT_GROUP = "grader"
BLOCK_ENV = "GRADER_BLOCK_PLUGINS"

_manager: pluggy.PluginManager | None = None


def blocked_names() -> set[str]:
    return {n.strip() for n in os.environ.get(BLOCK_ENV, "").split(",") if n.strip()}


def make_manager(extra_plugins=()) -> pluggy.PluginManager:
    """A fresh manager with the built-in plugins, entry points and ``extra_plugins``."""
    pm = pluggy.PluginManager("grader")
    pm.add_hookspecs(hookspecs)
    for name in blocked_names():
        pm.set_blocked(name)
    for name in DEFAULT_PLUGINS:
        if not pm.is_blocked(name):
            pm.register(importlib.import_module(name), name=name)
    try:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    except Exception as exc:  # a broken third-party plugin: say which
        raise GraderError(f"a plugin in the '{ENTRY_POINT_GROUP}' entry-point group failed to load: "
                          f"{type(exc).__name__}: {exc}") from exc
    for plugin in extra_plugins:
        pm.register(plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise GraderError(f"plugin {exc.plugin!r} implements a hook that does not exist: {exc}") from exc
    if os.environ.get("GRADER_TRACE_HOOKS"):
        pm.trace.root.setwriter(lambda text: sys.stderr.write(text))
        pm.enable_tracing()
    return pm


def get_manager() -> pluggy.PluginManager:
    global _manager
    if _manager is None:
        _manager = make_manager()
    return _manager


def origin(pm: pluggy.PluginManager, plugin) -> str:
    """Where a plugin comes from: built-in, an entry point (with its distribution), or a path."""
    name = pm.get_name(plugin)
    if name in DEFAULT_PLUGINS:
        return "built-in"
    for found, dist in pm.list_plugin_distinfo():
        if found is plugin:
            return f"entry point ({dist.project_name} {dist.version})"
    return getattr(plugin, "__file__", None) or "registered at run time"


def assignments(pm: pluggy.PluginManager) -> dict:
    """Every registered assignment by id, each validated, with the plugin that registered it."""
    found: dict = {}
    for impl in pm.hook.grader_register_assignments.get_hookimpls():
        plugin_name = impl.plugin_name

        def register(assignment, _plugin=plugin_name):
            from grader.assignment import Assignment

            if not isinstance(assignment, Assignment):
                raise GraderError(f"plugin {_plugin} registered {assignment!r}, which is not an Assignment")
            try:
                assignment.validate()
            except ValueError as exc:
                raise GraderError(f"plugin {_plugin}: {exc}") from exc
            if assignment.id in found:
                raise GraderError(f"assignment {assignment.id!r} is registered twice: by "
                                  f"{found[assignment.id].plugin} and by {_plugin}")
            assignment.plugin = _plugin
            found[assignment.id] = assignment

        impl.function(*[{"register": register}[a] for a in impl.argnames])
    return found
