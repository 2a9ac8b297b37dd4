"""``tf.config``: the devices lamina computes on (one CPU) and the eager-execution switches.

lamina always runs eagerly on the CPU through NumPy; these functions answer truthfully and
accept the usual setup calls from tutorials (memory growth, visible devices) as no-ops.
"""

from __future__ import annotations

from typing import NamedTuple


class PhysicalDevice(NamedTuple):
    name: str
    device_type: str


class LogicalDevice(NamedTuple):
    name: str
    device_type: str


_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_run_eagerly = True


def _check_type(device_type) -> str | None:
    if device_type is None:
        return None
    t = str(device_type).upper()
    if t not in {"CPU", "GPU", "TPU"}:
        raise ValueError(f"Unknown device_type {device_type!r}: expected 'CPU', 'GPU' or 'TPU'.")
    return t


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The devices found: lamina computes on the CPU only, so GPU lists are empty."""
    t = _check_type(device_type)
    return [_CPU] if t in (None, "CPU") else []


def list_logical_devices(device_type: str | None = None) -> list[LogicalDevice]:
    """The logical devices: one CPU."""
    t = _check_type(device_type)
    return [LogicalDevice("/device:CPU:0", "CPU")] if t in (None, "CPU") else []


def get_visible_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The devices lamina may use: the CPU."""
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type: str | None = None) -> None:
    """Accepted for compatibility; lamina always uses the CPU."""
    _check_type(device_type)


def run_functions_eagerly(run_eagerly: bool) -> None:
    """Record the flag (lamina always runs eagerly)."""
    global _run_eagerly
    _run_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    """The flag set by ``run_functions_eagerly``."""
    return _run_eagerly


def set_soft_device_placement(enabled: bool) -> None:
    """Accepted for compatibility (placement is always the CPU)."""


def get_soft_device_placement() -> bool:
    """Always True."""
    return True


class experimental:  # noqa: N801  (tf.config.experimental namespace)
    """``tf.config.experimental``: memory settings are accepted (NumPy manages memory)."""

    list_physical_devices = staticmethod(list_physical_devices)
    list_logical_devices = staticmethod(list_logical_devices)

    @staticmethod
    def set_memory_growth(device, enable: bool) -> None:
        """No-op: there is no accelerator memory to reserve."""

    @staticmethod
    def get_memory_growth(device) -> bool:
        return True

    @staticmethod
    def enable_op_determinism() -> None:
        """lamina is deterministic already (one seeded random source)."""


class threading:  # noqa: N801
    _inter = 0
    _intra = 0

    @staticmethod
    def set_inter_op_parallelism_threads(num_threads: int) -> None:
        threading._inter = int(num_threads)

    @staticmethod
    def get_inter_op_parallelism_threads() -> int:
        return threading._inter

    @staticmethod
    def set_intra_op_parallelism_threads(num_threads: int) -> None:
        threading._intra = int(num_threads)

    @staticmethod
    def get_intra_op_parallelism_threads() -> int:
        return threading._intra


class optimizer:  # noqa: N801
    @staticmethod
    def set_jit(enabled) -> None:
        """Accepted for compatibility (no compiler)."""

    @staticmethod
    def get_jit() -> str:
        return ""


experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly


class test_namespace:  # noqa: N801  (served as ``lamina.test``, i.e. ``tf.test``)
    """``tf.test``'s device queries, as notebooks use them to report the hardware."""

    @staticmethod
    def is_gpu_available(cuda_only: bool = False, min_cuda_compute_capability=None) -> bool:
        return False

    @staticmethod
    def gpu_device_name() -> str:
        return ""

    @staticmethod
    def is_built_with_cuda() -> bool:
        return False

    @staticmethod
    def is_built_with_gpu_support() -> bool:
        return False
