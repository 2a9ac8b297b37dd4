"""``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``, dispatching on the
file's extension (``.keras``, ``.h5``/``.hdf5``, ``.weights.h5``) and, when reading, on its
contents."""

from __future__ import annotations

import json
import os
import zipfile

from lamina.saving.errors import ModelFileError

_H5_EXT = (".h5", ".hdf5", ".keras.h5")


def _fspath(filepath) -> str:
    try:
        return os.fspath(filepath)
    except TypeError:
        raise TypeError(
            f"`filepath` must be a str or path-like, received {type(filepath).__name__}"
        ) from None


def save_model(
    model,
    filepath,
    overwrite: bool = True,
    include_optimizer: bool = True,
    save_format: str | None = None,
    **kwargs,
) -> None:
    """Save architecture, weights and training configuration (``model.save``)."""
    from lamina.saving.archive import save_keras
    from lamina.saving.legacy_h5 import save_legacy_h5

    path = _fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"'{path}' exists and overwrite=False.")
    fmt = save_format or (
        "h5" if path.endswith(_H5_EXT) else "keras" if path.endswith(".keras") else None
    )
    if fmt in ("h5", "hdf5"):
        save_legacy_h5(model, path, include_optimizer=include_optimizer)
    elif fmt == "keras":
        save_keras(model, path, include_optimizer=include_optimizer)
    elif fmt == "tf" or fmt is None:
        raise ValueError(
            f"Invalid filepath extension for saving: '{path}'. Use a `.keras` file (the Keras "
            "3 format) or `.h5` (the tf.keras 2.x HDF5 format). The TensorFlow SavedModel "
            "directory format is not supported by lamina."
        )
    else:
        raise ValueError(f"Unknown `save_format` {save_format!r}: expected 'keras' or 'h5'.")


def load_model(
    filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True
):
    """Load a model saved by lamina, Keras 3 (``.keras``, ``.h5``) or tf.keras 2.x (``.h5``).

    Never executes code from the file: Lambda layers and unknown classes are refused unless
    ``safe_mode=False`` / ``custom_objects`` provide them.
    """
    from lamina.saving.archive import load_keras
    from lamina.saving.legacy_h5 import load_legacy_h5

    path = _fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file or directory found at '{path}'.")
    if os.path.isdir(path):
        raise ModelFileError(
            path,
            "a directory (TensorFlow SavedModel?) is not a model file "
            "lamina reads; save as .keras or .h5",
        )
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK"):
        return load_keras(path, custom_objects, compile, safe_mode)
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return load_legacy_h5(path, custom_objects, compile, safe_mode)
    if path.endswith(".keras"):
        raise ModelFileError(path, "not a .keras (zip) archive")
    if path.endswith(_H5_EXT):
        raise ModelFileError(path, "not an HDF5 file")
    raise ModelFileError(path, "unknown file format (expected a .keras archive or .h5 file)")


def save_weights(model, filepath, overwrite: bool = True, save_format: str | None = None) -> None:
    """Weights only: ``.weights.h5`` (Keras 3 layout) or ``.h5`` (tf.keras 2.x layout)."""
    import h5py

    from lamina.saving.atomic import atomic_path
    from lamina.saving.h5_weights import write_model_weights
    from lamina.saving.legacy_h5 import save_legacy_weights

    path = _fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"'{path}' exists and overwrite=False.")
    if path.endswith(".weights.h5"):
        with atomic_path(path) as tmp, h5py.File(tmp, "w") as h5:
            write_model_weights(h5, model, include_optimizer=False)
    elif path.endswith(_H5_EXT) or save_format in ("h5", "hdf5"):
        save_legacy_weights(model, path)
    else:
        raise ValueError(
            f"The filename must end in `.weights.h5` (or `.h5` for the tf.keras 2.x layout). "
            f"Received: filepath={path}"
        )


def load_weights(model, filepath, skip_mismatch: bool = False, by_name: bool = False) -> None:
    """Load weights from a ``.weights.h5``, a legacy ``.h5`` or a whole ``.keras`` model file."""
    import io

    import h5py

    from lamina.saving.archive import MAX_WEIGHTS_BYTES, open_archive, read_member
    from lamina.saving.h5_weights import load_model_weights
    from lamina.saving.legacy_h5 import load_weights_from_group

    path = _fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such weights file: '{path}'.")
    if zipfile.is_zipfile(path):
        with open_archive(path) as zf:
            data = read_member(zf, "model.weights.h5", MAX_WEIGHTS_BYTES, path)
        source = io.BytesIO(data)
    else:
        source = path
    try:
        h5 = h5py.File(source, "r")
    except Exception as e:
        raise ModelFileError(path, f"not an HDF5 weights file ({e})") from None
    with h5:
        if "layer_names" in h5.attrs:
            load_weights_from_group(h5, model, path, by_name, skip_mismatch)
        elif "model_weights" in h5:
            load_weights_from_group(h5["model_weights"], model, path, by_name, skip_mismatch)
        elif "layers" in h5 or "vars" in h5:
            load_model_weights(h5, model, path, skip_mismatch=skip_mismatch, load_optimizer=False)
        else:
            raise ModelFileError(
                path,
                "no weights in a layout lamina knows (Keras 3 "
                "'layers/.../vars' or tf.keras 'layer_names')",
            )


def model_to_json(model, **kwargs) -> str:
    """The architecture as JSON (``model.to_json()``), in the Keras 3 schema."""
    from lamina.saving.archive import _json_default
    from lamina.utils.serialization import serialize_keras_object

    doc = serialize_keras_object(model)
    from lamina import __version__

    doc["keras_version"] = "3.5.0"
    doc["backend"] = "tensorflow"
    doc["lamina_version"] = __version__
    return json.dumps(doc, default=_json_default, **kwargs)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """Rebuild a model (weights freshly initialised) from :func:`model_to_json` output."""
    from lamina.saving.archive import model_from_config_dict, parse_json

    if not isinstance(json_string, (str, bytes)):
        raise TypeError(
            f"model_from_json expects a JSON string, received {type(json_string).__name__}"
        )
    data = json_string.encode("utf8") if isinstance(json_string, str) else json_string
    doc = parse_json(data, "json", "<json string>")
    return model_from_config_dict(doc, "<json string>", custom_objects, compile=False)
