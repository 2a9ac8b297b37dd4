"""Metric values against real Keras 3.15 numbers (computed once and stored here).

The generator is tests/losses/make_keras_reference.py (needs TensorFlow; not run here).
"""

import numpy as np
import pytest

from lamina import metrics as M

# fmt: off
REF = \
{'precision': 0.75,
 'precision_sw': 0.8888889,
 'precision_thr': [0.66666669, 0.75, 1.0],
 'recall': 0.75,
 'recall_sw': 0.80000001,
 'precision_topk': 0.625,
 'recall_topk': 0.60000002,
 'precision_cls': 0.0,
 'recall_cls_thr': 1.0,
 'TruePositives': 4.0,
 'FalsePositives': 0.5,
 'TrueNegatives': 5.0,
 'FalseNegatives': 1.0,
 'tp_thr': [4.0, 3.0, 1.0],
 'auc_roc': 0.8125,
 'auc_roc_sw': 0.92727268,
 'auc_pr': 0.83691871,
 'auc_pr_sw': 0.92475235,
 'auc_roc_min': 0.75,
 'auc_pr_maj': 0.9375,
 'auc_multi': 0.95833331,
 'auc_multi_lw': 0.9285714,
 'auc_flat': 0.87142861,
 'auc_thresholds': 0.84375,
 'auc_logits': 0.8125,
 'sens_at_spec': 1.0,
 'spec_at_sens': 0.5,
 'prec_at_rec': 0.75,
 'rec_at_prec': 0.5,
 'f1_None': [0.66666657, 0.66666657, 0.66666657],
 'f1t_None': [0.66666657, 0.66666657, 1.0],
 'f1_micro': 0.66666663,
 'f1t_micro': 0.80000001,
 'f1_macro': 0.66666657,
 'f1t_macro': 0.77777767,
 'f1_weighted': 0.66666651,
 'f1t_weighted': 0.79999995,
 'fbeta2_macro': 0.65079361,
 'meaniou': 0.41666666,
 'meaniou_sw': 0.2888889,
 'iou_01': 0.45833334,
 'binary_iou': 0.44999999,
 'onehot_meaniou': 0.49999997,
 'topk2': 1.0,
 'sparse_topk1': 0.75,
 'sparse_topk2_sw': 1.0,
 'rmse': 1.0,
 'rmse_sw': 1.11803401,
 'mape': 73.6111145,
 'msle': 0.14944752,
 'logcosh': 0.37320691,
 'cosine': 0.92222989,
 'r2': -1.03703701,
 'r2_none': [-1.5, -2.77777767],
 'r2_vw': 0.21223706,
 'binacc_sw': 0.80952382,
 'bce_metric': 0.57820022,
 'cce_metric': 1.32110548}# fmt: on

YT = np.array([0, 1, 1, 1, 0, 1, 0, 0], np.float32)
YP = np.array([0.1, 0.7, 0.4, 0.9, 0.6, 0.55, 0.2, 0.5], np.float32)
SW = np.array([1, 2, 1, 1, 0.5, 1, 3, 1], np.float32)
YTM = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 1, 1]], np.float32)
YPM = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1], [0.7, 0.2, 0.1], [0.1, 0.5, 0.4]], np.float32)
YT_R = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], np.float32)
YP_R = np.array([[1.5, 1.0, 3.5], [0.0, -3.0, 2.5]], np.float32)
YT_B = np.array([[0., 1.], [1., 0.], [1., 1.], [0., 0.]], np.float32)
YP_BF = np.array([[0.1, 0.8], [0.6, 0.3], [0.9, 0.2], [0.4, 0.7]], np.float32)
YT_C = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], np.float32)
YP_C = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]], np.float32)
IDS_T = np.array([0, 1, 2, 2, 1, 0, 2])
IDS_P = np.array([0, 2, 2, 1, 1, 0, 0])


def run(metric, *args, **kwargs):
    metric.update_state(*args, **kwargs)
    return np.asarray(metric.result().numpy(), np.float64)


