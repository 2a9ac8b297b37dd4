"""``Lion``: sign-based updates with two momentum rates."""

from __future__ import annotations

import numbers

import numpy as np

from lamina.optimizers.adam import _beta
from lamina.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """Lion, as ``keras.optimizers.Lion``:
    ``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``; ``m = beta_2 * m + (1 - beta_2) * g``."""

    _n_scratch = 2

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
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
        if (
            isinstance(beta_1, bool)
            or not isinstance(beta_1, numbers.Real)
            or beta_1 <= 0
            or beta_1 > 1
        ):
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1!r}."
            )
        self.beta_1 = float(beta_1)
        self.beta_2 = _beta(beta_2, "beta_2")

    def _slot_specs(self):
        return [(("momentum", 0.0),)]

    def _update_numpy(self, g, w, slots, scratch, lr) -> None:
        m = slots[0]
        a, b = scratch
        np.multiply(m, self.beta_1, out=a)
        np.multiply(g, 1.0 - self.beta_1, out=b)
        np.add(a, b, out=a)
        np.sign(a, out=a)
        np.multiply(a, lr, out=a)
        np.subtract(w, a, out=w)
        np.multiply(m, self.beta_2, out=m)
        np.multiply(g, 1.0 - self.beta_2, out=b)
        np.add(m, b, out=m)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
