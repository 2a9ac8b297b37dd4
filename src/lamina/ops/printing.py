"""``tf.print``: print tensors the way TensorFlow does (summarized, to stderr by default)."""

from __future__ import annotations

import sys

import numpy as np

from lamina.autodiff.tensor import Tensor


def _fmt(x, summarize: int) -> str:
    if isinstance(x, Tensor):
        x = x._value
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            v = x[()]
            return v.decode() if isinstance(v, bytes) else str(v)
        edge = summarize if summarize is not None and summarize >= 0 else sys.maxsize
        with np.printoptions(
            threshold=2 * edge if edge < sys.maxsize else sys.maxsize, edgeitems=min(edge, 1000)
        ):
            return np.array2string(x, separator=" ")
    if isinstance(x, (list, tuple)):
        inner = ", ".join(_fmt(v, summarize) for v in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner})"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_fmt(v, summarize)}" for k, v in x.items()) + "}"
    return str(x)


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
