"""``BatchNormalization``: normalize with batch statistics while training, moving ones after.

Semantics follow tf.keras 2.x (checked against tf_keras 2.21):

* training (``fit``, or ``training=True``): ``y = gamma * (x - mean) / sqrt(var + epsilon) +
  beta`` with the batch mean and the *biased* batch variance, and the moving statistics are
  updated in place: ``moving -= (moving - batch_stat) * (1 - momentum)``.
* the moving variance gets the *unbiased* batch variance (``n / (n - 1)``) when tf.keras would
  use its fused kernel (rank-4 or rank-5 input normalized on axis 1 or the last axis, and
  ``fused`` not False); otherwise the biased one, as tf.keras's non-fused path. Keras 3 always
  uses the biased one.
* inference (``training`` None/False, ``predict``, ``evaluate``) uses the moving statistics;
  a layer with ``trainable=False`` always runs in inference mode (tf.keras since TF 2.0).
* ``renorm`` (batch renormalization), ``virtual_batch_size`` (ghost batches) and
  ``adjustment`` behave as tf.keras 2.x's (renorm also as Keras 3's, with the same weights).

The training-mode output is composed of differentiable lamina ops, so the tape's gradients
through the batch statistics are exact.
"""

from __future__ import annotations

import numpy as np

from lamina.layers.layer import InputSpec, Layer, _serialize


def check_axis(axis, name: str = "axis"):
    """``axis`` as tf.keras stores it: an int, or a list of ints (TypeError otherwise)."""
    if isinstance(axis, (list, tuple)):
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
            return [int(a) for a in axis]
    elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return int(axis)
    raise TypeError(
        f"Expected an int or a list/tuple of ints for the argument '{name}', but received: {axis!r}"
    )


def resolve_axis(axis, input_shape: tuple) -> list[int]:
    """``axis`` (int or list) as sorted non-negative ints for ``input_shape`` (tf.keras's
    ``validate_axis`` errors)."""
    rank = len(input_shape)
    axes = [axis] if isinstance(axis, int) else list(axis)
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(
                "Invalid value for `axis` argument. Expected 0 <= axis < inputs.rank (with "
                f"inputs.rank={rank}). Received: axis={tuple(axes)}"
            )
    out = [a % rank for a in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"Duplicate axis: {tuple(axes)}")
    for a in out:
        if input_shape[a] is None:
            raise ValueError(
                "Input has undefined `axis` dimension. Received input with shape "
                f"{tuple(input_shape)} and axis={tuple(axes)}"
            )
    return out


def check_number(value, name: str, positive: bool = False) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or (positive and not value > 0)
        or not np.isfinite(value)
    ):
        what = "a positive number" if positive else "a number"
        raise ValueError(
            f"Received an invalid value for `{name}`, expected {what}. Received: {name}={value!r}"
        )
    return float(value)


