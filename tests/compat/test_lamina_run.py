"""``lamina run`` on scripts and notebooks, in a subprocess as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lamina.cli import main, parse_run_args

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def lamina_run(*args, cwd, timeout=120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("MPLBACKEND", None)
    env.pop("LAMINA_EXAMPLES_FAST", None)
    return subprocess.run(
        [sys.executable, "-m", "lamina.cli", "run", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def write_script(path, code: str):
    path.write_text(textwrap.dedent(code))
    return path


def write_notebook(path, *cells):
    nb = new_notebook()
    for cell in cells:
        if isinstance(cell, str):
            nb.cells.append(new_code_cell(cell))
        else:
            nb.cells.append(cell)
    nbformat.write(nb, str(path))
    return path


# --- scripts ------------------------------------------------------------------------------------
def test_script_runs_as_main_with_its_arguments_and_keras_served_by_lamina(tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 41\n")
    script = write_script(
        tmp_path / "train.py",
        """
        import sys
        import keras
        import tensorflow as tf
        from tensorflow.keras import backend as K
        from helper import VALUE  # the script's folder is on sys.path
        print("name", __name__)
        print("argv", sys.argv[1:])
        print("keras", type(keras).__name__, keras.__name__)
        print("value", VALUE + 1, float(tf.reduce_sum(tf.constant([1.0, 2.0]))), K.epsilon())
        """,
    )
    proc = lamina_run(script, "--epochs", "3", "x", cwd=tmp_path.parent)
    assert proc.returncode == 0, proc.stderr
    assert "name __main__" in proc.stdout
    assert "argv ['--epochs', '3', 'x']" in proc.stdout
    assert "keras AliasModule keras" in proc.stdout
    assert "value 42 3.0 1e-07" in proc.stdout


def test_script_error_shows_the_users_traceback_only(tmp_path):
    script = write_script(
        tmp_path / "broken.py",
        """
        def divide():
            return 1 / 0

        divide()
        """,
    )
    proc = lamina_run(script, cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback (most recent call last):" in proc.stderr
    assert 'broken.py", line 5, in <module>' in proc.stderr
    assert "ZeroDivisionError: division by zero" in proc.stderr
    for internal in ("runpy", "compat/runner.py", "compat/hook.py"):
        assert internal not in proc.stderr


def test_script_importing_missing_tensorflow_part_gets_a_clear_message(tmp_path):
    script = write_script(
        tmp_path / "pipeline.py",
        """
        import tensorflow as tf
        from tensorflow.data.experimental import AUTOTUNE
        """,
    )
    proc = lamina_run(script, cwd=tmp_path)
    assert proc.returncode == 1
    assert "lamina has no counterpart for `tensorflow.data`" in proc.stderr
    assert "pipeline.py, line 3: from tensorflow.data.experimental import AUTOTUNE" in proc.stderr
    assert "Traceback" not in proc.stderr and "hook.py" not in proc.stderr


def test_script_importing_a_name_lamina_lacks_gets_a_note(tmp_path):
    script = write_script(
        tmp_path / "apps.py",
        """
        from keras.layers import Dense
        from keras.layers import NoSuchLayer
        """,
    )
    proc = lamina_run(script, cwd=tmp_path)
    assert proc.returncode == 1
    assert "ImportError: cannot import name 'NoSuchLayer' from 'keras.layers'" in proc.stderr
    assert (
        "note: `keras.layers` is served by lamina (lamina.layers), which has no `NoSuchLayer`."
        in (proc.stderr)
    )


def test_script_exit_status_is_passed_on(tmp_path):
    script = write_script(tmp_path / "quit.py", "import sys\nsys.exit(3)\n")
    assert lamina_run(script, cwd=tmp_path).returncode == 3


def test_script_figures_are_saved_with_out(tmp_path):
    script = write_script(
        tmp_path / "plot.py",
        """
        import matplotlib.pyplot as plt
        plt.plot([1, 2, 3])
        plt.show()
        plt.plot([3, 2, 1])  # still open at the end: saved too
        """,
    )
    proc = lamina_run(script, "--out", tmp_path / "figs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    saved = sorted(p.name for p in (tmp_path / "figs").iterdir())
    assert saved == ["figure-1.png", "figure-2.png"]
    assert (tmp_path / "figs" / "figure-1.png").read_bytes().startswith(PNG_MAGIC)
    assert "figure saved:" in proc.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["nope.py"], "no such file: 'nope.py'"),
        (["."], "is a directory"),
        (["--save-notebook", "o.ipynb", "s.py"], "--save-notebook needs an .ipynb notebook"),
        (["--bogus", "s.py"], "unrecognized option '--bogus'"),
        ([], "expected PATH"),
        (["s.py", "--out"], "--out: expected a value"),
    ],
)
def test_bad_input_is_reported_without_traceback(tmp_path, args, message):
    (tmp_path / "s.py").write_text("print('ran')\n")
    proc = lamina_run(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and "ran" not in proc.stdout


# --- notebooks ----------------------------------------------------------------------------------
def test_notebook_runs_cell_by_cell_with_magics_figures_and_saved_outputs(tmp_path):
    nb_path = write_notebook(
        tmp_path / "tutorial.ipynb",
        new_markdown_cell("# A tutorial"),
        "import tensorflow as tf\nprint('hello from cell 1')\ntf.constant([1.0, 2.0])",
        "%%time\ntotal = sum(range(10))\ntotal",
        "!pip install tensorflow\n%pip install keras",
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2, 3]);",
        "%load_ext autoreload\n%autoreload 2\n%load_ext lamina\nimport sys\n"
        "print('warning text', file=sys.stderr)\nprint(sys.argv[1:])\n"
        "sys.stdout.buffer.write(b'raw bytes\\n'); sys.stdout.buffer.flush()",
        "",
    )
    saved = tmp_path / "out" / "executed.ipynb"
    proc = lamina_run(
        nb_path, "a1", "--out", tmp_path / "figs", "--save-notebook", saved, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "In [1]: import tensorflow as tf" in out
    assert "hello from cell 1" in out
    assert "Out[1]: <lamina.Tensor: shape=(2,), dtype=float32" in out
    assert "Wall time:" in out and "Out[2]: 45" in out
    assert "skipped `!pip install tensorflow`" in out and "skipped `%pip install keras`" in out
    assert "['a1']" in out and "raw bytes" in out
    assert "tutorial.ipynb: 5 cells run" in out
    figure = tmp_path / "figs" / "cell4_1.png"
    assert figure.read_bytes().startswith(PNG_MAGIC)
    assert f"-> {figure}" in out

    nb = nbformat.read(str(saved), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3, 4, 5, None]
    kinds = [[o.output_type for o in c.outputs] for c in code]
    assert kinds[0] == ["stream", "execute_result"]
    assert code[0].outputs[0].text == "hello from cell 1\n"
    assert code[1].outputs[-1].data["text/plain"] == "45"
    assert "display_data" in kinds[3]
    image = next(o for o in code[3].outputs if o.output_type == "display_data")
    assert image.data["image/png"]  # base64 text, as Jupyter stores it
    streams = {o.name: o.text for o in code[4].outputs if o.output_type == "stream"}
    assert streams["stderr"] == "warning text\n" and "['a1']" in streams["stdout"]


def test_notebook_stops_at_the_first_error_unless_keep_going(tmp_path):
    nb_path = write_notebook(
        tmp_path / "nb.ipynb",
        "print('first')",
        "undefined_name + 1",
        "print('third')",
    )
    proc = lamina_run(nb_path, cwd=tmp_path)
    assert proc.returncode == 1
    assert "first" in proc.stdout and "third" not in proc.stdout
    assert "Error in cell 2:" in proc.stdout
    assert "NameError: name 'undefined_name' is not defined" in proc.stdout
    assert "stopped after the error in cell 2; 1 later cells not run" in proc.stderr
    assert "error in cell 2: NameError" in proc.stderr

    proc = lamina_run(
        nb_path, "--keep-going", "--save-notebook", tmp_path / "o.ipynb", cwd=tmp_path
    )
    assert proc.returncode == 1
    assert "third" in proc.stdout
    assert "3 cells run, 1 failed (cells 2)" in proc.stdout
    nb = nbformat.read(str(tmp_path / "o.ipynb"), as_version=4)
    error = nb.cells[1].outputs[0]
    assert error.output_type == "error" and error.ename == "NameError"
    assert any("undefined_name" in line for line in error.traceback)


def test_cells_tagged_raises_exception_may_fail(tmp_path):
    broken = new_code_cell(
        "model.add(Dense(   , activation= ))", metadata={"tags": ["raises-exception"]}
    )
    nb_path = write_notebook(tmp_path / "exercise.ipynb", broken, "print('after')")
    proc = lamina_run(nb_path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SyntaxError" in proc.stdout
    assert "cell 1 raised SyntaxError, as expected" in proc.stdout
    assert "after" in proc.stdout
    assert "2 cells run, 1 raised as expected (cells 1)" in proc.stdout


def test_notebook_cell_importing_missing_tensorflow_part(tmp_path):
    nb_path = write_notebook(tmp_path / "nb.ipynb", "import tensorflow.data.experimental")
    proc = lamina_run(nb_path, cwd=tmp_path)
    assert proc.returncode == 1
    assert "lamina has no counterpart for `tensorflow.data`" in proc.stdout
    assert "at cell 1, line 1: import tensorflow.data.experimental" in proc.stdout
    assert "hook.py" not in proc.stdout + proc.stderr


def test_matplotlib_gui_backends_become_inline(tmp_path):
    nb_path = write_notebook(
        tmp_path / "nb.ipynb",
        "%matplotlib notebook\nimport matplotlib.pyplot as plt\nplt.plot([1, 2]);",
    )
    proc = lamina_run(nb_path, "--out", tmp_path / "figs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "`%matplotlib notebook`: figures are shown inline" in proc.stdout
    assert (tmp_path / "figs" / "cell1_1.png").read_bytes().startswith(PNG_MAGIC)


def test_notebook_of_another_language_is_refused(tmp_path):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    nb.cells.append(new_code_cell("print('hi')"))
    nbformat.write(nb, str(tmp_path / "r.ipynb"))
    proc = lamina_run(tmp_path / "r.ipynb", cwd=tmp_path)
    assert proc.returncode == 2
    assert "is a notebook in R; lamina run runs Python notebooks" in proc.stderr


def test_notebook_runs_in_its_own_folder(tmp_path):
    folder = tmp_path / "lesson"
    folder.mkdir()
    (folder / "data.csv").write_text("a,b\n1,2\n")
    nb_path = write_notebook(folder / "nb.ipynb", "print(open('data.csv').read().split()[1])")
    proc = lamina_run(nb_path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1,2" in proc.stdout


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "is not a valid notebook: not JSON (line 1, column 2"),
        ("[1, 2]", "expected a JSON object with 'cells', received list"),
        (
            json.dumps({"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5}),
            "is not a valid notebook (nbformat)",
        ),
    ],
)
def test_invalid_notebooks_are_reported_clearly(tmp_path, content, message):
    path = tmp_path / "bad.ipynb"
    path.write_text(content)
    proc = lamina_run(path, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


# --- the command line -----------------------------------------------------------------------------
def test_parse_run_args_splits_lamina_options_from_script_arguments():
    opts = parse_run_args(["--keep-going", "nb.ipynb", "x", "--out", "figs", "--", "--out", "y"])
    assert opts["path"] == "nb.ipynb"
    assert opts["argv"] == ["x", "--out", "y"]
    assert opts["out"] == "figs" and opts["keep_going"] is True
    opts = parse_run_args(["--save-notebook=o.ipynb", "--", "s.py", "-v"])
    assert opts["path"] == "s.py" and opts["argv"] == ["-v"]
    assert opts["save_notebook"] == "o.ipynb"


def test_version_and_usage(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("lamina 0.")
    assert main([]) == 2
    assert "{run,demo}" in capsys.readouterr().out
    assert main(["run", "--help"]) == 0
    assert "--save-notebook OUT.ipynb" in capsys.readouterr().out


def test_run_path_in_process(tmp_path, capsys):
    from lamina.compat import is_installed, run_path

    script = write_script(tmp_path / "s.py", "import keras\nprint('served', keras.__name__)\n")
    assert run_path(script, ["a"]) == 0
    assert "served keras" in capsys.readouterr().out
    assert not is_installed()  # the hook is only there for the run
    assert "keras" not in sys.modules or sys.modules["keras"].__class__.__name__ != "AliasModule"


def test_script_runs_import_no_notebook_machinery(tmp_path):
    script = write_script(
        tmp_path / "probe.py",
        """
        import sys
        import keras
        heavy = [m for m in ("IPython", "nbformat", "matplotlib") if m in sys.modules]
        print("heavy", heavy)
        """,
    )
    proc = lamina_run(script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "heavy []" in proc.stdout


def test_load_ext_lamina_in_an_ipython_session(tmp_path):
    code = textwrap.dedent(
        """
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_cell("%load_ext lamina")
        shell.run_cell("import tensorflow as tf; print('served', type(tf).__name__, tf.keras.__name__)")
        shell.run_cell("%unload_ext lamina")
        shell.run_cell("import sys; print('after', 'tensorflow' in sys.modules)")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "now use lamina in this session" in proc.stdout
    assert "served AliasModule lamina" in proc.stdout
    assert "after False" in proc.stdout


