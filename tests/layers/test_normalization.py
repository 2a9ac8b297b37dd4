"""BatchNormalization and LayerNormalization against tf_keras 2.21.

Reference values were computed with tf_keras 2.21 (tf.keras 2.x) in /work/benchvenv for the
same weights and inputs, and are hard-coded here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

import lamina
from lamina import keras, layers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from gradcheck import check_grad  # noqa: E402

X = (np.arange(12, dtype="float32").reshape(4, 3) ** 1.5 / 7 - 1).astype("float32")
G = np.array([1.5, 0.5, -1.0], "float32")
B = np.array([0.1, -0.2, 0.3], "float32")
MM = np.array([0.5, 1.0, -0.5], "float32")
MV = np.array([2.0, 0.5, 1.5], "float32")


def _bn(**kw):
    bn = layers.BatchNormalization(momentum=0.9, epsilon=0.01, **kw)
    bn.build((None, 3))
    bn.set_weights([G, B, MM, MV])
    return bn


def _summary(model) -> str:
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


# --- BatchNormalization ----------------------------------------------------------------------
def test_batchnorm_inference_and_training_values_match_tf_keras():
    bn = _bn()
    # tf_keras 2.21: bn(x, training=False) / bn(x, training=True) and the moving stats after
    infer = [
        [-1.4870276, -1.50026, 0.378074],
        [-0.7016526, -0.8001199, -0.5928817],
        [0.7343484, 0.2521163, -1.9236674],
        [2.5939007, 1.5626299, -3.53444],
    ]
    train = [
        [-1.6075554, -0.7957402, 1.5202389],
        [-0.8507088, -0.493241, 0.8606629],
        [0.5331298, -0.0386167, -0.0433474],
        [2.3251345, 0.5275979, -1.1375546],
    ]
    np.testing.assert_allclose(bn(X).numpy(), infer, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(bn(X, training=False).numpy(), infer, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), MM)  # inference leaves them alone
    np.testing.assert_allclose(bn(X, training=True).numpy(), train, rtol=1e-6, atol=1e-6)
    # moving = moving - (moving - batch) * (1 - momentum), biased batch variance (rank 2)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [0.5174753, 1.0112251, -0.2888605], 1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [2.0154386, 0.7222068, 1.6762249], 1e-6)
    np.testing.assert_allclose(
        bn.moving_variance.numpy(), 0.9 * MV + 0.1 * X.var(axis=0), rtol=1e-6
    )


def test_batchnorm_frozen_runs_in_inference_mode():
    bn = _bn()
    bn(X, training=True)
    bn.trainable = False
    before = bn.moving_mean.numpy()
    out = bn(X, training=True)
    # tf_keras 2.21 (trainable=False => inference mode even with training=True)
    np.testing.assert_allclose(
        out.numpy()[0], [-1.4993863, -1.2917306, 0.5364785], rtol=1e-6, atol=1e-6
    )
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4


def test_batchnorm_rank4_uses_unbiased_variance_for_moving_update_like_tf_keras():
    x4 = (np.sin(np.arange(24, dtype="float32")) * 2 + 0.5).reshape(2, 2, 2, 3)
    bn = layers.BatchNormalization(momentum=0.8)
    out = bn(x4, training=True)
    # tf_keras 2.21's fused kernel: the moving variance gets the n/(n-1) corrected variance
    np.testing.assert_allclose(bn.moving_mean.numpy(), [0.1236603, 0.1235462, 0.1017838], 1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [1.053097, 1.0585901, 1.6205893], 1e-6)
    np.testing.assert_allclose(out.numpy()[0, 0, 0], [-0.112373, 1.4709101, 0.9549672], 1e-5)
    # fused=False (tf.keras's non-fused path) and rank 3 use the biased variance
    for layer, x in (
        (layers.BatchNormalization(momentum=0.8, fused=False), x4),
        (layers.BatchNormalization(momentum=0.8), x4.reshape(4, 2, 3)),
    ):
        layer(x, training=True)
        var = x.reshape(-1, 3).var(axis=0)
        np.testing.assert_allclose(layer.moving_variance.numpy(), 0.8 + 0.2 * var, rtol=1e-6)


def test_batchnorm_channels_first_and_multi_axis():
    x = np.random.RandomState(0).randn(4, 3, 2, 2).astype("float32")
    bn = layers.BatchNormalization(axis=1, center=False, scale=False)
    out = bn(x, training=True).numpy()
    ref = (x - x.mean((0, 2, 3), keepdims=True)) / np.sqrt(x.var((0, 2, 3), keepdims=True) + 1e-3)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    assert [w.shape for w in bn.weights] == [(3,), (3,)]
    assert bn.get_config()["axis"] == 1  # as given (Keras 3 loads only an int)
    multi = layers.BatchNormalization(axis=[1, 2])
    multi(x, training=True)
    assert [tuple(w.shape) for w in multi.weights] == [(1, 3, 2, 1)] * 4


def test_batchnorm_gradients_match_finite_differences():
    x = np.random.RandomState(2).randn(5, 3)

    def f(t):
        layer = layers.BatchNormalization(dtype="float64", epsilon=0.01)
        layer.build((None, 3))
        layer.set_weights([G, B, MM, MV])
        return layer(t, training=True)

    check_grad(f, x)

    # gradients with respect to gamma and beta, perturbing the variables in place
    layer = layers.BatchNormalization(dtype="float64", epsilon=0.01)
    layer.build((None, 3))
    layer.set_weights([G, B, MM, MV])
    xt = lamina.constant(x)
    w = np.random.RandomState(3).uniform(0.5, 1.5, (5, 3))

    def loss():
        return float(np.sum(layer(xt, training=True).numpy() * w))

    with lamina.GradientTape() as tape:
        y = lamina.reduce_sum(layer(xt, training=True) * w)
    grads = tape.gradient(y, layer.trainable_weights)
    for var, g in zip(layer.trainable_weights, grads):
        num = np.zeros(3)
        for k in range(3):
            var._value[k] += 1e-6
            up = loss()
            var._value[k] -= 2e-6
            down = loss()
            var._value[k] += 1e-6
            num[k] = (up - down) / 2e-6
        np.testing.assert_allclose(g.numpy(), num, rtol=1e-5, atol=1e-6)


RS = np.random.RandomState(0)
FX = RS.randn(8, 3).astype("float32")
FY = RS.randn(8, 1).astype("float32")


def test_batchnorm_fit_moves_statistics_like_tf_keras():
    model = keras.Sequential(
        [
            layers.Dense(4, input_shape=(3,)),
            layers.BatchNormalization(momentum=0.9),
            layers.Dense(1),
        ]
    )
    k1 = (np.arange(12).reshape(3, 4) / 10 - 0.5).astype("float32")
    k2 = (np.arange(4).reshape(4, 1) / 5 - 0.3).astype("float32")
    z4, o4 = np.zeros(4, "float32"), np.ones(4, "float32")
    # model.weights is layer by layer, as tf.keras: kernel, bias, gamma, beta, mm, mv, ...
    model.set_weights([k1, z4, o4, z4, z4, o4, k2, np.zeros(1, "float32")])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    hist = model.fit(FX, FY, batch_size=4, epochs=2, shuffle=False, verbose=0)
    # tf_keras 2.21, same data and weights
    np.testing.assert_allclose(hist.history["loss"], [1.2948234, 0.9359775], rtol=1e-5)
    bn = model.layers[1]
    np.testing.assert_allclose(bn.gamma.numpy(), [0.9628729, 0.9888351, 1.0151576, 1.0454257], 1e-5)
    np.testing.assert_allclose(bn.beta.numpy(), [-0.0627306, 0.0023421, 0.0680935, 0.1332944], 1e-4)
    np.testing.assert_allclose(
        bn.moving_mean.numpy(), [-0.1919611, -0.1580191, -0.1208067, -0.0835233], 1e-5
    )
    np.testing.assert_allclose(
        bn.moving_variance.numpy(), [0.7296291, 0.7433032, 0.7741022, 0.8193097], 1e-5
    )
    pred = model.predict(FX, verbose=0).ravel()
    np.testing.assert_allclose(
        pred,
        [0.7960322, 0.0276484, 0.331695, 1.0669702, 0.6030736, 0.4529461, -0.7516686, 0.1502157],
        rtol=1e-4,
        atol=1e-5,
    )
    text = _summary(model)
    assert re.search(r"batch_normalization \(Batch.*\(None, 4\) +16 ", text)
    assert "Total params: 37" in text
    assert "Trainable params: 29" in text
    assert "Non-trainable params: 8" in text


def test_batchnorm_fit_rank4_like_tf_keras():
    rs = np.random.RandomState(0)
    rs.randn(8, 3), rs.randn(8, 1)
    x4, y4 = rs.randn(8, 12).astype("float32"), rs.randn(8, 1).astype("float32")
    model = keras.Sequential(
        [
            layers.Reshape((2, 2, 3), input_shape=(12,)),
            layers.BatchNormalization(momentum=0.5),
            layers.Flatten(),
            layers.Dense(1),
        ]
    )
    kd = (np.arange(12).reshape(12, 1) / 20 - 0.25).astype("float32")
    o3, z3 = np.ones(3, "float32"), np.zeros(3, "float32")
    model.set_weights([o3, z3, z3, o3, kd, np.zeros(1, "float32")])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    hist = model.fit(x4, y4, batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], [0.4522175, 0.1659185], rtol=1e-5)
    bn = model.layers[1]
    np.testing.assert_allclose(bn.moving_mean.numpy(), [-0.011936, 0.1386705, 0.3301895], 1e-4)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [0.9641678, 0.9210072, 1.0713995], 1e-5)
    np.testing.assert_allclose(bn.gamma.numpy(), [0.9508659, 1.0167753, 1.0126708], 1e-5)
    assert "Non-trainable params: 6" in _summary(model)


def test_batchnorm_config_round_trip_and_names():
    bn = layers.BatchNormalization(
        momentum=0.8, epsilon=1e-4, center=False, gamma_regularizer="l2", beta_init="ones"
    )
    assert bn.name == "batch_normalization"
    assert layers.BatchNormalization().name == "batch_normalization_1"
    config = bn.get_config()
    assert list(config)[3:] == [
        "axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
        "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
        "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint",
    ]  # fmt: skip
    assert config["beta_initializer"]["class_name"] == "Ones"
    clone = layers.BatchNormalization.from_config(config)
    assert clone.get_config() == config
    clone(X, training=True)
    assert [w.name.split("/")[-1].split(":")[0] for w in clone.weights] == [
        "gamma",
        "moving_mean",
        "moving_variance",
    ]
    assert len(clone.losses) == 1  # the gamma regularizer
    # Keras 3 configs (synchronized, renorm off) load
    k3 = dict(config, synchronized=False, renorm=False, renorm_clipping=None, renorm_momentum=0.99)
    layers.BatchNormalization.from_config(k3)
    assert keras.layers.BatchNormalization is layers.BatchNormalization


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"axis": 1.5}, TypeError, "argument 'axis', but received: 1.5"),
        ({"momentum": "a"}, ValueError, "momentum='a'"),
        ({"epsilon": 0}, ValueError, "expected a positive number. Received: epsilon=0"),
        ({"fused": True, "axis": 2}, ValueError, "only supported when axis is 1 or 3"),
        ({"renorm": True, "renorm_clipping": {"rmaxx": 2}}, ValueError, "invalid keys"),
        ({"renorm": True, "renorm_clipping": {"rmax": 1, "rmin": 2}}, ValueError, "rmax should"),
        ({"renorm": True, "renorm_clipping": {"dmax": -1}}, ValueError, "dmax should be non"),
        ({"renorm": True, "fused": True}, ValueError, "both `fused=True` and `renorm=True`"),
        ({"virtual_batch_size": 0}, ValueError, "virtual_batch_size=0"),
        ({"virtual_batch_size": 2, "adjustment": abs}, ValueError, "adjustment cannot"),
        ({"adjustment": 3}, TypeError, "adjustment=3"),
        ({"foo": 1}, TypeError, "foo"),
    ],
)
def test_batchnorm_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        layers.BatchNormalization(**kwargs)


def test_batchnorm_bad_inputs():
    with pytest.raises(ValueError, match=r"Expected 0 <= axis < inputs.rank \(with inputs.rank=2"):
        layers.BatchNormalization(axis=5)(X)
    with pytest.raises(ValueError, match="only support 4D or 5D input"):
        layers.BatchNormalization(fused=True)(X)
    bn = layers.BatchNormalization()
    bn(X)
    with pytest.raises(ValueError, match="incompatible"):
        bn(np.ones((4, 5), "float32"))


# --- LayerNormalization ----------------------------------------------------------------------
def test_layernorm_values_match_tf_keras():
    ln = layers.LayerNormalization(epsilon=0.01)
    ln.build((None, 3))
    ln.set_weights([G, B])
    ref = [
        [-1.3030187, -0.301199, -0.8377437],
        [-1.6279618, -0.2246761, -0.9013268],
        [-1.6738431, -0.2142787, -0.911119],
        [-1.6925408, -0.2100527, -0.9151331],
    ]
    np.testing.assert_allclose(ln(X).numpy(), ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ln(X, training=True).numpy(), ref, rtol=1e-5, atol=1e-6)
    assert ln.name == "layer_normalization"
    assert ln.get_config()["axis"] == [1]

    x3 = X.reshape(2, 2, 3)
    ln2 = layers.LayerNormalization(axis=[1, 2])
    ln2.build((None, 2, 3))
    assert [tuple(w.shape) for w in ln2.weights] == [(2, 3), (2, 3)]
    ln2.set_weights(
        [
            np.linspace(0.5, 1.5, 6).reshape(2, 3).astype("float32"),
            np.linspace(-0.3, 0.2, 6).reshape(2, 3).astype("float32"),
        ]
    )
    ref2 = [
        [[-0.8979449, -0.8590427, -0.5287035], [0.1386141, 1.1911062, 2.6725876]],
        [[-1.0014623, -0.8231405, -0.4054716], [0.2716666, 1.2269753, 2.4779959]],
    ]
    np.testing.assert_allclose(ln2(x3).numpy(), ref2, rtol=1e-5, atol=1e-6)
    ln3 = layers.LayerNormalization(axis=1, center=False)
    out3 = ln3(x3)
    assert [w.name.split("/")[-1] for w in ln3.weights] == ["gamma"]
    assert tuple(ln3.weights[0].shape) == (2,)
    np.testing.assert_allclose(
        out3.numpy()[1],
        [[-0.9993533, -0.9994297, -0.99949], [0.9993532, 0.9994295, 0.99949]],
        rtol=1e-5,
    )


def test_layernorm_gradients_match_finite_differences():
    x = np.random.RandomState(4).randn(3, 2, 4)

    def f(t):
        layer = layers.LayerNormalization(
            axis=[1, 2], dtype="float64", gamma_initializer="he_normal"
        )
        return layer(t)

    check_grad(lambda t: _seeded(f, t), x)


def _seeded(f, t):
    np.random.seed(7)  # the same gamma on every call of the finite-difference checker
    return f(t)


def test_layernorm_summary_config_and_errors():
    inp = keras.Input((5,))
    model = keras.Model(inp, layers.LayerNormalization()(inp))
    text = _summary(model)
    assert re.search(r"layer_normalization \(Layer.*\(None, 5\) +10 ", text)
    assert "Trainable params: 10" in text
    ln = model.layers[1]
    config = ln.get_config()
    assert list(config)[3:] == [
        "axis", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
        "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint",
    ]  # fmt: skip
    clone = layers.LayerNormalization.from_config(config)
    clone.build((None, 5))
    clone.set_weights(ln.get_weights())
    x = np.random.rand(2, 5).astype("float32")
    np.testing.assert_allclose(clone(x).numpy(), ln(x).numpy())
    with pytest.raises(TypeError, match="argument 'axis', but received: 'a'"):
        layers.LayerNormalization(axis="a")
    with pytest.raises(ValueError, match="Received: axis=\\(5,\\)"):
        layers.LayerNormalization(axis=5)(X)
    with pytest.raises(ValueError, match="epsilon=-1"):
        layers.LayerNormalization(epsilon=-1)
    assert keras.layers.LayerNormalization is layers.LayerNormalization


# --- saving ---------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_normalization_save_load_round_trip_keeps_moving_statistics(tmp_path, ext):
    model = keras.Sequential(
        [
            layers.Dense(4, input_shape=(3,)),
            layers.BatchNormalization(),
            layers.LayerNormalization(),
            layers.Dense(1),
        ]
    )
    model.compile("sgd", "mse")
    model.fit(FX, FY, epochs=2, batch_size=4, verbose=0)
    bn = model.layers[1]
    assert not np.allclose(bn.moving_variance.numpy(), 1.0)
    path = tmp_path / f"m{ext}"
    model.save(path)
    loaded = keras.models.load_model(path)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    lbn = loaded.layers[1]
    np.testing.assert_array_equal(lbn.moving_mean.numpy(), bn.moving_mean.numpy())
    assert [w.trainable for w in lbn.weights] == [True, True, False, False]
    np.testing.assert_allclose(loaded.predict(FX, verbose=0), model.predict(FX, verbose=0))


def test_batchnorm_mask_weights_the_batch_statistics_like_tf_keras():
    x = (np.sin(np.arange(24, dtype="float32")) * 2 + 0.5).reshape(2, 4, 3)
    mask = np.array([[True, True, False, True], [True, False, False, True]])
    bn = layers.BatchNormalization(momentum=0.5)
    out = bn(x, training=True, mask=mask)
    # tf_keras 2.21: bn(x, training=True, mask=mask)
    np.testing.assert_allclose(
        out.numpy()[0],
        [
            [-0.3754213, 1.436866, 1.1783413],
            [-0.0649903, -1.2614812, -0.8406581],
            [-0.9900698, 1.1254032, 1.2648634],
            [0.5311427, -0.9022447, -0.8850383],
        ],
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_allclose(bn.moving_mean.numpy(), [0.4206642, 0.2403926, 0.068954], 1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [0.9128113, 1.2011758, 2.2119365], 1e-6)
    with pytest.raises(ValueError, match="`mask` of shape"):
        bn(x, training=True, mask=np.ones((2, 5), bool))


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "norm_embed"


@pytest.mark.parametrize(
    "filename", ["k3_seq.keras", "k3_func.keras", "tfk2_seq.h5", "tfk2_func.h5"]
)
def test_files_written_by_keras_load_with_their_moving_statistics(filename):
    # Embedding -> BatchNormalization -> LayerNormalization -> Flatten -> Dense, trained by
    # Keras 3.15 / tf_keras 2.21 (tests/fixtures/norm_embed/make_fixtures.py)
    model = keras.models.load_model(FIXTURES / filename)
    data = np.load(FIXTURES / (filename.split(".")[0] + ".npz"))
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["pred"], atol=1e-6)
    bn = next(layer for layer in model.layers if isinstance(layer, layers.BatchNormalization))
    assert not np.allclose(bn.moving_variance.numpy(), 1.0)
    assert [type(layer).__name__ for layer in model.layers][-5:] == [
        "Embedding",
        "BatchNormalization",
        "LayerNormalization",
        "Flatten",
        "Dense",
    ]


# --- renorm, virtual batches, adjustment (tf_keras 2.21 values) ----------------------------
X2 = (np.cos(np.arange(12, dtype="float32")) * 1.5 + 0.3).reshape(4, 3)
W12 = np.linspace(0.5, 1.5, 12).reshape(4, 3).astype("float32")


def test_batch_renormalization_values_gradients_and_weights_like_tf_keras():
    bn = layers.BatchNormalization(
        momentum=0.9,
        renorm=True,
        renorm_clipping={"rmax": 1.5, "rmin": 0.7, "dmax": 0.3},
        renorm_momentum=0.8,
    )
    bn.build((None, 3))
    assert [w.name.split("/")[-1] for w in bn.weights] == [
        "gamma", "beta", "moving_mean", "moving_variance", "moving_stddev", "renorm_mean",
        "renorm_stddev",
    ]  # fmt: skip
    assert [w.trainable for w in bn.weights] == [True, True] + [False] * 5
    bn.gamma.assign(G)
    bn.beta.assign(B)
    y1 = bn(X, training=True).numpy()
    np.testing.assert_allclose(
        y1[3], [3.8235841, 1.0431988, -2.1593032], rtol=1e-6
    )  # first batch: r = 1, d = 0 clipped from the initial renorm statistics
    xt = lamina.constant(X2)
    with lamina.GradientTape() as tape:
        tape.watch(xt)
        y2 = bn(xt, training=True)
        loss = lamina.reduce_sum(y2 * W12)
    gx, gg, gb = tape.gradient(loss, [xt, bn.gamma, bn.beta])
    np.testing.assert_allclose(y2.numpy()[0], [2.3837578, 0.1929097, 1.3662093], rtol=1e-6)
    # r and d are constants for the gradient, as tf.keras's stop_gradient
    np.testing.assert_allclose(
        gx.numpy(),
        [
            [-0.3743541, -0.1320081, 0.4704994],
            [-0.3774827, -0.1105061, 0.5354385],
            [0.3662339, 0.1270778, -0.3130008],
            [0.3856032, 0.1154363, -0.6929372],
        ],
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_allclose(gg.numpy(), [-0.0851696, -0.483254, -0.1562075], rtol=1e-5)
    np.testing.assert_allclose(gb.numpy(), [3.6363635, 4.0, 4.3636365], rtol=1e-6)
    expected = {
        "moving_mean": [0.0929421, 0.1226585, 0.1647671],
        "moving_variance": [1.1806556, 1.1314012, 1.0204501],
        "moving_stddev": [1.0870398, 1.0641434, 1.0106682],
        "renorm_mean": [0.1723891, 0.2230719, 0.2973063],
        "renorm_stddev": [1.1647172, 1.1152834, 1.0052074],
    }
    for w in bn.weights[2:]:
        np.testing.assert_allclose(w.numpy(), expected[w.name.split("/")[-1]], rtol=1e-6)
    np.testing.assert_allclose(
        bn(X).numpy()[3], [3.914305, 1.3951238, -3.7043524], rtol=1e-6
    )  # inference: moving statistics, no r/d
    config = bn.get_config()
    assert config["renorm"] is True and config["renorm_momentum"] == 0.8
    assert config["renorm_clipping"] == {"rmax": 1.5, "rmin": 0.7, "dmax": 0.3}
    clone = layers.BatchNormalization.from_config(config)
    clone.build((None, 3))
    clone.set_weights(bn.get_weights())
    np.testing.assert_array_equal(clone(X).numpy(), bn(X).numpy())


def test_batch_renormalization_fit_like_tf_keras():
    model = keras.Sequential(
        [
            layers.Dense(4, input_shape=(3,)),
            layers.BatchNormalization(momentum=0.9, renorm=True, renorm_momentum=0.5),
            layers.Dense(1),
        ]
    )
    k1 = (np.arange(12).reshape(3, 4) / 10 - 0.5).astype("float32")
    k2 = (np.arange(4).reshape(4, 1) / 5 - 0.3).astype("float32")
    z4, o4 = np.zeros(4, "float32"), np.ones(4, "float32")
    model.set_weights([k1, z4, o4, z4, z4, o4, o4, z4, o4, k2, np.zeros(1, "float32")])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    hist = model.fit(FX, FY, batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], [1.6395055, 1.5596759], rtol=1e-5)
    expected = {
        "gamma": [0.9344673, 0.9767487, 0.9814165, 0.9550432],
        "beta": [-0.0475046, 0.0120052, 0.0725875, 0.1342751],
        "moving_mean": [-0.1932073, -0.1572745, -0.1194031, -0.0817718],
        "moving_variance": [0.6334054, 0.6811202, 0.7334406, 0.7902585],
        "moving_stddev": [0.7964957, 0.8259057, 0.8569951, 0.8895271],
        "renorm_mean": [-0.5058341, -0.4414469, -0.3689447, -0.2967112],
        "renorm_stddev": [0.3835355, 0.4969794, 0.6111897, 0.7251202],
    }
    for w in model.layers[1].weights:
        np.testing.assert_allclose(w.numpy(), expected[w.name.split("/")[-1]], rtol=1e-4, atol=1e-6)
    assert "Non-trainable params: 20" in _summary(model)


def test_virtual_batches_like_tf_keras():
    vb = layers.BatchNormalization(momentum=0.5, virtual_batch_size=2)
    vb.build((None, 3))
    assert [tuple(w.shape) for w in vb.weights] == [(1, 1, 3)] * 4  # tf.keras's shapes
    vb.gamma.assign(G.reshape(1, 1, 3))
    vb.beta.assign(B.reshape(1, 1, 3))
    # ghost batches are rows {0, 2} and {1, 3} (tf.keras reshapes to (vbs, -1, ...))
    np.testing.assert_allclose(
        vb(X, training=True).numpy(),
        [
            [-1.39932, -0.6998404, 1.2997502],
            [-1.399691, -0.6999122, 1.2998469],
            [1.5993199, 0.2998404, -0.6997501],
            [1.5996909, 0.2999123, -0.6998472],
        ],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        vb.moving_mean.numpy().ravel(), [0.3373767, 0.5561256, 0.8056974], rtol=1e-6
    )
    np.testing.assert_allclose(
        vb.moving_variance.numpy().ravel(), [1.3818977, 1.60331, 1.8166046], rtol=1e-6
    )
    np.testing.assert_allclose(vb(X2).numpy()[1], [-1.8418475, -0.6881485, 0.3594905], rtol=1e-5)
    assert vb.get_config()["virtual_batch_size"] == 2
    with pytest.raises(ValueError, match="not a multiple of virtual_batch_size=2"):
        vb(X[:3], training=True)
    x3 = (np.sin(np.arange(24, dtype="float32")) * 2 + 0.5).reshape(4, 2, 3)
    vb3 = layers.BatchNormalization(momentum=0.5, virtual_batch_size=2)
    out = vb3(x3, training=True)
    assert [tuple(w.shape) for w in vb3.weights] == [(1, 1, 1, 3)] * 4
    np.testing.assert_allclose(out.numpy()[0, 1], [0.1830376, -1.3115866, -0.998116], rtol=1e-5)
    np.testing.assert_allclose(
        vb3.moving_variance.numpy().ravel(), [1.0536079, 1.0656228, 2.2948556], rtol=1e-6
    )

    def f(t):
        layer = layers.BatchNormalization(virtual_batch_size=2, dtype="float64")
        return layer(t, training=True)

    check_grad(f, np.random.RandomState(5).randn(4, 3))


def test_adjustment_applies_while_training_only():
    ad = layers.BatchNormalization(
        momentum=0.9,
        adjustment=lambda shape: (lamina.constant([2.0, 1.0, 0.5]), [0.1, 0.0, -0.1]),
    )
    ad.build((None, 3))
    ad.gamma.assign(G)
    ad.beta.assign(B)
    np.testing.assert_allclose(
        ad(X, training=True).numpy()[0], [-3.1722333, -0.796724, 1.0109602], rtol=1e-6
    )
    np.testing.assert_allclose(ad(X).numpy()[0], [-1.4154155, -0.6470161, 0.9834061], rtol=1e-6)
    assert "adjustment" not in ad.get_config()  # not serializable, as tf.keras


def test_layernorm_rms_scaling_like_keras3():
    with pytest.warns(UserWarning, match="deprecated"):
        ln = layers.LayerNormalization(rms_scaling=True, epsilon=0.01)
    ln.build((None, 3))
    assert [w.name.split("/")[-1] for w in ln.weights] == ["gamma"]
    ln.set_weights([G])
    # Keras 3.15: x * gamma / sqrt(var + epsilon), no centering
    np.testing.assert_allclose(ln(X).numpy()[0], [-7.6959529, -2.1988435, 3.0575452], rtol=1e-6)
    assert ln.get_config()["rms_scaling"] is True
    assert "rms_scaling" not in layers.LayerNormalization().get_config()
