"""``plot_model`` and ``model_to_dot``: draw a model's layer graph (Keras 2: ``keras.utils.vis_utils``).

Graphviz is optional. With ``pydot`` installed and Graphviz's ``dot`` program on the PATH the
picture is laid out by Graphviz, as in Keras; otherwise lamina draws the same boxes and arrows
with matplotlib (Agg, no display needed). In a notebook ``plot_model`` returns an image that
shows inline, as in the tutorials::

    plot_model(model, show_shapes=True)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

_RANKDIRS = ("TB", "LR")


# --- the graph ------------------------------------------------------------------------------
@dataclass
class _Box:
    """One drawn node: columns of text cells (a column has one cell, or two stacked)."""

    key: str
    columns: list[list[str]]
    cluster: str | None = None


@dataclass
class _Graph:
    boxes: list[_Box] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)
    clusters: list[tuple[str, list[int]]] = field(default_factory=list)


@dataclass
class _Options:
    show_shapes: bool
    show_dtype: bool
    show_layer_names: bool
    expand_nested: bool
    show_layer_activations: bool
    show_trainable: bool


def _is_input_layer(layer) -> bool:
    return type(layer).__name__ == "InputLayer"


def _is_model(layer) -> bool:
    return hasattr(layer, "layers") and hasattr(layer, "_is_graph_network")


def _format_shape(get) -> str:
    try:
        shape = get()
    except Exception:  # never built, or called on several shapes
        return "?"
    return str(shape)


def _activation_name(layer) -> str | None:
    act = getattr(layer, "activation", None)
    if act is None:
        return None
    for attr in ("name", "__name__"):
        name = getattr(act, attr, None)
        if isinstance(name, str):
            return name
    return str(act)


def _box(layer, opts: _Options, cluster: str | None) -> _Box:
    class_name = type(layer).__name__
    title = f"{layer.name}: {class_name}" if opts.show_layer_names else class_name
    columns: list[list[str]] = []
    if opts.show_trainable:
        columns.append(["T" if getattr(layer, "trainable", True) else "NT"])
    act = _activation_name(layer) if opts.show_layer_activations else None
    columns.append([title, act] if act else [title])
    if opts.show_dtype:
        dtype = getattr(layer, "dtype", None)
        dtype = getattr(dtype, "name", dtype)
        columns.append(["?" if dtype is None else str(dtype)])
    if opts.show_shapes:
        columns.append(["input:", "output:"])
        columns.append(
            [
                _format_shape(lambda: layer.input_shape),
                _format_shape(lambda: layer.output_shape),
            ]
        )
    return _Box(key=str(id(layer)), columns=columns, cluster=cluster)


def _layers_and_edges(model, include_inputs: bool):
    """The model's layers in order and its layer-to-layer connections, or None (subclassed)."""
    if hasattr(model, "_seq_layers") or type(model).__name__ == "Sequential":
        layers = list(model.layers)
        first = getattr(model, "_input_layer", None)
        if include_inputs and first is not None and first not in layers:
            layers.insert(0, first)
        if not include_inputs:
            layers = [x for x in layers if not _is_input_layer(x)]
        return layers, list(zip(layers, layers[1:]))
    if not getattr(model, "_is_graph_network", False):
        return None
    layers = list(model.layers)
    for inp in getattr(model, "_input_layers", []) or []:
        if inp not in layers:
            layers.insert(0, inp)
    if not include_inputs:
        layers = [x for x in layers if not _is_input_layer(x)]
    ids = {id(x) for x in layers}
    exact = getattr(model, "_layer_edges", None)
    if callable(exact):  # the model knows its own graph nodes
        return layers, [(a, b) for a, b in exact() if id(a) in ids and id(b) in ids]
    edges, seen = [], set()
    for layer in layers:
        for node in getattr(layer, "_inbound_nodes", []) or []:
            inbound = [
                t._keras_history[0]
                for t in getattr(node, "input_tensors", []) or []
                if getattr(t, "_keras_history", None) is not None
            ]
            if not inbound or not all(id(x) in ids or _is_input_layer(x) for x in inbound):
                continue  # a call of this layer in another model
            for src in inbound:
                pair = (id(src), id(layer))
                if id(src) in ids and pair not in seen:
                    seen.add(pair)
                    edges.append((src, layer))
    return layers, edges


