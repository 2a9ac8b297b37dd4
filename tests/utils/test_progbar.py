"""lamina.utils.Progbar: Keras semantics, plain lines off a terminal, in-place on one."""

from __future__ import annotations

import io
import re
import sys

import numpy as np
import pytest

from lamina.utils import Progbar, output_style


@pytest.fixture(autouse=True)
def _style():
    previous = output_style.set_output_style("tf.keras2")
    yield
    output_style.set_output_style(previous)


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_plain_stream_gets_only_the_final_line(capsys):
    bar = Progbar(10)
    for i in range(1, 11):
        bar.update(i, [("loss", 1.0)])
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"10/10 \[==============================\] - \d+s \d+(s|ms|us)/step - loss: 1\.0000\n", out
    )


def test_non_stateful_values_are_averaged_by_steps(capsys):
    bar = Progbar(4)
    bar.update(1, [("loss", 4.0)])
    bar.update(4, [("loss", 0.0)])  # 3 steps at 0.0 -> (4*1 + 0*3) / 4
    assert "loss: 1.0000" in capsys.readouterr().out


def test_stateful_values_shown_as_given(capsys):
    bar = Progbar(4, stateful_metrics=["acc"])
    bar.update(1, {"acc": 0.25})
    bar.update(4, {"acc": 0.75})
    assert capsys.readouterr().out.rstrip().endswith("acc: 0.7500")


def test_add_advances(capsys):
    bar = Progbar(6)
    bar.add(2)
    bar.add(4, values=[("x", np.float32(2.0))])
    assert capsys.readouterr().out.startswith("6/6 [")


def test_partial_bar_shape_on_terminal(monkeypatch):
    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    bar = Progbar(20, width=10)
    bar.update(7, [("loss", 0.5)])
    first = tty.getvalue()
    assert first.startswith("\r 7/20 [==>.......] - ETA: ")
    bar.update(20, [("loss", 0.5)])
    redraw = tty.getvalue()[len(first) :]
    # backspaces over the whole previous bar, then a carriage return and the full bar
    assert redraw.startswith("\b" * (len(first) - 1) + "\r20/20 [==========] - ")
    assert redraw.endswith("\n")


def test_interval_limits_redraws_on_terminal(monkeypatch):
    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    bar = Progbar(1000, interval=3600)
    for i in range(1, 1000):
        bar.update(i)
    assert tty.getvalue().count("\r") == 1  # only the first one; the rest within the interval
    bar.update(1000)
    assert tty.getvalue().count("\r") == 2


def test_unknown_target(monkeypatch):
    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    bar = Progbar(None)
    bar.update(3)
    assert "      3/Unknown" in tty.getvalue()


def test_verbose2_line_and_verbose0_silence(capsys):
    bar = Progbar(5, verbose=2)
    bar.update(3, [("loss", 1.0)])
    assert capsys.readouterr().out == ""
    bar.update(5, [("loss", -2.0)])
    out = capsys.readouterr().out
    # tf.keras 2.x's verbose=2 prints values not above 1e-3 in e-notation, sign included
    assert re.fullmatch(
        r"5/5 - \d+s - loss: -2\.0000e-01 - \d+(s|ms|us)/epoch - \d+(s|ms|us)/step\n", out
    ), out
    silent = Progbar(5, verbose=0)
    silent.update(5, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_keras22_verbose2_line(capsys):
    output_style.set_output_style("keras2.2")
    bar = Progbar(5, verbose=2)
    bar.update(5, [("loss", 0.5)])
    assert capsys.readouterr().out == " - 0s - loss: 0.5000\n"


def test_unit_name_and_array_values(capsys):
    bar = Progbar(2, unit_name="sample")
    bar.update(2, [("per_class", np.array([0.5, 1.5])), ("note", "ok")])
    out = capsys.readouterr().out
    assert re.search(r"\d+(s|ms|us)/sample - per_class: 1\.0000 - note: ok\n$", out)


def test_attributes_match_keras():
    bar = Progbar(8, width=12, verbose=2, interval=0.5, stateful_metrics=["a"], unit_name="x")
    assert (bar.target, bar.width, bar.verbose, bar.interval, bar.unit_name) == (8, 12, 2, 0.5, "x")
    assert bar.stateful_metrics == {"a"}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"target": -1}, "target"),
        ({"target": "10"}, "target"),
        ({"target": 10, "width": 0}, "width"),
        ({"target": 10, "verbose": -1}, "verbose"),
        ({"target": 10, "interval": -0.1}, "interval"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        Progbar(**kwargs)


def test_output_style_switch_and_errors():
    assert output_style.get_output_style() == "tf.keras2"
    assert output_style.set_output_style("Keras2.2") == "tf.keras2"
    assert output_style.is_keras22()
    with output_style.output_style("tf.keras"):
        assert output_style.get_output_style() == "tf.keras2"
    assert output_style.get_output_style() == "keras2.2"
    with pytest.raises(ValueError, match="Unknown output style 'keras1'"):
        output_style.set_output_style("keras1")
    with pytest.raises(TypeError, match="style"):
        output_style.set_output_style(2)


def test_utils_namespace_is_lazy_and_complete():
    import subprocess

    code = (
        "import sys, lamina.utils as u; "
        "assert 'lamina.utils.progbar' not in sys.modules; "
        "u.Progbar; assert 'lamina.utils.progbar' in sys.modules; "
        "assert u.set_random_seed.__module__ == 'lamina.backend.random'; "
        "assert callable(u.set_output_style)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sequence_base_classes_feed_fit():
    import numpy as np

    import lamina as keras
    from lamina.utils import PyDataset, Sequence

    class Batches(Sequence):
        def __init__(self):
            self.ends = 0

        def __len__(self):
            return 3

        def __getitem__(self, i):
            x = np.full((4, 2), float(i), dtype="float32")
            return x, x.sum(axis=1, keepdims=True)

        def on_epoch_end(self):
            self.ends += 1

    seq = Batches()
    assert [b[0][0, 0] for b in seq] == [0.0, 1.0, 2.0]
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    history = model.fit(seq, epochs=2, verbose=0)
    assert history.params["steps"] == 3 and seq.ends >= 1
    assert PyDataset(workers=2).workers == 2
    with pytest.raises(ValueError, match="workers"):
        PyDataset(workers=0)
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Sequence())


def test_unknown_target_off_terminal_prints_progress_lines(capsys):
    bar = Progbar(None, interval=0)
    bar.update(5, [("loss", 1.0)])
    bar.update(9, [("loss", 1.0)])
    lines = capsys.readouterr().out.splitlines()
    assert [ln[:15] for ln in lines] == ["      5/Unknown", "      9/Unknown"]


def test_notebook_gets_plain_final_lines_even_on_a_tty(monkeypatch):
    import types

    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    bar = Progbar(3)
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 1.0)])
    out = tty.getvalue()
    assert "\r" not in out and "\b" not in out
    assert out.startswith("3/3 [") and out.count("\n") == 1


