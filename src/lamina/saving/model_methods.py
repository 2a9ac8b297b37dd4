"""The saving methods every Model has: ``save``, ``save_weights``, ``load_weights``,
``to_json``. They delegate to :mod:`lamina.saving` (loaded on first use)."""

from __future__ import annotations


class ModelSavingMixin:
    """``model.save(...)`` and friends, as Keras models have them."""

    def save(
        self,
        filepath,
        overwrite: bool = True,
        include_optimizer: bool = True,
        save_format: str | None = None,
        **kwargs,
    ) -> None:
        """Save the whole model: ``.keras`` (Keras 3 archive) or ``.h5`` (tf.keras HDF5)."""
        from lamina.saving.api import save_model

        save_model(
            self,
            filepath,
            overwrite=overwrite,
            include_optimizer=include_optimizer,
            save_format=save_format,
            **kwargs,
        )

    def save_weights(
        self, filepath, overwrite: bool = True, save_format: str | None = None, **kwargs
    ) -> None:
        """Save the weights only: ``.weights.h5`` (Keras 3) or ``.h5`` (tf.keras 2.x)."""
        from lamina.saving.api import save_weights

        save_weights(self, filepath, overwrite=overwrite, save_format=save_format)

    def load_weights(self, filepath, skip_mismatch: bool = False, by_name: bool = False, **kwargs):
        """Load weights saved by lamina or Keras (``.weights.h5``, ``.h5``, ``.keras``)."""
        from lamina.saving.api import load_weights

        if not getattr(self, "built", True):
            raise ValueError(
                f"Model '{self.name}' has not been built yet, so its weights do not exist. "
                "Build it first (call it on data, give it an input shape or call "
                "model.build(input_shape)) and then load the weights."
            )
        load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name)

    def to_json(self, **kwargs) -> str:
        """The architecture as a JSON string (no weights)."""
        from lamina.saving.api import model_to_json

        return model_to_json(self, **kwargs)
