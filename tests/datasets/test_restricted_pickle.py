"""The restricted pickle reader: plain data and NumPy arrays in, nothing executed, ever."""

from __future__ import annotations

import io
import os
import pickle

import numpy as np
import pytest
from dataset_formats import object_array, py2_pickle
from hypothesis import given, settings, strategies as st

from lamina.datasets._restricted_pickle import UnpicklingError, load_npz, loads

PLAIN = {
    "ints": [0, 1, 255, 256, 65535, 65536, -1, -(2**31), 2**31, 2**70, -(2**70)],
    "floats": [0.5, -1e300, float("inf")],
    "text": ["", "é ünïcode", "x" * 300],
    "bytes": [b"", b"\x00\xff", b"y" * 300],
    "misc": (None, True, False, (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)),
    "nested": {b"k": [[1, [2]], {"a": {}}], 3: set([1, 2]), 4: frozenset({5})},
}


@pytest.mark.parametrize("protocol", range(6))
def test_plain_data_round_trips_every_protocol(protocol):
    assert loads(pickle.dumps(PLAIN, protocol=protocol)) == PLAIN


def test_shared_references_and_memo():
    inner = [1, 2]
    out = loads(pickle.dumps({"a": inner, "b": inner}, protocol=4))
    assert out == {"a": [1, 2], "b": [1, 2]} and out["a"] is out["b"]


ARRAYS = [
    np.arange(12, dtype=np.uint8).reshape(3, 4),
    np.arange(24, dtype=">i4").reshape(2, 3, 4),
    np.asfortranarray(np.linspace(0, 1, 6).reshape(2, 3)),
    np.array([1.5, -2.0], dtype=np.float32),
    np.array([True, False]),
    np.zeros((0, 3), dtype=np.int64),
    np.array(7, dtype=np.int16),
]


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
@pytest.mark.parametrize("index", range(len(ARRAYS)))
def test_numpy_arrays_match_pickle(protocol, index):
    array = ARRAYS[index]
    out = loads(pickle.dumps(array, protocol=protocol))
    assert isinstance(out, np.ndarray)
    assert out.shape == array.shape and out.dtype.kind == array.dtype.kind
    np.testing.assert_array_equal(out, array)
    assert out.flags.writeable
    if array.ndim > 1 and array.flags.f_contiguous and not array.flags.c_contiguous:
        assert out.flags.f_contiguous


@pytest.mark.parametrize("protocol", [2, 3, 5])
def test_numpy_scalars_and_object_arrays(protocol):
    assert loads(pickle.dumps(np.float32(3.5), protocol=protocol)) == np.float32(3.5)
    assert loads(pickle.dumps(np.int64(-7), protocol=protocol)).dtype == np.int64
    ragged = object_array([[1, 2, 3], [4], []])
    out = loads(pickle.dumps(ragged, protocol=protocol))
    assert out.dtype == object and out.shape == (3,)
    assert [list(x) for x in out] == [[1, 2, 3], [4], []]


def test_python2_cifar_style_pickle_reads_like_pickle_with_bytes_encoding():
    data = np.random.RandomState(0).randint(0, 256, (4, 3072)).astype(np.uint8)
    d = {b"batch_label": b"b", b"labels": [0, 9, 300, 70000], b"data": data}
    raw = py2_pickle(d)
    expected = pickle.loads(raw, encoding="bytes")  # the reference reading
    out = loads(raw)
    assert out.keys() == expected.keys()
    assert out[b"labels"] == expected[b"labels"]
    np.testing.assert_array_equal(out[b"data"], expected[b"data"])
    assert out[b"data"].dtype == np.uint8


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _Plain:
    pass


