"""fit / evaluate / predict semantics as tf.keras 2.x reports them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import lamina
from lamina import layers
from lamina.models import Sequential

EPS = 1e-7


def bce(y, p):
    p = np.clip(p.astype(np.float64), EPS, 1 - EPS)
    return float(np.mean(-(y * np.log(p + EPS) + (1 - y) * np.log(1 - p + EPS))))


def binary_data(n=100, d=3, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, d)
    y = (x.sum(1) > d / 2).astype(int)
    return x, y


def frozen_model(d=3, metrics=("accuracy",), **dense_kwargs):
    """A model trained with learning rate 0: its weights never move."""
    model = Sequential([layers.Dense(1, input_dim=d, activation="sigmoid", **dense_kwargs)])
    model.compile(
        optimizer=lamina.optimizers.SGD(learning_rate=0.0),
        loss="binary_crossentropy",
        metrics=list(metrics),
    )
    return model


def test_history_keys_steps_and_acc_alias():
    x, y = binary_data()
    model = frozen_model()
    h = model.fit(x, y, validation_split=0.25, epochs=3, batch_size=16, verbose=0)
    assert list(h.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert h.history["acc"] == h.history["accuracy"]
    assert h.history["val_acc"] == h.history["val_accuracy"]
    assert h.epoch == [0, 1, 2]
    assert h.params == {"verbose": 0, "epochs": 3, "steps": math.ceil(75 / 16)}
    assert model.history is h
    assert all(type(v) is float for v in h.history["loss"])


def test_validation_split_takes_the_last_fraction_and_losses_are_sample_means():
    x, y = binary_data(100)
    model = frozen_model()
    h = model.fit(x, y, validation_split=0.25, epochs=1, batch_size=16, verbose=0, shuffle=True)
    p = model.predict(x, verbose=0)[:, 0]
    # 75 training rows in batches of 16 (last batch 11): reported loss is the sample mean.
    assert h.history["loss"][0] == pytest.approx(bce(y[:75], p[:75]), rel=1e-5)
    assert h.history["val_loss"][0] == pytest.approx(bce(y[75:], p[75:]), rel=1e-5)
    acc = float(np.mean((p[75:] > 0.5) == y[75:]))
    assert h.history["val_accuracy"][0] == pytest.approx(acc)


def test_reported_loss_includes_regularization():
    x, y = binary_data()
    model = frozen_model(kernel_regularizer=lamina.regularizers.l2(0.1))
    h = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    p = model.predict(x, verbose=0)[:, 0]
    penalty = 0.1 * float(np.sum(model.layers[0].kernel.numpy() ** 2))
    assert h.history["loss"][0] == pytest.approx(bce(y, p) + penalty, rel=1e-5)
    loss, _ = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(bce(y, p) + penalty, rel=1e-5)


def test_evaluate_scalar_list_and_dict():
    x, y = binary_data()
    model = frozen_model(metrics=())
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    model = frozen_model()
    res = model.evaluate(x, y, verbose=0)
    assert isinstance(res, list) and len(res) == 2
    assert model.metrics_names == ["loss", "accuracy"]
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert d == dict(zip(model.metrics_names, res))


def test_training_learns_and_is_reproducible_with_a_seed():
    x, y = binary_data(300)

    def run():
        np.random.seed(5)
        model = Sequential(
            [
                layers.Dense(8, input_dim=3, activation="relu"),
                layers.Dropout(0.1),
                layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(
            optimizer=lamina.optimizers.Adam(0.02), loss="binary_crossentropy", metrics=["accuracy"]
        )
        return model.fit(x, y, epochs=30, batch_size=32, verbose=0, validation_split=0.2)

    h1, h2 = run(), run()
    assert h1.history == h2.history
    assert h1.history["accuracy"][-1] > 0.85
    assert h1.history["loss"][-1] < h1.history["loss"][0]


def test_tape_step_and_compiled_step_agree():
    x, y = binary_data(64)
    results = []
    for eager in (False, True):
        np.random.seed(3)
        model = Sequential(
            [layers.Dense(4, input_dim=3, activation="relu"), layers.Dense(1, activation="sigmoid")]
        )
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", run_eagerly=eager)
        h = model.fit(x, y, epochs=3, batch_size=16, verbose=0, shuffle=False)
        results.append((h.history["loss"], model.get_weights()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_binary_labels_of_shape_n_and_n1_give_the_same_loss():
    x, y = binary_data()
    model = frozen_model()
    a = model.evaluate(x, y, verbose=0)
    b = model.evaluate(x, y.reshape(-1, 1), verbose=0)
    assert a == b


def test_sample_weight_and_class_weight():
    x, y = binary_data()
    model = frozen_model(metrics=())
    p = model.predict(x, verbose=0)[:, 0]
    w = np.where(y == 1, 2.0, 0.5)
    per = -(
        y * np.log(np.clip(p, EPS, 1 - EPS) + EPS)
        + (1 - y) * np.log(1 - np.clip(p, EPS, 1 - EPS) + EPS)
    )
    expected = float(np.sum(per * w) / len(y))  # sum over batch size, as Keras
    assert model.evaluate(x, y, sample_weight=w, batch_size=100, verbose=0) == pytest.approx(
        expected, rel=1e-5
    )
    h1 = model.fit(x, y, sample_weight=w, epochs=1, batch_size=100, verbose=0)
    h2 = model.fit(x, y, class_weight={0: 0.5, 1: 2.0}, epochs=1, batch_size=100, verbose=0)
    assert h1.history["loss"][0] == pytest.approx(h2.history["loss"][0], rel=1e-6)


def test_predict_shapes_and_keras2_predict_classes():
    x, y = binary_data()
    model = frozen_model()
    assert model.predict(x, batch_size=7, verbose=0).shape == (100, 1)
    cls = model.predict_classes(x)
    assert cls.shape == (100, 1) and cls.dtype == np.int32
    np.testing.assert_array_equal(cls[:, 0], (model.predict(x, verbose=0)[:, 0] > 0.5))
    np.testing.assert_allclose(model.predict_proba(x), model.predict(x, verbose=0))
    multi = Sequential([layers.Dense(4, input_dim=3, activation="softmax")])
    assert multi.predict_classes(x).shape == (100,)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        model.predict()


def test_inputs_of_every_kind():
    x, y = binary_data(40)
    model = frozen_model(metrics=())
    ref = model.evaluate(x, y, verbose=0)
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    assert model.evaluate(df, pd.Series(y), verbose=0) == pytest.approx(ref)
    assert model.evaluate(x.tolist(), y.tolist(), verbose=0) == pytest.approx(ref)
    assert model.evaluate(lamina.constant(x), lamina.constant(y), verbose=0) == pytest.approx(ref)
    assert model.evaluate(x.astype(np.float32), y.astype(bool), verbose=0) == pytest.approx(ref)


def test_generators_and_sequences():
    x, y = binary_data(64)
    model = frozen_model(metrics=())
    ref = model.evaluate(x, y, verbose=0, batch_size=16)

    def gen():
        while True:
            for i in range(0, 64, 16):
                yield x[i : i + 16], y[i : i + 16]

    h = model.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert h.history["loss"][0] == pytest.approx(ref, rel=1e-5)

    class Seq:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 16 : (i + 1) * 16], y[i * 16 : (i + 1) * 16]

    h = model.fit(Seq(), epochs=2, verbose=0, validation_data=Seq())
    assert h.params["steps"] == 4
    assert h.history["val_loss"][0] == pytest.approx(ref, rel=1e-5)
    assert model.evaluate(Seq(), verbose=0) == pytest.approx(ref, rel=1e-5)
    assert model.predict(Seq(), verbose=0).shape == (64, 1)
    finite = ((x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16))
    with pytest.warns(UserWarning, match="ran out of data"):
        h = model.fit(finite, epochs=3, verbose=0)
    assert h.epoch == [0]  # the second epoch finds the generator exhausted

    class Batches:  # an iterable (not an iterator): each epoch starts over
        def __iter__(self):
            return ((x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16))

    h = model.fit(Batches(), epochs=2, verbose=0)
    assert h.epoch == [0, 1] and h.params["steps"] is None


def test_steps_per_epoch_with_arrays_continues_through_the_data():
    x, y = binary_data(64)
    seen = []

    class Record(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    model = frozen_model(metrics=())
    h = model.fit(x, y, batch_size=16, steps_per_epoch=2, epochs=3, verbose=0, callbacks=[Record()])
    assert h.params["steps"] == 2 and seen == [0, 1] * 3


def test_batch_and_single_step_methods():
    x, y = binary_data(32)
    model = frozen_model()
    loss, acc = model.train_on_batch(x, y)
    assert loss == pytest.approx(bce(y, model.predict(x, verbose=0)[:, 0]), rel=1e-5)
    assert model.test_on_batch(x, y) == pytest.approx([loss, acc], rel=1e-6)
    d = model.test_on_batch(x, y, return_dict=True)
    assert set(d) == {"loss", "accuracy"}
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x, verbose=0))


def test_callbacks_see_batches_epochs_and_stop_training():
    x, y = binary_data(64)
    events = []

    class Spy(lamina.callbacks.Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_end(self, epoch, logs=None):
            events.append(("epoch_end", epoch, sorted(logs)))

        def on_train_batch_end(self, batch, logs=None):
            events.append(("batch", batch))
            if batch == 1:
                self.model.stop_training = True

    model = frozen_model()
    h = model.fit(
        x, y, validation_data=(x, y), batch_size=16, epochs=5, verbose=0, callbacks=[Spy()]
    )
    assert events == [
        "train_begin",
        ("batch", 0),
        ("batch", 1),
        ("epoch_end", 0, ["accuracy", "loss", "val_accuracy", "val_loss"]),
    ]
    assert h.epoch == [0]


def test_verbose_output_formats(capsys):
    x, y = binary_data(64)
    model = frozen_model()
    model.fit(x, y, epochs=2, batch_size=32, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "2/2 - " in out and "loss: " in out and "accuracy: " in out
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(x, y)
    assert "2/2 [==============================]" in capsys.readouterr().out


def test_validation_freq_and_initial_epoch():
    x, y = binary_data(32)
    model = frozen_model(metrics=())
    h = model.fit(x, y, epochs=4, validation_data=(x, y), validation_freq=2, verbose=0)
    assert len(h.history["val_loss"]) == 2 and len(h.history["loss"]) == 4
    h = model.fit(x, y, epochs=3, initial_epoch=1, verbose=0)
    assert h.epoch == [1, 2]


def test_regression_with_mae_metric_and_string_loss_kept():
    x = np.arange(0, 100, 2, dtype=float).reshape(-1, 1)
    y = x[:, 0] + 10
    model = Sequential([layers.Dense(1, input_shape=(1,))])
    model.compile(
        optimizer=lamina.optimizers.Adam(learning_rate=0.5),
        loss="mean_squared_error",
        metrics=["mae"],
    )
    assert model.loss == "mean_squared_error"
    assert "Loss function: " + model.loss == "Loss function: mean_squared_error"
    h = model.fit(x, y, epochs=60, verbose=0)
    assert list(h.history) == ["loss", "mae"]
    assert h.history["mae"][-1] < h.history["mae"][0]


def test_sparse_and_categorical_accuracy_resolution():
    rng = np.random.RandomState(0)
    x = rng.rand(60, 4)
    y = rng.randint(0, 3, 60)
    model = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    p = model.predict(x, verbose=0)
    _, acc = model.evaluate(x, y, verbose=0)
    assert acc == pytest.approx(np.mean(p.argmax(1) == y))
    model.compile("adam", "categorical_crossentropy", metrics=["acc"])
    _, acc2 = model.evaluate(x, np.eye(3)[y], verbose=0)
    assert acc2 == pytest.approx(acc) and model.metrics_names == ["loss", "acc"]


def test_deferred_sequential_reports_metrics_from_the_first_epoch():
    x, y = binary_data()
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=2, verbose=0)
    assert len(h.history["accuracy"]) == 2
    assert type(model._get_train_step()).__name__ == "TrainPlan"  # the compiled fast path


def test_freezing_a_layer_between_fits_is_honoured():
    x, y = binary_data()
    model = Sequential(
        [layers.Dense(4, input_dim=3, activation="relu"), layers.Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.layers[0].trainable = False
    frozen = model.layers[0].get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_adding_a_layer_after_training_retrains_the_new_stack():
    x, y = binary_data()
    model = Sequential([layers.Dense(4, input_dim=3, activation="relu")])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, np.zeros((100, 4)), epochs=1, verbose=0)
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=1, verbose=0)
    assert set(h.history) == {"loss", "accuracy"}
    assert model.predict(x, verbose=0).shape == (100, 1)


def test_predict_is_silent_by_default_and_shows_a_bar_when_asked(capsys):
    x, _ = binary_data()
    model = frozen_model()
    model.predict(x)
    assert capsys.readouterr().out == ""
    model.predict(x, verbose=1)
    assert "4/4 [==============================]" in capsys.readouterr().out


def test_custom_batch_mean_metric_is_averaged_over_requested_batches():
    x, y = binary_data(100)
    seen = []

    def batch_size_metric(y_true, y_pred):
        seen.append(int(y_pred.shape[0]))
        return lamina.reduce_mean(y_pred)

    model = frozen_model(metrics=(batch_size_metric,))
    model.evaluate(x, y, batch_size=32, verbose=0)
    assert seen == [32, 32, 32, 4]


def test_batcher_shuffles_rows_or_whole_batches():
    from lamina.models.data_adapter import ArrayBatcher

    x = np.arange(10, dtype="float32").reshape(-1, 1)
    b = ArrayBatcher([x], [x.copy()], None, batch_size=4)
    np.random.seed(0)
    rows = [xs[0][:, 0].copy() for xs, ys, _ in b.epoch(shuffle=True)]
    assert [len(r) for r in rows] == [4, 4, 2]
    assert sorted(np.concatenate(rows)) == list(range(10)) and list(np.concatenate(rows)) != list(
        range(10)
    )
    blocks = [tuple(xs[0][:, 0]) for xs, _, _ in b.epoch(shuffle="batch")]
    assert sorted(blocks[:2]) == [(0, 1, 2, 3), (4, 5, 6, 7)] and blocks[2] == (8, 9)
    x_and_y = [(xs[0][:, 0].copy(), ys[0][:, 0].copy()) for xs, ys, _ in b.epoch(shuffle=True)]
    assert all(np.array_equal(a, c) for a, c in x_and_y)  # rows stay paired with labels
