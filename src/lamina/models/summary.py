"""``model.summary()`` in tf.keras 2.x's table format.

Sequential-like models get three columns (``Layer (type)``, ``Output Shape``, ``Param #``,
65 characters wide); branching functional models add ``Connected to`` (98 wide). Rows are
separated by blank lines and the totals use thousands separators, as tf.keras 2.x prints.
In the ``keras2.2``/``keras2.3`` output styles the table is printed as Keras 2.2/2.3 did.
"""

from __future__ import annotations

import numpy as np

from lamina.utils import output_style as _style


def _count(weights) -> int:
    seen, total = set(), 0
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            total += int(np.prod(w._value.shape))
    return total


def _is_sequential_like(model) -> bool:
    if type(model).__name__ == "Sequential" or not getattr(model, "_is_graph_network", False):
        return True
    nodes = [n for n in model._graph_nodes if not n.is_input]
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return False
    layers_seen = set()
    for node in nodes:
        if len(node.input_tensors) > 1 or id(node.layer) in layers_seen:
            return False
        layers_seen.add(id(node.layer))
    # A chain: every node's output feeds at most one other node of the graph.
    consumers: dict[int, int] = {}
    for node in nodes:
        for t in node.input_tensors:
            consumers[id(t)] = consumers.get(id(t), 0) + 1
    return all(c <= 1 for c in consumers.values())


def _format_shape(layer) -> str:
    try:
        shape = layer.output_shape
    except (AttributeError, ValueError, RuntimeError):
        return "multiple"
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
    """Print ``model``'s summary table with ``print_fn`` (default ``print``)."""
    if print_fn is None:
        print_fn = print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    positions = list(positions)
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        headers.append("Trainable")
    relevant = {id(n) for n in getattr(model, "_graph_nodes", [])}

    def row(fields, level: int = 0) -> None:
        pending = [str(f) for f in fields]
        while any(pending):
            line = ""
            for col in range(len(pending)):
                start = positions[col - 1] if col > 0 else 0
                end = positions[col]
                space = 2 if col != len(positions) - 1 else 0
                cut = end - start - space
                piece = pending[col][:cut]
                # Break long cells after the end of a tuple/list item, as Keras does.
                breaks = [
                    piece.find(b) + len(b) for b in ("),", "},", "],", "',") if piece.find(b) >= 0
                ]
                if breaks:
                    cut = min(breaks)
                    piece = piece[:cut]
                if col == 0:
                    line += "|" * level + " "
                line += piece
                line += " " * space if space else ""
                pending[col] = pending[col][cut:]
                pad = positions[col] - len(line) - (level if level else 0)
                line += " " * pad
            line += "|" * level
            print_fn(line)

    def layer_row(layer, level: int = 0) -> None:
        name = f"{layer.name} ({type(layer).__name__})"
        if not layer.built and not getattr(layer, "_is_graph_network", False):
            params = "0 (unused)"
        else:
            params = layer.count_params()
        fields = [name, _format_shape(layer), params]
        if not sequential_like:
            connections = []
            for node in layer._inbound_nodes:
                if relevant and id(node) not in relevant:
                    continue
                for inbound, node_index, tensor_index, _ in node.iterate_inbound():
                    connections.append(f"{inbound.name}[{node_index}][{tensor_index}]")
            fields.append(connections)
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        row(fields, level)

    def print_layer(layer, level: int = 0, nested_last: bool = False) -> None:
        layer_row(layer, level)
        sub = getattr(layer, "layers", None) if expand_nested else None
        if sub and hasattr(layer, "_is_graph_network"):
            print_fn(
                "|" * (level + 1) + "\u00af" * (line_length - 2 * level - 2) + "|" * (level + 1)
            )
            for i, inner in enumerate(sub):
                print_layer(inner, level + 1, i == len(sub) - 1)
            print_fn("|" * level + "\u00af" * (line_length - 2 * level) + "|" * level)
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
    if len(layer_range) != 2:
        raise ValueError(
            f"layer_range must be a list or tuple of length 2. Received: layer_range = "
            f"{layer_range} of length {len(layer_range)}"
        )
    names = [x.name for x in layers]
    idx = []
    for pattern in layer_range:
        hits = [i for i, n in enumerate(names) if pattern in n]
        if not hits:
            raise ValueError(
                f"Passed layer_name {pattern!r} does not match any layer name in the model "
                f"'{model.name}'."
            )
        idx.append(hits[0])
    return layers[idx[0] : idx[1] + 1]


__all__ = ["print_summary"]
