"""Write small files in the exact formats of the Keras data sets (for the local server)."""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import tarfile

import numpy as np


def idx_bytes(array: np.ndarray, compress: bool = True) -> bytes:
    """An IDX file (as Yann LeCun's MNIST files): magic, big-endian dims, then uint8 data."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw = header + array.tobytes()
    return gzip.compress(raw) if compress else raw


def npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# ---- A Python 2 cPickle (protocol 2) writer, byte for byte like the real CIFAR batches ------


class _Py2Pickler:
    """Emits the opcodes Python 2's cPickle wrote for a dict of str, lists of int, ndarrays."""

    def __init__(self) -> None:
        self.out = bytearray(b"\x80\x02")
        self.memo = 0

    def put(self) -> None:
        self.out += b"q" + bytes([self.memo])
        self.memo = (self.memo + 1) % 256

    def str_(self, s: bytes) -> None:  # Python 2 str -> SHORT_BINSTRING / BINSTRING
        if len(s) < 256:
            self.out += b"U" + bytes([len(s)]) + s
        else:
            self.out += b"T" + struct.pack("<i", len(s)) + s
        self.put()

    def int_(self, v: int) -> None:
        if 0 <= v < 256:
            self.out += b"K" + bytes([v])
        elif 0 <= v < 65536:
            self.out += b"M" + struct.pack("<H", v)
        else:
            self.out += b"J" + struct.pack("<i", v)

    def list_(self, items) -> None:
        self.out += b"]"
        self.put()
        self.out += b"("
        for v in items:
            self.obj(v)
        self.out += b"e"

    def ndarray(self, a: np.ndarray) -> None:
        self.out += b"cnumpy.core.multiarray\n_reconstruct\n"
        self.put()
        self.out += b"cnumpy\nndarray\n"
        self.put()
        self.out += b"K\x00\x85"
        self.put()
        self.str_(b"b")
        self.out += b"\x87"
        self.put()
        self.out += b"R"
        self.put()
        self.out += b"(K\x01"
        for d in a.shape:
            self.int_(d)
        self.out += b"\x86" if a.ndim == 2 else b"\x85"
        self.put()
        self.out += b"cnumpy\ndtype\n"
        self.put()
        self.str_(a.dtype.str[1:].encode())
        self.out += b"K\x00K\x01\x87"
        self.put()
        self.out += b"R"
        self.put()
        self.out += b"(K\x03"
        self.str_(b"|")
        self.out += b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t"
        self.put()
        self.out += b"b\x89"
        self.str_(a.tobytes())
        self.out += b"t"
        self.put()
        self.out += b"b"

    def obj(self, v) -> None:
        if isinstance(v, bytes):
            self.str_(v)
        elif isinstance(v, int):
            self.int_(v)
        elif isinstance(v, list):
            self.list_(v)
        elif isinstance(v, np.ndarray):
            self.ndarray(v)
        else:
            raise TypeError(type(v))

    def dict_(self, d: dict) -> bytes:
        self.out += b"}"
        self.put()
        self.out += b"("
        for k, v in d.items():
            self.str_(k)
            self.obj(v)
        self.out += b"u."
        return bytes(self.out)


def py2_pickle(d: dict) -> bytes:
    """``cPickle.dumps(d, 2)`` as Python 2 wrote it (str keys, str data)."""
    return _Py2Pickler().dict_(d)


def cifar_batch(images: np.ndarray, labels: dict[bytes, list[int]], style: str = "py2") -> bytes:
    """A CIFAR batch: ``images`` (n, 3, 32, 32) uint8 stored flat as ``data`` (n, 3072)."""
    n = len(images)
    d = {b"batch_label": b"training batch 1 of 5", **labels,
         b"data": images.reshape(n, 3072).astype(np.uint8),
         b"filenames": [f"img_{i}.png".encode() for i in range(n)]}  # fmt: skip
    if style == "py2":
        return py2_pickle(d)
    return pickle.dumps(d, protocol=int(style))


def object_array(seqs) -> np.ndarray:
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = list(s)
    return out


def random_sequences(rng: np.random.RandomState, n: int, vocab: int, lo=2, hi=30):
    return [rng.randint(1, vocab, size=rng.randint(lo, hi)).tolist() for _ in range(n)]
