"""Turning Keras objects into plain configs and back (``keras.saving.serialize_keras_object``).

``serialize_keras_object`` writes the Keras 3 shape
``{'module', 'class_name', 'config', 'registered_name'}`` with Keras's public module names
(``'keras.optimizers'``, ``'keras.layers'`` ...), so files lamina writes read like files Keras
writes. ``deserialize_keras_object`` reads that shape and the Keras 2 shape
``{'class_name', 'config'}``, looks classes up only in lamina's own namespaces, the
registry of ``@register_keras_serializable`` objects and the ``custom_objects`` given, and never
runs code from a config (a serialized ``lambda`` is refused).
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import threading
import types
import warnings
from collections.abc import Callable, Iterable

import numpy as np

#: ``'Package>Name'`` -> registered class or function.
_GLOBAL_CUSTOM_OBJECTS: dict[str, object] = {}
#: registered class or function -> ``'Package>Name'``.
_GLOBAL_CUSTOM_NAMES: dict[object, str] = {}

_scope = threading.local()

#: lamina subpackage -> the public Keras module its objects serialize under. Longest first.
_PUBLIC_MODULES: tuple[tuple[str, str], ...] = (
    ("lamina.optimizers.schedules", "keras.optimizers.schedules"),
    ("lamina.optimizers", "keras.optimizers"),
    ("lamina.initializers", "keras.initializers"),
    ("lamina.regularizers", "keras.regularizers"),
    ("lamina.constraints", "keras.constraints"),
    ("lamina.activations", "keras.activations"),
    ("lamina.losses", "keras.losses"),
    ("lamina.metrics", "keras.metrics"),
    ("lamina.layers", "keras.layers"),
    ("lamina.callbacks", "keras.callbacks"),
    ("lamina.models", "keras"),
)

#: Keras module section -> lamina modules searched for its names (only these are ever imported).
_SECTIONS: dict[str, tuple[str, ...]] = {
    "schedules": ("lamina.optimizers.schedules",),
    "optimizers": ("lamina.optimizers",),
    "initializers": ("lamina.initializers",),
    "regularizers": ("lamina.regularizers",),
    "constraints": ("lamina.constraints",),
    "activations": ("lamina.activations",),
    "losses": ("lamina.losses",),
    "metrics": ("lamina.metrics",),
    "layers": ("lamina.layers",),
    "callbacks": ("lamina.callbacks",),
    "models": ("lamina.models",),
}
#: Where a Keras 2 ``{'class_name', 'config'}`` without module is looked for, in order.
_SEARCH_ORDER = (
    "layers",
    "models",
    "optimizers",
    "schedules",
    "losses",
    "metrics",
    "initializers",
    "regularizers",
    "constraints",
    "activations",
)
#: Modules whose functions serialize as ``{'class_name': 'function', 'config': name}``.
_FUNCTION_MODULES = (
    "activations",
    "losses",
    "metrics",
    "initializers",
    "regularizers",
    "constraints",
    "optimizers",
)
#: Class names Keras writes that lamina spells differently.
_CLASS_ALIASES = {"Functional": "Model"}


# --- errors -------------------------------------------------------------------------------
def _one_spelling(name: str, candidates: Iterable[str]) -> dict[str, str]:
    """Lower-cased name -> one spelling of it, in the user's style ('sgd' or 'SGD')."""
    lowercase_user = str(name) == str(name).lower()
    out: dict[str, str] = {}
    for c in sorted(set(candidates)):
        key = c.lower()
        prev = out.get(key)
        if prev is None or (lowercase_user and c == key and prev != key):
            out[key] = c
    return out


