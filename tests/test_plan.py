"""The compiled training step (models/plan.py) gives the same numbers as the general tape."""

import numpy as np
import pytest

import lamina as keras
from lamina.models import plan


def _data(n=96, d=10, classes=3, seed=0):
    rs = np.random.RandomState(seed)
    x = rs.rand(n, d).astype("float32")
    y = (x[:, :classes].argmax(axis=1)).astype("int64")
    return x, y


def _build(layers_fn, loss, optimizer, run_eagerly, seed=3):
    np.random.seed(seed)
    keras.backend.clear_session()
    model = keras.Sequential(layers_fn())
    model.compile(
        optimizer=optimizer() if callable(optimizer) else optimizer,
        loss=loss,
        metrics=["accuracy"],
        run_eagerly=run_eagerly,
    )
    return model


CASES = [
    # (layers, loss, label kind)
    (
        lambda: [
            keras.Input((10,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ],
        "sparse_categorical_crossentropy",
        "sparse",
    ),
    (
        lambda: [
            keras.Input((10,)),
            keras.layers.Dense(8, activation="tanh"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(3, activation="softmax"),
        ],
        "categorical_crossentropy",
        "onehot",
    ),
    (
        lambda: [
            keras.Input((10,)),
            keras.layers.Dense(
                12, activation="relu", kernel_regularizer=keras.regularizers.l2(0.01)
            ),
            keras.layers.Dense(8, activation="elu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        "binary_crossentropy",
        "binary",
    ),
    (
        lambda: [
            keras.Input((10,)),
            keras.layers.Dense(6, activation="sigmoid"),
            keras.layers.Dense(1),
        ],
        "mse",
        "binary",
    ),
    (
        lambda: [
            keras.Input((10,)),
            keras.layers.Dense(6, activation="selu"),
            keras.layers.Dense(1),
            keras.layers.Activation("sigmoid"),
        ],
        "binary_crossentropy",
        "binary",
    ),
]


@pytest.mark.parametrize("layers_fn, loss, kind", CASES)
@pytest.mark.parametrize(
    "optimizer",
    ["adam", "sgd", "rmsprop", lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True)],
)
def test_plan_matches_tape(layers_fn, loss, kind, optimizer):
    x, y = _data()
    if kind == "onehot":
        y = np.eye(3, dtype="float32")[y]
    elif kind == "binary":
        y = (y == 0).astype("float32")
    results = []
    for eager in (False, True):
        model = _build(layers_fn, loss, optimizer, eager)
        np.random.seed(11)
        hist = model.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.25)
        results.append((model.get_weights(), hist.history))
    (w_plan, h_plan), (w_tape, h_tape) = results
    for a, b in zip(w_plan, w_tape):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-6)
    assert list(h_plan) == list(h_tape)
    for key in h_plan:
        np.testing.assert_allclose(h_plan[key], h_tape[key], rtol=2e-4, atol=2e-6)


def test_plan_is_used_for_known_layers_and_not_for_custom_ones():
    model = _build(CASES[0][0], "sparse_categorical_crossentropy", "adam", False)
    assert plan.build_train_step(model) is not None

    class Custom(keras.layers.Layer):
        def call(self, x):
            return x * 2

    custom = keras.Sequential([keras.Input((10,)), Custom(), keras.layers.Dense(3)])
    custom.compile(optimizer="adam", loss="mse")
    assert plan.build_train_step(custom) is None


def test_flat_buffers_keep_variables_and_optimizer_state_per_variable():
    x, y = _data()
    model = _build(CASES[0][0], "sparse_categorical_crossentropy", "adam", False)
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    opt_vars = model.optimizer.variables
    # iterations, learning rate, then (momentum, velocity) per trainable variable
    assert len(opt_vars) == 2 + 2 * len(model.trainable_variables)
    assert int(model.optimizer.iterations.numpy()) == 3
    assert all(np.any(v.numpy() != 0) for v in opt_vars[2:])
    model.layers[0].kernel.assign(np.zeros((10, 16), "float32"))
    assert not model.get_weights()[0].any()


def test_large_model_matches_tape():
    """A model over 65,536 parameters (fit keeps every BLAS thread for it): same numbers."""
    rs = np.random.RandomState(2)
    x = rs.rand(64, 256).astype("float32")
    y = rs.randint(0, 4, 64)

    def layers():
        return [
            keras.Input((256,)),
            keras.layers.Dense(300, activation="relu"),
            keras.layers.Dense(4, activation="softmax"),
        ]

    weights = []
    for eager in (False, True):
        model = _build(layers, "sparse_categorical_crossentropy", "adam", eager)
        assert model.count_params() > 65536
        model.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=False)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-6)


