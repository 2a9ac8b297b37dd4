"""One ``sample_weight`` array per output of a multi-output model, as tf.keras 2.x.

A list (output order) or a dict (output names), ``None`` allowed for an output, in ``fit``,
``evaluate``, ``train_on_batch``, ``test_on_batch``, ``validation_data`` and generator batches:
each output's loss and weighted metrics use that output's weights, the total loss is the
``loss_weights``-weighted sum, and a single array still applies to every output.

Numbers are checked against a NumPy forward pass of the same weights and against tf.keras:
the ``TF_*`` constants were measured with tf_keras 2.21 (``import tf_keras as keras``, in
/work/benchvenv) on exactly the model, weights and data built below.
"""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import keras

REL_TF = 1e-6  # against tf_keras 2.21 (float32 on both sides)
REL_HAND = 1e-5  # against the float64 NumPy forward pass

_RS = np.random.RandomState(1)
X = _RS.normal(size=(10, 3)).astype("float32")
YA = _RS.normal(size=(10, 1)).astype("float32")
YB = np.eye(2, dtype="float32")[_RS.randint(0, 2, 10)]
W1 = _RS.uniform(0, 2, 10).astype("float32")
W2 = _RS.uniform(0, 2, 10).astype("float32")
LOSS_WEIGHTS = (0.5, 2.0)

# metrics_names of the compiled two-output model
NAMES = [
    "loss",
    "out_a_loss",
    "out_b_loss",
    "out_a_mae",
    "out_a_weighted_mae",
    "out_b_accuracy",
    "out_b_weighted_accuracy",
]


def two_output_model(compile_model: bool = True):
    """Dense(4, tanh) -> out_a: Dense(1) (mse), out_b: Dense(2, softmax) (categorical CE)."""
    inp = keras.Input((3,), name="inp")
    h = keras.layers.Dense(4, activation="tanh", name="h")(inp)
    a = keras.layers.Dense(1, name="out_a")(h)
    b = keras.layers.Dense(2, activation="softmax", name="out_b")(h)
    model = keras.Model(inp, [a, b])
    rs = np.random.RandomState(0)
    model.set_weights([rs.uniform(-1, 1, w.shape).astype("float32") for w in model.get_weights()])
    if compile_model:
        compile_two(model)
    return model


def compile_two(model) -> None:
    model.compile(
        keras.optimizers.SGD(0.1),
        loss=["mse", "categorical_crossentropy"],
        loss_weights=list(LOSS_WEIGHTS),
        metrics=[["mae"], ["accuracy"]],
        weighted_metrics=[["mae"], ["accuracy"]],
    )


