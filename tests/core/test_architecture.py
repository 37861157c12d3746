"""The layout rules of the codebase (README, "Architecture"), read from the source with `ast`.

- No import cycle between apps, counting imports inside functions too (they only hide a cycle).
- The domain does not import its adapters: `cases`, `feedback` and `workcal` never import `portal`; the portal
  adapter subscribes to the domain's events instead.
- No module over MAX_LINES lines (migrations excepted): one layer, one concern per module.
"""
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["bhxh_portal", "core", "workcal", "cases", "feedback", "notifications", "portal", "reports", "legal", "attachments", "signing"]
ADAPTERS = {"portal"}
DOMAIN = {"core", "workcal", "cases", "feedback", "notifications", "legal", "attachments", "signing"}
MAX_LINES = 400


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _imported_apps(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                yield top


def app_graph() -> dict[str, dict[str, set[str]]]:
    """app → imported app → the modules that import it."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for app, path in _modules():
        for other in _imported_apps(path):
            if other != app:
                graph[app][other].add(str(path.relative_to(ROOT)))
    return graph


def _cycle(graph) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for app in sorted(graph):
        if app not in state and (found := visit(app)):
            return found
    return None


def test_no_import_cycle_between_apps():
    graph = app_graph()
    cycle = _cycle(graph)
    detail = ""
    if cycle:
        detail = "; ".join(f"{a} → {b} in {sorted(graph[a][b])}" for a, b in zip(cycle, cycle[1:]))
    assert cycle is None, f"import cycle {' → '.join(cycle or [])}: {detail}"


def test_the_domain_does_not_import_the_portal_adapter():
    graph = app_graph()
    offending = {app: sorted(graph[app][adapter]) for app in DOMAIN for adapter in ADAPTERS if graph[app].get(adapter)}
    assert offending == {}


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b": set()}, "b": {"c": set()}, "c": {"a": set()}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b": set()}, "b": {}}) is None


def test_no_module_is_over_the_line_limit():
    long = {str(path.relative_to(ROOT)): n for _, path in _modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    long |= {str(path.relative_to(ROOT)): n for path in sorted((ROOT / "tests").rglob("*.py"))
             if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
