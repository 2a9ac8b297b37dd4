"""Model files: the Keras 3 ``.keras`` archive, the tf.keras HDF5 format, weights files.

Writes are atomic; reads are bounded and never execute code from the file.
"""

from lamina.saving.api import (
    load_model,
    load_weights,
    model_from_json,
    model_to_json,
    save_model,
    save_weights,
)
from lamina.saving.errors import ModelFileError, UnsafeObjectError
from lamina.saving.safe_mode import enable_unsafe_deserialization

__all__ = [
    "save_model",
    "load_model",
    "save_weights",
    "load_weights",
    "model_to_json",
    "model_from_json",
    "ModelFileError",
    "UnsafeObjectError",
    "enable_unsafe_deserialization",
]


def __getattr__(name: str):
    from lamina.utils import serialization

    if name in (
        "serialize_keras_object",
        "deserialize_keras_object",
        "register_keras_serializable",
        "get_registered_object",
        "get_registered_name",
        "custom_object_scope",
        "CustomObjectScope",
        "get_custom_objects",
    ):
        return getattr(
            serialization, name if name != "custom_object_scope" else "CustomObjectScope"
        )
    raise AttributeError(f"module 'lamina.saving' has no attribute {name!r}")
