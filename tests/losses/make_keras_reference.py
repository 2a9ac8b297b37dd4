"""Regenerate the Keras reference numbers of tests/losses, tests/metrics and test_activations.

Run with an environment that has TensorFlow and Keras 3 (e.g. /work/benchvenv); prints JSON.
"""

import json
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
from keras import activations as A, losses as L, metrics as M
from keras.src.legacy import backend as LB

R = {}


def f(x):
    return np.asarray(x, dtype=np.float64).round(8).tolist()


yt_b = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], np.float32)
yp_b = np.array([[0.1, 0.8], [0.6, 0.3], [1.0, 0.0], [0.0, 0.999]], np.float32)
z_b = np.array([[-2.0, 1.5], [0.3, -0.7], [30.0, -25.0], [-4.0, 6.0]], np.float32)
sw4 = np.array([1.0, 0.5, 2.0, 0.0], np.float32)


# tf.keras 2 formula for BCE on probabilities
def bce2(t, p):
    return tf.reduce_mean(LB.binary_crossentropy(tf.constant(t), tf.constant(p)), axis=-1).numpy()


R["bce_probs_per_sample"] = f(bce2(yt_b, yp_b))
R["bce_probs_mean"] = float(np.mean(bce2(yt_b, yp_b).astype(np.float32)))
R["bce_probs_sw"] = float(np.sum(bce2(yt_b, yp_b) * sw4) / 4)
R["bce_logits"] = f(L.binary_crossentropy(yt_b, z_b, from_logits=True).numpy())
R["bce_logits_ls"] = f(
    L.binary_crossentropy(yt_b, z_b, from_logits=True, label_smoothing=0.2).numpy()
)
R["bce_logits_sum"] = float(
    L.BinaryCrossentropy(from_logits=True, reduction="sum")(yt_b, z_b, sample_weight=sw4).numpy()
)
# degenerate model (seed 003 model_6): outputs <= 0 on balanced labels
R["bce_degenerate"] = float(
    tf.reduce_mean(
        LB.binary_crossentropy(
            tf.constant([[1.0], [0.0], [1.0], [0.0]]), tf.constant([[-0.3], [0.0], [-2.0], [-1.0]])
        )
    ).numpy()
)

yt_c = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], np.float32)
yp_c = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]], np.float32)
z_c = np.array([[1.0, 3.0, -1.0], [0.5, 0.5, 2.0], [-3.0, 10.0, 1.0]], np.float32)
R["cce_probs"] = f(L.categorical_crossentropy(yt_c, yp_c).numpy())
R["cce_probs_ls"] = f(L.categorical_crossentropy(yt_c, yp_c, label_smoothing=0.1).numpy())
R["cce_logits"] = f(L.categorical_crossentropy(yt_c, z_c, from_logits=True).numpy())
R["cce_unnormalised"] = f(L.categorical_crossentropy(yt_c, yp_c * 3.0).numpy())
lab = np.array([1, 2, 0])
R["scce_probs_tfk2"] = f(
    LB.sparse_categorical_crossentropy(tf.constant(lab), tf.constant(yp_c)).numpy()
)
R["scce_probs_k3"] = f(L.sparse_categorical_crossentropy(lab, yp_c).numpy())
R["scce_logits"] = f(L.sparse_categorical_crossentropy(lab, z_c, from_logits=True).numpy())
R["scce_ignore"] = float(
    L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)(lab, z_c).numpy()
)

yt_r = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], np.float32)
yp_r = np.array([[1.5, 1.0, 3.5], [0.0, -3.0, 2.5]], np.float32)
for name in [
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "log_cosh",
    "cosine_similarity",
    "poisson",
]:
    R[name] = f(getattr(L, name)(yt_r, yp_r).numpy())
R["huber"] = f(L.huber(yt_r, yp_r).numpy())
R["huber_d2"] = f(L.huber(yt_r, yp_r, delta=2.0).numpy())
R["poisson_pos"] = f(L.poisson(np.abs(yt_r), np.abs(yp_r)).numpy())
yt_h = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], np.float32)
for name in ["hinge", "squared_hinge", "categorical_hinge", "kl_divergence"]:
    R[name] = f(getattr(L, name)(yt_h, np.abs(yp_r) / 4).numpy())
