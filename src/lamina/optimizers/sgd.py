"""``SGD``: gradient descent with optional (Nesterov) momentum."""

from __future__ import annotations

import numbers

from lamina.backend.blas import axpby
from lamina.optimizers.optimizer import Optimizer, _as_bool


class SGD(Optimizer):
    """Gradient descent (with momentum), as ``keras.optimizers.SGD``.

    Without momentum: ``w -= lr * g``. With momentum:
    ``velocity = momentum * velocity - lr * g``; ``w += velocity`` (Nesterov:
    ``w += momentum * velocity - lr * g``).

    Example::

        opt = lamina.optimizers.SGD(learning_rate=0.1)
        var = lamina.Variable(1.0)
        opt.minimize(lambda: (var ** 2) / 2.0, [var])  # var is now 0.9
    """

    _n_scratch = 1

    def __init__(
        self,
        learning_rate=0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
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
            isinstance(momentum, bool)
            or not isinstance(momentum, numbers.Real)
            or not 0 <= momentum <= 1
        ):
            raise ValueError(
                f"`momentum` must be a float between [0, 1], received momentum={momentum!r}."
            )
        self.momentum = float(momentum)
        self.nesterov = _as_bool(nesterov, "nesterov")

    def _slot_specs(self):
        return [(("momentum", 0.0),)] if self.momentum != 0 else []

    def _update_numpy(self, g, w, slots, scratch, lr) -> None:
        s = scratch[0]
        if not slots:
            axpby(-lr, g, 1.0, w, s)
            return
        m = slots[0]
        mom = self.momentum
        axpby(-lr, g, mom, m, s)  # m = momentum * m - lr * g
        if self.nesterov:
            axpby(-lr, g, 1.0, w, s)
            axpby(mom, m, 1.0, w, s)
        else:
            axpby(1.0, m, 1.0, w, s)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
