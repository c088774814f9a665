"""The modules under builder/ import one another in layers: no import circle.

Function-level imports count too: moving an import into a function hides a circle from Python's
import machinery, not from the design.
"""

import ast
from pathlib import Path

BUILDER = Path(__file__).resolve().parent.parent / "builder"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in BUILDER.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(BUILDER.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def _imported(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    """The modules of builder/ that `name` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from . import links` names a module; `from .models import X` names a module's member.
            targets = [module, *(f"{module}.{a.name}" for a in node.names)]
        else:
            continue
        found |= {t for t in targets if t in mods and t != name}
    return found


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach one another through imports (Tarjan's components of two or more)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in edges:
        if v not in index:
            visit(v)
    return out


def test_the_circle_finder_sees_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_under_builder_is_in_an_import_circle():
    mods = _modules()
    edges = {name: _imported(name, path, mods) for name, path in mods.items()}
    assert _circles(edges) == []
