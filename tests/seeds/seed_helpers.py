"""Helpers shared by the seed replays (text normalisation of printed output)."""

from __future__ import annotations

import re


def collapse(text: str) -> str:
    """Whitespace-collapsed text: the seed documents lost their line breaks in places."""
    return re.sub(r"\s+", " ", text).strip()


def as_seed_repr(tensor) -> str:
    """A lamina tensor repr spelled as TensorFlow's, whitespace-collapsed as in the seeds."""
    return collapse(repr(tensor).replace("<lamina.Tensor:", "<tf.Tensor:"))


def epoch_lines(out: str) -> list[str]:
    """The progress lines of a fit's printed output (one per epoch)."""
    return [line for line in out.splitlines() if "step - loss" in line or line.startswith(" - ")]
