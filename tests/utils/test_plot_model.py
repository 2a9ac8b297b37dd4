"""plot_model / model_to_dot without Graphviz: matplotlib drawing, DOT text, notebook image."""

from __future__ import annotations

import struct
import sys
import types

import pytest

from lamina.utils import model_to_dot, plot_model
from lamina.utils.model_plot import DotGraph


class FakeLayer:
    def __init__(self, name, cls="Dense", shapes=((None, 4), (None, 2)), activation=None):
        self.name = name
        self.input_shape, self.output_shape = shapes
        self.trainable = True
        self.dtype = "float32"
        self.activation = activation
        self.__class__ = type(cls, (FakeLayer,), {})


class FakeSequential:
    """What plot_model reads from a Sequential model."""

    _is_graph_network = True
    built = True

    def __init__(self, layers, name="sequential", input_layer=None):
        self._seq_layers = list(layers)
        self._input_layer = input_layer
        self.name = name

    @property
    def layers(self):
        return list(self._seq_layers)


def relu(x):
    return x


def _seq():
    return FakeSequential(
        [
            FakeLayer("flatten", "Flatten", ((None, 28, 28), (None, 784))),
            FakeLayer("dense", "Dense", ((None, 784), (None, 4)), activation=relu),
            FakeLayer("dense_1", "Dense", ((None, 4), (None, 10))),
        ],
        input_layer=FakeLayer("flatten_input", "InputLayer", ([(None, 28, 28)], [(None, 28, 28)])),
    )


def _png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_png_is_written_and_notebook_image_returned(tmp_path):
    from IPython.display import Image

    out = tmp_path / "model.png"
    img = plot_model(_seq(), to_file=str(out))
    assert isinstance(img, Image)
    assert img.data == out.read_bytes()
    width, height = _png_size(out)
    assert width > 100 and height > 200  # four boxes stacked top to bottom


def test_lr_layout_is_wide_and_dpi_scales(tmp_path):
    a = tmp_path / "lr.png"
    plot_model(_seq(), to_file=a, rankdir="LR", dpi=96)
    width, height = _png_size(a)
    tb = tmp_path / "tb.png"
    plot_model(_seq(), to_file=tb, rankdir="TB", dpi=96)
    tb_width, tb_height = _png_size(tb)
    assert width > 2 * tb_width and height < tb_height / 2
    b = tmp_path / "lr2.png"
    plot_model(_seq(), to_file=b, rankdir="LR", dpi=192)
    assert _png_size(b)[0] == pytest.approx(2 * width, abs=2)


def test_svg_has_layer_texts_and_shapes(tmp_path):
    out = tmp_path / "m.svg"
    result = plot_model(
        _seq(), to_file=out, show_shapes=True, show_layer_activations=True, show_dtype=True
    )
    svg = out.read_text()
    for text in ("flatten_input: InputLayer", "dense: Dense", "(None, 784)", "relu", "float32"):
        assert text in svg, text
    assert type(result).__name__ == "SVG"


