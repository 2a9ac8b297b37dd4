"""Loss values against real Keras 3.15 / tf.keras 2.x numbers (computed once, stored here).

Cross-entropies on probabilities follow tf.keras 2.x's backend (clip to [eps, 1 - eps] and
``log(p + eps)`` for binary cross-entropy), which is what the tutorial seeds report.
The generator script is tests/losses/make_keras_reference.py (needs TensorFlow; not run here).
"""

import numpy as np
import pytest

from lamina import losses as L

# fmt: off
REF = \
{'bce_probs_per_sample': [0.16425189, 0.43375009, 7.71247435, 3.45383406],
 'bce_probs_mean': 2.941077709197998,
 'bce_probs_sw': 3.951519012451172,
 'bce_logits': [0.16417062, 0.47877061, 12.5, 3.0103128],
 'bce_logits_ls': [0.33917063, 0.52877063, 12.74999905, 2.91031289],
 'bce_logits_sum': 25.40355682373047,
 'bce_degenerate': 7.712474346160889,
 'cce_probs': [0.05129331, 2.30258512, 1.60943794],
 'cce_probs_ls': [0.68500137, 2.23327041, 1.56537938],
 'cce_logits': [0.1429317, 0.36898115, 13.00012589],
 'cce_unnormalised': [0.05129331, 2.30258512, 1.60943794],
 'scce_probs_tfk2': [0.05129344, 2.30258512, 1.60943794],
 'scce_probs_k3': [0.05129344, 2.30258512, 1.60943794],
 'scce_logits': [0.1429317, 0.36898115, 13.00012589],
 'scce_ignore': 6.571528911590576,
 'mean_squared_error': [0.5, 1.5],
 'mean_absolute_error': [0.66666669, 1.0],
 'mean_absolute_percentage_error': [38.8888855, 108.33333588],
 'mean_squared_logarithmic_error': [0.07602262, 0.06272142],
 'log_cosh': [0.22466998, 0.52174383],
 'cosine_similarity': [-0.95038188, -0.8940779],
 'poisson': [0.61208194, float("nan")],
 'huber': [0.25, 0.58333331],
 'huber_d2': [0.25, 0.75],
 'poisson_pos': [0.61208194, 3.54261804],
 'hinge': [0.75, 1.45833337],
 'squared_hinge': [0.82291669, 2.234375],
 'categorical_hinge': [0.25, 1.75],
 'kl_divergence': [1.51982427, 16.11809158],
 'hinge_pm1': [0.83333331, 1.5],
 'kld_probs': [0.05129202, 2.30258226, 1.60943484],
 'bfce': [0.00498967, 0.05691642, 0.51554698, 0.33583936],
 'bfce_bal': [0.00415991, 0.03989716, 0.17324279, 0.29202282],
 'bfce_logits': [0.00425321, 0.0723919, 12.5, 2.98641706],
 'cfce': [3.206e-05, 0.46627346, 0.2575101],
 'cfce_logits': [0.00063385, 0.00878269, 3.25001645],
 'mse_sum': 2.0,
 'mse_none': [1.0, 0.75],
 'mse_mws': 0.699999988079071}# fmt: on

YT_B = np.array([[0., 1.], [1., 0.], [1., 1.], [0., 0.]], np.float32)
YP_B = np.array([[0.1, 0.8], [0.6, 0.3], [1.0, 0.0], [0.0, 0.999]], np.float32)
Z_B = np.array([[-2.0, 1.5], [0.3, -0.7], [30.0, -25.0], [-4.0, 6.0]], np.float32)
SW4 = np.array([1.0, 0.5, 2.0, 0.0], np.float32)
YT_C = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], np.float32)
YP_C = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]], np.float32)
Z_C = np.array([[1.0, 3.0, -1.0], [0.5, 0.5, 2.0], [-3.0, 10.0, 1.0]], np.float32)
LAB = np.array([1, 2, 0])
YT_R = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], np.float32)
YP_R = np.array([[1.5, 1.0, 3.5], [0.0, -3.0, 2.5]], np.float32)
YT_H = np.array([[0., 1., 1.], [1., 0., 0.]], np.float32)
YP_BF = np.array([[0.1, 0.8], [0.6, 0.3], [0.9, 0.2], [0.4, 0.7]], np.float32)


def close(got, key, rtol=1e-5, atol=1e-6):
    got = np.asarray(got, dtype=np.float64)
    np.testing.assert_allclose(got, REF[key], rtol=rtol, atol=atol, equal_nan=True)


def test_seed_degenerate_model_reports_tf_keras_number():
    # seed 003 model_6: linear outputs <= 0 on balanced labels -> loss 7.712474 (tf.keras 2.x)
    y = np.array([1, 0, 1, 0])
    p = np.array([[-0.3], [0.0], [-2.0], [-1.0]], np.float32)
    out = L.BinaryCrossentropy()(y, p)
    assert out.dtype.name == "float32"
    assert float(out) == pytest.approx(7.712474346160889, abs=1e-6)
    close(out, "bce_degenerate")
    assert float(L.get("binary_crossentropy")(y, p).numpy().mean()) == pytest.approx(7.712474,
                                                                                     abs=1e-5)


