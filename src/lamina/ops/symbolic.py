"""Public ops called on symbolic ``KerasTensor``\\ s build functional-model layers.

``tf.concat([a, b], -1)``, ``tf.nn.relu(t)`` or ``keras.ops.mean(t)`` on tensors derived
from ``keras.Input`` do not compute anything: as in tf.keras 2.x (``TFOpLambda``) and
Keras 3, they record a layer node that runs the op on real data when the model is called.

One mechanism serves every public namespace (``lamina``/``tf``, ``tf.math``, ``tf.nn``,
``tf.linalg``, ``tf.random``, ``keras.ops``, ``keras.backend``): :func:`wrap` is applied
once to each public op function when its namespace is built. The wrapper's fast path looks
at the *types* of the arguments only: unless one is a ``KerasTensor``, or a list/tuple/dict
holding a container or a ``KerasTensor`` (then searched recursively), it calls the op at
once (about 0.15-0.4 us per call); before ``lamina.layers`` is imported (no ``KerasTensor``
can exist) it never searches. Internal code imports the op family modules
(``lamina.ops.core`` ...), which stay unwrapped.

Layer names follow tf.keras 2.x: ``"tf."`` plus TensorFlow's canonical name of the op
(``tf.reduce_sum`` records ``tf.math.reduce_sum``), numbered ``tf.concat_1`` ... on reuse;
``keras.ops`` functions without a TensorFlow name are named as Keras 3 names its op layers
(``mean``, ``concatenate``); ``keras.backend`` functions by the TensorFlow op tf.keras 2.x
recorded for them (``K.mean`` -> ``tf.math.reduce_mean``), else ``tf.keras.backend.<name>``.
"""

from __future__ import annotations

import functools
import inspect

#: Argument types that make the wrapper look closer. ``KerasTensor`` joins when
#: ``lamina.layers.layer`` is imported (no symbolic tensor can exist before that).
_SCAN: set = set()
_KERAS_TENSOR: list = []  # [KerasTensor] once registered

#: id(raw function) -> its wrapper, so a function reachable under several names
#: (``tf.reduce_sum`` and ``tf.math.reduce_sum``) gets one wrapper and keeps its identity.
_WRAPPERS: dict[int, object] = {}

#: Top-level tf names whose canonical TensorFlow name lives in ``tf.math``.
_MATH_NAMES = frozenset(
    """abs acos acosh add add_n argmax argmin asin asinh atan atan2 atanh bincount ceil
    confusion_matrix conj cos cosh count_nonzero cumprod cumsum divide divide_no_nan equal
    erf erfc exp expm1 floor floordiv floormod greater greater_equal imag in_top_k is_finite
    is_inf is_nan less less_equal log log1p log_sigmoid logical_and logical_not logical_or
    logical_xor maximum minimum multiply multiply_no_nan negative not_equal pow real
    reciprocal reduce_all reduce_any reduce_euclidean_norm reduce_logsumexp reduce_max
    reduce_mean reduce_min reduce_prod reduce_std reduce_sum reduce_variance rint round
    rsqrt scalar_mul sigmoid sign sin sinh softplus sqrt square squared_difference subtract
    tan tanh top_k truediv unsorted_segment_sum xdivy xlogy""".split()
)

#: Other paths whose TensorFlow canonical name differs (read from TensorFlow 2.21's API).
_CANONICAL = {
    # tf.keras 2.x recorded these through the TF1 op their TF2 version calls.
    "shape": "compat.v1.shape",
    "transpose": "compat.v1.transpose",
    "squeeze": "compat.v1.squeeze",
    "gather": "compat.v1.gather",
    "norm": "compat.v1.norm",
    "linalg.norm": "compat.v1.norm",
    "Assert": "debugging.Assert",
    "assert_equal": "debugging.assert_equal",
    "assert_greater": "debugging.assert_greater",
    "assert_less": "debugging.assert_less",
    "assert_rank": "debugging.assert_rank",
    "depth_to_space": "nn.depth_to_space",
    "global_norm": "linalg.global_norm",
    "linalg.clip_by_global_norm": "clip_by_global_norm",
    "linalg.clip_by_norm": "clip_by_norm",
    "linalg.einsum": "einsum",
    "linalg.eye": "eye",
    "linalg.l2_normalize": "math.l2_normalize",
    "linalg.tensordot": "tensordot",
    "math.argsort": "argsort",
    "math.cast": "cast",
    "math.clip_by_value": "clip_by_value",
    "math.depth_to_space": "nn.depth_to_space",
    "math.get_static_value": "get_static_value",
    "math.histogram_fixed_width": "histogram_fixed_width",
    "math.identity_n": "identity_n",
    "math.log_softmax": "nn.log_softmax",
    "math.parallel_stack": "parallel_stack",
    "math.reverse_sequence": "reverse_sequence",
    "math.searchsorted": "searchsorted",
    "math.softmax": "nn.softmax",
    "math.softsign": "nn.softsign",
    "math.sort": "sort",
    "math.space_to_depth": "nn.space_to_depth",
    "math.strided_slice": "strided_slice",
    "math.tensor_scatter_nd_max": "tensor_scatter_nd_max",
    "math.tensor_scatter_nd_min": "tensor_scatter_nd_min",
    "math.tensor_scatter_nd_sub": "tensor_scatter_nd_sub",
    "math.truncatediv": "truncatediv",
    "math.truncatemod": "truncatemod",
    "math.unique_with_counts": "unique_with_counts",
    "math.unravel_index": "unravel_index",
    "matmul": "linalg.matmul",
    "nn.in_top_k": "math.in_top_k",
    "nn.l2_normalize": "math.l2_normalize",
    "nn.log": "math.log",
    "nn.one_hot": "one_hot",
    "nn.sigmoid": "math.sigmoid",
    "nn.softplus": "math.softplus",
    "nn.sqrt": "math.sqrt",
    "nn.tanh": "math.tanh",
    "nn.top_k": "math.top_k",
    "nn.zero_fraction": "math.zero_fraction",
    "saturate_cast": "dtypes.saturate_cast",
    "softsign": "nn.softsign",
    "space_to_depth": "nn.space_to_depth",
}

