"""``compile``, ``fit``, ``evaluate``, ``predict`` and the batch-level methods of models.

Semantics follow tf.keras 2.x: ``validation_split`` takes the last fraction of the data
before shuffling; every epoch reshuffles from the seeded random state; the last partial
batch is used; the reported loss is the batch-size-weighted mean of the batch losses (each
including the regularization penalties); metrics are stateful over the epoch; ``evaluate``
returns a scalar when only the loss is tracked. Bad input is refused before training starts,
with a message naming what was received and what was expected.

The per-batch step comes from the compiled plan (``models/plan.py``) when it supports the
model, else from :func:`~lamina.models.train_step.build_tape_step`.
"""

from __future__ import annotations

import numpy as np

from lamina.models import data_adapter as da
from lamina.models.train_step import (
    build_custom_step,
    build_predict_fn,
    build_tape_step,
    compute_total_loss,
    is_per_output,
    model_inputs,
    pack_data,
    plain_graph,
    to_numpy_outputs,
    weights_per_output,
)


def _f32(x) -> float:
    """A Python float of a float32 value, as tf.keras logs report them."""
    if hasattr(x, "_value"):
        x = x._value
    return float(np.float32(np.asarray(x)))


class _LossTracker:
    """The running mean of the loss over an epoch, weighted by batch size, reported as a
    float32 value like tf.keras's ``Mean`` metric (``model.metrics[0]``)."""

    def __init__(self, name: str = "loss") -> None:
        self.name = name
        self.total = 0.0
        self.count = 0.0

    def update_state(self, value: float, sample_weight: float = 1.0) -> None:
        self.total += value * sample_weight
        self.count += sample_weight

    def result(self) -> float:
        return _f32(self.total / self.count) if self.count else 0.0

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    reset_states = reset_state

    def __repr__(self) -> str:
        return f"<Mean name={self.name}>"


def _positive_int(value, name: str, allow_none: bool = True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) <= 0:
        if isinstance(value, float) and value.is_integer() and value > 0:
            return int(value)
        raise ValueError(f"`{name}` must be a positive integer, received {name}={value!r}.")
    return int(value)


def _value(x):
    if hasattr(x, "_value"):
        return x._value
    return np.asarray(x)


