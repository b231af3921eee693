"""The workflows as pictures: their steps and events laid out in layers, as SVG and as Mermaid.

The structure comes from the workflows library itself (`get_workflow_representation`: every
step, the events it takes and returns); networkx puts the nodes in layers (breadth-first from
the start event), and this module only places boxes and draws arrows. A run's path, when
given, marks the steps it went through (how often, how long, failed or not) and the events
between them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from workflows.representation import get_workflow_representation

from sre_agent.errors import InputError
from sre_agent.trace.model import RunTrace

#: The workflows sre-agent runs, by the name `sre-agent draw` takes: (module, class).
WORKFLOWS: dict[str, tuple[str, str]] = {
    "agent": ("llama_index.core.agent.workflow", "FunctionAgent"),
    "triage": ("sre_agent.agent.triage", "TriageWorkflow"),
    "log-search": ("sre_agent.workflows.log_search", "LogSearchWorkflow"),
}

NODE_H = 34
STEP_W = 150
EVENT_W = 170
GAP_X = 36
GAP_Y = 40
MARGIN = 24


def workflow_class(name: str) -> type:
    """The workflow class `sre-agent draw NAME` means; InputError for an unknown name."""
    if name not in WORKFLOWS:
        raise InputError(f"WORKFLOW: no workflow named '{name}' (known: {', '.join(WORKFLOWS)})")
    module, cls = WORKFLOWS[name]
    return getattr(importlib.import_module(module), cls)


def name_of_class(class_name: str) -> str | None:
    """'LogSearchWorkflow' → 'log-search' (None for a workflow we do not know)."""
    return next((name for name, (_, cls) in WORKFLOWS.items() if cls == class_name), None)


@dataclass
class PathMark:
    """What a run did at one node: how many times, how long in all, whether any attempt failed."""

    runs: int = 0
    seconds: float = 0.0
    failed: int = 0


@dataclass
class Node:
    id: str
    label: str
    kind: str  # step | event
    x: float = 0.0
    y: float = 0.0
    width: float = STEP_W
    mark: PathMark | None = None


@dataclass
class Edge:
    source: str
    target: str
    on_path: bool = False


@dataclass
class Drawing:
    """One workflow laid out: nodes with positions, edges, and the canvas size."""

    name: str
    title: str
    description: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0

    def edge_path(self, edge: Edge) -> str:
        """SVG path of an edge: straight down to a later layer, a bend round the side otherwise."""
        a, b = self.nodes[edge.source], self.nodes[edge.target]
        if a.y < b.y <= a.y + NODE_H + GAP_Y:  # to the next layer: straight down
            x1, y1, x2, y2 = a.x, a.y + NODE_H / 2, b.x, b.y - NODE_H / 2 - 2
            mid = (y1 + y2) / 2
            return f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2:.0f}"
        if b.y > a.y:  # skips layers: round the left side, clear of the nodes between
            x1, y1 = a.x - a.width / 2, a.y
            x2, y2 = b.x - b.width / 2 - 2, b.y
            out = min(x1, x2) - 40
            return f"M{x1:.0f},{y1:.0f} C{out:.0f},{y1:.0f} {out:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        # back edge (a loop, as in the agent): leave right, come back in from the right
        x1, y1 = a.x + a.width / 2, a.y
        x2, y2 = b.x + b.width / 2 + 2, b.y
        out = max(x1, x2) + 40 + 10 * abs(a.y - b.y) / (NODE_H + GAP_Y)
        return f"M{x1:.0f},{y1:.0f} C{out:.0f},{y1:.0f} {out:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"


def structure(workflow: type) -> tuple[str, list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(description, nodes as (id, label, kind), edges) of a workflow class: steps and events only."""
    graph = get_workflow_representation(workflow)
    kept = {n.id: n for n in graph.nodes if n.node_type in ("step", "event")}
    nodes = [(n.id, n.label, n.node_type) for n in kept.values()]
    edges = [(e.source, e.target) for e in graph.edges if e.source in kept and e.target in kept]
    description = (graph.description or workflow.__doc__ or "").strip().splitlines()
    return (description[0] if description else ""), nodes, edges


