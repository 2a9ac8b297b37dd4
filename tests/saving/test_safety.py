"""Loading never runs code from a file, and bad files fail with lamina's documented error."""

import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from saving_helpers import make_model, toy_data

import lamina as keras
from lamina.models import load_model
from lamina.saving import ModelFileError


def _saved(tmp_path, ext=".keras"):
    model = make_model()
    model.fit(*toy_data(), epochs=1, verbose=0)
    path = str(tmp_path / f"m{ext}")
    model.save(path)
    return path


def _rewrite_config(path, out, mutate):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(members["config.json"])
    mutate(config)
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(out, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    return str(out)


def test_lambda_layer_is_refused_in_safe_mode(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2)])
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ValueError, match="(?i)lambda|safe"):
        load_model(path)


def test_unknown_class_is_refused_and_custom_objects_accept_it(tmp_path):
    @keras.saving.register_keras_serializable(package="test_safety")
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return x * 2

    model = keras.Sequential([keras.Input((3,)), Doubler(name="doubler")])
    path = str(tmp_path / "custom.keras")
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(np.ones((1, 3)), verbose=0), 2 * np.ones((1, 3)))
    bad = _rewrite_config(
        path,
        tmp_path / "bad.keras",
        lambda c: c["config"]["layers"][1].update(
            class_name="NotAClass", registered_name="nowhere>NotAClass"
        ),
    )
    with pytest.raises(ModelFileError, match="bad.keras"):
        load_model(bad)


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda c: c["config"]["layers"][1]["config"].update(units="five"), "rebuilt"),
        (lambda c: c["config"]["layers"][1]["config"].update(units=7), "shape"),
        (lambda c: c.pop("class_name"), "class_name"),
        (
            lambda c: c["config"]["layers"].append(
                {"class_name": "Dense", "config": {"units": 2, "name": "ghost"}}
            ),
            "ghost",
        ),
    ],
)
def test_inconsistent_configs_raise_model_file_error(tmp_path, mutate, reason):
    path = _saved(tmp_path)
    bad = _rewrite_config(path, tmp_path / "bad.keras", mutate)
    with pytest.raises(ModelFileError, match=reason):
        load_model(bad)


def test_not_a_zip_and_truncated_files(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"this is not a model")
    with pytest.raises(ModelFileError, match="junk.keras"):
        load_model(str(junk))
    path = _saved(tmp_path)
    data = open(path, "rb").read()
    cut = tmp_path / "cut.keras"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="cut.keras"):
        load_model(str(cut))
    h5 = _saved(tmp_path, ".h5")
    cut_h5 = tmp_path / "cut.h5"
    cut_h5.write_bytes(open(h5, "rb").read()[:3000])
    with pytest.raises(ModelFileError, match="cut.h5"):
        load_model(str(cut_h5))


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere"):
        load_model(str(tmp_path / "nothere.keras"))


def test_zip_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", "{}")
        zf.writestr("config.json", b" " * (80 * 2**20))  # 80 MiB of spaces, tiny compressed
    with pytest.raises(ModelFileError, match="bomb.keras"):
        load_model(str(bomb))


def test_wrong_hdf5_layout(tmp_path):
    import h5py

    path = tmp_path / "wrong.h5"
    with h5py.File(path, "w") as h5:
        h5.attrs["model_config"] = json.dumps(
            {
                "class_name": "Sequential",
                "config": {
                    "name": "s",
                    "layers": [
                        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3]}},
                        {"class_name": "Dense", "config": {"units": 2, "name": "d"}},
                    ],
                },
            }
        )
        h5.create_group("model_weights").attrs["layer_names"] = np.array([b"d"])
    with pytest.raises(ModelFileError, match="wrong.h5"):
        load_model(str(path))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzz_mutated_files_only_raise_model_file_error(tmp_path_factory, data):
    base = tmp_path_factory.getbasetemp() / "fuzz_base"
    base.mkdir(exist_ok=True)
    ext = data.draw(st.sampled_from([".keras", ".h5"]))
    path = base / f"m{ext}"
    if not path.exists():
        _saved(base, ext)
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    target = base / f"mutated{ext}"
    target.write_bytes(bytes(raw))
    try:
        load_model(str(target))
    except ModelFileError:
        pass