@pytest.mark.parametrize("eager", [False, True])
def test_evaluate_computes_cross_entropy_from_logits_like_fit(eager):
    """A saturated softmax model: Keras 3 / tf.keras evaluate report the logits-form loss
    (38.3838 here), not the clipped-probability one (6.1867)."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy", run_eagerly=eager)
    model.layers[0].kernel.assign(np.zeros((3, 2)))
    model.layers[0].bias.assign(np.array([50.0, -50.0]))
    x = np.random.RandomState(0).rand(891, 3).astype("float32")
    y = np.zeros((891, 2), "float32")
    y[:342, 1] = 1
    y[342:, 0] = 1
    assert model.evaluate(x, y, verbose=0) == pytest.approx(342 / 891 * 100, rel=1e-5)


def test_models_sharing_layers_keep_training_both():
    """Two Sequential models sharing a Dense layer (transfer-learning style): each fit moves
    the shared weights into its own plan's buffers, and training either one still updates them."""
    x, y = _data()
    base = _build(CASES[0][0], "sparse_categorical_crossentropy", "adam", False)
    base.fit(x, y, epochs=1, verbose=0)
    head = keras.Sequential([base.layers[0], keras.layers.Dense(3, activation="softmax")])
    head.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    head.fit(x, y, epochs=1, verbose=0)
    shared = base.layers[0].kernel
    before = shared.numpy().copy()
    base.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(shared.numpy(), before)
    before = shared.numpy().copy()
    head.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(shared.numpy(), before)


# --- inputs of rank 3 and more: Dense acts on the last axis -----------------------------------
def _fit_both(layers_fn, loss, optimizer, fits, epochs=3, **fit_kw):
    """Train the same model on the plan and on the tape; return, per path, the weights, the
    History of every fit, predictions and the step the trainer used."""
    results = []
    for eager in (False, True):
        model = _build(layers_fn, loss, optimizer, eager)
        np.random.seed(11)
        hists = [
            model.fit(x, y, epochs=epochs, batch_size=16, verbose=0, **fit_kw).history
            for x, y in fits
        ]
        preds = [model.predict(x, verbose=0) for x, _ in fits]
        results.append((model.get_weights(), hists, preds, model._train_step_cache))
    return results


def _assert_same(results):
    (w_plan, h_plan, p_plan, step), (w_tape, h_tape, p_tape, _) = results
    assert isinstance(step, plan.TrainPlan)  # the plan really trained the first model
    for a, b in zip(w_plan, w_tape):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-6)
    for hp, ht in zip(h_plan, h_tape):
        assert list(hp) == list(ht)
        for key in hp:
            np.testing.assert_allclose(hp[key], ht[key], rtol=2e-4, atol=2e-6)
    for a, b in zip(p_plan, p_tape):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-6)


_RS = np.random.RandomState(5)
X3 = _RS.rand(64, 4, 5).astype("float32")
Y3_REG = _RS.rand(64, 4, 1).astype("float32")
Y3_IDS = _RS.randint(0, 3, (64, 4))
Y3_ONEHOT = np.eye(3, dtype="float32")[Y3_IDS]

