"""Stand-ins for the private data of the deep-learning course (seeds 001 and 004).

The course pre-loads a wage survey, the Titanic passengers and a 2500-image MNIST sample;
none of them is public. These generators give data with the same columns, row counts,
dtypes and value ranges the seeds show (``df.head()``, ``df.describe()``, ``X.shape``), and
relationships a network can learn, all from fixed seeds. Numbers learned from them differ
from the seeds'; the tests check shapes, formats and sensible ranges where that matters.

Imported by ``test_seed_001.py`` and ``test_seed_004.py`` (not a pytest conftest).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# --- 1.x / 2.x: the NumPy hand computations' pre-loaded values (shown in the seeds) -------
FORWARD_INPUT = np.array([3, 5])
FORWARD_WEIGHTS = {
    "node_0": np.array([2, 4]),
    "node_1": np.array([4, -5]),
    "output": np.array([2, 7]),
}
ROWS_INPUT = [np.array([3, 5]), np.array([1, -1]), np.array([0, 0]), np.array([8, 4])]
DEEP_WEIGHTS = {
    "node_0_0": np.array([2, 4]),
    "node_0_1": np.array([4, -5]),
    "node_1_0": np.array([-1, 2]),
    "node_1_1": np.array([1, 2]),
    "output": np.array([2, 7]),
}
MSE_INPUT = [np.array([0, 3]), np.array([1, 2]), np.array([-1, -2]), np.array([4, 0])]
MSE_TARGETS = [1, 3, 5, 7]
MSE_WEIGHTS_0 = {"node_0": np.array([2, 1]), "node_1": np.array([1, 2]), "output": np.array([1, 1])}
MSE_WEIGHTS_1 = {
    "node_0": np.array([2, 1]),
    "node_1": np.array([1.0, 1.5]),
    "output": np.array([1.0, 1.5]),
}


def relu(input):
    """The course's ``relu`` (pre-loaded in the later exercises)."""
    return max(input, 0)


def predict_with_network(input_data_row, weights):
    """The course's one-hidden-layer network (pre-loaded from section 2.1 on)."""
    node_0_output = relu((input_data_row * weights["node_0"]).sum())
    node_1_output = relu((input_data_row * weights["node_1"]).sum())
    hidden_layer_outputs = np.array([node_0_output, node_1_output])
    return relu((hidden_layer_outputs * weights["output"]).sum())


def get_slope(input_data, target, weights):
    """The course's pre-loaded ``get_slope``: ``2 * x * (xb - y)``."""
    preds = (weights * input_data).sum()
    error = preds - target
    return 2 * input_data * error


def get_mse(input_data, target, weights):
    """The course's pre-loaded ``get_mse`` for a single data point."""
    preds = (weights * input_data).sum()
    error = preds - target
    return np.mean(error**2)


# --- 3.x / 4.x: the data sets ---------------------------------------------------------------
def wages() -> pd.DataFrame:
    """534 workers like the course's wage data: ``wage_per_hour`` (float, 1..44.5) and 9 integer
    predictors, 6 of them binary indicators (as the course's ``df.describe()`` shows)."""
    rng = np.random.RandomState(1985)
    n = 534
    education = np.clip(np.round(rng.normal(13, 2.6, n)), 2, 18).astype(np.int64)
    age = np.clip(np.round(rng.normal(36.8, 11.7, n)), 18, 64).astype(np.int64)
    experience = np.clip(age - education - 6, 0, 55).astype(np.int64)

    def flag(p):
        return (rng.rand(n) < p).astype(np.int64)

    union, female, marr, south = flag(0.18), flag(0.46), flag(0.66), flag(0.29)
    manufacturing, construction = flag(0.185), flag(0.045)
    log_wage = (
        0.6
        + 0.09 * education
        + 0.011 * experience
        + 0.2 * union
        - 0.22 * female
        + 0.07 * marr
        - 0.1 * south
        + 0.18 * manufacturing
        + rng.normal(0, 0.4, n)
    )
    wage = np.clip(np.round(np.exp(log_wage), 2), 1.0, 44.5)
    return pd.DataFrame(
        {
            "wage_per_hour": wage,
            "union": union,
            "education_yrs": education,
            "experience_yrs": experience,
            "age": age,
            "female": female,
            "marr": marr,
            "south": south,
            "manufacturing": manufacturing,
            "construction": construction,
        }
    )