class BatchNormalization(Layer):
    """Normalize each feature (``axis``) over the batch, then scale by ``gamma`` and shift
    by ``beta``. Weights, in Keras's order: ``gamma``, ``beta`` (trainable),
    ``moving_mean``, ``moving_variance`` (non-trainable, updated while training), and with
    ``renorm`` also ``moving_stddev``, ``renorm_mean``, ``renorm_stddev``.
    """

    def __init__(
        self,
        axis=-1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        renorm: bool = False,
        renorm_clipping: dict | None = None,
        renorm_momentum: float = 0.99,
        fused: bool | None = None,
        virtual_batch_size: int | None = None,
        adjustment=None,
        synchronized: bool = False,
        **kwargs,
    ) -> None:
        from lamina.legacy import rename_kwargs

        kwargs = rename_kwargs("batch_normalization", kwargs)
        if "beta_initializer" in kwargs:  # Keras 1 `beta_init`
            beta_initializer = kwargs.pop("beta_initializer")
        if "gamma_initializer" in kwargs:
            gamma_initializer = kwargs.pop("gamma_initializer")
        super().__init__(**kwargs)
        from lamina import constraints, initializers, regularizers

        self.axis = check_axis(axis)
        self.momentum = check_number(momentum, "momentum")
        self.epsilon = check_number(epsilon, "epsilon", positive=True)
        if fused not in (None, True, False):
            raise ValueError(
                "Received an invalid value for `fused`, expected None, True or False. "
                f"Received: fused={fused!r}"
            )
        self.renorm = bool(renorm)
        self.renorm_clipping = None
        self.renorm_momentum = check_number(renorm_momentum, "renorm_momentum")
        if self.renorm:
            self.renorm_clipping = _check_clipping(renorm_clipping)
        if virtual_batch_size is not None:
            vbs = _int_or_none(virtual_batch_size)
            if vbs is None or vbs <= 0:
                raise ValueError(
                    "`virtual_batch_size` must be a positive integer that divides the true "
                    "batch size of the input tensor. Received: "
                    f"virtual_batch_size={virtual_batch_size!r}"
                )
            virtual_batch_size = vbs
            if adjustment is not None:
                raise ValueError("When using `virtual_batch_size`, adjustment cannot be specified")
        if adjustment is not None and not callable(adjustment):
            raise TypeError(
                "`adjustment` must be a function of the input shape returning (scale, bias). "
                f"Received: adjustment={adjustment!r}"
            )
        self.virtual_batch_size = virtual_batch_size
        self.adjustment = adjustment
        if synchronized and fused:
            raise ValueError("`fused=True` is not supported when `synchronized=True`.")
        if fused:
            self._check_fusable()
        self.fused = fused
        self.center = bool(center)
        self.scale = bool(scale)
        self.synchronized = bool(synchronized)  # one device: nothing to synchronize
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = None
        self.beta = None
        self.moving_mean = None
        self.moving_variance = None
        self._param_shape = None  # the shape of the weights, set in build
        self._broadcast = None  # the weights' shape broadcast against the (working) input
        self._reduce_axes = None  # the axes the batch statistics reduce (working input)
        self._axes = None  # the resolved axes of the input (non-negative ints)
        self._dims = None
        self._in_rank = None
        self._use_fused = False

    def _check_fusable(self) -> None:
        """tf.keras's refusals for ``fused=True``."""
        if self.renorm:
            raise ValueError("Passing both `fused=True` and `renorm=True` is not supported")
        single = [self.axis] if isinstance(self.axis, int) else self.axis
        if len(single) != 1 or single[0] not in (-4, -3, -1, 1, 3, 4):
            raise ValueError(
                "Passing `fused=True` is only supported when axis is 1 or 3 for input rank = 4 "
                f"or 1 or 4 for input rank = 5. Got axis {self.axis}"
            )
        if self.virtual_batch_size is not None:
            raise ValueError(
                "Passing `fused=True` is not supported when `virtual_batch_size` is specified."
            )
        if self.adjustment is not None:
            raise ValueError(
                "Passing `fused=True` is not supported when `adjustment` is specified."
            )

    def build(self, input_shape) -> None:
        shape = tuple(None if d is None else int(d) for d in input_shape)
        axes = resolve_axis(self.axis, shape)
        rank = len(shape)
        if self.fused and rank not in (4, 5):
            raise ValueError(
                "Batch normalization layers with `fused=True` only support 4D or 5D input "
                f"tensors. Received tensor with shape: {shape}"
            )
        vbs = self.virtual_batch_size
        if vbs is not None and 0 in axes:
            raise ValueError(
                "When using `virtual_batch_size`, the batch dimension must be 0 and thus axis "
                f"cannot include 0. Received axis={axes}"
            )
        # ``axis`` stays as given (Keras 3 reads only an int back from a config); tf.keras 2.x
        # would show the resolved list here, which Keras 3 cannot load.
        self._axes = axes
        self._use_fused = (
            self.fused is not False
            and rank in (4, 5)
            and len(axes) == 1
            and axes[0] in (1, rank - 1)
            and not (self.renorm or vbs is not None or self.adjustment is not None)
        )
        dims = {a: shape[a] for a in axes}
        self._dims = dims
        self._in_rank = rank
        full = [dims.get(i, 1) for i in range(rank)]
        if vbs is not None:  # the working input is (vbs, batch // vbs, ...)
            full.insert(1, 1)
            work_axes = [a + 1 for a in axes]
            param_shape = tuple(full)
            self._reduce_axes = tuple(i for i in range(rank + 1) if i not in work_axes and i != 1)
        else:
            param_shape = (shape[axes[0]],) if len(axes) == 1 else tuple(full)
            self._reduce_axes = tuple(i for i in range(rank) if i not in dims)
        self._param_shape = param_shape
        self._broadcast = tuple(full)
        weight = self._add
        if self.scale:
            self.gamma = weight("gamma", self.gamma_initializer, True, self.gamma_regularizer,
                                self.gamma_constraint)  # fmt: skip
        if self.center:
            self.beta = weight("beta", self.beta_initializer, True, self.beta_regularizer,
                               self.beta_constraint)  # fmt: skip
        self.moving_mean = weight("moving_mean", self.moving_mean_initializer)
        self.moving_variance = weight("moving_variance", self.moving_variance_initializer)
        if self.renorm:
            # tf.keras and Keras 3 track the moving stddev (initialized as the square root of
            # the variance initializer's values) and the renorm statistics.
            sqrt_var = _SqrtOf(self.moving_variance_initializer)
            self.moving_stddev = weight("moving_stddev", sqrt_var)
            self.renorm_mean = weight("renorm_mean", self.moving_mean_initializer)
            self.renorm_stddev = weight("renorm_stddev", sqrt_var)
        self.input_spec = InputSpec(ndim=rank, axes=dims)
        self.built = True

    def _add(self, name, initializer, trainable=False, regularizer=None, constraint=None):
        return self.add_weight(
            name,
            shape=self._param_shape,
            initializer=initializer,
            regularizer=regularizer,
            constraint=constraint,
            trainable=trainable,
        )

    def _check_call_shape(self, shape: tuple) -> None:
        if len(shape) != self._in_rank or any(shape[a] != d for a, d in self._dims.items()):
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"axis {self._axes} of size {list(self._dims.values())} and ndim="
                f"{self._in_rank}, found shape {tuple(shape)}"
            )

    def _param(self, var):
        """A weight reshaped to broadcast against the input (a no-op on the last axis)."""
        from lamina.ops import core

        shape = var._value.shape
        if shape == self._broadcast[len(self._broadcast) - len(shape) :]:
            return var
        return core.reshape(var, self._broadcast)

    def call(self, inputs, training=None, mask=None):
        """``mask`` (optional, e.g. ``(batch, steps)`` booleans for a sequence) weights the
        batch statistics while training, as Keras: masked positions do not count."""
        from lamina.ops import core, elementwise, reduction

        shape = inputs._value.shape
        self._check_call_shape(shape)
        training = bool(training) and self.trainable
        x = inputs
        vbs = self.virtual_batch_size
        if vbs is not None:
            if mask is not None:
                raise ValueError(
                    f'BatchNormalization "{self.name}": `mask` cannot be combined with '
                    "`virtual_batch_size`."
                )
            if training and shape[0] % vbs:
                raise ValueError(
                    f'BatchNormalization "{self.name}": the batch size {shape[0]} is not a '
                    f"multiple of virtual_batch_size={vbs}."
                )
            x = core.reshape(x, ((vbs, -1) if training else (-1, 1)) + tuple(shape[1:]))
        gamma = self._param(self.gamma) if self.scale else None
        beta = self._param(self.beta) if self.center else None
        if not training:
            mean, var = self._param(self.moving_mean), self._param(self.moving_variance)
        else:
            if self.adjustment is not None:
                gamma, beta = self._adjust(x, gamma, beta)
            if mask is None:
                axes = self._reduce_axes
                mean = reduction.reduce_mean(x, axes, keepdims=True)
                var = reduction.reduce_mean(
                    elementwise.squared_difference(x, core.stop_gradient(mean)),
                    axes,
                    keepdims=True,
                )
            else:
                mean, var = self._masked_moments(x, mask)
            new_mean, new_var = mean._value, var._value
            if vbs is not None:  # the moving statistics get the mean over virtual batches
                new_mean = new_mean.mean(axis=1, keepdims=True, dtype=new_mean.dtype)
                new_var = new_var.mean(axis=1, keepdims=True, dtype=new_var.dtype)
            if self.renorm:
                r, d = self._renorm_correction(new_mean, new_var)
                gamma, beta = _compose(r, d, gamma, beta)
            self._update_moving(new_mean, new_var, shape, fused=None if mask is None else False)
        eps = np.asarray(self.epsilon, dtype=var._value.dtype)
        inv = elementwise.rsqrt(core.add(var, eps))
        if gamma is not None:
            inv = core.multiply(inv, gamma)
        shift = core.multiply(mean, inv)
        shift = elementwise.negative(shift) if beta is None else core.subtract(beta, shift)
        out = core.add(core.multiply(x, inv), shift)
        if vbs is not None:
            out = core.reshape(out, shape)
        return out

    def _adjust(self, x, gamma, beta):
        """tf.keras's ``adjustment``: ``(scale, bias) = adjustment(tf.shape(x))`` composed
        before ``gamma``/``beta`` (training only)."""
        from lamina.autodiff.tensor import Tensor
        from lamina.ops import core

        dtype = x._value.dtype
        adj_scale, adj_bias = self.adjustment(Tensor(np.asarray(x._value.shape, np.int32)))
        adj_scale = core.cast(core.convert_to_tensor(adj_scale), dtype)
        adj_bias = core.cast(core.convert_to_tensor(adj_bias), dtype)
        if gamma is not None:
            adj_scale = core.multiply(adj_scale, gamma)
            adj_bias = core.multiply(adj_bias, gamma)
        if beta is not None:
            adj_bias = core.add(adj_bias, beta)
        return adj_scale, adj_bias

    def _renorm_correction(self, mean: np.ndarray, var: np.ndarray):
        """Batch renormalization's ``r`` and ``d`` (constants for the tape), from the renorm
        statistics before this batch's update; then the renorm statistics move."""
        dt = self.renorm_mean._value.dtype.type
        mean = mean.reshape(self._param_shape)
        var = var.reshape(self._param_shape)
        stddev = np.sqrt(var + dt(self.epsilon))
        rmean, rstd = self.renorm_mean._value, self.renorm_stddev._value
        denom = np.maximum(rstd, np.sqrt(dt(self.epsilon)))
        r = stddev / denom
        d = (mean - rmean) / denom
        clip = self.renorm_clipping
        if clip.get("rmin") is not None:
            r = np.maximum(r, dt(clip["rmin"]))
        if clip.get("rmax") is not None:
            r = np.minimum(r, dt(clip["rmax"]))
        if clip.get("dmax") is not None:
            d = np.clip(d, -dt(clip["dmax"]), dt(clip["dmax"]))
        decay = dt(1.0 - self.renorm_momentum)
        rmean -= (rmean - mean) * decay
        rstd -= (rstd - stddev) * decay
        shape = self._broadcast
        return r.reshape(shape).astype(mean.dtype), d.reshape(shape).astype(mean.dtype)

    def _masked_moments(self, inputs, mask):
        """Mean and variance over the batch axes with ``mask`` as frequency weights
        (``tf.nn.weighted_moments``); the mask gains trailing axes to broadcast."""
        from lamina.ops import core, elementwise, reduction

        v = inputs._value
        m = np.asarray(mask._value if hasattr(mask, "_value") else mask)
        if m.ndim > v.ndim or v.shape[: m.ndim] != m.shape:
            raise ValueError(
                f'BatchNormalization "{self.name}": `mask` of shape {m.shape} does not match '
                f"the leading axes of the input shape {v.shape}."
            )
        w = m.astype(v.dtype).reshape(m.shape + (1,) * (v.ndim - m.ndim))
        axes = self._reduce_axes
        total = np.add.reduce(np.broadcast_to(w, v.shape), axis=axes, keepdims=True)
        safe = np.where(total == 0, 1, total).astype(v.dtype)
        mean = core.divide(
            reduction.reduce_sum(core.multiply(inputs, w), axes, keepdims=True), safe
        )
        dist = core.multiply(elementwise.squared_difference(inputs, mean), w)
        var = core.divide(reduction.reduce_sum(dist, axes, keepdims=True), safe)
        return mean, var

    def _update_moving(
        self, mean: np.ndarray, var: np.ndarray, shape: tuple, fused: bool | None = None
    ) -> None:
        """Move the moving statistics toward this batch's, in place (as tf.keras)."""
        pshape = self._param_shape
        mean = mean.reshape(pshape)
        var = var.reshape(pshape)
        mm, mv = self.moving_mean._value, self.moving_variance._value
        if mean.dtype != mm.dtype:
            mean, var = mean.astype(mm.dtype), var.astype(mm.dtype)
        dt = mm.dtype.type
        n = int(np.prod([shape[i] for i in range(len(shape)) if i not in self._dims]))
        if n == 0:
            return
        if self._use_fused if fused is None else fused:
            # TF's fused kernel: Bessel-corrected variance, factor form
            var = var * dt(n / max(n - 1, 1))
            factor = dt(1.0 - self.momentum)
            keep = dt(1.0) - factor
            mm[...] = keep * mm + factor * mean
            mv[...] = keep * mv + factor * var
            return
        decay = dt(1.0 - self.momentum)  # tf.keras's assign_sub((moving - value) * decay)
        mm -= (mm - mean) * decay
        if self.renorm:  # the moving stddev moves; the variance follows from it
            ms = self.moving_stddev._value
            ms -= (ms - np.sqrt(var + dt(self.epsilon))) * decay
            mv[...] = np.maximum(ms * ms - dt(self.epsilon), 0)
        else:
            mv -= (mv - var) * decay

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": list(self.axis) if isinstance(self.axis, list) else self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": _serialize(self.beta_initializer),
                "gamma_initializer": _serialize(self.gamma_initializer),
                "moving_mean_initializer": _serialize(self.moving_mean_initializer),
                "moving_variance_initializer": _serialize(self.moving_variance_initializer),
                "beta_regularizer": _serialize(self.beta_regularizer),
                "gamma_regularizer": _serialize(self.gamma_regularizer),
                "beta_constraint": _serialize(self.beta_constraint),
                "gamma_constraint": _serialize(self.gamma_constraint),
            }
        )
        # tf.keras 2.x writes these only when set (the adjustment function is not serializable)
        if self.renorm:
            config["renorm"] = True
            config["renorm_clipping"] = dict(self.renorm_clipping)
            config["renorm_momentum"] = self.renorm_momentum
        if self.virtual_batch_size is not None:
            config["virtual_batch_size"] = self.virtual_batch_size
        if self.synchronized:
            config["synchronized"] = True
        return config


