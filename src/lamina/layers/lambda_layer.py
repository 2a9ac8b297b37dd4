"""``Lambda``: wrap an arbitrary function of tensors as a layer."""

from __future__ import annotations

import inspect

from lamina.layers.layer import Layer


class Lambda(Layer):
    """Wrap ``function(inputs, **arguments)`` as a layer.

    ``output_shape`` (a shape tuple without the batch axis, or a function of the input shape)
    is only needed where shape inference from a trial run is not wanted. A model holding a
    ``lambda`` saves, but loading it is refused (lamina never executes code from a file);
    use a named function registered with ``register_keras_serializable``.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                f"Lambda: `function` must be callable, received {function!r} of type "
                f"{type(function).__name__}."
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        params = _params(function)
        self._fn_has_training = "training" in params
        self._fn_has_mask = "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_has_training:
            kwargs["training"] = training
        if self._fn_has_mask:
            kwargs["mask"] = mask
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        batch = input_shape[0] if isinstance(input_shape, tuple) and input_shape else None
        return (batch,) + tuple(self._output_shape)

    def _symbolic_output_shape(self, shapes, args, kwargs):
        if self._output_shape is not None:
            return self.compute_output_shape(shapes)
        return super()._symbolic_output_shape(shapes, args, kwargs)

    def get_config(self) -> dict:
        from lamina.utils.serialization import serialize_keras_object

        config = super().get_config()
        config["function"] = serialize_keras_object(self.function)
        out = self._output_shape
        config["output_shape"] = serialize_keras_object(out) if callable(out) else out
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode=None):
        from lamina.utils.serialization import deserialize_keras_object

        config = dict(config)
        fn = config.get("function")
        if (
            isinstance(fn, dict)
            and fn.get("class_name") in ("__lambda__", "__function__")
            or isinstance(fn, (list, tuple))
        ):
            raise ValueError(
                "Requested the deserialization of a `Lambda` layer whose function is a Python "
                "lambda (stored as code). lamina never executes code stored in a file. Rebuild "
                "the layer in code, or use a named function registered with "
                "`keras.saving.register_keras_serializable()` and pass it in `custom_objects`."
            )
        config["function"] = deserialize_keras_object(fn, custom_objects=custom_objects)
        if isinstance(config["function"], str):
            raise ValueError(
                f"Lambda.from_config: could not find the function {config['function']!r}; pass "
                "it in `custom_objects`."
            )
        out = config.get("output_shape")
        if isinstance(out, dict):
            config["output_shape"] = deserialize_keras_object(out, custom_objects=custom_objects)
        return super().from_config(config)


def _params(fn) -> set:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


__all__ = ["Lambda"]
