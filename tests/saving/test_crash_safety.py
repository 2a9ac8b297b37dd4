"""A process killed mid-save leaves the previous file intact; a training run killed mid-way
resumes with BackupAndRestore and ends exactly as a run never interrupted."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from lamina.models import load_model

SAVER = textwrap.dedent("""
    import sys, numpy as np
    import lamina as keras
    np.random.seed(0)
    model = keras.Sequential([keras.Input((200,)), keras.layers.Dense(400),
                              keras.layers.Dense(400), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    path = sys.argv[1]
    model.save(path)
    print("first", flush=True)
    i = 0
    while True:
        for w in model.weights:
            w.assign(w.numpy() + 1.0)
        model.save(path)
        i += 1
""")


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_kill_during_save_leaves_a_loadable_file(tmp_path, ext):
    path = str(tmp_path / f"model{ext}")
    for delay in (0.05, 0.2, 0.45):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, path], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "first"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        model = load_model(path)  # never half-written
        assert model.count_params() == 200 * 400 + 400 + 400 * 400 + 400 + 401
    leftovers = [f for f in os.listdir(tmp_path) if f != f"model{ext}"]
    assert all(f.startswith(".") and f.endswith(".tmp") for f in leftovers)


TRAINER = textwrap.dedent("""
    import os, sys, json, signal, numpy as np
    import lamina as keras
    backup_dir, out, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    save_freq = sys.argv[4] if len(sys.argv) > 4 else "epoch"
    save_freq = save_freq if save_freq == "epoch" else int(save_freq)
    np.random.seed(7)
    x = np.random.rand(64, 5).astype("float32")
    y = (x.sum(axis=1) > 2.5).astype("float32")
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.3),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    callbacks = []
    if backup_dir != "-":
        callbacks.append(keras.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq))
    if kill_at >= 0:
        state = {"epoch": 0}
        def maybe_die(epoch, logs):
            state["epoch"] = epoch
            if epoch == kill_at and save_freq == "epoch":
                os.kill(os.getpid(), signal.SIGKILL)
        def maybe_die_mid_epoch(batch, logs):
            if state["epoch"] == kill_at and batch == 2 and save_freq != "epoch":
                os.kill(os.getpid(), signal.SIGKILL)
        callbacks.append(keras.callbacks.LambdaCallback(on_epoch_begin=maybe_die,
                                                        on_train_batch_end=maybe_die_mid_epoch))
    hist = model.fit(x, y, epochs=6, batch_size=16, verbose=0, callbacks=callbacks)
    np.savez(out, *model.get_weights())
    with open(out + ".json", "w") as f:
        json.dump({"history": dict(hist.history), "epoch": hist.epoch}, f)
""")


def _run(*args):
    return subprocess.run(
        [sys.executable, "-c", TRAINER, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backup_and_restore_resumes_bit_identically(tmp_path):
    import json

    ref = _run("-", tmp_path / "ref.npz", -1)
    assert ref.returncode == 0, ref.stderr
    backup = tmp_path / "backup"
    killed = _run(backup, tmp_path / "res.npz", 3)
    assert killed.returncode == -signal.SIGKILL
    assert os.path.exists(backup)
    resumed = _run(backup, tmp_path / "res.npz", -1)
    assert resumed.returncode == 0, resumed.stderr
    a = np.load(tmp_path / "ref.npz")
    b = np.load(tmp_path / "res.npz")
    for k in a.files:
        np.testing.assert_array_equal(a[k], b[k])
    ha = json.load(open(str(tmp_path / "ref.npz") + ".json"))
    hb = json.load(open(str(tmp_path / "res.npz") + ".json"))
    assert ha == hb
    assert hb["epoch"] == [0, 1, 2, 3, 4, 5]
    assert not os.path.exists(backup / "latest.backup.h5")  # deleted after success


def test_backup_every_n_batches_restarts_the_interrupted_epoch(tmp_path):
    """save_freq=1: killed mid-epoch 3, the resumed run redoes epoch 3 from the weights of
    the last batch backup (as Keras does) and completes; epochs 0-2 are the reference's."""
    import json

    ref = _run("-", tmp_path / "ref.npz", -1)
    assert ref.returncode == 0, ref.stderr
    backup = tmp_path / "backup"
    killed = _run(backup, tmp_path / "res.npz", 3, 1)
    assert killed.returncode == -signal.SIGKILL
    resumed = _run(backup, tmp_path / "res.npz", -1, 1)
    assert resumed.returncode == 0, resumed.stderr
    ha = json.load(open(str(tmp_path / "ref.npz") + ".json"))
    hb = json.load(open(str(tmp_path / "res.npz") + ".json"))
    assert hb["epoch"] == [0, 1, 2, 3, 4, 5]
    for key in ha["history"]:
        assert hb["history"][key][:3] == ha["history"][key][:3]
    assert hb["history"]["loss"][3] != ha["history"]["loss"][3]  # epoch 3 began from later weights


def test_saved_files_get_normal_permissions(tmp_path):
    """Atomic saves end with the permissions a plain write gives (not mkstemp's 0o600)."""
    from saving_helpers import make_model

    old = os.umask(0o022)
    try:
        path = tmp_path / "m.keras"
        make_model().save(str(path))
        assert os.stat(path).st_mode & 0o777 == 0o644
        os.chmod(path, 0o640)
        make_model().save(str(path))  # overwriting keeps the file's permissions
        assert os.stat(path).st_mode & 0o777 == 0o640
    finally:
        os.umask(old)
