"""``Adam``: adaptive moment estimation."""

from __future__ import annotations

import math

import numpy as np

from lamina.backend.blas import axpby
from lamina.optimizers.optimizer import Optimizer, _as_bool, _as_float


def _beta(value, arg: str) -> float:
    v = _as_float(value, arg)
    if v >= 1.0:
        raise ValueError(f"Argument `{arg}` must be in [0, 1), received {arg}={value!r}.")
    return v


def _epsilon(value) -> float:
    if value is None:  # Keras 2: None meant the backend fuzz factor
        from lamina.backend import epsilon

        return epsilon()
    return _as_float(value, "epsilon")


class Adam(Optimizer):
    """Adam, as ``keras.optimizers.Adam`` (Keras 3 update, epsilon 1e-7).

    Per step ``t``: ``m = beta_1 * m + (1 - beta_1) * g``; ``v = beta_2 * v + (1 - beta_2) * g**2``;
    ``w -= lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)``.
    With ``amsgrad=True`` the running maximum of ``v`` is used.
    """

    _n_scratch = 1

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
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
        self.amsgrad = _as_bool(amsgrad, "amsgrad")

    def _slot_specs(self):
        groups = [(("momentum", 0.0), ("velocity", 0.0))]
        if self.amsgrad:
            groups.append((("velocity_hat", 0.0),))
        return groups

    def _coefficients(self, lr: float, t: float):
        b1, b2 = self.beta_1, self.beta_2
        alpha = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        return alpha, 1.0 - b1, 1.0 - b2, self.epsilon

    def _update_numpy(self, g, w, slots, scratch, c) -> None:
        alpha, one_b1, one_b2, eps = c
        m, v = slots[0], slots[1]
        s = scratch[0]
        axpby(one_b1, g, self.beta_1, m, s)
        np.multiply(g, g, out=s)
        axpby(one_b2, s, self.beta_2, v, s)
        if self.amsgrad:
            vh = slots[2]
            np.maximum(vh, v, out=vh)
            v = vh
        np.sqrt(v, out=s)
        np.add(s, eps, out=s)
        np.divide(m, s, out=s)
        axpby(-alpha, s, 1.0, w, s)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
            }
        )
        return config
