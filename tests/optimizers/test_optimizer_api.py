"""The optimizer API a Keras user touches: names, defaults, learning rate, config, state, errors."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

import lamina
from lamina import optimizers
from lamina.optimizers import schedules

ALL = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion"]
DEFAULT_LR = {
    "SGD": 0.01,
    "RMSprop": 0.001,
    "Adam": 0.001,
    "AdamW": 0.001,
    "Adagrad": 0.001,
    "Adadelta": 0.001,
    "Adamax": 0.001,
    "Nadam": 0.001,
    "Ftrl": 0.001,
    "Lion": 0.001,
}
BASE_KEYS = [
    "name",
    "learning_rate",
    "weight_decay",
    "clipnorm",
    "global_clipnorm",
    "clipvalue",
    "use_ema",
    "ema_momentum",
    "ema_overwrite_frequency",
    "loss_scale_factor",
    "gradient_accumulation_steps",
]


def _var(shape=(2, 3), value=1.0, name="kernel"):
    return lamina.Variable(np.full(shape, value, dtype=np.float32), name=name)


# --- names ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,cls",
    [
        ("sgd", "SGD"),
        ("SGD", "SGD"),
        ("Adam", "Adam"),
        ("adam", "Adam"),
        ("rmsprop", "RMSprop"),
        ("RMSprop", "RMSprop"),
        ("ADAM", "Adam"),
        ("adamw", "AdamW"),
        ("nadam", "Nadam"),
        ("ftrl", "Ftrl"),
        ("adagrad", "Adagrad"),
        ("adadelta", "Adadelta"),
        ("adamax", "Adamax"),
        ("lion", "Lion"),
    ],
)
def test_get_accepts_names_in_any_case(name, cls):
    opt = optimizers.get(name)
    assert type(opt).__name__ == cls
    assert opt is not optimizers.get(name)  # a fresh optimizer each time


def test_unknown_name_suggests_nearest():
    with pytest.raises(ValueError, match=r"Could not interpret optimizer identifier: 'adamm'") as e:
        optimizers.get("adamm")
    assert "Did you mean 'Adam'" in str(e.value) or "Did you mean 'adam'" in str(e.value)
    with pytest.raises(ValueError, match="Valid names"):
        optimizers.get("rmsprp")


def test_get_passes_instances_and_rejects_other_types():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="optimizer identifier"):
        optimizers.get(42)


@pytest.mark.parametrize("cls", ALL)
def test_keras_default_learning_rates_and_names(cls):
    opt = getattr(optimizers, cls)()
    assert float(opt.learning_rate) == pytest.approx(DEFAULT_LR[cls])
    assert opt.name == cls  # tf.keras 2.x default names
    config = opt.get_config()
    assert list(config)[: len(BASE_KEYS)] == BASE_KEYS
    assert config["learning_rate"] == DEFAULT_LR[cls]


def test_per_optimizer_config_keys_match_keras():
    assert list(optimizers.SGD().get_config())[len(BASE_KEYS) :] == ["momentum", "nesterov"]
    assert list(optimizers.Adam().get_config())[len(BASE_KEYS) :] == [
        "beta_1",
        "beta_2",
        "epsilon",
        "amsgrad",
    ]
    assert list(optimizers.RMSprop().get_config())[len(BASE_KEYS) :] == [
        "rho",
        "momentum",
        "epsilon",
        "centered",
    ]
    assert optimizers.Adam().epsilon == 1e-7
    assert optimizers.AdamW().weight_decay == 0.004
    assert list(optimizers.Ftrl().get_config())[len(BASE_KEYS) :] == [
        "learning_rate_power",
        "initial_accumulator_value",
        "l1_regularization_strength",
        "l2_regularization_strength",
        "l2_shrinkage_regularization_strength",
        "beta",
    ]


@pytest.mark.parametrize("cls", ALL)
def test_config_round_trip(cls):
    opt = getattr(optimizers, cls)(learning_rate=0.05, name="mine")
    config = opt.get_config()
    again = type(opt).from_config(config)
    assert again.get_config() == config
    blob = optimizers.serialize(opt)
    assert blob["module"] == "keras.optimizers" and blob["class_name"] == cls
    assert blob["registered_name"] is None
    back = optimizers.deserialize(blob)
    assert type(back) is type(opt) and back.get_config() == config


def test_deserialize_keras2_config():
    config = {
        "class_name": "Adam",
        "config": {
            "name": "Adam",
            "lr": 0.002,
            "decay": 0.0,
            "beta_1": 0.9,
            "beta_2": 0.999,
            "epsilon": 1e-07,
            "amsgrad": False,
            "is_legacy_optimizer": False,
            "jit_compile": True,
        },
    }
    opt = optimizers.deserialize(config)
    assert isinstance(opt, optimizers.Adam)
    assert float(opt.learning_rate) == pytest.approx(0.002)
    assert optimizers.get({"class_name": "sgd", "config": {"learning_rate": 0.3}}).momentum == 0


def test_schedule_in_config_round_trips():
    sched = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=sched)
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "ExponentialDecay"
    assert config["learning_rate"]["module"] == "keras.optimizers.schedules"
    again = optimizers.SGD.from_config(config)
    assert isinstance(again._learning_rate, schedules.ExponentialDecay)
    assert again._learning_rate.get_config() == sched.get_config()


# --- learning rate --------------------------------------------------------------------------
def test_lr_alias_warns_like_tf_keras_and_sets_learning_rate():
    with pytest.warns(UserWarning, match="The `lr` argument is deprecated, use `learning_rate`"):
        opt = optimizers.SGD(lr=9)
    assert float(opt.learning_rate) == 9.0
    assert opt.get_config()["learning_rate"] == 9.0


def test_learning_rate_is_a_readable_assignable_variable():
    opt = optimizers.Adam(learning_rate=0.01)
    lr = opt.learning_rate
    assert isinstance(lr, lamina.Variable)
    assert "learning_rate:0" in repr(lr) and "numpy=0.01" in repr(lr)
    assert float(lr) == pytest.approx(0.01)
    assert f"{opt.lr.numpy():.4f}" == "0.0100"
    opt.learning_rate = 0.5  # what LearningRateScheduler does
    assert float(opt.learning_rate) == 0.5
    assert opt.learning_rate is lr  # the same variable, updated in place
    opt.lr = np.float32(0.25)
    assert float(opt.lr) == 0.25
    opt.learning_rate.assign(0.125)
    assert opt.get_config()["learning_rate"] == 0.125
    assert lr in opt.variables


def test_assigned_learning_rate_is_used_by_the_next_step():
    opt = optimizers.SGD(learning_rate=0.1)
    v = _var()
    opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    opt.learning_rate = 1.0
    opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    np.testing.assert_allclose(v.numpy(), 1.0 - 0.1 - 1.0, rtol=1e-6)


def test_schedule_learning_rate_reads_current_value_and_is_not_assignable():
    opt = optimizers.SGD(learning_rate=schedules.PiecewiseConstantDecay([1], [1.0, 0.5]))
    v = _var()
    assert float(opt.learning_rate) == 1.0
    for _ in range(2):
        opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    assert float(opt.learning_rate) == 0.5
    np.testing.assert_allclose(v.numpy(), 1.0 - 1.0 - 1.0)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    assert len(opt.variables) == 1  # no learning_rate variable with a schedule


def test_callable_learning_rate():
    value = [0.5]
    opt = optimizers.SGD(learning_rate=lambda: value[0])
    v = _var()
    opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    value[0] = 0.25
    opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    np.testing.assert_allclose(v.numpy(), 0.25)


def test_keras2_decay_is_time_based():
    opt = optimizers.SGD(learning_rate=1.0, decay=1.0)
    v = _var(value=0.0)
    for _ in range(3):
        opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    # lr / (1 + decay * iterations) for iterations 0, 1, 2
    np.testing.assert_allclose(v.numpy(), -(1 + 1 / 2 + 1 / 3), rtol=1e-6)
    assert opt.get_config()["decay"] == 1.0


# --- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_bad_learning_rate_values_rejected(bad):
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate=bad)
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = bad


@pytest.mark.parametrize("bad", ["0.1", True, [0.1, 0.2], None])
def test_bad_learning_rate_types_rejected(bad):
    with pytest.raises(TypeError, match="learning_rate"):
        optimizers.SGD(learning_rate=bad)


def test_bad_hyperparameters_rejected_at_construction():
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=-0.1)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Adam(beta_1=1.0)
    with pytest.raises(ValueError, match="epsilon"):
        optimizers.Adam(epsilon=-1e-7)
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="clipnorm"):
        optimizers.SGD(clipnorm=-1.0)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.Adam(gradient_accumulation_steps=1)
    with pytest.raises(ValueError, match="ema_overwrite_frequency"):
        optimizers.Adam(use_ema=True, ema_overwrite_frequency=0)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(betta_1=0.9)
    with pytest.raises(ValueError, match="learning_rate_power"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lion(beta_1=0.0)


def test_apply_gradients_rejects_non_variables_and_bad_pairs():
    opt = optimizers.SGD()
    with pytest.raises(TypeError, match="Variable"):
        opt.apply_gradients([(np.ones(3, np.float32), lamina.constant([1.0, 2.0, 3.0]))])
    with pytest.raises(TypeError, match="pairs"):
        opt.apply_gradients([np.ones(3)])
    v = _var()
    with pytest.raises(ValueError, match="shape"):
        opt.apply_gradients([(np.ones((3, 2), np.float32), v)])


# --- applying -------------------------------------------------------------------------------
def test_minimize_with_callable_and_with_tape():
    var = lamina.Variable(1.0)
    opt = optimizers.SGD(learning_rate=0.1)
    opt.minimize(lambda: (var * var) / 2.0, [var])
    assert float(var) == pytest.approx(0.9)
    with lamina.GradientTape() as tape:
        loss = var * var
    opt.minimize(loss, [var], tape=tape)
    assert float(var) == pytest.approx(0.9 - 0.1 * 1.8)
    assert int(opt.iterations) == 2
    with pytest.raises(ValueError, match="`tape` is required"):
        opt.minimize(var * var, [var])


def test_gradient_tape_loop_with_tensor_gradients():
    w = lamina.Variable(np.array([1.0, -2.0], np.float32))
    opt = optimizers.Adam(learning_rate=0.1)
    for _ in range(3):
        with lamina.GradientTape() as tape:
            loss = lamina.reduce_sum(w * w)
        grads = tape.gradient(loss, [w])
        result = opt.apply_gradients(zip(grads, [w]))
    assert result is opt.iterations
    assert int(opt.iterations) == 3 and opt.iterations.dtype == lamina.int64
    assert np.all(np.abs(w.numpy()) < [1.0, 2.0])


def test_none_gradients_warn_and_all_none_raises():
    a, b = _var(name="a"), _var(name="b")
    opt = optimizers.SGD(learning_rate=0.5)
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        opt.apply_gradients([(np.ones((2, 3), np.float32), a), (None, b)])
    np.testing.assert_allclose(a.numpy(), 0.5)
    np.testing.assert_allclose(b.numpy(), 1.0)
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, a)])


def test_updates_in_place_and_does_not_touch_the_gradient():
    v = _var()
    buf = v._value
    g = np.full((2, 3), 0.5, np.float32)
    opt = optimizers.Adam(clipvalue=0.1)
    opt.apply_gradients([(g, v)])
    assert v._value is buf
    np.testing.assert_array_equal(g, 0.5)


@pytest.mark.parametrize("cls", ["SGD", "Adam", "RMSprop"])
def test_common_steps_do_not_allocate_per_step(cls):
    kwargs = {"momentum": 0.9} if cls == "SGD" else {}
    v = lamina.Variable(np.zeros((500, 500), np.float32))
    g = np.ones((500, 500), np.float32)
    opt = getattr(optimizers, cls)(**kwargs)
    opt.apply_gradients([(g, v)])  # builds slots and scratch
    tracemalloc.start()
    for _ in range(5):
        opt.apply_numpy([g], [v])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 100_000, f"{cls} allocated {peak} bytes over 5 steps of a 1 MB variable"


def test_diverging_learning_rate_does_not_crash_or_warn():
    v = lamina.Variable(np.array([1e30, -1e30, 3.0], np.float32))
    opt = optimizers.SGD(learning_rate=9.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(5):
            with np.errstate(all="ignore"):
                g = v._value * 1e10
            opt.apply_gradients([(g, v)])
        opt2 = optimizers.Adam(learning_rate=9.0)
        opt2.apply_gradients([(np.array([np.inf, np.nan, 1.0], np.float32), v)])
    assert not np.isfinite(v.numpy()[:2]).any()


def test_constraint_is_applied_after_the_update():
    v = lamina.Variable(np.zeros(3, np.float32), constraint=lamina.constraints.NonNeg())
    optimizers.SGD(learning_rate=1.0).apply_gradients([(np.array([1.0, -1.0, 2.0], np.float32), v)])
    np.testing.assert_allclose(v.numpy(), [0.0, 1.0, 0.0])


def test_exclude_from_weight_decay():
    k, b = _var(name="kernel"), _var(name="bias")
    opt = optimizers.SGD(learning_rate=0.5, weight_decay=0.1)
    opt.exclude_from_weight_decay(var_names=["bias"])
    zero = np.zeros((2, 3), np.float32)
    opt.apply_gradients([(zero, k), (zero, b)])
    np.testing.assert_allclose(k.numpy(), 1 - 0.05)
    np.testing.assert_allclose(b.numpy(), 1.0)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


def test_gradient_accumulation_counts_real_updates():
    v = _var(value=0.0)
    opt = optimizers.SGD(learning_rate=1.0, gradient_accumulation_steps=2)
    opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    np.testing.assert_allclose(v.numpy(), 0.0)
    opt.apply_gradients([(3 * np.ones((2, 3), np.float32), v)])
    np.testing.assert_allclose(v.numpy(), -2.0)  # mean of the two gradients
    assert int(opt.iterations) == 1


def test_ema_finalize_overwrites_with_average():
    v = _var(value=0.0)
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    for _ in range(3):
        opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    np.testing.assert_allclose(v.numpy(), -3.0)
    opt.finalize_variable_values([v])
    np.testing.assert_allclose(v.numpy(), 0.5 * (0.5 * -1 + 0.5 * -2) + 0.5 * -3)


# --- state ----------------------------------------------------------------------------------
def test_variables_in_keras_order_with_keras_names():
    k, b = _var(name="kernel"), _var(shape=(3,), name="bias")
    opt = optimizers.Adam()
    opt.build([k, b])
    names = [v.path for v in opt.variables]
    assert names == [
        "Adam/iteration",
        "Adam/learning_rate",
        "Adam/kernel_momentum",
        "Adam/kernel_velocity",
        "Adam/bias_momentum",
        "Adam/bias_velocity",
    ]
    rms = optimizers.RMSprop(momentum=0.9, centered=True)
    rms.build([k, b])
    assert [v.name for v in rms.variables][2:] == [
        "kernel_velocity",
        "bias_velocity",
        "kernel_momentum",
        "bias_momentum",
        "kernel_average_gradient",
        "bias_average_gradient",
    ]
    assert len(optimizers.Nadam().variables) == 2
    nadam = optimizers.Nadam()
    nadam.build([k])
    assert [v.name for v in nadam.variables][-1] == "variable"
    assert opt.variables() == opt.variables  # tf.keras 2.x called it as a method
    assert opt.get_slot(k, "velocity") is opt.variables[3]


@pytest.mark.parametrize("cls", ALL)
def test_save_and_load_state_continues_identically(cls):
    rng = np.random.RandomState(0)
    grads = [rng.normal(size=(2, 3)).astype(np.float32) for _ in range(4)]

    def fresh():
        return lamina.Variable(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))

    v1, o1 = fresh(), getattr(optimizers, cls)(learning_rate=0.05)
    for g in grads:
        o1.apply_gradients([(g, v1)])

    v2, o2 = fresh(), getattr(optimizers, cls)(learning_rate=0.05)
    for g in grads[:2]:
        o2.apply_gradients([(g, v2)])
    store: dict = {}
    o2.save_own_variables(store)
    assert list(store) == [str(i) for i in range(len(o2.variables))]

    v3 = lamina.Variable(v2.numpy())
    o3 = getattr(optimizers, cls)(learning_rate=0.05)
    if len(o3.variables) != len(store):
        with pytest.warns(UserWarning, match="Skipping variable loading"):
            o3.load_own_variables(store)  # not built yet: no slots
    o3.build([v3])
    o3.load_own_variables(store)
    assert int(o3.iterations) == 2
    for g in grads[2:]:
        o3.apply_gradients([(g, v3)])
    np.testing.assert_allclose(v3.numpy(), v1.numpy(), rtol=1e-6, atol=1e-7)


def test_get_and_set_weights():
    v = _var()
    opt = optimizers.Adam()
    opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    weights = opt.get_weights()
    assert [w.shape for w in weights] == [(), (), (2, 3), (2, 3)]
    other = optimizers.Adam()
    with pytest.raises(ValueError, match="not yet been built"):
        other.set_weights(weights)
    other.build([_var()])
    other.set_weights(weights)
    assert int(other.iterations) == 1
    with pytest.raises(ValueError, match="shape"):
        other.set_weights([weights[0], weights[1], np.zeros((3,)), weights[3]])


def test_custom_keras3_style_optimizer():
    class MySGD(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def build(self, variables):
            super().build(variables)
            self.velocity = [self.add_variable_from_reference(v, "velocity") for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            vel = self.velocity[self._get_variable_index(variable)]
            self.assign(vel, vel * 0.5 + gradient)
            self.assign_sub(variable, vel * learning_rate)

    v = _var(value=0.0)
    opt = MySGD()
    for _ in range(2):
        opt.apply_gradients([(np.ones((2, 3), np.float32), v)])
    np.testing.assert_allclose(v.numpy(), -(0.1 * 1 + 0.1 * 1.5), rtol=1e-6)
    assert [x.name for x in opt.variables] == ["iteration", "learning_rate", "kernel_velocity"]


def test_legacy_and_experimental_namespaces():
    assert optimizers.legacy.Adam is optimizers.Adam
    assert optimizers.legacy.SGD is optimizers.SGD
    assert optimizers.experimental.AdamW is optimizers.AdamW
    legacy = optimizers.legacy.RMSprop(learning_rate=0.01, decay=1e-6)
    assert legacy.decay == 1e-6


def test_tf_keras2_extras():
    opt = optimizers.SGD(learning_rate=1.0, decay=1.0)
    v = _var()
    opt.apply_gradients([(np.zeros((2, 3), np.float32), v)])
    assert float(opt._decayed_lr("float32")) == pytest.approx(0.5)
    assert opt.weights == opt.variables
    with pytest.warns(UserWarning, match="schedule_decay"):
        optimizers.Nadam(learning_rate=0.002, schedule_decay=0.004)


def test_minimize_with_grad_loss():
    var = lamina.Variable(1.0)
    opt = optimizers.SGD(learning_rate=0.1)
    opt.minimize(lambda: var * 3.0, [var], grad_loss=lamina.constant(2.0))
    assert float(var) == pytest.approx(1.0 - 0.1 * 6.0)
