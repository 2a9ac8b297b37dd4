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
    model_config = _tf_keras_spellings({"class_name": full["class_name"], "config": full["config"]})
    with atomic_path(filepath) as tmp:
        with h5py.File(tmp, "w") as h5:
            h5.attrs["backend"] = "tensorflow"
            h5.attrs["keras_version"] = "2.15.0"
            h5.attrs["model_config"] = json.dumps(model_config, default=_json_default)
            if include_optimizer and compile_config:
                training = {k: v for k, v in compile_config.items() if k != "optimizer"}
                training["loss"] = _full_loss_names(training.get("loss"))
                training["optimizer_config"] = _tf_keras_optimizer(compile_config.get("optimizer"))
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


_OP_LAYERS = {"TFOpLambda", "SlicingOpLambda"}  # tf.keras 2.x wrote their nodes its own way


def _history(value):
    """``[layer, node, tensor]`` of a serialized Keras 3 tensor, else None."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        hist = value.get("config", {}).get("keras_history")
        if isinstance(hist, list) and len(hist) == 3:
            return list(hist)
    return None


def _tf_keras_node(node):
    """A Keras 3 node (``{"args": [...], "kwargs": {...}}``) as tf.keras 2.x's list of
    ``[layer, node, tensor, kwargs]`` entries, or None when it has no such form (tensors
    among the keyword arguments or after the first argument)."""
    if not isinstance(node, dict):
        return node if isinstance(node, list) else None
    args, kwargs = node.get("args", []), node.get("kwargs", {}) or {}
    if len(args) != 1 or any(_history(v) is not None for v in kwargs.values()):
        return None
    first = args[0]
    tensors = first if isinstance(first, list) else [first]
    entries = []
    for t in tensors:
        hist = _history(t)
        if hist is None:
            return None
        entries.append(hist + [dict(kwargs)])
    return entries


def _tf_keras_spellings(config):
    """The config with tf.keras 2.x's spellings where Keras 3's differ, so tf.keras 2.x loads
    the file too (Keras 3 and lamina read both): an ``InputLayer``'s ``batch_shape`` is
    ``batch_input_shape``, and functional nodes are lists of ``[layer, node, tensor, kwargs]``."""
    if isinstance(config, list):
        return [_tf_keras_spellings(c) for c in config]
    if not isinstance(config, dict):
        return config
    out = {k: _tf_keras_spellings(v) for k, v in config.items()}
    nodes = out.get("inbound_nodes")
    if isinstance(nodes, list) and out.get("class_name") not in _OP_LAYERS:
        legacy = [_tf_keras_node(n) for n in nodes]
        if all(n is not None for n in legacy):
            out["inbound_nodes"] = legacy
    if isinstance(out.get("layers"), list) and "input_layers" in out:
        _offset_nested_model_nodes(out)
    inner = out.get("config")
    if out.get("class_name") == "InputLayer" and isinstance(inner, dict) and "batch_shape" in inner:
        inner = dict(inner)
        inner["batch_input_shape"] = inner.pop("batch_shape")
        out["config"] = inner
    return out


def own_node_models(layers: list) -> set:
    """Names of the nested models that tf.keras 2.x gave a node of their own (index 0, made
    when their graph was built), so that calls inside the outer model count from 1: every
    functional model, and a Sequential that has an input layer."""
    names = set()
    for entry in layers:
        cls, cfg = entry.get("class_name"), entry.get("config") or {}
        inner = cfg.get("layers") or []
        has_input = bool(inner) and inner[0].get("class_name") == "InputLayer"
        if cls in ("Functional", "Model") or (cls == "Sequential" and has_input):
            names.add(entry.get("name") or cfg.get("name"))
    return names


def _offset_nested_model_nodes(config: dict) -> None:
    """Shift list-form references to nested models by their own node (see own_node_models)."""
    own = own_node_models(config["layers"])
    if not own:
        return

    def shift(ref):
        if isinstance(ref, list) and len(ref) >= 3 and ref[0] in own and isinstance(ref[1], int):
            return [ref[0], ref[1] + 1] + ref[2:]
        return ref

    for entry in config["layers"]:
        nodes = entry.get("inbound_nodes")
        if isinstance(nodes, list) and all(isinstance(n, list) for n in nodes):
            entry["inbound_nodes"] = [[shift(r) for r in node] for node in nodes]
    for key in ("output_layers", "input_layers"):
        refs = config.get(key)
        if isinstance(refs, list) and refs and isinstance(refs[0], list):
            config[key] = [shift(r) for r in refs]
        elif isinstance(refs, list):
            config[key] = shift(refs)


#: Keras 3 optimizer arguments tf.keras 2.x's HDF5 loader refuses, with the values that
#: mean "not used" (dropped when they have them).
_KERAS3_ONLY_DEFAULTS = {
    "weight_decay": (None,),
    "clipnorm": (None,),
    "global_clipnorm": (None,),
    "clipvalue": (None,),
    "use_ema": (False,),
    "ema_momentum": (0.99,),
    "ema_overwrite_frequency": (None,),
    "loss_scale_factor": (None,),
    "gradient_accumulation_steps": (None,),
}


def _tf_keras_optimizer(config):
    """The optimizer's config as tf.keras 2.x wrote it in HDF5 files (``class_name`` and
    ``config`` without Keras 3's unused extras), so both tf.keras 2.x and Keras 3 read it."""
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        return config
    inner = dict(config["config"])
    if not inner.get("use_ema"):
        for key, unused in _KERAS3_ONLY_DEFAULTS.items():
            if key in inner and inner[key] in unused:
                del inner[key]
    return {"class_name": config.get("class_name"), "config": inner}


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
