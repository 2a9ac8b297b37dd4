"""The fused ``y = a*x + b*y`` the optimizers' updates are built from (backend/blas.py)."""

import numpy as np
import pytest

from lamina.backend import blas


@pytest.fixture(params=["blas", "numpy"])
def kernel(request, monkeypatch):
    """Run each test with OpenBLAS's kernels (when this NumPy has them) and with the fallback."""
    if request.param == "numpy":
        monkeypatch.setattr(blas, "_AXPBY", {})
    elif not blas._level1():
        pytest.skip("this NumPy does not load OpenBLAS")
    return request.param


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("beta", [1.0, 0.9, 0.0])
def test_axpby_computes_a_x_plus_b_y(kernel, dtype, beta):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1001).astype(dtype)
    y = rng.standard_normal(1001).astype(dtype)
    x_before = x.copy()
    want = 0.25 * x.astype(np.float64) + beta * y.astype(np.float64)
    blas.axpby(0.25, x, beta, y, np.empty_like(y))
    assert y.dtype == dtype
    tol = 4 * np.finfo(dtype).eps
    np.testing.assert_allclose(y, want, rtol=tol, atol=tol)
    assert np.array_equal(x, x_before)  # x is left alone when it is not the scratch buffer


def test_axpby_handles_non_contiguous_and_matrix_inputs(kernel):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 8)).astype(np.float32).T  # a transposed view
    y = rng.standard_normal((8, 6)).astype(np.float32)
    want = -2.0 * x + 0.5 * y
    blas.axpby(-2.0, x, 0.5, y, np.empty_like(y))
    np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)


def test_updating_pieces_gives_the_same_bits_as_one_flat_update(kernel):
    """The compiled step updates all weights as one buffer, the tape one variable at a time:
    both must give identical numbers."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(5000).astype(np.float32)
    y0 = rng.standard_normal(5000).astype(np.float32)
    whole = y0.copy()
    blas.axpby(0.1, x, 0.999, whole, np.empty_like(whole))
    pieces = y0.copy()
    for a, b in [(0, 7), (7, 1003), (1003, 1017), (1017, 5000)]:
        blas.axpby(0.1, x[a:b], 0.999, pieces[a:b], np.empty(b - a, np.float32))
    assert np.array_equal(whole, pieces)


def test_scratch_may_be_x_itself(kernel):
    x = np.array([1.0, 2.0, 3.0], np.float32)
    y = np.array([10.0, 20.0, 30.0], np.float32)
    blas.axpby(2.0, x, 0.5, y, x)
    assert y.tolist() == [7.0, 14.0, 21.0]


def test_read_only_float64_and_empty_inputs(kernel):
    x = np.arange(4, dtype=np.float64)  # another dtype: converted through scratch
    x.setflags(write=False)
    y = np.ones(4, np.float32)
    blas.axpby(1.0, x, 2.0, y, np.empty_like(y))
    assert y.tolist() == [2.0, 3.0, 4.0, 5.0]
    ro = np.full(4, 3.0, np.float32)
    ro.setflags(write=False)
    blas.axpby(-1.0, ro, 1.0, y, np.empty_like(y))
    assert y.tolist() == [-1.0, 0.0, 1.0, 2.0]
    empty = np.empty(0, np.float32)
    blas.axpby(1.0, empty, 1.0, empty.copy(), empty.copy())