def _compose(r: np.ndarray, d: np.ndarray, gamma, beta):
    """``(x * r + d) * gamma + beta`` as one scale and offset (r, d are constants)."""
    from lamina.ops import core

    if gamma is not None:
        scale = core.multiply(r, gamma)
        offset = core.multiply(d, gamma)
    else:
        from lamina.autodiff.tensor import Tensor

        scale, offset = Tensor(r), Tensor(d)
    if beta is not None:
        offset = core.add(offset, beta)
    return scale, offset


def _check_clipping(clipping) -> dict:
    clipping = dict(clipping or {})
    keys = ["rmax", "rmin", "dmax"]
    if set(clipping) - set(keys):
        raise ValueError(
            f"Received invalid keys for `renorm_clipping` argument: {clipping}. Supported "
            f"values: {keys}."
        )
    rmin, rmax, dmax = (clipping.get(k) for k in ("rmin", "rmax", "dmax"))
    for k in keys:
        if clipping.get(k) is not None:
            clipping[k] = check_number(clipping[k], f"renorm_clipping['{k}']")
    if rmin is not None and rmax is not None and rmin > rmax:
        raise ValueError(
            "rmax should be greater than rmin in the `renorm_clipping` argument. Received: "
            f"rmax={rmax}, rmin={rmin}."
        )
    if dmax is not None and dmax < 0:
        raise ValueError(
            f"dmax should be non-negative in the `renorm_clipping` argument. Received: dmax={dmax}."
        )
    return clipping


def _int_or_none(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    return None


class _SqrtOf:
    """An initializer giving the square root of another's values (the renorm stddevs)."""

    def __init__(self, initializer) -> None:
        self.initializer = initializer

    def __call__(self, shape, dtype=None):
        from lamina.layers.layer import _initial_value

        return np.sqrt(_initial_value(self.initializer, tuple(shape), dtype or "float32"))


__all__ = ["BatchNormalization"]
