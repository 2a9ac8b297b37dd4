"""The compiled training step: a fixed model graph planned once into NumPy calls.

A compiled Sequential (or chain-shaped functional) model made of known layers (Dense with a
common activation, Dropout, Flatten, Activation, InputLayer), on one input of any rank >= 2
(Dense acts on the last axis, as in Keras), trains here instead of on the general tape. The plan

- keeps one flat float buffer for all trainable weights and one for their gradients (each
  Variable's array becomes a view into it), so the optimizer update is a handful of in-place
  ufunc calls over the whole model instead of a dozen per variable;
- runs forward and backward as the same NumPy calls every batch, into buffers preallocated
  per batch size (matmul ``out=``, in-place activations);
- fuses the last activation with its loss where tf.keras computes from logits (sigmoid +
  binary cross-entropy, softmax + categorical/sparse cross-entropy), and otherwise asks the
  loss for its NumPy value and gradient, or falls back to the tape for the loss alone (also
  for label shapes the NumPy kernels refuse).

It gives the same numbers as the tape path (see tests/test_plan.py). Anything it does
not know makes :func:`build_train_step` return ``None`` and the trainer uses the tape.
"""

from __future__ import annotations

import numpy as np

from lamina.backend import config as _config
from lamina.models.plan.activations import ACTIVATIONS
from lamina.models.plan.flat_update import make_update
from lamina.models.plan.loss_head import LossHead
from lamina.models.plan.stages import ActivationStage, DenseStage, DropoutStage, FlattenStage

#: losses computed element by element (before the mean over the last axis): their labels may
#: broadcast the predictions to a larger shape, see TrainPlan._broadcast_loss
_ELEMENTWISE = frozenset({"MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy"})


class TrainPlan:
    """One training step over a fixed chain of stages; see the module docstring."""

    def __init__(self, model, stages: list, head: LossHead, optimizer, variables: list) -> None:
        self.model = model
        self.stages = stages
        self.head = head
        self.optimizer = optimizer
        self.variables = variables
        self.dtype = _config.floatx_dtype()
        self._regularized = [
            st for st in stages if isinstance(st, DenseStage) and (st.reg_W or st.reg_b)
        ]
        self._tape_shapes: set = set()  # (y, y_pred, sample_weight) shapes the head refused
        self._flatten_variables()

    def _flatten_variables(self) -> None:
        """Move the weights (and the optimizer's slots) into flat buffers; see the module doc."""
        self._flatten_weights()
        self.update = make_update(
            self.optimizer, self.variables, self.grads, self.flat_params, self.flat_grads
        )

    def _flatten_weights(self) -> None:
        vs = self.variables
        total = sum(v._value.size for v in vs)
        flat = np.empty(total, dtype=self.dtype)
        gflat = np.zeros(total, dtype=self.dtype)
        views, grads, off = [], [], 0
        for v in vs:
            n = v._value.size
            view = flat[off : off + n].reshape(v._value.shape)
            view[...] = v._value
            v._value = view  # the Variable now lives in the flat buffer (same values)
            views.append(view)
            grads.append(gflat[off : off + n].reshape(view.shape))
            off += n
        self.flat_params, self.flat_grads, self.grads = flat, gflat, grads
        self._views = views
        by_id = {id(v): g for v, g in zip(vs, grads)}
        for st in self.stages:
            if isinstance(st, DenseStage):
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
        for v, view in zip(self.variables, self._views):
            if v._value is not view:
                # Another model's plan moved a shared layer's weights into its own buffer.
                self._flatten_variables()
                break
        if type(x) is list:
            x = x[0]
        if type(y) is list:
            y = y[0]
        h = x
        for st in self.stages:
            h = st.forward(h, True)
        loss, g, fused = self._loss(y, h, sample_weight)
        for st in reversed(self.stages):
            g = st.backward(g, fused)
            fused = False
            if g is None:
                break
        for st in self._regularized:
            loss += st.penalty()
        self.update()
        return loss, h

    def _loss(self, y, h, sw) -> tuple:
        """(loss, gradient, whether the gradient is with respect to the last logits).

        Labels the losses' NumPy kernels do not take, such as ``(N,)`` labels against
        ``(N, T, 1)`` predictions (the tape broadcasts them to ``(N, T, N)``, as tf.keras
        does), are differentiated on the tape, which defines those numbers."""
        key = (y.shape, h.shape, None if sw is None else np.shape(sw))
        if key not in self._tape_shapes:
            try:
                return (*self.head(y, h, self.stages[-1].z, sw), self.head.fused)
            except ValueError:
                if len(self._tape_shapes) > 64:
                    self._tape_shapes.clear()
                self._tape_shapes.add(key)
        out = self._broadcast_loss(y, h, sw)
        if out is None:
            out = self._tape_loss(y, h, sw)
        return (*out, self.head.fused)

    def _broadcast_loss(self, y, h, sw):
        """Elementwise losses whose labels broadcast the predictions to a larger shape
        (``(N,)`` labels against ``(N, T, 1)`` predictions give ``(N, T, N)``, as tf.keras
        computes): the NumPy kernel on the broadcast arrays, its gradient summed back over
        the broadcast axes, as the tape's broadcasting does. None when that does not apply."""
        loss = self.head.loss
        cls = type(loss)
        if (
            self.head.kind == "tape"
            or cls.__name__ not in _ELEMENTWISE
            or not cls.__module__.startswith("lamina.losses")
            or getattr(loss, "_axis", -1) != -1
        ):
            return None
        from lamina.losses.loss import align_ranks_np

        yt, hp = align_ranks_np(y, h)
        try:
            shape = np.broadcast_shapes(yt.shape, hp.shape)
        except ValueError:
            return None
        if len(shape) != hp.ndim or shape == hp.shape:
            return None
        z = self.stages[-1].z
        zb = np.broadcast_to(z.reshape(hp.shape), shape) if self.head.fused else None
        try:
            value, g = self.head(np.broadcast_to(yt, shape), np.broadcast_to(hp, shape), zb, sw)
        except ValueError:
            return None
        axes = tuple(i for i, (a, b) in enumerate(zip(hp.shape, shape)) if a != b)
        return value, np.add.reduce(g, axis=axes, keepdims=True).reshape(h.shape)

    def _tape_loss(self, y, h, sw) -> tuple[float, np.ndarray]:
        """The loss alone on a ``GradientTape``, from the logits when the head is fused (the
        model's own activation makes the probabilities, carrying their logits, as on the
        tape path)."""
        from lamina.autodiff import GradientTape, Tensor

        last = self.stages[-1]
        src = Tensor((last.z if self.head.fused else h).copy())
        with GradientTape() as tape:
            tape.watch(src)
            out = last.layer.activation(src) if self.head.fused else src
            value = self.head.loss(
                y, out, sample_weight=None if sw is None else Tensor(np.asarray(sw))
            )
        g = tape.gradient(value, src)
        grad = np.zeros_like(h) if g is None else np.asarray(g._value, dtype=h.dtype)
        return float(np.asarray(value._value)), grad

    def predict(self, x: np.ndarray) -> np.ndarray:
        h = x
        with np.errstate(all="ignore"):
            for st in self.stages:
                h = st.forward(h, False)
        return h


