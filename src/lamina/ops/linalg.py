"""Linear algebra: tensordot, einsum, norms, inverse, determinant, solve, decompositions."""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.ops.array_ops import expand_dims, transpose
from lamina.ops.core import (
    _float_input,
    as_tensor_pair,
    broadcast_to,
    convert_to_tensor,
    divide,
    matmul,
    multiply,
    negative,
    no_gradient,
    reduce_sum,
)
from lamina.ops.elementwise import abs, maximum, sqrt, square
from lamina.ops.reduction import reduce_max, reduce_min


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


# --- einsum -------------------------------------------------------------------------------
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _expand_ellipsis(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """Explicit subscripts for every operand and the output ('...' replaced by letters)."""
    eq = equation.replace(" ", "")
    lhs, _, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ndims):
        raise ValueError(
            f"einsum: equation {equation!r} names {len(ins)} operands, received {len(ndims)}."
        )
    used = set(eq) - {".", ",", "-", ">"}
    free = [c for c in _LETTERS if c not in used]
    n_ell = max(
        (nd - len(s.replace("...", "")) for s, nd in zip(ins, ndims) if "..." in s), default=0
    )
    ell = "".join(free[:n_ell])
    out_ins = []
    for s, nd in zip(ins, ndims):
        if "..." in s:
            k = nd - len(s.replace("...", ""))
            s = s.replace("...", ell[n_ell - k :] if k else "")
        if len(s) != nd:
            raise ValueError(f"einsum: subscripts {s!r} do not match an operand of rank {nd}.")
        out_ins.append(s)
    if "->" in eq:
        out = rhs.replace("...", ell)
    else:
        counts = {c: "".join(out_ins).count(c) for c in set("".join(out_ins))}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return out_ins, out


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """Einstein summation, e.g. ``einsum('ij,jk->ik', a, b)``; differentiable in each input."""
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    ts = [_t(x) for x in inputs]
    subs, out_sub = _expand_ellipsis(equation, [t.ndim for t in ts])
    full = ",".join(subs) + "->" + out_sub
    try:
        out = np.einsum(full, *[t._value for t in ts], optimize=len(ts) > 2)
    except ValueError as e:
        raise ValueError(
            f"einsum: {equation!r} does not fit operand shapes {[tuple(t.shape) for t in ts]}: {e}"
        ) from None
    sizes = {}
    for s, t in zip(subs, ts):
        for c, d in zip(s, t._value.shape):
            sizes[c] = max(sizes.get(c, 1), d)

    def vjp(g):
        grads = []
        for i, (s, t) in enumerate(zip(subs, ts)):
            if t._value.dtype.kind not in "fc":
                grads.append(None)
                continue
            others = [ts[j] for j in range(len(ts)) if j != i]
            other_subs = [subs[j] for j in range(len(ts)) if j != i]
            avail = set(out_sub).union(*other_subs) if other_subs else set(out_sub)
            kept = "".join(c for c in dict.fromkeys(s) if c in avail)
            gi = einsum(",".join([out_sub, *other_subs]) + "->" + kept, g, *others)
            # letters only in this operand (summed away) come back by broadcasting;
            # repeated letters (diagonals) are not supported for gradients
            if len(set(s)) != len(s):
                raise ValueError(f"einsum: no gradient for repeated subscripts in {s!r}.")
            if kept != s:
                gshape = [sizes[c] for c in s]
                for pos, c in enumerate(s):
                    if c not in kept:
                        gi = expand_dims(gi, pos)
                gi = broadcast_to(gi, gshape)
            if tuple(gi._value.shape) != t._value.shape:
                from lamina.ops.core import unbroadcast

                gi = unbroadcast(gi, t._value.shape)
            grads.append(gi)
        return tuple(grads)

    return record(np.asarray(out), tuple(ts), vjp)


