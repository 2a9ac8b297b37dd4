"""The one-time glibc malloc setting made at the first convolution (lamina/ops/_allocator.py)."""

import importlib

import numpy as np

import lamina as tf


def _fresh(monkeypatch, **env):
    from lamina.ops import _allocator

    for k in ("LAMINA_MALLOC_TUNING", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.delenv("MALLOC_TOP_PAD_", raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return importlib.reload(_allocator)


def test_user_settings_and_opt_out_are_respected(monkeypatch):
    assert not _fresh(monkeypatch, LAMINA_MALLOC_TUNING="0")._wanted()
    assert not _fresh(monkeypatch, MALLOC_TRIM_THRESHOLD_="1000")._wanted()
    assert not _fresh(monkeypatch, GLIBC_TUNABLES="glibc.malloc.trim_threshold=1")._wanted()


def test_first_convolution_sets_it_once_and_results_are_unchanged(monkeypatch):
    alloc = _fresh(monkeypatch)
    from lamina.ops import conv_ops

    monkeypatch.setattr(conv_ops, "_allocator", alloc)
    x = np.arange(2 * 5 * 5 * 3, dtype=np.float32).reshape(2, 5, 5, 3) / 10
    f = np.linspace(-1, 1, 3 * 3 * 3 * 4, dtype=np.float32).reshape(3, 3, 3, 4)
    assert not alloc._done
    y = conv_ops.conv2d(x, f, 1, "VALID")
    assert alloc._done
    cols = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(1, 2))  # (2,3,3,3,3,3)
    ref = np.einsum("nhwcij,ijco->nhwo", cols, f)
    np.testing.assert_allclose(tf.convert_to_tensor(y).numpy(), ref, rtol=1e-5, atol=1e-5)
