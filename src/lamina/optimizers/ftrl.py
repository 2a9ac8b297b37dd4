"""``Ftrl``: Follow The Regularized Leader."""

from __future__ import annotations

import numpy as np

from lamina.optimizers.optimizer import Optimizer, _as_float


class Ftrl(Optimizer):
    """FTRL-proximal, as ``keras.optimizers.Ftrl`` (with L1/L2 and shrinkage regularization)."""

    _n_scratch = 3

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
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
        if isinstance(learning_rate_power, bool) or not isinstance(
            learning_rate_power, (int, float)
        ):
            raise TypeError(
                f"`learning_rate_power` must be a float, received {learning_rate_power!r}."
            )
        if learning_rate_power > 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. Received: "
                f"learning_rate_power={learning_rate_power}."
            )
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = _as_float(
            initial_accumulator_value, "initial_accumulator_value"
        )
        self.l1_regularization_strength = _as_float(
            l1_regularization_strength, "l1_regularization_strength"
        )
        self.l2_regularization_strength = _as_float(
            l2_regularization_strength, "l2_regularization_strength"
        )
        self.l2_shrinkage_regularization_strength = _as_float(
            l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength"
        )
        self.beta = _as_float(beta, "beta")

    def _slot_specs(self):
        return [(("accumulator", self.initial_accumulator_value), ("linear", 0.0))]

    def _update_numpy(self, g, w, slots, scratch, lr) -> None:
        accum, linear = slots
        a, b, c = scratch
        p = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + (self.beta / (2.0 * lr) if lr else np.inf)
        np.multiply(g, g, out=a)
        np.add(accum, a, out=a)  # new accumulator
        np.power(a, p, out=b)
        np.power(accum, p, out=c)
        np.subtract(b, c, out=b)
        np.divide(b, lr, out=b)
        np.multiply(b, w, out=b)
        np.multiply(w, 2.0 * self.l2_shrinkage_regularization_strength, out=c)
        np.add(c, g, out=c)
        np.subtract(c, b, out=c)
        np.add(linear, c, out=linear)
        np.power(a, p, out=b)
        np.divide(b, lr, out=b)
        np.add(b, 2.0 * l2, out=b)  # quadratic
        np.clip(linear, -l1, l1, out=c)
        np.subtract(c, linear, out=c)
        np.divide(c, b, out=w)
        np.copyto(accum, a)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta,
            }
        )
        return config
