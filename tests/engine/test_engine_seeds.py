"""The seed course's hand computations (seeds 001/004) and tensor snippets (seed 003) on lamina."""

from __future__ import annotations

import numpy as np
import pytest

import lamina as tf


def relu(x):
    return tf.maximum(x, 0)


def node(inputs, weights):
    return tf.reduce_sum(inputs * weights)


# --- 1.x forward propagation --------------------------------------------------------------
WEIGHTS = {
    "node_0": tf.constant([2, 4]),
    "node_1": tf.constant([4, -5]),
    "output": tf.constant([2, 7]),
}


def test_forward_propagation_gives_minus_39():
    input_data = tf.constant([3, 5])
    assert (input_data * WEIGHTS["node_0"]).numpy().tolist() == [6, 20]
    assert int(node(input_data, WEIGHTS["node_0"])) == 26
    hidden = tf.stack([node(input_data, WEIGHTS["node_0"]), node(input_data, WEIGHTS["node_1"])])
    output = node(hidden, WEIGHTS["output"])
    assert output.numpy() == -39
    assert str(output.numpy()) == "-39"


def test_relu_network_gives_52():
    input_data = tf.constant([3, 5])
    hidden = tf.stack(
        [relu(node(input_data, WEIGHTS["node_0"])), relu(node(input_data, WEIGHTS["node_1"]))]
    )
    assert int(node(hidden, WEIGHTS["output"])) == 52


def test_relu_with_python_max_as_in_the_course():
    # the course's relu is ``max(input, 0)``: Python's max must work on scalar tensors
    def py_relu(x):
        return max(x, 0)

    input_data = tf.constant([3, 5])
    n0 = py_relu(node(input_data, WEIGHTS["node_0"]))
    n1 = py_relu(node(input_data, WEIGHTS["node_1"]))
    hidden = np.array([n0, n1])  # NumPy accepts a list of scalar tensors
    assert (hidden * WEIGHTS["output"].numpy()).sum() == 52


def predict_with_network(row, weights):
    hidden = tf.stack([relu(node(row, weights["node_0"])), relu(node(row, weights["node_1"]))])
    return relu(node(hidden, weights["output"]))


def test_relu_network_over_rows_gives_52_63_0_148():
    input_data = tf.constant([[3, 5], [1, -1], [0, 0], [8, 4]])
    results = [predict_with_network(row, WEIGHTS) for row in input_data]  # iterate rows
    assert [int(r) for r in results] == [52, 63, 0, 148]
    assert str([int(r) for r in results]) == "[52, 63, 0, 148]"


def test_deeper_network_gives_182():
    w = {
        "node_0_0": tf.constant([2, 4]),
        "node_0_1": tf.constant([4, -5]),
        "node_1_0": tf.constant([-1, 2]),
        "node_1_1": tf.constant([1, 2]),
        "output": tf.constant([2, 7]),
    }
    x = tf.constant([3, 5])
    h0 = tf.stack([relu(node(x, w["node_0_0"])), relu(node(x, w["node_0_1"]))])
    h1 = tf.stack([relu(node(h0, w["node_1_0"])), relu(node(h0, w["node_1_1"]))])
    assert int(node(h1, w["output"])) == 182


def test_deeper_network_as_matrices_gives_182():
    w1 = tf.constant([[2.0, 4.0], [4.0, -5.0]])
    w2 = tf.constant([[-1.0, 2.0], [1.0, 2.0]])
    out = tf.constant([[2.0, 7.0]])
    x = tf.constant([[3.0], [5.0]])
    h = tf.nn.relu(tf.nn.relu(w2 @ tf.nn.relu(w1 @ x)))
    assert float(tf.squeeze(out @ h)) == 182.0


# --- 2.x mean squared error and slopes ----------------------------------------------------
def test_mse_figures_37_5_and_49_890625():
    input_data = [
        tf.constant([0, 3]),
        tf.constant([1, 2]),
        tf.constant([-1, -2]),
        tf.constant([4, 0]),
    ]
    target_actuals = [1, 3, 5, 7]
    weights_0 = {
        "node_0": tf.constant([2.0, 1.0]),
        "node_1": tf.constant([1.0, 2.0]),
        "output": tf.constant([1.0, 1.0]),
    }
    weights_1 = {
        "node_0": tf.constant([2.0, 1.0]),
        "node_1": tf.constant([1.0, 1.5]),
        "output": tf.constant([1.0, 1.5]),
    }

    def predict(row, w):
        return predict_with_network(tf.cast(row, tf.float32), w)

    out0 = [predict(r, weights_0) for r in input_data]
    out1 = [predict(r, weights_1) for r in input_data]
    mse_0 = tf.reduce_mean(tf.square(tf.constant(target_actuals, tf.float32) - tf.stack(out0)))
    mse_1 = tf.reduce_mean(tf.square(tf.constant(target_actuals, tf.float32) - tf.stack(out1)))
    assert (
        "Mean squared error with weights_0: %f" % mse_0  # noqa: UP031
        == "Mean squared error with weights_0: 37.500000"
    )
    assert (
        "Mean squared error with weights_1: %f" % mse_1  # noqa: UP031
        == "Mean squared error with weights_1: 49.890625"
    )
    # scikit-learn accepts the lists of scalar tensors directly
    from sklearn.metrics import mean_squared_error

    assert mean_squared_error(target_actuals, out0) == pytest.approx(37.5)
    assert mean_squared_error(target_actuals, out1) == pytest.approx(49.890625)


