"""Regularizers: Keras values and defaults, gradients on the tape, NumPy helpers, names."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import regularizers

W = np.array([[1.0, 2.0, 0.5], [-1.0, 0.5, 2.0]], dtype=np.float32)

# Values computed by Keras 3.15 on W.
KERAS_VALUES = [
    (regularizers.L1(0.1), 0.699999988079071),
    (regularizers.L2(0.1), 1.0500000715255737),
    (regularizers.L1L2(0.1, 0.2), 2.8000001907348633),
    (regularizers.OrthogonalRegularizer(0.1, "rows"), 0.01904761604964733),
    (regularizers.OrthogonalRegularizer(0.1, "columns"), 0.04998600110411644),
]


@pytest.mark.parametrize("reg,want", KERAS_VALUES, ids=lambda x: repr(x)[:30])
def test_values_match_keras(reg, want):
    out = reg(lamina.constant(W))
    assert isinstance(out, lamina.Tensor) and out.shape == () and out.dtype == lamina.float32
    assert float(out) == pytest.approx(want, rel=1e-6)
    assert float(reg(W)) == pytest.approx(want, rel=1e-6)  # NumPy arrays too
    assert reg.numpy_penalty(W) == pytest.approx(want, rel=1e-6)


def test_keras_defaults():
    assert regularizers.l2().get_config() == {"l2": 0.01}
    assert regularizers.l1().get_config() == {"l1": 0.01}
    assert regularizers.l1_l2().get_config() == {"l1": 0.01, "l2": 0.01}  # tf.keras 2.x
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.l2 is regularizers.L2 and regularizers.l1 is regularizers.L1
    assert regularizers.L2(l=0.5).l2 == 0.5  # Keras 2 keyword


@pytest.mark.parametrize(
    "reg",
    [
        regularizers.L1(0.1),
        regularizers.L2(0.1),
        regularizers.L1L2(0.1, 0.2),
        regularizers.OrthogonalRegularizer(0.1),
    ],
    ids=lambda r: type(r).__name__,
)
def test_gradient_on_tape_matches_finite_differences(reg):
    w = lamina.Variable(W.astype(np.float64))
    with lamina.GradientTape() as tape:
        p = reg(w)
    g = tape.gradient(p, w).numpy()
    eps = 1e-6
    num = np.zeros_like(W, dtype=np.float64)
    for idx in np.ndindex(W.shape):
        hi, lo = W.astype(np.float64), W.astype(np.float64)
        hi[idx] += eps
        lo[idx] -= eps
        num[idx] = (float(reg(hi)) - float(reg(lo))) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)


def test_numpy_gradient_matches_tape_for_l1_l2():
    reg = regularizers.L1L2(0.1, 0.2)
    w = lamina.Variable(W)
    with lamina.GradientTape() as tape:
        p = reg(w)
    out = np.empty_like(W)
    got = reg.numpy_gradient(W, out=out)
    assert got is out
    np.testing.assert_allclose(out, tape.gradient(p, w).numpy(), rtol=1e-6)
    assert regularizers.OrthogonalRegularizer().numpy_gradient(W) is None


def test_l2_penalty_gradient_is_zero_free_at_zero_for_l1():
    w = lamina.Variable(np.zeros(3, np.float32))
    with lamina.GradientTape() as tape:
        p = regularizers.L1(1.0)(w)
    np.testing.assert_array_equal(tape.gradient(p, w).numpy(), 0.0)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "0.1", True])
def test_bad_factors_rejected(bad):
    with pytest.raises(ValueError, match="Invalid value for argument l2"):
        regularizers.L2(bad)
    with pytest.raises(ValueError, match="Invalid value for argument l1"):
        regularizers.L1L2(l1=bad)


def test_orthogonal_regularizer_checks():
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(np.ones(3, np.float32))


@pytest.mark.parametrize(
    "name,cls",
    [
        ("l1", "L1"),
        ("l2", "L2"),
        ("l1_l2", "L1L2"),
        ("L1", "L1"),
        ("L2", "L2"),
        ("L1L2", "L1L2"),
        ("orthogonal_regularizer", "OrthogonalRegularizer"),
    ],
)
def test_get_by_name(name, cls):
    assert type(regularizers.get(name)).__name__ == cls


def test_get_errors_and_passthrough():
    reg = regularizers.L2()
    assert regularizers.get(reg) is reg and regularizers.get(None) is None
    with pytest.raises(ValueError, match="Did you mean 'l2'"):
        regularizers.get("l3")

    def custom(w):
        return lamina.reduce_sum(w)

    assert regularizers.get(custom) is custom


@pytest.mark.parametrize(
    "reg",
    [
        regularizers.L1(0.3),
        regularizers.L2(0.02),
        regularizers.L1L2(0.1, 0.2),
        regularizers.OrthogonalRegularizer(0.5, "columns"),
    ],
    ids=lambda r: type(r).__name__,
)
def test_config_round_trip(reg):
    blob = regularizers.serialize(reg)
    assert blob["module"] == "keras.regularizers" and blob["class_name"] == type(reg).__name__
    back = regularizers.deserialize(blob)
    assert type(back) is type(reg) and back.get_config() == reg.get_config()
    k2 = regularizers.deserialize({"class_name": type(reg).__name__, "config": reg.get_config()})
    assert k2.get_config() == reg.get_config()
