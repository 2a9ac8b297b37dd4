"""lamina's loaders against real Keras 3 on the same generated files (and the same server).

Runs only when ``LAMINA_KERAS_PYTHON`` names a Python with Keras 3 installed, e.g.
``LAMINA_KERAS_PYTHON=/work/benchvenv/bin/python``. Keras downloads from the local server
through its own ``get_file`` (hash checks off, since the files are not the published ones),
so this also compares the cache layouts. (Keras's CIFAR-10 loader assumes 10,000 images per
batch, so for CIFAR-10 only the download and extraction are compared; its batch parsing is the
CIFAR-100 one, compared in full.)
"""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest
from dataset_formats import (
    cifar_batch,
    idx_bytes,
    npz_bytes,
    object_array,
    random_sequences,
    tar_gz,
)

from lamina.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

KERAS_PYTHON = os.environ.get("LAMINA_KERAS_PYTHON")

CALLS = [
    ("mnist", {}),
    ("fashion_mnist", {}),
    ("cifar100", {"label_mode": "fine"}),
    ("cifar100", {"label_mode": "coarse"}),
    ("boston_housing", {}),
    ("boston_housing", {"test_split": 0.3, "seed": 5}),
    ("california_housing", {"version": "small"}),
    ("imdb", {}),
    ("imdb", {"num_words": 40, "skip_top": 4, "maxlen": 20, "seed": 3}),
    ("imdb", {"num_words": 30, "oov_char": None, "start_char": None, "index_from": 0}),
    ("reuters", {}),
    ("reuters", {"num_words": 35, "maxlen": 25, "test_split": 0.3, "oov_char": 7}),
]

SCRIPT = r"""
import json, os, sys
import numpy as np
import keras
from keras.src.utils import file_utils
base, calls = sys.argv[1], json.loads(sys.argv[2])
real_get_file = file_utils.get_file

def local_get_file(fname=None, origin=None, **kw):
    kw.pop("file_hash", None)
    return real_get_file(fname, origin=base + origin.rsplit("/", 1)[1], **kw)

def enc(a):
    a = np.asarray(a)
    if a.dtype == object:
        return {"dtype": "object", "shape": list(a.shape), "v": [list(map(int, s)) for s in a]}
    return {"dtype": str(a.dtype), "shape": list(a.shape), "v": a.ravel().tolist()}

real_get_file("cifar-10-batches-py-target", origin=base + "cifar-10-python.tar.gz",
              extract=True)
out = []
for name, kwargs in calls:
    module = getattr(keras.datasets, name)
    src = sys.modules[module.load_data.__module__]
    src.get_file = local_get_file
    (a, b), (c, d) = module.load_data(**kwargs)
    out.append([enc(a), enc(b), enc(c), enc(d)])
layout = sorted(os.path.relpath(os.path.join(r, f), os.environ["KERAS_HOME"])
                for r, _, fs in os.walk(os.environ["KERAS_HOME"]) for f in fs
                if not f.endswith(".json"))
print(json.dumps({"results": out, "layout": layout}))
"""


def _enc(a):
    a = np.asarray(a)
    if a.dtype == object:
        return {"dtype": "object", "shape": list(a.shape), "v": [list(map(int, s)) for s in a]}
    return {"dtype": str(a.dtype), "shape": list(a.shape), "v": a.ravel().tolist()}


def _write_files(server):
    rng = np.random.RandomState(4)
    server.put(
        "mnist.npz",
        npz_bytes(
            x_train=rng.randint(0, 256, (4, 28, 28)).astype(np.uint8),
            y_train=rng.randint(0, 10, 4).astype(np.uint8),
            x_test=rng.randint(0, 256, (2, 28, 28)).astype(np.uint8),
            y_test=rng.randint(0, 10, 2).astype(np.uint8),
        ),
    )
    for name, n in zip(fashion_mnist.FILES, (3, 3, 2, 2)):
        shape = (n,) if "labels" in name else (n, 28, 28)
        server.put(name, idx_bytes(rng.randint(0, 256, shape)))
    members = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        imgs = rng.randint(0, 256, (2, 3, 32, 32)).astype(np.uint8)
        members[f"cifar-10-batches-py/{name}"] = cifar_batch(imgs, {b"labels": [1, 9]})
    server.put("cifar-10-python.tar.gz", tar_gz(members))
    members = {}
    for name, n in (("train", 3), ("test", 2)):
        imgs = rng.randint(0, 256, (n, 3, 32, 32)).astype(np.uint8)
        labels = {b"fine_labels": rng.randint(0, 100, n).tolist(), b"coarse_labels": [3] * n}
        members[f"cifar-100-python/{name}"] = cifar_batch(imgs, labels)
    server.put("cifar-100-python.tar.gz", tar_gz(members))
    server.put("boston_housing.npz", npz_bytes(x=rng.rand(50, 13), y=rng.rand(50)))
    server.put("california_housing.npz", npz_bytes(x=rng.rand(700, 8), y=rng.rand(700)))
    tr, te = random_sequences(rng, 15, 50), random_sequences(rng, 9, 50)
    server.put(
        "imdb.npz",
        npz_bytes(
            x_train=object_array(tr),
            y_train=rng.randint(0, 2, 15),
            x_test=object_array(te),
            y_test=rng.randint(0, 2, 9),
        ),
    )
    seqs = random_sequences(rng, 40, 60)
    server.put("reuters.npz", npz_bytes(x=object_array(seqs), y=rng.randint(0, 46, 40)))


@pytest.mark.keras
@pytest.mark.skipif(not KERAS_PYTHON, reason="set LAMINA_KERAS_PYTHON to a Python with Keras 3")
def test_same_results_and_cache_layout_as_keras(server, cache, tmp_path, monkeypatch):
    _write_files(server)
    keras_home = tmp_path / "keras_home"
    env = dict(os.environ, KERAS_HOME=str(keras_home), KERAS_BACKEND="numpy")
    env.pop("LAMINA_HOME", None)
    proc = subprocess.run(
        [KERAS_PYTHON, "-c", SCRIPT, server.url, json.dumps(CALLS)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    keras_out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(keras_out["results"]) == len(CALLS)
    assert "datasets/cifar-10-batches-py-target_archive" in keras_out["layout"]

    modules = {
        m.__name__.rsplit(".", 1)[1]: m
        for m in (mnist, fashion_mnist, cifar10, cifar100, boston_housing)
        + (california_housing, imdb, reuters)
    }
    for module in modules.values():
        monkeypatch.setattr(module, "BASE_URL", server.url)
        if hasattr(module, "FILE_HASH"):
            monkeypatch.setattr(module, "FILE_HASH", None)
    for (name, kwargs), expected in zip(CALLS, keras_out["results"]):
        (a, b), (c, d) = modules[name].load_data(**kwargs)
        got = [_enc(a), _enc(b), _enc(c), _enc(d)]
        assert got == expected, f"{name}({kwargs}) differs from Keras"

    cifar10.load_data()  # for the cache layout
    ours = sorted(
        os.path.relpath(os.path.join(r, f), cache.parent)
        for r, _, fs in os.walk(cache.parent)
        for f in fs
    )
    assert ours == keras_out["layout"]