def nearest_names(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates closest to ``name`` (case-insensitive), best first."""
    spelled = _one_spelling(name, candidates)
    hits = difflib.get_close_matches(str(name).lower(), list(spelled), n=n, cutoff=0.5)
    return [spelled[h] for h in hits]


def unknown_name_error(
    kind: str, name, candidates: Iterable[str], *, lead: str | None = None, valid: str | None = None
) -> ValueError:
    """A ``ValueError`` for an unknown ``kind`` identifier, suggesting the nearest valid names
    (``'SGD'`` and ``'sgd'`` are listed once, spelled as the user spells names).

    ``lead`` replaces the first sentence; ``valid`` replaces the full list of valid names
    (for catalogues too long to print whole)."""
    cands = sorted(_one_spelling(str(name), candidates).values())
    near = nearest_names(str(name), cands)
    hint = f" Did you mean {', '.join(repr(h) for h in near)}?" if near else ""
    lead = lead or f"Could not interpret {kind} identifier: {name!r}"
    return ValueError(f"{lead}.{hint} {valid or 'Valid names: ' + ', '.join(cands) + '.'}")


def lookup_name(kind: str, name: str, objects: dict, **error):
    """``objects[name]``, else the entry whose name matches ``name`` ignoring case (``'SGD'``,
    ``'Adam'``, ``'MSE'``; where a function and a class differ only in case, the lower-case
    string name wins, as ``'ACCURACY'`` -> ``'accuracy'``), else the ``ValueError`` of :func:`unknown_name_error` (``error``
    holds its ``lead``/``valid`` keywords)."""
    obj = objects.get(name)
    if obj is None:
        low = name.lower()
        matches = {id(v): v for k, v in objects.items() if k.lower() == low}
        if len(matches) > 1:  # 'ACCURACY': the function 'accuracy' or the class 'Accuracy'?
            matches = {id(v): v for k, v in objects.items() if k == low}  # the string name
        if len(matches) == 1:
            obj = next(iter(matches.values()))
    if obj is None:
        raise unknown_name_error(kind, name, objects, **error)
    return obj


def catalogue_get(kind: str, identifier, objects: dict, base: type, deserialize):
    """Keras's ``get`` for a catalogue of classes (initializers, regularizers, constraints):
    None -> None; an instance of ``base`` as is; a name (any case) or a class -> a new
    instance; a config dict -> ``deserialize(identifier)``; another callable as is."""
    if identifier is None or isinstance(identifier, base):
        return identifier
    if isinstance(identifier, str):
        names = {k: v for k, v in objects.items() if v is not base}
        obj = lookup_name(kind, identifier, catalogue_objects(names))
        return obj() if callable(obj) else obj
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type):  # Keras instantiates any class given
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")


def catalogue_objects(builtin: dict, custom_objects: dict | None = None) -> dict:
    """A catalogue's names with the registered objects and ``custom_objects`` on top."""
    return {**builtin, **_GLOBAL_CUSTOM_OBJECTS, **_scope_objects(), **(custom_objects or {})}


# --- registry -------------------------------------------------------------------------------
def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator registering a class or function as ``'package>name'`` for deserialization."""
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"`package` must be a string without '>', received {package!r}.")

    def decorator(arg):
        class_name = name if name is not None else getattr(arg, "__name__", None)
        if not class_name:
            raise ValueError(f"Cannot register {arg!r}: it has no __name__; pass `name=`.")
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        registered = f"{package}>{class_name}"
        _GLOBAL_CUSTOM_OBJECTS[registered] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered
        return arg

    return decorator


def get_registered_name(obj) -> str:
    """``'package>name'`` for a registered object, else its ``__name__``."""
    try:
        if obj in _GLOBAL_CUSTOM_NAMES:
            return _GLOBAL_CUSTOM_NAMES[obj]
    except TypeError:  # unhashable
        pass
    return obj.__name__


def get_custom_objects() -> dict:
    """The global registry (``'package>name'`` -> object); editable like Keras's."""
    return _GLOBAL_CUSTOM_OBJECTS


def _scope_objects() -> dict:
    return getattr(_scope, "objects", None) or {}


def get_registered_object(
    name, custom_objects: dict | None = None, module_objects: dict | None = None
):
    """Find ``name`` in the active custom-object scope, the registry, then the given dicts."""
    scoped = _scope_objects()
    if name in scoped:
        return scoped[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


class CustomObjectScope:
    """``with CustomObjectScope({'MyLayer': MyLayer}):`` makes names resolvable while loading."""

    def __init__(self, *custom_objects: dict | None) -> None:
        merged: dict = {}
        for d in custom_objects:
            if d is None:
                continue
            if not isinstance(d, dict):
                raise TypeError(
                    f"CustomObjectScope expects dicts of name -> object, received {type(d).__name__}."
                )
            merged.update(d)
        self.custom_objects = merged
        self._backup: dict | None = None

    def __enter__(self) -> CustomObjectScope:
        self._backup = dict(_scope_objects())
        _scope.objects = {**self._backup, **self.custom_objects}
        return self

    def __exit__(self, *exc) -> None:
        _scope.objects = self._backup or {}


custom_object_scope = CustomObjectScope


# --- serialization --------------------------------------------------------------------------
_PLAIN = (str, int, float, bool)


def _public_module(module: str | None) -> str | None:
    if not module:
        return None
    for prefix, public in _PUBLIC_MODULES:
        if module == prefix or module.startswith(prefix + "."):
            return public
    return None


def serialize_keras_object(obj):
    """A JSON-friendly config for ``obj`` in Keras 3's format (see the module docstring)."""
    from lamina.autodiff.tensor import Tensor, TensorShape
    from lamina.dtypes import DType

    if obj is None or isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, TensorShape):
        return list(obj)
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {
            "class_name": "__slice__",
            "config": {
                "start": serialize_keras_object(obj.start),
                "stop": serialize_keras_object(obj.stop),
                "step": serialize_keras_object(obj.step),
            },
        }
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, DType):
        return obj.name
    if isinstance(obj, Tensor) and not hasattr(obj, "get_config"):
        return {
            "class_name": "__tensor__",
            "config": {"value": obj._value.tolist(), "dtype": obj._value.dtype.name},
        }
    if isinstance(obj, (np.ndarray, np.generic)):
        if isinstance(obj, np.ndarray) and obj.ndim > 0:
            return {
                "class_name": "__numpy__",
                "config": {"value": obj.tolist(), "dtype": obj.dtype.name},
            }
        return obj.item()
    if isinstance(obj, np.dtype):
        return obj.name
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        warnings.warn(
            "The object being serialized includes a `lambda`. lamina never loads code from "
            "files, so a model holding it cannot be reloaded; use a named function registered "
            "with `register_keras_serializable` instead.",
            stacklevel=2,
        )
        try:
            source = inspect.getsource(obj).strip()
        except (OSError, TypeError):
            source = "<lambda>"
        return {"class_name": "__lambda__", "config": {"value": source}}
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return _serialize_function(obj)
    if inspect.isclass(obj):
        return get_registered_name(obj)
    return _serialize_instance(obj)


