"""Each loader end to end: local server -> get_file (progress, hash) -> parsing -> Keras output."""

from __future__ import annotations

import hashlib
import os

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

import lamina
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
from lamina.utils.data_utils import URLFetchError

RNG = np.random.RandomState(0)


def _serve(monkeypatch, server, module, name, data, hash_attr="FILE_HASH"):
    sha = server.put(name, data)
    monkeypatch.setattr(module, "BASE_URL", server.url)
    if hash_attr:
        monkeypatch.setattr(module, hash_attr, sha)
    return sha


# ------------------------------------------------------------------------------------ MNISTs


def test_mnist(server, cache, monkeypatch, capsys):
    x_tr = RNG.randint(0, 256, (6, 28, 28)).astype(np.uint8)
    y_tr = np.array([5, 0, 4, 1, 9, 2], np.uint8)
    x_te = RNG.randint(0, 256, (2, 28, 28)).astype(np.uint8)
    y_te = np.array([7, 2], np.uint8)
    data = npz_bytes(x_train=x_tr, y_train=y_tr, x_test=x_te, y_test=y_te)
    _serve(monkeypatch, server, mnist, "mnist.npz", data)
    (a, b), (c, d) = lamina.datasets.mnist.load_data()
    assert f"Downloading data from {server.url}mnist.npz" in capsys.readouterr().out
    for got, want in ((a, x_tr), (b, y_tr), (c, x_te), (d, y_te)):
        assert got.dtype == np.uint8 and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    assert (cache / "mnist.npz").is_file()
    mnist.load_data()  # cached: no second request
    assert server.requests == ["/mnist.npz"]


def test_mnist_keeps_keras_published_hash(server, cache, monkeypatch):
    assert mnist.FILE_HASH == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    _serve(monkeypatch, server, mnist, "mnist.npz", npz_bytes(x_train=np.zeros(1)), None)
    with pytest.raises(ValueError, match="file hash .* does not match"):
        mnist.load_data()  # a file that is not the real MNIST is rejected
    assert not (cache / "mnist.npz").exists()


def test_mnist_offline_message(cache, monkeypatch, offline_url):
    monkeypatch.setattr(mnist, "BASE_URL", offline_url)
    with pytest.raises(URLFetchError) as info:
        mnist.load_data()
    assert f"save it as {cache / 'mnist.npz'}" in str(info.value)
    assert mnist.FILE_HASH in str(info.value)


def test_fashion_mnist_reads_gzip_idx(server, cache, monkeypatch):
    x_tr = RNG.randint(0, 256, (5, 28, 28)).astype(np.uint8)
    y_tr = np.array([9, 0, 0, 3, 1], np.uint8)
    x_te = RNG.randint(0, 256, (3, 28, 28)).astype(np.uint8)
    y_te = np.array([2, 1, 8], np.uint8)
    monkeypatch.setattr(fashion_mnist, "BASE_URL", server.url)
    for name, arr in zip(fashion_mnist.FILES, (y_tr, x_tr, y_te, x_te)):
        server.put(name, idx_bytes(arr))
    (a, b), (c, d) = fashion_mnist.load_data()
    for got, want in ((a, x_tr), (b, y_tr), (c, x_te), (d, y_te)):
        assert got.dtype == np.uint8 and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    assert sorted(os.listdir(cache / "fashion-mnist")) == sorted(fashion_mnist.FILES)
    assert fashion_mnist.CLASS_NAMES[9] == "Ankle boot"


def test_fashion_mnist_rejects_a_corrupt_idx(server, cache, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "BASE_URL", server.url)
    y = np.zeros(5, np.uint8)
    x = np.zeros((5, 28, 28), np.uint8)
    for name, arr in zip(fashion_mnist.FILES, (y, x, y, x)):
        server.put(name, idx_bytes(arr))
    server.put(fashion_mnist.FILES[1], idx_bytes(x)[:-40])  # truncated gzip stream
    with pytest.raises((EOFError, ValueError, OSError)):
        fashion_mnist.load_data()
    os.remove(cache / "fashion-mnist" / fashion_mnist.FILES[1])
    raw = idx_bytes(x, compress=False)
    server.put(fashion_mnist.FILES[1], raw[:-1])  # uncompressed and one byte short
    with pytest.raises(ValueError, match="truncated or corrupt"):
        fashion_mnist.load_data()


# ------------------------------------------------------------------------------------- CIFAR


