"""The compiled training step: a fixed model graph planned once into NumPy calls.

A compiled Sequential (or chain-shaped functional) model made of known layers (Dense with a
common activation, Dropout, Flatten, Activation, InputLayer) trains here instead of on the
general tape. The plan

- keeps one flat float buffer for all trainable weights and one for their gradients (each
  Variable's array becomes a view into it), so the optimizer update is a handful of in-place
  ufunc calls over the whole model instead of a dozen per variable;
- runs forward and backward as the same NumPy calls every batch, into buffers preallocated
  per batch size (matmul ``out=``, in-place activations);
- fuses the last activation with its loss where tf.keras computes from logits (sigmoid +
  binary cross-entropy, softmax + categorical/sparse cross-entropy), and otherwise asks the
  loss for its NumPy value and gradient, or falls back to the tape for the loss alone.

It gives the same numbers as the tape path (see tests/models/test_plan.py). Anything it does
not know makes :func:`build_train_step` return ``None`` and the trainer uses the tape.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lamina.backend import config as _config

_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


# --- stages ----------------------------------------------------------------------------------
class _Dense:
    """x @ W + b, then an elementwise activation, forward and backward in place."""

    def __init__(self, layer, act: str, first: bool) -> None:
        self.layer = layer
        self.act = act
        self.first = first  # no input gradient needed
        self.W = layer.kernel
        self.b = layer.bias if getattr(layer, "use_bias", True) else None
        self.units = int(layer.units)
        self.reg_W = _l1l2(getattr(layer, "kernel_regularizer", None))
        self.reg_b = _l1l2(getattr(layer, "bias_regularizer", None))
        self.gW = self.gb = None  # views into the flat gradient buffer, set by the plan
        self.train_W = self.W.trainable
        self.train_b = self.b is not None and self.b.trainable
        self.keep_logits = False  # set by the plan when the loss is fused with the activation
        self.z = None
        self._fwd, self._bwd = _FORWARD[act], _BACKWARD[act]
        self._last_n, self._last = -1, ()
        self._bufs: dict[int, tuple] = {}

    def _buffers(self, n: int, dtype) -> tuple:
        if n == self._last_n:
            return self._last
        b = self._bufs.get(n)
        if b is None:
            d_in = self.W._value.shape[0]
            b = (
                np.empty((n, self.units), dtype),  # activations
                np.empty((n, self.units), dtype),  # scratch
                None if self.first else np.empty((n, d_in), dtype),  # input gradient
                np.empty((n, self.units), dtype) if self.keep_logits else None,  # logits
            )
            self._bufs[n] = b
        self._last_n, self._last = n, b
        return b

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        a, scratch, _, z = self._buffers(x.shape[0], x.dtype)
        self.x = x
        np.matmul(x, self.W._value, out=a)
        if self.b is not None:
            a += self.b._value
        if z is not None:
            np.copyto(z, a)
            self.z = z
        self._fwd(a, scratch)
        self.a = a
        return a

    def backward(self, dz: np.ndarray, pre_activation_grad: bool) -> np.ndarray | None:
        """``dz`` is dL/d(output); when ``pre_activation_grad`` it is already dL/d(x@W+b)."""
        a, scratch, dx, _ = self._buffers(dz.shape[0], dz.dtype)
        if not pre_activation_grad:
            self._bwd(a, dz, scratch)
        if self.train_W:
            np.matmul(self.x.T, dz, out=self.gW)
            if self.reg_W is not None:
                _add_penalty_grad(self.gW, self.W._value, self.reg_W)
        if self.train_b:
            np.add.reduce(dz, axis=0, out=self.gb)
            if self.reg_b is not None:
                _add_penalty_grad(self.gb, self.b._value, self.reg_b)
        if self.first:
            return None
        np.matmul(dz, self.W._value.T, out=dx)
        return dx

    def penalty(self) -> float:
        total = 0.0
        if self.reg_W is not None:
            total += _penalty(self.W._value, self.reg_W)
        if self.reg_b is not None:
            total += _penalty(self.b._value, self.reg_b)
        return total


class _Dropout:
    """Inverted dropout, drawing its mask exactly as ``layers.Dropout`` does."""

    z = None

    def __init__(self, layer) -> None:
        self.layer = layer
        self.rate = float(layer.rate)
        self.mask = None

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        if not training or self.rate <= 0:
            self.mask = None
            return x
        if self.rate >= 1:
            self.mask = np.zeros((), dtype=x.dtype)
            return x * self.mask
        keep = self.layer._random().random_sample(x.shape) >= self.rate
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=x.dtype)
        self.mask = keep.astype(x.dtype) * scale
        return x * self.mask

    def backward(self, dy: np.ndarray, pre_activation_grad: bool = False) -> np.ndarray:
        if self.mask is None:
            return dy
        return dy * self.mask


class _Flatten:
    z = None
    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray, pre_activation_grad: bool = False) -> np.ndarray:
        return dy.reshape(self.shape)


class _Activation:
    z = None
    def __init__(self, act: str) -> None:
        self.act = act

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        a = x.copy()
        _activate(self.act, a, np.empty_like(a))
        self.a = a
        return a

    def backward(self, dy: np.ndarray, pre_activation_grad: bool) -> np.ndarray:
        if not pre_activation_grad:
            dy = dy.copy()
            _activation_backward(self.act, self.a, dy, np.empty_like(dy))
        return dy


# --- activations in place ---------------------------------------------------------------------
# Forward: f(z, scratch) overwrites z with the activation. Backward: g(a, dy, scratch) turns
# dL/d(output) into dL/d(z) in place, using only the activation's output ``a``.
def _fwd_linear(z, scratch):
    pass


def _fwd_relu(z, scratch):
    np.maximum(z, 0, out=z)


def _fwd_sigmoid(z, scratch):
    # exp overflow gives inf and 1/inf = 0, the right limit (callers silence the warning)
    np.negative(z, out=z)
    np.exp(z, out=z)
    np.add(z, 1, out=z)
    np.reciprocal(z, out=z)


def _fwd_tanh(z, scratch):
    np.tanh(z, out=z)


def _fwd_softmax(z, scratch):
    col = scratch[:, :1]
    np.maximum.reduce(z, axis=-1, keepdims=True, out=col)
    np.subtract(z, col, out=z)
    np.exp(z, out=z)
    np.add.reduce(z, axis=-1, keepdims=True, out=col)
    np.divide(z, col, out=z)


def _fwd_elu(z, scratch):
    np.minimum(z, 0, out=scratch)
    np.expm1(scratch, out=scratch)
    np.maximum(z, 0, out=z)
    np.add(z, scratch, out=z)


def _fwd_selu(z, scratch):
    _fwd_elu(z, scratch)
    # z = max(z,0) + expm1(min(z,0)); selu = scale * (max + alpha * expm1(min))
    np.minimum(z, 0, out=scratch)
    np.multiply(scratch, _SELU_ALPHA - 1.0, out=scratch)
    np.add(z, scratch, out=z)
    np.multiply(z, _SELU_SCALE, out=z)


def _fwd_softplus(z, scratch):
    # log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|))
    np.abs(z, out=scratch)
    np.negative(scratch, out=scratch)
    np.exp(scratch, out=scratch)
    np.log1p(scratch, out=scratch)
    np.maximum(z, 0, out=z)
    np.add(z, scratch, out=z)


def _bwd_linear(a, dy, scratch):
    pass


def _bwd_relu(a, dy, scratch):
    np.greater(a, 0, out=scratch)
    np.multiply(dy, scratch, out=dy)


def _bwd_sigmoid(a, dy, scratch):
    np.subtract(1, a, out=scratch)
    np.multiply(scratch, a, out=scratch)
    np.multiply(dy, scratch, out=dy)


def _bwd_tanh(a, dy, scratch):
    np.multiply(a, a, out=scratch)
    np.subtract(1, scratch, out=scratch)
    np.multiply(dy, scratch, out=dy)


def _bwd_softmax(a, dy, scratch):
    # dz = a * (dy - sum(dy * a))
    np.multiply(dy, a, out=scratch)
    s = np.add.reduce(scratch, axis=-1, keepdims=True)
    np.subtract(dy, s, out=dy)
    np.multiply(dy, a, out=dy)


def _bwd_elu(a, dy, scratch):
    # f' = 1 where a > 0, else a + 1
    np.add(a, 1, out=scratch)
    np.copyto(scratch, 1, where=a > 0)
    np.multiply(dy, scratch, out=dy)


def _bwd_selu(a, dy, scratch):
    # a <= 0: a = scale*alpha*(e^z - 1), so f' = a + scale*alpha
    np.add(a, _SELU_SCALE * _SELU_ALPHA, out=scratch)
    np.copyto(scratch, _SELU_SCALE, where=a > 0)
    np.multiply(dy, scratch, out=dy)


def _bwd_softplus(a, dy, scratch):
    # f' = sigmoid(z) = 1 - exp(-a)
    np.negative(a, out=scratch)
    np.exp(scratch, out=scratch)
    np.subtract(1, scratch, out=scratch)
    np.multiply(dy, scratch, out=dy)


_FORWARD = {"linear": _fwd_linear, "relu": _fwd_relu, "sigmoid": _fwd_sigmoid,
            "tanh": _fwd_tanh, "softmax": _fwd_softmax, "elu": _fwd_elu, "selu": _fwd_selu,
            "softplus": _fwd_softplus}
_BACKWARD = {"linear": _bwd_linear, "relu": _bwd_relu, "sigmoid": _bwd_sigmoid,
             "tanh": _bwd_tanh, "softmax": _bwd_softmax, "elu": _bwd_elu, "selu": _bwd_selu,
             "softplus": _bwd_softplus}
_ACTIVATIONS = set(_FORWARD)


def _activate(act: str, z: np.ndarray, scratch: np.ndarray) -> None:
    _FORWARD[act](z, scratch)


def _activation_backward(act: str, a: np.ndarray, dy: np.ndarray, scratch: np.ndarray) -> None:
    _BACKWARD[act](a, dy, scratch)


# --- regularization ---------------------------------------------------------------------------
def _l1l2(reg) -> tuple[float, float] | None:
    if reg is None:
        return None
    l1 = float(getattr(reg, "l1", 0.0) or 0.0)
    l2 = float(getattr(reg, "l2", 0.0) or 0.0)
    return (l1, l2)


def _penalty(w: np.ndarray, reg: tuple[float, float]) -> float:
    l1, l2 = reg
    p = 0.0
    if l1:
        p += l1 * float(np.abs(w).sum(dtype=np.float64))
    if l2:
        p += l2 * float(np.dot(w.ravel(), w.ravel()))
    return p


def _add_penalty_grad(g: np.ndarray, w: np.ndarray, reg: tuple[float, float]) -> None:
    l1, l2 = reg
    if l2:
        g += (2.0 * l2) * w
    if l1:
        g += l1 * np.sign(w)


# --- losses -----------------------------------------------------------------------------------
class _LossHead:
    """Loss value and dL/d(last pre-activation or output) for one batch."""

    def __init__(self, loss_obj, last_act: str) -> None:
        self.loss = loss_obj
        name = type(loss_obj).__name__
        fn_name = getattr(getattr(loss_obj, "fn", None), "__name__", "")
        from_logits = bool(getattr(loss_obj, "from_logits", False))
        smoothing = float(getattr(loss_obj, "label_smoothing", 0.0) or 0.0)
        reduction = getattr(loss_obj, "reduction", "sum_over_batch_size")
        self.reduction = "sum_over_batch_size" if reduction in (None, "auto") else reduction
        axis = getattr(loss_obj, "axis", -1)
        self.kind = None
        plain = not from_logits and smoothing == 0.0 and axis in (-1, None)
        if plain and last_act == "sigmoid" and (
            name == "BinaryCrossentropy" or fn_name == "binary_crossentropy"
        ):
            self.kind = "sigmoid_bce"
        elif plain and last_act == "softmax" and (
            name == "CategoricalCrossentropy" or fn_name == "categorical_crossentropy"
        ):
            self.kind = "softmax_cce"
        elif plain and last_act == "softmax" and (
            name == "SparseCategoricalCrossentropy"
            or fn_name == "sparse_categorical_crossentropy"
        ) and getattr(loss_obj, "ignore_class", None) is None:
            self.kind = "softmax_scce"
        elif hasattr(loss_obj, "numpy_value_and_grad"):
            self.kind = "numpy"
        else:
            self.kind = "tape"
        self.fused = self.kind in ("sigmoid_bce", "softmax_cce", "softmax_scce")

    def __call__(self, y: np.ndarray, p: np.ndarray, z, sw) -> tuple[float, np.ndarray]:
        """Return (loss, grad). ``p`` is the model output and ``z`` the last layer's logits;
        for fused kinds the gradient is with respect to ``z``, as tf.keras computes these
        losses from the logits of a sigmoid or softmax output."""
        n = p.shape[0]
        kind = self.kind
        if kind == "sigmoid_bce":
            y = _align(y, p)
            # max(z, 0) - z*y + log(1 + exp(-|z|)), mean over the last axis
            per = np.maximum(z, 0)
            per -= z * y
            per += np.log1p(np.exp(-np.abs(z)))
            k = p.shape[-1] if p.ndim > 1 else 1
            if per.ndim > 1:
                per = per.reshape(n) if k == 1 else np.add.reduce(per, axis=-1) / k
            grad = p - y
            if k != 1:
                grad *= 1.0 / k
            return self._reduce(per, grad, sw, n)
        if kind == "softmax_cce":
            lse = _logsumexp(z)
            per = lse * y.sum(axis=-1) - (y * z).sum(axis=-1)
            grad = p * y.sum(axis=-1, keepdims=True)
            grad -= y
            return self._reduce(per, grad, sw, n)
        if kind == "softmax_scce":
            idx = y.reshape(n).astype(np.intp, copy=False)
            rows = np.arange(n)
            per = _logsumexp(z) - z[rows, idx]
            grad = p.copy()
            grad[rows, idx] -= 1
            return self._reduce(per, grad, sw, n)
        if kind == "numpy":
            value, grad = self.loss.numpy_value_and_grad(y, p, sw)
            return float(value), grad
        return self._tape(y, p, sw)

    @classmethod
    def unfused(cls, loss_obj) -> _LossHead:
        return cls(loss_obj, "linear")

    def _reduce(self, per: np.ndarray, grad: np.ndarray, sw, n: int):
        if sw is not None:
            w = sw.reshape(n).astype(per.dtype, copy=False)
            per = per * w
            grad *= w.reshape((n,) + (1,) * (grad.ndim - 1))
        total = float(per.sum(dtype=np.float64))
        if self.reduction == "sum":
            return total, grad
        if self.reduction in ("none",):
            return total / n, grad
        grad *= 1.0 / n
        return total / n, grad

    def _tape(self, y, p, sw):
        from lamina.autodiff import GradientTape, Tensor

        pt = Tensor(p.copy())
        with GradientTape() as tape:
            tape.watch(pt)
            value = self.loss(Tensor(y), pt, sample_weight=None if sw is None else Tensor(sw))
        g = tape.gradient(value, pt)
        return float(np.asarray(value._value)), (
            np.zeros_like(p) if g is None else np.asarray(g._value, dtype=p.dtype)
        )


def _logsumexp(z: np.ndarray) -> np.ndarray:
    m = np.maximum.reduce(z, axis=-1)
    return m + np.log(np.add.reduce(np.exp(z - m[:, None]), axis=-1))


def _align(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    if y.ndim == p.ndim - 1:
        return y.reshape(p.shape)
    return y


# --- the plan ---------------------------------------------------------------------------------
class TrainPlan:
    """One training step over a fixed chain of stages; see the module docstring."""

    def __init__(self, model, stages: list, head: _LossHead, optimizer, variables: list) -> None:
        self.model = model
        self.stages = stages
        self.head = head
        self.optimizer = optimizer
        self.variables = variables
        self.dtype = _config.floatx_dtype()
        self._regularized = [st for st in stages
                             if isinstance(st, _Dense) and (st.reg_W or st.reg_b)]
        self._flatten_variables()
        self.update = _make_update(optimizer, variables, self.grads, self.flat_params,
                                   self.flat_grads)

    def _flatten_variables(self) -> None:
        vs = self.variables
        total = sum(v._value.size for v in vs)
        flat = np.empty(total, dtype=self.dtype)
        gflat = np.zeros(total, dtype=self.dtype)
        views, grads, off = [], [], 0
        for v in vs:
            n = v._value.size
            view = flat[off: off + n].reshape(v._value.shape)
            view[...] = v._value
            v._value = view  # the Variable now lives in the flat buffer (same values)
            views.append(view)
            grads.append(gflat[off: off + n].reshape(view.shape))
            off += n
        self.flat_params, self.flat_grads, self.grads = flat, gflat, grads
        by_id = {id(v): g for v, g in zip(vs, grads)}
        for st in self.stages:
            if isinstance(st, _Dense):
                st.gW = by_id.get(id(st.W))
                st.gb = by_id.get(id(st.b)) if st.b is not None else None
                st.train_W = st.gW is not None
                st.train_b = st.gb is not None

    def __call__(self, x, y, sample_weight=None):
        """Forward, loss, backward and update on one batch: returns (loss, y_pred).

        A diverging run (``SGD(lr=9)`` in the tutorials) overflows to inf/nan, which Keras
        reports rather than warns about, hence the silenced floating-point warnings."""
        with np.errstate(all="ignore"):
            return self._step(x, y, sample_weight)

    def _step(self, x, y, sample_weight):
        if type(x) is list:
            x = x[0]
        if type(y) is list:
            y = y[0]
        h = x
        for st in self.stages:
            h = st.forward(h, True)
        loss, g = self.head(y, h, self.stages[-1].z, sample_weight)
        fused = self.head.fused
        for st in reversed(self.stages):
            g = st.backward(g, fused)
            fused = False
            if g is None:
                break
        for st in self._regularized:
            loss += st.penalty()
        self.update()
        return loss, h

    def predict(self, x: np.ndarray) -> np.ndarray:
        h = x
        with np.errstate(all="ignore"):
            for st in self.stages:
                h = st.forward(h, False)
        return h


def _make_update(optimizer, variables, grads, flat_params, flat_grads) -> Callable[[], None]:
    """The optimizer step, fused over the flat buffers when the optimizer allows it."""
    fn = _flat_update(optimizer, variables, flat_params, flat_grads)
    if fn is not None:
        return fn
    apply = optimizer.apply_numpy
    return lambda: apply(grads, variables)


def _flat_update(opt, variables, P: np.ndarray, G: np.ndarray):
    """Run the optimizer's own elementwise update once over the whole flat buffer.

    The built-in optimizers update each variable with ``_update_numpy(g, w, slots, scratch,
    coefficients)``, a chain of elementwise ufuncs. Concatenating every variable (and every
    slot) into one buffer gives the very same numbers with one call instead of one per
    variable. The optimizer's slot Variables become views into the flat slot buffers, so its
    state (saved files, ``optimizer.variables``) stays per variable, exactly as Keras orders it.
    Returns None when a feature needs the per-variable path (per-variable clipnorm, custom
    ``update_step``, EMA, gradient accumulation, loss scaling, constraints, decay exclusions).
    """
    needed = ("_update_numpy", "_coefficients", "_slot_arrays", "_slot_vars", "_index",
              "_current_lr", "_step", "_after_update", "build")
    if not all(hasattr(opt, a) for a in needed):
        return None
    if opt._uses_custom_update() or opt.clipnorm or opt.use_ema or opt.loss_scale_factor \
            or opt.gradient_accumulation_steps:
        return None
    if opt.weight_decay and (opt._exclude_ids or opt._exclude_pattern is not None):
        return None
    if any(v.constraint is not None for v in variables):
        return None
    opt.build(list(variables))
    opt.built = True
    nslots = len(opt._slot_order)
    flat_slots = [np.empty_like(P) for _ in range(nslots)]
    off = 0
    for v in variables:
        i = opt._index[id(v)]
        n = v._value.size
        for k in range(nslots):
            view = flat_slots[k][off: off + n].reshape(v._value.shape)
            view[...] = opt._slot_arrays[i][k]
            opt._slot_arrays[i][k] = view
            opt._slot_vars[i][k]._value = view
        off += n
    scratch = [np.empty_like(P) for _ in range(max(int(getattr(opt, "_n_scratch", 1)), 1))]
    update, coefficients = opt._update_numpy, opt._coefficients
    clipvalue, global_clipnorm = opt.clipvalue, opt.global_clipnorm
    parts = _split_for_threads(P, G, flat_slots, scratch)
    pool = _worker() if len(parts) > 1 else None

    def run(part, lr, c) -> None:
        p, g, slots, sc = part
        if opt.weight_decay:
            np.multiply(p, opt.weight_decay * lr, out=sc[0])
            np.subtract(p, sc[0], out=p)
        update(g, p, slots, sc, c)

    def step() -> None:
        # runs inside the plan's np.errstate
        if global_clipnorm:
            norm = float(np.sqrt(np.dot(G, G)))
            if norm > global_clipnorm:
                np.multiply(G, global_clipnorm / norm, out=G)
            elif not np.isfinite(norm):
                G[...] = np.nan
        elif clipvalue:
            np.clip(G, -clipvalue, clipvalue, out=G)
        lr = opt._current_lr()
        c = coefficients(lr, float(opt._step() + 1))
        if pool is None:
            run(parts[0], lr, c)
        else:
            # NumPy releases the GIL inside ufunc loops: the halves run on both cores.
            future = pool.submit(_run_in_errstate, run, parts[1], lr, c)
            run(parts[0], lr, c)
            future.result()
        opt._after_update()

    return step


#: Below this many parameters the update is too short for a second thread to pay off.
_THREADED_UPDATE_MIN = 1 << 16
_POOL = None


def _split_for_threads(P, G, slots: list, scratch: list) -> list:
    """The flat buffers as one part, or two halves when the model is large enough."""
    import os

    n = P.size
    if n < _THREADED_UPDATE_MIN or (os.cpu_count() or 1) < 2:
        return [(P, G, slots, scratch)]
    h = (n // 2) // 16 * 16  # keep both halves 64-byte aligned relative to each other
    return [
        (P[:h], G[:h], [s[:h] for s in slots], [s[:h] for s in scratch]),
        (P[h:], G[h:], [s[h:] for s in slots], [s[h:] for s in scratch]),
    ]


def _worker():
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lamina-update")
    return _POOL


def _run_in_errstate(fn, *args) -> None:
    with np.errstate(all="ignore"):  # errstate is per thread
        fn(*args)


# --- building ---------------------------------------------------------------------------------
def _activation_name(fn) -> str | None:
    if fn is None:
        return "linear"
    name = getattr(fn, "__name__", None)
    if name in _ACTIVATIONS:
        return name
    return None


def _chain_layers(model) -> list | None:
    """The model's layers as one chain input -> output, or None if it is not a chain."""
    if any(c.__name__ == "Sequential" for c in type(model).__mro__):
        return list(model.layers)
    edges = getattr(model, "_layer_edges", None)
    if edges is None or len(getattr(model, "inputs", []) or []) != 1 \
            or len(getattr(model, "outputs", []) or []) != 1:
        return None
    try:
        pairs = edges()
    except Exception:
        return None
    nxt: dict = {}
    for a, b in pairs:
        if a in nxt:
            return None
        nxt[a] = b
    starts = [a for a in nxt if all(b is not a for b in nxt.values())]
    if len(starts) != 1:
        return None
    chain, cur = [], starts[0]
    while cur in nxt:
        cur = nxt[cur]
        chain.append(cur)
    return chain


