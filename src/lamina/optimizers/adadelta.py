"""``Adadelta``: step sizes from running averages of squared gradients and updates."""

from __future__ import annotations

import numpy as np

from lamina.optimizers.adam import _beta, _epsilon
from lamina.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta, as ``keras.optimizers.Adadelta`` (default learning_rate 0.001, rho 0.95):
    ``Eg = rho*Eg + (1-rho)*g**2``; ``d = -sqrt(Ed + eps) / sqrt(Eg + eps) * g``;
    ``Ed = rho*Ed + (1-rho)*d**2``; ``w += lr * d``."""

    _n_scratch = 2

    def __init__(
        self,
        learning_rate=0.001,
        rho: float = 0.95,
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
        self.rho = _beta(rho, "rho")
        self.epsilon = _epsilon(epsilon)

    def _slot_specs(self):
        return [(("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0))]

    def _update_numpy(self, g, w, slots, scratch, lr) -> None:
        rho, eps = self.rho, self.epsilon
        eg, ed = slots
        a, b = scratch
        np.multiply(eg, rho, out=eg)
        np.multiply(g, g, out=a)
        np.multiply(a, 1.0 - rho, out=a)
        np.add(eg, a, out=eg)
        # a = sqrt(Ed + eps) * g / sqrt(Eg + eps)  (= -delta)
        np.add(ed, eps, out=a)
        np.sqrt(a, out=a)
        np.multiply(a, g, out=a)
        np.add(eg, eps, out=b)
        np.sqrt(b, out=b)
        np.divide(a, b, out=a)
        np.multiply(ed, rho, out=ed)
        np.multiply(a, a, out=b)
        np.multiply(b, 1.0 - rho, out=b)
        np.add(ed, b, out=ed)
        np.multiply(a, lr, out=a)
        np.subtract(w, a, out=w)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
