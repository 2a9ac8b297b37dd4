"""Where each weight lives in a Keras 3 weights file.

Keras 3 addresses state by object path, not by variable name: a model's layers are stored
under ``layers/<snake_case class name>[_<n>]`` (numbered per class within each container,
in ``model.layers`` order), nested models recurse under their own ``layers/``, a layer's
own variables are ``vars/0``, ``vars/1`` ... and the optimizer's are ``optimizer/vars/<i>``.
"""

from __future__ import annotations

from collections.abc import Iterator

from lamina.utils.naming import to_snake_case


def sublayers(obj) -> list | None:
    """The layers a model-like object contains (None for a plain layer)."""
    layers = getattr(obj, "layers", None)
    if layers is None or not isinstance(layers, (list, tuple)):
        return None
    return list(layers)


def own_variables(layer) -> list:
    """The variables a layer stores itself (not those of its sublayers), in creation order."""
    own = getattr(layer, "_own_variables", None)
    if callable(own):
        return list(own())
    if sublayers(layer) is not None:
        return []
    return list(getattr(layer, "weights", []))


def walk(model, path: str = "") -> Iterator[tuple[str, object]]:
    """Yield ``(path, layer)`` for ``model`` (path ``""``) and every nested layer."""
    yield path, model
    layers = sublayers(model)
    if layers is None:
        return
    used: dict[str, int] = {}
    for layer in layers:
        base = to_snake_case(type(layer).__name__)
        n = used.get(base, 0)
        used[base] = n + 1
        name = base if n == 0 else f"{base}_{n}"
        yield from walk(layer, f"{path}/layers/{name}" if path else f"layers/{name}")


def vars_path(path: str) -> str:
    return f"{path}/vars" if path else "vars"