def build_train_step(model):
    """A :class:`TrainPlan` for ``model``, or None when the general tape must be used."""
    if getattr(model, "_run_eagerly_for_tape", False) or getattr(model, "run_eagerly", False):
        return None
    optimizer = getattr(model, "optimizer", None)
    loss_obj = getattr(model, "compiled_loss_fn", None)
    if optimizer is None or loss_obj is None or not hasattr(optimizer, "apply_numpy"):
        return None
    if isinstance(loss_obj, (list, tuple, dict)):
        return None
    layers = _chain_layers(model)
    if not layers:
        return None
    stages: list = []
    seen_weighted = False
    for layer in layers:
        cls = type(layer).__name__
        if getattr(layer, "activity_regularizer", None) is not None:
            return None
        if cls == "InputLayer":
            continue
        if cls == "Dense":
            act = _activation_name(getattr(layer, "activation", None))
            if act is None or getattr(layer, "kernel", None) is None:
                return None
            if layer.kernel._value.ndim != 2:
                return None
            if not (_plain_reg(layer.kernel_regularizer) and _plain_reg(layer.bias_regularizer)):
                return None
            stages.append(_Dense(layer, act, first=not seen_weighted))
            seen_weighted = True
        elif cls == "Dropout":
            if getattr(layer, "noise_shape", None) is not None:
                return None
            stages.append(_Dropout(layer))
        elif cls == "Flatten":
            stages.append(_Flatten())
        elif cls == "Activation":
            act = _activation_name(getattr(layer, "activation", None))
            if act is None:
                return None
            stages.append(_Activation(act))
        else:
            return None
        if not getattr(layer, "trainable", True) and cls == "Dense":
            pass  # frozen layers: their variables are simply not in trainable_variables
    if not stages or not isinstance(stages[-1], (_Dense, _Activation)) and not isinstance(
        stages[-1], (_Dropout, _Flatten)
    ):
        return None
    if not _input_rank_ok(model, stages):
        return None
    # A Dense after a frozen one still needs input gradients only if something before it
    # trains; keep it simple: only the very first Dense skips its input gradient.
    last_act = stages[-1].act if isinstance(stages[-1], (_Dense, _Activation)) else "linear"
    head = _LossHead(loss_obj, last_act)
    if head.fused:
        if not isinstance(stages[-1], _Dense):
            head = _LossHead.unfused(loss_obj)
        else:
            stages[-1].keep_logits = True
    variables = list(model.trainable_variables)
    plan_vars = set()
    for st in stages:
        if isinstance(st, _Dense):
            for v in (st.W, st.b):
                if v is not None and v.trainable:
                    plan_vars.add(id(v))
    if {id(v) for v in variables} != plan_vars:
        return None  # the model trains variables the plan does not know about
    if any(v._value.dtype != _config.floatx_dtype() for v in variables):
        return None
    return TrainPlan(model, stages, head, optimizer, variables)