def test_code_is_never_run(tmp_path):
    marker = tmp_path / "pwned"
    for protocol in range(6):
        with pytest.raises(UnpicklingError, match=r"Refusing to load `(posix|os|nt)\.system`"):
            loads(pickle.dumps(_Exploit(marker), protocol=protocol))
    assert not marker.exists()
    with pytest.raises(UnpicklingError, match="builtins.eval"):
        loads(b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x041+1\x85R.")
    with pytest.raises(UnpicklingError, match="Refusing"):
        loads(pickle.dumps(_Plain(), protocol=2))
    with pytest.raises(UnpicklingError, match="Refusing"):
        loads(pickle.dumps(ValueError("x"), protocol=4))


def test_allowed_names_cannot_be_abused():
    # numpy.dtype(...) then BUILD with a non-dtype state, REDUCE of a non-global,
    # _reconstruct of something other than ndarray.
    bad_reconstruct = (
        b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\ndtype\nK\x00\x85U\x01b\x87R."
    )
    with pytest.raises(UnpicklingError, match="plain numpy.ndarray"):
        loads(bad_reconstruct)
    with pytest.raises(UnpicklingError, match="not a NumPy array constructor"):
        loads(b"\x80\x02]K\x01\x85R.")
    with pytest.raises(UnpicklingError, match="BUILD"):
        loads(b"\x80\x02]}b.")
    with pytest.raises(UnpicklingError, match="latin-1"):
        loads(b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00utf-7\x86R.")


@pytest.mark.parametrize(
    "raw, match",
    [
        (b"", "truncated"),
        (b"\x80\x02]q\x00(K\x01", "truncated"),
        (b"\x80\x02T\xff\x00\x00\x00ab.", "truncated"),
        (b"\x80\x02K\x01K\x02.", "unbalanced"),
        (b"\x80\x02\xff.", "Unknown pickle opcode"),
        (b"\x80\x09N.", "protocol"),
    ],
)
def test_corrupt_streams_give_clear_errors(raw, match):
    with pytest.raises(UnpicklingError, match=match):
        loads(raw)


def test_array_with_wrong_byte_count_is_rejected():
    raw = pickle.dumps(np.arange(4, dtype=np.uint8), protocol=3)
    raw = raw.replace(b"C\x04\x00\x01\x02\x03", b"C\x03\x00\x01\x02")
    with pytest.raises(UnpicklingError, match="3 bytes, expected 4"):
        loads(raw)


def test_load_npz_reads_ragged_arrays_without_pickle(tmp_path):
    path = tmp_path / "ragged.npz"
    seqs = [[1, 2, 3], [4, 5], [6]]
    np.savez(path, x=object_array(seqs), y=np.array([0, 1, 0]))
    out = load_npz(path)
    assert [list(s) for s in out["x"]] == seqs
    assert out["y"].dtype == np.int64 and list(out["y"]) == [0, 1, 0]


@pytest.mark.parametrize("protocol", [2, 3, 4])
def test_load_npz_reads_object_arrays_written_by_older_numpy(tmp_path, protocol):
    # Older NumPy wrote object arrays with pickle protocol 2 (bytes via _codecs.encode).
    import zipfile

    seqs = [[1, 2, 300], [70000], [4, 5]]
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": "|O", "fortran_order": False, "shape": (3,)}
    )
    buf.write(pickle.dumps(object_array(seqs), protocol=protocol))
    path = tmp_path / "old.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x_train.npy", buf.getvalue())
    assert [list(s) for s in load_npz(path)["x_train"]] == seqs


def test_load_npz_refuses_a_malicious_object_array(tmp_path):
    buf = io.BytesIO()
    header = {"descr": "|O", "fortran_order": False, "shape": (1,)}
    np.lib.format.write_array_header_1_0(buf, header)
    buf.write(pickle.dumps(_Exploit(tmp_path / "pwned"), protocol=3))
    path = tmp_path / "evil.npz"
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.npy", buf.getvalue())
    with pytest.raises(UnpicklingError, match="Refusing"):
        load_npz(path)
    assert not (tmp_path / "pwned").exists()


# ---- property tests -------------------------------------------------------------------------


_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.binary(max_size=20)
)
_plain = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(_plain, st.integers(0, 5))
def test_any_plain_data_reads_like_pickle(value, protocol):
    assert loads(pickle.dumps(value, protocol=protocol)) == value


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 5), st.data())
def test_corrupted_streams_only_raise_unpicklingerror(protocol, data):
    raw = bytearray(
        pickle.dumps({b"data": np.arange(6, dtype=np.uint8), b"labels": [1, 2]}, protocol)
    )
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    try:
        loads(bytes(raw))
    except UnpicklingError:
        pass