def titanic() -> pd.DataFrame:
    """891 passengers like the course's Titanic data: the same 11 columns, 342 survivors
    (mean 0.383838, as the course's ``df.describe()``), oldest passenger 80, unscaled fares."""
    rng = np.random.RandomState(1912)
    n = 891
    pclass = rng.choice([1, 2, 3], size=n, p=[0.24, 0.21, 0.55])
    male = (rng.rand(n) < 0.65).astype(np.int64)
    age_was_missing = rng.rand(n) < 0.2
    age = np.clip(np.round(rng.normal(29.7, 14.5, n), 1), 0.42, 80.0)
    age[age_was_missing] = 29.699118  # the course filled missing ages with the mean
    age[0] = 80.0
    sibsp = rng.choice([0, 1, 2, 3, 4], size=n, p=[0.68, 0.23, 0.04, 0.02, 0.03])
    parch = rng.choice([0, 1, 2, 3], size=n, p=[0.76, 0.13, 0.09, 0.02])
    fare = np.round(np.exp(rng.normal(3.9 - 0.6 * pclass, 0.6, n)) + 5, 4)
    port = rng.choice(3, size=n, p=[0.19, 0.09, 0.72])
    score = 2.3 - 2.5 * male - 0.9 * (pclass - 1) - 0.02 * (age - 30) + rng.normal(0, 1, n)
    survived = np.zeros(n, np.int64)
    survived[np.argsort(-score)[:342]] = 1
    return pd.DataFrame(
        {
            "survived": survived,
            "pclass": pclass,
            "age": age,
            "sibsp": sibsp,
            "parch": parch,
            "fare": fare,
            "male": male,
            "age_was_missing": age_was_missing,
            "embarked_from_cherbourg": (port == 0).astype(np.int64),
            "embarked_from_queenstown": (port == 1).astype(np.int64),
            "embarked_from_southampton": (port == 2).astype(np.int64),
        }
    )


def titanic_predictors(df: pd.DataFrame) -> np.ndarray:
    """Everything but ``survived`` as a float NumPy matrix, as the course pre-loads it."""
    return df.drop(columns="survived").values.astype(np.float64)


def mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """``X`` (2500, 784) float32 pixels 0..255 and ``y`` (2500, 10) one-hot float64, like the
    course's MNIST sample. The images are the 8x8 digits lamina ships (scikit-learn's copy)
    scaled up to 24x24 and padded to 28x28 (the last 703 shifted by one pixel), so the task
    is similar but easier."""
    from lamina.datasets.digits import load_digits

    digits = load_digits()
    images = np.kron(digits.images, np.ones((3, 3))) * (255.0 / 16.0)  # (1797, 24, 24)
    padded = np.zeros((len(images), 28, 28))
    padded[:, 2:26, 2:26] = images
    extra = np.roll(padded[:703], 1, axis=2)
    X = np.concatenate([padded, extra]).reshape(2500, 784).astype(np.float32)
    labels = np.concatenate([digits.target, digits.target[:703]])
    y = np.eye(10)[labels]
    order = np.random.RandomState(2500).permutation(2500)
    return X[order], y[order]


def one_blas_thread():
    """Limit BLAS to one thread (threadpoolctl, when installed) for the 784-wide MNIST fits.

    On a busy 2-core machine OpenBLAS's spinning threads make these small GEMMs 10-70x
    slower in wall time (measured: 10 epochs 0.5 s with one thread, 7-34 s with two);
    the numbers are the same either way."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
