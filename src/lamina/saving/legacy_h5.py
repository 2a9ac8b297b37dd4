"""The Keras 2 / tf.keras HDF5 format: ``model_config`` and ``training_config`` attributes,
``model_weights`` with ``layer_names`` and per-layer ``weight_names``, ``optimizer_weights``.

Weights are matched to layers by order of the layers that have weights (as Keras does), or
by layer name with ``by_name=True``.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

from lamina.saving.atomic import atomic_path
from lamina.saving.errors import ModelFileError
from lamina.saving.h5_weights import optimizer_variables, read_array
from lamina.saving.walk import sublayers


def _layer_weights(layer) -> list:
    return list(getattr(layer, "weights", []))


def _short_name(v, i: int) -> str:
    name = str(getattr(v, "name", f"weight_{i}"))
    return name.split("/")[-1].split(":")[0]


def _write_layer_group(parent, layer) -> None:
    g = parent.create_group(layer.name)
    weights = _layer_weights(layer)
    names = []
    for i, v in enumerate(weights):
        owner = getattr(v, "_owner_name", None) or layer.name
        names.append(f"{owner}/{_short_name(v, i)}:0")
    # names must be unique inside the group
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            seen[n] += 1
            names[i] = n.replace(":0", f"_{seen[n]}:0")
        else:
            seen[n] = 0
    g.attrs["weight_names"] = np.array([n.encode("utf8") for n in names])
    for n, v in zip(names, weights):
        g.create_dataset(n, data=np.asarray(v._value))


def save_weights_to_group(h5, model) -> None:
    layers = sublayers(model) or []
    from lamina import __version__

    h5.attrs["layer_names"] = np.array([layer.name.encode("utf8") for layer in layers])
    h5.attrs["backend"] = "tensorflow"
    h5.attrs["keras_version"] = "2.15.0"
    h5.attrs["lamina_version"] = __version__
    for layer in layers:
        _write_layer_group(h5, layer)


def save_legacy_h5(model, filepath, include_optimizer: bool = True) -> None:
    """Write ``model`` in the tf.keras HDF5 format, atomically."""
    import h5py

    from lamina.saving.archive import _json_default, model_to_config_dict

    full = model_to_config_dict(model)
    compile_config = full.pop("compile_config", None)
    model_config = {"class_name": full["class_name"], "config": full["config"]}
    with atomic_path(filepath) as tmp:
        with h5py.File(tmp, "w") as h5:
            h5.attrs["backend"] = "tensorflow"
            h5.attrs["keras_version"] = "2.15.0"
            h5.attrs["model_config"] = json.dumps(model_config, default=_json_default)
            if include_optimizer and compile_config:
                training = {k: v for k, v in compile_config.items() if k != "optimizer"}
                training["loss"] = _full_loss_names(training.get("loss"))
                training["optimizer_config"] = compile_config.get("optimizer")
                h5.attrs["training_config"] = json.dumps(training, default=_json_default)
            save_weights_to_group(h5.create_group("model_weights"), model)
            opt = getattr(model, "optimizer", None)
            if include_optimizer and opt is not None and not isinstance(opt, str):
                variables = optimizer_variables(opt)
                if variables:
                    og = h5.create_group("optimizer_weights")
                    names = [
                        f"{getattr(opt, 'name', 'optimizer')}/var_{i}:0"
                        for i in range(len(variables))
                    ]
                    og.attrs["weight_names"] = np.array([n.encode("utf8") for n in names])
                    for n, v in zip(names, variables):
                        og.create_dataset(n, data=np.asarray(v._value))


#: Short loss names Keras 3's HDF5 loader cannot resolve (it finds the metric of that name).
_LOSS_FULL_NAMES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
}


def _full_loss_names(loss):
    """Write losses by their full names so that Keras 3 reads the training config back."""
    if isinstance(loss, str):
        return _LOSS_FULL_NAMES.get(loss, loss)
    if isinstance(loss, list):
        return [_full_loss_names(v) for v in loss]
    if isinstance(loss, dict) and "class_name" not in loss:
        return {k: _full_loss_names(v) for k, v in loss.items()}
    return loss


def _attr_list(group, key: str, path) -> list[str]:
    if key not in group.attrs:
        raise ModelFileError(path, f"the HDF5 group '{group.name}' has no '{key}' attribute")
    raw = group.attrs[key]
    try:
        values = [raw] if isinstance(raw, (str, bytes)) else list(np.asarray(raw).ravel())
    except Exception:
        raise ModelFileError(
            path, f"the '{key}' attribute of '{group.name}' is malformed"
        ) from None
    out = []
    for v in values:
        if isinstance(v, bytes):
            v = v.decode("utf8", "replace")
        if not isinstance(v, str):
            if isinstance(v, np.generic) and v.dtype.kind == "f":  # empty list written as float
                continue
            raise ModelFileError(path, f"the '{key}' attribute of '{group.name}' is malformed")
        out.append(v)
    return out


def load_weights_from_group(
    h5, model, path, by_name: bool = False, skip_mismatch: bool = False
) -> None:
    """Assign weights stored in tf.keras's ``layer_names``/``weight_names`` layout."""
    import h5py

    names = _attr_list(h5, "layer_names", path)
    stored = []
    for name in names:
        g = h5.get(name)
        if not isinstance(g, h5py.Group):
            raise ModelFileError(path, f"layer '{name}' is listed but has no group")
        wnames = _attr_list(g, "weight_names", path)
        arrays = []
        for w in wnames:
            ds = g.get(w)
            if ds is None:
                raise ModelFileError(path, f"weight '{w}' of layer '{name}' is missing")
            arrays.append(read_array(ds, f"{name}/{w}", path))
        stored.append((name, arrays))
    layers = [layer for layer in (sublayers(model) or []) if _layer_weights(layer)]
    if by_name:
        table = dict(stored)
        for layer in layers:
            if layer.name in table:
                _assign(layer, table[layer.name], path, skip_mismatch)
        return
    stored = [(n, a) for n, a in stored if a]
    if len(stored) != len(layers):
        raise ModelFileError(
            path,
            f"the file has weights for {len(stored)} layers but the model has "
            f"{len(layers)} layers with weights",
        )
    for layer, (_, arrays) in zip(layers, stored):
        _assign(layer, arrays, path, skip_mismatch)


