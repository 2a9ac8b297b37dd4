"""Metric API: stateful protocol, Keras accumulation and naming, lookup and bad input."""

import inspect

import numpy as np
import pytest

import lamina
from lamina import metrics as M
from lamina.backend import clear_session


def all_metric_classes():
    return [
        obj
        for name, obj in vars(M).items()
        if inspect.isclass(obj) and issubclass(obj, M.Metric) and obj is not M.Metric
    ]


CTOR_ARGS = {
    "MeanMetricWrapper": {"fn": M.mae},
    "MeanIoU": {"num_classes": 3},
    "IoU": {"num_classes": 3, "target_class_ids": [0]},
    "OneHotIoU": {"num_classes": 3, "target_class_ids": [0]},
    "OneHotMeanIoU": {"num_classes": 3},
    "SensitivityAtSpecificity": {"specificity": 0.5},
    "SpecificityAtSensitivity": {"sensitivity": 0.5},
    "PrecisionAtRecall": {"recall": 0.5},
    "RecallAtPrecision": {"precision": 0.5},
}


@pytest.mark.parametrize("cls", all_metric_classes(), ids=lambda c: c.__name__)
def test_config_round_trip_and_reset(cls):
    m = cls(**CTOR_ARGS.get(cls.__name__, {}))
    cfg = m.get_config()
    assert cfg["name"] == m.name and cfg["dtype"] == "float32"
    again = cls.from_config(cfg)
    assert again.get_config() == cfg
    assert M.deserialize(M.serialize(m)).get_config() == cfg
    for v in m.variables:
        assert not v.trainable
    m.reset_state()
    m.reset_states()


def test_keras_names_and_unique_suffixes():
    clear_session()
    assert M.Precision().name == "precision"
    assert M.Precision().name == "precision_1"
    assert M.Recall().name == "recall"
    assert M.AUC().name == "auc"
    assert M.BinaryAccuracy().name == "binary_accuracy"
    assert M.BinaryAccuracy().name == "binary_accuracy"  # explicit default names do not count
    assert M.MeanSquaredError().name == "mean_squared_error"
    assert M.F1Score().name == "f1_score"
    assert M.MeanIoU(num_classes=2).name == "mean_io_u"
    clear_session()
    assert M.Precision().name == "precision"
    assert M.Precision(name="p").name == "p"


def test_binary_accuracy_labels_n_vs_predictions_n_by_1():
    m = M.BinaryAccuracy()
    m.update_state(np.array([1, 1, 0, 0]), np.array([[0.98], [1], [0], [0.6]]))
    assert float(m.result()) == 0.75
    m.reset_state()
    m.update_state(np.array([[1], [1], [0], [0]]), np.array([0.98, 0.5, 0, 0.6]))
    assert float(m.result()) == 0.5  # 0.5 is not > threshold 0.5
    assert float(M.BinaryAccuracy(threshold=0.7)([1, 0], [[0.8], [0.75]])) == 0.5


