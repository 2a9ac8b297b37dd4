"""``model.summary()`` in tf.keras 2.x's table format.

Sequential-like models get three columns (``Layer (type)``, ``Output Shape``, ``Param #``,
65 characters wide); branching functional models add ``Connected to`` (98 wide). Rows are
separated by blank lines and the totals use thousands separators, as tf.keras 2.x prints.
In the ``keras2.2``/``keras2.3`` output styles the table is printed as Keras 2.2/2.3 did.
"""

from __future__ import annotations

import re

import numpy as np

from lamina.utils import output_style as _style


def _count(weights) -> int:
    seen, total = set(), 0
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            total += int(np.prod(w._value.shape))
    return total


def _node_depths(model) -> dict[int, tuple[int, object]]:
    """Each graph node's depth (0 at the outputs, +1 per step towards the inputs), as tf.keras
    numbers them: a node sits one deeper than the deepest node it feeds, and every call of a
    shared layer sits at least as deep as that layer's deepest call."""
    nodes = list(model._graph_nodes)
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    return {id(n): (node_depth.get(id(n), 0), n) for n in nodes}


def _is_sequential_like(model) -> bool:
    """tf.keras's test for the three-column table: a Sequential or subclassed model, or a
    graph with one node per depth, none taking several inputs, and no layer called twice."""
    if type(model).__name__ == "Sequential" or not getattr(model, "_is_graph_network", False):
        return True
    per_depth: dict[int, list] = {}
    for depth, node in _node_depths(model).values():
        per_depth.setdefault(depth, []).append(node)
    for group in per_depth.values():
        if len(group) > 1 or len(group[0].input_tensors) > 1:
            return False
    graph = {id(n) for n in model._graph_nodes}
    for layer in model.layers:
        if sum(id(n) in graph for n in layer._inbound_nodes) > 1:
            return False
    return True


def _format_shape(layer, unknown: str = "multiple") -> str:
    try:
        shape = layer.output_shape
    except (AttributeError, ValueError):
        return "multiple"
    except RuntimeError:
        return unknown
    return str(shape)


def print_summary(
    model,
    line_length=None,
    positions=None,
    print_fn=None,
    expand_nested=False,
    show_trainable=False,
    layer_range=None,
) -> None:
    """Print ``model``'s summary table with ``print_fn`` (default ``print``).

    Long fields wrap inside their column as tf.keras 2.x wraps them: each column keeps two
    spaces before the next one plus one more so the next column starts aligned, a nested
    row's first column gives up one character per ``|`` border, and a cell holding a tuple
    or list is broken right after the item that ends in it (``),`` ``],`` ...).
    """
    if print_fn is None:
        print_fn = print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        # Keras 2.2/2.3 split the four columns at a third, 55% and 67%; tf.keras 2.x moved them.
        legacy = _style.is_keras22() and not (expand_nested or show_trainable)
        positions = positions or ([0.33, 0.55, 0.67, 1.0] if legacy else [0.3, 0.6, 0.70, 1.0])
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    positions = list(positions)
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        headers.append("Trainable")
    relevant = {id(n) for n in getattr(model, "_graph_nodes", [])}
    last = len(positions) - 1
    breaks = ("),", "},", "],", "',")

    def row(fields, level: int = 0) -> None:
        pending = [str(f) for f in fields]
        while any(pending):
            line = ""
            for col in range(len(pending)):
                start = positions[col - 1] if col > 0 else 0
                space = 2 if col != last else 0
                # Two spaces between columns, one more so the next column starts aligned;
                # the first column of a nested row also leaves room for its borders.
                cut = positions[col] - start - space - (1 if col != last else 0)
                if col == 0:
                    cut -= level
                piece = pending[col][:cut]
                ends = [piece.find(b) + len(b) for b in breaks if piece.find(b) >= 0]
                if ends:
                    cut = min(ends)
                    piece = piece[:cut]
                if col == 0:
                    line += "|" * level + " "
                line += piece + " " * space
                pending[col] = pending[col][cut:]
                width = positions[col] - (level if level and col == last else 0)
                line += " " * (width - len(line))
            print_fn(line + "|" * level)

    def layer_row(layer, level: int = 0) -> None:
        name = f"{layer.name} ({type(layer).__name__})"
        if sequential_like:
            if not layer.built and not getattr(layer, "_is_graph_network", False):
                params = "0 (unused)"
            else:
                params = layer.count_params()
            fields = [name, _format_shape(layer, "?"), params]
        else:
            connections = [
                f"{inbound.name}[{node_index}][{tensor_index}]"
                for node in layer._inbound_nodes
                if not relevant or id(node) in relevant
                for inbound, node_index, tensor_index, _ in node.iterate_inbound()
            ]
            fields = [name, _format_shape(layer), layer.count_params(), connections]
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        row(fields, level)

    def print_layer(layer, level: int = 0, nested_last: bool = False) -> None:
        layer_row(layer, level)
        sub = getattr(layer, "layers", None) if expand_nested else None
        if sub:
            print_fn(
                "|" * (level + 1) + "\u00af" * (line_length - 2 * level - 2) + "|" * (level + 1)
            )
            for i, inner in enumerate(sub):
                print_layer(inner, level + 1, i == len(sub) - 1)
            print_fn("|" * level + "\u00af" * (line_length - 2 * level) + "|" * level)
            # tf.keras prints no blank separator after an expanded model's closing rule.
            nested_last = True
        if not nested_last:
            print_fn("|" * level + " " * (line_length - 2 * level) + "|" * level)

    layers = model.layers
    if layer_range is not None:
        layers = _layer_slice(model, layers, layer_range)
    if _style.is_keras22() and not (expand_nested or show_trainable):
        _print_keras2_rows(model, layers, headers, positions, line_length, print_fn, relevant)
    else:
        print_fn(f'Model: "{model.name}"')
        print_fn("_" * line_length)
        row(headers)
        print_fn("=" * line_length)
        for layer in layers:
            print_layer(layer)
        print_fn("=" * line_length)
    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non_trainable:,}")
    print_fn("_" * line_length)


