"""The layer boundaries of STYLE.md, held by parsing every import (inside functions too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 300
# What each layer of syncapp may import from the project (Django and libraries are not listed here).
ALLOWED = {
    "models": {"models"},
    "salesforce": {"salesforce"},
    "sync": {"models", "salesforce", "sync"},
    "flows": {"models", "salesforce", "sync", "flows"},
    "services": {"models", "salesforce", "sync", "flows"},
    "selectors": {"models", "salesforce", "sync", "flows"},
    "tasks": {"services", "models"},
    "admin": {"admin", "services", "selectors", "models"},
    "management": {"services", "selectors", "models", "roles"},
    "roles": {"models"},
}
# Libraries a layer must not use even though it may import anything from Django.
FORBIDDEN = {
    "sync": ("django_q", "django.http", "syncapp.admin", "syncapp.tasks", "syncapp.services"),
    "flows": ("django_q", "django.http", "syncapp.admin", "syncapp.tasks", "syncapp.services"),
    "salesforce": ("django.db", "syncapp.models"),
}


def modules(package: str) -> dict[str, Path]:
    """Dotted module name → file, for every module of a package under the project root."""
    found = {}
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(path: Path, name: str) -> set[str]:
    """Every module `path` imports, at any depth of the file (functions, TYPE_CHECKING blocks)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def internal_graph(package: str) -> dict[str, set[str]]:
    """Module → the modules of `package` it imports (`from pkg import module` counts as the module)."""
    known = modules(package)
    graph = {}
    for name, path in known.items():
        graph[name] = {target for target in imports_of(path, name) if target in known and target != name}
    return graph


def cycles(package: str) -> list[list[str]]:
    """Import cycles between the modules of `package` (each reported once, as a path)."""
    graph = internal_graph(package)
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                found.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_module_of_the_app_imports_a_module_that_imports_it_back():
    assert cycles("syncapp") == []


def test_each_layer_of_the_app_imports_only_the_layers_below_it():
    crossings = []
    for name, path in modules("syncapp").items():
        own = layer(name)
        if own not in ALLOWED:
            continue
        for target in imports_of(path, name):
            if target.startswith("syncapp.") and layer(target) not in ALLOWED[own] | {own}:
                crossings.append(f"{name} imports {target}")
            if target.startswith(FORBIDDEN.get(own, ())):
                crossings.append(f"{name} imports {target}")
    assert crossings == []


def test_async_tasks_are_queued_only_by_services():
    queuing = [
        name
        for name, path in modules("syncapp").items()
        if any(t.startswith("django_q.tasks") for t in imports_of(path, name)) and layer(name) != "services"
    ]
    assert queuing == []


@pytest.mark.parametrize("package", ["sfdc_emulator"])
def test_the_emulator_imports_nothing_from_the_app(package):
    leaks = [
        f"{name} imports {target}"
        for name, path in modules(package).items()
        for target in imports_of(path, name)
        if target.split(".")[0] in ("syncapp", "core")
    ]
    assert leaks == []


@pytest.mark.parametrize("package", ["syncapp", "core"])
def test_modules_stay_short_or_say_why_they_are_long(package):
    long = [
        f"{name}: {len(lines)} lines"
        for name, path in modules(package).items()
        if len(lines := path.read_text().splitlines()) > MAX_LINES
        and not any("long because" in line.lower() for line in lines[:30])
    ]
    assert long == []
