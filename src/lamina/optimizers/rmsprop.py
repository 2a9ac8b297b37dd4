"""``RMSprop``: divide the gradient by a running root mean square."""

from __future__ import annotations

import numpy as np

from lamina.backend.blas import axpby
from lamina.optimizers.adam import _beta, _epsilon
from lamina.optimizers.optimizer import Optimizer, _as_bool, _as_float


class RMSprop(Optimizer):
    """RMSprop, as ``keras.optimizers.RMSprop`` (Keras 3 update).

    ``velocity = rho * velocity + (1 - rho) * g**2``;
    ``increment = lr * g / sqrt(velocity + epsilon)`` (centered: ``velocity - mean_g**2``);
    with momentum ``buf = momentum * buf + increment``, ``w -= buf``; else ``w -= increment``.
    """

    _n_scratch = 1

    def __init__(
        self,
        learning_rate=0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
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
        self.momentum = _as_float(momentum, "momentum", upper=1.0)
        self.epsilon = _epsilon(epsilon)
        self.centered = _as_bool(centered, "centered")

    def _slot_specs(self):
        groups = [(("velocity", 0.0),)]
        if self.momentum > 0:
            groups.append((("momentum", 0.0),))
        if self.centered:
            groups.append((("average_gradient", 0.0),))
        return groups

    def _update_numpy(self, g, w, slots, scratch, lr) -> None:
        rho, eps = self.rho, self.epsilon
        vel = slots[0]
        s = scratch[0]
        np.multiply(g, g, out=s)
        axpby(1.0 - rho, s, rho, vel, s)  # vel = rho * vel + (1 - rho) * g**2
        if self.centered:
            avg = slots[-1]
            axpby(1.0 - rho, g, rho, avg, s)
            np.multiply(avg, avg, out=s)
            np.subtract(vel, s, out=s)
            np.add(s, eps, out=s)
        else:
            np.add(vel, eps, out=s)
        np.sqrt(s, out=s)
        np.divide(g, s, out=s)
        np.multiply(s, lr, out=s)
        if self.momentum > 0:
            buf = slots[1]
            axpby(1.0, s, self.momentum, buf, s)
            axpby(-1.0, buf, 1.0, w, s)
        else:
            axpby(-1.0, s, 1.0, w, s)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config