# -- the Keras 2.0 style -----------------------------------------------------------------------


class _Clock:
    """A stand-in for ``time.time`` that moves only when told, so timed output is exact."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = _Clock()
    monkeypatch.setattr("lamina.utils.progbar.time.time", fake)
    return fake


def test_keras20_style_names_and_aliases():
    for alias in ("keras2.0", "Keras20", "keras-2.0", "keras2.0.0", "keras2.0.8"):
        output_style.set_output_style(alias)
        assert output_style.get_output_style() == "keras2.0"
    assert output_style.is_keras20() and output_style.is_keras22()  # samples-based family
    assert output_style.display_name("val_accuracy") == "val_acc"
    output_style.set_output_style("keras2.3")
    assert not output_style.is_keras20() and output_style.display_name("accuracy") == "accuracy"
    # Keras 2.0.9 already printed per-sample times (as 2.1/2.2): not an alias of keras2.0
    with pytest.raises(ValueError, match="'keras2.0' \\(samples-based Keras 2.0 output"):
        output_style.set_output_style("keras2.0.9")


def test_keras20_off_a_terminal_prints_each_redraw_as_a_line(clock, capsys):
    output_style.set_output_style("keras2.0")
    bar = Progbar(100)
    clock.now += 2.0
    bar.update(32, [("loss", 1.0)])  # the first update always draws
    clock.now += 0.01
    bar.update(64, [("loss", 0.0)])  # within the 0.05 s interval: not drawn
    clock.now += 0.5
    bar.update(96, [("loss", 0.0)])
    clock.now += 0.4  # 2.91 s in all: Keras 2.0 truncated to whole seconds
    bar.update(100, [("loss", 0.0)])
    assert capsys.readouterr().out == (
        # ETA = 2.0 s / 32 * 68 = 4.25 s -> "4s"; no per-sample time on the final bar, which
        # is padded with blanks to the width of the line before it
        "\n 32/100 [========>.....................] - ETA: 4s - loss: 1.0000"
        "\n 96/100 [===========================>..] - ETA: 0s - loss: 0.3333"
        "\n100/100 [==============================] - 2s - loss: 0.3200     \n"
    )


def test_keras20_eta_in_whole_seconds_and_small_values(clock, capsys):
    output_style.set_output_style("keras2.0")
    bar = Progbar(1000)
    clock.now += 1.3
    bar.update(10, [("loss", -0.0005), ("acc", 0.0)])
    # 0.13 s a sample * 990 = 128.7 s: Keras 2.0 printed "128s", never "2:08"
    assert capsys.readouterr().out == (
        "\n  10/1000 [..............................] - ETA: 128s - loss: -5.0000e-04"
        " - acc: 0.0000e+00"
    )


def test_keras20_on_a_terminal_redraws_in_place(clock, monkeypatch):
    output_style.set_output_style("keras2.0")
    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    bar = Progbar(40, width=10)
    clock.now += 0.2
    bar.update(8)
    first = "\r 8/40 [=>........] - ETA: 0s"
    assert tty.getvalue() == first
    clock.now += 0.9
    bar.update(40)
    assert tty.getvalue() == first + "\b" * len(first[1:]) + "\r40/40 [==========] - 1s     \n"


def test_keras20_verbose2_line(clock, capsys):
    output_style.set_output_style("keras2.0")
    bar = Progbar(5, verbose=2)
    bar.update(3, [("loss", 1.0)])
    assert capsys.readouterr().out == ""
    clock.now += 3.7
    bar.update(5, [("loss", 0.5), ("acc", -0.25)])
    # no leading " - " (Keras 2.2 added it) and e-notation for values not above 1e-3
    assert capsys.readouterr().out == "3s - loss: 0.8000 - acc: -2.5000e-01\n"


def test_redraw_interval_counts_from_the_last_redraw(clock, monkeypatch):
    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    bar = Progbar(100, interval=0.05)
    for step in range(1, 100):  # an update every 0.0125 s: a redraw every 4th
        clock.now += 0.0125
        bar.update(step)
    assert tty.getvalue().count("\r") == 25
