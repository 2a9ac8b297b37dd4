"""Property tests: over random shapes, weights and reductions the compiled-path NumPy twin
agrees with the tape bit for bit, and losses are finite for any probabilities or logits."""

import numpy as np
from hypothesis import given, settings, strategies as st

import lamina
from lamina import losses as L

REDUCTIONS = st.sampled_from(["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"])


def tape(loss, yt, yp, sw):
    v = lamina.constant(yp)
    with lamina.GradientTape() as t:
        t.watch(v)
        out = loss(yt, v, sample_weight=sw)
    return out.numpy(), t.gradient(out, v).numpy()


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 9),
    k=st.integers(1, 5),
    seed=st.integers(0, 2**31 - 1),
    reduction=REDUCTIONS,
    weighted=st.booleans(),
    logits=st.booleans(),
    kind=st.sampled_from(["bce", "cce", "scce", "mse", "mae", "huber"]),
)
def test_twin_equals_tape(n, k, seed, reduction, weighted, logits, kind):
    rng = np.random.RandomState(seed)
    z = (rng.randn(n, k) * 4).astype(np.float32)
    probs = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    sw = rng.rand(n).astype(np.float32) if weighted else None
    if kind == "bce":
        loss = L.BinaryCrossentropy(from_logits=logits, reduction=reduction)
        yt = (rng.rand(n, k) > 0.5).astype(np.float32)
        yp = z if logits else 1 / (1 + np.exp(-z))
    elif kind == "cce":
        loss = L.CategoricalCrossentropy(from_logits=logits, reduction=reduction)
        yt = np.eye(k, dtype=np.float32)[rng.randint(0, k, n)]
        yp = z if logits else probs
    elif kind == "scce":
        loss = L.SparseCategoricalCrossentropy(from_logits=logits, reduction=reduction)
        yt = rng.randint(0, k, n)
        yp = z if logits else probs
    else:
        loss = {"mse": L.MeanSquaredError, "mae": L.MeanAbsoluteError, "huber": L.Huber}[kind](
            reduction=reduction
        )
        yt, yp = rng.randn(n, k).astype(np.float32), z
    yp = yp.astype(np.float32)
    value, grad = tape(loss, yt, yp, sw)
    v2, g2 = loss.numpy_value_and_grad(yt, yp, sw)
    assert np.array_equal(np.asarray(value, np.float32), np.asarray(v2, np.float32))
    assert np.array_equal(grad, g2)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))


@settings(max_examples=30, deadline=None)
@given(
    p=st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=2, max_size=8),
    seed=st.integers(0, 1000),
)
def test_cross_entropies_stay_finite(p, seed):
    rng = np.random.RandomState(seed)
    z = np.array(p, np.float32).reshape(1, -1)
    y = np.eye(z.shape[1], dtype=np.float32)[[rng.randint(z.shape[1])]]
    for loss in (
        L.CategoricalCrossentropy(from_logits=True),
        L.BinaryCrossentropy(from_logits=True),
    ):
        assert np.isfinite(float(loss(y, z)))
    probs = np.clip(z, 0, 1)  # out-of-range probabilities are clipped, never inf/nan
    assert np.isfinite(float(L.BinaryCrossentropy()(y, probs)))
    assert float(L.BinaryCrossentropy()(y, probs)) <= -np.log(2e-7) + 1e-3