class Trainer:
    """Training and inference methods mixed into :class:`~lamina.models.Model`."""

    def _init_trainer(self) -> None:
        self.optimizer = None
        self.loss = None
        self.compiled_loss_fn = None
        self._compiled = None
        self._is_compiled = False
        self.stop_training = False
        self.history = None
        self._run_eagerly = False
        self._loss_tracker = _LossTracker()
        self._output_loss_trackers: list = []
        self._train_step_cache = None
        self._predict_fn_cache = None
        self._compile_config = None

    # --- compile --------------------------------------------------------------------------
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        loss_weights=None,
        weighted_metrics=None,
        run_eagerly=None,
        steps_per_execution=None,
        jit_compile=None,
        auto_scale_loss=None,
        **kwargs,
    ) -> None:
        """Configure training: optimizer, loss (per output if several), metrics."""
        from lamina import optimizers
        from lamina.models.compile_utils import CompiledSpec

        for k in ("sample_weight_mode", "target_tensors", "distribute", "pss_evaluation_shards"):
            kwargs.pop(k, None)
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {sorted(kwargs)}")
        if optimizer is None:
            optimizer = "rmsprop"
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        spec = CompiledSpec(self, loss, loss_weights, metrics, weighted_metrics)
        self._compiled = spec
        self.compiled_loss_fn = self._primary_loss()
        self._run_eagerly = bool(run_eagerly)
        self._is_compiled = True
        self._train_step_cache = None
        self._predict_fn_cache = None
        self._compile_config = {
            "optimizer": optimizer,
            "loss": loss,
            "metrics": metrics,
            "loss_weights": loss_weights,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly,
        }
        if spec.losses is None and loss is not None:
            # Subclassed model: validate the loss identifier now, spread over outputs later.
            from lamina.models.compile_utils import resolve_loss

            for item in (
                loss.values()
                if isinstance(loss, dict)
                else loss
                if isinstance(loss, (list, tuple))
                else [loss]
            ):
                resolve_loss(item)
        self._validate_metric_names(metrics)
        self._validate_metric_names(weighted_metrics)

    def _validate_metric_names(self, metrics) -> None:
        from lamina import metrics as metrics_mod

        items = []
        if isinstance(metrics, dict):
            for v in metrics.values():
                items.extend(v if isinstance(v, (list, tuple)) else [v])
        elif isinstance(metrics, (list, tuple)):
            for v in metrics:
                items.extend(v if isinstance(v, (list, tuple)) else [v])
        elif metrics is not None:
            items = [metrics]
        for m in items:
            if isinstance(m, str) and m not in ("accuracy", "acc", "crossentropy", "ce"):
                from lamina.legacy import METRIC_ALIASES

                metrics_mod.get(METRIC_ALIASES.get(m, m))

    def _primary_loss(self):
        spec = self._compiled
        if spec is None or spec.losses is None:
            return None
        return spec.losses[0] if len(spec.losses) == 1 else list(spec.losses)

    def _bind_compiled(self) -> None:
        """Spread the compile arguments over the outputs once the model is built."""
        spec = self._compiled
        if spec is None or spec.losses is not None:
            return
        if getattr(self, "_is_graph_network", False):
            spec.bind(list(self.output_names))
        elif getattr(self, "_n_outputs", None) is not None:
            self._note_outputs(self._n_outputs)
            return
        else:
            return
        self.compiled_loss_fn = self._primary_loss()
        self._train_step_cache = None

    def _note_outputs(self, n: int) -> None:
        """Called with the number of outputs once a subclassed model has run."""
        if getattr(self, "_n_outputs", None) is None:
            self._n_outputs = n
        spec = self._compiled
        if spec is not None and spec.losses is None:
            spec.bind([f"output_{i + 1}" for i in range(n)] if n > 1 else ["output_1"])
            self.compiled_loss_fn = self._primary_loss()
            self._train_step_cache = None

    def get_compile_config(self) -> dict | None:
        if not self._is_compiled:
            return None
        from lamina.utils.serialization import serialize_keras_object

        cfg = dict(self._compile_config)
        cfg["optimizer"] = serialize_keras_object(self.optimizer)
        try:
            cfg["loss"] = serialize_keras_object(self.loss)
            cfg["metrics"] = serialize_keras_object(self._compile_config["metrics"])
            cfg["weighted_metrics"] = serialize_keras_object(
                self._compile_config["weighted_metrics"]
            )
        except (TypeError, ValueError):
            pass
        return cfg

    def compile_from_config(self, config: dict) -> None:
        from lamina.utils.serialization import deserialize_keras_object

        config = dict(config or {})
        opt = config.get("optimizer", "rmsprop")
        if isinstance(opt, dict):
            from lamina import optimizers

            opt = optimizers.get(opt)
        loss = config.get("loss")
        if isinstance(loss, dict) and "class_name" in loss:
            loss = deserialize_keras_object(loss)
        self.compile(
            optimizer=opt,
            loss=loss,
            metrics=config.get("metrics"),
            loss_weights=config.get("loss_weights"),
            weighted_metrics=config.get("weighted_metrics"),
        )

    @property
    def run_eagerly(self) -> bool:
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._run_eagerly = bool(value)

    @property
    def metrics_names(self) -> list[str]:
        """``['loss', ...]`` in the order ``evaluate`` returns values."""
        if not self._is_compiled:
            return []
        spec = self._compiled
        names = ["loss"]
        if spec.output_names is not None and len(spec.output_names) > 1:
            # one loss mean per output that has a loss (tf.keras 2.x)
            names += [
                f"{n}_loss" for n, loss in zip(spec.output_names, spec.losses) if loss is not None
            ]
        names += spec.metric_names()
        return names

    @property
    def metrics(self) -> list:
        if not self._is_compiled:
            return []
        spec = self._compiled
        out = [self._loss_tracker] + [
            t for t, loss in zip(self._output_loss_trackers, spec.losses or []) if loss is not None
        ]
        if spec.metric_objects:
            out += [obj for _, _, obj, _ in spec.metric_objects]
        return out

    def reset_metrics(self) -> None:
        """Reset every metric (``model.metrics``, including ones a subclass lists)."""
        self._loss_tracker.reset_state()
        for t in self._output_loss_trackers:
            t.reset_state()
        spec = self._compiled
        if spec is not None and spec.metric_objects:
            for _, _, obj, _ in spec.metric_objects:
                obj.reset_state()
        if type(self).metrics is not Trainer.metrics:
            for m in self.metrics:
                reset = getattr(m, "reset_state", None) or getattr(m, "reset_states", None)
                if reset is not None:
                    reset()

    def _assert_compiled(self, what: str) -> None:
        if not self._is_compiled:
            raise RuntimeError(
                "You must compile your model before training/testing. Use "
                f"`model.compile(optimizer, loss)` before calling `{what}`."
            )

    # --- data preparation -------------------------------------------------------------------
    def _input_refs(self) -> list | None:
        if getattr(self, "_is_graph_network", False):
            return list(self.inputs)
        return None

    def _float_dtype(self) -> str:
        refs = self._input_refs()
        if refs:
            return refs[0].dtype if np.dtype(refs[0].dtype).kind == "f" else self.dtype
        return self.dtype

    def _standardize_x(self, x, what: str = "x") -> tuple[list[np.ndarray], object]:
        arrays, struct = da.flatten_struct(x, what)
        refs = self._input_refs()
        if refs is None:  # a subclassed model is called on data shaped as it was given
            self._input_keys = struct if isinstance(struct, list) else None
        if isinstance(struct, list) and refs is not None:  # dict input: order by input names
            names = self.input_names
            missing = [k for k in names if k not in struct]
            if missing:
                raise ValueError(
                    f"Missing data for input {missing[0]!r}. You passed a data dictionary with "
                    f"keys {struct}. Expected the following keys: {names}"
                )
            arrays = [arrays[struct.index(k)] for k in names]
        if refs is not None and len(arrays) != len(refs):
            raise ValueError(
                f'Layer "{self.name}" expects {len(refs)} input(s), but it received '
                f"{len(arrays)} input array(s). Pass a list (or a dict keyed by input name) with "
                "one array per input."
            )
        out = []
        for i, a in enumerate(arrays):
            dtype = refs[i].dtype if refs is not None else self.dtype
            if np.dtype(dtype).kind == "f":
                a = da.cast_float(a, dtype)
            out.append(a)
        return out, struct

    def _standardize_y(self, y, what: str = "y") -> list[np.ndarray]:
        if y is None:
            return []
        arrays, struct = da.flatten_struct(y, what)
        spec = self._compiled
        names = spec.output_names if spec is not None else None
        if isinstance(struct, list) and names is not None:
            missing = [
                k for k in names if k not in struct and spec.losses[names.index(k)] is not None
            ]
            if missing:
                raise ValueError(
                    f"Missing target data for output {missing[0]!r}. You passed a dictionary "
                    f"with keys {struct}; expected keys: {names}"
                )
            arrays = [arrays[struct.index(k)] if k in struct else None for k in names]
        out = []
        for a in arrays:
            if a is None:
                out.append(None)
                continue
            if a.dtype.kind in "iubf":
                a = da.cast_float(a, self._float_dtype())
            out.append(a)
        return out

    def _standardize_sw(self, sample_weight):
        """``None``, one array of per-sample weights (for every output), or, for per-output
        weights (a list in output order or a dict keyed by output name, as tf.keras 2.x), a
        list with one array or ``None`` per output. Needs the outputs bound (``_bind_compiled``);
        a single-output model gets its one array back."""
        if sample_weight is None:
            return None
        spec = self._compiled
        names = list(spec.output_names or []) if spec is not None else []
        per = self._sw_structure(sample_weight, names)
        if per is None:
            return self._sw_array(sample_weight, "sample_weight")
        out = [
            None if w is None else self._sw_array(w, f"sample_weight[{key!r}]") for key, w in per
        ]
        if all(w is None for w in out):
            return None
        if len(out) == 1:
            return out[0]
        return out

    def _sw_structure(self, sample_weight, names: list[str]) -> list | None:
        """``[(key, weights), ...]`` in output order for per-output weights, ``None`` when
        ``sample_weight`` is one array for every output. Refuses lists of the wrong length and
        dict keys that are not output names."""
        n = len(names)
        if isinstance(sample_weight, dict):
            unknown = [k for k in sample_weight if k not in names]
            if unknown:
                import difflib

                k = unknown[0]
                close = difflib.get_close_matches(str(k), names, n=1, cutoff=0.5)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ValueError(
                    f"`sample_weight` has the key {k!r}, which is not an output of model "
                    f"'{self.name}'.{hint} Expected a dict keyed by output name, with keys "
                    f"among {names}; received keys {list(sample_weight)}."
                )
            return [(k, sample_weight.get(k)) for k in names]
        if not isinstance(sample_weight, (list, tuple)) or not sample_weight:
            return None
        items = list(sample_weight)
        structured = any(w is None or _is_weight_array(w) for w in items) or (
            len(items) == n and all(isinstance(w, (list, tuple)) for w in items)
        )
        if not structured:
            return None  # plain numbers (or rows of them): one array for every output
        if len(items) != n:
            outs = "output" if n == 1 else "outputs"
            entries = "entry" if len(items) == 1 else "entries"
            raise ValueError(
                f"`sample_weight` is a list of {len(items)} {entries}, but model '{self.name}' "
                f"has {n} {outs} {names}. Pass one array (or None) per output in this order, "
                "a dict keyed by output name, or a single array that applies to every output."
            )
        for i, w in enumerate(items):
            if w is not None and (np.isscalar(w) or getattr(w, "ndim", None) == 0):
                raise ValueError(
                    f"`sample_weight[{i}]` (for output {names[i]!r}) must be an array with one "
                    f"weight per sample, or None; received {w!r}."
                )
        return list(zip(range(n), items))

    def _sw_array(self, value, what: str) -> np.ndarray:
        sw = da.to_numpy(value, what)
        if sw.dtype.kind not in "fiub":
            raise TypeError(
                f"`{what}` must hold numbers (one weight per sample), received dtype {sw.dtype}."
            )
        sw = sw.astype(self._float_dtype(), copy=False)
        if sw.ndim == 2 and sw.shape[1] == 1:
            sw = sw[:, 0]
        if sw.ndim != 1:
            raise ValueError(
                f"`{what}` must be a 1-D array with one weight per sample, received "
                f"shape {sw.shape}."
            )
        return sw

    def _class_weights(self, class_weight, ys: list[np.ndarray]):
        if class_weight is None:
            return None
        if not isinstance(class_weight, dict):
            raise ValueError(
                f"`class_weight` must be a dict mapping class index to weight, received "
                f"{class_weight!r}."
            )
        try:
            keys = sorted(int(k) for k in class_weight)
        except (TypeError, ValueError):
            keys = None
        if keys is None or keys != list(range(len(keys))):
            raise ValueError(
                "Expected `class_weight` to be a dict with keys from 0 to one less than the "
                f"number of classes, found {class_weight}"
            )
        if len(ys) != 1:
            # tf.keras 2.x's words; per-output weighting goes through sample_weight
            raise ValueError(
                "`class_weight` is only supported for Models with a single output. Pass "
                "`sample_weight` with one array per output instead."
            )
        table = np.array([float(class_weight[k]) for k in range(len(keys))])
        y = ys[0]
        if y.ndim >= 2 and y.shape[-1] > 1:
            ids = np.argmax(y.reshape(len(y), -1), axis=-1)
        else:
            ids = np.rint(y.reshape(len(y), -1)[:, 0]).astype(np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= len(table)):
            raise ValueError(
                f"`class_weight` has weights for classes 0..{len(table) - 1}, but the labels "
                f"contain class {int(ids.max() if ids.max() >= len(table) else ids.min())}."
            )
        return table[ids].astype(self._float_dtype())

    def _ensure_model_built(self, xs: list[np.ndarray]) -> None:
        from lamina.models.sequential import Sequential

        if isinstance(self, Sequential) and not self._is_graph_network:
            if len(xs) != 1:
                raise ValueError(
                    f"Sequential model '{self.name}' takes a single input, received {len(xs)}."
                )
            self._ensure_built_for(xs[0].shape)
        elif not getattr(self, "_is_graph_network", False) and (
            not self.built or getattr(self, "_n_outputs", None) is None
        ):
            sample = [a[:2] for a in xs]

            out = self(model_inputs(self, sample), training=False)
            outs = (
                list(out.values())
                if isinstance(out, dict)
                else (list(out) if isinstance(out, (list, tuple)) else [out])
            )
            self._note_outputs(len(outs))
            self._sample_out_shapes = [tuple(o._value.shape) for o in outs]

    def _conform_x(self, xs: list[np.ndarray]) -> list[np.ndarray]:
        """Expand inputs one rank short (tf.keras 2.x) and check shapes against the model."""
        refs = self._input_refs()
        if refs is None:
            return xs
        out = []
        for i, (a, ref) in enumerate(zip(xs, refs)):
            shape = ref._shape
            if a.ndim == len(shape) - 1 and shape[-1] == 1:
                a = a.reshape(a.shape + (1,))
            if a.ndim != len(shape) or any(
                r is not None and r != s for r, s in zip(shape[1:], a.shape[1:])
            ):
                consumer = self._first_consumer(ref)
                where = (
                    f'layer "{consumer}" of model "{self.name}"'
                    if consumer
                    else f'model "{self.name}"'
                )
                raise ValueError(
                    f"Input {i} of {where} is incompatible with the layer: expected "
                    f"shape={_sh(shape)}, found shape={_sh((None,) + tuple(a.shape[1:]))} "
                    f"(data of shape {tuple(a.shape)})."
                )
            out.append(a)
        return out

    def _first_consumer(self, ref) -> str | None:
        for node in getattr(self, "_graph_nodes", []):
            if any(t is ref for t in node.input_tensors):
                return node.layer.name
        return None

    def _output_shapes(self) -> list[tuple]:
        if getattr(self, "_is_graph_network", False):
            return [tuple(t._shape) for t in self.outputs]
        return list(getattr(self, "_sample_out_shapes", []))

    def _conform_y(self, ys: list, check: bool = True) -> list:
        """Align label ranks with the outputs and refuse labels that cannot fit the loss."""
        spec = self._compiled
        shapes = self._output_shapes()
        if spec.losses is None:
            return ys
        if len(ys) != len(spec.losses) and ys:
            raise ValueError(
                f"The model has {len(spec.losses)} output(s) but {len(ys)} target array(s) were "
                "given. Pass one label array per output (a list, or a dict keyed by output name)."
            )
        out = []
        for i, y in enumerate(ys):
            if y is None or i >= len(shapes):
                out.append(y)
                continue
            oshape = shapes[i]
            if y.ndim == 1 and len(oshape) == 2:
                y = y.reshape(-1, 1)
            if check:
                _check_labels(
                    spec.losses[i], y, oshape, spec.output_names[i], multi=len(shapes) > 1
                )
            out.append(y)
        return out

    def _prepare(self, x, y, sample_weight, class_weight=None, check: bool = True):
        xs, _ = self._standardize_x(x)
        ys = self._standardize_y(y)
        if sample_weight is not None and self._compiled.output_names is None:
            # a subclassed model not run yet: per-output weights need its outputs
            da.check_cardinality(xs, [a for a in ys if a is not None], [])
            self._ensure_model_built(xs)
            self._bind_compiled()
        sw = self._standardize_sw(sample_weight)
        n = da.check_cardinality(xs, [a for a in ys if a is not None], da.weight_arrays(sw))
        if check:
            da.check_finite(xs, "x")
            da.check_finite([a for a in ys if a is not None], "y")
            if sw is not None:
                da.check_finite(da.weight_arrays(sw), "sample_weight")
        self._ensure_model_built(xs)
        self._bind_compiled()
        xs = self._conform_x(xs)
        ys = self._conform_y(ys, check=check)
        cw = self._class_weights(class_weight, [a for a in ys if a is not None])
        if cw is not None:
            sw = cw if sw is None else sw * cw
        return xs, ys, sw, n

    # --- the steps ----------------------------------------------------------------------------
    def _has_custom_train_step(self) -> bool:
        from lamina.models.model import Model

        return type(self).train_step is not Model.train_step

    def _structure_key(self) -> tuple:
        """What a compiled step depends on: the layers and which variables train."""
        return (
            tuple(id(x) for x in self.layers),
            tuple(id(v) for v in self.trainable_variables),
        )

    def _get_train_step(self):
        key = self._structure_key()
        if self._train_step_cache is not None and getattr(self, "_step_key", None) == key:
            return self._train_step_cache
        self._step_key = key
        if self._has_custom_train_step():
            step = build_custom_step(self)
            step.custom = True
        else:
            step = None
            if not self._run_eagerly:
                try:
                    from lamina.models import plan
                except ImportError:
                    plan = None
                if plan is not None and plain_graph(self):
                    step = plan.build_train_step(self)
            if step is None:
                step = build_tape_step(self)
            step.custom = False
        self._train_step_cache = step
        return step

    def _get_predict_fn(self):
        key = tuple(id(x) for x in self.layers)
        if self._predict_fn_cache is None or getattr(self, "_predict_key", None) != key:
            self._predict_fn_cache = build_predict_fn(self, use_plan=not self._run_eagerly)
            self._predict_key = key
        return self._predict_fn_cache

    def train_step(self, data):
        """One optimizer step on ``data = (x, y[, sample_weight])``; returns the logs.

        Override it for custom training (call ``self.compute_loss`` and
        ``self.optimizer.apply_gradients`` inside a ``GradientTape``), as in Keras.
        """
        from lamina.autodiff.tape import GradientTape

        x, y, sw = da.unpack_batch(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sw)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients([(g, v) for g, v in zip(grads, variables) if g is not None])
        return self.compute_metrics(x, y, y_pred, sw, loss=loss)

    def test_step(self, data):
        x, y, sw = da.unpack_batch(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sw)
        return self.compute_metrics(x, y, y_pred, sw, loss=loss)

    def predict_step(self, data):
        x, _, _ = da.unpack_batch(data)
        return self(x, training=False)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of ``y_pred`` against ``y`` plus the regularization penalties."""
        outs = (
            list(y_pred.values())
            if isinstance(y_pred, dict)
            else (list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred])
        )
        self._note_outputs(len(outs))
        ys = (
            []
            if y is None
            else list(y.values())
            if isinstance(y, dict)
            else (list(y) if isinstance(y, (list, tuple)) and len(outs) > 1 else [y])
        )
        ys = [_align_label(t, p) for t, p in zip(ys, outs)]
        spec = self._compiled
        per = [] if spec.output_names is not None and len(spec.output_names) > 1 else None
        total = compute_total_loss(self, ys, outs, sample_weight, per)
        if per:  # tf.keras 2.x: the per-output loss means follow compute_loss
            self._record_output_losses(per, outs)
        return total

    def _record_output_losses(self, values: list, outs: list) -> None:
        """Update the per-output loss means with one batch's per-output losses."""
        self._ensure_output_trackers()
        first = _value(outs[0]) if outs else None
        n = np.shape(first)[0] if first is not None and np.ndim(first) else 1
        for tracker, v in zip(self._output_loss_trackers, values):
            tracker.update_state(float(v), n)

    @property
    def compiled_loss(self):
        """tf.keras 2.x's loss container: ``self.compiled_loss(y, y_pred, sample_weight,
        regularization_losses=self.losses)`` in a custom ``train_step``."""
        self._assert_compiled("compiled_loss")
        return _CompiledLoss(self)

    @property
    def compiled_metrics(self):
        """tf.keras 2.x's metrics container: ``self.compiled_metrics.update_state(y, y_pred)``."""
        self._assert_compiled("compiled_metrics")
        return _CompiledMetrics(self)

    def compute_metrics(self, x, y, y_pred, sample_weight=None, loss=None) -> dict:
        """Update the compiled metrics with one batch and return the current results."""
        outs = (
            list(y_pred.values())
            if isinstance(y_pred, dict)
            else (list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred])
        )
        ys = (
            []
            if y is None
            else list(y.values())
            if isinstance(y, dict)
            else (list(y) if isinstance(y, (list, tuple)) and len(outs) > 1 else [y])
        )
        preds = [to_numpy_outputs(o) for o in outs]
        ys_np = [_value(t) for t in ys]
        ys_np = [_align_np(t, p) for t, p in zip(ys_np, preds)]
        swn = _weights_numpy(sample_weight, self._compiled, len(preds))
        if loss is not None:
            n = preds[0].shape[0] if preds and preds[0].ndim else 1
            self._loss_tracker.update_state(float(_value(loss)), n)
        self._update_metrics(ys_np, preds, swn)
        return self._current_logs()

    def _update_metrics(self, ys: list, preds: list, sw) -> None:
        spec = self._compiled
        if not spec.metric_specs:
            return
        objs = spec.metric_objects
        if objs is None:
            objs = spec.build_metrics(ys, preds)
        per = sw if isinstance(sw, list) else None
        for i, _, obj, weighted in objs:
            if i < len(ys) and ys[i] is not None:
                if not weighted:
                    w = None
                elif per is None:
                    w = sw
                else:
                    w = per[i] if i < len(per) else None
                obj.update_state(ys[i], preds[i], sample_weight=w)

    def _current_logs(self) -> dict:
        logs = {"loss": self._loss_tracker.result()}
        spec = self._compiled
        for name, loss, tracker in zip(
            spec.output_names or [], spec.losses or [], self._output_loss_trackers
        ):
            if loss is not None:
                logs[f"{name}_loss"] = tracker.result()
        if spec.metric_objects:
            for _, name, obj, _ in spec.metric_objects:
                logs[name] = _f32(obj.result())
        return logs

    def _ensure_output_trackers(self) -> None:
        spec = self._compiled
        n = len(spec.output_names or [])
        if n > 1 and len(self._output_loss_trackers) != n:
            self._output_loss_trackers = [
                _LossTracker(f"{name}_loss") for name in spec.output_names
            ]

    # --- fit --------------------------------------------------------------------------------
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        **kwargs,
    ):
        """Train for ``epochs`` epochs; returns the ``History`` (also ``model.history``)."""
        from lamina.callbacks.callback_list import CallbackList, resolve_verbose

        if "nb_epoch" in kwargs:
            epochs = kwargs.pop("nb_epoch")
        if kwargs:
            raise TypeError(f"fit() got an unexpected keyword argument {sorted(kwargs)[0]!r}")
        self._assert_compiled("fit")
        verbose = resolve_verbose(verbose)
        batch_size = _positive_int(batch_size, "batch_size")
        epochs = _positive_int(epochs, "epochs", allow_none=False)
        steps_per_epoch = _positive_int(steps_per_epoch, "steps_per_epoch")
        validation_steps = _positive_int(validation_steps, "validation_steps")
        validation_batch_size = _positive_int(validation_batch_size, "validation_batch_size")
        if (
            isinstance(initial_epoch, bool)
            or not isinstance(initial_epoch, (int, np.integer))
            or initial_epoch < 0
        ):
            raise ValueError(
                f"`initial_epoch` must be a non-negative integer, received {initial_epoch!r}."
            )
        try:
            validation_split = float(validation_split or 0.0)
        except (TypeError, ValueError):
            raise ValueError(
                f"`validation_split` must be a float in [0, 1), received {validation_split!r}."
            ) from None
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(
                f"`validation_split` must be in the range [0, 1), received "
                f"validation_split={validation_split}. It is the fraction of the data kept "
                "for validation (e.g. 0.2)."
            )
        if shuffle not in (True, False, "batch") and not isinstance(shuffle, (int, np.integer)):
            raise ValueError(f"`shuffle` must be True, False or 'batch', received {shuffle!r}.")
        if x is None:
            raise ValueError("`fit` needs training data: pass `x` (and `y`).")

        if da.is_generator_like(x):
            return self._fit_generator(
                x,
                y,
                epochs,
                verbose,
                callbacks,
                validation_data,
                validation_split,
                initial_epoch,
                steps_per_epoch,
                validation_steps,
                validation_batch_size,
                validation_freq,
                class_weight,
                sample_weight,
            )

        bs = batch_size or 32
        xs, ys, sw, n = self._prepare(x, y, sample_weight, class_weight)
        self._require_targets(ys, "fit")
        val = None
        if validation_data is not None:
            val = self._prepare_validation(validation_data, validation_steps)
        elif validation_split:
            (xs, ys, sw), (vx, vy, vw) = da.validation_split_arrays(xs, ys, sw, validation_split)
            val = (vx, vy, vw)
            n = da.num_samples(xs)
        train = da.ArrayBatcher(xs, ys, sw, bs, steps_per_epoch)
        val_batcher = None
        if val is not None:
            if isinstance(val, da.GeneratorBatcher):
                val_batcher = val
            else:
                val_batcher = da.ArrayBatcher(
                    val[0], val[1], val[2], validation_batch_size or bs, validation_steps
                )
        cbks = CallbackList(
            callbacks,
            add_history=True,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=epochs,
            steps=train.steps,
            samples=n,
            val_samples=(val_batcher.n if isinstance(val_batcher, da.ArrayBatcher) else None),
            batch_size=bs,
            do_validation=val_batcher is not None,
        )
        return self._fit_loop(
            train, val_batcher, cbks, epochs, initial_epoch, shuffle, validation_freq
        )

    def _resume_point(self, cbks, initial_epoch: int) -> int:
        """The epoch to start at: a callback (BackupAndRestore) may have restored a run and
        set ``_initial_epoch`` and the History so far during ``on_train_begin``."""
        resumed = self.__dict__.pop("_initial_epoch", None)
        restored = self.__dict__.pop("_resume_history", None)
        history = getattr(cbks, "_history", None)
        if restored is not None and history is not None:
            epochs, values = restored
            history.epoch = list(epochs)
            for key, vals in values.items():
                history.history[key] = list(vals)
        return initial_epoch if resumed is None else max(int(resumed), initial_epoch)

    def _require_targets(self, ys: list, what: str) -> None:
        spec = self._compiled
        if (
            not any(a is not None for a in ys)
            and spec.losses
            and any(loss is not None for loss in spec.losses)
        ):
            raise ValueError(
                f"`{what}` received no target data `y`, but the model was compiled with a loss. "
                f"Pass `y` (labels) as the second argument: model.{what}(x, y)."
            )

    def _prepare_validation(self, validation_data, validation_steps=None):
        if da.is_generator_like(validation_data):
            self._batch_checked = False
            return da.GeneratorBatcher(
                validation_data, validation_steps, self._standardize_batch, "validation_data"
            )
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            got = (
                f"a {type(validation_data).__name__} of length {len(validation_data)}"
                if isinstance(validation_data, (tuple, list))
                else type(validation_data).__name__
            )
            raise ValueError(
                "`validation_data` must be a tuple `(x_val, y_val)` or `(x_val, y_val, "
                f"val_sample_weights)` (or a generator), received {got}."
            )
        vx, vy = validation_data[0], validation_data[1]
        vw = validation_data[2] if len(validation_data) == 3 else None
        try:
            xs, ys, sw, _ = self._prepare(vx, vy, vw)
        except (ValueError, TypeError) as e:
            raise type(e)(f"Invalid `validation_data`: {e}") from None
        return xs, ys, sw

    def _standardize_batch(self, item):
        """One generator batch -> (xs, ys, sw) of cast, rank-aligned arrays."""
        bx, by, bw = da.unpack_batch(item)
        xs, _ = self._standardize_x(bx)
        ys = self._standardize_y(by)
        if not self._batch_checked:
            if bw is not None and self._compiled.output_names is None:
                da.check_cardinality(xs, [a for a in ys if a is not None], [])
                self._ensure_model_built(xs)
                self._bind_compiled()
            sw = self._standardize_sw(bw)
            da.check_cardinality(xs, [a for a in ys if a is not None], da.weight_arrays(sw))
            da.check_finite(xs, "x")
            da.check_finite([a for a in ys if a is not None], "y")
            self._ensure_model_built(xs)
            self._bind_compiled()
        else:
            sw = self._standardize_sw(bw)
        xs = self._conform_x(xs)
        ys = self._conform_y(ys, check=not self._batch_checked)
        self._batch_checked = True
        if self._gen_class_weight is not None and ys:
            cw = self._class_weights(self._gen_class_weight, ys)
            sw = cw if sw is None else sw * cw
        return xs, ys, sw

    _batch_checked = False
    _gen_class_weight = None

    def _fit_generator(
        self,
        x,
        y,
        epochs,
        verbose,
        callbacks,
        validation_data,
        validation_split,
        initial_epoch,
        steps_per_epoch,
        validation_steps,
        validation_batch_size,
        validation_freq,
        class_weight,
        sample_weight,
    ):
        from lamina.callbacks.callback_list import CallbackList

        if y is not None:
            raise ValueError(
                "`y` argument is not supported when using a generator or Sequence as input: "
                "the generator must yield (x, y) batches."
            )
        if sample_weight is not None:
            raise ValueError(
                "`sample_weight` argument is not supported when using a generator as input; "
                "yield (x, y, sample_weight) batches instead."
            )
        if validation_split:
            raise ValueError(
                "`validation_split` is only supported for arrays and tensors, not generators. "
                "Pass `validation_data` instead."
            )
        self._batch_checked = False
        self._gen_class_weight = class_weight
        train = da.GeneratorBatcher(x, steps_per_epoch, self._standardize_batch)
        val_batcher = None
        if validation_data is not None:
            if da.is_generator_like(validation_data):
                val_batcher = da.GeneratorBatcher(
                    validation_data, validation_steps, self._standardize_batch, "validation_data"
                )
            else:
                vx, vy, vw = self._prepare_validation(validation_data)
                val_batcher = da.ArrayBatcher(
                    vx, vy, vw, validation_batch_size or 32, validation_steps
                )
        cbks = CallbackList(
            callbacks,
            add_history=True,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=epochs,
            steps=train.steps,
        )
        try:
            return self._fit_loop(
                train, val_batcher, cbks, epochs, initial_epoch, False, validation_freq
            )
        finally:
            self._gen_class_weight = None

    def _fit_loop(self, train, val_batcher, cbks, epochs, initial_epoch, shuffle, validation_freq):
        from lamina.backend.blas import threads_for_fit

        # Small models train on one BLAS thread (see lamina/backend/blas.py).
        with threads_for_fit(self, getattr(train, "batch_size", 32)):
            return self._run_epochs(
                train, val_batcher, cbks, epochs, initial_epoch, shuffle, validation_freq
            )

    def _run_epochs(
        self, train, val_batcher, cbks, epochs, initial_epoch, shuffle, validation_freq
    ):
        step = self._get_train_step()
        custom = getattr(step, "custom", False)
        spec = self._compiled
        multi = spec.output_names is not None and len(spec.output_names) > 1
        if multi and not custom:
            step.track_outputs = True
            self._ensure_output_trackers()
        self.stop_training = False
        tracker = self._loss_tracker
        logs: dict = {}
        epoch_logs: dict = {}
        cbks.on_train_begin()
        initial_epoch = self._resume_point(cbks, initial_epoch)
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbks.on_epoch_begin(epoch)
            hooks = cbks._should_call_train_batch_hooks
            has_metrics = bool(spec.metric_specs and any(spec.metric_specs))
            logs = {}
            for i, (xs, ys, sw) in enumerate(train.epoch(shuffle)):
                if hooks:
                    cbks.on_train_batch_begin(i)
                if custom:
                    logs = self._run_custom_step(step, xs, ys, sw)
                else:
                    loss, y_pred = step(
                        xs[0] if len(xs) == 1 else xs, ys[0] if len(ys) == 1 else ys, sw
                    )
                    nb = xs[0].shape[0]
                    tracker.update_state(loss, nb)
                    if multi and step.output_losses:
                        self._ensure_output_trackers()
                        for t, v in zip(self._output_loss_trackers, step.output_losses):
                            t.update_state(v, nb)
                    if has_metrics:
                        self._update_metrics(
                            ys, y_pred if isinstance(y_pred, list) else [y_pred], sw
                        )
                    if hooks:
                        logs = self._current_logs()
                if hooks:
                    cbks.on_train_batch_end(i, logs)
                if self.stop_training:
                    break
            if spec.metric_specs is None:  # a subclassed model bound its outputs meanwhile
                spec = self._compiled
            if getattr(train, "ran_out", False):
                import warnings

                warnings.warn(
                    "Your input ran out of data; interrupting training. Make sure that your "
                    "generator can generate at least `steps_per_epoch * epochs` batches (in "
                    f"this case, {train.steps * epochs} batches); loop over your data with "
                    "`while True`.",
                    stacklevel=3,
                )
                self.stop_training = True
                if not train.last_count:
                    break
            epoch_logs = dict(logs) if custom else self._current_logs()
            if val_batcher is not None and _should_validate(epoch, validation_freq):
                val_logs = self._test_loop(val_batcher, cbks, in_fit=True)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbks.on_train_end(logs=epoch_logs)
        return self.history

    def _run_custom_step(self, step, xs, ys, sw) -> dict:
        xb = xs[0] if len(xs) == 1 else xs
        yb = (ys[0] if len(ys) == 1 else ys) if ys else None
        out = step(xb, yb, sw)
        return {k: _f32(v) if _is_number(v) else v for k, v in dict(out or {}).items()}

    # --- evaluate ---------------------------------------------------------------------------
    def _test_loop(self, batcher, cbks, in_fit: bool = False) -> dict:
        predict = self._get_predict_fn()
        custom_test = type(self).test_step is not Trainer.test_step
        self.reset_metrics()
        cbks.on_test_begin()
        hooks = cbks._should_call_test_batch_hooks
        tracker = self._loss_tracker
        spec = self._compiled
        multi = spec.output_names is not None and len(spec.output_names) > 1
        if multi:
            self._ensure_output_trackers()
        logs: dict = {}
        if (
            not hooks
            and not custom_test
            and self._mean_reduced_losses()
            and isinstance(batcher, da.ArrayBatcher)
        ):
            batcher = batcher.rebatched(_EVAL_CHUNK)
        for i, (xs, ys, sw) in enumerate(batcher.epoch(False)):
            if hooks:
                cbks.on_test_batch_begin(i)
            if custom_test:
                from lamina.autodiff.tensor import Tensor

                xb = model_inputs(self, xs)
                yb = None if not ys else Tensor(ys[0]) if len(ys) == 1 else [Tensor(a) for a in ys]
                data = pack_data(xb, yb, _weight_tensors(sw))
                logs = {
                    k: _f32(v) if _is_number(v) else v
                    for k, v in dict(self.test_step(data) or {}).items()
                }
            else:
                xb = xs[0] if len(xs) == 1 else xs
                y_pred = predict(xb)
                preds = y_pred if isinstance(y_pred, list) else [y_pred]
                per = [] if multi else None
                from lamina.autodiff.tensor import Tensor

                pred_tensors = [Tensor(p) for p in preds]
                attach = getattr(predict, "attach_logits", None)
                if attach is not None:
                    attach(pred_tensors)  # losses use the logits, as in training
                loss = compute_total_loss(
                    self,
                    [None if a is None else Tensor(a) for a in ys],
                    pred_tensors,
                    _weight_tensors(sw),
                    per,
                )
                nb = xs[0].shape[0]
                tracker.update_state(float(loss._value), nb)
                if per:
                    for t, v in zip(self._output_loss_trackers, per):
                        t.update_state(v, nb)
                if spec.metric_specs and any(spec.metric_specs):
                    self._update_metrics(ys, preds, sw)
                if hooks:
                    logs = self._current_logs()
            if hooks:
                cbks.on_test_batch_end(i, logs)
        if not custom_test:
            logs = self._current_logs()
        cbks.on_test_end(logs)
        return logs

    def _mean_reduced_losses(self) -> bool:
        """True when batch size cannot change what evaluation reports: every loss averages
        over the batch and every metric is a built-in one accumulating over samples (a user's
        metric function returning one value per batch would average batch means instead)."""
        spec = self._compiled
        if spec is None or spec.losses is None:
            return False
        if not all(
            loss is None or getattr(loss, "reduction", None) in ("sum_over_batch_size", "auto")
            for loss in spec.losses
        ):
            return False
        for specs in spec.metric_specs or []:
            for ident, _ in specs:
                if isinstance(ident, (str, dict)):
                    continue  # a built-in name
                owner = (
                    ident
                    if isinstance(ident, type)
                    or callable(ident)
                    and not hasattr(ident, "update_state")
                    else type(ident)
                )
                fn = getattr(ident, "_fn", None)
                for part in (owner, fn):
                    module = getattr(part, "__module__", "") or ""
                    if part is not None and not module.startswith("lamina."):
                        return False
        return True

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        return_dict=False,
        **kwargs,
    ):
        """Loss and metrics on ``x``/``y``: a scalar if only the loss is tracked, else a list
        in ``metrics_names`` order (or a dict with ``return_dict=True``)."""
        from lamina.callbacks.callback_list import CallbackList, resolve_verbose

        kwargs.pop("_use_cached_eval_dataset", None)
        if kwargs:
            raise TypeError(f"evaluate() got an unexpected keyword argument {sorted(kwargs)[0]!r}")
        self._assert_compiled("evaluate")
        verbose = resolve_verbose(verbose)
        batch_size = _positive_int(batch_size, "batch_size")
        steps = _positive_int(steps, "steps")
        if x is None:
            raise ValueError("`evaluate` needs data: pass `x` (and `y`).")
        if da.is_generator_like(x):
            self._batch_checked = False
            batcher = da.GeneratorBatcher(x, steps, self._standardize_batch)
        else:
            xs, ys, sw, _ = self._prepare(x, y, sample_weight)
            self._require_targets(ys, "evaluate")
            batcher = da.ArrayBatcher(xs, ys, sw, batch_size or 32, steps)
        # the keras2.2/2.3 output styles count evaluate's bar in samples, as Keras 2.x did
        sizes = (
            {"samples": batcher.n, "batch_size": batch_size or 32}
            if isinstance(batcher, da.ArrayBatcher) and steps is None
            else {}
        )
        cbks = CallbackList(
            callbacks,
            add_history=False,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=1,
            steps=batcher.steps,
            **sizes,
        )
        logs = self._test_loop(batcher, cbks)
        if return_dict:
            return dict(logs)
        names = self.metrics_names
        values = [logs[k] for k in names if k in logs] or list(logs.values())
        return values[0] if len(values) == 1 else values

    # --- predict ----------------------------------------------------------------------------
    def predict(
        self,
        x,
        batch_size=None,
        verbose="auto",
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
    ):
        """Model outputs for ``x`` as NumPy arrays (one array, or a list for several outputs)."""
        from lamina.callbacks.callback_list import CallbackList, resolve_verbose

        if isinstance(verbose, str) and verbose == "auto":
            # Keras 2.2/2.3 and tf.keras up to 2.8 (the seeds' versions) predicted silently.
            verbose = 0
        verbose = resolve_verbose(verbose)
        batch_size = _positive_int(batch_size, "batch_size")
        steps = _positive_int(steps, "steps")
        if da.is_generator_like(x):

            def std(item):
                bx, _, _ = da.unpack_batch(item)
                xs, _ = self._standardize_x(bx)
                self._ensure_model_built(xs)
                return self._conform_x(xs), [], None

            batcher = da.GeneratorBatcher(x, steps, std)
        else:
            xs, _ = self._standardize_x(x)
            n = da.check_cardinality(xs, [], [])
            self._ensure_model_built(xs)
            xs = self._conform_x(xs)
            batcher = da.ArrayBatcher(xs, [], None, batch_size or 32, steps)
            _ = n
        fn = self._get_predict_fn()
        sizes = (  # samples-based bar in the keras2.2/2.3 output styles, as in evaluate
            {"samples": batcher.n, "batch_size": batch_size or 32}
            if isinstance(batcher, da.ArrayBatcher) and steps is None
            else {}
        )
        cbks = CallbackList(
            callbacks,
            add_history=False,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=1,
            steps=batcher.steps,
            **sizes,
        )
        hooks = cbks._should_call_predict_batch_hooks
        if not hooks and isinstance(batcher, da.ArrayBatcher):
            batcher = batcher.rebatched(_EVAL_CHUNK)
        cbks.on_predict_begin()
        chunks: list = []
        for i, (xb, _, _) in enumerate(batcher.epoch(False)):
            if hooks:
                cbks.on_predict_batch_begin(i)
            out = fn(xb[0] if len(xb) == 1 else xb)
            out = out if isinstance(out, list) else [out]
            chunks.append(
                [np.array(o, copy=True) if isinstance(batcher, da.ArrayBatcher) else o for o in out]
            )
            if hooks:
                cbks.on_predict_batch_end(i, {"outputs": out[0] if len(out) == 1 else out})
        cbks.on_predict_end()
        if not chunks:
            raise ValueError("Expected input data to be non-empty: `predict` received no data.")
        outs = [np.concatenate([c[k] for c in chunks], axis=0) for k in range(len(chunks[0]))]
        if isinstance(getattr(self, "_nested_outputs", None), dict):
            return dict(zip(self.output_names, outs))
        return outs[0] if len(outs) == 1 else outs

    def predict_on_batch(self, x):
        """Outputs for one batch ``x`` (no batching, no callbacks)."""
        xs, _ = self._standardize_x(x)
        self._ensure_model_built(xs)
        xs = self._conform_x(xs)
        out = self._get_predict_fn()(xs[0] if len(xs) == 1 else xs)
        return out

    def predict_classes(self, x, batch_size: int = 32, verbose: int = 0):
        """Keras 2: class indices (argmax), or ``(proba > 0.5)`` as int32 for one sigmoid unit."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size: int = 32, verbose: int = 0):
        """Keras 2: the predicted probabilities (the same as ``predict``)."""
        preds = self.predict(x, batch_size=batch_size, verbose=verbose)
        if preds.min() < 0.0 or preds.max() > 1.0:
            import warnings

            warnings.warn(
                "Network returning invalid probability values. The last layer might not "
                "normalize predictions into probabilities (like softmax or sigmoid would).",
                stacklevel=2,
            )
        return preds

    # --- single batches --------------------------------------------------------------------
    def train_on_batch(
        self,
        x,
        y=None,
        sample_weight=None,
        class_weight=None,
        reset_metrics: bool = True,
        return_dict: bool = False,
    ):
        """One optimizer step on one batch; returns the loss (and metrics) of that batch."""
        self._assert_compiled("train_on_batch")
        xs, ys, sw, _ = self._prepare(x, y, sample_weight, class_weight)
        if reset_metrics:
            self.reset_metrics()
        step = self._get_train_step()
        if getattr(step, "custom", False):
            logs = self._run_custom_step(step, xs, ys, sw)
        else:
            spec = self._compiled
            multi = spec.output_names is not None and len(spec.output_names) > 1
            if multi:
                step.track_outputs = True
                self._ensure_output_trackers()
            loss, y_pred = step(xs[0] if len(xs) == 1 else xs, ys[0] if len(ys) == 1 else ys, sw)
            nb = xs[0].shape[0]
            self._loss_tracker.update_state(loss, nb)
            if multi and step.output_losses:
                for t, v in zip(self._output_loss_trackers, step.output_losses):
                    t.update_state(v, nb)
            self._update_metrics(ys, y_pred if isinstance(y_pred, list) else [y_pred], sw)
            logs = self._current_logs()
        return self._format_batch_result(logs, return_dict)

    def test_on_batch(
        self, x, y=None, sample_weight=None, reset_metrics: bool = True, return_dict: bool = False
    ):
        """Loss (and metrics) of one batch, without training."""
        from lamina.callbacks.callback_list import CallbackList

        self._assert_compiled("test_on_batch")
        xs, ys, sw, n = self._prepare(x, y, sample_weight)
        if reset_metrics:
            self.reset_metrics()
        batcher = da.ArrayBatcher(xs, ys, sw, max(n, 1))
        logs = self._test_loop(batcher, CallbackList(None, model=self))
        return self._format_batch_result(logs, return_dict)

    def _format_batch_result(self, logs: dict, return_dict: bool):
        if return_dict:
            return dict(logs)
        names = self.metrics_names
        values = [logs[k] for k in names if k in logs] or list(logs.values())
        return values[0] if len(values) == 1 else values

    # --- Keras 2 generator methods -----------------------------------------------------------
    def fit_generator(
        self,
        generator,
        steps_per_epoch=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_data=None,
        validation_steps=None,
        validation_freq=1,
        class_weight=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        shuffle=True,
        initial_epoch=0,
    ):
        """Keras 2 name of ``fit`` with a generator."""
        return self.fit(
            generator,
            steps_per_epoch=steps_per_epoch,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            validation_data=validation_data,
            validation_steps=validation_steps,
            validation_freq=validation_freq,
            class_weight=class_weight,
            initial_epoch=initial_epoch,
        )

    def evaluate_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """Keras 2 name of ``evaluate`` with a generator."""
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """Keras 2 name of ``predict`` with a generator."""
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)


# --- tf.keras 2.x containers for custom train steps ---------------------------------------
def _as_outputs(value) -> list:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class _CompiledLoss:
    """``model.compiled_loss``: the compiled losses as one callable (updates the loss mean)."""

    def __init__(self, model) -> None:
        self._model = model

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        from lamina import ops

        model = self._model
        outs = _as_outputs(y_pred)
        model._note_outputs(len(outs))
        ys = _as_outputs(y_true) if len(outs) > 1 else [y_true]
        ys = [_align_label(t, p) for t, p in zip(ys, outs)]
        spec = model._compiled
        total = None
        if is_per_output(sample_weight):
            sws = weights_per_output(sample_weight, len(spec.losses), spec.output_names)
        else:
            sws = [sample_weight] * len(spec.losses)
        per = [0.0] * len(spec.losses)
        for i, loss_obj in enumerate(spec.losses):
            if loss_obj is None or i >= len(ys) or ys[i] is None:
                continue
            value = loss_obj(ys[i], outs[i], sample_weight=sws[i] if i < len(sws) else None)
            per[i] = float(_value(value))
            if spec.loss_weights[i] != 1.0:
                value = ops.multiply(value, np.asarray(spec.loss_weights[i], value._value.dtype))
            total = value if total is None else ops.add(total, value)
        for r in regularization_losses or []:
            total = r if total is None else ops.add(total, r)
        if total is None:
            total = ops.constant(0.0)
        n = np.shape(_value(outs[0]))[0] if outs and np.ndim(_value(outs[0])) else 1
        model._loss_tracker.update_state(float(_value(total)), n)
        if len(spec.losses) > 1:  # each output's loss mean too, as tf.keras 2.x
            model._record_output_losses(per, outs)
        return total

    @property
    def metrics(self) -> list:
        """The loss mean and, for several outputs, each output's loss mean."""
        model = self._model
        spec = model._compiled
        return [model._loss_tracker] + [
            t for t, loss in zip(model._output_loss_trackers, spec.losses or []) if loss is not None
        ]