def test_binary_crossentropy_values():
    close(L.binary_crossentropy(YT_B, YP_B), "bce_probs_per_sample")
    close(L.BinaryCrossentropy()(YT_B, YP_B), "bce_probs_mean")
    close(L.BinaryCrossentropy()(YT_B, YP_B, sample_weight=SW4), "bce_probs_sw")
    close(L.binary_crossentropy(YT_B, Z_B, from_logits=True), "bce_logits")
    close(L.binary_crossentropy(YT_B, Z_B, from_logits=True, label_smoothing=0.2),
          "bce_logits_ls")
    close(L.BinaryCrossentropy(from_logits=True, reduction="sum")(YT_B, Z_B, sample_weight=SW4),
          "bce_logits_sum")


def test_categorical_crossentropies():
    close(L.categorical_crossentropy(YT_C, YP_C), "cce_probs")
    close(L.categorical_crossentropy(YT_C, YP_C, label_smoothing=0.1), "cce_probs_ls")
    close(L.categorical_crossentropy(YT_C, Z_C, from_logits=True), "cce_logits")
    close(L.categorical_crossentropy(YT_C, YP_C * 3.0), "cce_unnormalised")
    close(L.sparse_categorical_crossentropy(LAB, YP_C), "scce_probs_tfk2")
    close(L.sparse_categorical_crossentropy(LAB, YP_C), "scce_probs_k3")
    close(L.sparse_categorical_crossentropy(LAB, Z_C, from_logits=True), "scce_logits")
    close(L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)(LAB, Z_C),
          "scce_ignore")
    # labels shaped (N, 1) are accepted as (N,)
    close(L.sparse_categorical_crossentropy(LAB[:, None], YP_C), "scce_probs_k3")
    mean = float(np.mean(np.asarray(REF["scce_probs_k3"], np.float32)))
    assert float(L.SparseCategoricalCrossentropy()(LAB[:, None], YP_C)) == pytest.approx(mean)
    # class axis first
    close(L.sparse_categorical_crossentropy(LAB, Z_C.T, from_logits=True, axis=0),
          "scce_logits")


@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error",
                                  "mean_absolute_percentage_error",
                                  "mean_squared_logarithmic_error", "log_cosh",
                                  "cosine_similarity", "poisson"])
def test_regression_functions(name):
    close(getattr(L, name)(YT_R, YP_R), name)


def test_huber_poisson_hinge_kld_focal():
    close(L.huber(YT_R, YP_R), "huber")
    close(L.huber(YT_R, YP_R, delta=2.0), "huber_d2")
    close(L.poisson(np.abs(YT_R), np.abs(YP_R)), "poisson_pos")
    for name in ["hinge", "squared_hinge", "categorical_hinge", "kl_divergence"]:
        close(getattr(L, name)(YT_H, np.abs(YP_R) / 4), name)
    close(L.hinge(YT_H * 2 - 1, YP_R), "hinge_pm1")
    close(L.kl_divergence(YT_C, YP_C), "kld_probs")
    close(L.binary_focal_crossentropy(YT_B, YP_BF), "bfce")
    close(L.binary_focal_crossentropy(YT_B, YP_BF, apply_class_balancing=True, alpha=0.3,
                                      gamma=1.5), "bfce_bal")
    close(L.binary_focal_crossentropy(YT_B, Z_B, from_logits=True), "bfce_logits")
    close(L.categorical_focal_crossentropy(YT_C, YP_C), "cfce")
    close(L.categorical_focal_crossentropy(YT_C, Z_C, from_logits=True), "cfce_logits")


def test_reductions():
    close(L.MeanSquaredError(reduction="sum")(YT_R, YP_R), "mse_sum")
    close(L.MeanSquaredError(reduction="none")(YT_R, YP_R, sample_weight=[2.0, 0.5]), "mse_none")
    close(L.MeanSquaredError(reduction="mean_with_sample_weight")(YT_R, YP_R,
                                                                  sample_weight=[2.0, 0.5]),
          "mse_mws")
    # Keras 2 'auto' is sum_over_batch_size; None is 'none'
    auto = L.MeanSquaredError(reduction="auto")(YT_R, YP_R)
    assert float(auto) == pytest.approx(float(np.mean(REF["mean_squared_error"])), rel=1e-6)
    assert L.MeanSquaredError(reduction=None)(YT_R, YP_R).shape == (2,)


@pytest.mark.parametrize("cls,name", [
    (L.MeanSquaredError, "mean_squared_error"), (L.MeanAbsoluteError, "mean_absolute_error"),
    (L.MeanAbsolutePercentageError, "mean_absolute_percentage_error"),
    (L.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error"),
    (L.LogCosh, "log_cosh"), (L.CosineSimilarity, "cosine_similarity"),
])
def test_classes_reduce_their_functions(cls, name):
    got = float(cls()(YT_R, YP_R))
    assert got == pytest.approx(float(np.mean(np.asarray(REF[name], np.float32))), rel=1e-6)
