"""The Keras data sets (``keras.datasets``) plus ``digits``, which ships with lamina.

``lamina.datasets.mnist.load_data()`` and friends download once into ``~/.keras/datasets``
(the cache Keras uses, so files Keras already fetched are reused) and return exactly what
Keras returns. Submodules load on first use: importing this package touches neither the
network nor any optional dependency.
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = (
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "digits",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
)

__all__ = list(_SUBMODULES)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
