"""Fixtures for the seed replays: a fresh Keras session, the default output style, Agg plots.

Each test file replays one seed document (`/work/shared/seeds/`) with only its imports
changed to lamina, and checks what the seed shows.
"""

from __future__ import annotations

import pytest

import lamina
from lamina.utils import output_style


@pytest.fixture(autouse=True)
def _fresh_session():
    """Layer names start again at ``dense`` / ``sequential``, as in a new notebook kernel."""
    lamina.keras.backend.clear_session()
    previous = output_style.set_output_style("tf.keras2")
    yield
    output_style.set_output_style(previous)
    lamina.keras.backend.clear_session()


@pytest.fixture
def plt():
    """matplotlib on the Agg backend (the seeds' plotting cells draw into figures)."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")