def hand_values(weights: list, wa, wb) -> list[float]:
    """evaluate()'s list for per-output weights ``wa``/``wb`` (None: unweighted), from a
    float64 forward pass: losses are sum(w * l) / N, weighted metrics sum(w * m) / sum(w)."""
    k1, b1, k2, b2, k3, b3 = (np.asarray(w, np.float64) for w in weights)
    h = np.tanh(X @ k1 + b1)
    a = h @ k2 + b2
    z = h @ k3 + b3
    p = np.exp(z - z.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    n = len(X)
    wa = np.ones(n) if wa is None else np.asarray(wa, np.float64)
    wb = np.ones(n) if wb is None else np.asarray(wb, np.float64)
    se = ((YA - a) ** 2).mean(-1)
    ae = np.abs(YA - a).mean(-1)
    ce = -(YB * np.log(np.clip(p, 1e-7, 1.0))).sum(-1)
    hit = (p.argmax(-1) == YB.argmax(-1)).astype(np.float64)
    loss_a = (wa * se).sum() / n
    loss_b = (wb * ce).sum() / n
    total = LOSS_WEIGHTS[0] * loss_a + LOSS_WEIGHTS[1] * loss_b
    return [
        total,
        loss_a,
        loss_b,
        ae.mean(),
        (wa * ae).sum() / wa.sum(),
        hit.mean(),
        (wb * hit).sum() / wb.sum(),
    ]


# --- measured with tf_keras 2.21 ------------------------------------------------------------
# evaluate(x, [ya, yb], sample_weight=..., batch_size=4) on the fresh model
TF_EVAL = {
    "list": [2.8928845, 3.1490788, 0.6591725, 1.3901441, 1.4492621, 0.7, 0.6851022],
    "a_only": [2.8171623, 3.1490788, 0.6213114, 1.3901441, 1.4492621, 0.7, 0.7],
    "b_only": [2.6147645, 2.5928383, 0.6591725, 1.3901441, 1.3901441, 0.7, 0.6851022],
    "single": [3.0128930, 3.1490788, 0.7191767, 1.3901441, 1.4492621, 0.7, 0.6366442],
    "none": [2.5390420, 2.5928383, 0.6213114, 1.3901441, 1.3901441, 0.7, 0.7],
}
# fit(x, [ya, yb], sample_weight=[w1, w2], epochs=1, batch_size=4, shuffle=False)
TF_FIT = {
    "loss": [2.9613597],
    "out_a_loss": [3.4315903],
    "out_b_loss": [0.6227823],
    "out_a_mae": [1.2599485],
    "out_a_weighted_mae": [1.4305125],
    "out_b_accuracy": [0.6],
    "out_b_weighted_accuracy": [0.624887],
}
# evaluate(x, [ya, yb]) after that epoch
TF_AFTER_FIT = [1.7484207, 1.4881704, 0.5021678, 1.1293536, 1.1293536, 0.6, 0.6]
# fit(sample_weight={"out_a": w1, "out_b": None},
#     validation_data=(x, [ya, yb], {"out_b": w2}), epochs=2, batch_size=4, shuffle=False)
TF_FIT_VAL = {
    "loss": [2.9155414, 2.0185857],
    "out_a_loss": [3.4306178, 1.9693363],
    "out_b_loss": [0.6001163, 0.5169586],
    "out_a_mae": [1.2556049, 1.0653824],
    "out_a_weighted_mae": [1.4239689, 1.156023],
    "out_b_accuracy": [0.6, 0.6],
    "out_b_weighted_accuracy": [0.6, 0.6],
    "val_loss": [1.7342346, 1.56618],
    "val_out_a_loss": [1.5010896, 1.3203548],
    "val_out_b_loss": [0.4918448, 0.4530013],
    "val_out_a_mae": [1.1323516, 1.0657047],
    "val_out_a_weighted_mae": [1.1323516, 1.0657047],
    "val_out_b_accuracy": [0.7, 0.8],
    "val_out_b_weighted_accuracy": [0.7861445, 0.8146825],
}
# fit(sample_weight=[w1, w2], validation_split=0.2, epochs=1, batch_size=4, shuffle=False)
TF_FIT_SPLIT = {
    "loss": [2.9131124],
    "out_a_loss": [3.1331003],
    "out_b_loss": [0.6732812],
    "out_a_mae": [1.1151479],
    "out_a_weighted_mae": [1.2919414],
    "out_b_accuracy": [0.625],
    "out_b_weighted_accuracy": [0.6474494],
    "val_loss": [3.1543493],
    "val_out_a_loss": [4.6255507],
    "val_out_b_loss": [0.420787],
    "val_out_a_mae": [1.8391505],
    "val_out_a_weighted_mae": [1.9394463],
    "val_out_b_accuracy": [0.5],
    "val_out_b_weighted_accuracy": [0.4361933],
}
# train_on_batch(x, [ya, yb], sample_weight={"out_a": w1, "out_b": w2}), then
# test_on_batch(x, [ya, yb], sample_weight=[None, w2])
TF_TRAIN_ON_BATCH = [2.8928845, 3.1490788, 0.6591725, 1.390144, 1.4492619, 0.7, 0.6851023]
TF_TEST_ON_BATCH = [1.805658, 1.6018757, 0.50236, 1.0959399, 1.0959399, 0.6, 0.7259293]
# single-output model (below): evaluate with w1 as an array, [w1] or {"single": w1};
# fit(sample_weight={"single": w1}, epochs=2, batch_size=4, shuffle=False)
TF_SINGLE_EVAL = [1.1752379, 0.9423614]
TF_SINGLE_FIT = {"loss": [1.283296, 1.1004652], "mae": [0.9042368, 0.7736215]}


def approx_history(history: dict, expected: dict) -> None:
    assert set(history) == set(expected)
    for key, values in expected.items():
        assert history[key] == pytest.approx(values, rel=REL_TF, abs=1e-7), key


# --- evaluate -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sample_weight",
    [[W1, W2], (W1, W2), {"out_a": W1, "out_b": W2}, {"out_b": W2, "out_a": W1}],
    ids=["list", "tuple", "dict", "dict-reordered"],
)
def test_evaluate_per_output_weights(sample_weight):
    model = two_output_model()
    got = model.evaluate(X, [YA, YB], sample_weight=sample_weight, batch_size=4, verbose=0)
    assert model.metrics_names == NAMES
    assert got == pytest.approx(hand_values(model.get_weights(), W1, W2), rel=REL_HAND)
    assert got == pytest.approx(TF_EVAL["list"], rel=REL_TF)
    # each output's loss uses its own weights: not the same as weighting both by either
    assert got[1] != pytest.approx(model.evaluate(X, [YA, YB], verbose=0)[1], rel=1e-3)


