"""Bad input gets a clear error naming the op and what it received, never a bare NumPy one."""

from __future__ import annotations

import pytest

import lamina as tf

A23, A32, A3, A4 = tf.ones((2, 3)), tf.ones((3, 2)), tf.ones((3,)), tf.ones((4,))

CASES = [
    ("add", lambda: A3 + A4, ValueError, r"add: incompatible shapes \(3,\) and \(4,\)"),
    ("subtract", lambda: tf.subtract(A3, A4), ValueError, r"subtract: incompatible shapes"),
    ("multiply", lambda: A3 * A4, ValueError, r"multiply: incompatible shapes"),
    ("divide", lambda: A3 / A4, ValueError, r"divide: incompatible shapes"),
    ("maximum", lambda: tf.maximum(A3, A4), ValueError, r"maximum: incompatible shapes"),
    ("pow", lambda: tf.pow(A3, A4), ValueError, r"pow: incompatible shapes"),
    ("less", lambda: A3 < A4, ValueError, r"less: incompatible shapes"),
    (
        "matmul",
        lambda: tf.matmul(A23, A23),
        ValueError,
        r"matmul: incompatible shapes \(2, 3\) @ \(2, 3\)",
    ),
    (
        "matmul_1d",
        lambda: tf.matmul(A3, A3),
        ValueError,
        r"matmul: both inputs must be at least 2-D",
    ),
    (
        "reshape",
        lambda: tf.reshape(A23, [4]),
        ValueError,
        r"reshape: cannot reshape a tensor with 6 elements to shape \[4\]",
    ),
    (
        "concat",
        lambda: tf.concat([A23, A32], 0),
        ValueError,
        r"concat: shapes \[\(2, 3\), \(3, 2\)\]",
    ),
    (
        "stack",
        lambda: tf.stack([A3, A4]),
        ValueError,
        r"stack: all inputs must have the same shape",
    ),
    ("gather", lambda: tf.gather(A3, [5]), IndexError, r"gather: indices must be in \[0, 3\)"),
    (
        "softmax_axis",
        lambda: tf.nn.softmax(A3, axis=2),
        ValueError,
        r"softmax: axis 2 is out of range",
    ),
    (
        "reduce_sum_axis",
        lambda: tf.reduce_sum(A23, axis=3),
        ValueError,
        r"reduce_sum: axis 3 is out of range for a tensor of rank 2",
    ),
    ("reduce_mean_axis", lambda: tf.reduce_mean(A23, axis=5), ValueError, r"reduce_mean: axis 5"),
    ("argmax_axis", lambda: tf.argmax(A23, axis=4), ValueError, r"argmax: axis 4"),
    ("cumsum_axis", lambda: tf.cumsum(A3, axis=3), ValueError, r"cumsum: axis 3"),
    ("split", lambda: tf.split(A3, 2), ValueError, r"split: cannot split axis 0 of size 3 into 2"),
    (
        "tile",
        lambda: tf.tile(A3, [1, 2]),
        ValueError,
        r"tile: `multiples` must have one entry per axis",
    ),
    ("transpose", lambda: tf.transpose(A23, [0, 0]), ValueError, r"transpose: `perm` \[0, 0\]"),
    ("expand_dims", lambda: tf.expand_dims(A3, 4), ValueError, r"expand_dims: axis 4"),
    (
        "squeeze",
        lambda: tf.squeeze(A23, 0),
        ValueError,
        r"squeeze: cannot squeeze axis 0 of size 2",
    ),
    (
        "broadcast_to",
        lambda: tf.broadcast_to(A3, [2, 4]),
        ValueError,
        r"broadcast_to: cannot broadcast shape \(3,\) to \(2, 4\)",
    ),
    (
        "where",
        lambda: tf.where(tf.constant([True, False]), A3, A3),
        ValueError,
        r"where: shapes of condition \(2,\)",
    ),
    (
        "pad",
        lambda: tf.pad(A3, [[1, 1], [1, 1]]),
        ValueError,
        r"pad: `paddings` must have shape \(1, 2\)",
    ),
    ("one_hot", lambda: tf.one_hot([0.5], 3), TypeError, r"one_hot: `indices` must be integers"),
    (
        "sparse_ce",
        lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 5], logits=A23),
        ValueError,
        r"labels must be in \[0, 3\)",
    ),
    (
        "sigmoid_ce",
        lambda: tf.nn.sigmoid_cross_entropy_with_logits(labels=A3, logits=A4),
        ValueError,
        r"`labels` and `logits` must have the same shape",
    ),
    (
        "einsum",
        lambda: tf.einsum("ij,jk->ik", A23, A23),
        ValueError,
        r"einsum: 'ij,jk->ik' does not fit operand shapes \[\(2, 3\), \(2, 3\)\]",
    ),
    (
        "tensordot",
        lambda: tf.tensordot(A23, A23, 1),
        ValueError,
        r"tensordot: axis 1 of shape \(2, 3\)",
    ),
    ("inv", lambda: tf.linalg.inv(A23), ValueError, r"inv: expected square matrices"),
    (
        "unknown_dtype",
        lambda: tf.cast(A3, "nope"),
        TypeError,
        r"Cannot convert 'nope' to a lamina dtype. Expected one of",
    ),
    (
        "zeros",
        lambda: tf.zeros([-1]),
        ValueError,
        r"zeros: `shape` must not contain negative sizes",
    ),
    (
        "constant_shape",
        lambda: tf.constant([1, 2, 3], shape=[2, 2]),
        TypeError,
        r"constant: cannot give a value of 3 elements the shape",
    ),
    ("ragged", lambda: tf.constant([[1, 2], [3]]), ValueError, r"ragged"),
    (
        "logical_and",
        lambda: tf.logical_and(A3, A3),
        TypeError,
        r"logical_and: expected bool tensors",
    ),
    ("top_k", lambda: tf.math.top_k(A3, 5), ValueError, r"top_k: k=5"),
    ("range", lambda: tf.range(0, 5, 0), ValueError, r"range: `delta` must not be 0"),
    (
        "boolean_mask",
        lambda: tf.boolean_mask(A3, [True]),
        ValueError,
        r"boolean_mask: mask shape \(1,\)",
    ),
    (
        "dropout_rate",
        lambda: tf.nn.dropout(A3, rate=1.5),
        ValueError,
        r"dropout: `rate` must be in \[0, 1\)",
    ),
    (
        "mixed_dtypes",
        lambda: tf.constant([1.0]) + tf.constant([1]),
        TypeError,
        r"add: both inputs must have the same dtype",
    ),
]


@pytest.mark.parametrize("name,fn,exc,pattern", CASES, ids=[c[0] for c in CASES])
def test_clear_errors(name, fn, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        fn()
    assert "operands could not be broadcast" not in str(info.value) or name == "einsum"
