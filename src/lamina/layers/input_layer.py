"""``InputLayer`` and ``Input``: the entry points of a functional graph."""

from __future__ import annotations

from lamina.backend import config as _config
from lamina.layers.layer import KerasTensor, Layer, Node, _shape_tuple
from lamina.utils.naming import get_uid


class InputLayer(Layer):
    """The layer behind ``keras.Input``: it holds the input shape and dtype of a model.

    Accepts Keras 3 (``shape``, ``batch_shape``) and Keras 2 (``input_shape``,
    ``batch_input_shape``) spellings.
    """

    def __init__(
        self,
        input_shape=None,
        batch_size=None,
        dtype=None,
        input_tensor=None,
        sparse=None,
        name=None,
        ragged=None,
        type_spec=None,
        batch_shape=None,
        shape=None,
        batch_input_shape=None,
        optional=False,
        **kwargs,
    ) -> None:
        kwargs.pop("trainable", None)
        if kwargs:
            raise TypeError(f"InputLayer: unrecognized keyword argument(s): {sorted(kwargs)}")
        if shape is not None and input_shape is not None:
            raise ValueError("Only provide one of `shape` and `input_shape` to InputLayer.")
        input_shape = shape if shape is not None else input_shape
        batch_shape = batch_shape if batch_shape is not None else batch_input_shape
        if input_tensor is not None and batch_shape is None and input_shape is None:
            batch_shape = tuple(input_tensor.shape)
        if batch_shape is not None and input_shape is not None:
            raise ValueError(
                "Only provide the `input_shape` or `batch_shape` argument to InputLayer, not "
                f"both: received input_shape={input_shape} and batch_shape={batch_shape}."
            )
        if batch_shape is None:
            if input_shape is None:
                raise ValueError(
                    "An InputLayer needs a shape: pass `shape=` (without the batch dimension) "
                    "or `batch_shape=`."
                )
            batch_shape = (batch_size,) + _shape_tuple(input_shape)
        batch_shape = _shape_tuple(batch_shape)
        if name is None:
            name = f"input_{get_uid('input')}"  # tf.keras 2.x: input_1, input_2 ...
        dtype = dtype or (input_tensor.dtype if input_tensor is not None else None)
        super().__init__(name=name, dtype=dtype)
        self._batch_input_shape = batch_shape
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        self.optional = bool(optional)
        self.built = True
        self._build_input_shape = batch_shape
        if isinstance(input_tensor, KerasTensor):
            tensor = input_tensor
        else:
            tensor = KerasTensor(batch_shape, self._dtype, name=name)
        Node(self, outputs=tensor)
        self._tensor = tensor

    @property
    def batch_shape(self) -> tuple:
        return tuple(self._batch_input_shape)

    @property
    def output(self):
        return self._tensor

    @property
    def output_shape(self):
        # tf.keras 2.x reports an InputLayer's output shape as a one-element list.
        return [tuple(self._batch_input_shape)]

    def call(self, inputs, *args, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {
            "batch_input_shape": tuple(self._batch_input_shape),
            "dtype": self.dtype,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "batch_shape" in config:
            config["batch_input_shape"] = config.pop("batch_shape")
        config.pop("trainable", None)
        return cls(**config)


def Input(
    shape=None,
    batch_size=None,
    name=None,
    dtype=None,
    sparse=None,
    tensor=None,
    ragged=None,
    type_spec=None,
    batch_shape=None,
    optional=False,
    **kwargs,
):
    """A symbolic input of a functional model: ``keras.Input(shape=(784,))``.

    ``shape`` excludes the batch dimension (``None`` entries are unknown sizes);
    ``batch_shape`` includes it.
    """
    batch_input_shape = kwargs.pop("batch_input_shape", None)
    if kwargs:
        raise TypeError(f"Input: unrecognized keyword argument(s): {sorted(kwargs)}")
    if batch_shape is None:
        batch_shape = batch_input_shape
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError(
            "Please provide to Input a `shape` or a `tensor` or a `batch_shape` argument. Note "
            "that `shape` does not include the batch dimension."
        )
    if shape is not None and batch_shape is not None:
        raise ValueError("Only provide the `shape` OR `batch_shape` argument to Input, not both.")
    layer = InputLayer(
        input_shape=shape,
        batch_size=batch_size,
        dtype=dtype or _config.floatx(),
        sparse=sparse,
        name=name,
        ragged=ragged,
        batch_shape=batch_shape,
        input_tensor=tensor,
        optional=optional,
    )
    return layer._tensor


__all__ = ["InputLayer", "Input"]
