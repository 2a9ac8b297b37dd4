"""The ``Layer`` base class, symbolic ``KerasTensor`` and graph ``Node``.

A layer follows the Keras lifecycle: ``__init__`` validates and stores arguments,
``build(input_shape)`` creates weights with :meth:`Layer.add_weight` the first time the layer
sees an input, ``call(inputs, training=None)`` computes with lamina ops (so ``GradientTape``
can differentiate it), and ``get_config`` returns every constructor argument.

Calling a layer on a ``KerasTensor`` (what ``keras.Input`` returns) does not compute anything:
it infers the output shape and records a :class:`Node`, which is how functional models are
wired. Calling it on data (NumPy arrays, lists, lamina Tensors) runs ``call`` eagerly.
"""

from __future__ import annotations

import inspect

import numpy as np

from lamina.autodiff.tensor import Tensor, TensorShape
from lamina.autodiff.variable import Variable
from lamina.backend import config as _config
from lamina.ops import symbolic as _symbolic
from lamina.utils.naming import to_snake_case, unique_object_name

#: Training flag of the outermost layer call in progress (inner calls inherit it).
_TRAINING_STACK: list = []

_BASE_KWARGS = frozenset(
    {
        "input_dim",
        "input_shape",
        "batch_input_shape",
        "batch_size",
        "weights",
        "activity_regularizer",
        "autocast",
        "implementation",
        "batch_shape",
        "dynamic",
    }
)


def _shape_tuple(shape) -> tuple:
    """``shape`` as a tuple of ints/None (accepts TensorShape, lists, ints, None)."""
    if shape is None:
        return None
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(None if d is None else int(d) for d in shape)


def _flatten(obj) -> list:
    if isinstance(obj, dict):
        return [v for k in obj for v in _flatten(obj[k])]
    if isinstance(obj, (list, tuple)):
        return [v for item in obj for v in _flatten(item)]
    return [obj]


def _map_structure(fn, obj):
    if isinstance(obj, dict):
        return {k: _map_structure(fn, v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_map_structure(fn, v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_map_structure(fn, v) for v in obj)
    return fn(obj)


def _shape_str(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


# --- symbolic tensors -----------------------------------------------------------------------
class KerasTensor:
    """A symbolic tensor of a functional graph: a shape (``None`` for unknown), a dtype and
    the layer call that produced it (``_keras_history``)."""

    __slots__ = ("_shape", "dtype", "_keras_history", "name", "_trial_values", "__weakref__")

    #: NumPy defers to KerasTensor's operators: ``np_array * t`` builds an op layer too.
    __array_ufunc__ = None

    def __init__(self, shape, dtype: str = "float32", name: str | None = None) -> None:
        self._shape = _shape_tuple(shape)
        self.dtype = str(getattr(dtype, "name", dtype))
        self.name = name
        self._keras_history = None
        self._trial_values = None  # small integer results of op shape inference (op_lambda)

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._shape)

    @property
    def ndim(self) -> int:
        return len(self._shape)

    rank = ndim

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def node(self):
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self) -> str:
        return (
            f"<KerasTensor: shape={_shape_str(self._shape)} dtype={self.dtype} "
            f"(created by layer '{self._keras_history[0].name if self._keras_history else '?'}')>"
        )

    def __hash__(self) -> int:
        return id(self)

    def __len__(self) -> int:
        raise TypeError(
            "A symbolic KerasTensor has no length: it stands for data that does not exist yet. "
            "Use `x.shape` instead."
        )

    def __bool__(self) -> bool:
        raise TypeError(
            "A symbolic KerasTensor cannot be used as a Python bool (it has no value yet)."
        )

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"You are passing {self!r}, a symbolic KerasTensor (an input of a functional "
            "model), to a NumPy function. Wrap the computation in a Layer (for example "
            "keras.layers.Lambda) so it runs on real data."
        )

    # Operators build op layers (tf.keras 2.x's TFOpLambda names) so ``x * 2`` works.
    def _op(self, symbol, fn, *args, **kwargs):
        from lamina.ops.symbolic import symbolic_call

        return symbolic_call(fn, symbol, args, kwargs)

    def _math(self, name, *args):
        import lamina.math as tf_math

        op = getattr(tf_math, name)
        return self._op(op._lamina_symbol, op.__wrapped__, *args)

    def __add__(self, o):
        from lamina.ops.symbolic import OPERATORS

        return self._op("__operators__.add", OPERATORS["__operators__.add"], self, o)

    def __radd__(self, o):
        from lamina.ops.symbolic import OPERATORS

        return self._op("__operators__.add", OPERATORS["__operators__.add"], o, self)

    def __sub__(self, o):
        return self._math("subtract", self, o)

    def __rsub__(self, o):
        return self._math("subtract", o, self)

    def __mul__(self, o):
        return self._math("multiply", self, o)

    def __rmul__(self, o):
        return self._math("multiply", o, self)

    def __truediv__(self, o):
        return self._math("truediv", self, o)

    def __rtruediv__(self, o):
        return self._math("truediv", o, self)

    def __pow__(self, o):
        return self._math("pow", self, o)

    def __rpow__(self, o):
        return self._math("pow", o, self)

    def __neg__(self):
        return self._math("negative", self)

    def __abs__(self):
        return self._math("abs", self)

    def __floordiv__(self, o):
        return self._math("floordiv", self, o)

    def __rfloordiv__(self, o):
        return self._math("floordiv", o, self)

    def __mod__(self, o):
        return self._math("floormod", self, o)

    def __rmod__(self, o):
        return self._math("floormod", o, self)

    # ``==``/``!=`` stay identity comparisons (KerasTensors are dict keys), as in tf.keras.
    def __gt__(self, o):
        return self._math("greater", self, o)

    def __ge__(self, o):
        return self._math("greater_equal", self, o)

    def __lt__(self, o):
        return self._math("less", self, o)

    def __le__(self, o):
        return self._math("less_equal", self, o)

    def __matmul__(self, o):
        import lamina.linalg as tf_linalg

        return self._op("linalg.matmul", tf_linalg.matmul.__wrapped__, self, o)

    def __rmatmul__(self, o):
        import lamina.linalg as tf_linalg

        return self._op("linalg.matmul", tf_linalg.matmul.__wrapped__, o, self)

    def __getitem__(self, key):
        from lamina.ops.symbolic import OPERATORS, symbolic_call

        fn = OPERATORS["__operators__.getitem"]
        spec = key if isinstance(key, tuple) else (key,)
        return symbolic_call(
            fn, "__operators__.getitem", (self,), {"slice_spec": spec}, "SlicingOpLambda"
        )