# --- building ---------------------------------------------------------------------------------
def _activation_name(fn) -> str | None:
    if fn is None:
        return "linear"
    name = getattr(fn, "__name__", None)
    if name in ACTIVATIONS:
        return name
    return None


def _chain_layers(model) -> list | None:
    """The model's layers as one chain input -> output, or None if it is not a chain."""
    if any(c.__name__ == "Sequential" for c in type(model).__mro__):
        return list(model.layers)
    edges = getattr(model, "_layer_edges", None)
    if (
        edges is None
        or len(getattr(model, "inputs", []) or []) != 1
        or len(getattr(model, "outputs", []) or []) != 1
    ):
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


def _stages(layers: list, training: bool) -> list | None:
    """One stage per layer, or None when a layer (or a setting of it) is not planned."""
    stages: list = []
    seen_weighted = False
    for layer in layers:
        cls = type(layer).__name__
        if cls == "InputLayer":
            continue
        if training and getattr(layer, "activity_regularizer", None) is not None:
            return None
        if cls == "Dense":
            act = _activation_name(getattr(layer, "activation", None))
            kernel = getattr(layer, "kernel", None)
            if act is None or kernel is None or kernel._value.ndim != 2:
                return None
            if training and not (
                _plain_reg(layer.kernel_regularizer) and _plain_reg(layer.bias_regularizer)
            ):
                return None
            # Only the first Dense skips its input gradient (nothing before it trains).
            stages.append(DenseStage(layer, act, first=not training or not seen_weighted))
            seen_weighted = True
        elif cls == "Dropout":
            if training and getattr(layer, "noise_shape", None) is not None:
                return None
            stages.append(DropoutStage(layer))
        elif cls == "Flatten":
            stages.append(FlattenStage())
        elif cls == "Activation":
            act = _activation_name(getattr(layer, "activation", None))
            if act is None:
                return None
            stages.append(ActivationStage(act))
        else:
            return None
    return stages or None


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
    stages = _stages(layers, training=True) if layers else None
    if stages is None or not _input_rank_ok(model, stages):
        return None
    last = stages[-1]
    head = LossHead(
        loss_obj, last.act if isinstance(last, (DenseStage, ActivationStage)) else "linear"
    )
    if head.fused:
        if isinstance(last, DenseStage):
            last.keep_logits = True
        else:
            head = LossHead.unfused(loss_obj)
    variables = list(model.trainable_variables)
    planned = {
        id(v)
        for st in stages
        if isinstance(st, DenseStage)
        for v in (st.W, st.b)
        if v is not None and v.trainable
    }
    if {id(v) for v in variables} != planned:
        return None  # the model trains variables the plan does not know about
    if any(v._value.dtype != _config.floatx_dtype() for v in variables):
        return None
    return TrainPlan(model, stages, head, optimizer, variables)


def _input_rank_ok(model, stages) -> bool:
    """One input of rank >= 2: Dense and Activation act on the last axis of any such rank
    (see stages.py), Dropout and Flatten on the whole array."""
    inputs = getattr(model, "inputs", None) or []
    return len(inputs) == 1 and len(inputs[0].shape) >= 2


def _plain_reg(reg) -> bool:
    return reg is None or type(reg).__name__ in {"L1L2", "L1", "L2"}


def build_predict(model):
    """A forward-only function ``f(x) -> y`` for a chain of known layers, or None.

    ``f.attach_logits(tensors)`` gives the Tensors made from the last call's output the
    logits of a final sigmoid/softmax, so evaluation computes losses as training does.
    """
    layers = _chain_layers(model)
    stages = _stages(layers, training=False) if layers else None
    if stages is None or not _input_rank_ok(model, stages):
        return None
    last = (
        stages[-1]
        if isinstance(stages[-1], DenseStage) and stages[-1].act in ("sigmoid", "softmax")
        else None
    )
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
        if last is not None and "logits" in seen and len(outputs) == 1:
            from lamina.autodiff.tensor import Tensor
            from lamina.losses._ops import attach_logits as attach

            attach(outputs[0], Tensor(seen.pop("logits")), last.act)

    predict.attach_logits = attach_logits
    return predict
