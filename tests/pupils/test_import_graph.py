"""No import circles between the project's modules, and the apps depend on
each other one way only (pupils -> providers -> consent -> sharing).

Read from the source with ``ast`` (nothing is imported): every ``import``
counts, those inside functions too (a function-local import hides a circle
rather than removing it); imports under ``if TYPE_CHECKING:`` do not, since
they never run. Migrations are left out: they import no application code
(tests/pupils/test_migrations.py)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("pupils", "providers", "consent", "sharing", "config")
# app -> the apps it must not import
NEVER = {
    "pupils": {"providers", "consent", "sharing"},
    "providers": {"consent", "sharing"},
    "consent": {"sharing"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for app in APPS
    for path in (ROOT / app).rglob("*.py")
    if "migrations" not in path.parts
}


def _imports(module: str, path: Path) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(parts + ([child.module] if child.module else []))
                for alias in child.names:
                    name = f"{base}.{alias.name}"
                    found.add(name if name in MODULES else base)
            visit(child)

    visit(ast.parse(path.read_text()))
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return circles


def test_the_graph_covers_the_apps():
    assert {"pupils.models.record", "pupils.staff.sessions", "consent.views"} <= set(GRAPH)
    assert "pupils.models.record" in GRAPH["pupils.models.special"]
    assert "pupils.staff.sessions" in GRAPH["pupils.staff.signin"]


def test_no_modules_import_each_other_in_a_circle():
    assert _circles(GRAPH) == []


def test_the_check_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_the_apps_depend_on_each_other_one_way():
    backwards = [
        (module, imported)
        for module, imports in GRAPH.items()
        for imported in imports
        if imported.split(".")[0] in NEVER.get(module.split(".")[0], set())
    ]
    assert backwards == []