def tensordot(a, b, axes, name=None) -> Tensor:
    """Sum products over ``axes`` (an int: the last n of a with the first n of b)."""
    a, b = as_tensor_pair(a, b, "tensordot")
    if isinstance(axes, Tensor):
        axes = axes._value.tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        ax_a = list(range(a.ndim - n, a.ndim))
        ax_b = list(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, int) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, int) else list(ax_b)
    ax_a = [x % a.ndim for x in ax_a]
    ax_b = [x % b.ndim for x in ax_b]
    for i, j in zip(ax_a, ax_b):
        if a._value.shape[i] != b._value.shape[j]:
            raise ValueError(
                f"tensordot: axis {i} of shape {tuple(a.shape)} and axis {j} of shape "
                f"{tuple(b.shape)} differ."
            )
    la = list(_LETTERS[: a.ndim])
    lb = list(_LETTERS[a.ndim : a.ndim + b.ndim])
    for i, j in zip(ax_a, ax_b):
        lb[j] = la[i]
    out = [c for k, c in enumerate(la) if k not in ax_a] + [
        c for k, c in enumerate(lb) if k not in ax_b
    ]
    return einsum("".join(la) + "," + "".join(lb) + "->" + "".join(out), a, b)


def matvec(a, b, transpose_a=False, name=None) -> Tensor:
    """Matrix times vector: (..., m, n) x (..., n) -> (..., m)."""
    m = matrix_transpose(_t(a)) if transpose_a else _t(a)
    return reduce_sum(multiply(m, expand_dims(b, -2)), axis=-1)


def matrix_transpose(a, name=None, conjugate=False) -> Tensor:
    """Swap the last two axes."""
    x = _t(a)
    if x.ndim < 2:
        raise ValueError(f"matrix_transpose: input must be at least 2-D, received {tuple(x.shape)}")
    perm = list(range(x.ndim - 2)) + [x.ndim - 1, x.ndim - 2]
    return transpose(x, perm)


