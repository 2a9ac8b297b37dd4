"""The general training step: forward under a ``GradientTape``, loss, gradients, update.

Works for every model (custom layers, subclassed models, any loss). The compiled fast path
(``models/plan.py``) gives the same numbers for the layers it knows; the trainer uses it
when it can and this step otherwise.

A step is ``step(x, y, sample_weight) -> (loss: float, y_pred)``: ``x``/``y`` are NumPy
arrays (lists of them for several inputs/outputs), the loss includes the regularization
penalties, and the optimizer update has been applied when it returns.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tape import GradientTape
from lamina.autodiff.tensor import Tensor


def model_inputs(model, x):
    """Batch arrays -> what ``model`` is called on: a Tensor, a list of Tensors, or (for a
    subclassed model fed a dict) a dict of Tensors keyed as the data was."""
    if not isinstance(x, list):
        return Tensor(x)
    tensors = [Tensor(a) for a in x]
    keys = getattr(model, "_input_keys", None)
    if keys is not None and len(keys) == len(tensors):
        return dict(zip(keys, tensors))
    if len(tensors) == 1 and not (model._is_graph_network and len(model.inputs) > 1):
        return tensors[0]
    return tensors


def as_list(x) -> list:
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def to_numpy_outputs(y_pred):
    if isinstance(y_pred, Tensor):
        return y_pred._value
    if isinstance(y_pred, (list, tuple)):
        return [to_numpy_outputs(v) for v in y_pred]
    if isinstance(y_pred, dict):
        return [to_numpy_outputs(v) for v in y_pred.values()]
    return np.asarray(y_pred)


def weights_per_output(sample_weight, n: int, output_names=None) -> list:
    """``sample_weight`` spread over ``n`` outputs: one value for all, a list/tuple in output
    order, or a dict keyed by output name (missing names get ``None``)."""
    if isinstance(sample_weight, dict):
        names = list(output_names or [])
        return [sample_weight.get(k) for k in names] if names else list(sample_weight.values())
    if isinstance(sample_weight, (list, tuple)):
        return list(sample_weight)
    return [sample_weight] * n


def is_per_output(sample_weight) -> bool:
    """True for per-output weights: a dict, or a list/tuple of arrays or ``None`` (a list of
    plain numbers is one array of per-sample weights)."""
    if isinstance(sample_weight, dict):
        return True
    if isinstance(sample_weight, (list, tuple)):
        return any(
            w is None or isinstance(w, (list, tuple)) or getattr(_raw(w), "ndim", 0) >= 1
            for w in sample_weight
        )
    return False


def _raw(w):
    return w._value if isinstance(w, Tensor) else w


def _as_weight_tensor(w):
    if w is None or isinstance(w, Tensor):
        return w
    return Tensor(np.asarray(w))


def compute_total_loss(model, y_true: list, y_pred: list, sample_weight, per_output=None):
    """Sum of the weighted per-output losses plus ``model.losses`` (a scalar Tensor).

    ``sample_weight`` is ``None``, one array for every output, or one array (or ``None``) per
    output as a list in output order or a dict keyed by output name. ``per_output``, if a
    list, receives each output's loss as a float.
    """
    from lamina import ops

    spec = model._compiled
    total = None
    if is_per_output(sample_weight):
        sws = [
            _as_weight_tensor(w)
            for w in weights_per_output(sample_weight, len(spec.losses), spec.output_names)
        ]
    else:
        sws = None
        sw = _as_weight_tensor(sample_weight)
    for i, loss_obj in enumerate(spec.losses):
        if loss_obj is None:
            if per_output is not None:
                per_output.append(0.0)
            continue
        yt = y_true[i] if i < len(y_true) else None
        if yt is None:
            if per_output is not None:
                per_output.append(0.0)
            continue
        if sws is not None:
            sw = sws[i] if i < len(sws) else None
        value = loss_obj(yt, y_pred[i], sample_weight=sw)
        if per_output is not None:
            per_output.append(float(value._value))
        w = spec.loss_weights[i]
        if w != 1.0:
            value = ops.multiply(value, np.asarray(w, dtype=value._value.dtype))
        total = value if total is None else ops.add(total, value)
    reg = model.losses
    for r in reg:
        if total is None:
            total = r
        else:
            if r._value.dtype != total._value.dtype:
                r = ops.cast(r, total._value.dtype)
            total = ops.add(total, r)
    if total is None:
        from lamina.backend.config import floatx

        total = Tensor(np.zeros((), dtype=floatx()))
    return total


def build_tape_step(model):
    """The general training step for ``model`` (see the module docstring)."""
    optimizer = model.optimizer

    def step(x, y, sample_weight):
        xin = model_inputs(model, x)
        ys = as_list(y) if y is not None else []
        variables = model.trainable_variables
        per = [] if step.track_outputs else None
        with GradientTape() as tape:
            out = model(xin, training=True)
            outs = as_list(out) if not isinstance(out, dict) else list(out.values())
            model._note_outputs(len(outs))
            loss = compute_total_loss(model, ys, outs, sample_weight, per)
        grads = tape.gradient(loss, variables)
        pairs = [(g._value, v) for g, v in zip(grads, variables) if g is not None]
        if pairs:
            optimizer.apply_numpy([g for g, _ in pairs], [v for _, v in pairs])
        step.output_losses = per
        y_pred = [o._value for o in outs]
        return float(loss._value), (y_pred[0] if len(y_pred) == 1 else y_pred)

    step.track_outputs = False
    step.output_losses = None
    return step


def plain_graph(model) -> bool:
    """True when no layer call of the model carries extra arguments (``training=True`` ...):
    the compiled plan replays plain calls only."""
    for node in getattr(model, "_graph_nodes", None) or []:
        if node.call_kwargs or len(node.call_args) > 1:
            return False
    return True


def pack_data(x, y=None, sample_weight=None):
    """What Keras hands ``train_step``/``test_step``: ``x`` alone (a tuple ``(x,)`` for
    several inputs), ``(x, y)`` or ``(x, y, sample_weight)``."""
    if y is None and sample_weight is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def build_custom_step(model):
    """A step calling the user's overridden ``model.train_step(data)``; returns its logs."""

    def step(x, y, sample_weight):
        xin = model_inputs(model, x)
        yin = None
        if y is not None:
            yin = [Tensor(a) for a in y] if isinstance(y, list) else Tensor(y)
        if isinstance(sample_weight, list):
            sw = [_as_weight_tensor(w) for w in sample_weight]
        else:
            sw = _as_weight_tensor(sample_weight)
        logs = model.train_step(pack_data(xin, yin, sw))
        return logs

    return step


