"""Run unchanged Keras and TensorFlow code on lamina.

* :func:`install` / :func:`uninstall` (or ``with enabled():``): ``import keras``,
  ``import tensorflow as tf``, ``from tensorflow.keras.layers import Dense`` ... are served by
  lamina until uninstalled. Nothing is hooked until you ask.
* :func:`run_path`: run a Python script or a Jupyter notebook with the hook installed (what
  ``lamina run`` does).
* ``%load_ext lamina`` in IPython/Jupyter installs the hook for the session.
"""

from __future__ import annotations

from lamina.compat.hook import (
    AliasModule,
    UnsupportedModuleError,
    enabled,
    install,
    is_installed,
    resolve,
    uninstall,
)

__all__ = [
    "AliasModule",
    "UnsupportedModuleError",
    "enabled",
    "install",
    "is_installed",
    "resolve",
    "run_path",
    "uninstall",
]


def __getattr__(name: str):
    if name == "run_path":
        from lamina.compat.runner import run_path

        return run_path
    raise AttributeError(f"module 'lamina.compat' has no attribute {name!r}")