class _CompiledMetrics:
    """``model.compiled_metrics``: update the compiled metrics with one batch."""

    def __init__(self, model) -> None:
        self._model = model

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        model = self._model
        outs = _as_outputs(y_pred)
        ys = _as_outputs(y_true) if len(outs) > 1 else [y_true]
        preds = [to_numpy_outputs(o) for o in outs]
        ys_np = [_align_np(_value(t), p) for t, p in zip(ys, preds)]
        model._update_metrics(
            ys_np, preds, _weights_numpy(sample_weight, model._compiled, len(preds))
        )

    def reset_state(self) -> None:
        spec = self._model._compiled
        for _, _, obj, _ in spec.metric_objects or []:
            obj.reset_state()

    @property
    def metrics(self) -> list:
        spec = self._model._compiled
        return [obj for _, _, obj, _ in spec.metric_objects or []]


# --- helpers -------------------------------------------------------------------------------
#: Rows per batch for evaluation and prediction passes nobody watches batch by batch: the
#: results are the same as with the requested batch size, at less per-batch overhead.
_EVAL_CHUNK = 256


def _weight_tensors(sw):
    """Batch weights (``None``, an array or a per-output list) as Tensors."""
    from lamina.autodiff.tensor import Tensor

    if sw is None:
        return None
    if isinstance(sw, list):
        return [None if w is None else Tensor(w) for w in sw]
    return Tensor(sw)


