"""Loss gradients: the tape path, the compiled-path NumPy twin, finite differences, clipping."""

import numpy as np
import pytest

import lamina
from lamina import activations as A, losses as L

RNG = np.random.RandomState(0)
N = 7
YB = (RNG.rand(N, 1) > 0.5).astype(np.float32)
PB = RNG.rand(N, 1).astype(np.float32)
PB[0], PB[1] = 0.0, 1.0  # outside [eps, 1 - eps]: clipped, zero gradient
YC = np.eye(4, dtype=np.float32)[RNG.randint(0, 4, N)]
PC = RNG.dirichlet(np.ones(4), N).astype(np.float32)
PC[0] = [1, 0, 0, 0]
LAB = RNG.randint(0, 4, N)
ZC = (RNG.randn(N, 4) * 3).astype(np.float32)
YR = RNG.randn(N, 3).astype(np.float32)
PR = RNG.randn(N, 3).astype(np.float32)
SW = RNG.rand(N).astype(np.float32)

REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight", "auto"]


def fast_cases(red):
    return [
        (L.BinaryCrossentropy(reduction=red), YB[:, 0], PB),
        (L.BinaryCrossentropy(reduction=red, label_smoothing=0.1), YB, PB),
        (L.BinaryCrossentropy(from_logits=True, reduction=red), YB, ZC[:, :1]),
        (L.CategoricalCrossentropy(reduction=red), YC, PC),
        (L.CategoricalCrossentropy(reduction=red, from_logits=True, label_smoothing=0.2), YC, ZC),
        (L.SparseCategoricalCrossentropy(reduction=red), LAB, PC),
        (L.SparseCategoricalCrossentropy(reduction=red, from_logits=True), LAB[:, None], ZC),
        (L.SparseCategoricalCrossentropy(reduction=red, from_logits=True, ignore_class=1), LAB, ZC),
        (L.MeanSquaredError(reduction=red), YR, PR),
        (L.MeanAbsoluteError(reduction=red), YR, PR),
        (L.Huber(reduction=red, delta=0.7), YR, PR),
    ]


def on_tape(loss, yt, yp, sw=None):
    v = lamina.constant(yp)
    with lamina.GradientTape() as tape:
        tape.watch(v)
        out = loss(yt, v, sample_weight=sw)
    return out, tape.gradient(out, v)


