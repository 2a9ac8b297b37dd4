"""Every differentiable op through the one finite-difference gradient checker."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import check_grad, check_second_order
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import lamina as tf
import lamina.ops as kops

R = np.random.RandomState(0)


def rnd(*shape, lo=-2.0, hi=2.0):
    return R.uniform(lo, hi, size=shape)


def away(*shape, gap=0.2):
    """Values at least ``gap`` away from zero (for kinks at 0)."""
    v = R.uniform(gap, 2.0, size=shape)
    return v * R.choice([-1.0, 1.0], size=shape)


# --- unary element-wise ops (name, function, input) ---------------------------------------
UNARY = [
    ("sqrt", tf.sqrt, rnd(2, 3, lo=0.5)),
    ("rsqrt", tf.math.rsqrt, rnd(2, 3, lo=0.5)),
    ("square", tf.square, rnd(2, 3)),
    ("reciprocal", tf.math.reciprocal, rnd(4, lo=0.5)),
    ("exp", tf.exp, rnd(2, 3)),
    ("expm1", tf.math.expm1, rnd(2, 3)),
    ("log", tf.math.log, rnd(2, 3, lo=0.3)),
    ("log1p", tf.math.log1p, rnd(2, 3, lo=-0.5)),
    ("log_sigmoid", tf.math.log_sigmoid, rnd(5, lo=-30, hi=30)),
    ("sigmoid", tf.sigmoid, rnd(2, 3, lo=-5, hi=5)),
    ("tanh", tf.tanh, rnd(2, 3)),
    ("softplus", tf.math.softplus, rnd(2, 3, lo=-5, hi=5)),
    ("softsign", tf.nn.softsign, rnd(2, 3)),
    ("sin", tf.sin, rnd(3)),
    ("cos", tf.cos, rnd(3)),
    ("tan", tf.tan, rnd(3, lo=-1, hi=1)),
    ("asin", tf.asin, rnd(3, lo=-0.8, hi=0.8)),
    ("acos", tf.acos, rnd(3, lo=-0.8, hi=0.8)),
    ("atan", tf.atan, rnd(3)),
    ("sinh", tf.sinh, rnd(3)),
    ("cosh", tf.cosh, rnd(3)),
    ("asinh", tf.asinh, rnd(3)),
    ("acosh", tf.acosh, rnd(3, lo=1.2, hi=3)),
    ("atanh", tf.atanh, rnd(3, lo=-0.8, hi=0.8)),
    ("erf", tf.math.erf, rnd(4)),
    ("erfc", tf.math.erfc, rnd(4)),
    ("abs", tf.abs, away(2, 3)),
    ("negative", tf.negative, rnd(2, 3)),
    ("identity", tf.identity, rnd(2, 3)),
    ("relu", tf.nn.relu, away(2, 3)),
    ("relu6", tf.nn.relu6, away(3, 3) * 4),
    ("leaky_relu", lambda x: tf.nn.leaky_relu(x, 0.1), away(2, 3)),
    ("elu", tf.nn.elu, away(2, 3)),
    ("selu", tf.nn.selu, away(2, 3)),
    ("gelu", tf.nn.gelu, rnd(2, 3)),
    ("gelu_tanh", lambda x: tf.nn.gelu(x, approximate=True), rnd(2, 3)),
    ("silu", tf.nn.silu, rnd(2, 3)),
    ("hard_sigmoid", tf.nn.hard_sigmoid, rnd(2, 3)),
    ("softmax", tf.nn.softmax, rnd(2, 4)),
    ("softmax_axis0", lambda x: tf.nn.softmax(x, axis=0), rnd(3, 2)),
    ("log_softmax", tf.nn.log_softmax, rnd(2, 4)),
    ("l2_normalize", lambda x: tf.math.l2_normalize(x, axis=-1), rnd(2, 3)),
    ("l2_loss", tf.nn.l2_loss, rnd(2, 3)),
    ("pow_scalar", lambda x: x**3, rnd(2, 3)),
    ("rpow", lambda x: 2.0**x, rnd(2, 3)),
    (
        "clip_by_value",
        lambda x: tf.clip_by_value(x, -1.0, 1.0),
        np.array([-1.7, -0.5, 0.3, 1.4, 0.9]),
    ),
    ("clip_by_norm", lambda x: tf.clip_by_norm(x, 1.0), rnd(2, 3)),
    ("cast_same", lambda x: tf.cast(x, tf.float64), rnd(3)),
    ("divide_by_self", lambda x: x / (x * x + 1), rnd(3)),
]


@pytest.mark.parametrize("name,fn,x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradients(name, fn, x):
    check_grad(fn, x)


# --- binary ops over broadcasting shapes --------------------------------------------------
BINARY = [
    ("add", tf.add, {}),
    ("subtract", tf.subtract, {}),
    ("multiply", tf.multiply, {}),
    ("divide", tf.divide, {"y_lo": 0.5}),
    ("pow", tf.pow, {"x_lo": 0.5}),
    ("maximum", tf.maximum, {}),
    ("minimum", tf.minimum, {}),
    ("squared_difference", tf.math.squared_difference, {}),
    ("atan2", tf.math.atan2, {"y_lo": 0.5}),
    ("floormod", tf.math.floormod, {"y_lo": 0.7}),
    ("divide_no_nan", tf.math.divide_no_nan, {"y_lo": 0.5}),
    ("xlogy", tf.math.xlogy, {"y_lo": 0.5}),
    ("operator_add", lambda a, b: a + b, {}),
    ("operator_rsub", lambda a, b: 3.0 - a * b, {}),
    ("operator_div", lambda a, b: a / b, {"y_lo": 0.5}),
    ("where", lambda a, b: tf.where(a > b, a, b * 2.0), {}),
]

SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((4, 1, 3), (2, 1))]


@pytest.mark.parametrize("name,fn,dom", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary_gradients_broadcast(name, fn, dom, shapes):
    sx, sy = shapes
    x = R.uniform(dom.get("x_lo", -2.0), 2.0, size=sx)
    y = R.uniform(dom.get("y_lo", -2.0), 2.0, size=sy)
    if name == "floormod":  # keep away from the jumps of x mod y
        x = np.floor(x) + 0.5
        y = np.full(sy, 1.7)
    check_grad(fn, x, y)


@settings(max_examples=15, deadline=None)
@given(
    mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    st.sampled_from(["add", "subtract", "multiply", "divide", "maximum"]),
)
def test_broadcasting_gradients_hypothesis(shapes, op):
    sx, sy = shapes.input_shapes
    r = np.random.RandomState(abs(hash((sx, sy))) % 2**32)
    x = r.uniform(0.5, 2.0, size=sx) * r.choice([-1, 1], size=sx)
    y = r.uniform(0.5, 2.0, size=sy)
    check_grad(getattr(tf, op), x, y)


# --- matmul and linear algebra ------------------------------------------------------------
@pytest.mark.parametrize(
    "sa,sb,ta,tb",
    [
        ((2, 3), (3, 4), False, False),
        ((3, 2), (3, 4), True, False),
        ((2, 3), (4, 3), False, True),
        ((3, 2), (4, 3), True, True),
        ((5, 2, 3), (3, 4), False, False),
        ((2, 1, 2, 3), (3, 3, 2), False, False),
    ],
)
def test_matmul_gradients(sa, sb, ta, tb):
    check_grad(lambda a, b: tf.matmul(a, b, transpose_a=ta, transpose_b=tb), rnd(*sa), rnd(*sb))


@pytest.mark.parametrize(
    "eq,shapes",
    [
        ("ij,jk->ik", [(2, 3), (3, 4)]),
        ("ij->ji", [(2, 3)]),
        ("ij->", [(2, 3)]),
        ("ij,ij->i", [(2, 3), (2, 3)]),
        ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
        ("...ij,jk->...ik", [(2, 2, 3), (3, 2)]),
        ("i,j->ij", [(3,), (2,)]),
        ("ijk,k->ij", [(2, 3, 2), (2,)]),
        ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
        ("ij,k->i", [(2, 3), (2,)]),
    ],
)
def test_einsum_gradients(eq, shapes):
    check_grad(lambda *xs: tf.einsum(eq, *xs), *[rnd(*s) for s in shapes])


def _spd(n):
    a = rnd(n, n)
    return a @ a.T + n * np.eye(n)


@pytest.mark.parametrize(
    "name,fn,args",
    [
        ("tensordot_int", lambda a, b: tf.tensordot(a, b, 1), [rnd(2, 3), rnd(3, 2)]),
        (
            "tensordot_axes",
            lambda a, b: tf.tensordot(a, b, [[0, 1], [1, 0]]),
            [rnd(2, 3), rnd(3, 2)],
        ),
        ("matvec", tf.linalg.matvec, [rnd(2, 3), rnd(3)]),
        ("inv", tf.linalg.inv, [_spd(3)]),
        ("det", tf.linalg.det, [_spd(3)]),
        ("slogdet", lambda a: tf.linalg.slogdet(a)[1], [_spd(3)]),
        ("logdet", tf.linalg.logdet, [_spd(2)]),
        ("solve", tf.linalg.solve, [_spd(3), rnd(3, 2)]),
        ("diag", tf.linalg.diag, [rnd(3)]),
        ("diag_part", tf.linalg.diag_part, [rnd(3, 3)]),
        ("trace", tf.linalg.trace, [rnd(3, 3)]),
        ("band_part", lambda a: tf.linalg.band_part(a, 1, 0), [rnd(3, 3)]),
        ("cross", tf.linalg.cross, [rnd(2, 3), rnd(2, 3)]),
        ("norm_2", lambda a: tf.norm(a), [rnd(2, 3)]),
        ("norm_1_axis", lambda a: tf.norm(a, ord=1, axis=1), [away(2, 3)]),
        ("norm_inf", lambda a: tf.norm(a, ord=np.inf, axis=-1), [np.array([[1.0, -3.0, 2.0]])]),
        ("norm_fro", lambda a: tf.norm(a, ord="fro", axis=[0, 1]), [rnd(2, 3)]),
        ("global_norm", lambda a, b: tf.linalg.global_norm([a, b]), [rnd(2), rnd(3)]),
        (
            "clip_by_global_norm",
            lambda a, b: tf.clip_by_global_norm([a, b], 1.0)[0],
            [rnd(2), rnd(3)],
        ),
        ("keras_dot", kops.dot, [rnd(2, 3), rnd(3, 2)]),
        ("keras_outer", kops.outer, [rnd(2), rnd(3)]),
    ],
)
def test_linalg_gradients(name, fn, args):
    check_grad(fn, *args)


# --- reductions ---------------------------------------------------------------------------
REDUCE_AXES = [None, 0, -1, (0, 1), [1]]


def _distinct(*shape):
    v = R.permutation(int(np.prod(shape))).astype(float)
    return (v / 3.0 - 1.0).reshape(shape)


@pytest.mark.parametrize(
    "name",
    [
        "reduce_sum",
        "reduce_mean",
        "reduce_max",
        "reduce_min",
        "reduce_prod",
        "reduce_variance",
        "reduce_std",
        "reduce_logsumexp",
        "reduce_euclidean_norm",
    ],
)
@pytest.mark.parametrize("axis", REDUCE_AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_gradients(name, axis, keepdims):
    fn = getattr(tf.math, name)
    x = _distinct(2, 3, 2) if name in ("reduce_max", "reduce_min") else rnd(2, 3, 2, lo=0.5)
    check_grad(lambda t: fn(t, axis=axis, keepdims=keepdims), x)


def test_reduce_max_ties_share_gradient():
    x = tf.constant([1.0, 3.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_max(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0, 0.5, 0.5])


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_cumulative_gradients(op, exclusive, reverse):
    fn = getattr(tf.math, op)
    check_grad(lambda t: fn(t, axis=1, exclusive=exclusive, reverse=reverse), rnd(2, 4, lo=0.5))


@pytest.mark.parametrize(
    "name,fn",
    [
        ("sort", lambda t: tf.sort(t, axis=-1)),
        ("sort_desc_axis0", lambda t: tf.sort(t, axis=0, direction="DESCENDING")),
        ("top_k", lambda t: tf.math.top_k(t, 2).values),
        ("moments", lambda t: tf.nn.moments(t, axes=[0])),
        ("keras_mean", lambda t: kops.mean(t, axis=1)),
        ("keras_var", lambda t: kops.var(t)),
        ("keras_std", lambda t: kops.std(t, axis=0, keepdims=True)),
        ("keras_max", lambda t: kops.max(t, axis=0)),
        ("keras_average", lambda t: kops.average(t, axis=1, weights=np.array([1.0, 2.0, 3.0]))),
        ("keras_logsumexp", lambda t: kops.logsumexp(t, axis=-1)),
    ],
)
def test_ordering_and_stat_gradients(name, fn):
    check_grad(fn, _distinct(3, 3))


# --- shape and indexing ops ---------------------------------------------------------------
SHAPE_OPS = [
    ("reshape", lambda t: tf.reshape(t, [3, 2]), (2, 3)),
    ("reshape_minus1", lambda t: tf.reshape(t, [-1]), (2, 3)),
    ("expand_dims", lambda t: tf.expand_dims(t, 1), (2, 3)),
    ("squeeze", lambda t: tf.squeeze(t, axis=1), (2, 1, 3)),
    ("transpose", tf.transpose, (2, 3, 4)),
    ("transpose_perm", lambda t: tf.transpose(t, [1, 0, 2]), (2, 3, 4)),
    ("concat", lambda t: tf.concat([t, t * 2.0, t[:1]], axis=0), (2, 3)),
    ("stack", lambda t: tf.stack([t, t * 3.0], axis=1), (2, 3)),
    ("unstack", lambda t: tf.unstack(t, axis=1)[1] * tf.unstack(t)[0][1], (2, 3)),
    ("split", lambda t: tf.split(t, [1, 2], axis=1)[1], (2, 3)),
    ("split_equal", lambda t: tf.split(t, 2, axis=0)[0] * 2.0, (4, 3)),
    ("tile", lambda t: tf.tile(t, [2, 3]), (2, 3)),
    ("repeat", lambda t: tf.repeat(t, 2, axis=0), (2, 3)),
    ("reverse", lambda t: tf.reverse(t, [1]), (2, 3)),
    ("roll", lambda t: tf.roll(t, 1, axis=1), (2, 3)),
    ("pad", lambda t: tf.pad(t, [[1, 0], [0, 2]]), (2, 3)),
    ("pad_reflect", lambda t: tf.pad(t, [[1, 1], [2, 1]], mode="REFLECT"), (3, 4)),
    ("pad_symmetric", lambda t: tf.pad(t, [[1, 1], [2, 1]], mode="SYMMETRIC"), (3, 4)),
    ("broadcast_to", lambda t: tf.broadcast_to(t, [4, 2, 3]), (2, 1)),
    ("slice_basic", lambda t: t[1:, ::2], (3, 4)),
    ("slice_int", lambda t: t[1], (3, 4)),
    ("slice_ellipsis_newaxis", lambda t: t[..., tf.newaxis, 1], (3, 4)),
    ("index_tensor_dupes", lambda t: t[tf.constant([0, 2, 0])], (3, 4)),
    ("index_list_axis1", lambda t: t[:, [1, 1, 3]], (3, 4)),
    ("index_bool", lambda t: t[t > 0.0], (3, 4)),
    ("gather", lambda t: tf.gather(t, [2, 0, 2]), (3, 4)),
    ("gather_axis1", lambda t: tf.gather(t, [[1, 0], [3, 3]], axis=1), (3, 4)),
    (
        "gather_batch_dims",
        lambda t: tf.gather(t, [[1, 0], [2, 2], [0, 1]], axis=1, batch_dims=1),
        (3, 4),
    ),
    ("gather_nd", lambda t: tf.gather_nd(t, [[0, 1], [2, 3], [0, 1]]), (3, 4)),
    ("boolean_mask", lambda t: tf.boolean_mask(t, [True, False, True]), (3, 4)),
    ("tf_slice", lambda t: tf.slice(t, [1, 0], [2, -1]), (3, 4)),
    ("scatter_update", lambda t: tf.tensor_scatter_nd_update(t, [[0, 1]], t[1:2, 0] * 5.0), (3, 4)),
    ("segment_sum", lambda t: tf.math.unsorted_segment_sum(t, [0, 1, 0], 2), (3, 4)),
    ("iterate", lambda t: tf.stack([row * float(i + 1) for i, row in enumerate(t)]), (3, 2)),
    ("keras_take", lambda t: kops.take(t, [3, 0, -1], axis=1), (3, 4)),
    (
        "keras_take_along_axis",
        lambda t: kops.take_along_axis(t, np.array([[0], [3], [1]]), axis=1),
        (3, 4),
    ),
    ("keras_tril", lambda t: kops.tril(t), (3, 4)),
    ("keras_triu", lambda t: kops.triu(t, 1), (3, 4)),
    ("keras_concatenate", lambda t: kops.concatenate([t, t], axis=1), (3, 4)),
    ("keras_moveaxis", lambda t: kops.moveaxis(t, 0, -1), (2, 3, 4)),
]


@pytest.mark.parametrize("name,fn,shape", SHAPE_OPS, ids=[s[0] for s in SHAPE_OPS])
def test_shape_op_gradients(name, fn, shape):
    check_grad(fn, rnd(*shape))


# --- losses and normalization -------------------------------------------------------------
def test_sigmoid_cross_entropy_gradient():
    labels = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]])
    check_grad(
        lambda z: tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=z),
        rnd(2, 3, lo=-4, hi=4),
    )


def test_weighted_cross_entropy_gradient():
    labels = np.array([[0.0, 1.0, 1.0]])
    check_grad(lambda z: tf.nn.weighted_cross_entropy_with_logits(labels, z, 2.0), rnd(1, 3))


def test_softmax_cross_entropy_gradients():
    labels = np.array([[0.2, 0.8, 0.0], [0.0, 0.0, 1.0]])
    check_grad(lambda z: tf.nn.softmax_cross_entropy_with_logits(labels, z), rnd(2, 3))
    check_grad(
        lambda z: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.array([2, 0]), logits=z),
        rnd(2, 3),
    )


def test_keras_crossentropy_gradients():
    p = R.uniform(0.1, 0.9, size=(2, 3))
    t = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    check_grad(lambda q: kops.binary_crossentropy(t, q), p)
    check_grad(lambda q: kops.categorical_crossentropy(t, q), p)
    check_grad(lambda q: kops.sparse_categorical_crossentropy(np.array([1, 0]), q), p)
    check_grad(lambda q: kops.categorical_crossentropy(t, q, from_logits=True), rnd(2, 3))


def test_batch_normalization_and_bias_add_gradients():
    check_grad(
        lambda x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, 1e-3),
        rnd(4, 3),
        rnd(3),
        rnd(3, lo=0.5),
        rnd(3),
        rnd(3),
    )
    check_grad(tf.nn.bias_add, rnd(2, 3), rnd(3))
    check_grad(lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"), rnd(2, 3, 2, 2), rnd(3))


# --- second derivatives through nested tapes ----------------------------------------------
@pytest.mark.parametrize(
    "name,fn",
    [
        ("cube", lambda x: x * x * x),
        ("exp_sin", lambda x: tf.exp(tf.sin(x))),
        ("sigmoid", tf.sigmoid),
        ("tanh", tf.tanh),
        ("softplus", tf.math.softplus),
        ("softmax", lambda x: tf.nn.softmax(x) * tf.range(3.0, dtype=tf.float64)),
        ("log_softmax", lambda x: tf.nn.log_softmax(x) * tf.range(3.0, dtype=tf.float64)),
        ("logsumexp", lambda x: tf.reduce_logsumexp(x, axis=-1)),
        ("sqrt", lambda x: tf.sqrt(x * x + 1.0)),
        ("divide", lambda x: 1.0 / (x * x + 1.0)),
        ("matmul", lambda x: tf.matmul(tf.reshape(x, [1, 3]), tf.reshape(x, [3, 1])) ** 2),
        ("indexing", lambda x: x[::2] ** 3),
        ("pow", lambda x: tf.pow(x * x + 1.0, 1.5)),
        ("reduce_mean_var", lambda x: tf.math.reduce_variance(x) * tf.reduce_mean(x)),
    ],
)
def test_second_order(name, fn):
    check_second_order(fn, rnd(3))


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumprod_gradient_with_zeros(exclusive, reverse):
    x = np.array([[0.0, -1.0, 2.0], [2.0, 0.5, 0.0]])
    check_grad(lambda t: tf.math.cumprod(t, axis=1, exclusive=exclusive, reverse=reverse), x)


def test_sigmoid_cross_entropy_gradient_at_zero_logit_matches_tensorflow():
    z = tf.Variable([0.0])
    with tf.GradientTape() as tape:
        loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0], logits=z)
    assert tape.gradient(loss, z).numpy().tolist() == [-0.5]


# --- property tests: random shapes, axes and indexing keys --------------------------------
@st.composite
def _shape_and_axes(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    axes = draw(
        st.one_of(
            st.none(),
            st.lists(
                st.integers(-len(shape), len(shape) - 1),
                min_size=1,
                max_size=len(shape),
                unique=True,
            ),
        )
    )
    if axes is not None and len({a % len(shape) for a in axes}) != len(axes):
        axes = None
    return shape, axes


@settings(max_examples=25, deadline=None)
@given(
    _shape_and_axes(),
    st.sampled_from(
        ["reduce_sum", "reduce_mean", "reduce_logsumexp", "reduce_variance", "reduce_max"]
    ),
    st.booleans(),
)
def test_reductions_hypothesis(shape_axes, op, keepdims):
    shape, axes = shape_axes
    x = np.random.RandomState(len(shape)).permutation(int(np.prod(shape))).reshape(shape) / 5.0
    check_grad(lambda t: getattr(tf.math, op)(t, axis=axes, keepdims=keepdims), x)


@st.composite
def _index_key(draw):
    n0, n1 = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    kind = draw(st.sampled_from(["slice", "int", "ints", "mask", "mixed"]))
    if kind == "slice":
        a = draw(st.integers(-n0, n0 - 1))
        step = draw(st.sampled_from([1, 2, -1]))
        key = (slice(a, None, step), slice(None, draw(st.integers(1, n1))))
    elif kind == "int":
        key = (draw(st.integers(-n0, n0 - 1)),)
    elif kind == "ints":
        key = (draw(st.lists(st.integers(0, n0 - 1), min_size=1, max_size=5)),)
    elif kind == "mask":
        key = (np.array(draw(st.lists(st.booleans(), min_size=n0, max_size=n0))),)
    else:
        key = (Ellipsis, draw(st.lists(st.integers(-n1, n1 - 1), min_size=1, max_size=3)))
    return (n0, n1), key


@settings(max_examples=30, deadline=None)
@given(_index_key())
def test_indexing_gradients_hypothesis(shape_key):
    shape, key = shape_key
    key = tuple(tf.constant(k) if isinstance(k, list) else k for k in key)
    check_grad(lambda t: t[key] * 1.5, np.arange(float(np.prod(shape))).reshape(shape))


# --- the rest of the catalogue ------------------------------------------------------------
def _spd2():
    return np.array([[3.0, 0.5], [0.5, 2.0]])


MORE = [
    ("log_poisson_loss", lambda c: tf.nn.log_poisson_loss(np.array([1.0, 2.0, 0.0]), c), [rnd(3)]),
    ("xw_plus_b", tf.nn.xw_plus_b, [rnd(2, 3), rnd(3, 2), rnd(2)]),
    (
        "weighted_moments",
        lambda x: tf.nn.weighted_moments(x, [0], np.array([[1.0], [2.0]])),
        [rnd(2, 3)],
    ),
    ("crelu", tf.nn.crelu, [away(2, 3)]),
    ("dropout_fixed_seed", lambda x: tf.nn.dropout(x, 0.5, seed=3), [rnd(4, 4)]),
    ("segment_sqrt_n", lambda x: tf.math.unsorted_segment_sqrt_n(x, [0, 1, 0], 2), [rnd(3, 2)]),
    ("cumulative_logsumexp", lambda x: tf.math.cumulative_logsumexp(x, axis=1), [rnd(2, 4)]),
    (
        "reverse_sequence",
        lambda x: tf.reverse_sequence(x, [2, 3], seq_axis=1, batch_axis=0),
        [rnd(2, 4)],
    ),
    ("strided_slice", lambda x: tf.strided_slice(x, [0, 3], [2, 0], [1, -2]), [rnd(2, 4)]),
    ("space_to_depth", lambda x: tf.nn.space_to_depth(x, 2), [rnd(1, 4, 4, 1)]),
    ("depth_to_space", lambda x: tf.nn.depth_to_space(x, 2), [rnd(1, 2, 2, 4)]),
    ("scatter_nd", lambda u: tf.scatter_nd([[1], [3], [1]], u, [5]), [rnd(3)]),
    (
        "tensor_scatter_nd_add",
        lambda x, u: tf.tensor_scatter_nd_add(x, [[0], [2]], u),
        [rnd(3, 2), rnd(2, 2)],
    ),
    ("parallel_stack", lambda x, y: tf.parallel_stack([x, y]), [rnd(3), rnd(3)]),
    ("map_fn", lambda x: tf.map_fn(lambda r: r * r, x), [rnd(3, 2)]),
    (
        "conv1d_transpose",
        lambda x, f: tf.nn.conv1d_transpose(x, f, [1, 8, 2], 2),
        [rnd(1, 4, 3), rnd(3, 2, 3)],
    ),
    (
        "separable_conv2d",
        lambda x, d, p: tf.nn.separable_conv2d(x, d, p, [1, 1, 1, 1], "SAME"),
        [rnd(1, 3, 3, 2), rnd(2, 2, 2, 1), rnd(1, 1, 2, 2)],
    ),
    ("lstsq", tf.linalg.lstsq, [rnd(4, 2), rnd(4, 1)]),
    ("triangular_solve", lambda b: tf.linalg.triangular_solve(_spd2(), b), [rnd(2, 2)]),
    (
        "cholesky_solve",
        lambda b: tf.linalg.cholesky_solve(np.linalg.cholesky(_spd2()), b),
        [rnd(2, 1)],
    ),
    ("set_diag", lambda x, d: tf.linalg.set_diag(x, d), [rnd(2, 2), rnd(2)]),
    ("linalg_normalize", lambda x: tf.linalg.normalize(x, axis=1)[0], [rnd(2, 3)]),
    ("matrix_transpose", tf.linalg.matrix_transpose, [rnd(2, 3, 4)]),
    ("keras_diff", kops.diff, [rnd(5)]),
    ("keras_logaddexp", kops.logaddexp, [rnd(3), rnd(3)]),
    ("keras_vdot", kops.vdot, [rnd(2, 2), rnd(2, 2)]),
    (
        "keras_hstack_vstack",
        lambda x: kops.vstack([kops.hstack([x, x]), kops.hstack([x, x])]),
        [rnd(3)],
    ),
    ("keras_flip_swap", lambda x: kops.swapaxes(kops.flip(x, 0), 0, 1), [rnd(2, 3)]),
    ("keras_log2_log10", lambda x: kops.log2(x) + kops.log10(x), [rnd(3, lo=0.5)]),
    (
        "keras_power_arctan2",
        lambda x, y: kops.power(x, y) + kops.arctan2(x, y),
        [rnd(3, lo=0.5), rnd(3, lo=0.5)],
    ),
    ("keras_normalize", kops.normalize, [rnd(2, 3)]),
    ("keras_append_ravel", lambda x: kops.append(kops.ravel(x), x), [rnd(2, 2)]),
    ("keras_repeat", lambda x: kops.repeat(x, 2, axis=1), [rnd(2, 2)]),
]


@pytest.mark.parametrize("name,fn,args", MORE, ids=[m[0] for m in MORE])
def test_more_gradients(name, fn, args):
    check_grad(fn, *args)


def _sym(a):
    return (a + tf.linalg.matrix_transpose(a)) * 0.5


def test_cholesky_and_eigh_gradients():
    a = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    check_grad(lambda t: tf.linalg.cholesky(_sym(t)), a)
    check_grad(lambda t: tf.linalg.eigh(_sym(t))[0], a)
    check_grad(lambda t: tf.square(tf.linalg.eigh(_sym(t))[1]), a)  # sign-free function
    check_grad(lambda t: tf.linalg.eigvalsh(t), a)  # lower triangle only, as TensorFlow
    check_grad(lambda t: tf.linalg.logdet(_sym(t)), a)