#: Keras 2 backend functions and the TensorFlow op tf.keras 2.x recorded for them.
_BACKEND_TF_NAMES = {
    "mean": "math.reduce_mean",
    "sum": "math.reduce_sum",
    "max": "math.reduce_max",
    "min": "math.reduce_min",
    "prod": "math.reduce_prod",
    "std": "math.reduce_std",
    "var": "math.reduce_variance",
    "concatenate": "concat",
    "square": "math.square",
    "sqrt": "math.sqrt",
    "exp": "math.exp",
    "log": "math.log",
    "abs": "math.abs",
    "pow": "math.pow",
    "maximum": "math.maximum",
    "minimum": "math.minimum",
    "expand_dims": "expand_dims",
    "squeeze": "compat.v1.squeeze",
    "reshape": "reshape",
    "permute_dimensions": "compat.v1.transpose",
    "stack": "stack",
    "tile": "tile",
    "relu": "nn.relu",
    "sigmoid": "math.sigmoid",
    "tanh": "math.tanh",
    "softmax": "nn.softmax",
    "softplus": "math.softplus",
    "l2_normalize": "math.l2_normalize",
    "cast": "cast",
    "argmax": "math.argmax",
    "argmin": "math.argmin",
    "equal": "math.equal",
    "clip": "clip_by_value",
    "dot": "linalg.matmul",
    "shape": "compat.v1.shape",
    "transpose": "compat.v1.transpose",
    "flatten": "reshape",
    "random_normal": "random.normal",
    "random_uniform": "random.uniform",
    "gather": "compat.v1.gather",
}

#: Names never wrapped: conversions and introspection (a KerasTensor has no value to
#: convert; ``K.int_shape(t)`` answers from the static shape).
_NOT_OPS = frozenset(
    {
        "constant",
        "convert_to_tensor",
        "get_static_value",
        "is_tensor",
        "is_keras_tensor",
        "is_sparse",
        "is_symbolic_tensor",
        "int_shape",
        "ndim",
        "dtype",
        "eval",
        "get_value",
        "batch_get_value",
        "set_value",
        "batch_set_value",
        "variable",
        "placeholder",
        "count_params",
        "print",
        "unbroadcast",
        "getitem",
        "update",
        "update_add",
        "update_sub",
        "set_seed",
        "name_scope",
        "function",
    }
)


def register_symbolic_type(cls: type) -> None:
    """Called once by ``lamina.layers.layer`` with ``KerasTensor``."""
    _KERAS_TENSOR[:] = [cls]
    _SCAN.update((cls, list, tuple, dict))


def has_symbolic(obj) -> bool:
    """True if ``obj`` is, or contains (in lists, tuples, dict values), a KerasTensor."""
    if not _KERAS_TENSOR:
        return False
    return _contains(obj.values() if obj.__class__ is dict else (obj,), _KERAS_TENSOR[0])


def _contains(items, kt) -> bool:
    # Exact class checks (and ``isdisjoint`` over the element types, which runs in C) keep
    # the common containers, shape tuples and lists of Tensors, cheap.
    for o in items:
        c = o.__class__
        if c is kt:
            return True
        if c is list or c is tuple:
            if not _SCAN.isdisjoint(map(type, o)) and _contains(o, kt):
                return True
        elif c is dict:
            if _contains(o.values(), kt):
                return True
        elif isinstance(o, (list, tuple, kt)):  # subclasses (namedtuples)
            if isinstance(o, kt) or _contains(o, kt):
                return True
    return False


