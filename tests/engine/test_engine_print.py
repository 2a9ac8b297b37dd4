"""``tf.print`` output, compared with what TensorFlow 2.21 printed for the same calls."""

from __future__ import annotations

import io

import numpy as np

import lamina as tf

EXPECTED = '[1.5 2]\n2\nloss: 0.123456791\n[[1.25 2]\n [3 4.123456]]\n[0 1 2 ... 7 8 9]\n[1e-08 12345678]\n[1 0] ["a" "b"]\n[[0 1 2 ... 7 8 9]\n [10 11 12 ... 17 18 19]\n [20 21 22 ... 27 28 29]\n ...\n [70 71 72 ... 77 78 79]\n [80 81 82 ... 87 88 89]\n [90 91 92 ... 97 98 99]]\n3 2.5 [1, 2] {\'a\': 1}\n0.1 1e+20 -0\n[[[0 1 2]\n  [3 4 5]]\n\n [[6 7 8]\n  [9 10 11]]]\n"hi" x ["a"]\n[0 1 2 3 4 5 6 7 8 9]\n[0.1 0.33333333333333331]\n[[1.5]]!\n2 [inf -inf nan]\n[[[0 1 2 ... 5 6 7]\n  [8 9 10 ... 13 14 15]\n  [16 17 18 ... 21 22 23]\n  ...\n  [40 41 42 ... 45 46 47]\n  [48 49 50 ... 53 54 55]\n  [56 57 58 ... 61 62 63]]\n\n [[64 65 66 ... 69 70 71]\n  [72 73 74 ... 77 78 79]\n  [80 81 82 ... 85 86 87]\n  ...\n  [104 105 106 ... 109 110 111]\n  [112 113 114 ... 117 118 119]\n  [120 121 122 ... 125 126 127]]]\n[1 2] (1, \'a\')\n'


def test_tf_print_matches_tensorflow():
    o = io.StringIO()
    tf.print(tf.constant([1.5, 2.0]), output_stream=o)
    tf.print(tf.constant(2.0), output_stream=o)
    tf.print("loss:", tf.constant(0.123456789), output_stream=o)
    tf.print(tf.constant([[1.25, 2.0], [3.0, 4.123456]]), output_stream=o)
    tf.print(tf.range(10), output_stream=o)
    tf.print(tf.constant([1e-8, 12345678.0]), output_stream=o)
    tf.print(tf.constant([True, False]), tf.constant(["a", "b"]), output_stream=o)
    tf.print(tf.reshape(tf.range(100), [10, 10]), output_stream=o)
    tf.print(tf.constant(3), 2.5, [1, 2], {"a": tf.constant(1.0)}, output_stream=o)
    tf.print(tf.constant(np.float64(0.1)), tf.constant(1e20), tf.constant(-0.0), output_stream=o)
    tf.print(tf.reshape(tf.range(12), [2, 2, 3]), output_stream=o)
    tf.print(tf.constant("hi"), "x", tf.constant(["a"]), output_stream=o)
    tf.print(tf.range(10), summarize=-1, output_stream=o)
    tf.print(tf.constant([0.1, 1 / 3], tf.float64), output_stream=o)
    tf.print(tf.constant([[1.5]]), sep=",", end="!\n", output_stream=o)
    tf.print(tf.Variable(2.0), tf.constant([np.inf, -np.inf, np.nan]), output_stream=o)
    tf.print(tf.reshape(tf.range(2 * 8 * 8), [2, 8, 8]), output_stream=o)
    tf.print(tf.constant([1, 2]), (tf.constant(1), "a"), output_stream=o)
    assert o.getvalue() == EXPECTED


def test_tf_print_defaults_to_stderr(capsys):
    tf.print("step", tf.constant(1))
    assert capsys.readouterr().err == "step 1\n"
