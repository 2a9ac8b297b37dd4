"""One weight per sample against per-timestep losses broadcasts, as in tf.keras 2.x."""

import numpy as np
import pytest

import lamina as keras


def _model():
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.Input((3, 2)), keras.layers.Dense(1)])
    m.compile("sgd", "mse")
    return m


def test_per_sample_weights_broadcast_over_timesteps_in_evaluate_and_fit():
    rng = np.random.default_rng(0)
    x = rng.random((8, 3, 2), dtype=np.float32)
    y = rng.random((8, 3, 1), dtype=np.float32)
    w = np.arange(8, dtype=np.float32)
    m = _model()
    per_step = ((m.predict(x, verbose=0) - y) ** 2).mean(-1)  # (8, 3)
    want = float((per_step * w[:, None]).sum() / per_step.size)  # tf_keras 2.x: same formula
    assert m.evaluate(x, y, sample_weight=w, verbose=0) == pytest.approx(want, rel=1e-6)
    h = m.fit(x, y, sample_weight=w, batch_size=8, epochs=1, verbose=0)
    assert h.history["loss"][0] == pytest.approx(want, rel=1e-6)


def test_weights_that_match_no_axis_are_refused():
    y = np.zeros((8, 3, 1), np.float32)
    with pytest.raises(ValueError, match=r"`sample_weight` of shape \(8, 2\)"):
        keras.losses.MeanSquaredError()(y, y, sample_weight=np.ones((8, 2)))


def test_class_id_hint_only_for_labels_shaped_like_class_ids():
    cce = keras.losses.categorical_crossentropy
    with pytest.raises(ValueError, match="look like class ids"):
        cce(np.zeros((4, 1), np.float32), np.full((4, 3), 1 / 3, np.float32))
    with pytest.raises(ValueError, match=r"y_pred \(4, 2, 3\)\.$"):  # one-hot, no hint
        cce(np.zeros((4, 3), np.float32), np.full((4, 2, 3), 1 / 3, np.float32))
