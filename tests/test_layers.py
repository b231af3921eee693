"""The package stands in layers: no import cycle, and no import from a lower layer to a higher one.

Every module of `sre_agent/` is read with `ast`, and every import statement in it counts: at the
top, under `if TYPE_CHECKING:`, and inside functions (a deferred import is still a dependency).
An import names the module it imports from; `from package import name` names the module
`package.name` when there is one, else the package (its `__init__`).

Run as a script (`python tests/test_layers.py [repo root]`) it prints the cycles and upward imports
of any checkout, for comparing two of them.
"""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from paths import ROOT

#: The layers, lowest first. A module may import from its own layer and from those before it,
#: never from those after it. A module belongs to the highest layer that names it or a package
#: holding it; a module no layer names is part of the base.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # The base: settings, models, errors, redaction, shapes, clocks, configs, the LLM and embedding
    # builders, chat memory, storage: everything no layer below names.
    ("base", ()),
    # Traces stand beside the stack: they take only from the base, and any layer may record.
    ("traces", ("sre_agent.trace",)),
    # Where logs come from: files, HTTP logstores, Loki, CloudWatch, the admin API, DynamoDB.
    ("connectors", ("sre_agent.connectors",)),
    # LanceDB: the per-session log tables and the code index.
    ("indexes", ("sre_agent.indexes",)),
    # The search pipeline (fetch, clean, embed, refine, retrieve) and the analyses of its lines.
    (
        "search workflow",
        (
            "sre_agent.workflows",
            "sre_agent.clean",
            "sre_agent.evidence",
            "sre_agent.suspects",
            "sre_agent.suspect_entries",
            "sre_agent.suspect_signals",
            "sre_agent.suspect_blame",
            "sre_agent.suspect_traces",
        ),
    ),
    # What the agent may call; they see their host through `tools.host.ToolHost`.
    ("tools", ("sre_agent.tools",)),
    # One turn: the LLM agent or offline triage, its prompt and its answer.
    (
        "agent and triage",
        (
            "sre_agent.agent",
            "sre_agent.answer",
            "sre_agent.knowledge",
            "sre_agent.service_choice",
        ),
    ),
    # The one API: builds the parts once and runs turns and searches with them.
    (
        "engine",
        (
            "sre_agent.engine",
            "sre_agent.engine_parts",
            "sre_agent.search_memory",
            "sre_agent.sources",
            "sre_agent.thread_memory",
            "sre_agent.purge",
        ),
    ),
    # What people run: the CLI, the Slack bot, replay, doctor.
    ("entry points", ("sre_agent.cli", "sre_agent.bot", "sre_agent.replay", "sre_agent.doctor")),
]


def _module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of `package` under `root`, by dotted name (a package by its own name)."""
    names = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterable[str]:
    """The dotted names one import statement may refer to, most specific first per name."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:  # relative: from the module's package, one level up per extra dot
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    for alias in node.names:
        yield f"{base}.{alias.name}"


