"""Fresh layer names and a fixed random state for every layer test."""

from __future__ import annotations

import numpy as np
import pytest

import lamina


@pytest.fixture(autouse=True)
def _fresh_session():
    lamina.backend.clear_session()
    np.random.seed(1234)
    yield
    lamina.backend.clear_session()