def _serialize_function(fn) -> dict:
    """Keras 3's function shape: the name (or ``'package>name'`` when registered)."""
    name = _GLOBAL_CUSTOM_NAMES.get(fn) or fn.__name__
    return {
        "module": "builtins",
        "class_name": "function",
        "config": name,
        "registered_name": "function",
    }


def _serialize_instance(obj) -> dict:
    if not hasattr(obj, "get_config"):
        raise TypeError(
            f"Cannot serialize object {obj!r} of type {type(obj).__name__}: to be serializable, "
            "a class must implement the `get_config()` method."
        )
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(
            f"The `get_config()` method of {obj!r} should return a dict, it returned {config!r}."
        )
    inner = {k: serialize_keras_object(v) for k, v in config.items()}
    cls = type(obj)
    registered = _GLOBAL_CUSTOM_NAMES.get(cls)
    public = None if registered else _public_module(cls.__module__)
    if public is not None:
        out = {
            "module": public,
            "class_name": getattr(cls, "_keras_class_name", cls.__name__),
            "config": inner,
            "registered_name": None,
        }
    else:
        module = cls.__module__
        out = {
            "module": None if module == "__main__" else module,
            "class_name": cls.__name__,
            "config": inner,
            "registered_name": registered or cls.__name__,
        }
    for hook, key in (
        ("get_build_config", "build_config"),
        ("get_compile_config", "compile_config"),
    ):
        fn = getattr(obj, hook, None)
        if callable(fn):
            extra = fn()
            if extra is not None:
                out[key] = serialize_keras_object(extra)
    return out


