"""Bad input is refused before training starts, naming what was received and expected."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.models import Sequential


@pytest.fixture
def model():
    m = Sequential(
        [layers.Dense(4, input_dim=3, activation="relu"), layers.Dense(1, activation="sigmoid")]
    )
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return m


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    return rng.rand(20, 3), rng.randint(0, 2, 20)


def untouched(model):
    """Snapshot the weights; the returned check asserts nothing was trained."""
    before = [w.copy() for w in model.get_weights()]
    return lambda: all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_x_and_y_lengths_differ(model, data):
    x, y = data
    check = untouched(model)
    with pytest.raises(
        ValueError,
        match=r"(?s)Data cardinality is ambiguous.*x sizes: 20.*"
        r"y sizes: 19",
    ):
        model.fit(x, y[:-1], verbose=0)
    assert check()


def test_features_do_not_match_input_shape(model, data):
    x, y = data
    with pytest.raises(
        ValueError,
        match=r'layer "dense" of model "sequential".*expected '
        r"shape=\(None, 3\), found shape=\(None, 5\)",
    ):
        model.fit(np.ones((20, 5)), y, verbose=0)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\)"):
        model.predict(np.ones((2, 4)), verbose=0)


def test_labels_that_do_not_fit_the_loss(data):
    x, _ = data
    m = Sequential([layers.Dense(3, input_dim=3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="look one-hot encoded"):
        m.fit(x, np.eye(3)[np.arange(20) % 3], verbose=0)
    with pytest.raises(
        ValueError,
        match=r"label value of 3 which is outside the valid range "
        r"of \[0, 3\)",
    ):
        m.fit(x, np.arange(20) % 4, verbose=0)
    m.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match=r"look like class ids.*to_categorical\(y, 3\)"):
        m.fit(x, np.arange(20) % 3, verbose=0)
    with pytest.raises(
        ValueError,
        match=r"shape \(20, 4\) but the model output has shape "
        r"\(None, 3\)",
    ):
        m.fit(x, np.eye(4)[np.arange(20) % 4], verbose=0)


def test_nan_and_inf(model, data):
    x, y = data
    bad = x.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"`x` contains 1 NaN and 0 infinite"):
        model.fit(bad, y, verbose=0)
    yb = y.astype(float)
    yb[0] = np.inf
    with pytest.raises(ValueError, match=r"`y` contains 0 NaN and 1 infinite"):
        model.fit(x, yb, verbose=0)


def test_empty_data(model):
    with pytest.raises(ValueError, match="non-empty"):
        model.fit(np.zeros((0, 3)), np.zeros(0), verbose=0)


def test_strings_and_objects(model, data):
    x, y = data
    with pytest.raises(TypeError, match="contains strings"):
        model.fit(np.array([["a", "b", "c"]] * 20), y, verbose=0)
    obj = np.empty(20, dtype=object)
    obj[:] = [{"a": 1}] * 20
    with pytest.raises(TypeError, match="dtype object"):
        model.fit(x, obj, verbose=0)
    with pytest.raises(ValueError, match="same length"):
        model.fit([[1, 2, 3], [1, 2]], [0, 1], verbose=0)


def test_not_compiled(data):
    x, y = data
    m = Sequential([layers.Dense(1, input_dim=3)])
    for call in (lambda: m.fit(x, y), lambda: m.evaluate(x, y), lambda: m.train_on_batch(x, y)):
        with pytest.raises(RuntimeError, match="must compile your model"):
            call()
    assert m.predict(x, verbose=0).shape == (20, 1)  # predicting needs no compile


def test_unknown_names_suggest_the_closest():
    m = Sequential([layers.Dense(1, input_dim=3)])
    with pytest.raises(ValueError, match="adam"):
        m.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="binary_crossentropy"):
        m.compile(optimizer="sgd", loss="binary_crossentropie")
    with pytest.raises(ValueError, match="accuracy"):
        m.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="relu"):
        layers.Dense(1, activation="rellu")


def test_validation_split_range(model, data):
    x, y = data
    for bad in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"`validation_split` must be in the range \[0, 1\)"):
            model.fit(x, y, validation_split=bad, verbose=0)
    with pytest.raises(ValueError, match="not sufficient to split"):
        model.fit(x[:1], y[:1], validation_split=0.5, verbose=0)


def test_malformed_validation_data(model, data):
    x, y = data
    with pytest.raises(
        ValueError,
        match=r"`validation_data` must be a tuple.*received a "
        r"tuple of length 1",
    ):
        model.fit(x, y, validation_data=(x,), verbose=0)
    with pytest.raises(ValueError, match="Invalid `validation_data`.*cardinality"):
        model.fit(x, y, validation_data=(x, y[:5]), verbose=0)
    with pytest.raises(ValueError, match="received ndarray"):
        model.fit(x, y, validation_data=x, verbose=0)


def test_non_positive_batch_size_and_epochs(model, data):
    x, y = data
    with pytest.raises(ValueError, match="batch_size=0"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="epochs=-1"):
        model.fit(x, y, epochs=-1, verbose=0)
    with pytest.raises(ValueError, match="epochs=0"):
        model.fit(x, y, epochs=0, verbose=0)
    with pytest.raises(ValueError, match="batch_size=2.5"):
        model.evaluate(x, y, batch_size=2.5, verbose=0)


def test_missing_targets_and_wrong_input_count(model, data):
    x, _ = data
    with pytest.raises(ValueError, match="no target data `y`"):
        model.fit(x, verbose=0)
    with pytest.raises(ValueError, match=r"model.evaluate\(x, y\)"):
        model.evaluate(x, verbose=0)
    a, b = lamina.Input((2,)), lamina.Input((2,))
    two = lamina.Model([a, b], layers.add([a, b]))
    two.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"expects 2 input\(s\), but it received 1"):
        two.fit(np.ones((4, 2)), np.ones((4, 2)), verbose=0)


def test_rank_one_data_into_an_unbuilt_model_is_explained():
    m = Sequential([layers.Dense(1)])
    m.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"expected min_ndim=2, found ndim=1"):
        m.fit(np.arange(10.0), np.arange(10.0), verbose=0)


def test_finite_check_is_exact_when_the_quick_sum_overflows():
    from lamina.models.data_adapter import check_finite

    big = np.full((4, 3), 3e38, dtype=np.float32)  # finite, but its sum overflows
    check_finite([big], "x")
    big[2, 1] = np.inf
    with pytest.raises(ValueError, match="0 NaN and 1 infinite"):
        check_finite([big], "x")
