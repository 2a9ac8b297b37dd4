"""Loss API: names, lookup, configs, reductions, custom losses and bad input."""

import numpy as np
import pytest

import lamina
from lamina import losses as L

ALL_CLASSES = [
    L.BinaryCrossentropy,
    L.CategoricalCrossentropy,
    L.SparseCategoricalCrossentropy,
    L.BinaryFocalCrossentropy,
    L.CategoricalFocalCrossentropy,
    L.MeanSquaredError,
    L.MeanAbsoluteError,
    L.MeanAbsolutePercentageError,
    L.MeanSquaredLogarithmicError,
    L.Huber,
    L.LogCosh,
    L.Hinge,
    L.SquaredHinge,
    L.CategoricalHinge,
    L.KLDivergence,
    L.Poisson,
    L.CosineSimilarity,
]


def test_default_names_are_keras_names():
    names = {c.__name__: c().name for c in ALL_CLASSES}
    assert names["BinaryCrossentropy"] == "binary_crossentropy"
    assert names["MeanSquaredError"] == "mean_squared_error"
    assert names["Huber"] == "huber_loss"
    assert names["LogCosh"] == "log_cosh"
    assert names["KLDivergence"] == "kl_divergence"
    assert names["SparseCategoricalCrossentropy"] == "sparse_categorical_crossentropy"


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_config_round_trip(cls):
    loss = cls(reduction="sum", name="custom")
    cfg = loss.get_config()
    assert cfg["name"] == "custom" and cfg["reduction"] == "sum"
    again = cls.from_config(cfg)
    assert again.get_config() == cfg
    assert L.deserialize(L.serialize(loss)).get_config() == cfg


def test_configs_list_constructor_arguments():
    assert L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1).get_config() == {
        "name": "binary_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": True,
        "label_smoothing": 0.1,
        "axis": -1,
    }
    assert L.SparseCategoricalCrossentropy().get_config() == {
        "name": "sparse_categorical_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": False,
        "ignore_class": None,
    }
    assert L.Huber(delta=2.0).get_config()["delta"] == 2.0
    # Keras 2 configs (reduction 'auto') load
    loss = L.deserialize(
        {
            "class_name": "BinaryCrossentropy",
            "config": {
                "reduction": "auto",
                "name": "binary_crossentropy",
                "from_logits": False,
                "label_smoothing": 0,
                "axis": -1,
            },
        }
    )
    assert isinstance(loss, L.BinaryCrossentropy) and loss.reduction == "auto"


def test_get_strings_functions_and_classes():
    assert L.get("mse") is L.mean_squared_error is L.mse is L.MSE
    assert L.get("mae") is L.mean_absolute_error
    assert L.get("mape") is L.mean_absolute_percentage_error
    assert L.get("msle") is L.mean_squared_logarithmic_error
    assert L.get("kld") is L.kl_divergence is L.kullback_leibler_divergence
    assert L.get("binary_crossentropy") is L.binary_crossentropy
    assert L.get("logcosh") is L.log_cosh
    assert isinstance(L.get("BinaryCrossentropy"), L.BinaryCrossentropy)
    assert isinstance(L.get(L.Huber), L.Huber)
    obj = L.CategoricalCrossentropy()
    assert L.get(obj) is obj
    assert L.get(None) is None
    fn = lambda y, p: y  # noqa: E731
    assert L.get(fn) is fn
    assert isinstance(
        L.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}),
        L.CategoricalCrossentropy,
    )
    assert L.serialize(L.mae) == "mean_absolute_error"
    assert L.serialize(L.BinaryCrossentropy())["class_name"] == "BinaryCrossentropy"


def test_unknown_names_suggest_the_closest():
    with pytest.raises(ValueError, match="binary_crossentropy"):
        L.get("binary_crossentropi")
    with pytest.raises(ValueError, match="Unknown loss: 'msee'"):
        L.get("msee")
    with pytest.raises(ValueError, match="Could not interpret"):
        L.get(42)


def test_function_forms_return_per_sample_tensors():
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    p = np.array([[0.9, 0.2], [0.3, 0.6], [0.5, 0.5]])
    out = L.binary_crossentropy(y, p)
    assert isinstance(out, lamina.Tensor) and out.shape == (3,)
    # NumPy float64 predictions stay float64 in the function form, as Keras
    assert out.dtype.name == "float64"
    # the Loss object computes in floatx
    assert L.BinaryCrossentropy()(y, p).dtype.name == "float32"
    assert L.mse(np.array([1.0, 2.0]), np.array([[1.0], [4.0]])).shape == (2,)


def test_labels_n_align_with_predictions_n_by_1():
    y = np.array([1, 0, 1, 1])
    p = np.array([[0.8], [0.3], [0.6], [0.9]], np.float32)
    a = float(L.BinaryCrossentropy()(y, p))
    b = float(L.BinaryCrossentropy()(y[:, None], p))
    c = float(L.BinaryCrossentropy()(y.astype(np.float32), p[:, 0]))
    assert a == b == c
    assert float(L.MeanAbsoluteError()(y, p)) == pytest.approx(np.mean(np.abs(p[:, 0] - y)))


