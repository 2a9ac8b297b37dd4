"""Eager control flow and structures: ``cond``, ``while_loop``, ``scan``, ``nest``,
``TensorArray`` and the ``tf.debugging`` assertions.

lamina runs eagerly, so each is the plain Python loop or branch TensorFlow's graph version
stands for; tensors flowing through them keep their gradients.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.dtypes import as_dtype
from lamina.ops.array_ops import stack, unstack
from lamina.ops.core import _to_array, convert_to_tensor


# --- nested structures --------------------------------------------------------------------
def _is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def flatten(structure, expand_composites=False) -> list:
    """The leaves of nested lists/tuples/dicts, dict entries in sorted key order."""
    if isinstance(structure, dict):
        return [v for k in sorted(structure) for v in flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [v for item in structure for v in flatten(item)]
    return [structure]


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Rebuild ``structure`` with the leaves of ``flat_sequence``."""
    it = iter(list(flat_sequence))

    def build(s):
        if isinstance(s, dict):
            return type(s)((k, build(s[k])) for k in sorted(s))
        if isinstance(s, tuple) and hasattr(s, "_fields"):
            return type(s)(*(build(v) for v in s))
        if isinstance(s, (list, tuple)):
            return type(s)(build(v) for v in s)
        return next(it)

    return build(structure)


def map_structure(func, *structures, **kwargs):
    """Apply ``func`` to the matching leaves of the structures."""
    flats = [flatten(s) for s in structures]
    if len({len(f) for f in flats}) > 1:
        raise ValueError("map_structure: the structures do not have the same number of leaves.")
    return pack_sequence_as(structures[0], [func(*args) for args in zip(*flats)])


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False) -> None:
    """Raise ValueError unless both structures nest the same way."""

    def shape(s):
        if isinstance(s, dict):
            return ("dict", tuple((k, shape(s[k])) for k in sorted(s)))
        if isinstance(s, (list, tuple)):
            return (type(s).__name__ if check_types else "seq", tuple(shape(v) for v in s))
        return "leaf"

    if shape(nest1) != shape(nest2):
        raise ValueError("The two structures don't have the same nested structure.")


class nest:  # noqa: N801  (tf.nest namespace)
    """``tf.nest``: flatten and rebuild nested lists, tuples and dicts."""

    flatten = staticmethod(flatten)
    pack_sequence_as = staticmethod(pack_sequence_as)
    map_structure = staticmethod(map_structure)
    assert_same_structure = staticmethod(assert_same_structure)
    is_nested = staticmethod(_is_nested)


# --- branches and loops -------------------------------------------------------------------
def cond(pred, true_fn=None, false_fn=None, name=None):
    """``true_fn()`` if ``pred`` else ``false_fn()``."""
    if true_fn is None or false_fn is None:
        raise TypeError("cond: give both `true_fn` and `false_fn`.")
    return true_fn() if bool(pred) else false_fn()


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name=None):
    """The function of the first true predicate (or ``default``)."""
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else pred_fn_pairs
    hits = [fn for p, fn in pairs if bool(p)]
    if exclusive and len(hits) > 1:
        raise ValueError("case: more than one predicate is True with exclusive=True.")
    if hits:
        return hits[0]()
    if default is None:
        raise ValueError("case: no predicate is True and no `default` was given.")
    return default()


def switch_case(branch_index, branch_fns, default=None, name=None):
    """Call ``branch_fns[branch_index]`` (``default`` or the last branch when out of range)."""
    fns = dict(branch_fns) if isinstance(branch_fns, dict) else dict(enumerate(branch_fns))
    i = int(branch_index)
    if i in fns:
        return fns[i]()
    if default is not None:
        return default()
    return fns[max(fns)]()


def while_loop(
    cond,
    body,
    loop_vars,
    shape_invariants=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    maximum_iterations=None,
    name=None,
):
    """Run ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``."""
    single = not isinstance(loop_vars, (list, tuple))
    vars_ = [loop_vars] if single else list(loop_vars)
    n = 0
    while bool(cond(*vars_)):
        if maximum_iterations is not None and n >= int(maximum_iterations):
            break
        out = body(*vars_)
        vars_ = [out] if single or not isinstance(out, (list, tuple)) else list(out)
        n += 1
    if single:
        return vars_[0]
    return type(loop_vars)(vars_) if isinstance(loop_vars, tuple) else vars_