# --- norms and clipping -------------------------------------------------------------------
def norm(tensor, ord="euclidean", axis=None, keepdims=False, name=None) -> Tensor:
    """Vector norms (``ord`` 1, 2/'euclidean', inf, p) or the Frobenius matrix norm."""
    x = _float_input(tensor, "norm")
    if isinstance(axis, (list, tuple)) and len(axis) == 2:
        if ord in ("euclidean", "fro"):
            return sqrt(reduce_sum(square(x), axis=tuple(axis), keepdims=keepdims))
        if ord == 1:
            return reduce_max(
                reduce_sum(abs(x), axis=axis[0], keepdims=True), axis=axis, keepdims=keepdims
            )
        if ord == np.inf:
            return reduce_max(
                reduce_sum(abs(x), axis=axis[1], keepdims=True), axis=axis, keepdims=keepdims
            )
        if ord == 2:
            value = np.linalg.norm(x._value, 2, axis=tuple(axis), keepdims=keepdims)
            return no_gradient(value.astype(x._value.dtype), (x,), "norm(ord=2) of a matrix")
        raise ValueError(f"norm: unsupported matrix `ord` {ord!r}.")
    if ord in ("euclidean", 2, 2.0):
        return sqrt(reduce_sum(square(x), axis=axis, keepdims=keepdims))
    if ord == 1:
        return reduce_sum(abs(x), axis=axis, keepdims=keepdims)
    if ord == np.inf:
        return reduce_max(abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return reduce_min(abs(x), axis=axis, keepdims=keepdims)
    if isinstance(ord, (int, float)) and ord > 0:
        from lamina.ops.elementwise import pow

        return pow(
            reduce_sum(pow(abs(x), float(ord)), axis=axis, keepdims=keepdims), 1.0 / float(ord)
        )
    raise ValueError(f"norm: `ord` must be 'euclidean', 'fro', 1, 2, inf or p > 0, got {ord!r}.")


def global_norm(t_list, name=None) -> Tensor:
    """sqrt(sum of squared entries of every tensor in the list)."""
    ts = [_t(t) for t in t_list if t is not None]
    if not ts:
        return Tensor(np.float32(0))
    total = reduce_sum(square(ts[0]))
    for t in ts[1:]:
        total = total + reduce_sum(square(t))
    return sqrt(total)


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """Scale ``t`` down so its L2 norm (over ``axes``) is at most ``clip_norm``."""
    x = _float_input(t, "clip_by_norm")
    n = sqrt(reduce_sum(square(x), axis=axes, keepdims=True))
    safe = maximum(n, float(clip_norm))
    return divide(multiply(x, float(clip_norm)), safe)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scale every tensor by clip_norm / max(global_norm, clip_norm); returns (list, norm)."""
    t_list = list(t_list)
    gn = global_norm(t_list) if use_norm is None else _t(use_norm)
    scale = divide(float(clip_norm), maximum(gn, float(clip_norm)))
    out = [None if t is None else multiply(_t(t), scale) for t in t_list]
    return out, gn


# --- matrix functions ---------------------------------------------------------------------
def inv(input, adjoint=False, name=None) -> Tensor:
    """The inverse of (a batch of) square matrices."""
    x = _float_input(input, "inv")
    _square(x, "inv")
    try:
        y = np.linalg.inv(x._value)
    except np.linalg.LinAlgError:
        raise ValueError("inv: the matrix is singular (not invertible).") from None
    if adjoint:
        y = np.swapaxes(y, -1, -2)

    def vjp(g):
        yt = matrix_transpose(out) if not adjoint else out
        gi = negative(matmul(matmul(yt, g), yt))
        return (matrix_transpose(gi) if adjoint else gi,)

    out = record(y, (x,), vjp)
    return out


def _square(x: Tensor, op: str) -> None:
    if x.ndim < 2 or x._value.shape[-1] != x._value.shape[-2]:
        raise ValueError(f"{op}: expected square matrices (..., n, n), received {tuple(x.shape)}.")


def det(input, name=None) -> Tensor:
    """The determinant of (a batch of) square matrices."""
    x = _float_input(input, "det")
    _square(x, "det")
    d = np.asarray(np.linalg.det(x._value), dtype=x._value.dtype)

    def vjp(g):
        return (
            multiply(expand_dims(expand_dims(multiply(g, out), -1), -1), matrix_transpose(inv(x))),
        )

    out = record(d, (x,), vjp)
    return out


def slogdet(input, name=None):
    """(sign, log|det|) of square matrices."""
    x = _float_input(input, "slogdet")
    _square(x, "slogdet")
    s, ld = np.linalg.slogdet(x._value)

    def vjp(g):
        return (multiply(expand_dims(expand_dims(g, -1), -1), matrix_transpose(inv(x))),)

    return Tensor(np.asarray(s, x._value.dtype)), record(np.asarray(ld, x._value.dtype), (x,), vjp)


def logdet(matrix, name=None) -> Tensor:
    """log(det) of symmetric positive-definite matrices."""
    return slogdet(matrix)[1]


def solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """X with matrix @ X = rhs."""
    a, b = as_tensor_pair(matrix, rhs, "solve")
    _square(a, "solve")
    if adjoint:
        a = matrix_transpose(a)
    try:
        x = np.linalg.solve(a._value, b._value)
    except np.linalg.LinAlgError:
        raise ValueError("solve: the matrix is singular.") from None
    except ValueError:
        raise ValueError(
            f"solve: shapes {tuple(a.shape)} and {tuple(b.shape)} do not fit."
        ) from None

    def vjp(g):
        gb = solve(matrix_transpose(a), g)
        ga = negative(matmul(gb, out, transpose_b=True))
        return ga, gb

    out = record(x, (a, b), vjp)
    return out


def cholesky(input, name=None) -> Tensor:
    """The lower Cholesky factor L (A = L L^T) of symmetric positive-definite matrices."""
    x = _float_input(input, "cholesky")
    _square(x, "cholesky")
    try:
        value = np.linalg.cholesky(x._value)
    except np.linalg.LinAlgError:
        raise ValueError("cholesky: the matrix is not positive definite.") from None

    def vjp(g):
        # Murray's formula, symmetrized as TensorFlow: the input is taken as symmetric.
        l_inv = inv(out)
        middle = band_part(matmul(out, g, transpose_a=True), -1, 0)
        middle = middle - multiply(0.5, diag(diag_part(middle)))
        grad = matmul(matmul(l_inv, middle, transpose_a=True), l_inv)
        return (multiply(0.5, grad + matrix_transpose(grad)),)

    out = record(value, (x,), vjp)
    return out


def qr(input, full_matrices=False, name=None):
    """(q, r) of the QR decomposition; no gradient."""
    x = _float_input(input, "qr")
    q, r = np.linalg.qr(x._value, mode="complete" if full_matrices else "reduced")
    return no_gradient(q, (x,), "qr"), no_gradient(r, (x,), "qr")


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """(s, u, v) as TensorFlow orders them (v, not v transposed)."""
    x = _float_input(tensor, "svd")
    if not compute_uv:
        return no_gradient(np.linalg.svd(x._value, compute_uv=False), (x,), "svd")
    u, s, vt = np.linalg.svd(x._value, full_matrices=full_matrices)
    v = np.swapaxes(vt, -1, -2)
    return tuple(no_gradient(a, (x,), "svd") for a in (s, u, v))


def eigh(tensor, name=None):
    """(eigenvalues, eigenvectors) of symmetric matrices (from the lower triangle)."""
    x = _float_input(tensor, "eigh")
    w, v = np.linalg.eigh(x._value)
    gap = w[..., None, :] - w[..., :, None]
    with np.errstate(divide="ignore"):
        f = np.where(np.eye(w.shape[-1], dtype=bool), 0.0, 1.0 / gap).astype(w.dtype)

    def lower(grad):  # the op reads only the lower triangle, as TensorFlow's
        grad = band_part(grad + matrix_transpose(grad), -1, 0)
        return grad - multiply(0.5, diag(diag_part(grad)))

    def vjp_w(g):
        return (lower(matmul(matmul(vecs, diag(g)), vecs, transpose_b=True)),)

    def vjp_v(g):
        inner = multiply(Tensor(f), matmul(vecs, g, transpose_a=True))
        return (lower(matmul(matmul(vecs, inner), vecs, transpose_b=True)),)

    vecs = Tensor(v)  # constant inside the VJPs (no third derivatives through eigh)
    return record(w, (x,), vjp_w), record(v, (x,), vjp_v)


def eigvalsh(tensor, name=None) -> Tensor:
    """Eigenvalues of symmetric matrices."""
    return eigh(tensor)[0]


def pinv(a, rcond=None, validate_args=False, name=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse; no gradient."""
    x = _float_input(a, "pinv")
    kw = {} if rcond is None else {"rcond": rcond}
    return no_gradient(np.linalg.pinv(x._value, **kw).astype(x._value.dtype), (x,), "pinv")


def diag(diagonal, name=None, k=0) -> Tensor:
    """A (batched) square matrix with ``diagonal`` on its main diagonal."""
    d = _t(diagonal)
    n = d._value.shape[-1]
    eye = np.eye(n, dtype=d._value.dtype)
    return multiply(expand_dims(d, -1), Tensor(eye))


def diag_part(input, name=None, k=0) -> Tensor:
    """The main diagonal of the last two axes."""
    from lamina.ops.array_ops import getitem

    x = _t(input)
    idx = np.arange(min(x._value.shape[-2:]))
    return getitem(x, (Ellipsis, idx, idx))


def trace(x, name=None) -> Tensor:
    """The sum of the main diagonal."""
    return reduce_sum(diag_part(x), axis=-1)


def band_part(input, num_lower, num_upper, name=None) -> Tensor:
    """Zero everything outside ``num_lower`` sub- and ``num_upper`` super-diagonals (-1: keep all)."""
    x = _t(input)
    m, n = x._value.shape[-2:]
    i, j = np.arange(m)[:, None], np.arange(n)[None, :]
    lo, up = int(num_lower), int(num_upper)
    keep = ((lo < 0) | (i - j <= lo)) & ((up < 0) | (j - i <= up))
    return multiply(x, Tensor(keep.astype(x._value.dtype)))


def cross(a, b, name=None) -> Tensor:
    """The cross product of 3-vectors."""
    a, b = as_tensor_pair(a, b, "cross")
    out = np.cross(a._value, b._value)

    def vjp(g):
        return cross(b, g), cross(g, a)

    return record(out, (a, b), vjp)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None) -> Tensor:
    """x scaled to unit L2 norm along ``axis``."""
    from lamina.ops.nn import l2_normalize as _l2

    return _l2(x, axis=axis, epsilon=epsilon)