def _layer_range(layers: list, layer_range) -> tuple[int, int]:
    if layer_range is None:
        return 0, len(layers)
    if (
        not isinstance(layer_range, (list, tuple))
        or len(layer_range) != 2
        or not all(isinstance(x, str) for x in layer_range)
    ):
        raise ValueError(
            "`layer_range` must be a list of two layer names (or regex patterns), received "
            f"{layer_range!r}"
        )
    names = [x.name for x in layers]
    starts = [
        i for i, n in enumerate(names) if re.fullmatch(layer_range[0], n) or n == layer_range[0]
    ]
    ends = [
        i for i, n in enumerate(names) if re.fullmatch(layer_range[1], n) or n == layer_range[1]
    ]
    if not starts or not ends:
        missing = layer_range[0] if not starts else layer_range[1]
        raise ValueError(
            f"`layer_range` names a layer that is not in the model: {missing!r}. "
            f"Layers are: {names}"
        )
    lo, hi = starts[0], ends[-1] + 1
    if lo >= hi:
        raise ValueError(f"`layer_range` {list(layer_range)} selects no layers (start after end).")
    return lo, hi


def _collect(model, opts: _Options, graph: _Graph, nested: bool, layer_range=None, cluster=None):
    """Add ``model``'s boxes and edges to ``graph``; return (entry box ids, exit box ids)."""
    found = _layers_and_edges(model, include_inputs=not nested)
    if found is None:  # subclassed model: one box, as Keras draws it
        graph.boxes.append(_Box(key=str(id(model)), columns=[[model.name]], cluster=cluster))
        i = len(graph.boxes) - 1
        return [i], [i]
    layers, layer_edges = found
    lo, hi = _layer_range(layers, layer_range)
    layers = layers[lo:hi]
    kept = {id(x) for x in layers}
    entry_of: dict[int, list[int]] = {}
    exit_of: dict[int, list[int]] = {}
    for layer in layers:
        if opts.expand_nested and _is_model(layer):
            start = len(graph.boxes)
            entries, exits = _collect(layer, opts, graph, nested=True, cluster=layer.name)
            graph.clusters.append((layer.name, list(range(start, len(graph.boxes)))))
            entry_of[id(layer)], exit_of[id(layer)] = entries, exits
        else:
            graph.boxes.append(_box(layer, opts, cluster))
            i = len(graph.boxes) - 1
            entry_of[id(layer)] = exit_of[id(layer)] = [i]
    own_edges = []
    for src, dst in layer_edges:
        if id(src) in kept and id(dst) in kept:
            for a in exit_of[id(src)]:
                for b in entry_of[id(dst)]:
                    own_edges.append((a, b))
    graph.edges.extend(own_edges)
    ids = [i for layer in layers for i in entry_of[id(layer)]]
    has_in = {b for _, b in own_edges}
    has_out = {a for a, _ in own_edges}
    all_ids = sorted({i for layer in layers for i in entry_of[id(layer)] + exit_of[id(layer)]})
    entries = [i for i in ids if i not in has_in] or ids[:1]
    exits = [i for i in all_ids if i not in has_out] or all_ids[-1:]
    return entries, exits


