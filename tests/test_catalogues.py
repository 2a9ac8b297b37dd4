"""The contract every catalogue keeps (losses, metrics, optimizers, schedules, initializers,
regularizers, constraints, activations): Keras's constructor defaults, config round trips
for every class, names in any case, nearest-name errors, and arguments checked at
construction. Classes are found by introspection, so a new one is covered automatically.
"""

from __future__ import annotations

import inspect
import json
import pathlib

import numpy as np
import pytest

import lamina
from lamina import (
    activations,
    constraints,
    initializers,
    losses,
    metrics,
    optimizers,
    regularizers,
)
from lamina.optimizers import schedules
from lamina.utils.serialization import lookup_name

CATALOGUES = {
    "losses": losses,
    "metrics": metrics,
    "optimizers": optimizers,
    "schedules": schedules,
    "initializers": initializers,
    "regularizers": regularizers,
    "constraints": constraints,
    "activations": activations,
}

#: Constructor defaults of Keras 3.15 (``inspect.signature`` reprs) for the names lamina has.
KERAS_DEFAULTS = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "keras_catalogue_defaults.json").read_text()
)
#: Where lamina keeps tf.keras 2.x's default (printed names, History keys) or a second
#: spelling of the argument, on purpose.
TF_KERAS_2_DEFAULTS = {
    ("metrics.KLDivergence", "name"): "'kullback_leibler_divergence'",
    ("regularizers.l1_l2", "l1"): "0.01",
    ("regularizers.l1_l2", "l2"): "0.01",
    ("activations.relu", "negative_slope"): "None",  # alias of ``alpha=0.0`` (tf.keras 2)
}


def _lamina_object(key: str):
    mod, name = key.split(".", 1)
    return getattr(CATALOGUES[mod], name)


@pytest.mark.parametrize("key", sorted(KERAS_DEFAULTS))
def test_constructor_defaults_are_keras_defaults(key):
    obj = _lamina_object(key)
    sig = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    ours = {p.name: repr(p.default) for p in sig.parameters.values()}
    for arg, keras_default in KERAS_DEFAULTS[key].items():
        assert arg in ours, f"{key} lacks Keras's argument `{arg}`"
        want = TF_KERAS_2_DEFAULTS.get((key, arg), keras_default)
        got = ours[arg]
        if got != want:  # 0 and 0.0, 1e-07 and 1e-7 are the same default
            assert float(eval(got)) == float(eval(want)), (key, arg, got, want)  # noqa: S307


# --- every class: config round trip ------------------------------------------------------------
#: Values for required constructor arguments.
REQUIRED = {
    "num_classes": 3,
    "thresholds": 0.5,
    "recall": 0.5,
    "precision": 0.5,
    "specificity": 0.5,
    "sensitivity": 0.5,
    "target_class_ids": [0, 1],
    "initial_learning_rate": 0.1,
    "decay_steps": 10,
    "decay_rate": 0.9,
    "boundaries": [10],
    "values": [0.1, 0.01],
    "first_decay_steps": 10,
}
ABSTRACT = {
    "Loss",
    "LossFunctionWrapper",
    "Reduction",
    "Metric",
    "MeanMetricWrapper",
    "Optimizer",
    "LearningRateSchedule",
    "Initializer",
    "Regularizer",
    "Constraint",
}


def _classes():
    out, seen = [], set()
    for mod_name, mod in CATALOGUES.items():
        if mod is activations:
            continue
        for name in sorted(set(dir(mod))):
            obj = getattr(mod, name)
            if id(obj) in seen:  # an alias (``max_norm``, ``glorot_uniform``) of a listed class
                continue
            seen.add(id(obj))
            if (
                inspect.isclass(obj)
                and name not in ABSTRACT
                and obj.__module__.startswith(mod.__name__)
            ):
                out.append(pytest.param(mod, obj, id=f"{mod_name}.{name}"))
    return out


def _build(cls):
    kw = {
        p.name: REQUIRED[p.name]
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self"
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        and p.default is inspect.Parameter.empty
    }
    return cls(**kw)


@pytest.mark.parametrize("mod,cls", _classes())
def test_every_class_round_trips_its_config(mod, cls):
    obj = _build(cls)
    config = obj.get_config()
    as_json = json.loads(json.dumps(config))
    again = type(obj).from_config(as_json)
    assert type(again) is type(obj)
    assert json.dumps(again.get_config(), sort_keys=True) == json.dumps(config, sort_keys=True)
    back = mod.deserialize(json.loads(json.dumps(mod.serialize(obj))))
    assert type(back) is type(obj)
    assert json.dumps(back.get_config(), sort_keys=True) == json.dumps(config, sort_keys=True)


# --- names in any case, unknown names ------------------------------------------------------
ANY_CASE = [
    (losses.get, "BINARY_CROSSENTROPY", losses.binary_crossentropy),
    (losses.get, "Mse", losses.mean_squared_error),
    (losses.get, "cosine_proximity", losses.cosine_similarity),  # Keras 2.2
    (metrics.get, "ACCURACY", metrics.accuracy),  # the string name, not the class
    (metrics.get, "Categorical_Accuracy", metrics.categorical_accuracy),
    (activations.get, "RELU", activations.relu),
    (activations.get, "Sigmoid", activations.sigmoid),
]


@pytest.mark.parametrize("get,name,want", ANY_CASE, ids=lambda x: x if isinstance(x, str) else "")
def test_function_names_in_any_case(get, name, want):
    assert get(name) is want