def _weights_numpy(sample_weight, spec, n_outputs: int):
    """Weights a user's step passes to ``compute_metrics``: ``None``, one array, or a
    per-output list of arrays (from a list or a dict keyed by output name)."""
    if sample_weight is None:
        return None
    if is_per_output(sample_weight):
        names = spec.output_names if spec is not None else None
        return [
            None if w is None else _value(w)
            for w in weights_per_output(sample_weight, n_outputs, names)
        ]
    return _value(sample_weight)


def _sh(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _is_weight_array(w) -> bool:
    """An array-like of weights (not a number): NumPy array, tensor or pandas object."""
    if isinstance(w, np.ndarray):
        return w.ndim >= 1
    if hasattr(w, "_value"):
        return np.ndim(w._value) >= 1
    return hasattr(w, "to_numpy") and hasattr(w, "shape")


def _is_number(v) -> bool:
    try:
        return np.ndim(_value(v)) == 0
    except Exception:  # noqa: BLE001
        return False


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, (int, np.integer)) and not isinstance(freq, bool):
        if freq < 1:
            raise ValueError(f"`validation_freq` must be a positive integer, received {freq}.")
        return (epoch + 1) % int(freq) == 0
    if isinstance(freq, (list, tuple, set)):
        return (epoch + 1) in freq
    raise ValueError(
        f"`validation_freq` must be an integer or a collection of epoch numbers, received {freq!r}."
    )


