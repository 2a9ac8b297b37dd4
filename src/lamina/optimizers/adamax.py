"""``Adamax``: Adam with the infinity norm."""

from __future__ import annotations

import numpy as np

from lamina.optimizers.adam import _beta, _epsilon
from lamina.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax, as ``keras.optimizers.Adamax``: ``m += (g - m) * (1 - beta_1)``;
    ``u = max(beta_2 * u, |g|)``; ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))``."""

    _n_scratch = 1

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
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
        self.beta_1 = _beta(beta_1, "beta_1")
        self.beta_2 = _beta(beta_2, "beta_2")
        self.epsilon = _epsilon(epsilon)

    def _slot_specs(self):
        return [(("momentum", 0.0), ("norm", 0.0))]

    def _coefficients(self, lr: float, t: float):
        return lr, 1.0 - self.beta_1**t

    def _update_numpy(self, g, w, slots, scratch, c) -> None:
        lr, bias = c
        m, u = slots
        s = scratch[0]
        np.subtract(g, m, out=s)
        np.multiply(s, 1.0 - self.beta_1, out=s)
        np.add(m, s, out=m)
        np.multiply(u, self.beta_2, out=u)
        np.abs(g, out=s)
        np.maximum(u, s, out=u)
        np.add(u, self.epsilon, out=s)
        np.multiply(s, bias, out=s)
        np.divide(m, s, out=s)
        np.multiply(s, lr, out=s)
        np.subtract(w, s, out=w)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
