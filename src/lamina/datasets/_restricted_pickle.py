"""Read the pickles inside the Keras data sets without ever running code from them.

The CIFAR batches are Python pickles and IMDB/Reuters store ragged sequences as pickled object
arrays inside ``.npz`` files. ``pickle.load`` on such a file can call any importable function.
This module is a small interpreter of the pickle opcodes that builds only plain data: ``None``,
booleans, ints, floats, ``bytes``, ``str``, lists, tuples, dicts, sets, and NumPy arrays,
dtypes and scalars rebuilt here from their raw bytes. Any other global (``os.system``,
``builtins.eval``, a class ...) or an opcode that constructs objects is refused with
``UnpicklingError`` before anything is called. Text from Python 2 pickles (``str`` there) is
returned as ``bytes``, like ``pickle.load(f, encoding='bytes')``.
"""

from __future__ import annotations

import codecs
import io
import math
import os
import struct
import zipfile
from typing import Any, BinaryIO

import numpy as np

__all__ = ["UnpicklingError", "load_npy", "load_npz", "loads", "load"]


class UnpicklingError(ValueError):
    """The stream is not a pickle of plain data (or is corrupt)."""


# The only globals a data-set pickle may name, mapped to what this reader builds for them.
_RECONSTRUCT, _NDARRAY, _DTYPE, _SCALAR, _FROMBUFFER, _ENCODE = (
    "ndarray._reconstruct",
    "ndarray",
    "dtype",
    "scalar",
    "frombuffer",
    "codecs.encode",
)
# Plain containers that protocols 0-2 spell as calls: set([...]), bytes(), bytearray(...).
_CONTAINERS = {"set": set, "frozenset": frozenset, "bytearray": bytearray, "bytes": bytes}
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _DTYPE,
    ("numpy.core.multiarray", "scalar"): _SCALAR,
    ("numpy._core.multiarray", "scalar"): _SCALAR,
    ("numpy.core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy._core.numeric", "_frombuffer"): _FROMBUFFER,
    ("_codecs", "encode"): _ENCODE,  # how Python 3 writes bytes at protocol 2
}
for _module in ("builtins", "__builtin__"):
    for _name in _CONTAINERS:
        _ALLOWED_GLOBALS[(_module, _name)] = _name