@pytest.mark.parametrize(
    "get,name,cls",
    [
        (optimizers.get, "RmsProp", optimizers.RMSprop),
        (optimizers.get, "ADAMW", optimizers.AdamW),
        (losses.get, "binarycrossentropy", losses.BinaryCrossentropy),
        (metrics.get, "PRECISION", metrics.Precision),
        (initializers.get, "GLOROT_UNIFORM", initializers.GlorotUniform),
        (initializers.get, "Normal", initializers.RandomNormal),  # Keras 1/2
        (regularizers.get, "L1_L2", regularizers.L1L2),
        (constraints.get, "MAXNORM", constraints.MaxNorm),  # Keras 2
        (constraints.get, "Unit_Norm", constraints.UnitNorm),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_class_names_in_any_case_give_instances(get, name, cls):
    assert type(get(name)) is cls


@pytest.mark.parametrize(
    "get,typo,near",
    [
        (losses.get, "binary_crossentropyy", "binary_crossentropy"),
        (metrics.get, "categorical_acuracy", "categorical_accuracy"),
        (optimizers.get, "rmsprp", "rmsprop"),
        (initializers.get, "he_normall", "he_normal"),
        (regularizers.get, "l3", "l2"),
        (constraints.get, "non_negg", "non_neg"),
        (activations.get, "softmaxx", "softmax"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_unknown_names_raise_value_error_naming_the_nearest(get, typo, near):
    with pytest.raises(ValueError, match=f"{typo!r}.*Did you mean '{near}'"):
        get(typo)


def test_lookup_name_prefers_exact_then_any_case_then_the_string_name():
    def fn():
        pass

    class Fn:
        pass

    table = {"fn": fn, "Fn": Fn, "other": 1}
    assert lookup_name("thing", "Fn", table) is Fn
    assert lookup_name("thing", "FN", table) is fn  # ambiguous in case: the string name
    assert lookup_name("thing", "OTHER", table) == 1
    with pytest.raises(ValueError, match=r"Could not interpret thing identifier: 'othr'\. Did you"):
        lookup_name("thing", "othr", table)


# --- arguments checked at construction -------------------------------------------------------
@pytest.mark.parametrize(
    "make,error,match",
    [
        (lambda: optimizers.SGD(nesterov="yes"), TypeError, "nesterov"),
        (lambda: optimizers.Adam(amsgrad="no"), TypeError, "amsgrad"),
        (lambda: optimizers.RMSprop(centered=3), TypeError, "centered"),
        (lambda: optimizers.Adam(use_ema="x"), TypeError, "use_ema"),
        (lambda: optimizers.SGD(momentum=1.5), ValueError, "momentum"),
        (lambda: optimizers.Adam(learning_rate=-0.1), ValueError, "learning_rate"),
        (lambda: schedules.CosineDecay(0.1, 10, alpha=2.0), ValueError, "alpha"),
        (lambda: schedules.CosineDecayRestarts(0.1, 10, alpha=-0.5), ValueError, "alpha"),
        (lambda: schedules.CosineDecayRestarts(0.1, 10, t_mul=0), ValueError, "t_mul"),
        (lambda: schedules.PolynomialDecay(0.1, 10, power=-1), ValueError, "power"),
        (lambda: schedules.PolynomialDecay(0.1, 10, power="2"), TypeError, "power"),
        (lambda: schedules.ExponentialDecay(0.1, 10, 0.9, staircase="no"), TypeError, "stair"),
        (lambda: metrics.BinaryAccuracy(threshold=1.5), ValueError, "threshold"),
        (lambda: metrics.Precision(thresholds=[0.2, 1.5]), ValueError, r"\[0, 1\]"),
        (lambda: metrics.SparseCategoricalCrossentropy(ignore_class=0.5), TypeError, "ignore"),
        (lambda: losses.BinaryCrossentropy(label_smoothing=-0.1), ValueError, "label_smooth"),
        (lambda: losses.BinaryFocalCrossentropy(alpha=1.5), ValueError, "alpha"),
        (lambda: losses.Huber(delta=0), ValueError, "delta"),
        (lambda: regularizers.L2(-1), ValueError, "l2"),
        (lambda: constraints.MinMaxNorm(rate=2), ValueError, "rate"),
        (lambda: initializers.RandomNormal(stddev=-1), ValueError, "stddev"),
    ],
    ids=lambda x: "" if callable(x) else str(x),
)
def test_bad_arguments_are_rejected_at_construction(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_sparse_categorical_crossentropy_metric_ignore_class_matches_keras():
    # Keras 3.15: ignored entries add 0 and still count, unless sample weights are given
    y = np.array([0, 1, 2, 1])
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.3, 0.4]], "float32")
    m = metrics.SparseCategoricalCrossentropy(ignore_class=1)
    m.update_state(y, p)
    assert float(m.result()) == pytest.approx(0.2168751358985901, rel=1e-6)
    m.update_state(y, p, sample_weight=np.array([1.0, 2.0, 3.0, 4.0]))
    assert float(m.result()) == pytest.approx(0.3445815145969391, rel=1e-6)
    assert m.get_config()["ignore_class"] == 1
    plain = metrics.SparseCategoricalCrossentropy()
    plain.update_state(y, p)
    assert float(plain.result()) == pytest.approx(
        float(np.mean(-np.log(p[np.arange(4), y]))), rel=1e-6
    )


def test_catalogue_objects_are_usable_through_import_lamina_as_tf():
    assert lamina.keras.losses.get("mse") is losses.mean_squared_error
