"""The emulator's own shape: no import cycle anywhere in it, nothing from the app, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "sfdc_emulator"
MAX_LINES = 310  # "about 300": a longer module says why in a comment starting with "# Long module:"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at the top, inside functions or under TYPE_CHECKING alike."""
    out: set[str] = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            # `from sfdc_emulator.org import ids` imports the module sfdc_emulator.org.ids (as grimp reads
            # it); any other name comes from `base` itself.
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            out.update(submodules)
            if len(submodules) < len(node.names):
                out.add(base)
    return out


def graph() -> dict[str, set[str]]:
    return {name: {m for m in imported_modules(path) if m in MODULES} for name, path in MODULES.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_reports_a_cycle_hidden_inside_a_function():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_of_the_emulator_imports_another_that_imports_it_back():
    assert find_cycle(graph()) is None


def test_the_emulator_imports_nothing_from_the_app():
    offenders = {
        name: sorted(m for m in imported_modules(path) if m.split(".")[0] in ("syncapp", "core"))
        for name, path in MODULES.items()
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_every_route_module_is_listed_in_routing_and_nothing_loads_routes_by_name():
    registering = {name for name, path in MODULES.items() if "@route(" in path.read_text()}
    listed = graph()["sfdc_emulator.server.routing"]
    assert registering - listed == set()
    assert not any("importlib" in path.read_text() for path in MODULES.values())


def test_modules_stay_small_or_say_why_they_are_long():
    long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
        and "# Long module:" not in path.read_text()
    }
    assert long == {}


def test_every_module_opens_with_a_docstring():
    missing = [
        name for name, path in MODULES.items() if ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert missing == []


def test_benchmarks_live_in_benchmarks_not_in_the_emulator():
    assert [name for name in MODULES if "bench" in name.rsplit(".", 1)[-1]] == []
    assert (PACKAGE.parent / "benchmarks" / "emulator_query.py").exists()
    assert (PACKAGE.parent / "benchmarks" / "emulator_bulk.py").exists()