__all__ = [
    "einsum",
    "tensordot",
    "matvec",
    "matrix_transpose",
    "norm",
    "global_norm",
    "clip_by_norm",
    "clip_by_global_norm",
    "inv",
    "det",
    "slogdet",
    "logdet",
    "solve",
    "cholesky",
    "qr",
    "svd",
    "eigh",
    "eigvalsh",
    "pinv",
    "diag",
    "diag_part",
    "trace",
    "band_part",
    "cross",
    "l2_normalize",
    "matmul",
]


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None) -> Tensor:
    """The least-squares solution X of matrix @ X ~= rhs (ridge-regularized if asked)."""
    a, b = as_tensor_pair(_float_input(matrix, "lstsq"), rhs, "lstsq")
    at = matrix_transpose(a)
    gram = matmul(at, a)
    n = a._value.shape[-1]
    if l2_regularizer:
        gram = gram + Tensor(float(l2_regularizer) * np.eye(n, dtype=a._value.dtype))
    return solve(gram, matmul(at, b))


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """X with matrix @ X = rhs for a triangular ``matrix``."""
    from lamina.ops.numpy_api import tril, triu

    a = _float_input(matrix, "triangular_solve")
    a = tril(a) if lower else triu(a)
    return solve(a, rhs, adjoint=adjoint)


