"""``pad_sequences``: make a list of variable-length sequences one rectangular array."""

from __future__ import annotations

import numpy as np


def pad_sequences(
    sequences,
    maxlen: int | None = None,
    dtype="int32",
    padding: str = "pre",
    truncating: str = "pre",
    value=0.0,
) -> np.ndarray:
    """Pad (or cut) each sequence to ``maxlen`` (default: the longest), as Keras does.

    ``padding``/``truncating`` are ``'pre'`` (at the start, the default) or ``'post'``.
    Returns an array of shape ``(len(sequences), maxlen) + item_shape``.
    """
    if padding not in ("pre", "post"):
        raise ValueError(f'`padding` must be "pre" or "post", received {padding!r}.')
    if truncating not in ("pre", "post"):
        raise ValueError(f'`truncating` must be "pre" or "post", received {truncating!r}.')
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable and have a length (a list of lists).")
    lengths, sample_shape, flag = [], (), True
    for x in sequences:
        try:
            lengths.append(len(x))
            if flag and len(x):
                sample_shape = np.asarray(x).shape[1:]
                flag = False
        except TypeError as e:
            raise ValueError(
                "`sequences` must be a list of iterables. Found non-iterable: " + str(x)
            ) from e
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    maxlen = int(maxlen)
    if maxlen < 0:
        raise ValueError(f"`maxlen` must be non-negative, received {maxlen}.")
    np_dtype = np.dtype(dtype)
    is_text = np_dtype.kind in "USO"
    if isinstance(value, str) and not is_text:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}. You should "
            "set `dtype=object` for variable length strings."
        )
    out = np.full((len(sequences), maxlen) + sample_shape, value, dtype=np_dtype)
    for i, s in enumerate(sequences):
        if not len(s) or maxlen == 0:
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=np_dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of sequence at position {i} is different "
                f"from expected shape {sample_shape}"
            )
        if padding == "post":
            out[i, : len(trunc)] = trunc
        else:
            out[i, -len(trunc) :] = trunc
    return out