def layout(name: str, path: RunTrace | None = None) -> Drawing:
    """Lay out workflow `name`; with `path`, mark what that run went through."""
    cls = workflow_class(name)
    description, nodes, edges = structure(cls)
    graph = nx.DiGraph()
    graph.add_nodes_from(node_id for node_id, _, _ in nodes)
    graph.add_edges_from(edges)
    layers = _layers(graph)

    drawing = Drawing(name=name, title=cls.__name__, description=description)
    kinds = {node_id: (label, kind) for node_id, label, kind in nodes}
    widest = max(
        sum((STEP_W if kinds[n][1] == "step" else EVENT_W) + GAP_X for n in layer) for layer in layers
    )
    # Order each layer by where its predecessors sit, so arrows cross less.
    x_of: dict[str, float] = {}
    for depth, layer in enumerate(layers):
        layer.sort(key=lambda n: _mean([x_of[p] for p in graph.predecessors(n) if p in x_of], default=0.0))
        row_width = sum((STEP_W if kinds[n][1] == "step" else EVENT_W) + GAP_X for n in layer) - GAP_X
        x = MARGIN + 50 + (widest - GAP_X - row_width) / 2
        for node_id in layer:
            label, kind = kinds[node_id]
            width = STEP_W if kind == "step" else EVENT_W
            node = Node(id=node_id, label=label, kind=kind, width=width)
            node.x, node.y = x + width / 2, MARGIN + depth * (NODE_H + GAP_Y) + NODE_H / 2
            x_of[node_id] = node.x
            drawing.nodes[node_id] = node
            x += width + GAP_X
    drawing.edges = [Edge(source, target) for source, target in edges]
    drawing.width = widest - GAP_X + 2 * MARGIN + 140  # room for skips on the left, loops on the right
    drawing.height = MARGIN * 2 + len(layers) * (NODE_H + GAP_Y) - GAP_Y
    if path is not None:
        mark_path(drawing, path)
    return drawing


def _layers(graph: nx.DiGraph) -> list[list[str]]:
    """Nodes in layers: each node one below its lowest predecessor (longest path from the start),
    after setting aside the edges that close loops (the agent's tool loop) so the rest is acyclic."""
    starts = [n for n in graph.nodes if graph.in_degree(n) == 0] or list(graph.nodes)[:1]
    depth = {n: d for d, layer in enumerate(nx.bfs_layers(graph, starts)) for n in layer}
    acyclic = graph.copy()
    while not nx.is_directed_acyclic_graph(acyclic):
        cycle = nx.find_cycle(acyclic)
        # the loop's closing edge is the one that leads back nearest to the start
        back = min(cycle, key=lambda e: (depth.get(e[1], 0), -depth.get(e[0], 0)))
        acyclic.remove_edge(back[0], back[1])
    level: dict[str, int] = {}
    for node in nx.topological_sort(acyclic):
        level[node] = max((level[p] + 1 for p in acyclic.predecessors(node)), default=0)
    layers: list[list[str]] = [[] for _ in range(max(level.values(), default=0) + 1)]
    for node in sorted(level):
        layers[level[node]].append(node)
    return layers


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def mark_path(drawing: Drawing, run: RunTrace) -> None:
    """Mark the steps `run` went through in this workflow, the events they took and returned, and
    the edges between those."""
    steps = run.steps(drawing.title)
    events_seen: set[str] = set()
    for span in steps:
        node = drawing.nodes.get(span.name)
        if node is None:
            continue
        node.mark = node.mark or PathMark()
        node.mark.runs += 1
        node.mark.seconds += span.seconds or 0.0
        node.mark.failed += span.status == "failed"
        for event in (span.input_event, span.output_event):
            if event and event in drawing.nodes:
                events_seen.add(event)
    for event in events_seen:
        drawing.nodes[event].mark = PathMark(runs=1)
    # An edge is on the path when a step took (event → step) or returned (step → event) it.
    took = {(s.input_event, s.name) for s in steps}
    returned = {(s.name, s.output_event) for s in steps}
    for edge in drawing.edges:
        edge.on_path = (edge.source, edge.target) in took or (edge.source, edge.target) in returned


def mermaid(name: str) -> str:
    """Workflow `name` as a Mermaid flowchart (steps as boxes, events as rounded nodes), for docs."""
    _, nodes, edges = structure(workflow_class(name))
    lines = ["flowchart TD"]
    for node_id, label, kind in nodes:
        lines.append(f'    {node_id}["{label}"]' if kind == "step" else f'    {node_id}(["{label}"])')
    lines += [f"    {source} --> {target}" for source, target in edges]
    lines.append("    classDef step fill:#ddf4ff,stroke:#0969da;")
    steps = [node_id for node_id, _, kind in nodes if kind == "step"]
    if steps:
        lines.append(f"    class {','.join(steps)} step;")
    return "\n".join(lines) + "\n"


def run_drawings(run: RunTrace) -> list[Drawing]:
    """The drawing of every known workflow the run went through, its path marked."""
    out: list[Drawing] = []
    for class_name in run.workflows():
        name = name_of_class(class_name)
        if name is not None:
            out.append(layout(name, run))
    return out


def describe(drawing: Drawing) -> dict[str, Any]:
    """Counts for a caption: steps, steps on the path, failed steps."""
    steps = [n for n in drawing.nodes.values() if n.kind == "step"]
    return {
        "steps": len(steps),
        "on_path": sum(1 for n in steps if n.mark),
        "failed": sum(1 for n in steps if n.mark and n.mark.failed),
    }
