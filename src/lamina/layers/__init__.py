"""Keras layers (``keras.layers``): the ``Layer`` base class and the built-in layers."""

from lamina.layers.activation import Activation
from lamina.layers.batch_normalization import BatchNormalization
from lamina.layers.conv_transpose import (
    Conv1DTranspose,
    Conv2DTranspose,
    Convolution1DTranspose,
    Convolution2DTranspose,
)
from lamina.layers.convolutional import Conv1D, Conv2D, Convolution1D, Convolution2D
from lamina.layers.dense import Dense
from lamina.layers.depthwise_separable import (
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)
from lamina.layers.dropout import Dropout
from lamina.layers.embedding import Embedding
from lamina.layers.global_pooling import (
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
)
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
from lamina.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AvgPool1D,
    AvgPool2D,
    MaxPool1D,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling2D,
)
from lamina.layers.reshaping import Flatten, Permute, RepeatVector, Reshape
from lamina.layers.spatial_reshaping import (
    Cropping1D,
    Cropping2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)


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
    # convolution and pooling
    "Conv1D",
    "Conv2D",
    "Convolution1D",
    "Convolution2D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Convolution1DTranspose",
    "Convolution2DTranspose",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "AveragePooling1D",
    "AveragePooling2D",
    "MaxPool1D",
    "MaxPool2D",
    "AvgPool1D",
    "AvgPool2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "Cropping1D",
    "Cropping2D",
    "UpSampling1D",
    "UpSampling2D",
]
