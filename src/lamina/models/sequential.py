"""``Sequential``: a plain stack of layers, each feeding the next.

When the input shape is known (``input_shape``/``input_dim`` on the first layer, or an
``Input``/``InputLayer`` added first) the stack is wired as a functional graph at once, as
tf.keras 2.x does; otherwise it is wired on the first call, ``fit`` or ``build``. The
``InputLayer`` is not listed in ``layers``.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.layers.input_layer import InputLayer
from lamina.layers.layer import KerasTensor, Layer, _flatten
from lamina.models.model import Model, layer_from_config


class Sequential(Model):
    """``Sequential([Dense(8, activation='relu', input_shape=(4,)), Dense(1)])``."""

    def __init__(
        self, layers=None, name: str | None = None, trainable: bool = True, **kwargs
    ) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._seq_layers: list[Layer] = []
        self._input_layer: InputLayer | None = None
        if layers is not None:
            if isinstance(layers, Layer):
                layers = [layers]
            for layer in layers:
                self.add(layer)

    # --- building the stack ----------------------------------------------------------------
    @property
    def layers(self) -> list:
        return list(self._seq_layers)

    @layers.setter
    def layers(self, value) -> None:  # pragma: no cover - mirrors Model.layers
        raise AttributeError("`Sequential.layers` is read-only; use `add()` and `pop()`.")

    def add(self, layer) -> None:
        """Append a layer (or an ``Input`` tensor / ``InputLayer`` fixing the input shape)."""
        if isinstance(layer, KerasTensor):
            origin = layer._keras_history[0] if layer._keras_history else None
            if isinstance(origin, InputLayer):
                layer = origin
            else:
                raise TypeError(
                    "Only `keras.Input` tensors can be added to a Sequential model; "
                    f"received {layer!r}."
                )
        if not isinstance(layer, Layer):
            raise TypeError(
                "The added layer must be an instance of class Layer. "
                f"Received: layer={layer!r} of type {type(layer)}."
            )
        if isinstance(layer, InputLayer):
            if self._seq_layers or self._input_layer is not None:
                raise ValueError(
                    "An InputLayer can only be added first to a Sequential model; this model "
                    f"already has layers {[x.name for x in self._seq_layers]}."
                )
            self._input_layer = layer
            self._track(layer)
            return
        names = {x.name for x in self._seq_layers}
        if layer.name in names:
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f'"{layer.name}" is already the name of a layer in this model. Update the '
                "`name` argument to pass a unique name."
            )
        self._seq_layers.append(layer)
        self._track(layer)
        try:
            if self._is_graph_network:
                out = layer(self.outputs[0])
                if len(_flatten(out)) != 1:
                    raise ValueError(
                        "All layers in a Sequential model should have a single output tensor. "
                        "For multi-output layers, use the functional API."
                    )
                self._rewire(self._input_layer._tensor, out)
            elif self._input_layer is None and len(self._seq_layers) == 1:
                shape = _first_layer_batch_shape(layer)
                if shape is not None:
                    self._input_layer = InputLayer(
                        batch_input_shape=shape, name=f"{layer.name}_input", dtype=layer.dtype
                    )
                    self._wire_all()
            elif self._input_layer is not None:
                self._wire_all()
        except Exception:
            self._seq_layers.pop()
            if layer in self._tracked_layers:
                self._tracked_layers.remove(layer)
            raise

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._seq_layers:
            raise TypeError("There are no layers in the model.")
        layer = self._seq_layers.pop()
        if layer in self._tracked_layers:
            self._tracked_layers.remove(layer)
        if self._seq_layers and self._input_layer is not None:
            self._wire_all()
        else:
            self._unwire()
        return layer

    def _unwire(self) -> None:
        self._is_graph_network = False
        self.built = bool(self._seq_layers) and all(x.built for x in self._seq_layers)
        self.outputs = []
        self.inputs = []

    def _wire_all(self) -> None:
        x = self._input_layer._tensor
        if not self._seq_layers:
            return
        for layer in self._seq_layers:
            x = layer(x)
            if len(_flatten(x)) != 1:
                raise ValueError(
                    "All layers in a Sequential model should have a single output tensor. "
                    "For multi-output layers, use the functional API."
                )
        self._rewire(self._input_layer._tensor, x)

    def _rewire(self, inputs, outputs) -> None:
        tracked = list(self._tracked_layers)
        self._init_graph(inputs, outputs)
        # Keep tracking order stable: input layer first, then the stack.
        self._tracked_layers[:] = [t for t in tracked if t is self._input_layer] + [
            t for t in tracked if t is not self._input_layer
        ]

    def build(self, input_shape=None) -> None:
        """Wire the stack for inputs of ``input_shape`` (batch axis included)."""
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            if self._input_layer is not None:
                self._wire_all()
                return
            raise ValueError("You must provide an `input_shape` argument.")
        if not self._seq_layers:
            raise ValueError(
                f"Sequential model '{self.name}' has no layers to build. Add layers with "
                "`model.add()` first."
            )
        shape = tuple(None if d is None else int(d) for d in input_shape)
        self._input_layer = InputLayer(
            batch_input_shape=shape,
            name=f"{self._seq_layers[0].name}_input",
            dtype=self._seq_layers[0].dtype,
        )
        try:
            self._wire_all()
        except Exception:
            self._input_layer = None
            raise
        self.built = True

    def _ensure_built_for(self, data_shape: tuple) -> None:
        """Wire a deferred model for data of ``data_shape`` (first axis = batch)."""
        if self._is_graph_network:
            return
        self.build((None,) + tuple(data_shape[1:]))

    def _maybe_build(self, input_shapes) -> None:
        if self._is_graph_network:
            self.built = True
            return
        if isinstance(input_shapes, list):
            raise ValueError(
                f"Sequential model '{self.name}' takes a single input, received "
                f"{len(input_shapes)} inputs."
            )
        self._ensure_built_for(tuple(input_shapes))

    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            if isinstance(inputs, Tensor):
                self._ensure_built_for(inputs._value.shape)
            else:
                self._ensure_built_for(np.shape(inputs))
        return self._run_graph(inputs, training)

    # --- config ------------------------------------------------------------------------------
    def get_config(self) -> dict:
        from lamina.utils.serialization import serialize_keras_object

        layers = []
        if self._input_layer is not None:
            cfg = serialize_keras_object(self._input_layer)
            inner = dict(cfg["config"])
            inner["batch_shape"] = inner.pop("batch_input_shape")
            cfg["config"] = inner
            layers.append(cfg)
        for layer in self._seq_layers:
            entry = serialize_keras_object(layer)
            if self._input_layer is not None and isinstance(entry.get("config"), dict):
                # The InputLayer entry carries the shape; Keras 3 refuses it on other layers.
                entry["config"].pop("batch_input_shape", None)
            layers.append(entry)
        config = {"name": self.name, "trainable": self.trainable, "layers": layers}
        if self._input_layer is not None:
            config["build_input_shape"] = list(self._input_layer._batch_input_shape)
        return config

    @classmethod
    def _from_sequential_config(cls, config: dict, custom_objects=None):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config["layers"]:
            layer = layer_from_config(entry, custom_objects=custom_objects)
            model.add(layer)
        shape = config.get("build_input_shape")
        if not model._is_graph_network and shape is not None and model._seq_layers:
            model.build(tuple(shape))
        return model

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        if isinstance(config, list):  # very old Keras: a bare list of layer configs
            config = {"layers": config}
        return cls._from_sequential_config(config, custom_objects)


def _first_layer_batch_shape(layer: Layer):
    shape = getattr(layer, "_batch_input_shape", None)
    if shape is not None:
        return tuple(shape)
    if (
        isinstance(layer, Model)
        and getattr(layer, "_is_graph_network", False)
        and len(layer.inputs) == 1
    ):
        return tuple(layer.inputs[0]._shape)
    return None


__all__ = ["Sequential"]