@pytest.mark.parametrize("red", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_numpy_twin_equals_tape_bit_for_bit(red, weighted):
    sw = SW if weighted else None
    for loss, yt, yp in fast_cases(red):
        out, g = on_tape(loss, yt, yp, sw)
        value, grad = loss.numpy_value_and_grad(yt, yp, sw)
        assert np.array_equal(np.asarray(out.numpy(), np.float32), np.asarray(value, np.float32)), (
            loss,
            red,
        )
        assert grad.shape == yp.shape and grad.dtype == np.float32
        assert np.array_equal(g.numpy(), grad), (loss, red)


def test_numpy_twin_returns_python_float():
    value, grad = L.MeanSquaredError().numpy_value_and_grad(YR, PR, None)
    assert type(value) is float
    assert value == pytest.approx(float(np.mean(np.square(PR - YR))), rel=1e-6)
    np.testing.assert_allclose(grad, 2 * (PR - YR) / PR.size, rtol=1e-6)


def test_clipping_gives_zero_gradient_outside_eps_range():
    _, g = on_tape(L.BinaryCrossentropy(), YB, PB)
    assert g.numpy()[0, 0] == 0.0 and g.numpy()[1, 0] == 0.0
    assert np.all(g.numpy()[2:] != 0.0)
    _, g = on_tape(L.CategoricalCrossentropy(), YC, PC)
    # row 0 is one-hot [1, 0, 0, 0]: entries clipped at eps / 1 - eps pass no gradient
    assert np.all(np.isfinite(g.numpy()))
    _, g = on_tape(L.SparseCategoricalCrossentropy(), LAB, PC)
    assert np.all(np.isfinite(g.numpy()))


def numeric_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return g


@pytest.mark.parametrize(
    "make,yt,yp",
    [
        (lambda: L.BinaryCrossentropy(dtype="float64"), YB, np.clip(PB, 0.05, 0.95)),
        (lambda: L.BinaryCrossentropy(from_logits=True, dtype="float64"), YB, ZC[:, :1]),
        (lambda: L.CategoricalCrossentropy(dtype="float64"), YC, np.clip(PC, 0.05, 0.95)),
        (lambda: L.CategoricalCrossentropy(from_logits=True, dtype="float64"), YC, ZC),
        (lambda: L.SparseCategoricalCrossentropy(dtype="float64"), LAB, np.clip(PC, 0.05, 0.95)),
        (lambda: L.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"), LAB, ZC),
        (lambda: L.MeanSquaredError(dtype="float64"), YR, PR),
        (lambda: L.Huber(dtype="float64"), YR, PR),
        (lambda: L.LogCosh(dtype="float64"), YR, PR),
        (lambda: L.MeanSquaredLogarithmicError(dtype="float64"), np.abs(YR), np.abs(PR)),
        (lambda: L.CosineSimilarity(dtype="float64"), YR, PR),
        (
            lambda: L.KLDivergence(dtype="float64"),
            np.clip(PC, 0.05, 0.95),
            np.clip(PC[::-1], 0.05, 0.95),
        ),
        (lambda: L.Poisson(dtype="float64"), np.abs(YR), np.abs(PR) + 0.1),
        (lambda: L.BinaryFocalCrossentropy(dtype="float64"), YB, np.clip(PB, 0.05, 0.95)),
        (lambda: L.CategoricalFocalCrossentropy(from_logits=True, dtype="float64"), YC, ZC),
        (lambda: L.SquaredHinge(dtype="float64"), YC, ZC / 10),
    ],
)
def test_gradients_match_finite_differences(make, yt, yp):
    loss = make()
    yp = yp.astype(np.float64)
    _, g = on_tape(loss, yt, yp, SW.astype(np.float64))
    expected = numeric_grad(lambda p: float(loss(yt, p, sample_weight=SW.astype(np.float64))), yp)
    np.testing.assert_allclose(g.numpy(), expected, rtol=1e-4, atol=1e-7)


def test_sigmoid_output_uses_its_logits_like_tf_keras():
    z = lamina.constant(np.array([[40.0], [-3.0], [0.5]], np.float32))
    y = np.array([0.0, 1.0, 1.0], np.float32)
    with lamina.GradientTape() as tape:
        tape.watch(z)
        p = A.sigmoid(z)
        out = L.BinaryCrossentropy()(y, p)
    # p[0] rounds to 1.0: clipping would cap the loss at ~16.1; the logits form gives 40
    exact = L.BinaryCrossentropy(from_logits=True)(y, z)
    assert float(out) == pytest.approx(float(exact), rel=1e-6)
    assert float(out) > 14
    g = tape.gradient(out, z)
    sig = 1 / (1 + np.exp(-z.numpy()))
    np.testing.assert_allclose(g.numpy(), (sig - y[:, None]) / 3, rtol=1e-5)
    value, grad = L.BinaryCrossentropy().numpy_value_and_grad(
        y, p.numpy(), None, y_pred_logits=z.numpy()
    )
    assert value == float(out) and np.array_equal(grad, g.numpy())


def test_softmax_output_uses_its_logits():
    z = lamina.constant(ZC)
    p = A.softmax(z)
    a = L.CategoricalCrossentropy()(YC, p)
    b = L.CategoricalCrossentropy(from_logits=True)(YC, z)
    assert float(a) == float(b)
    a = L.SparseCategoricalCrossentropy()(LAB, p)
    b = L.SparseCategoricalCrossentropy(from_logits=True)(LAB, z)
    assert float(a) == float(b)
    # a plain array of the same probabilities is clipped instead: saturated rows differ
    c = L.CategoricalCrossentropy()(YC, p.numpy())
    assert float(c) != float(b)
    z = lamina.constant(ZC / 4)
    c = L.CategoricalCrossentropy()(YC, A.softmax(z).numpy())
    assert float(c) == pytest.approx(
        float(L.CategoricalCrossentropy(from_logits=True)(YC, z)), rel=1e-5
    )


def test_second_derivative_through_nested_tapes():
    z = lamina.constant(np.array([[0.3], [-1.2]], np.float64))
    y = np.array([1.0, 0.0])
    with lamina.GradientTape() as outer:
        outer.watch(z)
        with lamina.GradientTape() as inner:
            inner.watch(z)
            loss = L.BinaryCrossentropy(from_logits=True, dtype="float64")(y, z)
        g = inner.gradient(loss, z)
    h = outer.gradient(g, z)
    s = 1 / (1 + np.exp(-z.numpy()))
    np.testing.assert_allclose(g.numpy(), (s - y[:, None]) / 2, rtol=1e-12)
    np.testing.assert_allclose(h.numpy(), s * (1 - s) / 2, rtol=1e-10)


def test_gradient_flows_to_labels_for_composed_losses():
    yt = lamina.constant(YR.astype(np.float64))
    with lamina.GradientTape() as tape:
        tape.watch(yt)
        out = L.MeanSquaredError(dtype="float64")(yt, PR.astype(np.float64))
    g = tape.gradient(out, yt)
    np.testing.assert_allclose(g.numpy(), -2 * (PR - YR) / YR.size, rtol=1e-6)


def test_loss_of_variable_is_trainable_path():
    w = lamina.Variable(np.array([[0.5], [-0.5]], np.float32))
    x = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    with lamina.GradientTape() as tape:
        logits = lamina.matmul(x, w)
        loss = L.BinaryCrossentropy(from_logits=True)(np.array([1, 0]), logits)
    g = tape.gradient(loss, w)
    z = x @ w.numpy()
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(g.numpy(), x.T @ ((s - np.array([[1], [0]])) / 2), rtol=1e-5)


def test_soft_labels_get_gradients_too():
    # knowledge distillation: the teacher's probabilities are differentiated
    t = lamina.constant(np.array([[0.2, 0.8], [0.6, 0.4]]))
    z = np.array([[1.0, -1.0], [0.5, 2.0]])
    with lamina.GradientTape(persistent=True) as tape:
        tape.watch(t)
        cce = L.CategoricalCrossentropy(from_logits=True, dtype="float64")(t, z)
        bce = L.BinaryCrossentropy(from_logits=True, dtype="float64")(t, z)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    np.testing.assert_allclose(tape.gradient(cce, t).numpy(), -logp / 2, rtol=1e-10)
    np.testing.assert_allclose(tape.gradient(bce, t).numpy(), -z / 4, rtol=1e-10)


def test_soft_label_gradient_survives_the_cast_to_the_loss_dtype():
    t = lamina.constant(np.array([[0.2, 0.8]]))  # float64 labels, float32 loss
    with lamina.GradientTape() as tape:
        tape.watch(t)
        loss = L.MeanSquaredError()(t, np.array([[0.0, 1.0]], np.float32))
    np.testing.assert_allclose(tape.gradient(loss, t).numpy(), [[0.2, -0.2]], rtol=1e-6)
