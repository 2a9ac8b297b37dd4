"""``clone_model`` and ``model_from_config``: new models with the same architecture."""

from __future__ import annotations

from lamina.layers.input_layer import InputLayer
from lamina.layers.layer import Layer


def _default_clone(layer: Layer) -> Layer:
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the architecture of ``model`` and freshly initialised weights.

    ``clone_function(layer) -> new layer`` customises how each layer is copied (default: from
    its config). Works for Sequential and functional models; a subclassed model has no graph
    to copy and is refused, as in Keras.
    """
    from lamina.models.model import Model
    from lamina.models.sequential import Sequential

    if not isinstance(model, Model):
        raise ValueError(
            f"Expected `model` argument to be a `Model` instance. Received: model={model!r}"
        )
    clone = clone_function or _default_clone
    if isinstance(model, Sequential):
        new = Sequential(name=model.name)
        if input_tensors is not None:
            tensors = (
                input_tensors
                if not isinstance(input_tensors, (list, tuple))
                else (input_tensors[0])
            )
            new.add(tensors)
        elif model._input_layer is not None:
            new.add(
                InputLayer(
                    batch_input_shape=model._input_layer.batch_shape,
                    dtype=model._input_layer.dtype,
                    name=model._input_layer.name,
                )
            )
        for layer in model.layers:
            new.add(clone(layer))
        return new
    if not model._is_graph_network:
        raise ValueError(
            "Subclassed models cannot be cloned, since their architecture is only defined by "
            f"their `call` code. Received: model={model!r}. Create a new instance instead."
        )
    config = model.get_config()
    fresh = {}
    for layer in model.layers:
        if isinstance(layer, InputLayer):
            continue
        fresh[layer.name] = clone(layer)
    from lamina.models.model import _functional_from_config

    new = _functional_from_config(Model, config, None, prebuilt=fresh)
    if input_tensors is not None:
        inputs = input_tensors if isinstance(input_tensors, (list, tuple)) else [input_tensors]
        outputs = new(list(inputs) if len(inputs) > 1 else inputs[0])
        return Model(inputs, outputs, name=model.name)
    return new


def model_from_config(config: dict, custom_objects: dict | None = None):
    """Rebuild a model from ``{'class_name': ..., 'config': ...}`` (weights freshly set)."""
    from lamina.models.model import layer_from_config

    if isinstance(config, list):
        raise TypeError(
            "`model_from_config` expects a dictionary, not a list. Received: "
            f"config={config!r}. Did you meant to use `Sequential.from_config(config)`?"
        )
    return layer_from_config(config, custom_objects=custom_objects)


__all__ = ["clone_model", "model_from_config"]
