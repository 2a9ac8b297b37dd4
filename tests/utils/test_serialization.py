"""The serialization registry: Keras 3 and Keras 2 config shapes, custom objects, safety."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import optimizers
from lamina.utils import serialization as ser


@ser.register_keras_serializable(package="lamina_tests")
class Scaled:
    def __init__(self, factor=2.0):
        self.factor = factor

    def get_config(self):
        return {"factor": self.factor}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@ser.register_keras_serializable(package="lamina_tests", name="twice")
def double(x):
    return 2 * x


class Unregistered:
    def __init__(self, n=1):
        self.n = n

    def get_config(self):
        return {"n": self.n}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def test_builtin_objects_get_keras_public_modules():
    blob = ser.serialize_keras_object(optimizers.Adam(learning_rate=0.01))
    assert blob["module"] == "keras.optimizers"
    assert blob["class_name"] == "Adam"
    assert blob["registered_name"] is None
    assert blob["config"]["learning_rate"] == 0.01
    back = ser.deserialize_keras_object(blob)
    assert isinstance(back, optimizers.Adam) and back.get_config() == blob["config"]
    assert (
        ser.serialize_keras_object(lamina.initializers.HeNormal())["module"] == "keras.initializers"
    )
    assert ser.serialize_keras_object(lamina.regularizers.L2())["module"] == "keras.regularizers"


def test_builtin_functions_use_keras_function_shape():
    blob = ser.serialize_keras_object(lamina.activations.relu)
    assert blob == {
        "module": "builtins",
        "class_name": "function",
        "config": "relu",
        "registered_name": "function",
    }
    assert ser.deserialize_keras_object(blob) is lamina.activations.relu


def test_keras2_shape_is_accepted_without_module():
    opt = ser.deserialize_keras_object(
        {"class_name": "SGD", "config": {"learning_rate": 0.5, "momentum": 0.9}}
    )
    assert isinstance(opt, optimizers.SGD) and opt.momentum == 0.9
    init = ser.deserialize_keras_object({"class_name": "GlorotUniform", "config": {"seed": None}})
    assert isinstance(init, lamina.initializers.GlorotUniform)
    legacy = ser.to_legacy_config(ser.serialize_keras_object(optimizers.SGD()))
    assert set(legacy) == {"class_name", "config"}
    assert ser.to_legacy_config(ser.serialize_keras_object(lamina.activations.relu)) == "relu"


def test_registered_class_and_function_round_trip():
    blob = ser.serialize_keras_object(Scaled(3.0))
    assert blob["registered_name"] == "lamina_tests>Scaled"
    assert blob["module"] == __name__
    back = ser.deserialize_keras_object(blob)
    assert isinstance(back, Scaled) and back.factor == 3.0
    fblob = ser.serialize_keras_object(double)
    assert fblob["config"] == "lamina_tests>twice"
    assert ser.deserialize_keras_object(fblob) is double
    assert ser.get_registered_name(Scaled) == "lamina_tests>Scaled"
    assert ser.get_registered_name(Unregistered) == "Unregistered"
    assert ser.get_registered_object("lamina_tests>Scaled") is Scaled
    assert ser.get_custom_objects()["lamina_tests>twice"] is double


def test_register_requires_get_config_and_valid_package():
    with pytest.raises(ValueError, match="get_config"):
        ser.register_keras_serializable()(type("NoConfig", (), {}))
    with pytest.raises(ValueError, match="package"):
        ser.register_keras_serializable(package="a>b")


def test_unregistered_class_needs_custom_objects_or_scope():
    blob = ser.serialize_keras_object(Unregistered(5))
    assert blob["registered_name"] == "Unregistered"
    with pytest.raises(TypeError, match="register_keras_serializable"):
        ser.deserialize_keras_object(blob)
    assert ser.deserialize_keras_object(blob, custom_objects={"Unregistered": Unregistered}).n == 5
    with ser.custom_object_scope({"Unregistered": Unregistered}):
        assert ser.get_registered_object("Unregistered") is Unregistered
        assert ser.deserialize_keras_object(blob).n == 5
        with ser.CustomObjectScope({"Other": Scaled}):
            assert ser.get_registered_object("Unregistered") is Unregistered
            assert ser.get_registered_object("Other") is Scaled
        assert ser.get_registered_object("Other") is None
    assert ser.get_registered_object("Unregistered") is None
    with pytest.raises(TypeError, match="dicts"):
        ser.CustomObjectScope(["Unregistered"])


def test_special_values_round_trip():
    arr = np.arange(6, dtype=np.int64).reshape(2, 3)
    blob = ser.serialize_keras_object(arr)
    assert blob["class_name"] == "__numpy__"
    np.testing.assert_array_equal(ser.deserialize_keras_object(blob), arr)
    t = lamina.constant([1.0, 2.0])
    tb = ser.serialize_keras_object(t)
    assert tb == {"class_name": "__tensor__", "config": {"value": [1.0, 2.0], "dtype": "float32"}}
    back = ser.deserialize_keras_object(tb)
    assert isinstance(back, lamina.Tensor) and back.dtype == lamina.float32
    assert ser.serialize_keras_object(np.float32(1.5)) == 1.5
    assert ser.serialize_keras_object((1, [2, None])) == (1, [2, None])
    assert ser.serialize_keras_object(lamina.float32) == "float32"
    assert ser.deserialize_keras_object(ser.serialize_keras_object(b"ab")) == b"ab"
    assert ser.deserialize_keras_object(ser.serialize_keras_object(slice(1, 5, 2))) == slice(
        1, 5, 2
    )
    assert ser.deserialize_keras_object(ser.serialize_keras_object(...)) is Ellipsis
    nested = {"a": ser.serialize_keras_object(optimizers.SGD()), "b": "relu", "c": 3}
    out = ser.deserialize_keras_object(nested)
    assert isinstance(out["a"], optimizers.SGD) and out["b"] == "relu" and out["c"] == 3


def test_lambdas_are_never_loaded():
    with pytest.warns(UserWarning, match="lambda"):
        blob = ser.serialize_keras_object(lambda x: x + 1)
    assert blob["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="never executes code"):
        ser.deserialize_keras_object(blob)
    with pytest.raises(ValueError, match="never executes code"):
        ser.deserialize_keras_object(blob, safe_mode=False)


def test_unknown_names_and_objects():
    with pytest.raises(TypeError, match="Could not locate class 'NoSuchThing'"):
        ser.deserialize_keras_object({"class_name": "NoSuchThing", "config": {}})
    with pytest.raises(ValueError, match="Did you mean 'SGD'"):
        ser.deserialize_keras_object(
            {"class_name": "SDG", "config": {}},
            module_objects=optimizers.ALL_OBJECTS_DICT,
            printable_module_name="optimizer",
        )
    with pytest.raises(TypeError, match="get_config"):
        ser.serialize_keras_object(object())
    with pytest.raises(TypeError, match="Could not locate function"):
        ser.deserialize_keras_object(
            {
                "module": "builtins",
                "class_name": "function",
                "config": "no_such_fn",
                "registered_name": "function",
            }
        )


def test_only_lamina_namespaces_are_searched():
    # A config naming another package's module never imports it.
    blob = {"module": "os", "class_name": "system", "config": {}, "registered_name": None}
    with pytest.raises(TypeError):
        ser.deserialize_keras_object(blob)


def test_nearest_names():
    assert ser.nearest_names("adamm", ["Adam", "SGD", "Adamax"])[0] in ("Adam", "Adamax")
    err = ser.unknown_name_error("loss", "mse2", ["mse", "mae"])
    assert isinstance(err, ValueError) and "Did you mean 'mse'" in str(err)
    assert "Did you mean" not in str(ser.unknown_name_error("loss", "zzzz", ["mse"]))
