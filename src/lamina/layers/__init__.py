"""Keras layers (``keras.layers``): the ``Layer`` base class and the built-in layers."""

from lamina.layers.activation import Activation
from lamina.layers.batch_normalization import BatchNormalization
from lamina.layers.dense import Dense
from lamina.layers.dropout import Dropout
from lamina.layers.embedding import Embedding
from lamina.layers.input_layer import Input, InputLayer
from lamina.layers.lambda_layer import Lambda
from lamina.layers.layer import InputSpec, KerasTensor, Layer
from lamina.layers.layer_normalization import LayerNormalization
from lamina.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from lamina.layers.reshaping import Flatten, Permute, RepeatVector, Reshape


def serialize(layer) -> dict:
    """A layer's config in Keras 3's ``{'module', 'class_name', 'config', ...}`` shape."""
    from lamina.utils.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config: dict, custom_objects: dict | None = None, safe_mode: bool = True):
    """Rebuild a layer (or model) from :func:`serialize` output or a Keras 2 config."""
    from lamina.models.model import layer_from_config

    return layer_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode)


__all__ = [
    "Layer",
    "InputSpec",
    "KerasTensor",
    "Input",
    "InputLayer",
    "Dense",
    "Dropout",
    "Flatten",
    "Activation",
    "Reshape",
    "Permute",
    "RepeatVector",
    "Lambda",
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "add",
    "subtract",
    "multiply",
    "average",
    "maximum",
    "minimum",
    "concatenate",
    "dot",
    "serialize",
    "deserialize",
    # normalization and embedding
    "BatchNormalization",
    "LayerNormalization",
    "Embedding",
]
