"""Activations computed in place over preallocated buffers.

Forward ``f(z, scratch)`` overwrites ``z`` with the activation. Backward
``g(a, dy, scratch)`` turns dL/d(output) into dL/d(z) in place, using only the activation's
output ``a`` (so the pre-activation need not be kept).
"""

from __future__ import annotations

import numpy as np

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _fwd_linear(z, scratch):
    pass


_ZEROS: dict = {}


def _zeros_like(z: np.ndarray) -> np.ndarray:
    """A read-only block of zeros shaped as ``z``: NumPy's maximum against a scalar takes a
    slow broadcasting loop, several times slower than against an array."""
    key = (z.shape, z.dtype.char)
    zeros = _ZEROS.get(key)
    if zeros is None:
        zeros = _ZEROS[key] = np.zeros(z.shape, z.dtype)
        zeros.setflags(write=False)
    return zeros


def _fwd_relu(z, scratch):
    np.maximum(z, _zeros_like(z), out=z)


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
    np.multiply(scratch, SELU_ALPHA - 1.0, out=scratch)
    np.add(z, scratch, out=z)
    np.multiply(z, SELU_SCALE, out=z)


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
    np.add(a, SELU_SCALE * SELU_ALPHA, out=scratch)
    np.copyto(scratch, SELU_SCALE, where=a > 0)
    np.multiply(dy, scratch, out=dy)


def _bwd_softplus(a, dy, scratch):
    # f' = sigmoid(z) = 1 - exp(-a)
    np.negative(a, out=scratch)
    np.exp(scratch, out=scratch)
    np.subtract(1, scratch, out=scratch)
    np.multiply(dy, scratch, out=dy)


FORWARD = {
    "linear": _fwd_linear,
    "relu": _fwd_relu,
    "sigmoid": _fwd_sigmoid,
    "tanh": _fwd_tanh,
    "softmax": _fwd_softmax,
    "elu": _fwd_elu,
    "selu": _fwd_selu,
    "softplus": _fwd_softplus,
}
BACKWARD = {
    "linear": _bwd_linear,
    "relu": _bwd_relu,
    "sigmoid": _bwd_sigmoid,
    "tanh": _bwd_tanh,
    "softmax": _bwd_softmax,
    "elu": _bwd_elu,
    "selu": _bwd_selu,
    "softplus": _bwd_softplus,
}
ACTIVATIONS = set(FORWARD)
