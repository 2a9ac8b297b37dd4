"""The Keras 3 ``.keras`` file: a zip of ``metadata.json``, ``config.json`` and
``model.weights.h5``. Reading is bounded (sizes, member count, JSON depth) and never runs code.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile

from lamina.saving.atomic import atomic_path
from lamina.saving.errors import ModelFileError

#: The Keras file-format version lamina writes (what Keras 3 reads back).
KERAS_FORMAT_VERSION = "3.5.0"
MAX_MEMBERS = 10_000
MAX_JSON_BYTES = 64 * 2**20
MAX_WEIGHTS_BYTES = 16 * 2**30
MAX_COMPRESSION_RATIO = 1000


def model_to_config_dict(model) -> dict:
    """The ``config.json`` document of ``model`` (Keras 3 schema)."""
    from lamina.utils.serialization import serialize_keras_object

    config = serialize_keras_object(model)
    get_build = getattr(model, "get_build_config", None)
    if callable(get_build):
        build = get_build()
        if build is not None:
            config["build_config"] = build
    get_compile = getattr(model, "get_compile_config", None)
    if callable(get_compile):
        compiled = get_compile()
        if compiled is not None:
            config["compile_config"] = compiled
    return config


def save_keras(model, filepath, include_optimizer: bool = True) -> None:
    """Write ``model`` to a ``.keras`` archive, atomically."""
    import h5py

    from lamina.saving.h5_weights import write_model_weights

    config = model_to_config_dict(model)
    if not include_optimizer:
        config.pop("compile_config", None)
    from lamina import __version__

    metadata = {
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "lamina_version": __version__,
    }
    buf = io.BytesIO()
    with h5py.File(buf, "w") as h5:
        write_model_weights(h5, model, include_optimizer=include_optimizer)
    with atomic_path(filepath) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("metadata.json", json.dumps(metadata))
            zf.writestr("config.json", json.dumps(config, default=_json_default))
            zf.writestr("model.weights.h5", buf.getvalue())


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"Cannot write {type(obj).__name__} into a model config: {obj!r}")


def read_member(zf: zipfile.ZipFile, name: str, limit: int, path) -> bytes:
    """Read one archive member, refusing more than ``limit`` bytes (zip bombs)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ModelFileError(path, f"the archive has no '{name}'") from None
    if info.file_size > limit:
        raise ModelFileError(path, f"'{name}' declares {info.file_size} bytes, over the limit")
    if (
        info.compress_size
        and info.file_size / max(info.compress_size, 1) > MAX_COMPRESSION_RATIO
        and info.file_size > 2**20
    ):
        raise ModelFileError(path, f"'{name}' is compressed suspiciously well (zip bomb?)")
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        RuntimeError,
        ValueError,
        NotImplementedError,
    ) as e:
        raise ModelFileError(path, f"'{name}' is corrupt ({e})") from None
    except Exception as e:  # zlib.error and friends
        raise ModelFileError(path, f"'{name}' is corrupt ({type(e).__name__}: {e})") from None
    if len(data) > limit:
        raise ModelFileError(path, f"'{name}' is larger than its declared size allows")
    return data


def parse_json(data: bytes, name: str, path) -> dict:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ModelFileError(
            path, f"'{name}' is not valid JSON ({type(e).__name__}: {e})"
        ) from None
    if not isinstance(doc, dict):
        raise ModelFileError(path, f"'{name}' should hold a JSON object, not {type(doc).__name__}")
    return doc


def open_archive(filepath):
    """Open a ``.keras`` file for reading, with a clear error when it is not one."""
    try:
        zf = zipfile.ZipFile(filepath, "r")
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise ModelFileError(filepath, f"not a .keras (zip) archive ({e})") from None
    if len(zf.infolist()) > MAX_MEMBERS:
        zf.close()
        raise ModelFileError(filepath, "the archive has too many members")
    return zf