def to_legacy_config(config):
    """Rewrite a Keras 3 config tree into Keras 2's ``{'class_name', 'config'}`` shape."""
    if isinstance(config, dict):
        if "class_name" in config and "config" in config:
            if config["class_name"] == "function" and isinstance(config["config"], str):
                return config["config"]
            out = {"class_name": config["class_name"], "config": to_legacy_config(config["config"])}
            if config.get("registered_name") not in (None, config["class_name"], "function"):
                out["class_name"] = config["registered_name"]
            return out
        return {k: to_legacy_config(v) for k, v in config.items()}
    if isinstance(config, (list, tuple)):
        return [to_legacy_config(v) for v in config]
    return config


# --- deserialization ------------------------------------------------------------------------
def _section_of(module: str | None) -> str | None:
    if not module:
        return None
    parts = module.split(".")
    if parts[0] not in ("keras", "lamina", "tensorflow", "tf_keras", "tf"):
        return None
    for p in reversed(parts):
        if p in _SECTIONS:
            return p
        if p in ("functional", "sequential", "model", "training", "engine"):
            return "models"
    if module in ("keras", "lamina", "tensorflow.keras", "tf_keras"):
        return "models"
    return None


def _lookup(section: str, name: str):
    for modname in _SECTIONS[section]:
        mod = importlib.import_module(modname)
        obj = getattr(mod, name, None)
        for table_name in ("ALL_OBJECTS_DICT", "ALL_OBJECTS"):
            if obj is not None:
                break
            table = getattr(mod, table_name, None)
            if isinstance(table, dict):
                obj = table.get(name)
        if obj is not None and not isinstance(obj, types.ModuleType):
            return obj
    return None


def _find_builtin(name: str, module: str | None):
    section = _section_of(module)
    sections = (section,) if section else ()
    sections += tuple(s for s in _SEARCH_ORDER if s != section)
    names = (name, _CLASS_ALIASES[name]) if name in _CLASS_ALIASES else (name,)
    for candidate in names:
        for s in sections:
            try:
                obj = _lookup(s, candidate)
            except ImportError:
                continue
            if obj is not None:
                return obj
    return None


