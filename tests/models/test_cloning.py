"""clone_model and model_from_config."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.models import clone_model, model_from_config


def test_clone_sequential_has_same_architecture_and_fresh_weights():
    model = lamina.Sequential([layers.Dense(4, input_dim=3, activation="relu"), layers.Dense(1)])
    clone = clone_model(model)
    assert [x.name for x in clone.layers] == [x.name for x in model.layers]
    assert clone.count_params() == model.count_params()
    assert not np.array_equal(clone.layers[0].kernel.numpy(), model.layers[0].kernel.numpy())
    clone.set_weights(model.get_weights())
    x = np.random.rand(2, 3)
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)


def test_clone_functional_and_custom_clone_function():
    a = lamina.Input((3,), name="a")
    out = layers.Dense(2, name="head")(layers.Dense(4, name="body")(a))
    model = lamina.Model(a, out)

    def freeze(layer):
        new = type(layer).from_config(layer.get_config())
        new.trainable = False
        return new

    clone = clone_model(model, clone_function=freeze)
    assert [x.name for x in clone.layers] == ["a", "body", "head"]
    assert clone.trainable_weights == [] and len(clone.non_trainable_weights) == 4
    assert clone.output_shape == (None, 2)


def test_clone_refuses_subclassed_and_model_from_config():
    class Sub(lamina.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="Subclassed models cannot be cloned"):
        clone_model(Sub())
    model = lamina.Sequential([layers.Dense(2, input_dim=3)])
    rebuilt = model_from_config({"class_name": "Sequential", "config": model.get_config()})
    assert isinstance(rebuilt, lamina.Sequential) and rebuilt.count_params() == 8