def test_accuracy_family():
    assert float(M.Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])) == 0.75
    m = M.CategoricalAccuracy()
    assert float(m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])) == 0.5
    m = M.SparseCategoricalAccuracy()
    assert float(m([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])) == 0.5
    assert (
        float(
            M.SparseCategoricalAccuracy()(
                [2, 1], lamina.constant(np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0]], np.float32))
            )
        )
        == 0.5
    )
    assert (
        float(
            M.TopKCategoricalAccuracy(k=1)(
                [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
            )
        )
        == 0.5
    )
    assert (
        float(M.SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
        == 0.5
    )
    ba = M.binary_accuracy(np.array([1.0, 0.0]), np.array([[0.7], [0.6]]))
    assert isinstance(ba, lamina.Tensor)
    np.testing.assert_array_equal(ba.numpy(), [[1.0], [0.0]])


def test_accumulates_over_batches_as_weighted_float32_means():
    m = M.BinaryAccuracy()
    m.update_state([1, 0, 1], [[0.9], [0.1], [0.2]])  # 2 right of 3
    m.update_state([1], [[0.7]], sample_weight=[3.0])  # 1 right, weight 3
    assert m.result().dtype.name == "float32"
    assert float(m.result()) == pytest.approx(np.float32(5.0) / np.float32(6.0))
    assert float(m.total.numpy()) == 5.0 and float(m.count.numpy()) == 6.0
    m.reset_state()
    assert float(m.result()) == 0.0


def test_mean_sum_and_wrapper():
    m = M.Mean()
    m.update_state([1, 3, 5, 7])
    assert float(m.result()) == 4.0
    m.update_state([[1, 3], [5, 7]], sample_weight=[1, 0])  # row means 2 and 6
    assert float(m.result()) == pytest.approx((16 + 2) / 5)
    s = M.Sum()
    s.update_state([1, 2, 3], sample_weight=[1, 0, 2])
    assert float(s.result()) == 7.0
    assert float(M.Mean()(lamina.constant([2.0, 4.0]))) == 3.0

    w = M.MeanMetricWrapper(fn=M.get("mae"), name="mae")
    assert w.name == "mae"
    w.update_state([[1.0], [2.0]], [[1.5], [2.0]])
    assert float(w.result()) == 0.25

    def halved(y_true, y_pred):
        return (np.asarray(y_pred) - np.asarray(y_true))[..., 0] / 2

    u = M.MeanMetricWrapper(halved)
    assert u.name == "halved"
    assert float(u([[0.0], [0.0]], [[2.0], [4.0]])) == 1.5
    # a loss function given as a metric runs through its NumPy twin, same value
    v = M.MeanMetricWrapper(lamina.losses.binary_crossentropy, name="bce")
    y, p = np.array([1.0, 0.0]), np.array([[0.8], [0.4]], np.float32)
    assert float(v(y, p)) == pytest.approx(
        float(lamina.losses.BinaryCrossentropy()(y, p)), rel=1e-6
    )


def test_precision_recall_options():
    y = np.array([0, 1, 1, 1])
    p = np.array([1, 0, 1, 1])
    assert float(M.Precision()(y, p)) == pytest.approx(2 / 3)
    assert float(M.Recall()(y, p)) == pytest.approx(2 / 3)
    r = M.Precision(thresholds=[0.0, 0.5]).result()
    assert r.shape == (2,) and np.all(r.numpy() == 0)  # no data: 0, not nan
    m = M.Precision(top_k=1)
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.2, 0.3], [0.7, 0.2, 0.1]])
    assert float(m.result()) == 0.5
    assert [v.name for v in M.Precision().variables] == ["true_positives", "false_positives"]
    assert [v.name for v in M.AUC().variables] == [
        "true_positives",
        "false_positives",
        "true_negatives",
        "false_negatives",
    ]
    assert M.AUC().variables[0].shape == (200,)


def test_auc_doc_example_and_merge_state():
    m = M.AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert float(m.result()) == pytest.approx(0.75)
    a, b = M.AUC(), M.AUC()
    a.update_state([0, 1], [0.2, 0.7])
    b.update_state([1, 0], [0.4, 0.6])
    whole = M.AUC()
    whole.update_state([0, 1, 1, 0], [0.2, 0.7, 0.4, 0.6])
    a.merge_state([b])
    assert float(a.result()) == float(whole.result())


def test_get_and_serialize():
    assert M.get("accuracy") is M.accuracy
    assert M.get("acc") is M.accuracy
    assert M.get("mae") is M.mean_absolute_error is lamina.losses.mae
    assert M.get("binary_accuracy") is M.binary_accuracy
    assert isinstance(M.get("Precision"), M.Precision)
    assert isinstance(M.get(M.AUC), M.AUC)
    m = M.Recall()
    assert M.get(m) is m
    assert M.get({"class_name": "BinaryAccuracy", "config": {"threshold": 0.3}}).threshold == 0.3
    assert M.serialize(M.mae) == "mean_absolute_error"
    assert M.serialize(M.Precision(name="p"))["config"]["name"] == "p"


def test_unknown_and_bad_arguments():
    with pytest.raises(ValueError, match="'accuracy'"):
        M.get("acuracy")
    with pytest.raises(ValueError, match="Unknown metric"):
        M.get("f1")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        M.Precision(thresholds=1.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        M.Recall(thresholds=[0.2, -0.1])
    with pytest.raises(ValueError, match="threshold"):
        M.BinaryAccuracy(threshold=2)
    with pytest.raises(ValueError, match="top_k"):
        M.Precision(top_k=0)
    with pytest.raises(ValueError, match="num_thresholds"):
        M.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        M.AUC(curve="DET")
    with pytest.raises(ValueError, match="summation"):
        M.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="average"):
        M.F1Score(average="samples")
    with pytest.raises(ValueError, match="beta"):
        M.FBetaScore(beta=0)
    with pytest.raises(ValueError, match="k"):
        M.TopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match="num_classes"):
        M.MeanIoU(num_classes=0)
    with pytest.raises(ValueError, match="specificity"):
        M.SensitivityAtSpecificity(1.5)
    with pytest.raises(TypeError, match="numeric"):
        M.Mean().update_state(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="sample_weight"):
        M.BinaryAccuracy().update_state([1, 0], [[0.2], [0.4]], sample_weight=[1, 2, 3])
    with pytest.raises(ValueError, match="2D"):
        M.F1Score().update_state([1, 0], [0.2, 0.4])
    with pytest.raises(TypeError, match="unexpected keyword"):
        M.Metric(nme="x")