@pytest.mark.parametrize(
    "sample_weight, key, wa, wb",
    [
        ([W1, None], "a_only", W1, None),
        ({"out_a": W1}, "a_only", W1, None),
        ([None, W2], "b_only", None, W2),
        ({"out_a": None, "out_b": W2}, "b_only", None, W2),
        ([None, None], "none", None, None),
        ({}, "none", None, None),
        (W1, "single", W1, W1),
        (None, "none", None, None),
    ],
    ids=["list-a", "dict-a", "list-b", "dict-b", "all-none", "empty-dict", "one-array", "no-sw"],
)
def test_evaluate_none_entries_and_single_array(sample_weight, key, wa, wb):
    model = two_output_model()
    got = model.evaluate(X, [YA, YB], sample_weight=sample_weight, batch_size=4, verbose=0)
    assert got == pytest.approx(hand_values(model.get_weights(), wa, wb), rel=REL_HAND)
    assert got == pytest.approx(TF_EVAL[key], rel=REL_TF)


def test_evaluate_accepts_python_lists_and_column_vectors_and_dict_labels():
    model = two_output_model()
    expected = hand_values(model.get_weights(), W1, W2)
    for sw in ([W1.tolist(), W2.tolist()], [W1[:, None], lamina.constant(W2)]):
        got = model.evaluate(X, [YA, YB], sample_weight=sw, verbose=0)
        assert got == pytest.approx(expected, rel=REL_HAND)
    got = model.evaluate(
        X, {"out_b": YB, "out_a": YA}, sample_weight={"out_a": W1, "out_b": W2}, verbose=0
    )
    assert got == pytest.approx(expected, rel=REL_HAND)


def test_evaluate_return_dict_names_each_output():
    model = two_output_model()
    logs = model.evaluate(X, [YA, YB], sample_weight=[W1, W2], verbose=0, return_dict=True)
    assert list(logs) == NAMES
    assert logs["out_b_weighted_accuracy"] == pytest.approx(0.6851022, rel=REL_TF)


# --- fit ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sample_weight", [[W1, W2], {"out_a": W1, "out_b": W2}], ids=["list", "dict"]
)
def test_fit_one_epoch_matches_tf_keras(sample_weight):
    model = two_output_model()
    hist = model.fit(
        X, [YA, YB], sample_weight=sample_weight, epochs=1, batch_size=4, shuffle=False, verbose=0
    )
    approx_history(hist.history, TF_FIT)
    assert model.evaluate(X, [YA, YB], verbose=0) == pytest.approx(TF_AFTER_FIT, rel=REL_TF)


def test_fit_weights_move_differently_from_a_single_array():
    per_output = two_output_model()
    per_output.fit(X, [YA, YB], sample_weight=[W1, W2], batch_size=4, shuffle=False, verbose=0)
    one = two_output_model()
    one.fit(X, [YA, YB], sample_weight=W1, batch_size=4, shuffle=False, verbose=0)
    k_per, k_one = per_output.get_weights()[4], one.get_weights()[4]  # out_b's kernel
    assert not np.allclose(k_per, k_one)


def test_fit_validation_data_with_dict_weights_and_none():
    model = two_output_model()
    hist = model.fit(
        X,
        [YA, YB],
        sample_weight={"out_a": W1, "out_b": None},
        validation_data=(X, [YA, YB], {"out_b": W2}),
        epochs=2,
        batch_size=4,
        shuffle=False,
        verbose=0,
    )
    approx_history(hist.history, TF_FIT_VAL)


def test_fit_validation_split_cuts_every_weight_array():
    model = two_output_model()
    hist = model.fit(
        X,
        [YA, YB],
        sample_weight=[W1, W2],
        validation_split=0.2,
        epochs=1,
        batch_size=4,
        shuffle=False,
        verbose=0,
    )
    approx_history(hist.history, TF_FIT_SPLIT)