class _Global:
    """A name from the allowlist; callable only through the handlers below."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind


class _Pending:
    """An ndarray or dtype whose state arrives with the next BUILD opcode."""

    __slots__ = ("kind", "args", "result")

    def __init__(self, kind: str, args: tuple) -> None:
        self.kind, self.args, self.result = kind, args, None


class _Mark:
    __slots__ = ()


_MARK = _Mark()


def _text(value: Any, what: str) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, str):
        return value
    raise UnpicklingError(f"Expected a string for {what}, found {type(value).__name__}.")


def _as_dtype(value: Any) -> np.dtype:
    if isinstance(value, _Pending):
        if value.kind != _DTYPE:
            raise UnpicklingError("An array was used where a dtype was expected.")
        if value.result is None:
            value.result = _make_dtype(value.args, None)
        return value.result
    if isinstance(value, np.dtype):
        return value
    raise UnpicklingError(f"Expected a NumPy dtype, found {type(value).__name__}.")


def _make_dtype(args: tuple, state: tuple | None) -> np.dtype:
    if not args:
        raise UnpicklingError("numpy.dtype called without a type code.")
    code = _text(args[0], "a dtype code")
    try:
        dtype = np.dtype(code)
    except TypeError as e:
        raise UnpicklingError(f"Unknown dtype code {code!r} in the pickle.") from e
    if state is not None:
        if not isinstance(state, tuple) or len(state) < 2:
            raise UnpicklingError("Malformed numpy dtype state in the pickle.")
        names = state[3] if len(state) > 3 else None
        if names is not None or (len(state) > 2 and state[2] is not None):
            raise UnpicklingError("Structured or sub-array dtypes are not read by this loader.")
        order = _text(state[1], "a byte order")
        if order in ("<", ">") and dtype.itemsize > 1:
            dtype = dtype.newbyteorder(order)
    return dtype


def _make_array(state: tuple) -> np.ndarray:
    if not isinstance(state, tuple) or len(state) not in (4, 5):
        raise UnpicklingError("Malformed numpy array state in the pickle.")
    shape, dtype, fortran, data = state[-4:]
    dtype = _as_dtype(dtype)
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise UnpicklingError(f"Malformed array shape {shape!r} in the pickle.")
    order = "F" if fortran else "C"
    size = math.prod(shape)
    if dtype.hasobject:
        if not isinstance(data, list) or len(data) != size:
            raise UnpicklingError("Malformed object-array contents in the pickle.")
        flat = np.empty(size, dtype=object)
        for i, item in enumerate(data):
            flat[i] = item
        return flat.reshape(shape, order=order)
    if isinstance(data, str):  # Python 2 str read as text
        data = data.encode("latin-1")
    if not isinstance(data, (bytes, bytearray)):
        raise UnpicklingError("Malformed array contents in the pickle.")
    if len(data) != size * dtype.itemsize:
        raise UnpicklingError(
            f"Array data has {len(data)} bytes, expected {size * dtype.itemsize} for shape "
            f"{shape} and dtype {dtype}; the file is truncated or corrupt."
        )
    return np.frombuffer(bytes(data), dtype=dtype).reshape(shape, order=order).copy(order="K")


def _call(func: Any, args: Any) -> Any:
    """REDUCE: apply an allowlisted global to its arguments."""
    if not isinstance(func, _Global) or not isinstance(args, tuple):
        raise UnpicklingError(
            "The pickle calls something that is not a NumPy array constructor; refusing to "
            "load it (the file may be corrupted or malicious)."
        )
    kind = func.kind
    if kind == _RECONSTRUCT:
        if len(args) != 3 or not (isinstance(args[0], _Global) and args[0].kind == _NDARRAY):
            raise UnpicklingError("numpy _reconstruct may only build a plain numpy.ndarray.")
        return _Pending(_NDARRAY, args)
    if kind == _DTYPE:
        return _Pending(_DTYPE, args)
    if kind == _SCALAR:
        if len(args) not in (1, 2):
            raise UnpicklingError("Malformed numpy scalar in the pickle.")
        dtype = _as_dtype(args[0])
        if dtype.hasobject:
            return args[1] if len(args) == 2 else None
        raw = args[1] if len(args) == 2 else b""
        raw = raw.encode("latin-1") if isinstance(raw, str) else raw
        if not isinstance(raw, (bytes, bytearray)) or len(raw) != dtype.itemsize:
            raise UnpicklingError("Malformed numpy scalar in the pickle.")
        return np.frombuffer(bytes(raw), dtype=dtype)[0]
    if kind == _FROMBUFFER:
        if len(args) != 4:
            raise UnpicklingError("Malformed numpy buffer array in the pickle.")
        buf, dtype, shape, order = args
        dtype = _as_dtype(dtype)
        if dtype.hasobject or not isinstance(buf, (bytes, bytearray)):
            raise UnpicklingError("Malformed numpy buffer array in the pickle.")
        return _make_array((shape, dtype, _text(order, "an array order") == "F", buf))
    if kind == _ENCODE:
        if len(args) != 2 or not isinstance(args[0], str):
            raise UnpicklingError("Malformed encoded bytes in the pickle.")
        if _text(args[1], "an encoding").lower().replace("_", "-") not in ("latin1", "latin-1"):
            raise UnpicklingError("Only latin-1 encoded bytes are read from a pickle.")
        return args[0].encode("latin-1")
    if kind in _CONTAINERS:
        if len(args) > 2 or (args and not isinstance(args[0], (list, tuple, bytes, str))):
            raise UnpicklingError(f"Malformed {kind} in the pickle.")
        if kind in ("bytes", "bytearray") and args and isinstance(args[0], str):
            return _CONTAINERS[kind](args[0].encode("latin-1"))
        return _CONTAINERS[kind](args[0] if args else ())
    raise UnpicklingError(f"{kind} cannot be called in a data-set pickle.")


def _finish(obj: Any) -> Any:
    if isinstance(obj, _Pending):
        if obj.result is None:
            if obj.kind == _DTYPE:
                return _as_dtype(obj)
            raise UnpicklingError("A numpy array in the pickle has no contents (missing BUILD).")
        return obj.result
    return obj


def _refuse(name: str) -> UnpicklingError:
    return UnpicklingError(
        f"Refusing the pickle opcode {name}: it constructs arbitrary objects, and data-set "
        "files only contain plain data and NumPy arrays (the file may be corrupted or "
        "malicious)."
    )


def loads(data: bytes | bytearray | memoryview) -> Any:
    """Decode a pickle of plain data and NumPy arrays; refuse anything that could run code."""
    data = bytes(data)
    n = len(data)
    stack: list[Any] = []
    marks: list[int] = []
    memo: dict[int, Any] = {}
    unpack_from = struct.unpack_from
    append = stack.append
    pos = 0

    def need(count: int) -> None:
        if pos + count > n:
            raise UnpicklingError("The pickle is truncated.")

    def line() -> bytes:
        nonlocal pos
        end = data.find(b"\n", pos)
        if end < 0:
            raise UnpicklingError("The pickle is truncated.")
        out = data[pos:end]
        pos = end + 1
        return out

    def pop_mark() -> list:
        if not marks:
            raise UnpicklingError("Malformed pickle: no MARK on the stack.")
        start = marks.pop()
        items = stack[start:]
        del stack[start:]
        return items

    try:
        while True:
            if pos >= n:
                raise UnpicklingError("The pickle is truncated (no STOP opcode).")
            op = data[pos]
            pos += 1
            # The hot path: small ints appended to lists (the IMDB/Reuters word indices).
            if op == 0x4B:  # BININT1
                append(data[pos])
                pos += 1
            elif op == 0x4D:  # BININT2
                append(data[pos] | (data[pos + 1] << 8))
                pos += 2
            elif op == 0x4A:  # BININT
                append(unpack_from("<i", data, pos)[0])
                pos += 4
            elif op == 0x65:  # APPENDS
                items = pop_mark()
                target = stack[-1]
                if not isinstance(target, list):
                    raise UnpicklingError("Malformed pickle: APPENDS to a non-list.")
                target.extend(items)
            elif op == 0x28:  # MARK
                marks.append(len(stack))
            elif op == 0x5D:  # EMPTY_LIST
                append([])
            elif op == 0x71:  # BINPUT
                memo[data[pos]] = stack[-1]
                pos += 1
            elif op == 0x72:  # LONG_BINPUT
                memo[unpack_from("<I", data, pos)[0]] = stack[-1]
                pos += 4
            elif op == 0x94:  # MEMOIZE
                memo[len(memo)] = stack[-1]
            elif op == 0x68:  # BINGET
                append(_finish(memo[data[pos]]))
                pos += 1
            elif op == 0x6A:  # LONG_BINGET
                append(_finish(memo[unpack_from("<I", data, pos)[0]]))
                pos += 4
            elif op == 0x61:  # APPEND
                value = stack.pop()
                if not isinstance(stack[-1], list):
                    raise UnpicklingError("Malformed pickle: APPEND to a non-list.")
                stack[-1].append(value)
            elif op == 0x80:  # PROTO
                if data[pos] > 5:
                    raise UnpicklingError(f"Unsupported pickle protocol {data[pos]}.")
                pos += 1
            elif op == 0x95:  # FRAME (a hint only)
                pos += 8
            elif op == 0x2E:  # STOP
                if len(stack) != 1 or marks:
                    raise UnpicklingError("Malformed pickle: unbalanced stack at STOP.")
                return _finish(stack.pop())
            elif op in (0x54, 0x42):  # BINSTRING (py2 str), BINBYTES -> bytes
                need(4)
                size = unpack_from("<I" if op == 0x42 else "<i", data, pos)[0]
                pos += 4
                need(size)
                append(data[pos : pos + size])
                pos += size
            elif op in (0x55, 0x43):  # SHORT_BINSTRING, SHORT_BINBYTES -> bytes
                size = data[pos]
                pos += 1
                need(size)
                append(data[pos : pos + size])
                pos += size
            elif op in (0x8E, 0x96):  # BINBYTES8, BYTEARRAY8
                need(8)
                size = unpack_from("<Q", data, pos)[0]
                pos += 8
                need(size)
                chunk = data[pos : pos + size]
                append(chunk if op == 0x8E else bytearray(chunk))
                pos += size
            elif op in (0x58, 0x8C, 0x8D):  # BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
                fmt, width = {0x58: ("<I", 4), 0x8C: ("<B", 1), 0x8D: ("<Q", 8)}[op]
                need(width)
                size = unpack_from(fmt, data, pos)[0]
                pos += width
                need(size)
                append(data[pos : pos + size].decode("utf-8", "surrogatepass"))
                pos += size
            elif op == 0x4E:  # NONE
                append(None)
            elif op == 0x88:  # NEWTRUE
                append(True)
            elif op == 0x89:  # NEWFALSE
                append(False)
            elif op == 0x47:  # BINFLOAT
                append(unpack_from(">d", data, pos)[0])
                pos += 8
            elif op == 0x8A:  # LONG1
                size = data[pos]
                pos += 1
                append(int.from_bytes(data[pos : pos + size], "little", signed=True))
                pos += size
            elif op == 0x8B:  # LONG4
                size = unpack_from("<i", data, pos)[0]
                pos += 4
                if size < 0:
                    raise UnpicklingError("Malformed pickle: negative LONG4 size.")
                need(size)
                append(int.from_bytes(data[pos : pos + size], "little", signed=True))
                pos += size
            elif op == 0x29:  # EMPTY_TUPLE
                append(())
            elif op == 0x85:  # TUPLE1
                stack[-1] = (stack[-1],)
            elif op == 0x86:  # TUPLE2
                stack[-2:] = [tuple(stack[-2:])]
            elif op == 0x87:  # TUPLE3
                stack[-3:] = [tuple(stack[-3:])]
            elif op == 0x74:  # TUPLE
                append(tuple(pop_mark()))
            elif op == 0x6C:  # LIST
                append(pop_mark())
            elif op == 0x7D:  # EMPTY_DICT
                append({})
            elif op == 0x64:  # DICT
                items = pop_mark()
                append(dict(zip(items[::2], items[1::2])))
            elif op == 0x73:  # SETITEM
                value = stack.pop()
                key = stack.pop()
                if not isinstance(stack[-1], dict):
                    raise UnpicklingError("Malformed pickle: SETITEM on a non-dict.")
                stack[-1][key] = value
            elif op == 0x75:  # SETITEMS
                items = pop_mark()
                if not isinstance(stack[-1], dict) or len(items) % 2:
                    raise UnpicklingError("Malformed pickle: SETITEMS on a non-dict.")
                stack[-1].update(zip(items[::2], items[1::2]))
            elif op == 0x8F:  # EMPTY_SET
                append(set())
            elif op == 0x90:  # ADDITEMS
                items = pop_mark()
                if not isinstance(stack[-1], set):
                    raise UnpicklingError("Malformed pickle: ADDITEMS on a non-set.")
                stack[-1].update(items)
            elif op == 0x91:  # FROZENSET
                append(frozenset(pop_mark()))
            elif op == 0x30:  # POP
                if marks and marks[-1] == len(stack):
                    marks.pop()
                else:
                    stack.pop()
            elif op == 0x31:  # POP_MARK
                pop_mark()
            elif op == 0x32:  # DUP
                append(stack[-1])
            elif op in (0x63, 0x93):  # GLOBAL, STACK_GLOBAL
                if op == 0x63:
                    module = line().decode("utf-8")
                    name = line().decode("utf-8")
                else:
                    name = stack.pop()
                    module = stack.pop()
                    if not (isinstance(module, str) and isinstance(name, str)):
                        raise UnpicklingError("Malformed pickle: STACK_GLOBAL needs two strings.")
                kind = _ALLOWED_GLOBALS.get((module, name))
                if kind is None:
                    raise UnpicklingError(
                        f"Refusing to load `{module}.{name}` from a data-set pickle: only plain "
                        "data and NumPy arrays are read (the file may be corrupted or "
                        "malicious)."
                    )
                append(_Global(kind))
            elif op == 0x52:  # REDUCE
                args = stack.pop()
                func = stack.pop()
                append(_call(func, args))
            elif op == 0x62:  # BUILD
                state = stack.pop()
                obj = stack[-1]
                if not isinstance(obj, _Pending) or obj.result is not None:
                    raise UnpicklingError(
                        "Refusing BUILD on an object that is not a NumPy array or dtype."
                    )
                if obj.kind == _DTYPE:
                    obj.result = _make_dtype(obj.args, state)
                else:
                    obj.result = _make_array(state)
                stack[-1] = obj.result
            # Protocol 0 text opcodes (old files).
            elif op == 0x49:  # INT
                text = line()
                append(text == b"01" if text in (b"00", b"01") else int(text))
            elif op == 0x4C:  # LONG
                append(int(line().rstrip(b"L")))
            elif op == 0x46:  # FLOAT
                append(float(line()))
            elif op == 0x53:  # STRING (a quoted, backslash-escaped literal; never evaluated)
                literal = line().decode("latin-1")
                if len(literal) < 2 or literal[0] != literal[-1] or literal[0] not in "'\"":
                    raise UnpicklingError("Malformed STRING opcode in the pickle.")
                append(codecs.escape_decode(literal[1:-1].encode("latin-1"))[0])
            elif op == 0x56:  # UNICODE
                append(line().decode("raw-unicode-escape"))
            elif op == 0x67:  # GET
                append(_finish(memo[int(line())]))
            elif op == 0x70:  # PUT
                memo[int(line())] = stack[-1]
            else:
                names = {
                    0x69: "INST",
                    0x6F: "OBJ",
                    0x81: "NEWOBJ",
                    0x92: "NEWOBJ_EX",
                    0x82: "EXT1",
                    0x83: "EXT2",
                    0x84: "EXT4",
                    0x50: "PERSID",
                    0x51: "BINPERSID",
                    0x97: "NEXT_BUFFER",
                    0x98: "READONLY_BUFFER",
                }
                if op in names:
                    raise _refuse(names[op])
                raise UnpicklingError(f"Unknown pickle opcode 0x{op:02x} at byte {pos - 1}.")
    except UnpicklingError:
        raise
    except (IndexError, KeyError, TypeError, SyntaxError, struct.error, ValueError) as e:
        raise UnpicklingError(f"Malformed or truncated pickle near byte {pos}: {e}") from None


def load(file: BinaryIO | str | os.PathLike) -> Any:
    """:func:`loads` on an open binary file or a path."""
    if isinstance(file, (str, os.PathLike)):
        with open(file, "rb") as f:
            return loads(f.read())
    return loads(file.read())


def load_npy(fp: BinaryIO) -> np.ndarray:
    """One ``.npy`` stream: numeric arrays directly, object arrays through :func:`loads`."""
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise UnpicklingError(f"Unsupported .npy format version {version}.")
    if not dtype.hasobject:
        fp.seek(0)
        return np.lib.format.read_array(fp, allow_pickle=False)
    array = loads(fp.read())
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise UnpicklingError("The object array in the .npy stream does not match its header.")
    return array


def load_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """All arrays of an ``.npz`` file, ragged object arrays included, without running code."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[: -len(".npy")]] = load_npy(io.BytesIO(raw.read()))
    return arrays
