"""fit runs small models on one BLAS thread and restores the setting afterwards."""

import numpy as np
import pytest

import lamina as keras
from lamina.backend import blas

pytestmark = pytest.mark.skipif(
    blas.blas_threads() is None or blas.blas_threads() < 2,
    reason="needs NumPy on OpenBLAS with two or more threads",
)


def _threads_during_fit(units, batch_size):
    seen = []
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(units), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: seen.append(blas.blas_threads())
    )
    model.fit(
        np.ones((64, 64)),
        np.ones(64),
        batch_size=batch_size,
        epochs=1,
        verbose=0,
        callbacks=[record],
    )
    return seen[0]


def test_small_models_train_on_one_thread_and_the_setting_is_restored():
    before = blas.blas_threads()
    assert _threads_during_fit(12, 32) == 1
    assert blas.blas_threads() == before


def test_large_models_keep_every_thread():
    before = blas.blas_threads()
    # 512 rows x (64 x 512) weights = 16.8M multiply-adds per batch: above SMALL_GEMM
    assert _threads_during_fit(512, 512) == before


def test_limit_context_restores_even_on_error():
    before = blas.blas_threads()
    with pytest.raises(RuntimeError), blas.blas_threads_limited(1):
        assert blas.blas_threads() == 1
        raise RuntimeError
    assert blas.blas_threads() == before


def _threads_during_fit_of(model, x, y, batch_size):
    seen = []
    model.compile(optimizer="sgd", loss="mse")
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: seen.append(blas.blas_threads())
    )
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, callbacks=[record])
    return seen[0]


def test_convolutions_count_their_output_pixels():
    """A 3x3x8x16 kernel is tiny, but its product has a row per output pixel: 64 images of
    30x30 make 64*900 rows x 72 x 16 = 66M multiply-adds per batch, a job for every thread."""
    before = blas.blas_threads()
    cnn = keras.Sequential(
        [
            keras.Input((32, 32, 8)),
            keras.layers.Conv2D(16, 3),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    x = np.ones((64, 32, 32, 8), np.float32)
    assert _threads_during_fit_of(cnn, x, np.ones(64), 64) == before
    dense = keras.Sequential([keras.Input((72,)), keras.layers.Dense(16)])  # same kernel size
    assert _threads_during_fit_of(dense, np.ones((64, 72)), np.ones((64, 16)), 64) == 1
