"""Activations: values against real Keras 3.15 (tf.keras 2.x for relu's alpha form and
hard_sigmoid), gradients against finite differences, lookup by name and bad input."""

import numpy as np
import pytest

import lamina
from lamina import activations as A

X = np.linspace(-3, 3, 13).astype(np.float32)
M2 = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 5.0]], np.float32)

# fmt: off
REF = \
{'relu': [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
 'sigmoid': [0.04742587, 0.07585817, 0.11920294, 0.18242553, 0.2689414, 0.37754068, 0.5,
             0.62245935, 0.7310586, 0.8175745, 0.88079709, 0.92414182, 0.95257413],
 'tanh': [-0.99505472, -0.98661435, -0.96402758, -0.90514833, -0.76159418, -0.46211714, 0.0,
          0.46211714, 0.76159418, 0.90514833, 0.96402758, 0.98661435, 0.99505472],
 'elu': [-0.95021296, -0.91791499, -0.86466473, -0.77686983, -0.63212055, -0.39346933, 0.0, 0.5,
         1.0, 1.5, 2.0, 2.5, 3.0],
 'selu': [-1.6705687, -1.61378574, -1.52016652, -1.36581433, -1.11133075, -0.69175816, 0.0,
          0.52535051, 1.05070102, 1.57605147, 2.10140204, 2.62675261, 3.15210295],
 'softplus': [0.04858736, 0.07888974, 0.126928, 0.20141326, 0.31326169, 0.47407699, 0.69314718,
              0.97407693, 1.31326163, 1.70141327, 2.12692809, 2.57888985, 3.04858732],
 'softsign': [-0.75, -0.71428573, -0.66666669, -0.60000002, -0.5, -0.33333334, 0.0, 0.33333334,
              0.5, 0.60000002, 0.66666669, 0.71428573, 0.75],
 'silu': [-0.1422776, -0.18964542, -0.23840588, -0.27363831, -0.2689414, -0.18877034, 0.0,
          0.31122968, 0.7310586, 1.22636175, 1.76159418, 2.31035447, 2.85772228],
 'gelu': [-0.0040497, -0.01552416, -0.04550027, -0.1002108, -0.15865526, -0.15426877, 0.0,
          0.34573123, 0.84134471, 1.39978921, 1.95449972, 2.48447585, 2.99595022],
 'exponential': [0.04978707, 0.082085, 0.13533528, 0.22313017, 0.36787945, 0.60653067, 1.0,
                 1.64872122, 2.71828175, 4.48168898, 7.38905621, 12.18249416, 20.08553696],
 'relu6': [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
 'mish': [-0.14564748, -0.19681621, -0.25250146, -0.29809973, -0.3034015, -0.22074378, 0.0,
          0.37524518, 0.86509842, 1.40337813, 1.943959, 2.47139239, 2.98653507],
 'hard_silu': [-0.0, -0.20833334, -0.33333334, -0.375, -0.33333334, -0.20833333, 0.0,
               0.29166666, 0.66666669, 1.125, 1.66666663, 2.29166675, 3.0],
 'leaky_relu': [-0.60000002, -0.5, -0.40000001, -0.30000001, -0.2, -0.1, 0.0, 0.5, 1.0, 1.5,
                2.0, 2.5, 3.0],
 'log_sigmoid': [-3.04858708, -2.57888985, -2.12692809, -1.70141327, -1.31326163, -0.97407693,
                 -0.69314718, -0.47407699, -0.31326169, -0.20141329, -0.126928, -0.07888974,
                 -0.04858735],
 'celu': [-0.95021296, -0.91791499, -0.86466473, -0.77686983, -0.63212055, -0.39346933, 0.0,
          0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
 'gelu_approx': [-0.00363743, -0.01508422, -0.04540223, -0.10042843, -0.15880799, -0.154286,
                 0.0, 0.345714, 0.84119201, 1.39957154, 1.95459771, 2.48491573, 2.99636269],
 'relu_args': [-0.34999999, -0.30000001, -0.25, -0.2, -0.15000001, -0.1, -0.05, 0.0, 1.0, 1.5,
               2.0, 2.0, 2.0],
 'relu_args_k2': [-0.34999999, -0.30000001, -0.25, -0.2, -0.15000001, -0.1, -0.05, 0.0, 1.0,
                  1.5, 2.0, 2.0, 2.0],
 'relu_alpha': [-0.90000004, -0.75, -0.60000002, -0.45000002, -0.30000001, -0.15000001, 0.0,
                0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
 'relu_max': [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 1.5, 1.5, 1.5],
 'hard_sigmoid_k2': [0.0, 0.0, 0.09999999, 0.19999999, 0.30000001, 0.40000001, 0.5, 0.60000002,
                     0.69999999, 0.80000001, 0.89999998, 1.0, 1.0],
 'elu_a': [-0.47510648, -0.45895749, -0.43233237, -0.38843492, -0.31606027, -0.19673467, 0.0,
           0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
 'softmax': [[0.09003057, 0.24472848, 0.66524088], [0.00245612, 0.00667641, 0.9908675]],
 'softmax_ax0': [[0.88079703, 0.88079703, 0.11920291], [0.11920291, 0.11920291, 0.88079703]],
 'log_softmax': [[-2.40760589, -1.40760589, -0.40760595],
                 [-6.00917435, -5.00917435, -0.00917445]]}# fmt: on


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "elu", "selu", "softplus",
                                  "softsign", "silu", "gelu", "exponential", "relu6", "mish",
                                  "hard_silu", "leaky_relu", "log_sigmoid", "celu"])
def test_values_match_keras(name):
    out = getattr(A, name)(X)
    assert isinstance(out, lamina.Tensor) and out.dtype.name == "float32"
    np.testing.assert_allclose(out.numpy(), REF[name], rtol=2e-6, atol=2e-7)


def test_values_with_arguments():
    def close(a, b, rtol, atol=1e-8):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)  # references have 8 decimals

    close(A.gelu(X, approximate=True).numpy(), REF["gelu_approx"], rtol=2e-6, atol=2e-7)
    close(A.relu(X, negative_slope=0.1, max_value=2.0, threshold=0.5).numpy(), REF["relu_args"],
          rtol=1e-6)
    close(A.relu(X, alpha=0.1, max_value=2.0, threshold=0.5).numpy(), REF["relu_args_k2"],
          rtol=1e-6)
    close(A.relu(X, alpha=0.3).numpy(), REF["relu_alpha"], rtol=1e-6)
    close(A.relu(X, max_value=1.5).numpy(), REF["relu_max"], rtol=1e-6)
    close(A.hard_sigmoid(X).numpy(), REF["hard_sigmoid_k2"], rtol=1e-6)
    close(A.elu(X, alpha=0.5).numpy(), REF["elu_a"], rtol=1e-6)
    close(A.softmax(M2).numpy(), REF["softmax"], rtol=1e-6)
    close(A.softmax(M2, axis=0).numpy(), REF["softmax_ax0"], rtol=1e-6)
    close(A.log_softmax(M2).numpy(), REF["log_softmax"], rtol=1e-6)
    np.testing.assert_array_equal(A.swish(X).numpy(), A.silu(X).numpy())
    np.testing.assert_array_equal(A.hard_swish(X).numpy(), A.hard_silu(X).numpy())


def test_seed_003_toy_tensor():
    a = lamina.cast(lamina.range(-10, 10), lamina.float32)
    s = A.sigmoid(a)
    np.testing.assert_allclose(s.numpy()[[0, 10, 19]], [4.5397872e-05, 0.5, 9.9987662e-01],
                               rtol=1e-6)
    np.testing.assert_array_equal(A.relu(a).numpy(), np.maximum(np.arange(-10, 10), 0))
    assert A.linear(a) is a
    assert bool(lamina.reduce_all(a == A.linear(a)))


@pytest.mark.parametrize("name", sorted(A._ALL))
def test_names_and_lookup(name):
    fn = A.get(name)
    assert fn.__name__ == name
    assert A.serialize(fn) == name
    assert A.deserialize(name) is fn


def test_get_variants():
    assert A.get(None) is A.linear
    assert A.get("ReLU") is A.relu
    assert A.get({"class_name": "function", "config": "tanh"}) is A.tanh
    fn = lambda x: x  # noqa: E731
    assert A.get(fn) is fn
    assert A.get(A.sigmoid) is A.sigmoid
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        A.get("rellu")
    with pytest.raises(ValueError, match="softmax"):
        A.get("softmaxx")
    with pytest.raises(TypeError, match="activation"):
        A.get(3)


def numeric_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (np.sum(f(xp)) - np.sum(f(xm))) / (2 * h)
    return g


XG = np.array([-2.3, -0.7, -0.2, 0.3, 0.9, 2.6])  # away from kinks


@pytest.mark.parametrize("fn", [
    A.relu, A.sigmoid, A.tanh, A.elu, A.selu, A.softplus, A.softsign, A.silu, A.gelu,
    A.exponential, A.mish, A.hard_sigmoid, A.hard_silu, A.leaky_relu, A.log_sigmoid, A.celu,
    lambda x: A.gelu(x, approximate=True), lambda x: A.relu(x, alpha=0.2, threshold=0.1),
    lambda x: A.relu(x, max_value=1.0), lambda x: A.softmax(x) * np.arange(6.0),
    lambda x: A.log_softmax(x) * np.arange(6.0), A.relu6,
    A.tanh_shrink, A.squareplus, A.sparse_plus, A.hard_tanh, A.soft_shrink, A.hard_shrink,
    lambda x: A.glu(x) * np.arange(3.0), lambda x: A.sparsemax(x) * np.arange(6.0),
    lambda x: A.threshold(x, 0.1, -1.0),
], ids=lambda f: getattr(f, "__name__", "lambda"))
def test_gradients_match_finite_differences(fn):
    x = lamina.constant(XG)
    with lamina.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    g = tape.gradient(y, x)
    expected = numeric_grad(lambda v: fn(lamina.constant(v)).numpy(), XG)
    np.testing.assert_allclose(g.numpy(), expected, rtol=1e-5, atol=1e-8)


def test_second_derivative_of_tanh_and_sigmoid():
    x = lamina.constant(XG)
    with lamina.GradientTape() as t2:
        t2.watch(x)
        with lamina.GradientTape() as t1:
            t1.watch(x)
            y = A.tanh(x)
        g = t1.gradient(y, x)
    h = t2.gradient(g, x)
    t = np.tanh(XG)
    np.testing.assert_allclose(h.numpy(), -2 * t * (1 - t * t), rtol=1e-10)


def test_inputs_and_bad_arguments():
    assert A.relu([-1.0, 2.0]).numpy().tolist() == [0.0, 2.0]
    assert A.sigmoid(np.zeros(2)).dtype.name == "float64"
    assert A.relu(np.array([-1, 2])).dtype.name == "float32"
    with pytest.raises(TypeError, match="alpha"):
        A.relu(X, alpha="big")
    with pytest.raises(ValueError, match="max_value"):
        A.relu(X, max_value=-1)
    with pytest.raises(TypeError, match="axis"):
        A.softmax(M2, axis=0.5)
    with pytest.raises(ValueError, match="scalar"):
        A.softmax(lamina.constant(1.0))
    with pytest.raises(TypeError, match="numeric"):
        A.tanh(np.array(["a"]))


# Keras 3.15 values of its newer activations (sparsemax's second row is the exact simplex
# projection [0, 0, 0.4, 0.6]; Keras 3.15's TF backend returns zeros there).
# fmt: off
REF3 = \
{'hard_tanh': [-1.0, -1.0, -1.0, -1.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0],
 'hard_shrink': [-3.0, -2.5, -2.0, -1.5, -1.0, 0.0, 0.0, 0.0, 1.0, 1.5, 2.0, 2.5, 3.0],
 'soft_shrink': [-2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5],
 'tanh_shrink': [-2.00494528, -1.51338565, -1.03597236, -0.59485167, -0.23840582, -0.03788286,
                 0.0, 0.03788286, 0.23840582, 0.59485167, 1.03597236, 1.51338565, 2.00494528],
 'squareplus': [0.30277562, 0.35078108, 0.41421354, 0.5, 0.61803401, 0.78077638, 1.0,
                1.28077638, 1.61803401, 2.0, 2.41421366, 2.85078096, 3.30277562],
 'sparse_plus': [0.0, 0.0, 0.0, 0.0, 0.0, 0.0625, 0.25, 0.5625, 1.0, 1.5, 2.0, 2.5, 3.0],
 'sparse_sigmoid': [0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0],
 'threshold': [-2.0, -2.0, -2.0, -2.0, -2.0, -2.0, -2.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
 'glu': [[0.95257413, 1.2449187], [-0.99330717, 0.0]],
 'sparsemax': [[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.4, 0.6]],
 'sparsemax_ax0': [[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]],
 'squareplus_b1': [0.08113885, 0.09629118, 0.11803401, 0.15138781, 0.20710677, 0.309017, 0.5,
                   0.809017, 1.20710683, 1.65138781, 2.11803389, 2.59629107, 3.08113885]}
# fmt: on
M4 = np.array([[1.0, 2.0, 3.0, 0.5], [-1.0, 0.0, 5.0, 5.2]], np.float32)


@pytest.mark.parametrize("name", sorted(REF3))
def test_newer_keras_3_activations(name):
    calls = {
        "threshold": lambda: A.threshold(X, 0.4, -2.0),
        "glu": lambda: A.glu(M4),
        "sparsemax": lambda: A.sparsemax(M4),
        "sparsemax_ax0": lambda: A.sparsemax(M4, axis=0),
        "squareplus_b1": lambda: A.squareplus(X, b=1),
    }
    out = calls.get(name, lambda: getattr(A, name)(X))()
    np.testing.assert_allclose(out.numpy(), REF3[name], rtol=2e-6, atol=1e-7)
    assert np.allclose(A.sparsemax(M4).numpy().sum(-1), 1.0)


def test_rectifier_gradients_at_the_kinks_match_tensorflow():
    # TensorFlow 2.21 / Keras 3.15: relu6 (and relu with max_value=6) pass no gradient at 0
    # and 6; another max_value is a clip, which passes it at the cap
    x = lamina.Variable(np.array([0.0, 6.0, 5.0, 3.0, -1.0], "float32"))
    cases = [
        (A.relu6, [0, 0, 1, 1, 0]),
        (lambda t: A.relu(t, max_value=6.0), [0, 0, 1, 1, 0]),
        (lambda t: A.relu(t, max_value=5.0), [0, 0, 1, 1, 0]),
        (lambda t: A.relu(t, negative_slope=0.1, max_value=5.0), [0, 0, 1, 1, 0.1]),
        (lambda t: A.leaky_relu(t, negative_slope=0.3), [0.3, 1, 1, 1, 0.3]),
        (A.elu, [np.exp(0.0), 1, 1, 1, np.exp(-1.0)]),
    ]
    for fn, want in cases:
        with lamina.GradientTape() as tape:
            y = fn(x)
        np.testing.assert_allclose(tape.gradient(y, x).numpy(), want, rtol=1e-6)
    # softsign's gradient is the closed form 1 / (1 + |x|)^2, as tf.nn.softsign's
    with lamina.GradientTape() as tape:
        y = A.softsign(x)
    np.testing.assert_array_equal(
        tape.gradient(y, x).numpy(), (1 / np.square(1 + np.abs(x.numpy()))).astype("float32")
    )
