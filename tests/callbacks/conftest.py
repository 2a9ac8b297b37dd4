"""Fixtures for the callback tests."""

from __future__ import annotations

import pytest
from cb_fakes import FakeModel

from lamina.utils import output_style


@pytest.fixture
def model():
    return FakeModel()


@pytest.fixture(autouse=True)
def _default_style():
    previous = output_style.set_output_style("tf.keras2")
    yield
    output_style.set_output_style(previous)