def test_slope_by_hand_and_by_gradient_tape():
    input_data = tf.constant([1, 2, 3])
    weights = tf.constant([0, 2, 1])
    target = 0
    preds = tf.reduce_sum(weights * input_data)
    error = target - preds
    slope = 2 * input_data * error
    assert str(slope.numpy()) == "[-14 -28 -42]"
    # The course's slope 2 * x * (y - xb) is minus d/dw of the squared error (y - xb)**2.
    w = tf.Variable([0.0, 2.0, 1.0])
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        loss = tf.square(target - tf.reduce_sum(w * x))
    grad = tape.gradient(loss, w)
    assert (-grad).numpy().tolist() == [-14.0, -28.0, -42.0]
    # one gradient-descent step lowers the error, as the course shows next
    w.assign_sub(0.01 * grad)
    assert float(tf.square(target - tf.reduce_sum(w * x))) < float(loss)


# --- seed 003: tensor snippets ------------------------------------------------------------
def test_toy_tensor_and_activations_print_like_tensorflow():
    A = tf.cast(tf.range(-10, 10), tf.float32)
    assert repr(A).startswith("<lamina.Tensor: shape=(20,), dtype=float32, numpy=\narray([-10.,")
    assert A.numpy().tolist() == list(range(-10, 10))

    def sigmoid(x):
        return 1 / (1 + tf.exp(-x))

    s = sigmoid(A)
    assert s.dtype == tf.float32 and s.shape == (20,)
    assert repr(s).endswith(
        "array([4.5397872e-05, 1.2339458e-04, 3.3535014e-04, 9.1105117e-04,\n"
        "       2.4726233e-03, 6.6928510e-03, 1.7986210e-02, 4.7425874e-02,\n"
        "       1.1920292e-01, 2.6894143e-01, 5.0000000e-01, 7.3105860e-01,\n"
        "       8.8079703e-01, 9.5257413e-01, 9.8201376e-01, 9.9330717e-01,\n"
        "       9.9752742e-01, 9.9908900e-01, 9.9966466e-01, 9.9987662e-01],\n"
        "      dtype=float32)>"
    )  # bit for bit what TensorFlow printed in seed 003
    assert s.numpy()[10] == 0.5
    r = tf.maximum(0, A)
    assert r.dtype == tf.float32
    assert r.numpy().tolist() == [0.0] * 11 + list(range(1, 10))
    eq = A == tf.identity(A)
    assert eq.dtype == tf.bool and bool(tf.reduce_all(eq))


def test_round_predictions_and_confusion_matrix():
    from sklearn.metrics import confusion_matrix

    y_preds = np.array([[0.98], [0.7], [0.2], [0.4], [0.51]], dtype=np.float32)
    y_test = np.array([1, 1, 0, 1, 0])
    rounded = tf.round(y_preds)
    assert repr(rounded[:2]) == (
        "<lamina.Tensor: shape=(2, 1), dtype=float32, numpy=\n"
        "array([[1.],\n       [1.]], dtype=float32)>"
    )
    cm = confusion_matrix(y_test, tf.round(y_preds))
    assert cm.tolist() == [[1, 1], [1, 2]]
    assert tf.math.confusion_matrix(y_test, tf.reshape(rounded, [-1])).numpy().tolist() == [
        [1, 1],
        [1, 2],
    ]


def test_reduce_max_formats_as_percentage():
    pred_probs = np.array([[0.1, 0.85, 0.05]], dtype=np.float32)
    assert f"{100 * tf.reduce_max(pred_probs):2.0f}%" == "85%"


def test_expand_dims_on_numpy_input():
    x = np.arange(5.0)
    assert tf.expand_dims(x, axis=-1).shape == (5, 1)
    assert tf.expand_dims(x, axis=-1).dtype == tf.float64


def test_float32_exp_matches_tensorflow_kernel_bits():
    # values TensorFlow 2.21 (CPU) returned for tf.exp on these inputs; NumPy's own float32
    # exp differs in the last bit for several of them
    x = np.array([6.0, 8.0, 9.0, -3.0] * 4 + [6.0, 9.0], np.float32)
    got = tf.exp(x).numpy()
    assert got[:4].tolist() == [
        np.float32(403.42877),
        np.float32(2980.958),
        np.float32(8103.0835),
        np.float32(0.04978707),
    ]
    # the entries past the last block of 16 are computed by the C library (correctly rounded)
    assert got[16:].tolist() == [np.float32(403.4288), np.float32(8103.084)]
