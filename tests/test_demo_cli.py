"""The main job end to end: the ``lamina`` console script run in a subprocess, as a user would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from lamina.demo import confusion_matrix, format_confusion_matrix


def _lamina_script() -> str:
    script = shutil.which("lamina", path=os.path.dirname(sys.executable))
    assert script, f"the `lamina` console script is not installed beside {sys.executable}"
    return script


def _run(args, cwd, timeout=180) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(
        [_lamina_script(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _matrix_rows(stdout: str) -> np.ndarray:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("true\\pred"))
    header = lines[start].split()[1:]
    assert header == [str(d) for d in range(10)]
    rows = [lines[start + 1 + i].split() for i in range(10)]
    assert [row[0] for row in rows] == [str(d) for d in range(10)]
    return np.array([[int(v) for v in row[1:]] for row in rows])


def test_demo_trains_reports_and_saves_a_loadable_model(tmp_path):
    out = tmp_path / "models" / "digits.keras"
    proc = _run(["demo", "--epochs", "3", "--out", str(out)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stdout = proc.stdout

    # Keras progress output for every epoch, with the compiled metric and validation metrics.
    for epoch in (1, 2, 3):
        assert f"Epoch {epoch}/3" in stdout
    assert "accuracy:" in stdout and "val_loss:" in stdout
    assert "Epoch 4/3" not in stdout

    match = re.search(r"Test accuracy: (\d\.\d{4}) \((\d+)/(\d+) correct\)", stdout)
    assert match, stdout
    accuracy, correct, total = float(match[1]), int(match[2]), int(match[3])
    assert total > 100
    assert accuracy == pytest.approx(correct / total, abs=1e-4)
    assert accuracy > 0.5  # ten classes: chance is 0.1

    matrix = _matrix_rows(stdout)
    assert matrix.sum() == total
    assert np.trace(matrix) == correct

    assert out.is_file() and zipfile.is_zipfile(out)
    assert "same predictions" in stdout

    import lamina as keras

    model = keras.models.load_model(str(out))
    assert [layer.units for layer in model.layers] == [64, 32, 10]
    assert model.predict(np.zeros((2, 64), dtype="float32"), verbose=0).shape == (2, 10)


def test_demo_no_save_and_one_line_per_epoch(tmp_path):
    proc = _run(["demo", "--epochs", "2", "--no-save", "--verbose", "2"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Epoch 2/2" in proc.stdout
    assert "Test accuracy:" in proc.stdout
    assert list(tmp_path.iterdir()) == []  # nothing saved, not even the default file


def test_demo_help_lists_its_options(tmp_path):
    proc = _run(["demo", "--help"], cwd=tmp_path)
    assert proc.returncode == 0
    for option in ("--epochs", "--batch-size", "--out", "--seed", "--no-save"):
        assert option in proc.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--epochs", "0"], "--epochs: expected a positive integer, received 0"),
        (["--batch-size", "many"], "--batch-size: expected a positive integer, received 'many'"),
        (["--validation-split", "1.5"], "--validation-split: expected a number in [0, 1)"),
    ],
)
def test_demo_rejects_bad_arguments_clearly(tmp_path, args, expected):
    proc = _run(["demo", *args], cwd=tmp_path)
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    matrix = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], num_classes=3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    text = format_confusion_matrix(matrix)
    assert text.splitlines() == [
        "true\\pred    0   1   2",
        "        0    1   1   0",
        "        1    0   1   0",
        "        2    1   0   2",
    ]
    with pytest.raises(ValueError, match="same length, received 2 and 3"):
        confusion_matrix([0, 1], [0, 1, 1], num_classes=2)