def _align_label(t, p):
    from lamina.autodiff.tensor import Tensor

    if t is None:
        return None
    if not isinstance(t, Tensor):
        t = Tensor(np.asarray(t))
    pv = p._value if isinstance(p, Tensor) else np.asarray(p)
    if t._value.ndim == 1 and pv.ndim == 2:
        from lamina import ops

        t = ops.reshape(t, (-1, 1))
    return t


def _align_np(t, p):
    if t is None:
        return None
    if t.ndim == 1 and np.ndim(p) == 2:
        return t.reshape(-1, 1)
    return t


def _loss_kind(loss_obj) -> str:
    if loss_obj is None:
        return ""
    name = type(loss_obj).__name__
    if name == "LossFunctionWrapper":
        name = getattr(getattr(loss_obj, "fn", None), "__name__", name)
    return name


def _check_labels(loss_obj, y: np.ndarray, oshape: tuple, output_name: str, multi: bool) -> None:
    """Refuse labels that cannot fit the loss, with a message saying what to do."""
    kind = _loss_kind(loss_obj)
    where = f" for output '{output_name}'" if multi else ""
    n_out = oshape[-1] if oshape else None
    if kind in ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"):
        if y.ndim == len(oshape) and y.shape[-1] != 1 and n_out is not None and n_out > 1:
            raise ValueError(
                f"SparseCategoricalCrossentropy expects integer class ids{where} (labels of "
                f"shape (N,) or (N, 1)), but received labels of shape {y.shape}, which look "
                f"one-hot encoded. Use loss='categorical_crossentropy' for one-hot labels, or "
                "pass `np.argmax(y, axis=-1)`."
            )
        if n_out is not None and y.size:
            lo, hi = float(np.min(y)), float(np.max(y))
            if lo < 0 or hi >= n_out:
                bad = hi if hi >= n_out else lo
                raise ValueError(
                    f"Received a label value of {bad:g}{where} which is outside the valid range "
                    f"of [0, {n_out}): the model outputs {n_out} classes. Check the labels or "
                    "the number of units of the last layer."
                )
            if not np.all(np.mod(y, 1) == 0):
                raise ValueError(
                    f"SparseCategoricalCrossentropy expects integer class ids{where}, but the "
                    "labels contain non-integer values."
                )
        return
    if kind in ("CategoricalCrossentropy", "categorical_crossentropy"):
        if n_out is not None and n_out > 1 and y.ndim == len(oshape) and y.shape[-1] == 1:
            raise ValueError(
                f"CategoricalCrossentropy expects one-hot labels{where} of shape (N, {n_out}), "
                f"but received labels of shape {y.shape[:-1] if y.ndim > 1 else y.shape} that "
                "look like class ids. Use loss='sparse_categorical_crossentropy', or convert "
                f"them with keras.utils.to_categorical(y, {n_out})."
            )
    if n_out is None or y.ndim != len(oshape):
        return
    if y.shape[-1] != n_out and not (y.shape[-1] == 1 and n_out == 1):
        if y.shape[-1] == 1 and kind not in ("CategoricalCrossentropy", "categorical_crossentropy"):
            return  # one value per sample, broadcast over the outputs (Keras allows it)
        raise ValueError(
            f"The labels{where} have shape {y.shape} but the model output has shape "
            f"{_sh(oshape)}: {y.shape[-1]} target value(s) per sample for {n_out} output "
            "unit(s). Make the last layer's units match the labels."
        )


__all__ = ["Trainer"]
