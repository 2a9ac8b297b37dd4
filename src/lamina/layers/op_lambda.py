"""Layers recorded when ops run on symbolic tensors, and the symbolic ``add_loss``/``add_metric``.

``TFOpLambda`` is what ``tf.concat([a, b], -1)``, ``tf.nn.relu(t)``, ``keras.ops.mean(t)`` or
``t * 2`` become in a functional model (tf.keras 2.x's class of the same name; see
``lamina/ops/symbolic.py`` for how the public ops dispatch here). The layer stores the op and
the node stores every argument: tensors become graph edges, everything else (axes, shapes,
constants) is kept as given and passed again on each call. ``SlicingOpLambda`` is the same
for ``t[...]``. ``AddLoss``/``AddMetric`` are what ``model.add_loss(symbolic_tensor)`` and
``model.add_metric(symbolic_tensor, name=...)`` insert into a functional model.

Output shapes are inferred by running the op twice on small placeholder arrays (known
dimensions as they are, unknown ones 2 and then 3; 6 and 12 if those fail, as for
``tf.reshape(t, (-1, 2, 3))``): a dimension that differs between the two runs is unknown
(``None``). Placeholders hold fixed values in (0.1, 0.9) (no zeros, no singular matrices;
integer inputs are zeros, except small integer results of earlier ops, such as
``tf.shape(t)[0]``, which keep the value they had in the same trial), tapes and the global
random state are left untouched. The limits:
ops whose output *rank* depends on an unknown size, and ops that refuse such values (a
Cholesky factorization needs a positive-definite input) cannot be recorded; the error says
so and suggests a ``Lambda`` layer with an explicit ``output_shape``.

Saving: the layer's config names the op (``"function": "math.reduce_sum"``, as tf.keras
2.x), never code. Loading looks the name up among lamina's public ops only, so a model of
such layers loads in safe mode; an argument that is itself code (a Python ``lambda`` given to
``tf.map_fn``) is refused on loading as for ``Lambda`` layers.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.layers.layer import KerasTensor, Layer, Node, _flatten, _shape_str
from lamina.ops import symbolic
from lamina.utils.naming import unique_object_name

#: Sizes tried for the unknown dimensions when inferring an output shape (pairs).
_FILLS = ((2, 3), (6, 12))

#: Integer results up to this size keep their trial values for later ops (shape arithmetic).
_TRIAL_VALUE_SIZE = 16


class TFOpLambda(Layer):
    """A public op applied to symbolic tensors (``tf.concat``, ``tf.math.reduce_sum`` ...).

    ``function`` is the op or its API name (``"concat"``, ``"math.reduce_sum"``,
    ``"ops.mean"``), as stored in a saved model's config.
    """

    _autocast = False

    def __init__(
        self, function, symbol: str | None = None, arguments: dict | None = None, **kwargs
    ) -> None:
        fn, symbol = _resolve_function(function, symbol)
        if not kwargs.get("name"):
            kwargs["name"] = unique_object_name(symbolic.display_name(symbol))
        super().__init__(**kwargs)
        self.function = fn
        self.symbol = symbol
        #: Keyword arguments bound to the op (a Keras 3 op's attributes: ``axis`` ...).
        self.arguments = dict(arguments or {})
        self.built = True
        self._call_has_training = False
        # tf.keras 2.x files pass ``name=None`` to every op; drop it where the op has none.
        self._drop_name = not _accepts_name(fn)

    def __call__(self, *args, **kwargs):
        if self.arguments:
            kwargs = {**self.arguments, **kwargs}
        if self._drop_name and "name" in kwargs:
            kwargs = {k: v for k, v in kwargs.items() if k != "name"}
        if symbolic.has_symbolic(args) or symbolic.has_symbolic(kwargs):
            return self._symbolic_node(args, kwargs)
        return self.function(*args, **kwargs)

    def call(self, *args, **kwargs):
        return self.function(*args, **{**self.arguments, **kwargs})

    @classmethod
    def from_keras3_op(cls, class_name: str, config: dict) -> TFOpLambda:
        """The layer for a Keras 3 op node of a saved functional model (``ExpandDims`` with
        ``{"axis": 1}`` is ``keras.ops.expand_dims(x, axis=1)``)."""
        from lamina.utils.naming import to_snake_case

        config = dict(config)
        name = config.pop("name", None)
        op = to_snake_case(class_name)
        symbol = _KERAS3_OPS.get(op, f"ops.{op}")
        if symbolic.resolve_symbol(symbol) is None:
            raise ValueError(
                f"Cannot load the Keras 3 op {class_name!r} (keras.ops.{op}): lamina has no op "
                "of that name."
            )
        return cls(symbol, name=name, arguments=config)

    def _symbolic_node(self, args: tuple, kwargs: dict):
        from lamina.layers.layer import _map_structure

        outputs = infer_outputs(self.function, args, kwargs, self.name)
        # The node keeps its own copy of list/tuple/dict arguments (a shape list the user
        # changes later does not change the model); bound arguments stay with the layer.
        node_kwargs = {k: v for k, v in kwargs.items() if k not in self.arguments}
        Node(
            self,
            call_args=_map_structure(lambda v: v, tuple(args)),
            call_kwargs=_map_structure(lambda v: v, node_kwargs),
            outputs=outputs,
        )
        shapes = [tuple(t._shape) for t in _flatten((args, kwargs)) if isinstance(t, KerasTensor)]
        if self._build_input_shape is None:
            self._build_input_shape = shapes[0] if len(shapes) == 1 else shapes
        return outputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError(
            f"Layer '{self.name}' records an op call; its output shape is known from the "
            "node it was called in (`layer.output_shape`)."
        )

    def get_config(self) -> dict:
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype,
            "function": self.symbol,
        }
        if self.arguments:
            from lamina.utils.serialization import serialize_keras_object

            config["arguments"] = serialize_keras_object(self.arguments)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        for key in ("build_config", "module", "registered_name"):
            config.pop(key, None)
        if config.get("arguments"):
            from lamina.utils.serialization import deserialize_keras_object

            config["arguments"] = {
                k: deserialize_keras_object(v, custom_objects=custom_objects)
                if isinstance(v, dict) and "class_name" in v
                else v
                for k, v in config["arguments"].items()
            }
        return cls(**config)


def _keras3_getitem(x, key):
    """Keras 3's ``GetItem`` op: ``x[key]`` (a key saved to JSON comes back as a list)."""
    return x[tuple(key) if isinstance(key, list) else key]


