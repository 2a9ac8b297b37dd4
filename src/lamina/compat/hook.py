"""The import hook: ``keras``, ``tensorflow``, ``tensorflow.keras`` and ``tf_keras`` served by lamina.

A meta-path finder maps every module path of those packages onto a lamina module:

* ``keras.X.Y`` (and ``tensorflow.keras.X.Y``, ``tf_keras.X.Y``, ``tensorflow.python.keras.X.Y``,
  ``lamina.keras.X.Y``) resolve through :data:`lamina.legacy.MODULE_ALIASES` (Keras 2 paths such
  as ``keras.engine.sequential``) and otherwise structurally: ``keras.layers`` -> ``lamina.layers``.
* ``tensorflow.X`` resolves structurally from ``lamina`` (``tensorflow.math`` -> ``lamina.math``).

Names under ``keras``/``tensorflow``/``tf_keras`` become small forwarding modules (:class:`AliasModule`)
so that the import system never writes attributes onto lamina's own modules, and
:func:`uninstall` can give ``sys.modules`` back exactly as it was. ``lamina.keras.*`` paths, which are
always importable, are lamina's real modules wherever the path mirrors lamina's layout.

A path lamina has no counterpart for raises :class:`UnsupportedModuleError` (a
``ModuleNotFoundError``, so ``try: import ... except ImportError`` keeps working) naming what is
missing.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
import warnings
from collections.abc import Iterator

#: Top-level packages the hook serves while installed.
HOOKED_ROOTS: tuple[str, ...] = ("keras", "tensorflow", "tf_keras")

# Spellings of the Keras namespace, longest first; each is rewritten to "keras" + rest.
# (Keras 3's internal ``keras.src`` tree and the ``tf.keras`` shims of TF 2.x count as Keras.)
_KERAS_PREFIXES = (
    "keras._tf_keras.keras",
    "keras.api._v2.keras",
    "tensorflow.python.keras",
    "tensorflow.keras",
    "lamina.keras",
    "tf_keras",
    "keras.src",
    "keras.api",
    "keras",
)


class UnsupportedModuleError(ModuleNotFoundError):
    """A ``keras``/``tensorflow`` module path that lamina has no counterpart for."""

    def __init__(self, missing: str, requested: str | None = None) -> None:
        requested = requested or missing
        wanted = "" if requested == missing else f" (needed to import `{requested}`)"
        root = missing.split(".")[0]
        if root == "lamina":
            message = f"lamina has no module `{missing}`{wanted}."
        else:
            message = (
                f"lamina has no counterpart for `{missing}`{wanted}. While lamina's import hook "
                f"is active, `{root}` is served by lamina, which does not implement this part "
                "of the API."
            )
        super().__init__(message, name=requested)
        self.missing = missing
        self.requested = requested

    def __reduce__(self):
        return (type(self), (self.missing, self.requested))


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def keras_path(name: str) -> str | None:
    """``name`` rewritten as a ``keras...`` path if it is in a Keras namespace, else ``None``."""
    for prefix in _KERAS_PREFIXES:
        if _under(name, prefix):
            return "keras" + name[len(prefix) :]
    return None


def _is_lamina_module(value: object) -> bool:
    if not isinstance(value, types.ModuleType):
        return False
    name = getattr(value, "__name__", "")
    return isinstance(name, str) and _under(name, "lamina")


def _child_module(parent: types.ModuleType, child: str) -> types.ModuleType | None:
    """lamina's submodule ``child`` of ``parent`` (imported if needed), or ``None``."""
    value = parent.__dict__.get(child)
    if _is_lamina_module(value):
        return value
    if hasattr(parent, "__path__"):
        sub = f"{parent.__name__}.{child}"
        if sub in sys.modules:
            return sys.modules[sub]
        try:
            spec = importlib.util.find_spec(sub)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            return importlib.import_module(sub)
    if child.startswith("__"):
        return None
    try:
        value = getattr(parent, child)
    except AttributeError:
        return None
    except ImportError as e:  # a lazy name whose lamina module does not exist (yet)
        if isinstance(e.name, str) and _under(e.name, f"{parent.__name__}.{child}"):
            return None
        raise
    return value if _is_lamina_module(value) else None