def test_sample_weights_shapes_and_errors():
    y = np.array([1.0, 0.0, 1.0])
    p = np.array([[0.8], [0.3], [0.6]], np.float32)
    base = L.BinaryCrossentropy(reduction="none")(y, p).numpy()
    w = np.array([2.0, 0.0, 1.0])
    for sw in (w, w[:, None], lamina.constant(w.astype(np.float32))):
        got = float(L.BinaryCrossentropy()(y, p, sample_weight=sw))
        assert got == pytest.approx(float(np.sum(base * w) / 3), rel=1e-6)
    assert float(L.BinaryCrossentropy()(y, p, sample_weight=2.0)) == pytest.approx(
        2 * float(np.mean(base)), rel=1e-6
    )
    with pytest.raises(ValueError, match="sample_weight"):
        L.BinaryCrossentropy()(y, p, sample_weight=np.ones(5))


def test_custom_loss_subclass_and_wrapper():
    class Cubed(L.Loss):
        def call(self, y_true, y_pred):
            d = y_pred - y_true
            return lamina.reduce_sum(d * d * d, axis=-1)

    loss = Cubed()
    assert loss.name == "cubed"
    y = np.array([[1.0], [2.0]], np.float32)
    p = np.array([[2.0], [4.0]], np.float32)
    assert float(loss(y, p)) == pytest.approx(4.5)
    assert float(Cubed(reduction="sum")(y, p)) == pytest.approx(9.0)

    def my_mae(y_true, y_pred, scale=1.0):
        return L.mae(y_true, y_pred) * scale

    wrapped = L.LossFunctionWrapper(my_mae, scale=2.0)
    assert wrapped.name == "my_mae"
    assert float(wrapped(y, p)) == pytest.approx(3.0)
    assert wrapped.get_config()["scale"] == 2.0


def test_reduction_names():
    assert L.Reduction.AUTO == "auto" and L.Reduction.SUM_OVER_BATCH_SIZE == "sum_over_batch_size"
    assert L.MeanSquaredError(reduction=L.Reduction.NONE).reduction == "none"
    with pytest.raises(ValueError, match="reduction"):
        L.MeanSquaredError(reduction="average")


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="label_smoothing"):
        L.BinaryCrossentropy(label_smoothing=1.5)
    with pytest.raises(TypeError, match="label_smoothing"):
        L.CategoricalCrossentropy(label_smoothing="a lot")
    with pytest.raises(TypeError, match="from_logits"):
        L.BinaryCrossentropy(from_logits="yes")
    with pytest.raises(ValueError, match="delta"):
        L.Huber(delta=-1.0)
    with pytest.raises(ValueError, match="alpha"):
        L.BinaryFocalCrossentropy(alpha=2.0)
    with pytest.raises(ValueError, match="gamma"):
        L.CategoricalFocalCrossentropy(gamma=-1)
    with pytest.raises(TypeError, match="axis"):
        L.CosineSimilarity(axis=1.5)
    with pytest.raises(TypeError, match="name"):
        L.MeanSquaredError(name=3)


def test_labels_that_do_not_fit_the_loss():
    probs = np.array([[0.2, 0.8], [0.6, 0.4]], np.float32)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        L.CategoricalCrossentropy()(np.array([1, 0]), probs)
    with pytest.raises(ValueError, match="one-hot"):
        L.SparseCategoricalCrossentropy()(np.eye(2), probs)
    with pytest.raises(ValueError, match="label value of 5"):
        L.SparseCategoricalCrossentropy()(np.array([5, 0]), probs)
    with pytest.raises(ValueError, match="label value of -1"):
        L.SparseCategoricalCrossentropy().numpy_value_and_grad(np.array([-1, 0]), probs, None)
    with pytest.raises(ValueError, match="incompatible shapes"):
        L.MeanSquaredError()(np.ones((4, 3)), np.ones((4, 2)))
    with pytest.raises(TypeError, match="numeric"):
        L.BinaryCrossentropy()(np.array(["a", "b"]), probs[:, :1])


def test_keras_2_2_loss_names():
    assert L.get("cosine_proximity") is L.cosine_similarity


def test_scalar_inputs():
    for loss in (
        L.BinaryCrossentropy(),
        L.BinaryCrossentropy(from_logits=True),
        L.Huber(),
        L.MeanSquaredError(),
        L.MeanAbsoluteError(),
    ):
        a = float(loss([1.0], 0.3))
        assert a == float(loss(1.0, 0.3))
        value, grad = loss.numpy_value_and_grad(np.float32(1.0), np.float32(0.3))
        assert value == a and isinstance(grad, np.ndarray) and grad.shape == ()
    assert float(L.MeanSquaredError()(1.0, 0.3)) == pytest.approx(0.49)


def test_warns_when_activation_outputs_are_passed_as_logits():
    z = lamina.constant(np.array([[0.3, -1.0]], np.float32))
    with pytest.warns(UserWarning, match="Sigmoid activation"):
        L.BinaryCrossentropy(from_logits=True)(
            np.array([[1.0, 0.0]]), lamina.activations.sigmoid(z)
        )
    with pytest.warns(UserWarning, match="Softmax activation"):
        L.CategoricalCrossentropy(from_logits=True)(
            np.array([[1.0, 0.0]]), lamina.activations.softmax(z)
        )
    with pytest.warns(UserWarning, match="Softmax activation"):
        L.SparseCategoricalCrossentropy(from_logits=True)(
            np.array([0]), lamina.activations.softmax(z)
        )
