"""Resolving what ``compile`` was given: losses, loss weights and metrics per output.

Strings, functions, classes and objects are accepted, as Keras does. A built-in loss
function (``'binary_crossentropy'``, ``keras.losses.mae``) becomes the matching Loss object
(``BinaryCrossentropy()``) so every path sees one kind of object. ``'accuracy'``/``'acc'``
(and ``'crossentropy'``/``'ce'``) resolve to the binary, sparse categorical or categorical
variant from the label and prediction shapes, as tf.keras 2.x does, once the first batch is
seen.
"""

from __future__ import annotations

import numpy as np

_ACC = ("accuracy", "acc")
_CE = ("crossentropy", "ce")


# --- losses --------------------------------------------------------------------------------
def _builtin_loss_classes() -> dict:
    from lamina import losses
    from lamina.utils.naming import to_snake_case

    out = {}
    for cls in getattr(losses, "_CLASSES", []):
        out[to_snake_case(cls.__name__)] = cls
    return out


def resolve_loss(identifier):
    """A lamina Loss object for ``identifier`` (or ``None`` for no loss)."""
    if identifier is None:
        return None
    from lamina import losses

    Loss = losses.Loss
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    obj = losses.get(identifier) if isinstance(identifier, (str, dict)) else identifier
    if isinstance(obj, Loss):
        return obj
    if isinstance(obj, type) and issubclass(obj, Loss):
        return obj()
    if not callable(obj):
        raise ValueError(
            f"Could not interpret loss identifier: {identifier!r}. Expected a loss name "
            "(e.g. 'binary_crossentropy'), a function or a keras.losses.Loss instance."
        )
    fn_name = getattr(obj, "__name__", None)
    module = getattr(obj, "__module__", "") or ""
    if module.startswith("lamina.losses") and fn_name:
        cls = _builtin_loss_classes().get(fn_name)
        if cls is not None:
            return cls()
    return losses.LossFunctionWrapper(obj, name=fn_name or "loss")


def loss_display(loss_obj) -> str:
    """A short name of a Loss object, for error messages."""
    return type(loss_obj).__name__ if loss_obj is not None else "None"


# --- metrics -------------------------------------------------------------------------------
def metric_name(identifier) -> str:
    """The name Keras 2.x prints for a metric identifier (a string stays as given)."""
    if isinstance(identifier, str):
        return identifier
    name = getattr(identifier, "name", None)
    if isinstance(name, str):
        return name
    if isinstance(identifier, type):
        from lamina.utils.naming import to_snake_case

        return to_snake_case(identifier.__name__)
    return getattr(identifier, "__name__", "metric")


def resolve_metric(identifier, y_true_shape: tuple, y_pred_shape: tuple, loss_obj=None):
    """A stateful metric object for ``identifier``, given label/prediction shapes."""
    from lamina import metrics

    Metric = metrics.Metric
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    name = metric_name(identifier)
    if isinstance(identifier, str) and identifier in _ACC + _CE:
        t_rank, p_rank = len(y_true_shape), len(y_pred_shape)
        t_last = y_true_shape[-1] if t_rank else None
        p_last = y_pred_shape[-1] if p_rank else None
        is_binary = p_last == 1
        is_sparse = t_rank < p_rank or (t_last == 1 and p_last is not None and p_last > 1)
        if identifier in _ACC:
            fn = (
                "binary_accuracy"
                if is_binary
                else "sparse_categorical_accuracy"
                if is_sparse
                else "categorical_accuracy"
            )
        else:
            fn = (
                "binary_crossentropy"
                if is_binary
                else "sparse_categorical_crossentropy"
                if is_sparse
                else "categorical_crossentropy"
            )
        return metrics.MeanMetricWrapper(metrics.get(fn), name=name)
    if isinstance(identifier, (str, dict)):
        if isinstance(identifier, str):
            from lamina.legacy import METRIC_ALIASES

            identifier_l = METRIC_ALIASES.get(identifier, identifier)
        else:
            identifier_l = identifier
        obj = metrics.get(identifier_l)
    else:
        obj = identifier
    if isinstance(obj, Metric):
        return obj
    if isinstance(obj, type) and issubclass(obj, Metric):
        return obj()
    if not callable(obj):
        raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
    return metrics.MeanMetricWrapper(obj, name=name)


