"""lamina: Keras-style deep learning on a lean NumPy engine.

``import lamina as keras`` or ``import lamina as tf``: the top-level namespace is both the
Keras namespace (``lamina.Sequential``, ``lamina.layers``) and the TensorFlow one
(``lamina.constant``, ``lamina.GradientTape``, ``lamina.keras`` is ``lamina`` itself).
Heavy submodules load on first use, so ``import lamina`` stays fast.
"""

import importlib as _importlib
import sys as _sys

__version__ = "0.1.0"

from lamina import dtypes
from lamina.autodiff import GradientTape, Tensor, TensorShape, Variable
from lamina.autodiff.eager import (
    TensorSpec,
    UnconnectedGradients,
    custom_gradient,
    device,
    executing_eagerly,
    function,
    is_tensor,
    name_scope,
    no_op,
    numpy_function,
    py_function,
)
from lamina.dtypes import (
    DType,
    as_dtype,
    bool_ as bool,  # noqa: A001  (tf.bool)
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
)
from lamina.ops import symbolic as _symbolic, tf_api as _tf_api
from lamina.ops.tf_api import *  # noqa: F403  (the tf.* functions)

# Public ops build functional-model layers when given symbolic tensors (ops/symbolic.py).
_symbolic.wrap_namespace(globals(), "", _tf_api.__all__)

#: ``tf.newaxis`` (``None``, as NumPy's).
newaxis = None

#: ``tf.keras`` is lamina itself.
keras = _sys.modules[__name__]

# Submodules and names loaded on first access: name -> (module, attribute or None).
_LAZY: dict[str, tuple[str, str | None]] = {
    # Keras namespaces
    "activations": ("lamina.activations", None),
    "applications": ("lamina.applications", None),
    "backend": ("lamina.backend", None),
    "callbacks": ("lamina.callbacks", None),
    "constraints": ("lamina.constraints", None),
    "datasets": ("lamina.datasets", None),
    "initializers": ("lamina.initializers", None),
    "layers": ("lamina.layers", None),
    "losses": ("lamina.losses", None),
    "metrics": ("lamina.metrics", None),
    "models": ("lamina.models", None),
    "optimizers": ("lamina.optimizers", None),
    "preprocessing": ("lamina.preprocessing", None),
    "regularizers": ("lamina.regularizers", None),
    "saving": ("lamina.saving", None),
    "utils": ("lamina.utils", None),
    "compat": ("lamina.compat", None),
    "legacy": ("lamina.legacy", None),
    "ops": ("lamina.ops", None),
    # TensorFlow namespaces
    "math": ("lamina.math", None),
    "nn": ("lamina.nn", None),
    "linalg": ("lamina.linalg", None),
    "random": ("lamina.random", None),
    "config": ("lamina.config", None),
    # Keras classes at top level
    "Sequential": ("lamina.models", "Sequential"),
    "Model": ("lamina.models", "Model"),
    "Input": ("lamina.layers", "Input"),
    "InputLayer": ("lamina.layers", "InputLayer"),
    "Layer": ("lamina.layers", "Layer"),
    "Optimizer": ("lamina.optimizers", "Optimizer"),
    "Loss": ("lamina.losses", "Loss"),
    "Metric": ("lamina.metrics", "Metric"),
    "Callback": ("lamina.callbacks", "Callback"),
    "Initializer": ("lamina.initializers", "Initializer"),
    "Regularizer": ("lamina.regularizers", "Regularizer"),
    "load_model": ("lamina.models", "load_model"),
    "utils_set_random_seed": ("lamina.utils", "set_random_seed"),
    "test": ("lamina.config", "test_namespace"),
    "print": ("lamina.ops.printing", "print"),
    "Module": ("lamina.autodiff.module", "Module"),
    "VariableAggregation": ("lamina.autodiff.module", "VariableAggregation"),
    "VariableSynchronization": ("lamina.autodiff.module", "VariableSynchronization"),
    # TensorFlow 1/2 initializer spellings (tf.zeros_initializer() ...)
    "zeros_initializer": ("lamina.initializers", "Zeros"),
    "ones_initializer": ("lamina.initializers", "Ones"),
    "constant_initializer": ("lamina.initializers", "Constant"),
    "random_normal_initializer": ("lamina.initializers", "RandomNormal"),
    "random_uniform_initializer": ("lamina.initializers", "RandomUniform"),
    "glorot_uniform_initializer": ("lamina.initializers", "GlorotUniform"),
}


from lamina.ops.tf_api import LAZY as _TF_LAZY  # noqa: E402

_LAZY.update(_TF_LAZY)


def __getattr__(name: str):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'lamina' has no attribute {name!r}") from None
    module = _importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    if name in _TF_LAZY:
        value = _symbolic.wrap_value(name, value, "")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    public = {k for k in globals() if not k.startswith("_")}
    return sorted(public | set(_LAZY) | {"__version__"})


def load_ipython_extension(ipython) -> None:
    """``%load_ext lamina``: ``import keras`` / ``import tensorflow`` use lamina in this session."""
    from lamina.compat.ipython import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    """``%unload_ext lamina``: remove the import hook again."""
    from lamina.compat.ipython import unload_ipython_extension as unload

    unload(ipython)
