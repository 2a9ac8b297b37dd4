"""The import hook: keras/tensorflow module paths served by lamina, and sys.modules given back."""

from __future__ import annotations

import importlib
import pickle
import sys

import pytest

import lamina
from lamina import compat
from lamina.compat.hook import AliasModule, UnsupportedModuleError, keras_path, resolve

HOOKED = ("keras", "tensorflow", "tf_keras")


def _hooked_modules() -> dict:
    return {
        n: m for n, m in sys.modules.items() if any(n == r or n.startswith(r + ".") for r in HOOKED)
    }


@pytest.fixture
def hook():
    """The hook installed for one test, always removed afterwards."""
    compat.install()
    try:
        yield
    finally:
        compat.uninstall()


@pytest.fixture
def fake_real_packages(tmp_path, monkeypatch):
    """Stand-ins for an installed TensorFlow and Keras, importable from sys.path."""
    for name in HOOKED:
        pkg = tmp_path / name
        pkg.mkdir()
        (pkg / "__init__.py").write_text(f"ORIGIN = 'installed {name}'\n")
        (pkg / "layers.py").write_text("ORIGIN = 'installed layers'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = _hooked_modules()
    for name in saved:
        del sys.modules[name]
    importlib.invalidate_caches()
    yield
    for name in list(_hooked_modules()):
        del sys.modules[name]
    sys.modules.update(saved)


def test_nothing_is_hooked_until_install_is_called(fake_real_packages):
    import lamina.compat  # noqa: F401  (importing the package must not hook anything)

    meta_path = list(sys.meta_path)
    import keras
    import tensorflow

    assert keras.ORIGIN == "installed keras"
    assert tensorflow.ORIGIN == "installed tensorflow"
    assert sys.meta_path == meta_path
    assert not compat.is_installed()


def test_uninstall_gives_back_the_installed_packages_exactly(fake_real_packages):
    import keras
    import keras.layers

    before_modules = _hooked_modules()
    before_meta_path = list(sys.meta_path)
    with pytest.warns(UserWarning, match="keras had already been imported"):
        compat.install()
    try:
        assert "keras" not in sys.modules
        import keras as served
        import tensorflow as tf

        assert isinstance(served, AliasModule) and isinstance(tf, AliasModule)
        assert tf.keras is lamina and served.optimizers is lamina.optimizers
        assert keras.ORIGIN == "installed keras"  # names bound before install() are untouched
    finally:
        compat.uninstall()
    assert _hooked_modules() == before_modules
    assert sys.meta_path == before_meta_path
    import keras as again

    assert again is before_modules["keras"] and again.ORIGIN == "installed keras"
    assert keras.layers.ORIGIN == "installed layers"


def test_imports_resolve_to_lamina_modules(hook):
    import keras
    import tensorflow as tf
    import tensorflow.keras.optimizers
    from keras.callbacks import EarlyStopping
    from keras.optimizers import SGD
    from tensorflow.keras import backend as K
    from tensorflow.keras.optimizers import Adam

    assert SGD is lamina.optimizers.SGD and Adam is lamina.optimizers.Adam
    assert EarlyStopping is lamina.callbacks.EarlyStopping
    assert K is lamina.backend and K.epsilon() == lamina.backend.epsilon()
    assert keras.optimizers.SGD is SGD  # keras.optimizers is now the served module
    assert tf.keras.optimizers.SGD is SGD and tf.keras.Tensor is lamina.Tensor
    served = sys.modules["tensorflow.keras.optimizers"]
    assert isinstance(served, AliasModule) and served.SGD is SGD
    assert repr(served) == "<module 'tensorflow.keras.optimizers' (served by 'lamina.optimizers')>"
    assert float(tf.constant(2.0) * 3.0) == 6.0


@pytest.mark.parametrize(
    "name, target",
    [
        ("keras", "lamina"),
        ("tensorflow", "lamina"),
        ("tensorflow.keras", "lamina"),
        ("tf_keras.backend", "lamina.backend"),
        ("keras.src.backend", "lamina.backend"),
        ("keras.engine.sequential", "lamina.models"),
        ("tensorflow.keras.layers.core", "lamina.layers"),
        ("keras.utils.np_utils", "lamina.utils"),
        ("keras.utils.vis_utils", "lamina.utils"),
        ("keras.optimizer_v2.adam", "lamina.optimizers"),
        ("keras.optimizers.schedules", "lamina.optimizers.schedules"),
        ("keras.datasets.mnist", "lamina.datasets.mnist"),
        ("tensorflow.math", "lamina.math"),
        ("tensorflow.random", "lamina.random"),
    ],
)
def test_module_paths_map_to_lamina(name, target):
    assert resolve(name).__name__ == target


def test_keras_path_spellings():
    assert keras_path("tensorflow.keras.layers") == "keras.layers"
    assert keras_path("tensorflow.python.keras.engine") == "keras.engine"
    assert keras_path("tf_keras") == "keras"
    assert keras_path("keras._tf_keras.keras.models") == "keras.models"
    assert keras_path("keras_tuner") is None
    assert keras_path("tensorflow.math") is None


def test_legacy_paths_do_not_write_onto_lamina_modules(hook):
    real_submodule = sys.modules.get("lamina.models.sequential")
    import keras.engine.sequential
    import keras.utils.vis_utils  # noqa: F401

    assert keras.engine.sequential.__name__ == "keras.engine.sequential"

    # the import system sets the child on its parent: that must be the served module, not lamina
    assert "vis_utils" not in vars(lamina.utils)
    assert sys.modules.get("lamina.models.sequential") is real_submodule


def test_unsupported_module_names_what_is_missing(hook):
    with pytest.raises(UnsupportedModuleError, match=r"no counterpart for `tensorflow\.data`"):
        import tensorflow.data.experimental  # noqa: F401
    with pytest.raises(ModuleNotFoundError):  # still an ImportError for try/except probes
        import keras.applications.nonexistent_net  # noqa: F401
    import tensorflow as tf

    with pytest.raises(AttributeError, match=r"has no `tensorflow\.data`"):
        tf.data.experimental.AUTOTUNE  # noqa: B018


def test_unsupported_error_is_a_module_not_found_error():
    err = UnsupportedModuleError("tensorflow.data", "tensorflow.data.experimental")
    assert isinstance(err, ModuleNotFoundError)
    assert err.name == "tensorflow.data.experimental"
    assert "(needed to import `tensorflow.data.experimental`)" in str(err)
    again = pickle.loads(pickle.dumps(err))  # crosses process boundaries intact
    assert str(again) == str(err) and again.requested == err.requested


def test_enabled_context_manager_and_idempotent_install():
    assert not compat.is_installed()
    with compat.enabled():
        compat.install()  # a second install is harmless
        import keras

        assert isinstance(keras, AliasModule)
        assert compat.is_installed()
    assert not compat.is_installed()
    assert "keras" not in sys.modules or not isinstance(sys.modules["keras"], AliasModule)


def test_lamina_keras_paths_are_lamina_modules():
    import lamina.keras
    import lamina.keras.backend
    from lamina.keras.optimizers import SGD

    assert lamina.keras is lamina
    assert lamina.keras.backend is lamina.backend
    assert sys.modules["lamina.keras.backend"] is lamina.backend
    assert lamina.backend.__spec__.name == "lamina.backend"  # its own spec kept
    assert SGD is lamina.optimizers.SGD
    assert not compat.is_installed()  # lamina.keras paths need no hook for keras/tensorflow
    with pytest.raises(ModuleNotFoundError, match="lamina has no module `lamina.keras.nothing`"):
        import lamina.keras.nothing  # noqa: F401


def test_star_import_from_a_served_module(hook, tmp_path):
    code = "from keras.callbacks import *\nresult = EarlyStopping\n"
    namespace: dict = {}
    exec(compile(code, str(tmp_path / "star.py"), "exec"), namespace)
    assert namespace["result"] is lamina.callbacks.EarlyStopping


def test_ipython_extension_installs_and_removes_the_hook(capsys):
    lamina.load_ipython_extension(None)
    try:
        assert compat.is_installed()
        assert "now use lamina" in capsys.readouterr().out
        import tensorflow as tf

        assert tf.keras is lamina
    finally:
        lamina.unload_ipython_extension(None)
    assert not compat.is_installed()


def test_alias_module_dir_lists_lamina_names(hook):
    import keras.callbacks

    names = dir(keras.callbacks)
    assert "EarlyStopping" in names and "_lamina_target" not in names


def test_resolve_rejects_other_names():
    with pytest.raises(ValueError, match="received 'numpy'"):
        resolve("numpy")


def test_lazy_lamina_name_without_its_module_is_unsupported(hook, monkeypatch):
    # lamina.__getattr__ maps names to modules imported on first use; one not written yet
    monkeypatch.setitem(lamina._LAZY, "imaginary", ("lamina.imaginary", None))
    with pytest.raises(UnsupportedModuleError, match=r"`keras\.imaginary`"):
        from keras.imaginary import Thing  # noqa: F401