def import_graph(root: Path, package: str = "sre_agent") -> dict[str, set[str]]:
    """Module -> the modules of `package` it imports, from every import statement anywhere in it."""
    modules = _module_names(root, package)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _imported(node, name, is_package):
                while target and target not in modules:  # `pkg.mod.attr` -> `pkg.mod`
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a loop (sorted)."""
    reach = {name: _reachable(graph, name) for name in graph}
    groups = {
        frozenset({name} | {other for other in reach[name] if name in reach[other]})
        for name in graph
        if name in reach[name]
    }
    return sorted(sorted(group) for group in groups)


def layer_of(module: str, layers: Sequence[tuple[str, tuple[str, ...]]] = LAYERS) -> int:
    """The index of the layer `module` belongs to: the highest layer naming it or a package of it
    (a layer above may name one module of a package a lower layer names whole)."""
    found = 0
    for index, (_, prefixes) in enumerate(layers):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            found = index
    return found


def upward_imports(
    graph: dict[str, set[str]], layers: Sequence[tuple[str, tuple[str, ...]]] = LAYERS
) -> list[str]:
    """Each import from a lower layer to a higher one, in words."""
    out = []
    for module in sorted(graph):
        for target in sorted(graph[module]):
            low, high = layer_of(module, layers), layer_of(target, layers)
            if high > low:
                out.append(f"{module} ({layers[low][0]}) imports {target} ({layers[high][0]})")
    return out


def _report(root: Path) -> str:
    graph = import_graph(root)
    lines = [f"{len(graph)} modules, {sum(len(t) for t in graph.values())} imports"]
    found = cycles(graph)
    lines.append(f"cycles: {len(found)}")
    lines += [f"  {len(group)} modules: {', '.join(group)}" for group in found]
    upward = upward_imports(graph)
    lines.append(f"upward imports: {len(upward)}")
    lines += [f"  {line}" for line in upward]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------- tests


def test_no_import_cycle() -> None:
    found = cycles(import_graph(ROOT))
    assert found == [], "modules that import each other:\n" + "\n".join(", ".join(g) for g in found)


def test_no_import_from_a_lower_layer_to_a_higher_one() -> None:
    upward = upward_imports(import_graph(ROOT))
    assert upward == [], "imports that reach up a layer:\n" + "\n".join(upward)


def test_every_name_in_the_layers_is_a_module() -> None:
    """A renamed or moved module must be named again here, not silently fall into the base."""
    modules = set(import_graph(ROOT))
    named = [p for _, prefixes in LAYERS for p in prefixes]
    assert [p for p in named if not any(m == p or m.startswith(p + ".") for m in modules)] == []


def _members(protocol: type) -> list[str]:
    """The members a protocol declares, its bases' included."""
    ours = [c for c in protocol.__mro__ if c.__module__.startswith("sre_agent.")]  # not Protocol's
    return sorted({name for c in ours for name in vars(c) if not name.startswith("_")})


def test_the_engine_is_the_host_the_tools_and_the_agent_run_on(settings) -> None:
    """`Engine` has every member of `ToolHost` and `AgentHost`, its methods taking the same
    parameters, async where the protocol's is (a type checker checks the types too)."""
    from sre_agent.agent.host import AgentHost
    from sre_agent.engine import Engine
    from sre_agent.tools.host import ToolHost

    engine = Engine(settings)  # nothing built: the members are looked up, not run
    assert set(_members(ToolHost)) < set(_members(AgentHost))
    for name in _members(AgentHost):
        declared = inspect.getattr_static(AgentHost, name)
        found = inspect.getattr_static(engine, name, None)
        assert found is not None, f"Engine has no {name}"
        if inspect.isfunction(declared):
            assert inspect.isfunction(found), name
            assert list(inspect.signature(found).parameters) == list(
                inspect.signature(declared).parameters
            ), name
            assert inspect.iscoroutinefunction(found) == inspect.iscoroutinefunction(declared), name


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A small package with one loop through a TYPE_CHECKING import and a relative import, and an
    upward import hidden inside a function."""
    files = {
        "pkg/__init__.py": "",
        "pkg/low.py": "def late():\n    from pkg.high import top\n    return top\n",
        "pkg/high.py": "top = 1\n",
        "pkg/sub/__init__.py": "from .a import thing\n",
        "pkg/sub/a.py": (
            "from typing import TYPE_CHECKING\n\n"
            "if TYPE_CHECKING:\n    from pkg.sub.b import Other\n\n"
            "thing = 1\n"
        ),
        "pkg/sub/b.py": "from . import a\n\nOther = a.thing\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_walker_finds_a_planted_cycle_and_an_upward_import(planted: Path) -> None:
    graph = import_graph(planted, "pkg")
    assert graph == {
        "pkg": set(),
        "pkg.high": set(),
        "pkg.low": {"pkg.high"},
        "pkg.sub": {"pkg.sub.a"},
        "pkg.sub.a": {"pkg.sub.b"},
        "pkg.sub.b": {"pkg.sub.a"},
    }
    assert cycles(graph) == [["pkg.sub.a", "pkg.sub.b"]]
    layers = [("bottom", ()), ("top", ("pkg.high",))]
    assert upward_imports(graph, layers) == ["pkg.low (bottom) imports pkg.high (top)"]


if __name__ == "__main__":
    print(_report(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT))