def test_fast_mode_trains_on_fewer_samples_with_the_same_epochs(tmp_path):
    script = write_script(
        tmp_path / "train.py",
        """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import Dense
        X = np.random.rand(500, 3).astype("float32")
        y = (X.sum(axis=1) > 1.5).astype("float32")
        model = Sequential([Dense(1, activation="sigmoid", input_shape=(3,))])
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        history = model.fit(X, y, epochs=3, batch_size=10, validation_data=(X, y), verbose=0)
        print("epochs", len(history.history["loss"]), "steps", history.params["steps"])
        """,
    )
    env_fast = dict(os.environ, LAMINA_EXAMPLES_FAST="20")
    proc = subprocess.run(
        [sys.executable, "-m", "lamina.cli", "run", str(script)],
        cwd=tmp_path,
        env=env_fast,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "fit() trains on the first 20 samples" in proc.stdout
    assert "epochs 3 steps 2" in proc.stdout
    proc = lamina_run(script, cwd=tmp_path)
    assert "epochs 3 steps 50" in proc.stdout
    env_bad = dict(os.environ, LAMINA_EXAMPLES_FAST="lots")
    proc = subprocess.run(
        [sys.executable, "-m", "lamina.cli", "run", str(script)],
        cwd=tmp_path,
        env=env_bad,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "$LAMINA_EXAMPLES_FAST must be 1 (on) or a number of samples, received 'lots'" in (
        proc.stderr
    )


def test_run_path_refuses_a_notebook_inside_another_ipython_session(tmp_path):
    nb_path = write_notebook(tmp_path / "nb.ipynb", "print('ran')")
    code = textwrap.dedent(
        f"""
        from IPython.core.interactiveshell import InteractiveShell
        from lamina.compat import run_path
        from lamina.compat.runner import RunError
        shell = InteractiveShell.instance()
        try:
            run_path({str(nb_path)!r})
        except RunError as e:
            print("refused:", e)
        print("same shell:", InteractiveShell.instance() is shell)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "refused: cannot run a notebook inside a running IPython session" in proc.stdout
    assert "same shell: True" in proc.stdout and "ran" not in proc.stdout.replace("refused", "")


def test_autoreload_never_reloads_lamina_during_a_run(tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 1\n")
    nb_path = write_notebook(
        tmp_path / "nb.ipynb",
        "%load_ext autoreload\n%autoreload 2",
        "import tensorflow as tf\nimport helper\nx = tf.constant([1.0])",
        "reloader = get_ipython().magics_manager.registry['AutoreloadMagics']._reloader\n"
        "print('skipped', 'lamina.autodiff.tensor' in reloader.skip_modules,"
        " 'tensorflow' in reloader.skip_modules, 'helper' in reloader.skip_modules)",
    )
    proc = lamina_run(nb_path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "skipped True True False" in proc.stdout  # the user's own modules still reload


def test_output_style_reproduces_older_keras_output(tmp_path):
    script = write_script(
        tmp_path / "fit.py",
        """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import Dense
        X = np.random.rand(100, 3).astype("float32")
        y = (X.sum(axis=1) > 1.5).astype("float32")
        model = Sequential([Dense(1, activation="sigmoid", input_shape=(3,))])
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit(X, y, epochs=2, validation_split=0.2, verbose=2)
        print(sorted(history.history))
        """,
    )
    proc = lamina_run("--output-style", "keras2.2", script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Train on 80 samples, validate on 20 samples" in proc.stdout
    assert " - val_acc: " in proc.stdout
    proc = lamina_run(script, cwd=tmp_path)  # the default: tf.keras 2.x
    assert "Train on" not in proc.stdout and "3/3 - 0s - loss:" in proc.stdout
    proc = lamina_run("--output-style", "keras9", script, cwd=tmp_path)
    assert proc.returncode == 2
    assert "--output-style: Unknown output style 'keras9'" in proc.stderr


def test_notebooks_without_ipython_installed_get_an_install_hint(tmp_path):
    nb_path = write_notebook(tmp_path / "nb.ipynb", "print('ran')")
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["IPython"] = None  # as if IPython were not installed
        from lamina.cli import main
        sys.exit(main(["run", {str(nb_path)!r}]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert "running notebooks needs IPython, which is not installed" in proc.stderr
    assert "pip install 'lamina[notebook]'" in proc.stderr


def test_chained_errors_keep_both_tracebacks_without_runner_frames(tmp_path):
    script = write_script(
        tmp_path / "chain.py",
        """
        try:
            {}["missing"]
        except KeyError as e:
            raise RuntimeError("lookup failed") from e
        """,
    )
    proc = lamina_run(script, cwd=tmp_path)
    assert proc.returncode == 1
    assert "KeyError: 'missing'" in proc.stderr
    assert "The above exception was the direct cause" in proc.stderr
    assert "RuntimeError: lookup failed" in proc.stderr
    assert "runpy" not in proc.stderr and "compat" not in proc.stderr