class CompiledSpec:
    """What ``compile`` resolved: per-output loss objects, loss weights, metric specs."""

    def __init__(self, model, loss, loss_weights, metrics, weighted_metrics) -> None:
        self.output_names = list(model.output_names) if _known_outputs(model) else None
        self.raw_loss = loss
        self.raw_metrics = metrics
        self.raw_weighted = weighted_metrics
        self.loss_weights_raw = loss_weights
        self.losses: list | None = None  # per output
        self.loss_weights: list | None = None
        self.metric_specs: list | None = None  # per output: list of (identifier, weighted)
        self.metric_objects: list | None = None  # (output_index, full_name, obj, weighted)
        if self.output_names is not None:
            self.bind(self.output_names)

    @property
    def n_outputs(self) -> int | None:
        return None if self.output_names is None else len(self.output_names)

    def bind(self, output_names: list[str]) -> None:
        """Spread the compile arguments over ``output_names`` (called once outputs are known)."""
        self.output_names = list(output_names)
        n = len(output_names)
        self.losses = _per_output(self.raw_loss, output_names, "loss", resolve_loss)
        lw = self.loss_weights_raw
        if lw is None:
            self.loss_weights = [1.0] * n
        elif isinstance(lw, dict):
            unknown = set(lw) - set(output_names)
            if unknown:
                raise ValueError(
                    f"Unknown entries in loss_weights dictionary: {sorted(unknown)}. Only "
                    f"expected the following keys: {output_names}"
                )
            self.loss_weights = [float(lw.get(k, 1.0)) for k in output_names]
        elif isinstance(lw, (list, tuple)):
            if len(lw) != n:
                raise ValueError(
                    f"When passing a list as loss_weights, it should have one entry per model "
                    f"output. The model has {n} outputs, but you passed loss_weights={lw}"
                )
            self.loss_weights = [float(w) for w in lw]
        else:
            self.loss_weights = [float(lw)] * n
        specs = [[] for _ in range(n)]
        for raw, weighted in ((self.raw_metrics, False), (self.raw_weighted, True)):
            for i, items in enumerate(_metrics_per_output(raw, output_names)):
                specs[i].extend((m, weighted) for m in items)
        self.metric_specs = specs
        self.metric_objects = None

    def metric_names(self) -> list[str]:
        if self.metric_specs is None:
            return []
        names = []
        multi = len(self.metric_specs) > 1
        for i, specs in enumerate(self.metric_specs):
            plain = {metric_name(m) for m, w in specs if not w}
            for m, weighted in specs:
                name = metric_name(m)
                if weighted and name in plain:
                    name = "weighted_" + name
                names.append(f"{self.output_names[i]}_{name}" if multi else name)
        return names

    def build_metrics(self, y_true_list: list, y_pred_list: list) -> list:
        """Create the metric objects from the first batch's shapes."""
        if self.metric_objects is not None:
            return self.metric_objects
        objs = []
        names = iter(self.metric_names())
        for i, specs in enumerate(self.metric_specs):
            yt = y_true_list[i] if i < len(y_true_list) else None
            yp = y_pred_list[i]
            t_shape = tuple(np.shape(yt)) if yt is not None else tuple(np.shape(yp))
            p_shape = tuple(np.shape(yp))
            for m, weighted in specs:
                obj = resolve_metric(m, t_shape, p_shape, self.losses[i])
                full = next(names)
                if full != metric_name(m) and hasattr(obj, "name"):
                    obj.name = full  # tf.keras 2.x renames: out_a_mae, weighted_accuracy
                objs.append((i, full, obj, weighted))
        self.metric_objects = objs
        return objs


def _known_outputs(model) -> bool:
    return (
        bool(getattr(model, "_is_graph_network", False))
        or getattr(model, "_n_outputs", None) is not None
    )


def _per_output(raw, names: list[str], what: str, resolve) -> list:
    n = len(names)
    if isinstance(raw, dict):
        unknown = set(raw) - set(names)
        if unknown:
            raise ValueError(
                f"Unknown entries in {what} dictionary: {sorted(unknown)}. Only expected the "
                f"following keys: {names}"
            )
        return [resolve(raw.get(k)) for k in names]
    if isinstance(raw, (list, tuple)):
        if len(raw) != n:
            raise ValueError(
                f"When passing a list as {what}, it should have one entry per model output. "
                f"The model has {n} output(s), but you passed {what}={list(raw)!r}."
            )
        return [resolve(x) for x in raw]
    obj = resolve(raw)
    if n > 1 and obj is not None:
        return [resolve(raw) for _ in names]
    return [obj] * n


def _metrics_per_output(raw, names: list[str]) -> list[list]:
    n = len(names)
    if raw is None:
        return [[] for _ in names]
    if isinstance(raw, dict):
        unknown = set(raw) - set(names)
        if unknown:
            raise ValueError(
                f"Unknown entries in metrics dictionary: {sorted(unknown)}. Only expected the "
                f"following keys: {names}"
            )
        return [_as_list(raw.get(k)) for k in names]
    if isinstance(raw, (str,)) or callable(raw) and not isinstance(raw, (list, tuple)):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        raise TypeError(
            "Type of `metrics` argument not understood. Expected a list or dictionary, found: "
            f"{raw!r}"
        )
    if n > 1 and raw and all(isinstance(x, (list, tuple)) for x in raw):
        if len(raw) != n:
            raise ValueError(
                f"When passing a list of lists as metrics, it should have one entry per model "
                f"output. The model has {n} outputs, but you passed metrics={raw!r}"
            )
        return [list(x) for x in raw]
    # A flat list applies to every output (each output gets fresh objects by name).
    return [list(raw) if i == 0 else [_fresh(m) for m in raw] for i in range(n)]


def _fresh(m):
    """The same metric for another output (Metric objects are copied from their config)."""
    try:
        from lamina import metrics

        if isinstance(m, metrics.Metric):
            return type(m).from_config(m.get_config())
    except (ImportError, AttributeError, TypeError):
        pass
    return m


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


__all__ = ["resolve_loss", "resolve_metric", "CompiledSpec", "metric_name"]