def _check_args(model, to_file, rankdir, dpi):
    if not hasattr(model, "layers") or not hasattr(model, "name"):
        raise TypeError(f"`model` must be a lamina Model, received {type(model).__name__}")
    if not getattr(model, "built", True):
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` "
            "or by calling the model on a batch of data."
        )
    if rankdir not in _RANKDIRS:
        raise ValueError(
            f"`rankdir` must be 'TB' (vertical) or 'LR' (horizontal), received {rankdir!r}"
        )
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or dpi <= 0:
        raise ValueError(f"`dpi` must be a positive number, received {dpi!r}")
    if to_file is not None:
        try:
            os.fspath(to_file)
        except TypeError:
            raise TypeError(f"`to_file` must be a file path, received {to_file!r}") from None


def _build_graph(model, opts: _Options, layer_range) -> _Graph:
    graph = _Graph()
    _collect(model, opts, graph, nested=False, layer_range=layer_range)
    return graph


# --- DOT ------------------------------------------------------------------------------------
def _dot_escape(text: str) -> str:
    return re.sub(r'([{}|<>"\\])', r"\\\1", text)


def _dot_label(box: _Box) -> str:
    parts = []
    for col in box.columns:
        cells = [_dot_escape(c) for c in col]
        parts.append(cells[0] if len(cells) == 1 else "{" + "|".join(cells) + "}")
    return "|".join(parts)


def _dot_source(graph: _Graph, rankdir: str, dpi) -> str:
    lines = [
        "digraph G {",
        f"  graph [rankdir={rankdir}, concentrate=true, dpi={dpi}];",
        "  node [shape=record];",
    ]
    in_cluster = {i for _, members in graph.clusters for i in members}
    for i, box in enumerate(graph.boxes):
        if i not in in_cluster:
            lines.append(f'  "{box.key}_{i}" [label="{_dot_label(box)}"];')
    for n, (name, members) in enumerate(graph.clusters):
        lines.append(f"  subgraph cluster_{n} {{")
        lines.append(f'    style=dashed; label="{_dot_escape(name)}"; labeljust=l;')
        for i in members:
            box = graph.boxes[i]
            lines.append(f'    "{box.key}_{i}" [label="{_dot_label(box)}"];')
        lines.append("  }")
    for a, b in graph.edges:
        lines.append(f'  "{graph.boxes[a].key}_{a}" -> "{graph.boxes[b].key}_{b}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


class DotGraph:
    """The DOT description of a model graph, for when ``pydot`` is not installed.

    ``to_string()`` gives the DOT text; ``create(prog, format)`` and ``write(path, format=)``
    run Graphviz (its ``dot`` program must be on the PATH).
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def to_string(self) -> str:
        return self.source

    def __str__(self) -> str:
        return self.source

    def create(self, prog: str = "dot", format: str = "ps") -> bytes:  # noqa: A002
        exe = shutil.which(prog)
        if exe is None:
            raise FileNotFoundError(
                f"Graphviz's `{prog}` program was not found on the PATH; install Graphviz, or "
                "use lamina.utils.plot_model, which draws with matplotlib without it."
            )
        result = subprocess.run(
            [exe, f"-T{format}"], input=self.source.encode(), capture_output=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"`{prog}` failed: {result.stderr.decode(errors='replace')}")
        return result.stdout

    def create_png(self, prog: str = "dot") -> bytes:
        return self.create(prog, "png")

    def create_svg(self, prog: str = "dot") -> bytes:
        return self.create(prog, "svg")

    def write(self, path, prog: str = "dot", format: str = "raw") -> bool:  # noqa: A002
        data = self.source.encode() if format == "raw" else self.create(prog, format)
        with open(path, "wb") as f:
            f.write(data)
        return True


def _pydot():
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def model_to_dot(
    model,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 96,
    subgraph: bool = False,
    layer_range=None,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
):
    """The model's layer graph in Graphviz DOT form.

    Returns a ``pydot.Dot`` when pydot is installed (as Keras does), else a
    :class:`DotGraph` with the same DOT text (``to_string()``, ``create()``, ``write()``).
    """
    _check_args(model, None, rankdir, dpi)
    opts = _Options(
        show_shapes,
        show_dtype,
        show_layer_names,
        expand_nested,
        show_layer_activations,
        show_trainable,
    )
    source = _dot_source(_build_graph(model, opts, layer_range), rankdir, dpi)
    pydot = _pydot()
    if pydot is not None:
        graphs = pydot.graph_from_dot_data(source)
        if graphs:
            return graphs[0]
    return DotGraph(source)


# --- matplotlib drawing -----------------------------------------------------------------------
_FONT = 10.0  # points
_CHAR_W = 0.61 * _FONT  # monospace advance
_ROW_H = 1.7 * _FONT
_PAD = 6.0
_GAP_RANK = 28.0
_GAP_SIBLING = 20.0
_MARGIN = 14.0
_MAX_PIXELS = 30000


def _ranks(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parents: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        parents[b].append(a)
    rank = [-1] * n
    visiting = set()

    def depth(i: int) -> int:
        if rank[i] >= 0:
            return rank[i]
        if i in visiting:  # a cycle (should not happen): cut it
            return 0
        visiting.add(i)
        rank[i] = 1 + max((depth(p) for p in parents[i]), default=-1)
        visiting.discard(i)
        return rank[i]

    for i in range(n):
        depth(i)
    return rank


def _box_size(box: _Box) -> tuple[list[float], float, float]:
    widths = [max(len(c) for c in col) * _CHAR_W + 2 * _PAD for col in box.columns]
    rows = max(len(col) for col in box.columns)
    return widths, sum(widths), rows * _ROW_H


def _layout(graph: _Graph, rankdir: str):
    n = len(graph.boxes)
    rank = _ranks(n, graph.edges)
    sizes = [_box_size(b) for b in graph.boxes]
    levels: dict[int, list[int]] = {}
    for i in range(n):
        levels.setdefault(rank[i], []).append(i)
    pos: dict[int, tuple[float, float]] = {}
    parents: dict[int, list[int]] = {}
    for a, b in graph.edges:
        parents.setdefault(b, []).append(a)
    along = 0.0  # coordinate along the rank direction
    order_key: dict[int, float] = {}
    for r in sorted(levels):
        members = levels[r]
        # keep children near their parents (one barycentre pass), then discovery order
        members.sort(
            key=lambda i: (
                sum(order_key[p] for p in parents.get(i, []) if p in order_key)
                / max(1, sum(1 for p in parents.get(i, []) if p in order_key))
                if any(p in order_key for p in parents.get(i, []))
                else float(i),
                i,
            )
        )
        if rankdir == "TB":
            extent = [sizes[i][1] for i in members]
            thick = max(sizes[i][2] for i in members)
        else:
            extent = [sizes[i][2] for i in members]
            thick = max(sizes[i][1] for i in members)
        total = sum(extent) + _GAP_SIBLING * (len(members) - 1)
        across = -total / 2
        for k, i in enumerate(members):
            centre_across = across + extent[k] / 2
            centre_along = along + thick / 2
            pos[i] = (
                (centre_across, -centre_along)
                if rankdir == "TB"
                else (centre_along, -centre_across)
            )
            order_key[i] = float(k)
            across += extent[k] + _GAP_SIBLING
        along += thick + _GAP_RANK
    return pos, sizes


def _draw(graph: _Graph, rankdir: str, dpi: float, path: str, fmt: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, Rectangle

    pos, sizes = _layout(graph, rankdir)
    xs0 = [pos[i][0] - sizes[i][1] / 2 for i in pos]
    xs1 = [pos[i][0] + sizes[i][1] / 2 for i in pos]
    ys0 = [pos[i][1] - sizes[i][2] / 2 for i in pos]
    ys1 = [pos[i][1] + sizes[i][2] / 2 for i in pos]
    pad = _MARGIN + (_ROW_H if graph.clusters else 0)
    x0, x1 = min(xs0) - pad, max(xs1) + pad
    y0, y1 = min(ys0) - pad, max(ys1) + pad
    width_in, height_in = (x1 - x0) / 72.0, (y1 - y0) / 72.0
    # Raster images have a size limit: very deep models are drawn at a lower resolution.
    if fmt not in ("svg", "pdf", "eps", "ps"):
        dpi = min(float(dpi), _MAX_PIXELS / max(width_in, height_in))

    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_axis_off()
    text_kw = {"fontsize": _FONT, "family": "monospace", "ha": "center", "va": "center"}

    for name, members in graph.clusters:
        cx0 = min(pos[i][0] - sizes[i][1] / 2 for i in members) - _PAD
        cx1 = max(pos[i][0] + sizes[i][1] / 2 for i in members) + _PAD
        cy0 = min(pos[i][1] - sizes[i][2] / 2 for i in members) - _PAD
        cy1 = max(pos[i][1] + sizes[i][2] / 2 for i in members) + _PAD + _ROW_H
        ax.add_artist(
            Rectangle((cx0, cy0), cx1 - cx0, cy1 - cy0, fill=False, linestyle="--", lw=0.8)
        )
        ax.text(cx0 + _PAD, cy1 - _ROW_H / 2, name, **{**text_kw, "ha": "left"})

    # add_artist (not add_patch/plot): the limits are fixed, so skip autoscaling work.
    rules = []  # cell separators, drawn as one collection
    for i, box in enumerate(graph.boxes):
        widths, w, h = sizes[i]
        cx, cy = pos[i]
        left, bottom = cx - w / 2, cy - h / 2
        ax.add_artist(Rectangle((left, bottom), w, h, facecolor="white", edgecolor="black", lw=0.9))
        x = left
        for col, cw in zip(box.columns, widths):
            if x > left:
                rules.append([(x, bottom), (x, bottom + h)])
            if len(col) == 1:
                ax.text(x + cw / 2, cy, col[0], **text_kw)
            else:
                row_h = h / len(col)
                for r, cell in enumerate(col):
                    top = bottom + h - r * row_h
                    if r:
                        rules.append([(x, top), (x + cw, top)])
                    ax.text(x + cw / 2, top - row_h / 2, cell, **text_kw)
            x += cw

    if rules:
        ax.add_collection(LineCollection(rules, colors="black", linewidths=0.9, zorder=3))
    for a, b in graph.edges:
        (ax_, ay), (bx, by) = pos[a], pos[b]
        if rankdir == "TB":
            start, end = (ax_, ay - sizes[a][2] / 2), (bx, by + sizes[b][2] / 2)
        else:
            start, end = (ax_ + sizes[a][1] / 2, ay), (bx - sizes[b][1] / 2, by)
        ax.add_artist(
            FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, lw=0.9, color="black")
        )
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        fig.savefig(path, format=fmt, dpi=dpi)  # SVG text stays text (searchable)


# --- plot_model -------------------------------------------------------------------------------
def plot_model(
    model,
    to_file: str = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 96,
    layer_range=None,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
):
    """Draw the model's layers and connections to ``to_file`` (png, svg, pdf, jpg ...).

    Each box reads ``name: Class``; ``show_shapes`` adds the input and output shapes,
    ``show_dtype`` the dtype, ``show_layer_activations`` the activation,
    ``show_trainable`` ``T``/``NT``. ``rankdir='LR'`` draws left to right.
    ``expand_nested`` draws the layers of nested models inside dashed frames.
    ``layer_range=[first, last]`` (names or regex patterns) draws part of the model.

    Returns an ``IPython.display.Image`` (``SVG`` for .svg) that a notebook shows inline
    when IPython is installed, else the path of the written file.
    """
    _check_args(model, to_file, rankdir, dpi)
    to_file = os.fspath(to_file)
    ext = os.path.splitext(to_file)[1].lower()
    fmt = ext[1:] if ext else "png"
    if fmt == "jpg":
        fmt = "jpeg"
    opts = _Options(
        show_shapes,
        show_dtype,
        show_layer_names,
        expand_nested,
        show_layer_activations,
        show_trainable,
    )
    graph = _build_graph(model, opts, layer_range)
    folder = os.path.dirname(to_file)
    if folder:
        os.makedirs(folder, exist_ok=True)
    pydot = _pydot()
    if pydot is not None and shutil.which("dot"):
        dot = model_to_dot(
            model,
            show_shapes,
            show_dtype,
            show_layer_names,
            rankdir,
            expand_nested,
            dpi,
            layer_range=layer_range,
            show_layer_activations=show_layer_activations,
            show_trainable=show_trainable,
        )
        dot.write(to_file, format=fmt)
    else:
        _draw(graph, rankdir, dpi, to_file, fmt)
    return _display(to_file, fmt)


def _display(path: str, fmt: str):
    if fmt == "pdf":
        return path
    try:
        from IPython import display
    except ImportError:
        return path
    if fmt == "svg":
        return display.SVG(filename=path)
    if fmt in ("png", "jpeg", "gif"):
        return display.Image(filename=path)
    return path


__all__ = ["plot_model", "model_to_dot", "DotGraph"]
