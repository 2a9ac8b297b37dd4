"""Mean, Sum and MeanMetricWrapper: running (weighted) means and sums of values.

Accumulation is float32 arithmetic in the metric's dtype, as Keras keeps ``total`` and
``count`` variables: the epoch value the trainer reports is ``total / count``.
"""

from __future__ import annotations

import numpy as np

from lamina.metrics.metric import Metric, to_numpy


def samplewise(values: np.ndarray, sample_weight, dtype) -> tuple[np.ndarray, np.ndarray | None]:
    """Reduce ``values`` to one value per sample and apply ``sample_weight`` (Keras rules).

    Returns the weighted per-sample values and the per-sample weights (or None).
    """
    values = np.asarray(values)
    if values.dtype != dtype:
        values = values.astype(dtype)
    sw = None
    if sample_weight is not None:
        sw = to_numpy(sample_weight, "sample_weight")
        if sw.dtype != dtype:
            sw = sw.astype(dtype)
        vr, wr = values.ndim, sw.ndim
        if vr == wr + 1 and values.shape[-1] == 1:
            values = values[..., 0]
        elif wr == vr + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
        if values.ndim > sw.ndim:
            values = np.mean(values, axis=tuple(range(sw.ndim, values.ndim)), dtype=dtype)
        try:
            if sw.shape != values.shape:
                sw = np.broadcast_to(sw, values.shape)
        except ValueError:
            raise ValueError(
                f"`sample_weight` of shape {sw.shape} cannot be broadcast to the metric "
                f"values of shape {values.shape}. Expected one weight per sample."
            ) from None
        values = values * sw
        if sw.ndim > 1:
            sw = np.mean(sw, axis=tuple(range(1, sw.ndim)), dtype=dtype)
    if values.ndim > 1:
        values = np.mean(values, axis=tuple(range(1, values.ndim)), dtype=dtype)
    return values, sw


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state``.

    Example::

        m = Mean()
        m.update_state([1, 3, 5, 7])
        float(m.result())  # 4.0
    """

    def __init__(self, name: str = "mean", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values, sample_weight=None) -> None:
        self._accumulate(to_numpy(values, "values"), sample_weight)

    def _accumulate(self, values: np.ndarray, sample_weight) -> None:
        # Scalar float32 arithmetic (``a[()] = a[()] + x``) is what Keras's float32
        # variables do, and far cheaper than in-place ufuncs on 0-d arrays.
        total, count = self.total._value, self.count._value
        dt = total.dtype
        if sample_weight is None:  # the per-batch fast path
            v = values
            nd = v.ndim
            per_sample = nd <= 1 or v.size == v.shape[0]
            if v.dtype == bool and per_sample:
                s = dt.type(np.count_nonzero(v))
            else:
                if v.dtype != dt:
                    v = v.astype(dt)
                if not per_sample:
                    v = v.mean(axis=tuple(range(1, nd)), dtype=dt)
                s = np.add.reduce(v, axis=None)
            total[()] = total[()] + s
            count[()] = count[()] + dt.type(v.shape[0] if nd else 1)
            return
        vals, sw = samplewise(values, sample_weight, dt)
        total[()] = total[()] + np.add.reduce(vals, axis=None, dtype=dt)
        count[()] = count[()] + np.add.reduce(sw, axis=None, dtype=dt)

    def result(self):
        c = self.count._value
        return self._result_tensor(self.total._value / c if c != 0 else np.zeros((), c.dtype))


class Sum(Metric):
    """The (weighted) sum of the values given to ``update_state``."""

    def __init__(self, name: str = "sum", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")

    def update_state(self, values, sample_weight=None) -> None:
        dt = self.total._value.dtype
        vals, _ = samplewise(to_numpy(values, "values"), sample_weight, dt)
        total = self.total._value
        total[()] = total[()] + np.add.reduce(vals, axis=None, dtype=dt)

    def result(self):
        return self._result_tensor(self.total._value)


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    ``fn`` may be any function of labels and predictions returning per-sample values (a loss
    function, a metric function or your own); lamina's own functions run as pure NumPy.
    """

    def __init__(self, fn, name: str | None = None, dtype=None, **kwargs) -> None:
        if not callable(fn):
            raise TypeError(f"`fn` must be callable, received {type(fn).__name__}: {fn!r}")
        if name is None:
            name = getattr(fn, "__name__", None) or "mean_metric_wrapper"
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        from lamina.metrics import _numpy_fns

        self._np_fn = _numpy_fns.NUMPY_TWINS.get(fn)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        yt = to_numpy(y_true, "y_true")
        yp = to_numpy(y_pred, "y_pred")
        if self._np_fn is not None:
            values = self._np_fn(yt, yp, **self._fn_kwargs)
        else:
            out = self._fn(y_true, y_pred, **self._fn_kwargs)
            values = np.asarray(getattr(out, "_value", out))
        self._accumulate(values, sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self._fn, "__name__", repr(self._fn))
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if cls is MeanMetricWrapper and isinstance(config.get("fn"), str):
            from lamina.metrics import get

            config["fn"] = get(config["fn"])
        return cls(**config)
