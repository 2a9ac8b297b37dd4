"""Workload definitions and helpers shared by the benchmark runner and its workers.

Imports only the standard library and NumPy, so every worker process starts clean and imports
exactly one framework.
"""

from __future__ import annotations

import json
import os
import platform
import sys

import numpy as np

# Each MLP workload: layer widths and activations, loss, optimizer, batch size, epochs.
# T and T1 follow the classroom notebook in the seeds; M is MNIST-shaped.
WORKLOADS: dict[str, dict] = {
    "T": {
        "title": "tutorial MLP: digits y%2, Dense(12,relu)-Dense(8,relu)-Dense(1,sigmoid), adam, batch 32, 100 epochs, validation_data",
        "data": "digits",
        "layers": [(12, "relu"), (8, "relu"), (1, "sigmoid")],
        "loss": "binary_crossentropy",
        "optimizer": "adam",
        "batch_size": 32,
        "epochs": 100,
        "validation": True,
    },
    "T1": {
        "title": "the T model with batch_size=1, SGD (lr 0.01), 5 epochs, validation_data",
        "data": "digits",
        "layers": [(12, "relu"), (8, "relu"), (1, "sigmoid")],
        "loss": "binary_crossentropy",
        "optimizer": "sgd",
        "batch_size": 1,
        "epochs": 5,
        "validation": True,
    },
    "M": {
        "title": "MNIST-shaped MLP: float32 X (60000, 784), 10 classes, Dense(256,relu)-Dense(256,relu)-Dense(10,softmax), adam, batch 128",
        "data": "mnist_shaped",
        "layers": [(256, "relu"), (256, "relu"), (10, "softmax")],
        "loss": "sparse_categorical_crossentropy",
        "optimizer": "adam",
        "batch_size": 128,
        "epochs": 3,
        "validation": False,
    },
}

LEARNING_RATES = {"adam": 0.001, "sgd": 0.01}  # the Keras defaults


def repo_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ----------------------------------------------------------------------------------- data


def make_digits_split(path: str) -> str:
    """Write the T data (X/16, y%2; 1,149 train / 288 validation rows) to ``path`` (.npz).

    The seed notebook split the 1,797 digits 80/20 into train/test and then held out 20% of
    the training rows for validation: 1,437 -> 1,149 + 288. Uses scikit-learn's copy of the
    digits when installed, else the copy shipped with lamina (the same UCI images).
    """
    try:
        from sklearn.datasets import load_digits

        digits = load_digits()
        x, y, source = digits.data, digits.target, "sklearn.datasets.load_digits"
    except ImportError:
        sys.path.insert(0, os.path.join(repo_root(), "src"))
        from lamina.datasets import digits as shipped

        x, y = shipped.load_digits(return_X_y=True)  # the same rows, in sklearn's order
        source = "lamina.datasets.digits.load_digits"
    x = np.asarray(x, dtype=np.float32) / 16.0
    y = (np.asarray(y) % 2).astype(np.float32).reshape(-1, 1)
    order = np.random.RandomState(0).permutation(len(x))
    train = order[: int(len(x) * 0.8)]
    split_at = int(len(train) * 0.8)
    fit_rows, val_rows = train[:split_at], train[split_at:]
    np.savez(
        path,
        x_train=x[fit_rows],
        y_train=y[fit_rows],
        x_val=x[val_rows],
        y_val=y[val_rows],
        source=np.array(source),
    )
    return source


def load_data(workload: str, data_path: str | None, rows: int | None = None):
    """``(x_train, y_train, x_val, y_val)`` for a workload; validation arrays may be None."""
    spec = WORKLOADS[workload]
    if spec["data"] == "digits":
        with np.load(data_path) as f:
            return f["x_train"], f["y_train"], f["x_val"], f["y_val"]
    n = rows or 60000
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=n).astype(np.int64)
    return x, y, None, None


# ------------------------------------------------------------------------------ arithmetic


def mlp_shapes(workload: str, input_dim: int) -> list[tuple[int, int]]:
    dims = [input_dim] + [units for units, _ in WORKLOADS[workload]["layers"]]
    return list(zip(dims[:-1], dims[1:]))


def epoch_matmul_flops(workload: str, rows: int, input_dim: int) -> float:
    """Multiply-add FLOPs (2 per MAC) of one training epoch's matrix products.

    Per Dense layer (k -> n) and per row: forward x@W (2kn), weight gradient x.T@dz (2kn) and,
    for every layer but the first, the input gradient dz@W.T (2kn).
    """
    total = 0
    for i, (k, n) in enumerate(mlp_shapes(workload, input_dim)):
        total += (2 if i == 0 else 3) * 2 * k * n
    return float(total) * rows


# ----------------------------------------------------------------------------- environment


def blas_info() -> list[dict]:
    """The BLAS/OpenMP libraries loaded in this process (threadpoolctl when installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl not installed", "numpy_config": numpy_blas_name()}]
    keep = ("internal_api", "version", "architecture", "num_threads", "threading_layer")
    return [{k: lib.get(k) for k in keep if lib.get(k) is not None} for lib in threadpool_info()]


def numpy_blas_name() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no dict mode
        return "unknown"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def python_info() -> dict:
    return {
        "python": platform.python_version(),
        "executable": sys.executable,
        "numpy": np.__version__,
    }


def emit(result: dict) -> None:
    """Hand a worker's result to the runner: one JSON line on stdout."""
    print("RESULT " + json.dumps(result), flush=True)


def per_call(fn, n: int) -> float:
    """Best-of-3 mean microseconds per call of ``fn`` over ``n`` calls, after a warm-up."""
    import time

    for _ in range(min(n, 200)):
        fn()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e6
