"""Weight initializers (``keras.initializers``): classes, lower-case aliases and ``get``.

Each is called as ``initializer(shape, dtype=None)`` and returns a Tensor. Random ones draw
from ``lamina.backend.rng()`` unless built with an integer ``seed``.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.initializers.constant_initializers import Constant, Identity, Ones, Zeros
from lamina.initializers.initializer import Initializer
from lamina.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)

# Lower-case aliases, as Keras exports them (they are the classes).
zeros = Zeros
ones = Ones
constant = Constant
identity = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
# Keras 2 names.
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
# TensorFlow 2 names (``tf.random_normal_initializer`` ...), same defaults as the Keras classes.
random_normal_initializer = RandomNormal
random_uniform_initializer = RandomUniform
truncated_normal_initializer = TruncatedNormal
constant_initializer = Constant
zeros_initializer = Zeros
ones_initializer = Ones
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
orthogonal_initializer = Orthogonal
variance_scaling_initializer = VarianceScaling

_CLASSES = (
    Zeros,
    Ones,
    Constant,
    Identity,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
)

ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update(
    {
        "zeros": Zeros,
        "ones": Ones,
        "constant": Constant,
        "identity": Identity,
        "random_normal": RandomNormal,
        "random_uniform": RandomUniform,
        "truncated_normal": TruncatedNormal,
        "variance_scaling": VarianceScaling,
        "glorot_uniform": GlorotUniform,
        "glorot_normal": GlorotNormal,
        "he_normal": HeNormal,
        "he_uniform": HeUniform,
        "lecun_normal": LecunNormal,
        "lecun_uniform": LecunUniform,
        "orthogonal": Orthogonal,
        # Keras 2 / Keras 1 spellings
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "zero": Zeros,
        "one": Ones,
        "Initializer": Initializer,
    }
)


def serialize(initializer) -> dict:
    """The Keras 3 config dict of an initializer."""
    from lamina.utils.serialization import serialize_keras_object

    return serialize_keras_object(initializer)


def deserialize(config, custom_objects: dict | None = None):
    """An initializer from its config (Keras 2 or Keras 3 shape)."""
    from lamina.utils.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="initializer",
    )


def get(identifier):
    """An initializer from a name (``'glorot_uniform'``), config, class, instance, callable
    or array (which becomes the initial value)."""
    from lamina.utils.serialization import catalogue_get

    if isinstance(identifier, (Tensor, np.ndarray, np.generic)):
        value = np.asarray(identifier._value if isinstance(identifier, Tensor) else identifier)

        def initialize_fn(shape, dtype=None, **kwargs):
            from lamina.initializers.initializer import _dtype

            if tuple(shape) != value.shape:
                raise ValueError(
                    f"Expected `shape` to be {value.shape} for direct tensor as "
                    f"initializer. Received shape={tuple(shape)}"
                )
            return Tensor(value.astype(_dtype(dtype)))

        return initialize_fn
    return catalogue_get("initializer", identifier, ALL_OBJECTS_DICT, Initializer, deserialize)


__all__ = [
    "Initializer",
    "Zeros",
    "Ones",
    "Constant",
    "Identity",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "Orthogonal",
    "IdentityInitializer",
    "OrthogonalInitializer",
    "zeros",
    "ones",
    "constant",
    "identity",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "variance_scaling",
    "glorot_uniform",
    "glorot_normal",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "orthogonal",
    "compute_fans",
    "random_normal_initializer",
    "random_uniform_initializer",
    "truncated_normal_initializer",
    "constant_initializer",
    "zeros_initializer",
    "ones_initializer",
    "glorot_uniform_initializer",
    "glorot_normal_initializer",
    "orthogonal_initializer",
    "variance_scaling_initializer",
    "get",
    "serialize",
    "deserialize",
]
