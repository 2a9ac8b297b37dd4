"""TensorFlow's eager-mode helpers: ``function``, ``custom_gradient``, ``TensorSpec`` ...

lamina always executes eagerly, so ``@lamina.function`` returns the Python function
unchanged (accepting ``tf.function``'s arguments), and graph-only ideas reduce to their
eager meaning.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor, TensorShape
from lamina.dtypes import as_dtype


def function(
    func=None,
    input_signature=None,
    autograph=True,
    jit_compile=None,
    reduce_retracing=False,
    experimental_relax_shapes=None,
    **kwargs,
):
    """``tf.function``: a pass-through decorator (lamina runs everything eagerly)."""
    if func is None:
        return lambda f: function(f, input_signature, autograph, jit_compile, reduce_retracing)

    @functools.wraps(func)
    def wrapper(*args, **kw):
        return func(*args, **kw)

    wrapper.python_function = func
    return wrapper


def executing_eagerly() -> bool:
    """Always True: lamina has no graph mode."""
    return True


def is_tensor(x) -> bool:
    """True for lamina Tensors and Variables."""
    return isinstance(x, Tensor)


class UnconnectedGradients:
    """What ``GradientTape.gradient`` returns for unconnected sources."""

    NONE = "none"
    ZERO = "zero"


class TensorSpec:
    """The shape and dtype a tensor is expected to have (``tf.TensorSpec``)."""

    def __init__(self, shape, dtype="float32", name=None) -> None:
        self.shape = TensorShape(shape)
        self.dtype = as_dtype(dtype)
        self.name = name

    def is_compatible_with(self, other) -> bool:
        shape = TensorShape(other.shape)
        if len(shape) != len(self.shape) or other.dtype != self.dtype:
            return False
        return all(a is None or b is None or a == b for a, b in zip(self.shape, shape))

    @classmethod
    def from_tensor(cls, tensor, name=None) -> TensorSpec:
        return cls(tensor.shape, tensor.dtype, name)

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, TensorSpec)
            and self.shape == other.shape
            and self.dtype == other.dtype
        )

    def __hash__(self) -> int:
        return hash((tuple(self.shape), self.dtype.name))

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype=lamina.{self.dtype.name}, name={self.name!r})"


def custom_gradient(f=None):
    """Decorate ``f(*x) -> (y, grad_fn)`` so the tape uses ``grad_fn(upstream)`` as its VJP."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        from lamina.ops.core import convert_to_tensor

        inputs = tuple(a if isinstance(a, Tensor) else convert_to_tensor(a) for a in args)
        y, grad_fn = f(*inputs, **kwargs)

        def vjp(g):
            gs = grad_fn(g)
            if not isinstance(gs, (list, tuple)):
                gs = (gs,)
            if len(gs) != len(inputs):
                raise ValueError(
                    f"custom_gradient: the gradient function of {f.__name__} returned "
                    f"{len(gs)} gradients for {len(inputs)} inputs."
                )
            return tuple(None if v is None else convert_to_tensor(v) for v in gs)

        y = convert_to_tensor(y)
        return record(y._value, inputs, vjp)

    return wrapper


def numpy_function(func, inp, Tout=None, stateful=True, name=None):  # noqa: N803
    """Call ``func`` on the inputs as NumPy arrays; results become Tensors (no gradient)."""
    args = [np.asarray(x._value) if isinstance(x, Tensor) else x for x in inp]
    out = func(*args)
    if isinstance(out, (list, tuple)):
        return [
            _wrap(o, t)
            for o, t in zip(out, Tout if isinstance(Tout, (list, tuple)) else [Tout] * len(out))
        ]
    return _wrap(out, Tout)


def py_function(func, inp, Tout=None, name=None):  # noqa: N803
    """Call ``func`` on the input tensors eagerly."""
    out = func(*inp)
    if isinstance(out, (list, tuple)):
        return [_wrap(o, None) for o in out]
    return _wrap(out, None)


def _wrap(value, dtype):
    from lamina.ops.core import convert_to_tensor

    arr = value._value if isinstance(value, Tensor) else np.asarray(value)
    if dtype is not None:
        arr = arr.astype(as_dtype(dtype)._np, copy=False)
    return convert_to_tensor(arr)


@contextlib.contextmanager
def device(device_name):
    """``tf.device``: accepted; lamina places everything on the CPU."""
    yield


class name_scope:  # noqa: N801
    """``tf.name_scope``: a context manager that only remembers its name."""

    def __init__(self, name, *args, **kwargs) -> None:
        self.name = name

    def __enter__(self) -> str:
        return f"{self.name}/"

    def __exit__(self, *exc) -> None:
        return None


def no_op(name=None) -> None:
    """Does nothing (``tf.no_op``)."""
    return None