#: Keras 3 op names that are not ``keras.ops.<name>`` in lamina.
_KERAS3_OPS = {"get_item": "__operators__.keras3_getitem"}
symbolic.OPERATORS["__operators__.keras3_getitem"] = _keras3_getitem


class SlicingOpLambda(TFOpLambda):
    """``t[...]`` on a symbolic tensor (``tf.__operators__.getitem``); the key is the node's
    ``slice_spec`` argument."""

    def __call__(self, *args, **kwargs):
        if "slice_spec" in kwargs and isinstance(kwargs["slice_spec"], list):
            # A key saved to JSON comes back as a list; it was recorded as a tuple. tf.keras
            # 2.x files store slices as {"start", "stop", "step"} dicts.
            spec = tuple(
                slice(k["start"], k["stop"], k["step"])
                if isinstance(k, dict) and set(k) == {"start", "stop", "step"}
                else k
                for k in kwargs["slice_spec"]
            )
            kwargs = {**kwargs, "slice_spec": spec}
        return super().__call__(*args, **kwargs)


class AddLoss(Layer):
    """Adds its (scalar) input to the model's losses on every call; ``model.add_loss`` inserts
    it into a functional model (tf.keras 2.x)."""

    def __init__(self, unconditional: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.unconditional = unconditional
        self.built = True

    def call(self, inputs):
        self.add_loss(inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def _symbolic_output_shape(self, shapes, args, kwargs):
        return shapes

    def _output_dtype(self, inputs) -> str:
        return inputs.dtype

    def get_config(self) -> dict:
        config = super().get_config()
        config["unconditional"] = self.unconditional
        return config


class AddMetric(Layer):
    """Updates a running-mean metric with its input on every call; ``model.add_metric``
    inserts it into a functional model (tf.keras 2.x). The metric is reset with the model's
    metrics and reported under ``metric_name``."""

    def __init__(self, aggregation: str | None = "mean", metric_name: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if aggregation not in (None, "mean"):
            raise ValueError(
                f"add_metric: `aggregation` must be 'mean' (or None), received {aggregation!r}."
            )
        if not metric_name or not isinstance(metric_name, str):
            raise ValueError(
                f"add_metric: a metric needs a `name` (a string), received {metric_name!r}."
            )
        self.aggregation = aggregation
        self.metric_name = metric_name
        from lamina.metrics import Mean

        self.metric = Mean(name=metric_name)
        self.built = True

    def call(self, inputs):
        self.metric.update_state(inputs._value if isinstance(inputs, Tensor) else inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def _symbolic_output_shape(self, shapes, args, kwargs):
        return shapes

    def _output_dtype(self, inputs) -> str:
        return inputs.dtype

    def get_config(self) -> dict:
        config = super().get_config()
        config["aggregation"] = self.aggregation
        config["metric_name"] = self.metric_name
        return config


# --- shape inference ------------------------------------------------------------------------
def infer_outputs(fn, args: tuple, kwargs: dict, what: str):
    """KerasTensors for ``fn(*args, **kwargs)`` (see the module docstring)."""
    _check_arguments(fn, args, kwargs, what)
    first_error = None
    for fills in _FILLS:
        try:
            a, b = (_trial_run(fn, args, kwargs, fill) for fill in fills)
            return _merge(a, b, what, fills)
        except _ShapeError:
            raise
        except Exception as e:  # noqa: BLE001 - reported below with the op's name
            if first_error is None:
                first_error = e
    shapes = [_shape_str(t._shape) for t in _flatten((args, kwargs)) if isinstance(t, KerasTensor)]
    detail = str(first_error).rstrip(".")
    raise ValueError(
        f"Could not infer the output shape of `{what}` called on symbolic tensors of shapes "
        f"{', '.join(shapes)}: running it on placeholder data (unknown dimensions set to small "
        f"sizes) failed with {type(first_error).__name__}: {detail}. If the arguments "
        "are right for real data, wrap the computation in a "
        "`keras.layers.Lambda(function, output_shape=...)` layer instead."
    ) from first_error


class _ShapeError(ValueError):
    pass


def _check_arguments(fn, args, kwargs, what: str) -> None:
    """A call that does not match the op's signature is a TypeError, as in eager mode."""
    import inspect

    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{what}: {e}") from None


def _placeholder(t: KerasTensor, fill: int) -> Tensor:
    if t._trial_values is not None and fill in t._trial_values:
        # A small integer result of an earlier op (``tf.shape(t)[0]``): the value it had
        # in the same trial, so ``tf.reshape(t, [tf.shape(t)[0], -1])`` infers its shape.
        return Tensor(t._trial_values[fill].copy())
    shape = tuple(fill if d is None else d for d in t._shape)
    dtype = np.dtype(t.dtype)
    if dtype.kind == "f" or dtype.kind == "c":
        values = np.random.default_rng(1234).uniform(0.1, 0.9, shape)
        return Tensor(values.astype(dtype))
    return Tensor(np.zeros(shape, dtype=dtype))


def _trial_run(fn, args, kwargs, fill: int):
    from lamina.autodiff import tape as _tape
    from lamina.layers.layer import _map_structure

    def make(x):
        return _placeholder(x, fill) if isinstance(x, KerasTensor) else x

    call_args = _map_structure(make, tuple(args))
    call_kwargs = _map_structure(make, dict(kwargs))
    saved_tapes = _tape._active[:]
    _tape._active.clear()
    rng_state = np.random.get_state()
    try:
        with np.errstate(all="ignore"):
            return fn(*call_args, **call_kwargs)
    finally:
        np.random.set_state(rng_state)
        _tape._active.extend(saved_tapes)


def _merge(a, b, what: str, fills: tuple):
    """KerasTensors with the shapes common to two trial outputs (``None`` where they differ)."""
    if isinstance(a, Tensor):
        sa, sb = a._value.shape, b._value.shape
        if len(sa) != len(sb):
            raise _ShapeError(
                f"`{what}`: the rank of the result depends on the unknown dimensions of its "
                f"inputs ({len(sa)} vs {len(sb)}), so it cannot be recorded in a functional "
                "model; wrap the computation in a `keras.layers.Lambda` layer with an "
                "explicit `output_shape`."
            )
        shape = tuple(d if d == e else None for d, e in zip(sa, sb))
        out = KerasTensor(shape, a._value.dtype.name)
        if a._value.dtype.kind in "iub" and a._value.size <= _TRIAL_VALUE_SIZE:
            out._trial_values = {fills[0]: a._value.copy(), fills[1]: b._value.copy()}
        return out
    if isinstance(a, tuple) and hasattr(a, "_fields"):  # a namedtuple (top_k ...)
        return type(a)(*(_merge(x, y, what, fills) for x, y in zip(a, b)))
    if isinstance(a, (list, tuple)):
        return [_merge(x, y, what, fills) for x, y in zip(a, b)]
    if isinstance(a, dict):
        return {k: _merge(a[k], b[k], what, fills) for k in a}
    raise _ShapeError(
        f"`{what}` returned {type(a).__name__} for symbolic inputs, not a tensor; only ops "
        "returning tensors can be recorded in a functional model."
    )


def _accepts_name(fn) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "name" or p.kind is p.VAR_KEYWORD for p in params)


def _resolve_function(function, symbol):
    if isinstance(function, str):
        fn = symbolic.resolve_symbol(function)
        if fn is None:
            raise ValueError(
                f"TFOpLambda: unknown op {function!r}; expected the name of a public lamina / "
                "TensorFlow op such as 'concat', 'math.reduce_sum' or 'nn.relu'."
            )
        return fn, function
    if not callable(function):
        raise TypeError(f"TFOpLambda: `function` must be an op or its name, received {function!r}.")
    wrapped = getattr(function, "_lamina_symbol", None)
    if symbol is None:
        symbol = wrapped or getattr(function, "__name__", "op")
    return (function.__wrapped__ if wrapped else function), symbol


__all__ = ["TFOpLambda", "SlicingOpLambda", "AddLoss", "AddMetric", "infer_outputs"]