def _assign(layer, arrays: list, path, skip_mismatch: bool) -> None:
    weights = _layer_weights(layer)
    if len(weights) != len(arrays):
        if skip_mismatch:
            warnings.warn(
                f"Skipping layer '{layer.name}': {len(arrays)} stored weights for "
                f"{len(weights)} variables.",
                stacklevel=3,
            )
            return
        raise ModelFileError(
            path, f"layer '{layer.name}' expects {len(weights)} weights, the file has {len(arrays)}"
        )
    for v, a in zip(weights, arrays):
        if tuple(v.shape) != a.shape:
            if skip_mismatch:
                warnings.warn(
                    f"Skipping layer '{layer.name}': shape {a.shape} in the file, "
                    f"{tuple(v.shape)} in the model.",
                    stacklevel=3,
                )
                return
            raise ModelFileError(
                path,
                f"layer '{layer.name}': weight shape {tuple(v.shape)} in the model, "
                f"{a.shape} in the file",
            )
    for v, a in zip(weights, arrays):
        v.assign(a)


def load_legacy_h5(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Rebuild a model saved by tf.keras 2.x or Keras 3 in HDF5."""
    import h5py

    from lamina.saving.archive import guarded

    try:
        h5 = h5py.File(filepath, "r")
    except FileNotFoundError:
        raise
    except Exception as e:
        raise ModelFileError(filepath, f"not an HDF5 file ({e})") from None
    with h5:
        return guarded(_load_from_h5, filepath, h5, filepath, custom_objects, compile, safe_mode)


def _load_from_h5(h5, filepath, custom_objects, compile: bool, safe_mode: bool):
    from lamina.saving.archive import compile_from_config, model_from_config_dict

    raw = h5.attrs.get("model_config")
    if raw is None:
        raise ModelFileError(
            filepath,
            "no 'model_config' attribute: this is a weights-only "
            "file; build the model and call model.load_weights()",
        )
    config = _json_attr(raw, "model_config", filepath)
    model = model_from_config_dict(
        config, filepath, custom_objects, compile=False, safe_mode=safe_mode
    )
    group = h5.get("model_weights")
    if group is None:
        raise ModelFileError(filepath, "no 'model_weights' group")
    load_weights_from_group(group, model, filepath)
    training = h5.attrs.get("training_config")
    if compile and training is not None:
        compile_from_config(
            model, _json_attr(training, "training_config", filepath), filepath, custom_objects
        )
        _restore_legacy_optimizer(h5, model, filepath)
    return model


def _restore_legacy_optimizer(h5, model, path) -> None:
    from lamina.saving.h5_weights import restore_optimizer

    og = h5.get("optimizer_weights")
    opt = getattr(model, "optimizer", None)
    if og is None or opt is None:
        return
    try:
        names = _attr_list(og, "weight_names", path)
        arrays = [read_array(og[n], n, path) for n in names]
    except (ModelFileError, KeyError) as e:
        warnings.warn(
            f"'{path}': the optimizer state could not be restored ({e.reason}); the optimizer "
            "starts fresh.",
            stacklevel=3,
        )
        return
    restore_optimizer(opt, model, _keras3_order(arrays, names, opt, model), path)


def _keras3_order(arrays: list, names: list[str], opt, model) -> list:
    """Put a tf.keras optimizer state in Keras 3 order: ``iterations``, ``learning_rate``,
    then each variable's slots together. tf.keras 2.11+ files list ``iteration`` then the
    slots per variable (no rate); older files (OptimizerV2) list one slot kind for every
    variable, then the next kind."""
    from lamina.saving.h5_weights import optimizer_variables

    if callable(getattr(opt, "build", None)) and not getattr(opt, "built", False):
        opt.build(list(getattr(model, "trainable_variables", [])))
    ours = optimizer_variables(opt)
    if not names or len(arrays) != len(names):
        return arrays
    head, slots, slot_names = arrays[:1], arrays[1:], names[1:]
    if names[0].split(":")[0].endswith("/iter") and slot_names:  # OptimizerV2 names
        kinds: list[str] = []
        for n in slot_names:
            kind = n.rsplit("/", 1)[-1].split(":")[0]
            if kind not in kinds:
                kinds.append(kind)
        if len(kinds) > 1 and len(slot_names) % len(kinds) == 0:
            n_vars = len(slot_names) // len(kinds)
            slots = [slots[k * n_vars + i] for i in range(n_vars) for k in range(len(kinds))]
    if len(head) + len(slots) + 1 == len(ours) and len(ours) > 1:
        lr = np.asarray(ours[1]._value).copy()
        if lr.shape == ():
            return head + [lr] + slots
    return head + slots


def _json_attr(raw, name: str, path) -> dict:
    if isinstance(raw, bytes):
        raw = raw.decode("utf8", "replace")
    if not isinstance(raw, str):
        raise ModelFileError(path, f"'{name}' should be a JSON string")
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ModelFileError(path, f"'{name}' is not valid JSON ({e})") from None
    if not isinstance(doc, dict):
        raise ModelFileError(path, f"'{name}' should be a JSON object")
    return doc


def save_legacy_weights(model, filepath) -> None:
    """``save_weights('x.h5')`` in tf.keras 2.x's layout (``layer_names`` at the root)."""
    import h5py

    with atomic_path(filepath) as tmp:
        with h5py.File(tmp, "w") as h5:
            save_weights_to_group(h5, model)
