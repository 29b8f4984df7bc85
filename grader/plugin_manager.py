"""The plugin manager: built-in plugins first, then entry points, then path plugins.

Built-in behaviour is ordinary plugins, listed in :data:`DEFAULT_PLUGINS` and
registered through the same manager as third-party plugins, which are found
through the ``grader`` entry-point group of installed distributions.
``GRADER_PLUGINS`` (comma-separated ``.py`` files or importable module names)
adds plugins that are not installed, such as an assignment under development.
``GRADER_BLOCK_PLUGINS`` (names separated by commas) blocks plugins by name,
built-in ones included: a built-in plugin's name is its module
(``grader.plugins.report_html``), an entry point's is its entry-point name, a
path plugin's is its module name (the file's stem). After loading,
``check_pending`` makes a misspelled hook implementation fail loudly.
``GRADER_TRACE_HOOKS=1`` prints every hook call to stderr.
"""
from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import importlib.util
import os
import sys
from pathlib import Path

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
PLUGINS_ENV = "GRADER_PLUGINS"

_manager: pluggy.PluginManager | None = None


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, remembering where each plugin came from."""

    def __init__(self):
        super().__init__("grader")
        self.origins: dict[str, str] = {}  # plugin name -> "built-in", "entry point (...)", "path ..."


def blocked_names() -> set[str]:
    return {n.strip() for n in os.environ.get(BLOCK_ENV, "").split(",") if n.strip()}


def _register(pm: PluginManager, plugin, name: str, origin: str) -> None:
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:  # a hook implemented with arguments its spec lacks
        raise GraderError(f"plugin {name} ({origin}) is invalid: {exc}") from exc
    pm.origins[name] = origin


def _load_entry_points(pm: PluginManager) -> None:
    """Every ``grader`` entry point of every installed distribution, unless blocked."""
    for dist in list(importlib.metadata.distributions()):
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP or pm.has_plugin(ep.name) or pm.is_blocked(ep.name):
                continue
            origin = f"entry point ({dist.metadata['Name']} {dist.version})"
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken third-party plugin: say which
                raise GraderError(f"plugin {ep.name} from {origin} failed to load ({ep.value}): "
                                  f"{type(exc).__name__}: {exc}") from exc
            _register(pm, plugin, ep.name, origin)


def _load_path_plugins(pm: PluginManager) -> None:
    """The plugins named in ``GRADER_PLUGINS``: files (``path/to/plugin.py``) or module names."""
    for spec in (s.strip() for s in os.environ.get(PLUGINS_ENV, "").split(",")):
        if not spec:
            continue
        is_file = spec.endswith(".py") or os.sep in spec
        name = Path(spec).stem if is_file else spec
        if pm.is_blocked(name) or pm.has_plugin(name):
            continue
        try:
            if is_file:
                path = Path(spec).resolve()
                if not path.is_file():
                    raise GraderError(f"{PLUGINS_ENV}: no such file {spec}")
                module_spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(module_spec)
                sys.modules[name] = module
                module_spec.loader.exec_module(module)
                origin = f"path {path}"
            else:
                module = importlib.import_module(spec)
                origin = f"path {getattr(module, '__file__', spec)} ({PLUGINS_ENV})"
        except GraderError:
            raise
        except Exception as exc:
            raise GraderError(f"plugin {spec} from {PLUGINS_ENV} failed to load: {type(exc).__name__}: {exc}") from exc
        _register(pm, module, name, origin)


def _unknown_hooks(pm: PluginManager) -> str:
    """'grader_x in plugin p (did you mean grader_y?)' for each implementation without a spec."""
    specs = [name for name in vars(hookspecs) if name.startswith("grader_")]
    found = []
    for name, caller in vars(pm.hook).items():
        if name.startswith("_") or caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if not impl.optionalhook:
                close = difflib.get_close_matches(name, specs, n=1)
                found.append(f"{name} in plugin {impl.plugin_name}"
                             + (f" (did you mean {close[0]}?)" if close else ""))
    return "; ".join(found)


def make_manager(extra_plugins=()) -> PluginManager:
    """A fresh manager: built-in plugins, entry points, ``GRADER_PLUGINS``, then ``extra_plugins``."""
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    for name in blocked_names():
        pm.set_blocked(name)
    for name in DEFAULT_PLUGINS:
        if not pm.is_blocked(name):
            _register(pm, importlib.import_module(name), name, "built-in")
    _load_entry_points(pm)
    _load_path_plugins(pm)
    for plugin in extra_plugins:
        name = pm.register(plugin)
        pm.origins[name] = "registered at run time"
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise GraderError(f"a plugin implements a hook that does not exist: {_unknown_hooks(pm) or exc}; "
                          "the hooks are listed in grader/hookspecs.py") from exc
    if os.environ.get("GRADER_TRACE_HOOKS"):
        pm.trace.root.setwriter(lambda text: sys.stderr.write(text))
        pm.enable_tracing()
    return pm


def get_manager() -> PluginManager:
    global _manager
    if _manager is None:
        _manager = make_manager()
    return _manager


def origin(pm: pluggy.PluginManager, plugin) -> str:
    """Where a plugin comes from: built-in, an entry point (with its distribution), or a path."""
    name = pm.get_name(plugin)
    found = getattr(pm, "origins", {}).get(name)
    if found:
        return found
    return getattr(plugin, "__file__", None) or "registered at run time"
def collect_checks(pm: pluggy.PluginManager, assignment) -> list:
    """Every plugin's checks for ``assignment``, the registering plugin's own first.

    pluggy calls the last-registered plugin first; a report reads better with
    the assignment's own checks in the order its author wrote them, followed
    by what other plugins add (a course-wide rule), in registration order.
    Both calls go through pluggy, so hook tracing and blocking apply.
    """
    name = "grader_collect_checks"
    owner = pm.get_plugin(assignment.plugin) if assignment.plugin else None
    others = [p for p in pm.get_plugins() if p is not owner]
    groups = list(pm.subset_hook_caller(name, remove_plugins=others)(assignment=assignment)) if owner else []
    groups += reversed(pm.subset_hook_caller(name, remove_plugins=[owner] if owner else [])(assignment=assignment))
    return [check for group in groups if group for check in group]


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
