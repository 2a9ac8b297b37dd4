"""Initializers: Keras defaults and formulas, shapes and dtypes, seeding, names, configs."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lamina
from lamina import initializers

BIG = (400, 300)


def _draw(init, shape=BIG, dtype=None):
    out = init(shape, dtype=dtype)
    assert isinstance(out, lamina.Tensor)
    return out.numpy()


def test_returns_tensor_with_default_float32():
    out = initializers.GlorotUniform()((3, 4))
    assert out.shape == (3, 4) and out.dtype == lamina.float32
    assert initializers.Zeros()((2,), dtype="float64").dtype == lamina.float64
    assert initializers.Ones()(shape=[2, 2], dtype=lamina.int32).numpy().tolist() == [
        [1, 1],
        [1, 1],
    ]


def test_glorot_uniform_limit_and_variance():
    x = _draw(initializers.GlorotUniform())
    limit = math.sqrt(6 / sum(BIG))
    assert np.abs(x).max() <= limit
    assert np.abs(x).max() > 0.98 * limit
    assert x.var() == pytest.approx(2 / sum(BIG), rel=0.05)


@pytest.mark.parametrize(
    "cls,scale,fan",
    [("GlorotNormal", 1.0, sum(BIG) / 2), ("HeNormal", 2.0, BIG[0]), ("LecunNormal", 1.0, BIG[0])],
)
def test_truncated_normal_family_has_keras_variance(cls, scale, fan):
    x = _draw(getattr(initializers, cls)())
    # Keras divides the stddev by 0.8796..., so the truncated draws keep variance scale / fan.
    assert x.var() == pytest.approx(scale / fan, rel=0.05)
    stddev = math.sqrt(scale / fan) / 0.87962566103423978
    assert np.abs(x).max() <= 2 * stddev + 1e-7


@pytest.mark.parametrize(
    "cls,limit", [("HeUniform", math.sqrt(6 / BIG[0])), ("LecunUniform", math.sqrt(3 / BIG[0]))]
)
def test_uniform_family_limits(cls, limit):
    x = _draw(getattr(initializers, cls)())
    assert np.abs(x).max() <= limit and np.abs(x).max() > 0.98 * limit


def test_variance_scaling_modes_and_distributions():
    x = _draw(
        initializers.VarianceScaling(scale=3.0, mode="fan_out", distribution="untruncated_normal")
    )
    assert x.var() == pytest.approx(3.0 / BIG[1], rel=0.05)
    assert np.abs(x).max() > 2.5 * math.sqrt(3.0 / BIG[1])  # not truncated
    x = _draw(initializers.VarianceScaling(scale=0.5, mode="fan_avg", distribution="uniform"))
    assert np.abs(x).max() <= math.sqrt(3 * 0.5 / (sum(BIG) / 2))
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"


def test_conv_kernel_fans_include_receptive_field():
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans((5,)) == (5, 5)
    assert initializers.compute_fans(()) == (1, 1)
    x = _draw(initializers.GlorotUniform(), shape=(3, 3, 16, 32))
    assert np.abs(x).max() <= math.sqrt(6 / (144 + 288))


def test_random_normal_uniform_truncated_defaults():
    assert initializers.RandomNormal().get_config() == {"seed": None, "mean": 0.0, "stddev": 0.05}
    x = _draw(initializers.RandomNormal())
    assert x.std() == pytest.approx(0.05, rel=0.03) and abs(x.mean()) < 0.002
    x = _draw(initializers.RandomUniform())
    assert x.min() >= -0.05 and x.max() < 0.05
    x = _draw(initializers.TruncatedNormal(mean=1.0, stddev=0.1))
    assert x.min() >= 0.8 - 1e-6 and x.max() <= 1.2 + 1e-6
    assert x.std() == pytest.approx(0.1 * 0.8796, rel=0.05)


def test_orthogonal_and_gain():
    q = _draw(initializers.Orthogonal(gain=2.0), shape=(6, 4))
    np.testing.assert_allclose(q.T @ q, 4.0 * np.eye(4), atol=1e-5)
    q = _draw(initializers.Orthogonal(), shape=(3, 5))
    np.testing.assert_allclose(q @ q.T, np.eye(3), atol=1e-5)
    q = _draw(initializers.Orthogonal(), shape=(2, 3, 6))
    flat = q.reshape(6, 6)
    np.testing.assert_allclose(flat.T @ flat, np.eye(6), atol=1e-5)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal()((3,))


def test_identity_and_constant():
    np.testing.assert_array_equal(
        _draw(initializers.Identity(gain=3.0), (2, 3)), [[3, 0, 0], [0, 3, 0]]
    )
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))
    np.testing.assert_array_equal(_draw(initializers.Constant(7), (2, 2)), 7)
    np.testing.assert_array_equal(_draw(initializers.Constant([1, 2]), (2, 2)), [[1, 2], [1, 2]])
    with pytest.raises(TypeError, match="value"):
        initializers.Constant("a")


def test_unseeded_follows_global_numpy_seed_and_seeded_repeats():
    np.random.seed(3)
    a = _draw(initializers.GlorotUniform(), (4, 4))
    b = _draw(initializers.GlorotUniform(), (4, 4))
    np.random.seed(3)
    a2 = _draw(initializers.GlorotUniform(), (4, 4))
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, a2)
    lamina.backend.set_seed(3)
    np.testing.assert_array_equal(_draw(initializers.GlorotUniform(), (4, 4)), a)

    s1 = initializers.HeNormal(seed=7)
    state = np.random.get_state()
    x, y = _draw(s1, (3, 3)), _draw(s1, (3, 3))
    np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(x, _draw(initializers.HeNormal(seed=7), (3, 3)))
    assert not np.array_equal(x, _draw(initializers.HeNormal(seed=8), (3, 3)))
    # a seeded draw leaves the shared random state alone
    assert np.array_equal(np.random.get_state()[1], state[1])


@pytest.mark.parametrize(
    "name,cls",
    [
        ("glorot_uniform", "GlorotUniform"),
        ("GlorotUniform", "GlorotUniform"),
        ("glorot_normal", "GlorotNormal"),
        ("he_normal", "HeNormal"),
        ("he_uniform", "HeUniform"),
        ("lecun_normal", "LecunNormal"),
        ("lecun_uniform", "LecunUniform"),
        ("zeros", "Zeros"),
        ("ones", "Ones"),
        ("constant", "Constant"),
        ("random_normal", "RandomNormal"),
        ("random_uniform", "RandomUniform"),
        ("truncated_normal", "TruncatedNormal"),
        ("orthogonal", "Orthogonal"),
        ("identity", "Identity"),
        ("variance_scaling", "VarianceScaling"),
        ("normal", "RandomNormal"),
        ("uniform", "RandomUniform"),
        ("zero", "Zeros"),
        ("one", "Ones"),
    ],
)
def test_get_by_name(name, cls):
    assert type(initializers.get(name)).__name__ == cls


def test_get_other_identifiers_and_errors():
    init = initializers.Zeros()
    assert initializers.get(init) is init
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    fn = initializers.get(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.testing.assert_array_equal(fn((2, 3)).numpy(), [[0, 1, 2], [3, 4, 5]])
    with pytest.raises(ValueError, match="Expected `shape`"):
        fn((3, 2))
    with pytest.raises(ValueError, match="Did you mean 'glorot_uniform'"):
        initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match="initializer identifier"):
        initializers.get(3.5)


def test_bad_arguments_rejected():
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="seed"):
        initializers.GlorotUniform(seed="1")
    with pytest.raises(ValueError, match="stddev"):
        initializers.RandomNormal(stddev=-1)
    with pytest.raises(ValueError, match="maxval"):
        initializers.RandomUniform(minval=1, maxval=0)
    with pytest.raises(ValueError, match="shape"):
        initializers.Zeros()((2, None))
    with pytest.raises(ValueError, match="floating point"):
        initializers.GlorotUniform()((2, 2), dtype="int32")


@pytest.mark.parametrize(
    "init",
    [
        initializers.GlorotUniform(seed=1),
        initializers.HeNormal(),
        initializers.Constant(0.5),
        initializers.RandomNormal(mean=1.0, stddev=2.0, seed=3),
        initializers.Orthogonal(gain=2.0),
        initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform"),
        initializers.Identity(gain=0.5),
        initializers.Zeros(),
        initializers.TruncatedNormal(seed=2),
        initializers.RandomUniform(minval=-1, maxval=1),
    ],
    ids=lambda i: type(i).__name__,
)
def test_config_round_trip(init):
    config = init.get_config()
    again = type(init).from_config(config)
    assert again.get_config() == config
    blob = initializers.serialize(init)
    assert blob["module"] == "keras.initializers" and blob["class_name"] == type(init).__name__
    assert initializers.deserialize(blob).get_config() == config


def test_keras_config_shapes():
    assert initializers.GlorotUniform().get_config() == {"seed": None}
    assert initializers.VarianceScaling().get_config() == {
        "seed": None,
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "truncated_normal",
    }
    # configs written by Keras 3.15 carry input_axes/output_axes
    init = initializers.deserialize(
        {
            "module": "keras.initializers",
            "class_name": "GlorotUniform",
            "config": {"seed": None, "input_axes": None, "output_axes": None},
            "registered_name": None,
        }
    )
    assert isinstance(init, initializers.GlorotUniform)
    old = initializers.deserialize(
        {
            "class_name": "VarianceScaling",
            "config": {"scale": 2.0, "mode": "fan_in", "distribution": "normal", "seed": None},
        }
    )
    assert old.distribution == "truncated_normal" and old.scale == 2.0


def test_tensorflow_initializer_names():
    assert initializers.random_normal_initializer is initializers.RandomNormal
    assert initializers.constant_initializer(3.0)((2,)).numpy().tolist() == [3.0, 3.0]
    assert initializers.zeros_initializer()((1,)).numpy().tolist() == [0.0]
    x = initializers.random_normal_initializer(0.0, 0.02, seed=1)((200, 200)).numpy()
    assert x.std() == pytest.approx(0.02, rel=0.05)