def symbol_for(namespace: str, fn) -> str:
    """The op's API path without ``tf.``: TensorFlow's canonical name where there is one."""
    name = getattr(fn, "__name__", "op").rstrip("_")
    if namespace in ("ops", "backend"):
        return f"{namespace}.{name}"
    path = f"{namespace}.{name}" if namespace else name
    if path in _CANONICAL:
        return _CANONICAL[path]
    if not namespace and name in _MATH_NAMES:
        return f"math.{name}"
    if namespace in ("nn", "linalg") and name in _MATH_NAMES:
        return f"math.{name}"
    return path


def display_name(symbol: str) -> str:
    """The layer name prefix: ``tf.math.reduce_sum``, or ``mean`` for ``keras.ops.mean``."""
    namespace, _, name = symbol.partition(".")
    if namespace == "ops":
        return name
    if namespace == "backend":
        return f"tf.{_BACKEND_TF_NAMES.get(name, 'keras.backend.' + name)}"
    return f"tf.{symbol}"


def wrap(fn, namespace: str = ""):
    """The symbolic-aware version of the public op ``fn`` (``fn`` itself for non-ops)."""
    if not inspect.isfunction(fn) or getattr(fn, "_lamina_symbol", None) is not None:
        return fn
    cached = _WRAPPERS.get(id(fn))
    if cached is not None:
        return cached
    symbol = symbol_for(namespace, fn)

    scan = _SCAN

    @functools.wraps(fn)
    def op(*args, **kwargs):
        # Fast path: no argument is a KerasTensor, and containers hold none of the types
        # worth a closer look (flat shape tuples, lists of Tensors).
        for a in args:
            c = a.__class__
            if c in scan:
                if c is list or c is tuple:
                    for e in a:
                        if e.__class__ in scan:
                            break
                    else:
                        continue
                break
        else:
            if not kwargs:
                return fn(*args)
            for a in kwargs.values():
                c = a.__class__
                if c in scan:
                    if c is list or c is tuple:
                        for e in a:
                            if e.__class__ in scan:
                                break
                        else:
                            continue
                    break
            else:
                return fn(*args, **kwargs)
        kt = _KERAS_TENSOR[0]
        if _contains(args, kt) or (kwargs and _contains(kwargs.values(), kt)):
            return symbolic_call(fn, symbol, args, kwargs)
        return fn(*args, **kwargs)

    op._lamina_symbol = symbol
    _WRAPPERS[id(fn)] = op
    return op


def wrap_namespace(namespace_dict: dict, namespace: str, names) -> None:
    """Replace each public op function ``names`` of a module's globals by its wrapper."""
    for name in names:
        if name in _NOT_OPS or name.startswith("_"):
            continue
        value = namespace_dict.get(name)
        if inspect.isfunction(value):
            namespace_dict[name] = wrap(value, namespace)


def wrap_value(name: str, value, namespace: str):
    """``value`` wrapped if it is a public op function called ``name``."""
    if name in _NOT_OPS or name.startswith("_") or not inspect.isfunction(value):
        return value
    return wrap(value, namespace)


def symbolic_call(fn, symbol: str, args: tuple, kwargs: dict, layer_cls: str = "TFOpLambda"):
    """Record ``fn(*args, **kwargs)`` as a new op layer's node; returns its KerasTensor(s)."""
    from lamina.layers import op_lambda

    cls = getattr(op_lambda, layer_cls)
    return cls(fn, symbol=symbol)(*args, **kwargs)


# --- Python operators on KerasTensors (tf.keras 2.x names) ---------------------------------
def _operators_add(x, y, name=None):
    return x + y


def _operators_getitem(x, slice_spec):
    return x[slice_spec]


OPERATORS = {"__operators__.add": _operators_add, "__operators__.getitem": _operators_getitem}


def resolve_symbol(symbol: str):
    """The op function saved under ``symbol`` (a config's ``function``), or None.

    Only lamina's own wrapped public ops resolve, so a file can name an op but never supply
    code.
    """
    if not isinstance(symbol, str):
        return None
    if symbol in OPERATORS:
        return OPERATORS[symbol]
    import lamina

    candidates = [symbol] + [path for path, canon in _CANONICAL.items() if canon == symbol]
    namespace, _, name = symbol.partition(".")
    if namespace == "math" and name in _MATH_NAMES:
        candidates.append(name)
    if symbol.startswith("compat.v1."):
        candidates.append(symbol[len("compat.v1.") :])
    for path in candidates:
        obj = lamina
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        raw = getattr(obj, "__wrapped__", None)
        if getattr(obj, "_lamina_symbol", None) is not None and raw is not None:
            return raw
    return None


__all__ = ["wrap", "wrap_namespace", "wrap_value", "has_symbolic", "resolve_symbol"]