CASES = {
    "precision": lambda: run(M.Precision(), YT, YP),
    "precision_sw": lambda: run(M.Precision(), YT, YP, sample_weight=SW),
    "precision_thr": lambda: run(M.Precision(thresholds=[0.3, 0.5, 0.65]), YT, YP),
    "recall": lambda: run(M.Recall(), YT, YP),
    "recall_sw": lambda: run(M.Recall(), YT, YP, sample_weight=SW),
    "precision_topk": lambda: run(M.Precision(top_k=2), YTM, YPM),
    "recall_topk": lambda: run(M.Recall(top_k=1), YTM, YPM),
    "precision_cls": lambda: run(M.Precision(class_id=1), YTM, YPM),
    "recall_cls_thr": lambda: run(M.Recall(class_id=2, thresholds=0.35), YTM, YPM),
    "TruePositives": lambda: run(M.TruePositives(), YT, YP, sample_weight=SW),
    "FalsePositives": lambda: run(M.FalsePositives(), YT, YP, sample_weight=SW),
    "TrueNegatives": lambda: run(M.TrueNegatives(), YT, YP, sample_weight=SW),
    "FalseNegatives": lambda: run(M.FalseNegatives(), YT, YP, sample_weight=SW),
    "tp_thr": lambda: run(M.TruePositives(thresholds=[0.15, 0.5, 0.85]), YT, YP),
    "auc_roc": lambda: run(M.AUC(), YT, YP),
    "auc_roc_sw": lambda: run(M.AUC(), YT, YP, sample_weight=SW),
    "auc_pr": lambda: run(M.AUC(curve="PR"), YT, YP),
    "auc_pr_sw": lambda: run(M.AUC(curve="PR"), YT, YP, sample_weight=SW),
    "auc_roc_min": lambda: run(M.AUC(summation_method="minoring", num_thresholds=10), YT, YP),
    "auc_pr_maj": lambda: run(M.AUC(curve="PR", summation_method="majoring", num_thresholds=7),
                              YT, YP),
    "auc_multi": lambda: run(M.AUC(multi_label=True), YTM, YPM),
    "auc_multi_lw": lambda: run(M.AUC(multi_label=True, label_weights=[1.0, 2.0, 0.5]), YTM,
                                YPM),
    "auc_flat": lambda: run(M.AUC(), YTM, YPM),
    "auc_thresholds": lambda: run(M.AUC(thresholds=[0.3, 0.5, 0.8]), YT, YP),
    "auc_logits": lambda: run(M.AUC(from_logits=True), YT, (YP - 0.5) * 6),
    "sens_at_spec": lambda: run(M.SensitivityAtSpecificity(0.5), YT, YP),
    "spec_at_sens": lambda: run(M.SpecificityAtSensitivity(0.8), YT, YP),
    "prec_at_rec": lambda: run(M.PrecisionAtRecall(0.7), YT, YP),
    "rec_at_prec": lambda: run(M.RecallAtPrecision(0.8), YT, YP),
    "fbeta2_macro": lambda: run(M.FBetaScore(average="macro", beta=2.0, threshold=0.3), YTM, YPM,
                                sample_weight=[1, 2, 1, 0.5]),
    "meaniou": lambda: run(M.MeanIoU(num_classes=3), IDS_T, IDS_P),
    # integer weights: Keras 3 keeps IoU counts as integers (tf.keras 2.x: floats; same here)
    "iou_01": lambda: run(M.IoU(num_classes=3, target_class_ids=[0, 2]), IDS_T, IDS_P),
    "binary_iou": lambda: run(M.BinaryIoU(), YT, YP),
    "onehot_meaniou": lambda: run(M.OneHotMeanIoU(num_classes=3), YTM[:3], YPM[:3]),
    "topk2": lambda: run(M.TopKCategoricalAccuracy(k=2), YTM[:3], YPM[:3]),
    "sparse_topk1": lambda: run(M.SparseTopKCategoricalAccuracy(k=1), [2, 1, 0, 1], YPM),
    "sparse_topk2_sw": lambda: run(M.SparseTopKCategoricalAccuracy(k=2), [2, 0, 0, 1], YPM,
                                   sample_weight=[1, 2, 3, 4]),
    "rmse": lambda: run(M.RootMeanSquaredError(), YT_R, YP_R),
    "rmse_sw": lambda: run(M.RootMeanSquaredError(), YT_R, YP_R, sample_weight=[1.0, 3.0]),
    "mape": lambda: run(M.MeanAbsolutePercentageError(), YT_R, YP_R),
    "msle": lambda: run(M.MeanSquaredLogarithmicError(), np.abs(YT_R), np.abs(YP_R)),
    "logcosh": lambda: run(M.LogCoshError(), YT_R, YP_R),
    "cosine": lambda: run(M.CosineSimilarity(), YT_R, YP_R),
    "r2": lambda: run(M.R2Score(), YT_R, YP_R),
    "r2_none": lambda: run(M.R2Score(class_aggregation=None), YT_R[:, :2].T, YP_R[:, :2].T),
    "r2_vw": lambda: run(M.R2Score(class_aggregation="variance_weighted_average"),
                         np.concatenate([YT_R, YT_R * 2]), np.concatenate([YP_R, YP_R])),
    "binacc_sw": lambda: run(M.BinaryAccuracy(threshold=0.6), YT, YP, sample_weight=SW),
    "bce_metric": lambda: run(M.BinaryCrossentropy(), YT_B, YP_BF),
    "cce_metric": lambda: run(M.CategoricalCrossentropy(), YT_C, YP_C),
}
for _avg in [None, "micro", "macro", "weighted"]:
    CASES[f"f1_{_avg}"] = lambda a=_avg: run(M.F1Score(average=a), YTM, YPM)
    CASES[f"f1t_{_avg}"] = lambda a=_avg: run(M.F1Score(average=a, threshold=0.35), YTM, YPM)


@pytest.mark.parametrize("key", sorted(CASES))
def test_matches_keras(key):
    np.testing.assert_allclose(CASES[key](), REF[key], rtol=1e-5, atol=1e-6)


def test_mean_iou_with_float_weights_follows_tf_keras():
    # class 3 never appears: skipped; weights stay floats (tf.keras 2.x)
    got = run(M.MeanIoU(num_classes=4), IDS_T, IDS_P, sample_weight=[1, 2, 1, 1, 0.5, 1, 1])
    cm = np.zeros((4, 4))
    for t, p, w in zip(IDS_T, IDS_P, [1, 2, 1, 1, 0.5, 1, 1]):
        cm[t, p] += w
    tp = np.diag(cm)
    denom = cm.sum(0) + cm.sum(1) - tp
    iou = tp[denom > 0] / denom[denom > 0]
    assert float(got) == pytest.approx(iou.mean(), rel=1e-6)