def deserialize_keras_object(
    config,
    custom_objects: dict | None = None,
    safe_mode: bool = True,
    module_objects: dict | None = None,
    printable_module_name: str = "object",
    **kwargs,
):
    """Rebuild an object from :func:`serialize_keras_object` output (Keras 2 or 3 shape).

    ``module_objects`` (name -> class/function) is where bare names and Keras 2 configs are
    looked up first; ``custom_objects`` and the active :class:`CustomObjectScope` take precedence.
    """
    custom = {**(custom_objects or {}), **_scope_objects(), **_GLOBAL_CUSTOM_OBJECTS}
    if config is None:
        return None
    if isinstance(config, str):
        obj = custom.get(config)
        if obj is None and module_objects is not None:
            obj = module_objects.get(config)
        if obj is None:
            return config  # a plain string value (Keras returns it unchanged)
        return obj() if inspect.isclass(obj) else obj
    if isinstance(config, (list, tuple)):
        return [
            deserialize_keras_object(
                x, custom_objects=custom_objects, safe_mode=safe_mode, module_objects=module_objects
            )
            for x in config
        ]
    if isinstance(config, _PLAIN):
        return config
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse {printable_module_name} config: {config!r}")
    if "class_name" not in config or "config" not in config:
        if "class_name" in config and module_objects is not None:
            config = {**config, "config": {}}
        else:
            return {
                k: deserialize_keras_object(v, custom_objects=custom_objects, safe_mode=safe_mode)
                for k, v in config.items()
            }

    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    special = _deserialize_special(class_name, inner, custom_objects, safe_mode)
    if special is not _NOT_SPECIAL:
        return special

    if class_name == "function":
        fn_name = inner
        if not isinstance(fn_name, str):
            raise TypeError(f"A function config needs a name string, received {config!r}.")
        obj = get_registered_object(fn_name, custom)
        if obj is None and module_objects is not None:
            obj = module_objects.get(fn_name)
        if obj is None:
            obj = _find_builtin_function(fn_name)
        if obj is None:
            raise TypeError(
                f"Could not locate function '{fn_name}'. Make sure custom functions are decorated "
                "with `@register_keras_serializable()` or passed in `custom_objects`."
            )
        return obj

    registered = config.get("registered_name") or class_name
    cls = get_registered_object(registered, custom) or get_registered_object(class_name, custom)
    if cls is None and module_objects is not None:
        cls = module_objects.get(class_name)
        if cls is None:
            lowered = {str(k).lower(): v for k, v in module_objects.items()}
            cls = lowered.get(str(class_name).lower())
    if cls is None:
        if config.get("module") is None and "module" in config and registered:
            raise TypeError(
                f"Cannot deserialize object of type `{class_name}`: it is a custom class; "
                "register it with `@register_keras_serializable()` or pass it in "
                "`custom_objects`."
            )
        cls = _find_builtin(class_name, config.get("module"))
    if cls is None:
        if module_objects is not None:
            raise unknown_name_error(printable_module_name, class_name, module_objects)
        raise TypeError(
            f"Could not locate class '{class_name}'. Make sure custom classes are decorated with "
            "`@register_keras_serializable()` or passed in `custom_objects`. "
            f"Full object config: {config}"
        )
    if isinstance(cls, types.FunctionType) or not hasattr(cls, "from_config"):
        if inspect.isclass(cls):
            raise TypeError(
                f"Unable to reconstruct an instance of '{class_name}': the class has no "
                "`from_config()` method."
            )
        return cls
    if not isinstance(inner, dict):
        raise TypeError(f"Expected 'config' to be a dict for {class_name}, received {inner!r}.")
    with CustomObjectScope(custom_objects or {}):
        try:
            from_config = cls.from_config
            params = inspect.signature(from_config).parameters
            if "custom_objects" in params:
                instance = from_config(dict(inner), custom_objects=custom_objects)
            else:
                instance = from_config(dict(inner))
        except TypeError as e:
            raise TypeError(
                f"{cls.__name__} could not be deserialized from config={config}. "
                f"Exception encountered: {e}"
            ) from e
        build_config = config.get("build_config")
        if (
            build_config
            and hasattr(instance, "build_from_config")
            and not getattr(instance, "built", False)
        ):
            instance.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(instance, "compile_from_config"):
            instance.compile_from_config(compile_config)
    return instance


_NOT_SPECIAL = object()


def _deserialize_special(class_name, inner, custom_objects, safe_mode):
    if class_name == "__tensor__":
        from lamina.ops import constant

        return constant(np.array(inner["value"], dtype=inner["dtype"]))
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":

        def d(v):
            return deserialize_keras_object(v, custom_objects=custom_objects)

        return slice(d(inner["start"]), d(inner["stop"]), d(inner["step"]))
    if class_name == "__lambda__":
        raise ValueError(
            "Requested the deserialization of a Python lambda. lamina never executes code "
            "stored in a file, so lambdas cannot be loaded. Rebuild the object in Python, or "
            "replace the lambda by a named function registered with "
            "`register_keras_serializable()` (or passed in `custom_objects`)."
        )
    return _NOT_SPECIAL


def _find_builtin_function(name: str) -> Callable | None:
    if ">" in name:
        return None
    for s in _FUNCTION_MODULES:
        try:
            obj = _lookup(s, name)
        except ImportError:
            continue
        if obj is not None and callable(obj):
            return obj
    return None


__all__ = [
    "serialize_keras_object",
    "deserialize_keras_object",
    "register_keras_serializable",
    "get_registered_object",
    "get_registered_name",
    "get_custom_objects",
    "custom_object_scope",
    "CustomObjectScope",
    "to_legacy_config",
    "nearest_names",
    "unknown_name_error",
    "lookup_name",
    "catalogue_objects",
    "catalogue_get",
]
