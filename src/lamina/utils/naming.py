"""Keras-style automatic names: ``dense``, ``dense_1``, ``dense_2`` ..."""

from __future__ import annotations

import re
from collections import defaultdict

_UIDS: defaultdict[str, int] = defaultdict(int)


def get_uid(prefix: str = "") -> int:
    """Return 1, 2, 3, ... for successive calls with the same prefix."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def reset_uids() -> None:
    _UIDS.clear()


def to_snake_case(name: str) -> str:
    """``'BatchNormalization'`` -> ``'batch_normalization'``, as Keras names layers."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()
    return s.lstrip("_") or "layer"


def unique_object_name(prefix: str) -> str:
    """``dense`` the first time, then ``dense_1``, ``dense_2`` (tf.keras 2.x naming); in the
    ``keras2.2``/``keras2.3`` output styles ``dense_1``, ``dense_2`` ... as Keras 2.x named."""
    from lamina.utils.output_style import is_keras22

    n = get_uid(prefix)
    if is_keras22():
        return f"{prefix}_{n}"
    return prefix if n == 1 else f"{prefix}_{n - 1}"