def foldl(
    fn,
    elems,
    initializer=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    name=None,
):
    """Reduce the first axis of ``elems`` with ``fn`` from the left."""
    items = (
        unstack(convert_to_tensor(elems)) if not isinstance(elems, (list, tuple)) else list(elems)
    )
    acc = items.pop(0) if initializer is None else initializer
    for x in items:
        acc = fn(acc, x)
    return acc


def foldr(
    fn,
    elems,
    initializer=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    name=None,
):
    """Reduce the first axis of ``elems`` with ``fn`` from the right."""
    items = (
        unstack(convert_to_tensor(elems)) if not isinstance(elems, (list, tuple)) else list(elems)
    )
    items.reverse()
    acc = items.pop(0) if initializer is None else initializer
    for x in items:
        acc = fn(acc, x)
    return acc


def scan(
    fn,
    elems,
    initializer=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    infer_shape=True,
    reverse=False,
    name=None,
):
    """Accumulate ``fn`` over the first axis, stacking every intermediate result."""
    items = unstack(convert_to_tensor(elems))
    if reverse:
        items.reverse()
    acc = items.pop(0) if initializer is None else initializer
    outs = [acc] if initializer is None else []
    for x in items:
        acc = fn(acc, x)
        outs.append(acc)
    if reverse:
        outs.reverse()
    return stack(outs)


# --- TensorArray --------------------------------------------------------------------------
class TensorArray:
    """A growable list of same-dtype tensors (``tf.TensorArray``), eager."""

    def __init__(
        self,
        dtype,
        size=None,
        dynamic_size=None,
        clear_after_read=None,
        tensor_array_name=None,
        handle=None,
        flow=None,
        infer_shape=True,
        element_shape=None,
        colocate_with_first_write_call=True,
        name=None,
    ) -> None:
        self.dtype = as_dtype(dtype)
        self._items: list = [None] * int(size or 0)
        self._dynamic = bool(dynamic_size) or not size

    def write(self, index, value) -> TensorArray:
        i = int(index)
        if i >= len(self._items):
            if not self._dynamic:
                raise IndexError(
                    f"TensorArray.write: index {i} is beyond its size "
                    f"{len(self._items)} (use dynamic_size=True)."
                )
            self._items.extend([None] * (i + 1 - len(self._items)))
        self._items[i] = convert_to_tensor(_to_array(value, self.dtype._np))
        return self

    def read(self, index) -> Tensor:
        v = self._items[int(index)]
        if v is None:
            raise ValueError(f"TensorArray.read: index {int(index)} was never written.")
        return v

    def stack(self, name=None) -> Tensor:
        if not self._items:
            return Tensor(np.zeros((0,), self.dtype._np))
        return stack([self.read(i) for i in range(len(self._items))])

    def gather(self, indices, name=None) -> Tensor:
        return stack([self.read(i) for i in np.asarray(_to_array(indices)).reshape(-1)])

    def unstack(self, value, name=None) -> TensorArray:
        for i, t in enumerate(unstack(convert_to_tensor(value))):
            self.write(i, t)
        return self

    def scatter(self, indices, value, name=None) -> TensorArray:
        for i, t in zip(
            np.asarray(_to_array(indices)).reshape(-1), unstack(convert_to_tensor(value))
        ):
            self.write(int(i), t)
        return self

    def concat(self, name=None) -> Tensor:
        from lamina.ops.array_ops import concat

        return concat([self.read(i) for i in range(len(self._items))], 0)

    def size(self, name=None) -> Tensor:
        return Tensor(np.asarray(len(self._items), np.int32))

    def close(self, name=None) -> None:
        self._items = []


# --- assertions (tf.debugging) ------------------------------------------------------------
def _fail(message, default: str):
    raise ValueError(f"{message}: {default}" if message else default)


def assert_equal(x, y, message=None, summarize=None, name=None) -> None:
    """Raise ValueError unless x == y everywhere."""
    a, b = _to_array(x), _to_array(y)
    if not np.all(a == b):
        _fail(message, f"Condition x == y did not hold: x = {a}, y = {b}.")


def assert_none_equal(x, y, message=None, summarize=None, name=None) -> None:
    """Raise ValueError if x == y anywhere."""
    if np.any(_to_array(x) == _to_array(y)):
        _fail(message, "Condition x != y did not hold for every element.")


def assert_greater(x, y, message=None, summarize=None, name=None) -> None:
    """Raise ValueError unless x > y everywhere."""
    if not np.all(_to_array(x) > _to_array(y)):
        _fail(message, "Condition x > y did not hold for every element.")


