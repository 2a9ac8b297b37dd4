"""Read and write the Keras 3 weights layout (``model.weights.h5``, ``*.weights.h5``)."""

from __future__ import annotations

import numpy as np

from lamina.saving.errors import ModelFileError
from lamina.saving.walk import own_variables, sublayers, vars_path, walk

#: Largest single array lamina agrees to read from a file (elements), against absurd sizes.
MAX_ARRAY_ELEMENTS = 2**31


def write_model_weights(h5, model, include_optimizer: bool = True) -> None:
    """Write every layer's variables (and the optimizer's) under Keras 3 object paths."""
    for path, layer in walk(model):
        group = h5.require_group(vars_path(path))
        name = getattr(layer, "name", None)
        if isinstance(name, str):
            group.attrs["name"] = name
        for i, v in enumerate(own_variables(layer)):
            group.create_dataset(str(i), data=np.asarray(v._value))
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and not isinstance(optimizer, str):
        variables = optimizer_variables(optimizer)
        if variables:
            group = h5.require_group("optimizer/vars")
            group.attrs["name"] = str(getattr(optimizer, "name", type(optimizer).__name__))
            for i, v in enumerate(variables):
                group.create_dataset(str(i), data=np.asarray(getattr(v, "_value", v)))


def optimizer_variables(optimizer) -> list:
    vs = getattr(optimizer, "variables", None)
    if callable(vs):
        vs = vs()
    return list(vs or [])


def read_array(dataset, where: str, path) -> np.ndarray:
    """A dataset's array after checking it is a plain numeric array of sane size."""
    import h5py

    if not isinstance(dataset, h5py.Dataset):
        raise ModelFileError(path, f"'{where}' should be an array but is a group")
    if dataset.dtype.kind not in "biuf":
        raise ModelFileError(path, f"'{where}' holds {dataset.dtype}, not numbers")
    size = int(np.prod(dataset.shape, dtype=np.int64)) if dataset.shape else 1
    if size > MAX_ARRAY_ELEMENTS:
        raise ModelFileError(path, f"'{where}' claims {size} elements, more than lamina reads")
    try:
        return dataset[()]
    except Exception as e:  # h5py raises many types for corrupt chunks
        raise ModelFileError(path, f"'{where}' cannot be read ({type(e).__name__}: {e})") from None


def _groups_by_name(h5, path: str) -> dict:
    """Map layer name -> vars group among the children of the container at ``path``."""
    base = h5.get(f"{path}/layers" if path else "layers")
    out = {}
    if base is None:
        return out
    for key in base:
        g = base[key].get("vars") if hasattr(base[key], "get") else None
        if g is not None and "name" in g.attrs:
            out[str(g.attrs["name"])] = g
    return out


def load_model_weights(
    h5, model, path, skip_mismatch: bool = False, load_optimizer: bool = True
) -> None:
    """Assign the file's arrays to the model's variables (shapes and counts checked)."""
    import h5py

    if not isinstance(h5, h5py.Group):
        raise ModelFileError(path, "not an HDF5 weights file")
    # Per container: match children by layer name when every name is in the file (a Keras
    # functional model may list its layers in another order), else by Keras's object path.
    containers: dict[str, dict | None] = {}
    for p, layer in walk(model):
        if sublayers(layer) is not None and p not in containers:
            names = _groups_by_name(h5, p)
            ours = [getattr(c, "name", None) for c in sublayers(layer)]
            containers[p] = names if ours and all(n in names for n in ours) else None
    problems = []
    for p, layer in walk(model):
        parent = p.rsplit("/layers/", 1)[0] if "/layers/" in p else ""
        variables = own_variables(layer)
        by_name = containers.get(parent) if p else None
        group = (
            by_name.get(getattr(layer, "name", None))
            if by_name is not None
            else h5.get(vars_path(p))
        )
        if not variables:
            continue
        lname = getattr(layer, "name", p or "model")
        if group is None:
            problems.append(f"no weights for layer '{lname}' (expected at '{vars_path(p)}')")
            continue
        keys = [k for k in group if k.isdigit()]
        if len(keys) != len(variables):
            problems.append(
                f"layer '{lname}' expects {len(variables)} variables, the file has {len(keys)}"
            )
            continue
        arrays = [
            read_array(group[str(i)], f"{vars_path(p)}/{i}", path) for i in range(len(variables))
        ]
        bad = [(v, a) for v, a in zip(variables, arrays) if tuple(v.shape) != a.shape]
        if bad:
            v, a = bad[0]
            problems.append(
                f"layer '{lname}': variable '{getattr(v, 'name', '?')}' has shape "
                f"{tuple(v.shape)}, the file has {a.shape}"
            )
            continue
        for v, a in zip(variables, arrays):
            v.assign(a)
    if problems and not skip_mismatch:
        raise ModelFileError(path, "; ".join(problems))
    optimizer = getattr(model, "optimizer", None)
    group = h5.get("optimizer/vars")
    if (
        load_optimizer
        and group is not None
        and optimizer is not None
        and not isinstance(optimizer, str)
    ):
        arrays = [
            read_array(group[str(i)], f"optimizer/vars/{i}", path)
            for i in range(len([k for k in group if k.isdigit()]))
        ]
        restore_optimizer(optimizer, model, arrays, path)


def restore_optimizer(optimizer, model, arrays: list, path) -> None:
    """Fill the optimizer's state from ``arrays`` (Keras 3 order), building its slots for the
    model's variables first when the file holds them. A file saved before any training step
    holds only the counters; a state that does not fit is skipped with a warning, as Keras
    does, and the optimizer starts fresh."""
    import warnings

    variables = optimizer_variables(optimizer)
    build = getattr(optimizer, "build", None)
    if len(arrays) != len(variables) and callable(build) and not getattr(optimizer, "built", False):
        build(list(getattr(model, "trainable_variables", [])))
        variables = optimizer_variables(optimizer)
    problem = None
    if (
        0 < len(arrays) < len(variables)
        and all(np.ndim(a) == 0 for a in arrays)
        and all(np.ndim(v._value) == 0 for v in variables[: len(arrays)])
    ):
        # Saved before any training step: only the counters (iterations, learning rate).
        for v, a in zip(variables, arrays):
            v.assign(a)
        return
    if len(variables) != len(arrays):
        problem = f"the optimizer has {len(variables)} variables, the file stores {len(arrays)}"
    else:
        for v, a in zip(variables, arrays):
            if tuple(np.shape(v._value)) != a.shape:
                problem = f"optimizer variable shape {tuple(np.shape(v._value))} != file {a.shape}"
                break
    if problem is not None:
        warnings.warn(
            f"'{path}': skipping the optimizer state ({problem}); the optimizer starts fresh.",
            stacklevel=3,
        )
        return
    for v, a in zip(variables, arrays):
        v.assign(a)