def missing_name_note(exc: BaseException) -> str | None:
    """For ``from keras.layers import Conv2D`` failing under the hook: a line saying why."""
    if not isinstance(exc, ImportError) or isinstance(exc, ModuleNotFoundError):
        return None
    module = sys.modules.get(exc.name or "")
    if not isinstance(module, AliasModule):
        return None
    message = str(exc)
    if not message.startswith("cannot import name "):
        return None
    wanted = message.split("'")[1] if message.count("'") >= 2 else "that name"
    target = module.__dict__["_lamina_target"].__name__
    return f"note: `{exc.name}` is served by lamina ({target}), which has no `{wanted}`."


def _lamina() -> types.ModuleType:
    import lamina

    return lamina


def resolve(name: str, requested: str | None = None) -> types.ModuleType:
    """The lamina module that serves the module path ``name``.

    Raises :class:`UnsupportedModuleError` naming the first part of the path lamina lacks.
    """
    __tracebackhide__ = True  # IPython and pytest leave this frame out of tracebacks
    requested = requested or name
    kpath = keras_path(name)
    if kpath is not None:
        from lamina.legacy import MODULE_ALIASES

        target = MODULE_ALIASES.get(kpath)
        if target is not None:
            if importlib.util.find_spec(target) is None:
                raise UnsupportedModuleError(name, requested)
            return importlib.import_module(target)
        if kpath == "keras":
            return _lamina()
    elif name == "tensorflow":
        return _lamina()
    elif not _under(name, "tensorflow"):
        raise ValueError(f"resolve() serves keras/tensorflow module paths, received {name!r}")
    parent_name, _, child = name.rpartition(".")
    parent = resolve(parent_name, requested)
    module = _child_module(parent, child)
    if module is None:
        raise UnsupportedModuleError(name, requested)
    return module


def _plain_missing(err: AttributeError, target: types.ModuleType, attr: str) -> bool:
    """Whether ``err`` just says that ``target`` has no ``attr`` (not a failure further in)."""
    obj = getattr(err, "obj", None)
    if obj is not None:
        return obj is target and getattr(err, "name", None) == attr
    return str(err).startswith(f"module {target.__name__!r} has no attribute {attr!r}")