def test_snake_case_class_names_and_required_arguments():
    assert isinstance(M.get("precision"), M.Precision)
    assert isinstance(M.get("auc"), M.AUC)
    assert isinstance(M.get("root_mean_squared_error"), M.RootMeanSquaredError)
    assert M.get("top_k_categorical_accuracy") is M.top_k_categorical_accuracy
    with pytest.raises(ValueError, match=r"MeanIoU\(num_classes=\.\.\.\)"):
        M.get("mean_io_u")
    with pytest.raises(ValueError, match="Could not interpret"):
        M.get("Metric")


def test_custom_metric_subclass_keras_guide_style():
    class BinaryTruePositives(M.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_weight(name="tp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = lamina.cast(y_true, lamina.bool)
            y_pred = lamina.cast(y_pred, lamina.bool)
            values = lamina.cast(lamina.logical_and(y_true, y_pred), self.dtype)
            if sample_weight is not None:
                values = values * lamina.cast(sample_weight, self.dtype)
            self.true_positives.assign_add(lamina.reduce_sum(values))

        def result(self):
            return self.true_positives

    m = BinaryTruePositives()
    m.update_state(np.array([1, 1, 0, 1]), np.array([1, 0, 1, 1]))
    m.update_state(np.array([1]), np.array([1]), sample_weight=np.array([0.5]))
    assert float(m.result()) == 2.5
    assert [v.name for v in m.variables] == ["tp"]
    m.reset_state()
    assert float(m.result()) == 0.0

    class Counter(M.Metric):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.n = self.add_variable(shape=(), initializer="zeros", name="n")

        def update_state(self, values, sample_weight=None):
            self.n.assign_add(float(np.size(values)))

        def result(self):
            return self.n

    c = Counter()
    assert c.name == "counter"
    assert float(c([1, 2, 3])) == 3.0


def test_bad_dtype_is_named():
    with pytest.raises(TypeError, match="dtype"):
        M.Mean(dtype="flot32")
    with pytest.raises(TypeError, match="dtype"):
        lamina.losses.MeanSquaredError(dtype="foo")
    assert M.Mean(dtype=lamina.float64).dtype == "float64"


@pytest.mark.parametrize(
    "make",
    [
        M.BinaryAccuracy,
        M.Precision,
        M.Recall,
        M.AUC,
        lambda: M.AUC(curve="PR"),
        M.TruePositives,
        M.MeanAbsoluteError,
        M.RootMeanSquaredError,
        lambda: M.BinaryIoU(),
        lambda: M.SensitivityAtSpecificity(0.6),
    ],
    ids=["binacc", "precision", "recall", "auc", "auc_pr", "tp", "mae", "rmse", "biou", "sens"],
)
def test_batches_accumulate_like_one_big_batch(make):
    rng = np.random.RandomState(3)
    y = (rng.rand(97) > 0.4).astype(np.float32)
    p = rng.rand(97, 1).astype(np.float32)
    w = rng.rand(97).astype(np.float32)
    whole, parts = make(), make()
    whole.update_state(y, p, sample_weight=w)
    for lo in range(0, 97, 32):
        parts.update_state(y[lo : lo + 32], p[lo : lo + 32], sample_weight=w[lo : lo + 32])
    np.testing.assert_allclose(parts.result().numpy(), whole.result().numpy(), rtol=2e-6)


def test_star_import_lists_real_names():
    for name in M.__all__:
        assert hasattr(M, name), name
    for mod in (lamina.losses, lamina.activations):
        for name in mod.__all__:
            assert hasattr(mod, name), name


def test_sparse_top_k_follows_tf_in_top_k():
    # tf.math.in_top_k (TensorFlow 2.21): ties at the boundary are in, labels outside
    # [0, n) and non-finite target scores are out
    p = np.array(
        [[0.1, 0.5, 0.5, 0.2], [0.3, 0.3, 0.3, 0.1], [np.nan, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]]
        + [[0.4, 0.3, 0.2, 0.1]],
        "float32",
    )
    labels = np.array([2, 3, 0, 7, -1])
    for k, want in [(1, [1, 0, 0, 0, 0]), (3, [1, 0, 0, 0, 0]), (4, [1, 1, 0, 0, 0])]:
        got = M.sparse_top_k_categorical_accuracy(labels, p, k=k).numpy()
        np.testing.assert_array_equal(got, np.asarray(want, "float32"))
    onehot = np.eye(4, dtype="float32")[[2, 3]]
    got = M.top_k_categorical_accuracy(onehot, p[:2], k=1).numpy()
    np.testing.assert_array_equal(got, [1.0, 0.0])
