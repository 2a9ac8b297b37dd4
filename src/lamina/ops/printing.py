"""``tf.print``: print tensors the way TensorFlow does (summarized, to stderr by default).

TensorFlow formats each element on its own (no column alignment): integers as is, bools as
1/0, strings quoted, floats in the shortest of ``%.6g``/``%.9g`` (float32) or
``%.15g``/``%.17g`` (float64) that reads back to the same value; every axis longer than
``2 * summarize`` shows its first and last ``summarize`` entries around ``...``.
"""

from __future__ import annotations

import sys

import numpy as np

from lamina.autodiff.tensor import Tensor


def _float_str(x, short: int, long: int, cast) -> str:
    s = f"{x:.{short}g}"
    if cast(float(s)) != cast(x):
        s = f"{x:.{long}g}"
    return s


def _scalar(x) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "1" if x else "0"
    if isinstance(x, bytes):
        return '"' + x.decode("utf-8", "replace") + '"'
    if isinstance(x, str):
        return '"' + x + '"'
    if isinstance(x, np.floating):
        if x.dtype == np.float64:
            return _float_str(float(x), 15, 17, float)
        return _float_str(float(x), 6, 9, np.float32)
    return str(x)


def _array(v: np.ndarray, edge: int, depth: int) -> str:
    n = v.shape[0]
    idx = list(range(n)) if n <= 2 * edge else list(range(edge)) + [None] + list(range(n - edge, n))
    if v.ndim == 1:
        return "[" + " ".join("..." if i is None else _scalar(v[i]) for i in idx) + "]"
    sep = "\n" * (v.ndim - 1) + " " * (depth + 1)
    parts = ["..." if i is None else _array(v[i], edge, depth + 1) for i in idx]
    return "[" + sep.join(parts) + "]"


def _fmt(x, summarize: int, nested: bool = False) -> str:
    if isinstance(x, Tensor):
        v = x._value
        if v.ndim == 0:
            return _scalar(v[()])
        if v.size == 0:
            return "[]"
        edge = summarize if summarize is not None and summarize >= 0 else max(v.shape)
        return _array(v, edge, 0)
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(v, summarize, True) for v in x) + "]"
    if isinstance(x, tuple):
        inner = ", ".join(_fmt(v, summarize, True) for v in x)
        return "(" + inner + ("," if len(x) == 1 else "") + ")"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_fmt(v, summarize, True)}" for k, v in x.items()) + "}"
    if isinstance(x, np.ndarray):
        return _fmt(Tensor(x), summarize)
    return repr(x) if nested and isinstance(x, str) else str(x)


def print(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None) -> None:  # noqa: A001
    """Print tensors (first and last ``summarize`` entries per axis) to ``output_stream``.

    ``output_stream`` defaults to ``sys.stderr`` as in TensorFlow; ``sys.stdout`` and
    ``'file://path'`` are accepted too.
    """
    text = sep.join(_fmt(x, summarize) for x in inputs) + end
    stream = sys.stderr if output_stream is None else output_stream
    if isinstance(stream, str) and stream.startswith("file://"):
        with open(stream[len("file://") :], "a", encoding="utf-8") as fh:
            fh.write(text)
        return
    stream.write(text)