R["hinge_pm1"] = f(L.hinge(yt_h * 2 - 1, yp_r).numpy())
R["kld_probs"] = f(L.kl_divergence(yt_c, yp_c).numpy())
yp_bf = np.array([[0.1, 0.8], [0.6, 0.3], [0.9, 0.2], [0.4, 0.7]], np.float32)
R["bfce"] = f(L.binary_focal_crossentropy(yt_b, yp_bf).numpy())
R["bfce_bal"] = f(
    L.binary_focal_crossentropy(
        yt_b, yp_bf, apply_class_balancing=True, alpha=0.3, gamma=1.5
    ).numpy()
)
R["bfce_logits"] = f(L.binary_focal_crossentropy(yt_b, z_b, from_logits=True).numpy())
R["cfce"] = f(L.categorical_focal_crossentropy(yt_c, yp_c).numpy())
R["cfce_logits"] = f(L.categorical_focal_crossentropy(yt_c, z_c, from_logits=True).numpy())
R["mse_sum"] = float(L.MeanSquaredError(reduction="sum")(yt_r, yp_r).numpy())
R["mse_none"] = f(
    L.MeanSquaredError(reduction="none")(yt_r, yp_r, sample_weight=[2.0, 0.5]).numpy()
)
R["mse_mws"] = float(
    L.MeanSquaredError(reduction="mean_with_sample_weight")(
        yt_r, yp_r, sample_weight=[2.0, 0.5]
    ).numpy()
)

# activations
x = np.linspace(-3, 3, 13).astype(np.float32)
acts = {}
for name in [
    "relu",
    "sigmoid",
    "tanh",
    "elu",
    "selu",
    "softplus",
    "softsign",
    "silu",
    "gelu",
    "exponential",
    "relu6",
    "mish",
    "hard_silu",
    "leaky_relu",
    "log_sigmoid",
    "celu",
]:
    acts[name] = f(getattr(A, name)(x).numpy())
acts["gelu_approx"] = f(A.gelu(x, approximate=True).numpy())
acts["relu_args"] = f(A.relu(x, negative_slope=0.1, max_value=2.0, threshold=0.5).numpy())
acts["relu_args_k2"] = f(LB.relu(tf.constant(x), alpha=0.1, max_value=2.0, threshold=0.5).numpy())
acts["relu_alpha"] = f(LB.relu(tf.constant(x), alpha=0.3).numpy())
acts["relu_max"] = f(LB.relu(tf.constant(x), max_value=1.5).numpy())
acts["hard_sigmoid_k2"] = f(LB.hard_sigmoid(tf.constant(x)).numpy())
acts["elu_a"] = f(A.elu(x, alpha=0.5).numpy())
m2 = (
    x.reshape(3, 13 // 3 * 0 + 1, -1)
    if False
    else np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 5.0]], np.float32)
)
acts["softmax"] = f(A.softmax(m2).numpy())
acts["softmax_ax0"] = f(A.softmax(m2, axis=0).numpy())
acts["log_softmax"] = f(A.log_softmax(m2).numpy())
R["activations"] = acts
R["x"] = f(x)

# metrics
met = {}
yt = np.array([0, 1, 1, 1, 0, 1, 0, 0], np.float32)
yp = np.array([0.1, 0.7, 0.4, 0.9, 0.6, 0.55, 0.2, 0.5], np.float32)
sw = np.array([1, 2, 1, 1, 0.5, 1, 3, 1], np.float32)


def run(m, *args, **kw):
    m.update_state(*args, **kw)
    return f(m.result().numpy())


met["precision"] = run(M.Precision(), yt, yp)
met["precision_sw"] = run(M.Precision(), yt, yp, sample_weight=sw)
met["precision_thr"] = run(M.Precision(thresholds=[0.3, 0.5, 0.65]), yt, yp)
met["recall"] = run(M.Recall(), yt, yp)
met["recall_sw"] = run(M.Recall(), yt, yp, sample_weight=sw)
ytm = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 1, 1]], np.float32)
ypm = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1], [0.7, 0.2, 0.1], [0.1, 0.5, 0.4]], np.float32)
met["precision_topk"] = run(M.Precision(top_k=2), ytm, ypm)
met["recall_topk"] = run(M.Recall(top_k=1), ytm, ypm)
met["precision_cls"] = run(M.Precision(class_id=1), ytm, ypm)
met["recall_cls_thr"] = run(M.Recall(class_id=2, thresholds=0.35), ytm, ypm)
for k in ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]:
    met[k] = run(getattr(M, k)(), yt, yp, sample_weight=sw)
