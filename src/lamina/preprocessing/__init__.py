"""``keras.preprocessing``: sequence padding (``sequence.pad_sequences``).

Keras's image and text preprocessing (``ImageDataGenerator``, ``Tokenizer``) are outside
lamina's scope; asking for them raises an error that says so.
"""

from __future__ import annotations

from lamina.preprocessing import sequence
from lamina.preprocessing.sequence import pad_sequences

_OUT_OF_SCOPE = {
    "image",
    "text",
    "timeseries_dataset_from_array",
    "image_dataset_from_directory",
    "text_dataset_from_directory",
}


def __getattr__(name: str):
    if name in _OUT_OF_SCOPE:
        raise AttributeError(
            f"lamina.preprocessing.{name} is not available: lamina covers tensors, models and "
            "training on NumPy data. Load and preprocess images or text with NumPy, PIL or "
            "scikit-learn, then pass arrays to fit()."
        )
    raise AttributeError(f"module 'lamina.preprocessing' has no attribute {name!r}")


__all__ = ["sequence", "pad_sequences"]
