"""The errors lamina raises for model files it cannot read."""

from __future__ import annotations


class ModelFileError(ValueError):
    """A model or weights file is malformed, hostile, or does not match the model.

    Always names the file and the reason. Subclasses ``ValueError`` so code written for
    Keras (which raises ``ValueError`` for bad files) keeps working.
    """

    def __init__(self, path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"Cannot load '{self.path}': {reason}")


class UnsafeObjectError(ModelFileError):
    """The file names code (a Lambda, an unknown class) that safe mode refuses to build."""