met["tp_thr"] = run(M.TruePositives(thresholds=[0.15, 0.5, 0.85]), yt, yp)
met["auc_roc"] = run(M.AUC(), yt, yp)
met["auc_roc_sw"] = run(M.AUC(), yt, yp, sample_weight=sw)
met["auc_pr"] = run(M.AUC(curve="PR"), yt, yp)
met["auc_pr_sw"] = run(M.AUC(curve="PR"), yt, yp, sample_weight=sw)
met["auc_roc_min"] = run(M.AUC(summation_method="minoring", num_thresholds=10), yt, yp)
met["auc_pr_maj"] = run(M.AUC(curve="PR", summation_method="majoring", num_thresholds=7), yt, yp)
met["auc_multi"] = run(M.AUC(multi_label=True), ytm, ypm)
met["auc_multi_lw"] = run(M.AUC(multi_label=True, label_weights=[1.0, 2.0, 0.5]), ytm, ypm)
met["auc_flat"] = run(M.AUC(), ytm, ypm)
met["auc_thresholds"] = run(M.AUC(thresholds=[0.3, 0.5, 0.8]), yt, yp)
met["auc_logits"] = run(M.AUC(from_logits=True), yt, (yp - 0.5) * 6)
met["sens_at_spec"] = run(M.SensitivityAtSpecificity(0.5), yt, yp)
met["spec_at_sens"] = run(M.SpecificityAtSensitivity(0.8), yt, yp)
met["prec_at_rec"] = run(M.PrecisionAtRecall(0.7), yt, yp)
met["rec_at_prec"] = run(M.RecallAtPrecision(0.8), yt, yp)
for avg in [None, "micro", "macro", "weighted"]:
    met[f"f1_{avg}"] = run(M.F1Score(average=avg), ytm, ypm)
    met[f"f1t_{avg}"] = run(M.F1Score(average=avg, threshold=0.35), ytm, ypm)
met["fbeta2_macro"] = run(
    M.FBetaScore(average="macro", beta=2.0, threshold=0.3), ytm, ypm, sample_weight=[1, 2, 1, 0.5]
)
ids_t = np.array([0, 1, 2, 2, 1, 0, 2])
ids_p = np.array([0, 2, 2, 1, 1, 0, 0])
met["meaniou"] = run(M.MeanIoU(num_classes=3), ids_t, ids_p)
met["meaniou_sw"] = run(
    M.MeanIoU(num_classes=4), ids_t, ids_p, sample_weight=[1, 2, 1, 1, 0.5, 1, 1]
)
met["iou_01"] = run(M.IoU(num_classes=3, target_class_ids=[0, 2]), ids_t, ids_p)
met["binary_iou"] = run(M.BinaryIoU(), yt, yp)
met["onehot_meaniou"] = run(M.OneHotMeanIoU(num_classes=3), ytm[:3], ypm[:3])
met["topk2"] = run(M.TopKCategoricalAccuracy(k=2), ytm[:3], ypm[:3])
met["sparse_topk1"] = run(M.SparseTopKCategoricalAccuracy(k=1), [2, 1, 0, 1], ypm)
met["sparse_topk2_sw"] = run(
    M.SparseTopKCategoricalAccuracy(k=2), [2, 0, 0, 1], ypm, sample_weight=[1, 2, 3, 4]
)
met["rmse"] = run(M.RootMeanSquaredError(), yt_r, yp_r)
met["rmse_sw"] = run(M.RootMeanSquaredError(), yt_r, yp_r, sample_weight=[1.0, 3.0])
met["mape"] = run(M.MeanAbsolutePercentageError(), yt_r, yp_r)
met["msle"] = run(M.MeanSquaredLogarithmicError(), np.abs(yt_r), np.abs(yp_r))
met["logcosh"] = run(M.LogCoshError(), yt_r, yp_r)
met["cosine"] = run(M.CosineSimilarity(), yt_r, yp_r)
met["r2"] = run(M.R2Score(), yt_r, yp_r)
met["r2_none"] = run(M.R2Score(class_aggregation=None), yt_r[:, :2].T, yp_r[:, :2].T)
met["r2_vw"] = run(
    M.R2Score(class_aggregation="variance_weighted_average"),
    np.concatenate([yt_r, yt_r * 2]),
    np.concatenate([yp_r, yp_r]),
)
met["binacc_sw"] = run(M.BinaryAccuracy(threshold=0.6), yt, yp, sample_weight=sw)
met["bce_metric"] = run(M.BinaryCrossentropy(), yt_b, yp_bf)
met["cce_metric"] = run(M.CategoricalCrossentropy(), yt_c, yp_c)
R["metrics"] = met
print(json.dumps(R, indent=None))

# --- Keras 3's newer activations (REF3 in tests/test_activations.py) ---------------------------
m4 = np.array([[1.0, 2.0, 3.0, 0.5], [-1.0, 0.0, 5.0, 5.2]], np.float32)
R3 = {
    n: f(getattr(A, n)(x).numpy())
    for n in [
        "hard_tanh",
        "hard_shrink",
        "soft_shrink",
        "tanh_shrink",
        "squareplus",
        "sparse_plus",
        "sparse_sigmoid",
    ]
}
R3["threshold"] = f(A.threshold(x, 0.4, -2.0).numpy())
R3["glu"] = f(A.glu(m4).numpy())
R3["sparsemax"] = f(A.sparsemax(m4).numpy())
R3["sparsemax_ax0"] = f(A.sparsemax(m4, axis=0).numpy())
R3["squareplus_b1"] = f(A.squareplus(x, b=1).numpy())
print(json.dumps(R3))