def is_keras_tensor(x) -> bool:
    return isinstance(x, KerasTensor)


_symbolic.register_symbolic_type(KerasTensor)  # public ops called on it build op layers


# --- graph nodes ----------------------------------------------------------------------------
class Node:
    """One call of a layer in a functional graph: its symbolic inputs and outputs."""

    def __init__(
        self, layer: Layer, call_args: tuple = (), call_kwargs: dict | None = None, outputs=None
    ) -> None:
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs or {}
        self.input_tensors = [
            t for t in _flatten((call_args, self.call_kwargs)) if isinstance(t, KerasTensor)
        ]
        self.outputs = outputs
        self.output_tensors = _flatten(outputs) if outputs is not None else []
        self.is_input = not self.input_tensors
        layer._inbound_nodes.append(self)
        index = len(layer._inbound_nodes) - 1
        for i, t in enumerate(self.output_tensors):
            t._keras_history = (layer, index, i)
        for t in self.input_tensors:
            if t._keras_history is not None:
                t._keras_history[0]._outbound_nodes.append(self)

    @property
    def parent_nodes(self) -> list[Node]:
        return [t.node for t in self.input_tensors if t._keras_history is not None]

    @property
    def inbound_layers(self):
        layers = [t._keras_history[0] for t in self.input_tensors]
        return layers[0] if len(layers) == 1 else layers

    def iterate_inbound(self):
        for t in self.input_tensors:
            layer, node_index, tensor_index = t._keras_history
            yield layer, node_index, tensor_index, t

    @property
    def output_shapes(self):
        return _map_structure(lambda t: tuple(t._shape), self.outputs)

    @property
    def input_shapes(self):
        shapes = [tuple(t._shape) for t in self.input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes


# --- the base class ------------------------------------------------------------------------
class Layer:
    """Base class of all layers: weights, build-on-first-call, config and graph wiring.

    Subclass it and implement ``build(input_shape)`` (create weights with ``add_weight``) and
    ``call(inputs)``; optionally ``compute_output_shape`` and ``get_config``.
    """

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype=None,
        dynamic: bool = False,
        **kwargs,
    ) -> None:
        from lamina.legacy import drop_inert_kwargs

        unknown = set(drop_inert_kwargs(kwargs)) - _BASE_KWARGS
        if unknown:
            raise TypeError(
                f"Keyword argument not understood: {sorted(unknown)[0]!r} (passed to layer "
                f"{type(self).__name__}). Valid base arguments: trainable, name, dtype, "
                "input_shape, input_dim, batch_input_shape, batch_size, weights, "
                "activity_regularizer."
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` of a layer must be a string, received {name!r}.")
        object.__setattr__(self, "_tracked_layers", [])
        object.__setattr__(self, "_trainable_weights", [])
        object.__setattr__(self, "_non_trainable_weights", [])
        self._name = name or self._default_name()
        self._trainable = bool(trainable)
        self._dtype = self._resolve_dtype(dtype)
        self.built = False
        self.supports_masking = False
        self.input_spec = None
        self._losses: list = []
        self._callable_losses: list = []
        self._regularized: list = []  # (variable, regularizer)
        self._inbound_nodes: list[Node] = []
        self._outbound_nodes: list[Node] = []
        self._build_input_shape = None
        self._eager_output_shape = None
        self._call_has_training = "training" in _call_params(type(self).call)
        self._call_has_mask = "mask" in _call_params(type(self).call)
        self._initial_weights = kwargs.get("weights")
        self.dynamic = dynamic

        batch_shape = kwargs.get("batch_input_shape", kwargs.get("batch_shape"))
        if batch_shape is None:
            input_shape = kwargs.get("input_shape")
            if input_shape is None and kwargs.get("input_dim") is not None:
                input_shape = (kwargs["input_dim"],)
            if input_shape is not None:
                batch_shape = (kwargs.get("batch_size"),) + _shape_tuple(input_shape)
        self._batch_input_shape = _shape_tuple(batch_shape) if batch_shape is not None else None
        act = kwargs.get("activity_regularizer")
        self._activity_regularizer = _get_regularizer(act) if act is not None else None

    # --- naming and dtype --------------------------------------------------------------
    @classmethod
    def _default_name(cls) -> str:
        return unique_object_name(to_snake_case(cls.__name__))

    @staticmethod
    def _resolve_dtype(dtype) -> str:
        if dtype is None:
            return _config.floatx()
        if isinstance(dtype, dict):  # a serialized DTypePolicy
            dtype = dtype.get("config", {}).get("name", _config.floatx())
        name = str(getattr(dtype, "name", dtype))
        if name.startswith("mixed_"):
            name = _config.floatx()
        try:
            np.dtype(name)
        except TypeError:
            raise ValueError(f"Unknown `dtype` for a layer: {dtype!r}.") from None
        return name

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        self._activity_regularizer = _get_regularizer(value) if value is not None else None

    # --- attribute tracking -------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        if not name.startswith("__") and "_tracked_layers" in self.__dict__:
            self._track(value)
        object.__setattr__(self, name, value)

    def _track(self, value) -> None:
        if isinstance(value, Layer):
            if value is not self and not any(value is t for t in self._tracked_layers):
                self._tracked_layers.append(value)
        elif isinstance(value, Variable):
            if not any(value is w for w in self._trainable_weights + self._non_trainable_weights):
                (
                    self._trainable_weights if value.trainable else self._non_trainable_weights
                ).append(value)
        elif isinstance(value, (list, tuple)) and value and len(value) < 10000:
            for v in value:
                if isinstance(v, (Layer, Variable, list, tuple)):
                    self._track(v)
        elif isinstance(value, dict) and len(value) < 10000:
            for v in value.values():
                if isinstance(v, (Layer, Variable)):
                    self._track(v)

    def _flatten_layers(self, include_self: bool = False, recursive: bool = True) -> list:
        """Tracked sublayers, depth first in tracking order, each once."""
        out = [self] if include_self else []
        seen = {id(self)}
        stack = self._tracked_layers[::-1]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive and layer._tracked_layers:
                stack.extend(layer._tracked_layers[::-1])
        return out

    # --- weights ------------------------------------------------------------------------
    def _configured_weight(self, name: str, shape: tuple) -> Variable:
        """The trainable weight ``name`` (``kernel``, ``bias``, ``depthwise_kernel`` ...) made
        with the initializer, regularizer and constraint the layer keeps for it
        (``kernel_initializer``, ``bias_regularizer``, ``depthwise_constraint`` ...)."""
        prefix = name[: -len("_kernel")] if name.endswith("_kernel") else name
        return self.add_weight(
            name,
            shape=shape,
            initializer=getattr(self, f"{prefix}_initializer"),
            regularizer=getattr(self, f"{prefix}_regularizer"),
            constraint=getattr(self, f"{prefix}_constraint"),
            dtype=self.dtype,
            trainable=True,
        )

    def _weights_config(self, *prefixes: str) -> dict:
        """The config entries of the weights' initializers, regularizers (with the activity
        regularizer) and constraints, in Keras's order: ``kernel_initializer``,
        ``bias_initializer``, ``kernel_regularizer``, ... ``bias_constraint``."""
        out = {f"{p}_initializer": _serialize(getattr(self, f"{p}_initializer")) for p in prefixes}
        out.update(
            {f"{p}_regularizer": _serialize(getattr(self, f"{p}_regularizer")) for p in prefixes}
        )
        out["activity_regularizer"] = _serialize(self.activity_regularizer)
        out.update(
            {f"{p}_constraint": _serialize(getattr(self, f"{p}_constraint")) for p in prefixes}
        )
        return out

    def add_weight(self, *args, **kwargs) -> Variable:
        """Create a weight Variable tracked by this layer.

        Keras 3 order ``add_weight(shape, initializer, dtype, trainable, ...)`` and Keras 2
        order ``add_weight(name, shape, dtype, initializer, ...)`` are both accepted.
        """
        if args and isinstance(args[0], str):
            names = (
                "name",
                "shape",
                "dtype",
                "initializer",
                "regularizer",
                "trainable",
                "constraint",
            )
        else:
            names = (
                "shape",
                "initializer",
                "dtype",
                "trainable",
                "autocast",
                "regularizer",
                "constraint",
                "aggregation",
                "name",
            )
        if len(args) > len(names):
            raise TypeError(f"add_weight() takes at most {len(names)} positional arguments.")
        for n, a in zip(names, args):
            if n in kwargs:
                raise TypeError(f"add_weight() got multiple values for argument '{n}'")
            kwargs[n] = a
        name = kwargs.pop("name", None) or "Variable"
        shape = _shape_tuple(kwargs.pop("shape", None)) or ()
        if any(d is None or d < 0 for d in shape):
            raise ValueError(
                f"add_weight: every dimension of `shape` must be a known non-negative integer, "
                f"received shape={shape} for weight '{name}' of layer '{self.name}'."
            )
        dtype = kwargs.pop("dtype", None)
        dtype = self._dtype if dtype is None else str(getattr(dtype, "name", dtype))
        initializer = kwargs.pop("initializer", None)
        regularizer = kwargs.pop("regularizer", None)
        trainable = kwargs.pop("trainable", None)
        trainable = True if trainable is None else bool(trainable)
        constraint = kwargs.pop("constraint", None)
        for k in (
            "autocast",
            "aggregation",
            "synchronization",
            "use_resource",
            "partitioner",
            "caching_device",
            "experimental_autocast",
            "overwrite",
        ):
            kwargs.pop(k, None)
        if kwargs:
            raise TypeError(
                f"add_weight() got an unexpected keyword argument {sorted(kwargs)[0]!r}"
            )
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        value = _initial_value(initializer, shape, dtype)
        var = Variable(value, trainable=trainable, name=f"{self.name}/{name}", dtype=dtype)
        var._path = f"{self.name}/{name}"
        if constraint is not None:
            var.constraint = _get_constraint(constraint)
        if regularizer is not None:
            reg = _get_regularizer(regularizer)
            var.regularizer = reg
            self._regularized.append((var, reg))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        return var

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = bool(value)

    def _all_own_and_nested(self, attr: str) -> list:
        out, seen = [], set()
        for layer in [self] + self._flatten_layers():
            for w in getattr(layer, attr):
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        out, seen = [], set()
        for layer in [self] + self._flatten_layers():
            if not layer._trainable:
                continue
            for w in layer._trainable_weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def non_trainable_weights(self) -> list:
        trainable_ids = {id(w) for w in self.trainable_weights}
        out, seen = [], set()
        for layer in [self] + self._flatten_layers():
            for w in layer._trainable_weights + layer._non_trainable_weights:
                if id(w) not in trainable_ids and id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        # Keras lists frozen trainable weights before true non-trainable ones.
        return out

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_variables(self) -> list:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        return self.non_trainable_weights

    @property
    def variables(self) -> list:
        return self.weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weight values, in ``weights`` order."""
        return [np.array(w._value, copy=True) for w in self.weights]

    def set_weights(self, weights) -> None:
        """Set the weights from a list of arrays (same order and shapes as ``get_weights``)."""
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(
                f'You called `set_weights(weights)` on layer "{self.name}" with a weight list '
                f"of length {len(weights)}, but the layer was expecting {len(params)} weights."
                + (
                    ""
                    if self.built
                    else " The layer is not built yet: call it on data or build it first."
                )
            )
        for p, w in zip(params, weights):
            w = np.asarray(w._value if isinstance(w, Tensor) else w)
            if tuple(p._value.shape) != tuple(w.shape):
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(p._value.shape)} is not compatible "
                    f"with provided weight shape {tuple(w.shape)}."
                )
        for p, w in zip(params, weights):
            p.assign(np.asarray(w._value if isinstance(w, Tensor) else w))

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(batch_input_shape)`."
            )
        return int(sum(int(np.prod(w._value.shape)) for w in self.weights))

    # --- losses -------------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        """Add a scalar loss (a Tensor computed in ``call``, or a zero-argument callable)."""
        if callable(loss) and not isinstance(loss, Tensor):
            self._callable_losses.append(loss)
        else:
            if not isinstance(loss, Tensor):
                from lamina.ops import convert_to_tensor

                loss = convert_to_tensor(loss, dtype=_config.floatx())
            self._losses.append(loss)

    @property
    def losses(self) -> list:
        """Regularization penalties of the weights, activity penalties and added losses."""
        out = []
        for layer in [self] + self._flatten_layers():
            for var, reg in layer._regularized:
                out.append(_as_scalar(reg(var)))
            out.extend(layer._losses)
            out.extend(_as_scalar(fn()) for fn in layer._callable_losses)
        return out

    # --- lifecycle ------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the layer's weights. The base version only records the input shape."""
        self._build_input_shape = input_shape
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape``; the base version runs ``call`` on dummy data."""
        return _infer_output_shape(self, input_shape)

    def _maybe_build(self, input_shapes) -> None:
        if self.built:
            return
        shape = input_shapes
        if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
            shape = TensorShape(shape)
        self._check_input_rank(input_shapes)
        self.build(shape)
        self.built = True
        if self._build_input_shape is None:
            self._build_input_shape = input_shapes
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _check_input_rank(self, input_shapes) -> None:
        spec = self.input_spec
        if spec is None or isinstance(spec, (list, tuple)):
            return
        shape = input_shapes
        if not (isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape)):
            return
        min_ndim = getattr(spec, "min_ndim", None)
        ndim = getattr(spec, "ndim", None)
        if min_ndim is not None and len(shape) < min_ndim:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"min_ndim={min_ndim}, found ndim={len(shape)}. Full shape received: "
                f"{_shape_str(shape)}"
            )
        if ndim is not None and len(shape) != ndim:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={ndim}, found ndim={len(shape)}. Full shape received: {_shape_str(shape)}"
            )
        axes = getattr(spec, "axes", None) or {}
        for axis, value in axes.items():
            if value is None:
                continue
            try:
                got = shape[axis]
            except IndexError:
                continue
            if got is not None and got != value:
                raise ValueError(
                    f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                    f"axis {axis} of input shape to have value {value}, but received input with "
                    f"shape {_shape_str(shape)}"
                )

    def __call__(self, *args, **kwargs):
        if not args:
            if "inputs" in kwargs:
                args = (kwargs.pop("inputs"),)
            else:
                raise TypeError(f"{type(self).__name__}.__call__() missing the `inputs` argument.")
        inputs = args[0]
        if (
            len(args) == 1
            and isinstance(inputs, Tensor)
            and (not kwargs or (len(kwargs) == 1 and "training" in kwargs))
        ):
            return self._eager_call(inputs, (), kwargs)  # the common case, kept cheap
        flat = _flatten((args, kwargs))
        if any(isinstance(t, KerasTensor) for t in flat):
            return self._symbolic_call(args, kwargs)
        return self._eager_call(inputs, args[1:], kwargs)

    def _convert_inputs(self, inputs):
        dtype = self._dtype

        def conv(x):
            if isinstance(x, Tensor):
                v = x._value
                if (
                    self._autocast
                    and v.dtype != np.dtype(dtype)
                    and (v.dtype.kind == "f" or v.dtype.kind in "iub" and self._autocast_kind(v))
                ):
                    from lamina.ops import cast

                    return cast(x, dtype)
                return x
            if isinstance(x, (np.ndarray, list, tuple, float, int, np.generic)) or hasattr(
                x, "__array__"
            ):
                arr = np.asarray(x)
                if arr.dtype.kind in "fiub" and self._autocast_kind(arr):
                    arr = arr.astype(dtype, copy=False)
                elif arr.dtype.kind in "OUS":
                    raise TypeError(
                        f'Layer "{self.name}" received input of dtype {arr.dtype} '
                        "(strings or Python objects); expected numbers."
                    )
                return Tensor(arr)
            return x

        if isinstance(inputs, (list, tuple)) and not _is_numeric_nested(inputs):
            return (
                type(inputs)(conv(x) for x in inputs)
                if isinstance(inputs, list)
                else tuple(conv(x) for x in inputs)
            )
        if isinstance(inputs, dict):
            return {k: conv(v) for k, v in inputs.items()}
        return conv(inputs)

    #: Cast float inputs to the layer dtype (and integer/bool inputs of float layers to it).
    #: Layers that take integer inputs (an embedding lookup) set this to False.
    _autocast = True

    def _autocast_kind(self, arr) -> bool:
        # Floats follow the layer dtype; integer/bool data becomes float for float layers.
        return arr.dtype.kind == "f" or np.dtype(self._dtype).kind == "f"

    def _eager_call(self, inputs, extra_args, kwargs):
        if (
            type(inputs) is not Tensor
            or inputs._value.dtype.kind != "f"
            or (inputs._value.dtype.name != self._dtype)
        ):
            inputs = self._convert_inputs(inputs)
        if self._call_has_training:
            training = kwargs.get("training")
            if training is None and _TRAINING_STACK:
                training = kwargs["training"] = _TRAINING_STACK[-1]
        else:
            training = kwargs.pop("training", None)
            if training is None and _TRAINING_STACK:
                training = _TRAINING_STACK[-1]
        if not self.built:
            self._maybe_build(_input_shapes(inputs))
        if self._losses:
            object.__setattr__(self, "_losses", [])
        _TRAINING_STACK.append(training)
        try:
            outputs = self.call(inputs, *extra_args, **kwargs)
        finally:
            _TRAINING_STACK.pop()
        if self._activity_regularizer is not None:
            self._add_activity_loss(outputs)
        return outputs

    def _add_activity_loss(self, outputs) -> None:
        from lamina.ops import cast, divide

        for out in _flatten(outputs):
            if isinstance(out, Tensor):
                loss = _as_scalar(self._activity_regularizer(out))
                n = out._value.shape[0] if out._value.ndim else 1
                self._losses.append(divide(loss, cast(n, loss.dtype)))

    def _symbolic_call(self, args, kwargs):
        inputs = args[0]
        node_kwargs = dict(kwargs)  # an explicit training=True stays with the node (MC dropout)
        if node_kwargs.get("training", 0) is None:
            del node_kwargs["training"]
        kwargs = dict(kwargs)
        kwargs.pop("training", None)
        shapes = _map_structure(
            lambda t: tuple(t._shape) if isinstance(t, KerasTensor) else tuple(np.shape(t)), inputs
        )
        if not self.built:
            self._maybe_build(shapes)
        else:
            self._check_input_rank(shapes)
        out_shape = self._symbolic_output_shape(shapes, args, kwargs)
        dtype = self._output_dtype(inputs)
        outputs = _build_keras_tensors(out_shape, dtype)
        Node(self, call_args=tuple(args), call_kwargs=node_kwargs, outputs=outputs)
        return outputs

    def _symbolic_output_shape(self, shapes, args, kwargs):
        if len(args) > 1 or kwargs or type(self).compute_output_shape is Layer.compute_output_shape:
            return _infer_output_shape(self, shapes, args, kwargs)
        return self.compute_output_shape(shapes)

    def _output_dtype(self, inputs) -> str:
        return self._dtype

    # --- graph-derived properties -----------------------------------------------------------
    @property
    def input(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        node = self._inbound_nodes[0]
        ins = node.input_tensors
        return ins[0] if len(ins) == 1 else ins

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has no inbound nodes.")
        return self._inbound_nodes[0].outputs

    @property
    def input_shape(self):
        if self._inbound_nodes:
            shapes = {repr(n.input_shapes) for n in self._inbound_nodes if not n.is_input}
            nodes = [n for n in self._inbound_nodes if not n.is_input]
            if len(shapes) == 1:
                return nodes[0].input_shapes
            if shapes:
                raise AttributeError(
                    f'The layer "{self.name}" has multiple inbound nodes with different input '
                    'shapes. Hence the notion of "input shape" is ill-defined for the layer.'
                )
        if self._batch_input_shape is not None:
            return tuple(self._batch_input_shape)
        if self._build_input_shape is not None:
            return self._build_input_shape
        raise AttributeError(
            f'The layer "{self.name}" has never been called and thus has no defined input shape.'
        )

    @property
    def output_shape(self):
        if self._inbound_nodes:
            shapes = {repr(n.output_shapes) for n in self._inbound_nodes}
            if len(shapes) == 1:
                return self._inbound_nodes[0].output_shapes
            raise AttributeError(
                f'The layer "{self.name}" has multiple inbound nodes, with different output '
                'shapes. Hence the notion of "output shape" is ill-defined for the layer.'
            )
        raise AttributeError(
            f'The layer "{self.name}" has never been called and thus has no defined output shape.'
        )

    @property
    def inbound_nodes(self) -> list:
        return self._inbound_nodes

    @property
    def outbound_nodes(self) -> list:
        return self._outbound_nodes

    def get_input_shape_at(self, node_index: int):
        return self._inbound_nodes[node_index].input_shapes

    def get_output_shape_at(self, node_index: int):
        return self._inbound_nodes[node_index].output_shapes

    def get_input_at(self, node_index: int):
        ins = self._inbound_nodes[node_index].input_tensors
        return ins[0] if len(ins) == 1 else ins

    def get_output_at(self, node_index: int):
        return self._inbound_nodes[node_index].outputs

    # --- config ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable}
        if self._batch_input_shape is not None:  # tf.keras 2.x puts it before the dtype
            config["batch_input_shape"] = tuple(self._batch_input_shape)
        config["dtype"] = self.dtype
        if self._activity_regularizer is not None and "activity_regularizer" not in config:
            config["activity_regularizer"] = _serialize(self._activity_regularizer)
        own = _init_params(type(self))
        if own and type(self).get_config is Layer.get_config:
            extra = [p for p in own if p not in config and p not in _BASE_KWARGS]
            if extra:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} has arguments {extra} in `__init__` and "
                    "therefore must override `get_config()`."
                )
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if (
            "batch_shape" in config
            and "batch_input_shape" not in config
            and cls.__name__ != "InputLayer"
        ):
            config["batch_input_shape"] = config.pop("batch_shape")
        for key in ("build_config", "module", "registered_name"):
            config.pop(key, None)
        return cls(**config)

    def get_build_config(self) -> dict | None:
        if self._build_input_shape is not None:
            shape = self._build_input_shape
            return {"input_shape": _map_structure(lambda d: d, _to_lists(shape))}
        return None

    def build_from_config(self, config: dict) -> None:
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self._maybe_build(_to_tuples(shape))

    # --- misc ---------------------------------------------------------------------------------
    @property
    def submodules(self) -> list:
        return self._flatten_layers()

    @property
    def _layers(self) -> list:
        return list(self._tracked_layers)


# --- helpers ------------------------------------------------------------------------------
class InputSpec:
    """Constraints on a layer's input (``ndim``, ``min_ndim``, ``axes``), as Keras's."""

    def __init__(
        self,
        dtype=None,
        shape=None,
        ndim=None,
        max_ndim=None,
        min_ndim=None,
        axes=None,
        allow_last_axis_squeeze=False,
        name=None,
    ) -> None:
        self.dtype = dtype
        self.shape = _shape_tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.name = name
        self.allow_last_axis_squeeze = allow_last_axis_squeeze

    def __repr__(self) -> str:
        parts = [
            f"{k}={v}"
            for k, v in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if v is not None
        ]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict:
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
        }


def _call_params(fn) -> set:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


def _init_params(cls) -> list:
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return []
    return [
        n
        for n, p in params.items()
        if n != "self"
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and p.default is p.empty
    ]


def _is_numeric_nested(x) -> bool:
    """True for nested lists of numbers (one array), False for lists of arrays/tensors."""
    while isinstance(x, (list, tuple)) and x:
        x = x[0]
    return isinstance(x, (int, float, bool, np.number)) and not isinstance(x, np.ndarray)


def _input_shapes(inputs):
    def shape(x):
        if isinstance(x, Tensor):
            return tuple(x._value.shape)
        return tuple(np.shape(x))

    if isinstance(inputs, (list, tuple)):
        return [
            shape(x) if not isinstance(x, (list, tuple, dict)) else _input_shapes(x) for x in inputs
        ]
    if isinstance(inputs, dict):
        return {k: shape(v) for k, v in inputs.items()}
    return shape(inputs)


def _build_keras_tensors(shape, dtype):
    if (
        isinstance(shape, list)
        and shape
        and not all(isinstance(d, (int, type(None))) for d in shape)
    ):
        return [_build_keras_tensors(s, dtype) for s in shape]
    if isinstance(shape, dict):
        return {k: _build_keras_tensors(v, dtype) for k, v in shape.items()}
    if isinstance(shape, tuple) and shape and isinstance(shape[0], (tuple, list)):
        return [_build_keras_tensors(tuple(s), dtype) for s in shape]
    return KerasTensor(tuple(shape), dtype)


def _dummy(shape, dtype: str, fill: int):
    shape = tuple(fill if d is None else d for d in shape)
    kind = np.dtype(dtype).kind if dtype else "f"
    if kind in "iu":
        return Tensor(np.zeros(shape, dtype=dtype))
    return Tensor(np.full(shape, 0.5, dtype=dtype or _config.floatx()))


def _infer_output_shape(layer: Layer, input_shapes, args=None, kwargs=None):
    """Run ``layer.call`` twice on dummy data, with unknown dimensions set to 2 and then 3;
    output dimensions that change are unknown (``None``)."""
    from lamina.autodiff import tape as _tape

    outs = []
    for fill in (2, 3):

        def make(t, fill=fill):
            if isinstance(t, KerasTensor):
                return _dummy(t._shape, t.dtype, fill)
            return t

        if args is not None:
            call_args = _map_structure(make, tuple(args))
            call_kwargs = _map_structure(make, dict(kwargs or {}))
        else:
            call_args = (_dummies(input_shapes, layer._dtype, fill),)
            call_kwargs = {}
        if layer._call_has_training:
            call_kwargs.setdefault("training", False)
        saved = _tape._active[:]
        _tape._active.clear()
        saved_losses = layer._losses
        try:
            out = layer.call(*call_args, **call_kwargs)
        finally:
            _tape._active.extend(saved)
            layer._losses = saved_losses
        outs.append(out)
    a, b = outs

    def merge(x, y):
        sx, sy = (
            np.shape(x._value if isinstance(x, Tensor) else x),
            np.shape(y._value if isinstance(y, Tensor) else y),
        )
        return tuple(d if d == e else None for d, e in zip(sx, sy))

    if isinstance(a, (list, tuple)):
        return [merge(x, y) for x, y in zip(a, b)]
    if isinstance(a, dict):
        return {k: merge(a[k], b[k]) for k in a}
    return merge(a, b)


def _dummies(shapes, dtype: str, fill: int):
    """Dummy tensors for a shape, or a list/dict of shapes."""
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return _dummy(shapes, dtype, fill)
    if isinstance(shapes, dict):
        return {k: _dummies(v, dtype, fill) for k, v in shapes.items()}
    if not isinstance(shapes, (list, tuple)):
        raise TypeError(f"Expected a shape tuple (or a list/dict of them), received {shapes!r}.")
    return [_dummies(s, dtype, fill) for s in shapes]


def _to_lists(shape):
    if isinstance(shape, (list, tuple)):
        return [_to_lists(s) for s in shape]
    return shape


def _to_tuples(shape):
    if isinstance(shape, (list, tuple)):
        if all(d is None or isinstance(d, int) for d in shape):
            return tuple(shape)
        return [_to_tuples(s) for s in shape]
    return shape


def _as_scalar(x):
    if isinstance(x, Tensor):
        return x
    from lamina.ops import convert_to_tensor

    return convert_to_tensor(np.asarray(x, dtype=_config.floatx()))


def _initial_value(initializer, shape: tuple, dtype: str) -> np.ndarray:
    if callable(initializer) and not isinstance(initializer, str):
        init = initializer
    else:
        init = _get_initializer(initializer)
    try:
        value = init(shape, dtype=dtype)
    except TypeError:
        value = init(shape)
    if isinstance(value, Tensor):
        value = value._value
    return np.asarray(value, dtype=dtype)


def _get_initializer(identifier):
    from lamina import initializers

    return initializers.get(identifier)


def _get_regularizer(identifier):
    from lamina import regularizers

    return regularizers.get(identifier)


def _get_constraint(identifier):
    from lamina import constraints

    return constraints.get(identifier)


def _serialize(obj):
    if obj is None:
        return None
    from lamina.utils.serialization import serialize_keras_object

    return serialize_keras_object(obj)


__all__ = ["Layer", "KerasTensor", "Node", "InputSpec", "is_keras_tensor"]
