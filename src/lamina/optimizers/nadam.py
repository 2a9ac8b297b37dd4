"""``Nadam``: Adam with Nesterov momentum (Dozat's momentum schedule)."""

from __future__ import annotations

import numpy as np

from lamina.autodiff.variable import Variable
from lamina.optimizers.adam import _beta, _epsilon
from lamina.optimizers.optimizer import Optimizer


class Nadam(Optimizer):
    """Nadam, as ``keras.optimizers.Nadam`` (Keras 3 update, including the running product
    of the momentum schedule ``u_t = beta_1 * (1 - 0.5 * 0.96**t)``)."""

    _n_scratch = 2

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
        self._u_product: Variable | None = None

    def _slot_specs(self):
        return [(("momentum", 0.0), ("velocity", 0.0))]

    def _register(self, var) -> None:
        super()._register(var)
        if self._u_product is None:
            self._u_product = Variable(
                np.array(1.0, dtype=var._value.dtype),
                name="variable",
                trainable=False,
                path="variable",
            )
            self._tracked.append(self._u_product)

    def _coefficients(self, lr: float, t: float):
        b1, b2 = self.beta_1, self.beta_2
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_t1 = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        up = self._u_product
        up.assign(float(up._value) * u_t)
        u_prod = float(up._value)
        u_prod_next = u_prod * u_t1
        return (lr, u_t1 / (1.0 - u_prod_next), (1.0 - u_t) / (1.0 - u_prod), 1.0 / (1.0 - b2**t))

    def _update_numpy(self, g, w, slots, scratch, c) -> None:
        lr, c_m, c_g, c_v = c
        m, v = slots
        a, b = scratch
        np.subtract(g, m, out=a)
        np.multiply(a, 1.0 - self.beta_1, out=a)
        np.add(m, a, out=m)
        np.multiply(g, g, out=a)
        np.subtract(a, v, out=a)
        np.multiply(a, 1.0 - self.beta_2, out=a)
        np.add(v, a, out=v)
        np.multiply(m, c_m, out=a)
        np.multiply(g, c_g, out=b)
        np.add(a, b, out=a)  # m_hat
        np.multiply(v, c_v, out=b)
        np.sqrt(b, out=b)
        np.add(b, self.epsilon, out=b)
        np.multiply(a, lr, out=a)
        np.divide(a, b, out=a)
        np.subtract(w, a, out=w)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
