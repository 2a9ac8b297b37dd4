"""Shared helpers of the saving tests (a uniquely named module: conftest names collide)."""

import os

import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "keras_files")


def make_model(seed=0, compile=True, optimizer="adam"):
    import lamina as keras

    np.random.seed(seed)
    keras.backend.clear_session()
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(
                5, activation="relu", kernel_regularizer=keras.regularizers.l2(0.01)
            ),
            keras.layers.Dropout(0.25),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    if compile:
        model.compile(
            optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
    return model


def toy_data(n=40, seed=1):
    rs = np.random.RandomState(seed)
    return rs.rand(n, 6).astype("float32"), (np.arange(n) % 3)
