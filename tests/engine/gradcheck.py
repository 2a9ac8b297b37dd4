"""One generic gradient checker: tape gradients against central finite differences.

``check_grad(f, *arrays)`` evaluates ``L(x) = sum(w * f(x))`` for a fixed random ``w`` (so
every output entry matters) in float64, differentiates it with ``GradientTape`` and compares
each input's gradient with ``(L(x + eps e_i) - L(x - eps e_i)) / 2 eps``.
``check_second_order`` does the same for the gradient itself, through nested tapes.
"""

from __future__ import annotations

import numpy as np

import lamina as tf


def _as_tensors(arrays):
    return [tf.constant(np.asarray(a, dtype=np.float64)) for a in arrays]


def _outputs(y) -> list:
    if isinstance(y, (list, tuple)):
        return [t for t in y if isinstance(t, tf.Tensor)]
    return [y]


def _weights(ys, seed=0) -> list[np.ndarray]:
    r = np.random.RandomState(seed)
    return [r.uniform(0.5, 1.5, size=np.shape(y._value)) for y in ys]


def _loss_np(f, arrays, ws) -> float:
    ys = _outputs(f(*_as_tensors(arrays)))
    return float(sum(np.sum(np.asarray(y._value, dtype=np.float64) * w) for y, w in zip(ys, ws)))


def numeric_grad(f, arrays, ws, eps=1e-6) -> list[np.ndarray]:
    grads = []
    for i, a in enumerate(arrays):
        a = np.asarray(a, dtype=np.float64)
        g = np.zeros_like(a)
        for k in range(a.size):
            plus, minus = a.copy(), a.copy()
            plus.flat[k] += eps
            minus.flat[k] -= eps
            args_p = list(arrays[:i]) + [plus] + list(arrays[i + 1 :])
            args_m = list(arrays[:i]) + [minus] + list(arrays[i + 1 :])
            g.flat[k] = (_loss_np(f, args_p, ws) - _loss_np(f, args_m, ws)) / (2 * eps)
        grads.append(g)
    return grads


def tape_grad(f, arrays, ws):
    xs = _as_tensors(arrays)
    with tf.GradientTape() as tape:
        tape.watch(xs)
        ys = _outputs(f(*xs))
        loss = tf.add_n([tf.reduce_sum(y * tf.constant(w)) for y, w in zip(ys, ws)])
    return tape.gradient(loss, xs)


def check_grad(f, *arrays, rtol=1e-5, atol=1e-6, eps=1e-6) -> None:
    """Assert tape gradients of ``f`` at ``arrays`` match finite differences."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    ys = _outputs(f(*_as_tensors(arrays)))
    for y in ys:
        assert y.dtype == tf.float64, f"output dtype {y.dtype.name}, expected float64"
    ws = _weights(ys)
    analytic = tape_grad(f, arrays, ws)
    numeric = numeric_grad(f, arrays, ws, eps)
    for i, (ga, gn) in enumerate(zip(analytic, numeric)):
        if ga is None:
            assert np.allclose(gn, 0, atol=atol), f"input {i}: tape gave None, numeric {gn}"
            continue
        assert ga.shape == gn.shape, f"input {i}: gradient shape {ga.shape} != {gn.shape}"
        assert ga.dtype == tf.float64
        np.testing.assert_allclose(
            ga.numpy(), gn, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}"
        )


def check_second_order(f, x, rtol=1e-4, atol=1e-5, eps=1e-5) -> None:
    """Assert the Hessian-vector product from nested tapes matches finite differences."""
    x = np.asarray(x, dtype=np.float64)
    v = np.random.RandomState(1).uniform(0.5, 1.5, size=x.shape)

    def grad_dot_v(arr):
        t = tf.constant(arr)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = tf.reduce_sum(f(t))
        return inner.gradient(y, t)

    t = tf.constant(x)
    with tf.GradientTape() as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = tf.reduce_sum(f(t))
        g = inner.gradient(y, t)
        gv = tf.reduce_sum(g * tf.constant(v))
    hv = outer.gradient(gv, t)
    num = np.zeros_like(x)
    for k in range(x.size):
        p, m = x.copy(), x.copy()
        p.flat[k] += eps
        m.flat[k] -= eps
        num.flat[k] = (np.sum(grad_dot_v(p).numpy() * v) - np.sum(grad_dot_v(m).numpy() * v)) / (
            2 * eps
        )
    np.testing.assert_allclose(hv.numpy(), num, rtol=rtol, atol=atol)
