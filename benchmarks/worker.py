"""One measurement in a fresh process: ``python worker.py '<json job>'``.

The runner starts one worker per (framework, workload) so that each framework is imported
alone. The worker prints ``RESULT <json>`` as its last line: the measurement, the versions it
ran with and the BLAS it loaded, or ``{"skipped": why}`` when the framework is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

from common import blas_info, emit, python_info

# framework -> the module that must be importable
REQUIRES = {
    "lamina": "lamina",
    "tf.keras": "tensorflow",
    "keras-jax": "jax",
    "torch": "torch",
    "torch-1t": "torch",
    "numpy": "numpy",
    "gemm": "numpy",
}


def load_framework(name: str):
    """The module under test and its version string."""
    if name == "lamina":
        import lamina

        return lamina, f"lamina {lamina.__version__}"
    if name == "tf.keras":
        import tensorflow as tf

        return tf, f"tensorflow {tf.__version__}, keras {tf.keras.__version__}"
    if name == "keras-jax":
        import jax
        import keras

        if keras.backend.backend() != "jax":
            raise RuntimeError(f"KERAS_BACKEND is {keras.backend.backend()!r}, expected 'jax'")
        return keras, f"keras {keras.__version__}, jax {jax.__version__}"
    if name in ("torch", "torch-1t"):
        import torch

        if name == "torch-1t":
            torch.set_num_threads(1)
        threads = torch.get_num_threads()
        return torch, f"torch {torch.__version__} ({threads} thread{'s' * (threads != 1)})"
    return None, f"numpy {__import__('numpy').__version__}"


def run(job: dict) -> dict:
    framework, workload = job["framework"], job["workload"]
    module_name = REQUIRES[framework]
    if importlib.util.find_spec(module_name) is None:
        return {"skipped": f"{module_name} is not installed in {sys.executable}"}
    if framework == "keras-jax" and importlib.util.find_spec("keras") is None:
        return {"skipped": f"keras is not installed in {sys.executable}"}

    module, version = load_framework(framework)
    keras = {"tf.keras": getattr(module, "keras", None)}.get(framework, module)
    repeats, epochs, rows = job.get("repeats", 1), job.get("epochs"), job.get("rows")
    data_path, n_ops = job.get("data_path"), job.get("n_ops", 20000)

    if framework in ("lamina", "tf.keras", "keras-jax"):
        import bench_keras as impl

        if workload in ("T", "T1"):
            result = impl.fit_time(keras, workload, data_path, repeats, epochs)
        elif workload == "M":
            result = impl.epoch_time(keras, workload, epochs, rows)
        else:
            result = impl.op_overhead(module, n_ops)
    elif framework in ("torch", "torch-1t"):
        import bench_torch as impl

        if workload in ("T", "T1"):
            result = impl.fit_time(workload, data_path, repeats, epochs)
        elif workload == "M":
            result = impl.epoch_time(workload, epochs, rows)
        else:
            result = impl.op_overhead(n_ops)
    elif framework == "numpy":
        import bench_numpy as impl

        if workload in ("T", "T1"):
            result = impl.fit_time(workload, data_path, repeats, epochs)
        elif workload == "M":
            result = impl.epoch_time(workload, epochs, rows)
        else:
            result = impl.op_overhead(n_ops)
    else:  # gemm: the M lower bound's ingredients
        import bench_numpy as impl
        from common import epoch_matmul_flops

        n = rows or 60000
        flops = epoch_matmul_flops(workload, n, 784)
        rate = impl.gemm_throughput()
        result = {
            "flops": flops,
            "gemm_flops_per_s": rate,
            "seconds": flops / rate,
            "matmuls_seconds": impl.epoch_matmuls_time(workload, n, 784),
        }
    result["version"] = version
    result["blas"] = blas_info()
    result.update(python_info())
    return result


def main() -> None:
    job = json.loads(sys.argv[1])
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    emit(run(job))


if __name__ == "__main__":
    main()
