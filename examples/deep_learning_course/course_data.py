"""Generated stand-ins for the data the "Introduction to Deep Learning in Python" course pre-loads.

The course's data files are not public, so the examples use data generated here, with the same
columns, sizes and value ranges the course shows, and relationships a network can learn:

* ``wages()``: 534 workers, ``wage_per_hour`` and 9 predictors (6 of them binary indicators),
  like the course's wage data (from the 1985 Current Population Survey);
* ``titanic()``: 891 passengers, ``survived`` and 10 predictors, like the course's Titanic data;
* ``mnist_sample()``: 2500 handwritten digits as 784 pixel values with one-hot targets, like the
  course's MNIST sample. These are scikit-learn's 8x8 digits scaled up to 28x28, so the numbers
  differ from MNIST's but the shapes and the task are the same.

Everything is deterministic (fixed seeds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def wages() -> pd.DataFrame:
    """534 rows: wage_per_hour, union, education_yrs, experience_yrs, age, female, marr, south,
    manufacturing, construction."""
    rng = np.random.RandomState(1985)
    n = 534
    education = np.clip(np.round(rng.normal(13, 2.6, n)), 2, 18).astype(int)
    age = np.clip(np.round(rng.normal(36.8, 11.7, n)), 18, 64).astype(int)
    experience = np.clip(age - education - 6, 0, 55).astype(int)
    union = (rng.rand(n) < 0.18).astype(int)
    female = (rng.rand(n) < 0.46).astype(int)
    marr = (rng.rand(n) < 0.66).astype(int)
    south = (rng.rand(n) < 0.29).astype(int)
    manufacturing = (rng.rand(n) < 0.185).astype(int)
    construction = ((rng.rand(n) < 0.055) & (manufacturing == 0)).astype(int)
    log_wage = (
        0.6
        + 0.09 * education
        + 0.011 * experience
        + 0.2 * union
        - 0.22 * female
        + 0.07 * marr
        - 0.1 * south
        + 0.18 * manufacturing
        + 0.15 * construction
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
    """891 rows: survived, pclass, age, sibsp, parch, fare, male, age_was_missing,
    embarked_from_cherbourg, embarked_from_queenstown, embarked_from_southampton."""
    rng = np.random.RandomState(1912)
    n = 891
    pclass = rng.choice([1, 2, 3], size=n, p=[0.24, 0.21, 0.55])
    male = (rng.rand(n) < 0.65).astype(int)
    age_was_missing = rng.rand(n) < 0.2
    age = np.clip(np.round(rng.normal(29.7, 14.5, n), 1), 0.42, 80.0)
    age[age_was_missing] = 29.699118  # the course filled missing ages with the mean
    age[0] = 80.0  # the oldest passenger, as in the course's data
    sibsp = rng.choice([0, 1, 2, 3, 4], size=n, p=[0.68, 0.23, 0.04, 0.02, 0.03])
    parch = rng.choice([0, 1, 2, 3], size=n, p=[0.76, 0.13, 0.09, 0.02])
    fare = np.round(np.exp(rng.normal(3.9 - 0.6 * pclass, 0.6, n)) + 5, 4)
    port = rng.choice(3, size=n, p=[0.19, 0.09, 0.72])
    logit = 2.3 - 2.5 * male - 0.9 * (pclass - 1) - 0.02 * (age - 30) - 0.2 * sibsp
    survived = (rng.rand(n) < 1 / (1 + np.exp(-logit))).astype(int)
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
            "embarked_from_cherbourg": (port == 0).astype(int),
            "embarked_from_queenstown": (port == 1).astype(int),
            "embarked_from_southampton": (port == 2).astype(int),
        }
    )


def mnist_sample(n: int = 2500):
    """``X`` (n, 784) float32 pixel darkness in 0..255 and one-hot ``y`` (n, 10) float64."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.RandomState(2500)
    index = rng.choice(len(digits.images), size=n, replace=n > len(digits.images))
    small = digits.images[index] / 16.0  # (n, 8, 8) in [0, 1]
    # Scale 8x8 up to 24x24 (each pixel a 3x3 block), pad to 28x28 as MNIST centres its digits.
    big = np.kron(small, np.ones((3, 3)))
    big = np.pad(big, ((0, 0), (2, 2), (2, 2)))
    X = np.round(big * 255).astype("float32").reshape(n, 784)
    y = np.zeros((n, 10))
    y[np.arange(n), digits.target[index]] = 1.0
    return X, y