def load_keras(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Rebuild the model stored in a ``.keras`` archive."""
    import h5py

    from lamina.saving.h5_weights import load_model_weights

    with open_archive(filepath) as zf:
        config = parse_json(
            read_member(zf, "config.json", MAX_JSON_BYTES, filepath), "config.json", filepath
        )
        names = set(zf.namelist())
        weights = None
        if "model.weights.h5" in names:
            weights = read_member(zf, "model.weights.h5", MAX_WEIGHTS_BYTES, filepath)
    model = model_from_config_dict(config, filepath, custom_objects, compile, safe_mode)
    if weights is not None:
        try:
            h5 = h5py.File(io.BytesIO(weights), "r")
        except Exception as e:
            raise ModelFileError(filepath, f"model.weights.h5 is not HDF5 ({e})") from None
        with h5:
            guarded(load_model_weights, filepath, h5, model, filepath, load_optimizer=compile)
    return model


def guarded(fn, path, *args, **kwargs):
    """Run a reading step; any failure on a malformed file becomes ModelFileError."""
    try:
        return fn(*args, **kwargs)
    except ModelFileError:
        raise
    except Exception as e:
        raise ModelFileError(
            path, f"the weights cannot be read ({type(e).__name__}: {e})"
        ) from None


def model_from_config_dict(
    config: dict, path, custom_objects=None, compile: bool = True, safe_mode: bool = True
):
    """Deserialize a model config (Keras 2 or 3 shape), turning every failure into
    :class:`ModelFileError`."""
    from lamina.saving.errors import UnsafeObjectError
    from lamina.saving.safe_mode import safe_mode_scope
    from lamina.utils.serialization import deserialize_keras_object

    if not isinstance(config, dict) or "class_name" not in config:
        raise ModelFileError(path, "the model config has no 'class_name'")
    config = dict(config)
    compile_config = config.pop("compile_config", None)
    try:
        with safe_mode_scope(safe_mode):
            model = deserialize_keras_object(
                config, custom_objects=custom_objects, safe_mode=safe_mode
            )
    except (UnsafeObjectError, ModelFileError):
        raise
    except RecursionError:
        raise ModelFileError(path, "the model config is nested too deeply") from None
    except Exception as e:  # a hostile config can trip any check in any layer
        raise ModelFileError(
            path, f"the model config cannot be rebuilt ({type(e).__name__}: {e})"
        ) from None
    if not hasattr(model, "layers") or not callable(getattr(model, "predict", None)):
        raise ModelFileError(path, f"the file holds a {type(model).__name__}, not a model")
    if compile and compile_config:
        compile_from_config(model, compile_config, path, custom_objects)
    return model


def compile_from_config(model, compile_config: dict, path, custom_objects=None) -> None:
    """Compile ``model`` as described by a Keras 3 ``compile_config`` or a Keras 2
    ``training_config``; an optimizer or loss lamina cannot rebuild leaves it uncompiled."""
    import warnings

    from lamina.utils.serialization import deserialize_keras_object

    if not isinstance(compile_config, dict):
        return
    try:
        opt = compile_config.get("optimizer", compile_config.get("optimizer_config"))
        if isinstance(opt, dict):
            opt = _legacy_optimizer_config(opt)
            opt = deserialize_keras_object(opt, custom_objects=custom_objects)
        loss = compile_config.get("loss")
        if isinstance(loss, dict) and "class_name" in loss:
            loss = deserialize_keras_object(loss, custom_objects=custom_objects)
        metrics = _metrics_from_config(compile_config.get("metrics"))
        kwargs = {}
        if compile_config.get("loss_weights") is not None:
            kwargs["loss_weights"] = compile_config["loss_weights"]
        weighted = _metrics_from_config(compile_config.get("weighted_metrics"))
        if weighted:
            kwargs["weighted_metrics"] = weighted
        model.compile(optimizer=opt or "rmsprop", loss=loss, metrics=metrics, **kwargs)
    except Exception as e:  # the model itself loaded; training state is a bonus
        warnings.warn(
            f"'{path}': the model loaded but could not be compiled from the file's training "
            f"configuration ({type(e).__name__}: {e}). Call model.compile() yourself.",
            stacklevel=3,
        )


def _legacy_optimizer_config(opt: dict) -> dict:
    """Accept tf.keras 2.x optimizer configs: ``Custom>Adam``, ``lr``, ``decay`` ..."""
    opt = dict(opt)
    name = str(opt.get("class_name", ""))
    if name.startswith("Custom>"):
        opt["class_name"] = name.split(">", 1)[1]
    cfg = dict(opt.get("config") or {})
    for key in ("is_legacy_optimizer", "jit_compile"):
        cfg.pop(key, None)
    if "lr" in cfg and "learning_rate" not in cfg:
        cfg["learning_rate"] = cfg.pop("lr")
    opt["config"] = cfg
    return opt


def _metrics_from_config(metrics):
    """Metric names from Keras 2/3 compile configs (strings pass; wrappers give their name)."""
    from lamina.utils.serialization import deserialize_keras_object

    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return {k: _metrics_from_config(v) for k, v in metrics.items()}
    out = []
    for m in metrics:
        if isinstance(m, list):
            out.extend(_metrics_from_config(m) or [])
        elif isinstance(m, dict) and m.get("class_name") == "MeanMetricWrapper":
            cfg = m.get("config") or {}
            out.append(cfg.get("name") or cfg.get("fn"))
        elif isinstance(m, dict):
            out.append(deserialize_keras_object(m))
        else:
            out.append(m)
    return out