def test_without_ipython_the_path_is_returned(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    out = tmp_path / "sub" / "model.png"
    assert plot_model(_seq(), to_file=out) == str(out)
    assert out.exists()


def test_pdf_returns_path(tmp_path):
    out = tmp_path / "m.pdf"
    assert plot_model(_seq(), to_file=out) == str(out)
    assert out.read_bytes().startswith(b"%PDF")


def test_dot_text_of_sequential():
    text = model_to_dot(_seq(), show_shapes=True).to_string()
    assert "rankdir=TB" in text and "node [shape=record]" in text
    assert (
        'label="flatten_input: InputLayer|{input:|output:}|{[(None, 28, 28)]|[(None, 28, 28)]}"'
        in text
    )
    assert text.count("->") == 3


def test_label_options():
    text = model_to_dot(
        _seq(), show_layer_names=False, show_trainable=True, show_layer_activations=True
    ).to_string()
    assert 'label="T|{Dense|relu}"' in text
    assert "dense_1" not in text


def test_layer_range_by_name_and_regex():
    text = model_to_dot(_seq(), layer_range=["flatten", "dense$"]).to_string()
    assert "flatten: Flatten" in text and "dense: Dense" in text
    assert "InputLayer" not in text and "dense_1" not in text
    assert text.count("->") == 1
    with pytest.raises(ValueError, match="not in the model: 'conv'"):
        model_to_dot(_seq(), layer_range=["conv", "dense"])
    with pytest.raises(ValueError, match="two layer names"):
        model_to_dot(_seq(), layer_range=["dense"])


def test_bad_arguments(tmp_path):
    unbuilt = _seq()
    unbuilt.built = False
    with pytest.raises(ValueError, match="not yet been built"):
        plot_model(unbuilt, to_file=tmp_path / "x.png")
    with pytest.raises(ValueError, match="rankdir"):
        plot_model(_seq(), to_file=tmp_path / "x.png", rankdir="BT")
    with pytest.raises(ValueError, match="dpi"):
        plot_model(_seq(), to_file=tmp_path / "x.png", dpi=0)
    with pytest.raises(TypeError, match="model"):
        plot_model([1, 2], to_file=tmp_path / "x.png")


def test_dot_graph_needs_graphviz_to_render(monkeypatch, tmp_path):
    dot = model_to_dot(_seq())
    assert isinstance(dot, DotGraph)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="Graphviz"):
        dot.create(format="svg")
    dot.write(tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == dot.to_string()


def test_pydot_is_used_when_installed(monkeypatch):
    fake = types.ModuleType("pydot")
    fake.graph_from_dot_data = lambda source: [("pydot-graph", source)]
    monkeypatch.setitem(sys.modules, "pydot", fake)
    graph = model_to_dot(_seq())
    assert graph[0] == "pydot-graph" and "flatten: Flatten" in graph[1]


# -- real lamina models ------------------------------------------------------------------------


def _lamina_models():
    models = pytest.importorskip("lamina.models")
    if not hasattr(models, "Sequential"):
        pytest.skip("lamina.models is not written yet")
    import lamina

    return lamina


def test_seed_model_plot(tmp_path):
    tf = _lamina_models()
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Flatten(input_shape=(28, 28)),
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(10, activation="softmax"),
        ]
    )
    out = tmp_path / "model.svg"
    plot_model(model, to_file=out, show_shapes=True)
    svg = out.read_text()
    assert "flatten_input: InputLayer" in svg and "(None, 784)" in svg and "(None, 10)" in svg


def test_functional_graph_edges_and_nested_expansion():
    tf = _lamina_models()
    inp = tf.keras.Input((8,), name="x")
    a = tf.keras.layers.Dense(4, name="a")(inp)
    b = tf.keras.layers.Dense(4, name="b")(inp)
    c = tf.keras.layers.Concatenate(name="c")([a, b])
    inner = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(3, input_shape=(8,), name="i1"),
            tf.keras.layers.Dense(2, name="i2"),
        ],
        name="inner",
    )
    out = tf.keras.layers.Dense(1, name="out")(inner(c))
    model = tf.keras.Model(inp, out)

    def edges(text):
        names = dict(
            (line.split('"')[1], line.split('label="')[1].split(":")[0])
            for line in text.splitlines()
            if "label=" in line
            and "->" not in line
            and "cluster" not in line
            and line.strip().startswith('"')
        )
        return {
            (names[line.split('"')[1]], names[line.split('"')[3]])
            for line in text.splitlines()
            if "->" in line
        }

    flat = edges(model_to_dot(model).to_string())
    assert flat == {
        ("x", "a"),
        ("x", "b"),
        ("a", "c"),
        ("b", "c"),
        ("c", "inner"),
        ("inner", "out"),
    }
    nested_text = model_to_dot(model, expand_nested=True).to_string()
    assert "subgraph cluster_0" in nested_text and 'label="inner"' in nested_text
    assert edges(nested_text) == {
        ("x", "a"),
        ("x", "b"),
        ("a", "c"),
        ("b", "c"),
        ("c", "i1"),
        ("i1", "i2"),
        ("i2", "out"),
    }


def test_very_deep_model_png_stays_within_raster_limits(tmp_path, monkeypatch):
    monkeypatch.setattr("lamina.utils.model_plot._MAX_PIXELS", 1500)
    layers = [FakeLayer(f"dense_{i}", "Dense") for i in range(60)]
    out = tmp_path / "deep.png"
    plot_model(FakeSequential(layers), to_file=out, dpi=300)
    width, height = _png_size(out)
    assert 1000 < height <= 1501 and width > 10