def assert_greater_equal(x, y, message=None, summarize=None, name=None) -> None:
    """Raise ValueError unless x >= y everywhere."""
    if not np.all(_to_array(x) >= _to_array(y)):
        _fail(message, "Condition x >= y did not hold for every element.")


def assert_less(x, y, message=None, summarize=None, name=None) -> None:
    """Raise ValueError unless x < y everywhere."""
    if not np.all(_to_array(x) < _to_array(y)):
        _fail(message, "Condition x < y did not hold for every element.")


def assert_less_equal(x, y, message=None, summarize=None, name=None) -> None:
    """Raise ValueError unless x <= y everywhere."""
    if not np.all(_to_array(x) <= _to_array(y)):
        _fail(message, "Condition x <= y did not hold for every element.")


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None) -> None:
    """Raise ValueError unless x and y are close."""
    a, b = _to_array(x), _to_array(y)
    eps = 10 * np.finfo(a.dtype).eps if a.dtype.kind == "f" else 0
    if not np.allclose(
        a, b, rtol=eps if rtol is None else rtol, atol=eps if atol is None else atol
    ):
        _fail(message, "Condition x ~= y did not hold.")


def assert_non_negative(x, message=None, summarize=None, name=None) -> None:
    """Raise ValueError if any entry is negative."""
    if np.any(_to_array(x) < 0):
        _fail(message, "Condition x >= 0 did not hold for every element.")


def assert_positive(x, message=None, summarize=None, name=None) -> None:
    """Raise ValueError unless every entry is positive."""
    if np.any(_to_array(x) <= 0):
        _fail(message, "Condition x > 0 did not hold for every element.")


def assert_rank(x, rank, message=None, name=None) -> None:
    """Raise ValueError unless ``x`` has rank ``rank``."""
    nd = _to_array(x).ndim
    if nd != int(rank):
        _fail(message, f"Expected a tensor of rank {int(rank)}, received rank {nd}.")


def assert_type(tensor, tf_type, message=None, name=None) -> None:
    """Raise ValueError unless the tensor has dtype ``tf_type``."""
    if convert_to_tensor(tensor).dtype != as_dtype(tf_type):
        _fail(
            message,
            f"Expected dtype {as_dtype(tf_type).name}, received "
            f"{convert_to_tensor(tensor).dtype.name}.",
        )


def assert_all_finite(t, message, name=None) -> Tensor:
    """``t`` itself, after checking it has no inf or NaN."""
    v = _to_array(t)
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{message}: Tensor had NaN or Inf values.")
    return convert_to_tensor(t)


check_numerics = assert_all_finite


def Assert(condition, data, summarize=None, name=None) -> None:  # noqa: N802
    """Raise ValueError with ``data`` unless ``condition`` holds."""
    if not bool(np.all(_to_array(condition))):
        raise ValueError("assertion failed: " + " ".join(str(d) for d in data))


class debugging:  # noqa: N801  (tf.debugging namespace)
    """``tf.debugging``: eager assertions raising ``ValueError``."""

    assert_equal = staticmethod(assert_equal)
    assert_none_equal = staticmethod(assert_none_equal)
    assert_greater = staticmethod(assert_greater)
    assert_greater_equal = staticmethod(assert_greater_equal)
    assert_less = staticmethod(assert_less)
    assert_less_equal = staticmethod(assert_less_equal)
    assert_near = staticmethod(assert_near)
    assert_non_negative = staticmethod(assert_non_negative)
    assert_positive = staticmethod(assert_positive)
    assert_rank = staticmethod(assert_rank)
    assert_type = staticmethod(assert_type)
    assert_all_finite = staticmethod(assert_all_finite)
    check_numerics = staticmethod(assert_all_finite)
    Assert = staticmethod(Assert)

    @staticmethod
    def set_log_device_placement(enabled: bool) -> None:
        """Accepted for compatibility (everything runs on the CPU)."""

    @staticmethod
    def enable_check_numerics(*args, **kwargs) -> None:
        """Accepted for compatibility."""


__all__ = [
    "nest",
    "cond",
    "case",
    "switch_case",
    "while_loop",
    "foldl",
    "foldr",
    "scan",
    "TensorArray",
    "debugging",
    "assert_equal",
    "assert_greater",
    "assert_less",
    "assert_rank",
    "Assert",
]