RANK3_CASES = [
    # (layers, loss, x, y)
    (
        lambda: [
            keras.Input((4, 5)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1),
        ],
        "mse",
        X3,
        Y3_REG,
    ),
    (
        lambda: [
            keras.Input((4, 5)),
            keras.layers.Dense(8, activation="tanh"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1),
        ],
        "mae",
        X3,
        Y3_REG,
    ),
    (
        lambda: [
            keras.Input((4, 5)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(3, activation="softmax"),
        ],
        "categorical_crossentropy",
        X3,
        Y3_ONEHOT,
    ),
    (
        lambda: [
            keras.Input((4, 5)),
            keras.layers.Dense(8, activation="elu"),
            keras.layers.Dense(3),
            keras.layers.Activation("softmax"),
        ],
        "categorical_crossentropy",
        X3,
        Y3_ONEHOT,
    ),
    (
        lambda: [
            keras.Input((4, 5)),
            keras.layers.Dense(6, activation="selu"),
            keras.layers.Dense(3, activation="softmax"),
        ],
        "sparse_categorical_crossentropy",
        X3,
        Y3_IDS,
    ),
    (  # a Flatten after a Dense on the last axis
        lambda: [
            keras.Input((4, 5)),
            keras.layers.Dense(6, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ],
        "sparse_categorical_crossentropy",
        X3,
        Y3_IDS[:, 0],
    ),
    (  # rank 4
        lambda: [
            keras.Input((2, 4, 5)),
            keras.layers.Dense(6, activation="softplus"),
            keras.layers.Dense(2),
        ],
        "mse",
        X3.reshape(32, 2, 4, 5),
        Y3_REG.reshape(32, 2, 4, 1).repeat(2, axis=-1),
    ),
]


@pytest.mark.parametrize("layers_fn, loss, x, y", RANK3_CASES)
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_plan_matches_tape_on_rank3_inputs(layers_fn, loss, x, y, optimizer):
    _assert_same(_fit_both(layers_fn, loss, optimizer, [(x, y)], validation_split=0.25))


def _model_3():
    # seed 003's model_3: a (None, 1) input fed (N, 2) data, which tf.keras 2.x expands to
    # (N, 2, 1); the (N,) labels then broadcast the (N, 2, 1) predictions to (N, 2, N)
    return [
        keras.layers.Dense(100, input_shape=(None, 1)),
        keras.layers.Dense(10),
        keras.layers.Dense(1),
    ]


@pytest.mark.parametrize(
    "loss", ["binary_crossentropy", "mae", "mse", keras.losses.BinaryCrossentropy(axis=1)]
)
def test_plan_matches_tape_on_seed_003_model_3(loss):
    rs = np.random.RandomState(0)
    x_circles = rs.rand(48, 2).astype("float32")
    y_circles = (x_circles[:, 0] > 0.5).astype("int64")
    x_reg = np.arange(0, 1000, 5)[:40]
    y_reg = np.arange(100, 1100, 5)[:40]
    fits = [(x_circles, y_circles), (x_reg[:, None], y_reg)]  # sequence lengths 2, then 1
    _assert_same(_fit_both(_model_3, loss, "adam", fits))


def test_sigmoid_output_with_broadcasting_labels_matches_tape():
    """The loss computed from the logits of a final sigmoid, with (N,) labels against
    (N, 2, 1) predictions: through the broadcast kernel (axis -1) or the tape (axis 1)."""
    rs = np.random.RandomState(1)
    x = rs.rand(48, 2).astype("float32")
    y = (x[:, 0] > 0.5).astype("float32")

    def layers():
        return [
            keras.layers.Dense(8, activation="tanh", input_shape=(None, 1)),
            keras.layers.Dense(1, activation="sigmoid"),
        ]

    for loss in ("binary_crossentropy", keras.losses.BinaryCrossentropy(axis=1)):
        _assert_same(_fit_both(layers, loss, "sgd", [(x, y)]))


def test_rank3_loss_without_numpy_kernel_matches_tape():
    layers = RANK3_CASES[0][0]
    _assert_same(_fit_both(layers, "log_cosh", "adam", [(X3, Y3_REG)]))


def test_rank3_sample_weights_give_the_tape_result():
    rs = np.random.RandomState(2)
    sw = rs.rand(64).astype("float32")
    one_step = [(X3[:, :1], Y3_REG[:, :1])]  # one weight per sample matches (N, 1) losses
    layers = RANK3_CASES[0][0]

    def layers_t1():
        return [keras.Input((1, 5))] + layers()[1:]

    _assert_same(_fit_both(layers_t1, "mse", "adam", one_step, sample_weight=sw))
    # (N,) weights against (N, 4) per-sample losses broadcast over the timesteps (tf.keras 2.x)
    _assert_same(_fit_both(layers, "mse", "adam", [(X3, Y3_REG)], sample_weight=sw))


def test_plan_is_used_for_rank3_inputs():
    model = _build(RANK3_CASES[2][0], "categorical_crossentropy", "adam", False)
    assert plan.build_train_step(model) is not None
    assert plan.build_predict(model) is not None
    model = _build(_model_3, "binary_crossentropy", "adam", False)
    model.fit(np.zeros((8, 2), "float32"), np.zeros(8), epochs=1, verbose=0)
    assert isinstance(model._train_step_cache, plan.TrainPlan)
    predict = plan.build_predict(model)
    assert predict is not None
    assert predict(np.ones((5, 3, 1), "float32")).shape == (5, 3, 1)
    # a (5,) array into a model built on (None, 1) inputs: expanded to (5, 1) as tf.keras 2.x
    flat = _build(lambda: _model_3()[1:], "mae", "adam", False)
    flat.fit(np.arange(8.0)[:, None], np.arange(8.0), epochs=1, verbose=0)
    assert flat.predict(np.arange(5.0), verbose=0).shape == (5, 1)