class AliasModule(types.ModuleType):
    """A module under a ``keras``/``tensorflow`` name that forwards attribute reads to lamina."""

    def __init__(self, name: str, target: types.ModuleType) -> None:
        super().__init__(name, target.__doc__)
        self.__dict__["_lamina_target"] = target
        self.__dict__["__path__"] = []  # a package: submodule imports come back to the finder
        if getattr(target, "__file__", None):
            self.__dict__["__file__"] = target.__file__  # error messages point at lamina's file

    def __getattr__(self, attr: str):
        __tracebackhide__ = True
        target = self.__dict__["_lamina_target"]
        try:
            return getattr(target, attr)
        except AttributeError as err:
            if not _plain_missing(err, target, attr):
                raise  # an error inside lamina (say, a lazy import failing): show it as is
        if attr == "__all__":
            return [n for n in vars(target) if not n.startswith("_")]
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r}")
        raise AttributeError(
            f"module {self.__name__!r} has no attribute {attr!r}: lamina, which serves "
            f"`{self.__name__}` here, has no `{self.__name__}.{attr}`"
        )

    def __dir__(self) -> list[str]:
        target = self.__dict__["_lamina_target"]
        return sorted(set(dir(target)) | set(self.__dict__) - {"_lamina_target"})

    def __repr__(self) -> str:
        target = self.__dict__["_lamina_target"]
        return f"<module {self.__name__!r} (served by {target.__name__!r})>"


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Meta-path finder and loader for the module paths under ``prefixes``."""

    def __init__(self, prefixes: tuple[str, ...], proxies: bool = True) -> None:
        self.prefixes = prefixes
        self.proxies = proxies

    def handles(self, name: str) -> bool:
        return any(_under(name, p) for p in self.prefixes)

    def find_spec(self, fullname, path=None, target=None):
        __tracebackhide__ = True
        if not self.handles(fullname):
            return None
        module = resolve(fullname)
        real = not self.proxies and self._mirrors(fullname, module)
        is_package = hasattr(module, "__path__") if real else True
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=is_package)
        spec.loader_state = {"module": module, "real": real}
        return spec

    @staticmethod
    def _mirrors(fullname: str, module: types.ModuleType) -> bool:
        # The real module may stand under this name only if the parent already exposes it
        # under the child name, so the import system's setattr(parent, child, module) is a no-op.
        parent_name, _, child = fullname.rpartition(".")
        parent = sys.modules.get(parent_name)
        return parent is not None and getattr(parent, child, None) is module

    def create_module(self, spec):
        state = spec.loader_state
        module = state["module"]
        if state["real"]:
            state["saved_spec"] = module.__spec__
            return module
        return AliasModule(spec.name, module)

    def exec_module(self, module):
        spec = module.__spec__
        state = getattr(spec, "loader_state", None) or {}
        if state.get("real") and spec.loader is self:
            # Give lamina's module its own spec back (the import system overwrote it).
            module.__spec__ = state["saved_spec"]


# --- install / uninstall --------------------------------------------------------------------
_finder: AliasFinder | None = None
_saved_modules: dict[str, types.ModuleType] = {}


def _hooked(name: str) -> bool:
    return any(_under(name, root) for root in HOOKED_ROOTS)


def is_installed() -> bool:
    """Whether ``keras``/``tensorflow`` imports are currently served by lamina."""
    return _finder is not None and _finder in sys.meta_path


def install() -> None:
    """Serve ``import keras``, ``import tensorflow`` (and their submodules) from lamina.

    Modules of a real TensorFlow/Keras already imported are set aside (names already bound to
    them keep pointing at them) and put back by :func:`uninstall`. Calling it twice is harmless.
    """
    global _finder
    if is_installed():
        return
    _saved_modules.clear()
    for name in [n for n in sys.modules if _hooked(n)]:
        _saved_modules[name] = sys.modules.pop(name)
    _finder = AliasFinder(HOOKED_ROOTS, proxies=True)
    sys.meta_path.insert(0, _finder)
    importlib.invalidate_caches()
    real = sorted({n.split(".")[0] for n in _saved_modules})
    if real:
        warnings.warn(
            f"{', '.join(real)} had already been imported before lamina's import hook was "
            "installed; names bound earlier still refer to the real package. Import again "
            "to get lamina.",
            stacklevel=2,
        )


def uninstall() -> None:
    """Undo :func:`install`: the finder goes and ``sys.modules`` gets back what it had."""
    global _finder
    if _finder is not None:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(_finder)
    _finder = None
    for name in [n for n in sys.modules if _hooked(n)]:
        del sys.modules[name]
    sys.modules.update(_saved_modules)
    _saved_modules.clear()
    importlib.invalidate_caches()


@contextlib.contextmanager
def enabled() -> Iterator[None]:
    """``with enabled():`` the hook is installed inside the block (if it was not already)."""
    was_installed = is_installed()
    install()
    try:
        yield
    finally:
        if not was_installed:
            uninstall()


# --- lamina.keras.* ---------------------------------------------------------------------------
_lamina_keras_finder: AliasFinder | None = None


def install_lamina_keras_paths() -> None:
    """Make ``lamina.keras.X`` importable (``from lamina.keras.layers import Dense``); permanent."""
    global _lamina_keras_finder
    if _lamina_keras_finder is None:
        _lamina_keras_finder = AliasFinder(("lamina.keras",), proxies=False)
    if _lamina_keras_finder not in sys.meta_path:
        sys.meta_path.insert(0, _lamina_keras_finder)