def _cifar10_archive(style="py2"):
    members, xs, ys = {}, [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        imgs = RNG.randint(0, 256, (3, 3, 32, 32)).astype(np.uint8)
        labels = RNG.randint(0, 10, 3).tolist()
        members[f"cifar-10-batches-py/{name}"] = cifar_batch(imgs, {b"labels": labels}, style)
        xs.append(imgs)
        ys.append(labels)
    members["cifar-10-batches-py/batches.meta"] = b"not read"
    return tar_gz(members), xs, ys


@pytest.mark.parametrize("style", ["py2", "2", "4"])
def test_cifar10(server, cache, monkeypatch, style):
    archive, xs, ys = _cifar10_archive(style)
    _serve(monkeypatch, server, cifar10, "cifar-10-python.tar.gz", archive)
    (a, b), (c, d) = cifar10.load_data()
    assert a.shape == (15, 32, 32, 3) and a.dtype == np.uint8
    assert b.shape == (15, 1) and b.dtype == np.uint8
    assert c.shape == (3, 32, 32, 3) and c.dtype == np.uint8
    assert d.shape == (3, 1) and d.dtype == np.uint8
    np.testing.assert_array_equal(a, np.concatenate(xs[:5]).transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(b[:, 0], sum(ys[:5], []))
    np.testing.assert_array_equal(c, xs[5].transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(d[:, 0], ys[5])
    # Keras 3 cache layout.
    assert (cache / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "test_batch").is_file()
    assert (cache / "cifar-10-batches-py-target_archive").is_file()


def test_cifar10_channels_first(server, cache, monkeypatch):
    from lamina import backend

    archive, xs, _ = _cifar10_archive()
    _serve(monkeypatch, server, cifar10, "cifar-10-python.tar.gz", archive)
    old = backend.image_data_format()
    backend.set_image_data_format("channels_first")
    try:
        (a, _), (c, _) = cifar10.load_data()
    finally:
        backend.set_image_data_format(old)
    assert a.shape == (15, 3, 32, 32)
    np.testing.assert_array_equal(c, xs[5])


def test_cifar10_reuses_a_keras2_cache_offline(cache, monkeypatch, offline_url):
    archive, xs, _ = _cifar10_archive()
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(cache, filter="data")  # Keras 2: datasets/cifar-10-batches-py/
    monkeypatch.setattr(cifar10, "BASE_URL", offline_url)
    (_, _), (c, _) = cifar10.load_data()
    np.testing.assert_array_equal(c, xs[5].transpose(0, 2, 3, 1))


def test_cifar10_offline_message_names_the_archive(cache, monkeypatch, offline_url):
    monkeypatch.setattr(cifar10, "BASE_URL", offline_url)
    with pytest.raises(URLFetchError) as info:
        cifar10.load_data()
    message = str(info.value)
    assert f"save it as {cache / 'cifar-10-batches-py-target_archive'}" in message
    assert f"(or as {cache / 'cifar-10-python.tar.gz'})" in message


def test_cifar10_refuses_code_in_a_batch(server, cache, monkeypatch, tmp_path):
    import pickle

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))

    archive, _, _ = _cifar10_archive()
    import io
    import tarfile

    members = {}
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for m in tar.getmembers():
            members[m.name] = tar.extractfile(m).read()
    members["cifar-10-batches-py/data_batch_3"] = pickle.dumps({"data": Exploit()})
    _serve(monkeypatch, server, cifar10, "cifar-10-python.tar.gz", tar_gz(members))
    from lamina.datasets._restricted_pickle import UnpicklingError

    with pytest.raises(UnpicklingError, match="data_batch_3.*Refusing"):
        cifar10.load_data()
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100(server, cache, monkeypatch, label_mode):
    members, parts = {}, {}
    for name, n in (("train", 4), ("test", 2)):
        imgs = RNG.randint(0, 256, (n, 3, 32, 32)).astype(np.uint8)
        fine, coarse = RNG.randint(0, 100, n).tolist(), RNG.randint(0, 20, n).tolist()
        labels = {b"fine_labels": fine, b"coarse_labels": coarse}
        members[f"cifar-100-python/{name}"] = cifar_batch(imgs, labels)
        parts[name] = (imgs, fine if label_mode == "fine" else coarse)
    members["cifar-100-python/meta"] = b"not read"
    _serve(monkeypatch, server, cifar100, "cifar-100-python.tar.gz", tar_gz(members))
    (a, b), (c, d) = cifar100.load_data(label_mode=label_mode)
    assert a.shape == (4, 32, 32, 3) and a.dtype == np.uint8
    assert b.shape == (4, 1) and b.dtype == np.int64 and d.shape == (2, 1)
    np.testing.assert_array_equal(a, parts["train"][0].transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(b[:, 0], parts["train"][1])
    np.testing.assert_array_equal(c, parts["test"][0].transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(d[:, 0], parts["test"][1])


def test_cifar100_label_mode_is_checked():
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium")


# ----------------------------------------------------------------------------------- housing


def _keras_split(x, y, test_split, seed):
    idx = np.arange(len(x))
    np.random.RandomState(seed).shuffle(idx)
    cut = int(len(x) * (1 - test_split))
    return (x[idx][:cut], y[idx][:cut]), (x[idx][cut:], y[idx][cut:])


def test_boston_housing_split_matches_keras(server, cache, monkeypatch):
    x = RNG.rand(506, 13)
    y = RNG.rand(506) * 50
    _serve(monkeypatch, server, boston_housing, "boston_housing.npz", npz_bytes(x=x, y=y))
    (a, b), (c, d) = boston_housing.load_data()
    assert a.shape == (404, 13) and c.shape == (102, 13) and b.shape == (404,)
    assert a.dtype == np.float64
    (ea, eb), (ec, ed) = _keras_split(x, y, 0.2, 113)
    for got, want in ((a, ea), (b, eb), (c, ec), (d, ed)):
        np.testing.assert_array_equal(got, want)
    (a2, _), (c2, _) = boston_housing.load_data(test_split=0.5, seed=1)
    assert len(a2) == 253 and len(c2) == 253
    np.testing.assert_array_equal(a2, _keras_split(x, y, 0.5, 1)[0][0])
    (a3, _), (c3, _) = boston_housing.load_data(test_split=0)
    assert len(a3) == 506 and len(c3) == 0


@pytest.mark.parametrize("bad", [1, 1.5, -0.1])
def test_boston_housing_test_split_is_checked(bad):
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(test_split=bad)


def test_california_housing(server, cache, monkeypatch):
    x = RNG.rand(700, 8)
    y = RNG.rand(700)
    _serve(monkeypatch, server, california_housing, "california_housing.npz", npz_bytes(x=x, y=y))
    (a, b), (c, d) = california_housing.load_data()
    assert a.shape == (560, 8) and c.shape == (140, 8)
    np.testing.assert_array_equal(b, _keras_split(x, y, 0.2, 113)[0][1])
    (a, _), (c, _) = california_housing.load_data(version="small")
    assert len(a) == 480 and len(c) == 120
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data(version="medium")


# ------------------------------------------------------------------------------ IMDB/Reuters


def _imdb_files(server, monkeypatch):
    rng = np.random.RandomState(1)
    tr = random_sequences(rng, 12, 60)
    te = random_sequences(rng, 8, 60)
    ytr, yte = rng.randint(0, 2, 12), rng.randint(0, 2, 8)
    data = npz_bytes(x_train=object_array(tr), y_train=ytr, x_test=object_array(te), y_test=yte)
    _serve(monkeypatch, server, imdb, "imdb.npz", data)
    return tr, ytr, te, yte


def _shuffled(seqs, labels, rng):
    idx = np.arange(len(seqs))
    rng.shuffle(idx)
    return [seqs[i] for i in idx], labels[idx]


def test_imdb_default_processing(server, cache, monkeypatch):
    tr, ytr, te, yte = _imdb_files(server, monkeypatch)
    (a, b), (c, d) = imdb.load_data()
    rng = np.random.RandomState(113)
    etr, eytr = _shuffled(tr, ytr, rng)
    ete, eyte = _shuffled(te, yte, rng)  # the same RandomState continues for the test part
    top = max(max(s) for s in tr + te) + 3
    expect = lambda s: [1] + [w + 3 if w + 3 < top else 2 for w in s]  # noqa: E731
    assert a.dtype == object and a.shape == (12,) and c.shape == (8,)
    assert [list(s) for s in a] == [expect(s) for s in etr]
    assert [list(s) for s in c] == [expect(s) for s in ete]
    assert b.dtype == np.int64 and list(b) == list(eytr) and list(d) == list(eyte)


def test_imdb_options(server, cache, monkeypatch):
    tr, ytr, te, yte = _imdb_files(server, monkeypatch)
    (a, b), (c, d) = imdb.load_data(num_words=20, skip_top=5, maxlen=15, seed=7)
    rng = np.random.RandomState(7)
    etr, eytr = _shuffled(tr, ytr, rng)
    ete, eyte = _shuffled(te, yte, rng)

    def expect(seqs, labels):
        out = [([1] + [w + 3 for w in s], y) for s, y in zip(seqs, labels)]
        out = [(s, y) for s, y in out if len(s) < 15]
        return [[w if 5 <= w < 20 else 2 for w in s] for s, _ in out], [y for _, y in out]

    xs, ys = expect(etr, eytr)
    assert [list(s) for s in a] == xs and list(b) == ys
    assert all(len(s) < 15 for s in c) and all(w < 20 for s in c for w in s)
    # oov_char=None drops the words instead; start_char=None and index_from=0 keep raw ids.
    (a, _), _ = imdb.load_data(num_words=20, oov_char=None, start_char=None, index_from=0)
    etr, _ = _shuffled(tr, ytr, np.random.RandomState(113))
    assert [list(s) for s in a] == [[w for w in s if w < 20] for s in etr]


def test_imdb_argument_errors(server, cache, monkeypatch):
    _imdb_files(server, monkeypatch)
    with pytest.raises(ValueError, match="no sequence was kept"):
        imdb.load_data(maxlen=1)
    with pytest.raises(ValueError, match="num_words"):
        imdb.load_data(num_words=-3)
    with pytest.raises(TypeError, match="unrecognized keyword arguments: \\['colour'\\]"):
        imdb.load_data(colour=1)
    # Keras 2 spelling.
    (a, _), _ = imdb.load_data(nb_words=10)
    assert max(max(s) for s in a) < 10


def test_imdb_word_index(server, cache, monkeypatch):
    data = b'{"the": 1, "and": 2, "fawn": 34701}'
    server.put("imdb_word_index.json", data)
    monkeypatch.setattr(imdb, "BASE_URL", server.url)
    monkeypatch.setattr(imdb, "WORD_INDEX_HASH", hashlib.md5(data).hexdigest())
    assert imdb.get_word_index() == {"the": 1, "and": 2, "fawn": 34701}
    assert imdb.WORD_INDEX_HASH != "bfafd718b763782e994055a2d397834f"  # patched for the test


def test_reuters(server, cache, monkeypatch):
    rng = np.random.RandomState(2)
    seqs = random_sequences(rng, 30, 80)
    labels = rng.randint(0, 46, 30)
    _serve(monkeypatch, server, reuters, "reuters.npz", npz_bytes(x=object_array(seqs), y=labels))
    (a, b), (c, d) = reuters.load_data(num_words=50)
    assert a.shape == (24,) and c.shape == (6,) and a.dtype == object
    es, el = _shuffled(seqs, labels, np.random.RandomState(113))
    expect = [[1] + [w + 3 if w + 3 < 50 else 2 for w in s] for s in es]
    assert [list(s) for s in a] + [list(s) for s in c] == expect
    assert b.dtype == np.int64 and list(b) + list(d) == list(el)
    (a, _), (c, _) = reuters.load_data(test_split=0.5, maxlen=20)
    assert len(a) + len(c) == sum(len(s) + 1 < 20 for s in seqs)
    assert len(reuters.get_label_names()) == 46 and reuters.get_label_names()[3] == "earn"


def test_reuters_word_index(server, cache, monkeypatch):
    data = b'{"mdbl": 10996, "the": 1}'
    server.put("reuters_word_index.json", data)
    monkeypatch.setattr(reuters, "BASE_URL", server.url)
    monkeypatch.setattr(reuters, "WORD_INDEX_HASH", hashlib.md5(data).hexdigest())
    assert reuters.get_word_index()["the"] == 1


def test_published_origins_and_hashes():
    base = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
    assert mnist.BASE_URL == base and imdb.BASE_URL == base and reuters.BASE_URL == base
    assert cifar10.BASE_URL == "https://www.cs.toronto.edu/~kriz/"
    assert cifar10.FILE_HASH.startswith("6d958be0") and cifar100.FILE_HASH.startswith("85cd44d0")
    assert boston_housing.FILE_HASH.startswith("f553886a")
    assert imdb.FILE_HASH.startswith("69664113") and reuters.FILE_HASH.startswith("d6586e69")
