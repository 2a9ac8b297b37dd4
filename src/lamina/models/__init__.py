"""Keras models (``keras.models``): ``Sequential``, functional and subclassed ``Model``."""

from lamina.models.cloning import clone_model, model_from_config
from lamina.models.model import Model
from lamina.models.sequential import Sequential

Functional = Model


def __getattr__(name: str):
    # Saving entry points live in lamina.saving; loaded on first use.
    if name in (
        "load_model",
        "save_model",
        "model_from_json",
        "model_from_yaml",
    ):
        import importlib

        for modname in ("lamina.saving",):
            try:
                mod = importlib.import_module(modname)
            except ImportError:
                continue
            if hasattr(mod, name):
                return getattr(mod, name)
    raise AttributeError(f"module 'lamina.models' has no attribute {name!r}")


__all__ = ["Model", "Sequential", "Functional", "clone_model", "model_from_config"]