def test_fit_shuffled_per_output_weights_follow_their_rows():
    """Shuffling gathers each weight array with its rows: every weight 1 on out_b equals no
    weight there, whatever the order."""
    a = two_output_model()
    lamina.utils.set_random_seed(7)
    ha = a.fit(X, [YA, YB], sample_weight=[W1, np.ones(10)], batch_size=3, verbose=0)
    b = two_output_model()
    lamina.utils.set_random_seed(7)
    hb = b.fit(X, [YA, YB], sample_weight={"out_a": W1}, batch_size=3, verbose=0)
    approx_history(ha.history, hb.history)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)


# --- generators -------------------------------------------------------------------------------
def batches(weights):
    """A generator of (x, (ya, yb), weights-of-the-batch) in batches of 4, forever."""
    while True:
        for i in range(0, 10, 4):
            sl = slice(i, i + 4)
            if isinstance(weights, dict):
                w = {k: None if v is None else v[sl] for k, v in weights.items()}
            else:
                w = [None if v is None else v[sl] for v in weights]
            yield X[sl], (YA[sl], YB[sl]), w


def test_fit_generator_yielding_per_output_weights():
    model = two_output_model()
    hist = model.fit(batches([W1, W2]), steps_per_epoch=3, epochs=1, verbose=0)
    approx_history(hist.history, TF_FIT)


def test_evaluate_generator_with_dict_weights_and_none():
    model = two_output_model()
    got = model.evaluate(batches({"out_a": W1, "out_b": None}), steps=3, verbose=0)
    assert got == pytest.approx(TF_EVAL["a_only"], rel=REL_TF)


def test_fit_validation_generator_with_per_output_weights():
    model = two_output_model()
    hist = model.fit(
        X,
        [YA, YB],
        validation_data=batches([None, W2]),
        validation_steps=3,
        epochs=1,
        batch_size=10,
        verbose=0,
    )
    # the validation pass runs after the update: compare with evaluate on the trained model
    expected = model.evaluate(X, [YA, YB], sample_weight=[None, W2], verbose=0)
    val = [hist.history["val_" + k][0] for k in NAMES]
    assert val == pytest.approx(expected, rel=1e-6)
    assert val == pytest.approx(hand_values(model.get_weights(), None, W2), rel=REL_HAND)


# --- single batches -------------------------------------------------------------------------
def test_train_on_batch_and_test_on_batch():
    model = two_output_model()
    before = model.get_weights()
    got = model.train_on_batch(X, [YA, YB], sample_weight={"out_a": W1, "out_b": W2})
    assert got == pytest.approx(hand_values(before, W1, W2), rel=REL_HAND)
    assert got == pytest.approx(TF_TRAIN_ON_BATCH, rel=REL_TF)
    got = model.test_on_batch(X, [YA, YB], sample_weight=[None, W2])
    assert got == pytest.approx(hand_values(model.get_weights(), None, W2), rel=REL_HAND)
    assert got == pytest.approx(TF_TEST_ON_BATCH, rel=REL_TF)
    logs = model.test_on_batch(X, [YA, YB], sample_weight=[W1, None], return_dict=True)
    assert list(logs) == NAMES
    assert [logs[k] for k in NAMES] == pytest.approx(
        hand_values(model.get_weights(), W1, None), rel=REL_HAND
    )


def test_output_without_a_loss_uses_its_weights_for_metrics_only():
    """tf_keras 2.21: loss={"out_a": "mse"}, weighted_metrics={"out_b": ["accuracy"]}; no
    out_b_loss is logged. evaluate with a dict, then one epoch (batch_size=4, no shuffle)."""
    model = two_output_model(compile_model=False)
    model.compile(
        keras.optimizers.SGD(0.1),
        loss={"out_a": "mse"},
        weighted_metrics={"out_b": ["accuracy"]},
    )
    ys = {"out_a": YA, "out_b": YB}
    got = model.evaluate(X, ys, sample_weight={"out_a": W1, "out_b": W2}, verbose=0)
    assert model.metrics_names == ["loss", "out_a_loss", "out_b_accuracy"]
    assert got == pytest.approx([3.1490788, 3.1490788, 0.6851023], rel=REL_TF)
    hist = model.fit(X, ys, sample_weight=[W1, W2], batch_size=4, shuffle=False, verbose=0)
    approx_history(
        hist.history,
        {"loss": [3.863966], "out_a_loss": [3.863966], "out_b_accuracy": [0.6851022]},
    )