def _input_rank_ok(model, stages) -> bool:
    """The stages work on 2-D activations: rank-2 inputs, or anything a leading Flatten flattens."""
    inputs = getattr(model, "inputs", None) or []
    if len(inputs) != 1:
        return False
    rank = len(inputs[0].shape)
    return rank == 2 or (rank > 2 and bool(stages) and isinstance(stages[0], _Flatten))


def _plain_reg(reg) -> bool:
    if reg is None:
        return True
    return type(reg).__name__ in {"L1L2", "L1", "L2"}


def build_predict(model):
    """A forward-only function ``f(x) -> y`` for a chain of known layers, or None."""
    layers = _chain_layers(model)
    if not layers:
        return None
    stages: list = []
    for layer in layers:
        cls = type(layer).__name__
        if cls == "InputLayer":
            continue
        if cls == "Dense":
            act = _activation_name(getattr(layer, "activation", None))
            if act is None or getattr(layer, "kernel", None) is None \
                    or layer.kernel._value.ndim != 2:
                return None
            stages.append(_Dense(layer, act, first=True))
        elif cls == "Dropout":
            stages.append(_Dropout(layer))
        elif cls == "Flatten":
            stages.append(_Flatten())
        elif cls == "Activation":
            act = _activation_name(getattr(layer, "activation", None))
            if act is None:
                return None
            stages.append(_Activation(act))
        else:
            return None

    if not _input_rank_ok(model, stages):
        return None
    last = stages[-1] if stages and isinstance(stages[-1], _Dense) \
        and stages[-1].act in ("sigmoid", "softmax") else None
    if last is not None:
        last.keep_logits = True
    seen: dict = {}

    def predict(x: np.ndarray) -> np.ndarray:
        h = x
        with np.errstate(all="ignore"):
            for st in stages:
                h = st.forward(h, False)
        if last is not None:
            seen["logits"] = last.z.copy()
        return h.copy() if h is not x else h

    def attach_logits(outputs: list) -> None:
        """Give the last call's output Tensors the logits they came from, so losses compute
        from them as tf.keras does for sigmoid/softmax outputs."""
        if last is not None and "logits" in seen and len(outputs) == 1:
            from lamina.autodiff.tensor import Tensor
            from lamina.losses._ops import attach_logits as attach

            attach(outputs[0], Tensor(seen.pop("logits")), last.act)

    predict.attach_logits = attach_logits
    return predict
