"""Constraints: values against Keras, names, configs, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import constraints

# np.random.RandomState(1).normal(size=(3, 4)) * 2 as float32
W = np.array(
    [
        [3.2486908435821533, -1.2235127687454224, -1.0563435554504395, -2.145937204360962],
        [1.7308152914047241, -4.603077411651611, 3.489623546600342, -1.5224138498306274],
        [0.6380782127380371, -0.4987407624721527, 2.924215793609619, -4.120281219482422],
    ],
    dtype=np.float32,
)

# Keras 3.15 outputs on W (rounded to 6 decimals there).
KERAS = {
    "MaxNorm(1.5)": (
        constraints.MaxNorm(1.5),
        [
            [1.304385, -0.38323, -0.339021, -0.658436],
            [0.694941, -1.441781, 1.119954, -0.467121],
            [0.256195, -0.156216, 0.938493, -1.264223],
        ],
    ),
    "MaxNorm(1, axis=1)": (
        constraints.MaxNorm(1.0, axis=1),
        [
            [0.770622, -0.29023, -0.250575, -0.509038],
            [0.278299, -0.740132, 0.561099, -0.24479],
            [0.124698, -0.097468, 0.571471, -0.805215],
        ],
    ),
    "MinMaxNorm": (
        constraints.MinMaxNorm(0.5, 1.2, rate=0.7),
        [
            [1.705063, -0.581663, -0.506755, -1.012506],
            [0.908412, -2.18832, 1.674061, -0.718312],
            [0.334893, -0.237103, 1.402821, -1.944049],
        ],
    ),
    "UnitNorm": (
        constraints.UnitNorm(),
        [
            [0.86959, -0.255487, -0.226014, -0.438958],
            [0.463294, -0.961187, 0.746636, -0.311414],
            [0.170797, -0.104144, 0.625662, -0.842815],
        ],
    ),
    "NonNeg": (
        constraints.NonNeg(),
        [[3.248691, 0.0, 0.0, 0.0], [1.730815, 0.0, 3.489624, 0.0], [0.638078, 0.0, 2.924216, 0.0]],
    ),
}


@pytest.mark.parametrize("case", sorted(KERAS))
def test_values_match_keras(case):
    con, want = KERAS[case]
    for w in (W, lamina.constant(W), lamina.Variable(W)):
        out = con(w)
        assert isinstance(out, lamina.Tensor) and out.dtype == lamina.float32
        np.testing.assert_allclose(out.numpy(), want, atol=2e-6)


def test_max_norm_leaves_small_columns_alone():
    w = np.array([[0.1, 3.0], [0.1, 4.0]], np.float32)
    out = constraints.max_norm(2.0)(w).numpy()
    np.testing.assert_allclose(out[:, 0], [0.1, 0.1], rtol=1e-5)
    assert np.linalg.norm(out[:, 1]) == pytest.approx(2.0, rel=1e-5)


def test_radial_constraint_matches_tf_keras():
    # tf_keras 2.x outputs for arange kernels (channel 1 of 2)
    want = {
        2: [[1, 1], [1, 1]],
        3: [[9, 9, 9], [9, 1, 9], [9, 9, 9]],
        4: [[31, 31, 31, 31], [31, 11, 11, 31], [31, 11, 11, 31], [31, 31, 31, 31]],
        5: [
            [37, 37, 37, 37, 37],
            [37, 25, 25, 25, 37],
            [37, 25, 13, 25, 37],
            [37, 25, 25, 25, 37],
            [37, 37, 37, 37, 37],
        ],
    }
    for k, expected in want.items():
        x = np.arange(k * k * 2, dtype=np.float32).reshape(k, k, 1, 2)
        out = constraints.RadialConstraint()(x).numpy()
        assert out.shape == x.shape
        np.testing.assert_array_equal(out[:, :, 0, 1], expected)
    with pytest.raises(ValueError, match="rank 4"):
        constraints.radial_constraint()(np.ones((3, 3)))


def test_names_and_aliases():
    assert constraints.max_norm is constraints.MaxNorm
    assert constraints.maxnorm is constraints.MaxNorm  # Keras 1/2
    assert constraints.non_neg is constraints.NonNeg and constraints.nonneg is constraints.NonNeg
    assert constraints.unit_norm is constraints.UnitNorm
    assert constraints.min_max_norm is constraints.MinMaxNorm
    for name, cls in [
        ("max_norm", "MaxNorm"),
        ("non_neg", "NonNeg"),
        ("unit_norm", "UnitNorm"),
        ("min_max_norm", "MinMaxNorm"),
        ("MaxNorm", "MaxNorm"),
    ]:
        assert type(constraints.get(name)).__name__ == cls
    with pytest.raises(ValueError, match="Did you mean 'max_norm'"):
        constraints.get("max_nrm")
    assert constraints.get(None) is None


def test_defaults_and_configs():
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert constraints.MinMaxNorm().get_config() == {
        "min_value": 0.0,
        "max_value": 1.0,
        "rate": 1.0,
        "axis": 0,
    }
    assert constraints.UnitNorm().get_config() == {"axis": 0}
    assert constraints.NonNeg().get_config() == {}
    for con in (
        constraints.MaxNorm(3, axis=[0, 1]),
        constraints.MinMaxNorm(0.1, 0.9, 0.5, 1),
        constraints.UnitNorm(axis=1),
        constraints.NonNeg(),
    ):
        blob = constraints.serialize(con)
        assert blob["module"] == "keras.constraints"
        assert constraints.deserialize(blob).get_config() == con.get_config()


def test_bad_arguments():
    with pytest.raises(ValueError, match="max_value"):
        constraints.MaxNorm(-1)
    with pytest.raises(TypeError, match="axis"):
        constraints.UnitNorm(axis="rows")
    with pytest.raises(ValueError, match="min_value"):
        constraints.MinMaxNorm(min_value=2.0, max_value=1.0)
    with pytest.raises(ValueError, match="rate"):
        constraints.MinMaxNorm(rate=1.5)