# --- other model kinds ----------------------------------------------------------------------
def single_output_model():
    inp = keras.Input((3,), name="inp")
    out = keras.layers.Dense(1, name="single")(inp)
    model = keras.Model(inp, out)
    model.set_weights([np.array([[0.3], [-0.2], [0.5]], "float32"), np.array([0.1], "float32")])
    model.compile(keras.optimizers.SGD(0.1), "mse", weighted_metrics=["mae"])
    return model


def test_single_output_model_takes_a_list_or_dict_of_one():
    model = single_output_model()
    for sw in (W1, [W1], {"single": W1}):
        got = model.evaluate(X, YA, sample_weight=sw, verbose=0)
        assert got == pytest.approx(TF_SINGLE_EVAL, rel=REL_TF)
    hist = model.fit(
        X, YA, sample_weight={"single": W1}, epochs=2, batch_size=4, shuffle=False, verbose=0
    )
    approx_history(hist.history, TF_SINGLE_FIT)
    from lamina.models.plan import TrainPlan

    assert isinstance(model._train_step_cache, TrainPlan)  # still the compiled step


class TwoHeads(keras.Model):
    def __init__(self):
        super().__init__()
        self.h = keras.layers.Dense(4, activation="tanh")
        self.a = keras.layers.Dense(1)
        self.b = keras.layers.Dense(2, activation="softmax")

    def call(self, x):
        h = self.h(x)
        return self.a(h), self.b(h)


def test_subclassed_model_weights_by_output_1_output_2():
    reference = two_output_model()
    model = TwoHeads()
    model(X[:1])
    model.set_weights(reference.get_weights())
    compile_two(model)
    got = model.evaluate(
        X, [YA, YB], sample_weight={"output_1": W1, "output_2": W2}, batch_size=4, verbose=0
    )
    assert got == pytest.approx(TF_EVAL["list"], rel=REL_TF)


def test_subclassed_model_not_yet_called_accepts_per_output_weights():
    reference = two_output_model()
    model = TwoHeads()
    compile_two(model)
    model.train_on_batch(X, [YA, YB], sample_weight=[W1, W2])  # builds it
    model.set_weights(reference.get_weights())
    assert model.test_on_batch(X, [YA, YB], sample_weight=[W1, W2]) == pytest.approx(
        TF_EVAL["list"], rel=REL_TF
    )


def test_custom_train_step_receives_per_output_weights():
    seen = []

    class Recording(keras.Model):
        def train_step(self, data):
            seen.append(data[2])
            return super().train_step(data)

    inp = keras.Input((3,), name="inp")
    h = keras.layers.Dense(4, activation="tanh", name="h")(inp)
    model = Recording(
        inp,
        [
            keras.layers.Dense(1, name="out_a")(h),
            keras.layers.Dense(2, activation="softmax", name="out_b")(h),
        ],
    )
    model.set_weights(two_output_model(compile_model=False).get_weights())
    compile_two(model)
    hist = model.fit(
        X, [YA, YB], sample_weight=[W1, W2], epochs=1, batch_size=4, shuffle=False, verbose=0
    )
    assert isinstance(seen[0], list) and len(seen[0]) == 2
    np.testing.assert_allclose(np.asarray(seen[0][1]), W2[:4])
    approx_history(hist.history, TF_FIT)  # per-output loss means included, as tf.keras 2.x
    assert [m.name for m in model.metrics] == NAMES
    # a custom step passing a dict through compute_loss gives the same loss
    y_pred = model(X, training=False)
    value = model.compute_loss(X, [YA, YB], y_pred, {"out_b": W2, "out_a": W1})
    expected = hand_values(model.get_weights(), W1, W2)[0]
    assert float(value) == pytest.approx(expected, rel=REL_HAND)


def test_tf_keras_2_custom_step_with_compiled_loss_and_compiled_metrics():
    """The tf.keras 2.x idiom: compiled_loss(y, y_pred, sw) and compiled_metrics.update_state
    with per-output weights, logs built from ``self.metrics`` names (tf_keras 2.21 gives
    TF_FIT and these names)."""

    class Custom(keras.Model):
        def train_step(self, data):
            x, y, sw = data
            with lamina.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, sw, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred, sw)
            return {m.name: m.result() for m in self.metrics}

    ref = two_output_model(compile_model=False)
    model = Custom(ref.inputs, ref.outputs)
    compile_two(model)
    hist = model.fit(
        X,
        [YA, YB],
        sample_weight={"out_a": W1, "out_b": W2},
        batch_size=4,
        shuffle=False,
        verbose=0,
    )
    approx_history(hist.history, TF_FIT)
    assert [m.name for m in model.compiled_loss.metrics] == NAMES[:3]