def build_predict_fn(model, use_plan: bool = True):
    """``fn(x_batch) -> np.ndarray or list``: the compiled plan's predict if it has one,
    else the model's own forward pass."""
    fn = None
    try:
        from lamina.models import plan
    except ImportError:
        plan = None
    if use_plan and plan is not None and hasattr(plan, "build_predict") and plain_graph(model):
        try:
            fn = plan.build_predict(model)
        except Exception:  # noqa: BLE001 - the general path always works
            fn = None
    if fn is not None:
        return fn

    seen: dict = {}

    def predict(x):
        out = model(model_inputs(model, x), training=False)
        if isinstance(out, dict):
            out = list(out.values())
        seen["out"] = out
        return to_numpy_outputs(out)

    def attach_logits(outputs: list) -> None:
        """Carry the logits of sigmoid/softmax outputs over to ``outputs`` (the Tensors the
        loss will see), so evaluation computes losses from logits as training does."""
        from lamina.losses._ops import attach_logits as attach, logits_of

        out = seen.pop("out", None)
        originals = out if isinstance(out, (list, tuple)) else [out]
        for orig, new in zip(originals, outputs):
            for kind in ("sigmoid", "softmax"):
                logits = logits_of(orig, kind) if orig is not None else None
                if logits is not None:
                    attach(new, logits, kind)

    predict.attach_logits = attach_logits
    return predict


__all__ = [
    "build_tape_step",
    "build_predict_fn",
    "compute_total_loss",
    "build_custom_step",
    "weights_per_output",
    "is_per_output",
]
