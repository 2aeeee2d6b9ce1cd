"""The layers of docs/design.md are the import graph: no import cycle, and no import from a lower layer to a higher one.

Every import of every module under src/grading counts: at module level, inside a function, and under
`if TYPE_CHECKING:` (a type a module's signatures name is part of what the module means, and mypy follows it).
Importing `grading.a.b` also runs the package `grading.a` first, so that is an import of `grading.a` too, unless
`grading/a/__init__.py` imports nothing of the package (then running it pulls nothing in)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest

from conftest import REPO

SRC = REPO / "src"
ROOT = "grading"

# Lowest first. A module is in the layer of the longest name below that is its own name or a package holding it;
# the root package `grading` matches only itself (it loads its public names on first use, importing nothing).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", (ROOT, "grading.errors", "grading.vocab", "grading.progress", "grading.collector", "grading.io.files")),
    ("scheme", ("grading.scheme",)),
    ("records", ("grading.records",)),
    ("io", ("grading.io",)),
    ("grade", ("grading.grade",)),
    ("revisions", ("grading.revisions",)),
    ("analyses", ("grading.analyses",)),
    ("release", ("grading.revisions.release",)),
    ("results", ("grading.results",)),
    ("render", ("grading.render", "grading.analyses.explore")),
    ("ui", ("grading.ui",)),
    ("cli", ("grading.cli", "grading.__main__")),
)


Graph = Mapping[str, Mapping[str, int]]  # module -> {module it imports: line of the first such import}


# --- the graph ----------------------------------------------------------------------------------------------

def modules(src: Path = SRC) -> dict[str, tuple[Path, bool]]:
    """Every module under src/grading: dotted name -> (file, whether it is a package's __init__)."""
    out = {}
    for path in sorted((src / ROOT).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (path, package)
    return out


def _known(name: str, known: Iterable[str]) -> str:
    """The module an imported name lives in: the name, or the nearest package or module holding it."""
    names = set(known)
    while name not in names and "." in name:
        name = name.rpartition(".")[0]
    return name


def imports_of(module: str, path: Path, package: bool, known: Iterable[str]) -> dict[str, int]:
    """The modules of the package one module imports, anywhere in it, relative imports resolved."""
    known = set(known)
    here = module if package else module.rpartition(".")[0]
    out: dict[str, int] = {}

    def add(target: str, line: int) -> None:
        if (target == ROOT or target.startswith(ROOT + ".")) and target != module:
            out.setdefault(_known(target, known), line)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = here.split(".")
                base = ".".join(parts[:len(parts) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:  # `from .pkg import module` imports the module; `import name` its holder
                name = f"{base}.{alias.name}"
                add(name if name in known else base, node.lineno)
    return {t: line for t, line in out.items() if t != module}


def import_graph(src: Path = SRC) -> dict[str, dict[str, int]]:
    """The import graph of the package, with the packages an import runs on its way (see the module docstring)."""
    found = modules(src)
    direct = {m: imports_of(m, path, package, found) for m, (path, package) in found.items()}
    graph = {m: dict(targets) for m, targets in direct.items()}
    for m, targets in direct.items():
        for target, line in targets.items():
            parts = target.split(".")
            for i in range(1, len(parts)):
                holder = ".".join(parts[:i])
                # a package holding the importer has run already; one whose __init__ imports nothing runs nothing
                if m.startswith(holder + ".") or holder == m or not direct.get(holder):
                    continue
                graph[m].setdefault(holder, line)
    return graph


# --- the checks ---------------------------------------------------------------------------------------------

def layer_of(module: str, layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS) -> int | None:
    """The index of a module's layer (0 lowest), or None when no layer names it."""
    best: tuple[int, int] | None = None  # (length of the name matched, layer)
    for index, (_, names) in enumerate(layers):
        for name in names:
            if module == name or (name != ROOT and module.startswith(name + ".")):
                if best is None or len(name) > best[0]:
                    best = (len(name), index)
    return None if best is None else best[1]


def tangles(graph: Graph) -> list[frozenset[str]]:
    """The strongly connected groups of modules: those each of which imports all the others, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[frozenset[str]] = []

    def connect(v: str) -> None:  # Tarjan's algorithm; the package is small enough for recursion
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph.get(v, {}):
                groups.append(frozenset(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(groups, key=sorted)


def cycles(graph: Graph, tolerated: Iterable[frozenset[str]] = ()) -> list[list[str]]:
    """A cycle path ([a, b, …, a]) through each tangle but those tolerated, sorted."""
    skip = set(tolerated)
    return sorted(_shortest_cycle(graph, group) for group in tangles(graph) if group not in skip)


def _shortest_cycle(graph: Graph, group: frozenset[str]) -> list[str]:
    """The shortest way round from the group's first module back to itself, within the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, {})):
            if w == start:
                return [*paths[v], start]
            if w in group and w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group always has one


def upward(graph: Graph, layer: Callable[[str], int | None], names: list[str]) -> list[str]:
    """Every import from a lower layer to a higher one, as 'module (layer) → module (layer), line N'."""
    out = []
    for m in sorted(graph):
        for target, line in sorted(graph[m].items()):
            a, b = layer(m), layer(target)
            if a is not None and b is not None and a < b:
                out.append(f"{m} ({names[a]}) → {target} ({names[b]}), line {line}")
    return out


def _path(cycle: list[str], graph: Graph) -> str:
    """'a → b → a', and every module of the tangle when there are more than the one cycle shows."""
    group = next(g for g in tangles(graph) if cycle[0] in g)
    more = sorted(group - set(cycle))
    return " → ".join(cycle) + (f" (tangled with {', '.join(more)})" if more else "")


# --- the package ------------------------------------------------------------------------------------------

NAMES = [name for name, _ in LAYERS]


@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, int]]:
    return import_graph()


def test_every_module_has_a_layer(graph):
    assert [m for m in graph if layer_of(m) is None] == []


def test_the_root_package_imports_nothing_when_it_loads(graph):
    """Every import of the package runs grading/__init__.py: it can sit in the lowest layer only importing nothing."""
    assert graph[ROOT] == {}


def test_no_import_cycle(graph):
    found = [_path(c, graph) for c in cycles(graph)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_no_import_from_a_lower_layer_to_a_higher_one(graph):
    found = upward(graph, layer_of, NAMES)
    assert found == [], "imports upward:\n" + "\n".join(found)


def test_the_layers_are_listed_in_docs_design_md():
    """docs/design.md writes the same order down, lowest first, one `### layer` heading each."""
    text = (REPO / "docs" / "design.md").read_text(encoding="utf-8")
    headings = [line.removeprefix("### ").split(" ")[0].strip("`") for line in text.splitlines()
                if line.startswith("### ")]
    assert [h for h in headings if h in NAMES] == NAMES


# --- the checks can fail ----------------------------------------------------------------------------------

def test_a_cycle_and_an_upward_import_are_both_reported():
    fake = {"low.a": {"low.b": 3}, "low.b": {"low.c": 4}, "low.c": {"low.a": 5, "high.x": 9}, "high.x": {},
            "high.y": {"high.y": 1}}
    layers = (("low", ("low",)), ("high", ("high",)))
    assert cycles(fake) == [["high.y", "high.y"], ["low.a", "low.b", "low.c", "low.a"]]
    assert cycles(fake, [frozenset({"low.a", "low.b", "low.c"})]) == [["high.y", "high.y"]]
    tangled = {**fake, "low.d": {"low.a": 1}, "low.a": {"low.b": 3, "low.d": 4}}
    assert _path(["low.a", "low.b", "low.c", "low.a"], tangled) == "low.a → low.b → low.c → low.a (tangled with low.d)"
    assert upward(fake, lambda m: layer_of(m, layers), ["low", "high"]) == ["low.c (low) → high.x (high), line 9"]


def test_imports_inside_functions_under_type_checking_and_relative_ones_all_count(tmp_path):
    pkg = tmp_path / ROOT
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import deep\n")
    (pkg / "sub" / "deep.py").write_text("")
    (pkg / "sub" / "other.py").write_text("from .deep import x\n")
    (pkg / "high.py").write_text("")
    (pkg / "mod.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from .low import thing\n"
        "if TYPE_CHECKING:\n"
        "    from grading.sub.deep import y\n"
        "def f():\n"
        "    from . import high\n")
    g = import_graph(tmp_path)
    assert g["grading.mod"] == {"grading.low": 2, "grading.sub.deep": 4, "grading.sub": 4, "grading.high": 6}
    assert g["grading.sub.other"] == {"grading.sub.deep": 1}  # its own package has run before it
    assert g["grading.sub"] == {"grading.sub.deep": 1}