# --- errors -----------------------------------------------------------------------------------
def test_list_of_the_wrong_length_is_refused():
    model = two_output_model()
    with pytest.raises(ValueError, match=r"list of 3 entries, but model 'model' has 2 outputs"):
        model.fit(X, [YA, YB], sample_weight=[W1, W2, W1], verbose=0)
    with pytest.raises(ValueError, match=r"list of 1 entry, .*\['out_a', 'out_b'\]"):
        model.evaluate(X, [YA, YB], sample_weight=[W1], verbose=0)
    single = single_output_model()
    with pytest.raises(ValueError, match=r"list of 2 entries, but model '.*' has 1 output"):
        single.fit(X, YA, sample_weight=[W1, W2], verbose=0)


def test_dict_key_that_is_not_an_output_suggests_the_closest():
    model = two_output_model()
    with pytest.raises(ValueError) as err:
        model.fit(X, [YA, YB], sample_weight={"out_aa": W1, "out_b": W2}, verbose=0)
    msg = str(err.value)
    assert "'out_aa'" in msg and "Did you mean 'out_a'?" in msg
    assert "['out_a', 'out_b']" in msg
    with pytest.raises(ValueError, match="'dense'.*not an output"):
        model.train_on_batch(X, [YA, YB], sample_weight={"dense": W1})


def test_weights_of_the_wrong_length_give_the_cardinality_message():
    model = two_output_model()
    with pytest.raises(ValueError) as err:
        model.fit(X, [YA, YB], sample_weight=[W1, W2[:8]], verbose=0)
    assert "Data cardinality is ambiguous" in str(err.value)
    assert "sample_weight sizes: 10, 8" in str(err.value)


def test_non_numeric_and_misshapen_weights_are_refused():
    model = two_output_model()
    with pytest.raises(TypeError, match=r"`sample_weight\[1\]` contains strings"):
        model.fit(X, [YA, YB], sample_weight=[W1, np.array(["a"] * 10)], verbose=0)
    with pytest.raises(TypeError, match=r"`sample_weight\['out_b'\]`.*numeric"):
        model.fit(X, [YA, YB], sample_weight={"out_b": [object()] * 10}, verbose=0)
    with pytest.raises(ValueError, match=r"`sample_weight\[0\]` \(for output 'out_a'\).*2\.0"):
        model.fit(X, [YA, YB], sample_weight=[2.0, W2], verbose=0)
    with pytest.raises(ValueError, match=r"`sample_weight\['out_a'\]` must be a 1-D array"):
        model.fit(X, [YA, YB], sample_weight={"out_a": np.ones((10, 2))}, verbose=0)
    with pytest.raises(ValueError, match=r"`sample_weight\[1\]` contains 1 NaN"):
        bad = W2.copy()
        bad[3] = np.nan
        model.fit(X, [YA, YB], sample_weight=[W1, bad], verbose=0)


def test_errors_in_validation_data_and_generators():
    model = two_output_model()
    with pytest.raises(ValueError, match=r"Invalid `validation_data`: .*list of 3 entries"):
        model.fit(X, [YA, YB], validation_data=(X, [YA, YB], [W1, W2, W1]), verbose=0)

    def gen():
        while True:
            yield X, (YA, YB), {"out_c": W1}

    with pytest.raises(ValueError, match="'out_c'.*not an output"):
        model.fit(gen(), steps_per_epoch=1, verbose=0)


def test_class_weight_is_refused_for_several_outputs_as_tf_keras():
    model = two_output_model()
    with pytest.raises(
        ValueError, match="`class_weight` is only supported for Models with a single"
    ):
        model.fit(X, [YA, YB], class_weight={0: 1.0, 1: 2.0}, verbose=0)
    # tf.keras checks the keys first
    with pytest.raises(ValueError, match="Expected `class_weight` to be a dict with keys from 0"):
        model.fit(X, [YA, YB], class_weight={"out_b": {0: 1.0, 1: 2.0}}, verbose=0)
