"""Conv/pooling/resizing layers against tf_keras 2.21: outputs and input gradients.

References: tests/fixtures/conv/conv_reference.npz, written by make_conv_reference.py there
(inputs and weights are rebuilt here from the same seeds).
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import lamina
from lamina import layers

HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "conv")
_spec = importlib.util.spec_from_file_location(
    "make_conv_reference", os.path.join(HERE, "make_conv_reference.py")
)
ref_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref_mod)
REF = np.load(os.path.join(HERE, "conv_reference.npz"))


@pytest.mark.parametrize(
    "i", range(len(ref_mod.CASES)), ids=[f"{c[0]}-{c[1]}" for c in ref_mod.CASES]
)
def test_layer_matches_tf_keras(i):
    cls, kw, shape = ref_mod.CASES[i]
    x = ref_mod.case_input(i, shape)
    layer = getattr(layers, cls)(**kw)
    layer.build(x.shape)
    if layer.weights:
        layer.set_weights(ref_mod.case_weights(i, [tuple(w.shape) for w in layer.weights]))
    xt = lamina.constant(x)
    with lamina.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        probe = ref_mod.case_probe(i, tuple(y.shape))
        loss = lamina.reduce_sum(y * probe)
    np.testing.assert_allclose(y.numpy(), REF[f"y{i}"], rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + REF[f"y{i}"].shape[1:]
    if kw.get("interpolation") != "area":  # TensorFlow has no ResizeArea gradient
        g = tape.gradient(loss, xt)
        np.testing.assert_allclose(g.numpy(), REF[f"g{i}"], rtol=1e-5, atol=1e-5)


def test_max_pool_gradient_goes_to_the_first_maximum_of_a_window():
    x = lamina.constant(np.array([[1, 1, 0, 2], [0, 1, 2, 2]], "float32").reshape(1, 2, 4, 1))
    with lamina.GradientTape() as tape:
        tape.watch(x)
        y = layers.MaxPooling2D()(x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), REF["tie_grad"])


@pytest.mark.parametrize(
    "strides,padding,dilations",
    [(1, "VALID", 1), (2, "SAME", 1), ((1, 2), "VALID", 1), (1, "SAME", 2)],
)
def test_conv_gradients_of_gradients(strides, padding, dilations):
    """The conv op's input and filter gradients are themselves differentiable in x and f."""
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "engine"))
    from gradcheck import check_grad

    r = np.random.RandomState(3)
    probe = None

    def grads(x, w):
        nonlocal probe
        with lamina.GradientTape() as tape:
            tape.watch([x, w])
            y = lamina.nn.conv2d(x, w, strides, padding, dilations=dilations)
            if probe is None:
                probe = lamina.constant(r.randn(*y.shape))
            loss = lamina.reduce_sum(y * y * probe)
        return tape.gradient(loss, [x, w])

    check_grad(grads, r.randn(2, 5, 6, 2), r.randn(2, 3, 2, 3), rtol=1e-4, atol=1e-5)