def cholesky_solve(chol, rhs, name=None) -> Tensor:
    """X with (L L^T) X = rhs, given the Cholesky factor L."""
    lo = _float_input(chol, "cholesky_solve")
    y = solve(lo, rhs)
    return solve(matrix_transpose(lo), y)


def matrix_rank(a, tol=None, validate_args=False, name=None) -> Tensor:
    """The numerical rank of a matrix."""
    v = _float_input(a, "matrix_rank")._value
    return Tensor(np.asarray(np.linalg.matrix_rank(v, tol=tol), dtype=np.int32))


def normalize(tensor, ord="euclidean", axis=None, name=None):
    """(tensor / norm, norm)."""
    x = _float_input(tensor, "normalize")
    n = norm(x, ord=ord, axis=axis, keepdims=True)
    return divide(x, n), n


def set_diag(input, diagonal, name=None, k=0) -> Tensor:
    """``input`` with its main diagonal replaced by ``diagonal``."""
    x = _t(input)
    m, n = x._value.shape[-2:]
    eye = np.eye(m, n, dtype=x._value.dtype)
    d = (
        convert_to_tensor(np.asarray(_t(diagonal)._value, dtype=x._value.dtype))
        if not isinstance(diagonal, Tensor)
        else diagonal
    )
    placed = multiply(expand_dims(d, -2) if m >= n else expand_dims(d, -1), Tensor(eye))
    return multiply(x, Tensor(1 - eye)) + placed


__all__ += ["lstsq", "triangular_solve", "cholesky_solve", "matrix_rank", "normalize", "set_diag"]