def _print_keras2_rows(model, layers, headers, positions, line_length, print_fn, relevant):
    """Keras 2.2/2.3's table (the ``keras2.2``/``keras2.3`` output styles, seeds 001/002): no
    leading blank, each field cut at its column, rows separated by underscores; Keras 2.3
    added the ``Model: "name"`` line."""

    def row(fields) -> None:
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line = (line + str(field))[: positions[i]]
            line += " " * (positions[i] - len(line))
        print_fn(line)

    if _style.get_output_style() == _style.KERAS23:
        print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    row(headers)
    print_fn("=" * line_length)
    for i, layer in enumerate(layers):
        built = layer.built or getattr(layer, "_is_graph_network", False)
        shape = _format_shape(layer)
        if shape.startswith("[(") and shape.count("(") == 1:
            shape = shape[1:-1]  # Keras 2.x showed an InputLayer's shape as ``(None, 3)``
        fields = [
            f"{layer.name} ({type(layer).__name__})",
            shape,
            layer.count_params() if built else "0 (unused)",
        ]
        if len(headers) == 3:
            row(fields)
        else:
            links = [
                f"{inbound.name}[{node_index}][{tensor_index}]"
                for node in layer._inbound_nodes
                if not relevant or id(node) in relevant
                for inbound, node_index, tensor_index, _ in node.iterate_inbound()
            ]
            row([*fields, links[0] if links else ""])
            for link in links[1:]:
                row(["", "", "", link])
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)


def _layer_slice(model, layers, layer_range) -> list:
    """The layers from the first whose name matches ``layer_range[0]`` to the last whose name
    matches ``layer_range[1]`` (regular expressions matched at the start of the name, as
    tf.keras does; a reversed pair is swapped)."""
    if len(layer_range) != 2:
        raise ValueError(
            f"layer_range must be a list or tuple of length 2. Received: layer_range = "
            f"{layer_range} of length {len(layer_range)}"
        )
    if not all(isinstance(p, str) for p in layer_range):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, x in enumerate(layers) if re.match(layer_range[0], x.name)]
    upper = [i for i, x in enumerate(layers) if re.match(layer_range[1], x.name)]
    if not lower or not upper:
        raise ValueError(
            f"Passed layer_names do not match the layer names in the model. Received: {layer_range}"
        )
    if min(lower) > max(upper):
        return layers[min(upper) : max(lower) + 1]
    return layers[min(lower) : max(upper) + 1]


__all__ = ["print_summary"]
