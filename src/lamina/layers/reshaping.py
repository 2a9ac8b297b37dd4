"""Shape-changing layers: ``Flatten``, ``Reshape``, ``Permute``, ``RepeatVector``."""

from __future__ import annotations

import numpy as np

from lamina.layers.layer import InputSpec, Layer


def _prod(dims) -> int | None:
    if any(d is None for d in dims):
        return None
    return int(np.prod(dims, dtype=np.int64))


class Flatten(Layer):
    """Flatten every axis but the batch axis: ``(batch, 28, 28)`` -> ``(batch, 784)``."""

    def __init__(self, data_format: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        from lamina.backend import image_data_format

        data_format = data_format or image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
                f"Received: {data_format!r}"
            )
        self.data_format = data_format
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        from lamina import ops

        v = inputs._value
        if self.data_format == "channels_first" and v.ndim > 2:
            inputs = ops.transpose(inputs, [0] + list(range(2, v.ndim)) + [1])
        n = v.shape[0]
        if v.ndim == 1:
            return ops.reshape(inputs, (n, 1))
        return ops.reshape(inputs, (n, int(np.prod(v.shape[1:], dtype=np.int64))))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) == 1:
            return (input_shape[0], 1)
        return (input_shape[0], _prod(input_shape[1:]))

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshape to ``target_shape`` (batch axis excluded; one entry may be -1)."""

    def __init__(self, target_shape, **kwargs) -> None:
        super().__init__(**kwargs)
        target_shape = tuple(-1 if d is None else int(d) for d in target_shape)
        if sum(1 for d in target_shape if d == -1) > 1:
            raise ValueError(
                f"There must be at most one unknown dimension (-1) in `target_shape`. Received: "
                f"target_shape={target_shape}"
            )
        if any(d == 0 or d < -1 for d in target_shape):
            raise ValueError(
                f"Invalid `target_shape` {target_shape}: dimensions must be positive or -1."
            )
        self.target_shape = target_shape

    def _resolved(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        total = _prod(rest)
        known = int(np.prod([d for d in self.target_shape if d != -1], dtype=np.int64))
        if -1 in self.target_shape:
            if total is None:
                return tuple(None if d == -1 else d for d in self.target_shape)
            if total % known:
                raise ValueError(
                    f"Reshape '{self.name}': cannot reshape input of shape {input_shape} to "
                    f"{self.target_shape}: total size {total} is not divisible by {known}."
                )
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if total is not None and total != known:
            raise ValueError(
                f"Reshape '{self.name}': total size of the new array must be unchanged, input "
                f"shape = {list(rest)}, output shape = {list(self.target_shape)}"
            )
        return self.target_shape

    def call(self, inputs):
        from lamina import ops

        shape = inputs._value.shape
        return ops.reshape(inputs, (shape[0],) + self._resolved(tuple(shape)))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        return (input_shape[0],) + self._resolved(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Permute(Layer):
    """Permute the non-batch axes by ``dims`` (1-based), e.g. ``Permute((2, 1))``."""

    def __init__(self, dims, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices in "
                f"`dims` must be consecutive and start from 1. Received dims={self.dims}"
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        from lamina import ops

        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(Layer):
    """Repeat a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``."""

    def __init__(self, n: int, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ValueError(f"RepeatVector: `n` must be a positive integer, received n={n!r}.")
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        from lamina import ops

        v = inputs._value
        return ops.broadcast_to(
            ops.reshape(inputs, (v.shape[0], 1, v.shape[1])), (v.shape[0], self.n, v.shape[1])
        )

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config["n"] = self.n
        return config


__all__ = ["Flatten", "Reshape", "Permute", "RepeatVector"]
