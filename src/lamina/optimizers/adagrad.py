"""``Adagrad``: per-parameter rates scaled by the accumulated squared gradients."""

from __future__ import annotations

import numpy as np

from lamina.optimizers.adam import _epsilon
from lamina.optimizers.optimizer import Optimizer, _as_float


class Adagrad(Optimizer):
    """Adagrad, as ``keras.optimizers.Adagrad``:
    ``acc += g**2``; ``w -= lr * g / sqrt(acc + epsilon)`` (``acc`` starts at
    ``initial_accumulator_value``)."""

    _n_scratch = 1

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        self.initial_accumulator_value = _as_float(
            initial_accumulator_value, "initial_accumulator_value"
        )
        self.epsilon = _epsilon(epsilon)

    def _slot_specs(self):
        return [(("accumulator", self.initial_accumulator_value),)]

    def _update_numpy(self, g, w, slots, scratch, lr) -> None:
        acc = slots[0]
        s = scratch[0]
        np.multiply(g, g, out=s)
        np.add(acc, s, out=acc)
        np.add(acc, self.epsilon, out=s)
        np.sqrt(s, out=s)
        np.divide(g, s, out=s)
        np.multiply(s, lr, out=s)
        np.subtract(w, s, out=w)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}
        )
        return config
