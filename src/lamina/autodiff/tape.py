"""Reverse-mode autodiff: the tape and ``GradientTape``.

Every op computes its NumPy result and calls :func:`record` with its inputs and a
vector-Jacobian product (VJP) closure. ``record`` does nothing unless a tape is active and
watches one of the inputs, so inference pays no tape cost. ``gradient`` walks the recorded
nodes in reverse, calling each VJP with the upstream gradient (a Tensor) and summing what
flows into each input. VJPs are written with lamina ops, so a tape that is recording while
another computes its gradient records that computation too: nested tapes give higher
derivatives.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.autodiff.variable import Variable

#: Tapes inside their ``with`` block, innermost last.
_active: list[GradientTape] = []

VJP = Callable[[Tensor], Sequence["Tensor | None"]]


def record(value: np.ndarray, inputs: tuple, vjp: VJP, out: Tensor | None = None) -> Tensor:
    """Wrap an op's result in a Tensor, recording ``(output, inputs, vjp)`` where watched.

    ``out`` may supply the result object (a Tensor subclass already holding ``value``).
    """
    if out is None:
        out = Tensor(value)
    if _active:
        for tape in _active:
            if tape._recording:
                need = tape._need(inputs)
                if need is not None:
                    tape._nodes.append((out, inputs, vjp, need))
                    tape._watched[id(out)] = out
    return out


#: While ``gradient`` runs a VJP: which of that op's inputs need a gradient (watched floats).
_needs: tuple = ()


def needs(i: int) -> bool:
    """Inside a VJP: does input ``i`` need its gradient? (Ops may skip unneeded work.)"""
    return i >= len(_needs) or _needs[i]


def is_recording() -> bool:
    """True when some active tape is recording (ops may then skip in-place shortcuts)."""
    return any(t._recording for t in _active)


def _is_float(x) -> bool:
    return x._value.dtype.kind in "fc"


class GradientTape:
    """Record ops to differentiate them, as ``tf.GradientTape``.

    Example::

        x = lamina.Variable(3.0)
        with lamina.GradientTape() as tape:
            y = x * x
        tape.gradient(y, x)  # 6.0
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._nodes: list[tuple] = []
        self._watched: dict[int, Tensor] = {}
        self._recording = False
        self._used = False

    # --- context --------------------------------------------------------------------
    def __enter__(self) -> GradientTape:
        self._recording = True
        _active.append(self)
        return self

    def __exit__(self, *exc) -> None:
        self._recording = False
        if self in _active:
            _active.remove(self)

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops run inside this block are not recorded."""
        if self not in _active:
            raise RuntimeError(
                "GradientTape.stop_recording() can only be used inside the tape's `with` block."
            )
        prev, self._recording = self._recording, False
        try:
            yield
        finally:
            self._recording = prev

    def reset(self) -> None:
        self._nodes.clear()
        self._watched.clear()

    # --- watching -------------------------------------------------------------------
    def watch(self, tensor) -> None:
        """Track ``tensor`` (or each tensor in a nested list/tuple/dict)."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"GradientTape.watch expects lamina Tensors or Variables, received "
                    f"{type(t).__name__}. Convert it first with lamina.constant()."
                )
            self._watched[id(t)] = t

    def watched_variables(self) -> tuple:
        return tuple(t for t in self._watched.values() if isinstance(t, Variable))

    def _need(self, inputs: tuple):
        """Which inputs this tape differentiates (watched floats), or None if none is."""
        watched = self._watched
        need = None
        for i, x in enumerate(inputs):
            if id(x) in watched or (
                self._watch_accessed
                and isinstance(x, Variable)
                and x.trainable
                and watched.setdefault(id(x), x) is x
            ):
                if x._value.dtype.kind in "fc":
                    if need is None:
                        need = [False] * len(inputs)
                    need[i] = True
        return None if need is None else tuple(need)

    def _watches_any(self, inputs: tuple) -> bool:
        return self._need(inputs) is not None

    # --- differentiation ------------------------------------------------------------
    def gradient(
        self,
        target,
        sources=None,
        output_gradients=None,
        unconnected_gradients: str = "none",
    ):
        """d(sum of target) / d(each source), shaped like ``sources`` (tensor, list or dict)."""
        if sources is None:
            raise TypeError(
                "GradientTape.gradient(target, sources) needs `sources`: the tensor, variable, "
                "list or dict of them to differentiate with respect to."
            )
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients. Use GradientTape(persistent=True) to call gradient() again."
            )
        unconnected_gradients = str(
            getattr(unconnected_gradients, "value", unconnected_gradients)
        ).lower()
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                f"`unconnected_gradients` must be 'none' or 'zero', received "
                f"{unconnected_gradients!r}"
            )
        from lamina import ops

        targets = _flatten(target)
        flat_sources = _flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise TypeError(
                    "GradientTape.gradient: every source must be a lamina Tensor or Variable, "
                    f"received {type(s).__name__}."
                )
        seeds = _flatten(output_gradients) if output_gradients is not None else None
        grads: dict[int, Tensor] = {}
        for i, t in enumerate(targets):
            if not isinstance(t, Tensor):
                t = ops.convert_to_tensor(t)
            if not _is_float(t):
                continue  # integer targets have no gradient, as TensorFlow
            g = ops.convert_to_tensor(seeds[i], dtype=t.dtype) if seeds else ops.ones_like(t)
            _accumulate(grads, t, g)

        global _needs
        watched = self._watched
        was_recording = self._recording
        self._recording = False  # the backward pass is not recorded on this tape
        try:
            for out, inputs, vjp, need in reversed(self._nodes):
                g = grads.get(id(out))
                if g is None:
                    continue
                _needs = need
                in_grads = vjp(g)
                for x, gx, n in zip(inputs, in_grads, need):
                    if n and gx is not None:
                        _accumulate(grads, x, gx)
        finally:
            _needs = ()
            self._recording = was_recording
        self._used = True
        if not self._persistent:
            self._nodes = []

        results = []
        for s in flat_sources:
            g = grads.get(id(s)) if id(s) in watched else None
            if g is not None and not _is_float(s):
                g = None
            if g is None and unconnected_gradients == "zero":
                g = ops.zeros_like(s)
            results.append(g)
        return _unflatten(sources, results)

    def jacobian(
        self,
        target,
        sources,
        unconnected_gradients: str = "none",
        parallel_iterations=None,
        experimental_use_pfor: bool = True,
    ):
        """Full Jacobian d target[i...] / d source[j...], by one backward pass per element."""
        from lamina import ops

        if not self._persistent:
            self._persistent, restore = True, True
        else:
            restore = False
        t = target
        flat_sources = _flatten(sources)
        n = int(np.prod(t.shape)) if t.ndim else 1
        rows: list[list] = [[] for _ in flat_sources]
        for k in range(n):
            seed = np.zeros(t._value.shape, dtype=t._value.dtype)
            seed.flat[k] = 1
            gs = self.gradient(
                t,
                flat_sources,
                output_gradients=Tensor(seed),
                unconnected_gradients=unconnected_gradients,
            )
            for i, g in enumerate(gs):
                rows[i].append(None if g is None else g._value)
        if restore:
            self._persistent = False
        out = []
        for s, r in zip(flat_sources, rows):
            if not r or r[0] is None:
                out.append(None)
            else:
                out.append(
                    ops.convert_to_tensor(np.stack(r).reshape(tuple(t.shape) + tuple(s.shape)))
                )
        return _unflatten(sources, out)

    def batch_jacobian(
        self,
        target,
        source,
        unconnected_gradients: str = "none",
        parallel_iterations=None,
        experimental_use_pfor: bool = True,
    ):
        """Per-example Jacobians: result[b] = d target[b] / d source[b] (shapes (B, ...))."""
        full = self.jacobian(target, source, unconnected_gradients=unconnected_gradients)
        if full is None:
            return None
        b = target._value.shape[0]
        if source._value.shape[0] != b:
            raise ValueError(
                f"batch_jacobian: target and source need the same batch size, received "
                f"{target._value.shape[0]} and {source._value.shape[0]}."
            )
        v = full._value.reshape((b, -1, b, int(np.prod(source._value.shape[1:], dtype=int))))
        diag = v[np.arange(b), :, np.arange(b), :]
        return Tensor(diag.reshape(target._value.shape + source._value.shape[1:]))


def _accumulate(grads: dict, x: Tensor, g: Tensor) -> None:
    k = id(x)
    prev = grads.get(k)
    grads[k] = g if prev is None else prev + g


def _flatten(obj) -> list:
    if isinstance(obj, dict):
        return [v for k in obj for v in _flatten(obj[k])]
    if isinstance(obj, (list, tuple)):
        return [v for item in obj for v in _flatten(item)]
    return [obj]


def _unflatten(structure, flat: list):
    it = iter(flat)

    def build(s):
        if isinstance(s, dict):
            return {k: build(s[k]) for k in s}
        if isinstance(s, (list, tuple)):
            return (
                type(s)(build(v) for v in s) if isinstance(s, list) else tuple(build(v) for v in s)
            )
        return next(it)

    return build(structure)
