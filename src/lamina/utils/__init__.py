"""``keras.utils``: small helpers, each loaded on first use so ``import lamina`` stays fast.

``to_categorical``, ``normalize``, ``get_file``, ``Progbar``, ``plot_model``,
``model_to_dot``, ``set_random_seed``, the serialization registry
(``register_keras_serializable``, ``custom_object_scope`` ...) and
``set_output_style`` (tf.keras 2.x or Keras 2.2 training output).
"""

from __future__ import annotations

import importlib

# public name -> (module, attribute)
_LAZY: dict[str, tuple[str, str]] = {
    "to_categorical": ("lamina.utils.np_utils", "to_categorical"),
    "pad_sequences": ("lamina.preprocessing.sequence", "pad_sequences"),
    "normalize": ("lamina.utils.np_utils", "normalize"),
    "get_file": ("lamina.utils.data_utils", "get_file"),
    "serialize_keras_object": ("lamina.utils.serialization", "serialize_keras_object"),
    "deserialize_keras_object": ("lamina.utils.serialization", "deserialize_keras_object"),
    "register_keras_serializable": ("lamina.utils.serialization", "register_keras_serializable"),
    "custom_object_scope": ("lamina.utils.serialization", "custom_object_scope"),
    "CustomObjectScope": ("lamina.utils.serialization", "CustomObjectScope"),
    "get_registered_object": ("lamina.utils.serialization", "get_registered_object"),
    "get_registered_name": ("lamina.utils.serialization", "get_registered_name"),
    "get_custom_objects": ("lamina.utils.serialization", "get_custom_objects"),
    "set_random_seed": ("lamina.backend.random", "set_seed"),
    "Progbar": ("lamina.utils.progbar", "Progbar"),
    "plot_model": ("lamina.utils.model_plot", "plot_model"),
    "model_to_dot": ("lamina.utils.model_plot", "model_to_dot"),
    "Sequence": ("lamina.utils.sequence", "Sequence"),
    "PyDataset": ("lamina.utils.sequence", "PyDataset"),
    "enable_interactive_logging": ("lamina.utils.console", "enable_interactive_logging"),
    "disable_interactive_logging": ("lamina.utils.console", "disable_interactive_logging"),
    "is_interactive_logging_enabled": ("lamina.utils.console", "is_interactive_logging_enabled"),
    "set_output_style": ("lamina.utils.output_style", "set_output_style"),
    "get_output_style": ("lamina.utils.output_style", "get_output_style"),
}


def __getattr__(name: str):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'lamina.utils' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    try:
        value = getattr(module, attr)
    except AttributeError:
        raise AttributeError(
            f"module 'lamina.utils' has no attribute {name!r} ({module_name} does not define it)"
        ) from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = sorted(_LAZY)
