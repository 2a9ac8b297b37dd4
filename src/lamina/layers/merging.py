"""Merging layers: ``Concatenate``, ``Add``, ``Subtract``, ``Multiply``, ``Average``,
``Maximum``, ``Minimum``, ``Dot``, and their functional forms (``concatenate(...)``)."""

from __future__ import annotations

from lamina.layers.layer import Layer


class _Merge(Layer):
    """Base of element-wise merges: a list of at least two same-shaped tensors."""

    _min_inputs = 2

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_inputs(self, input_shape) -> None:
        if (
            not isinstance(input_shape, (list, tuple))
            or not input_shape
            or not isinstance(input_shape[0], (list, tuple))
        ):
            raise ValueError(
                f"A merge layer ({type(self).__name__}) should be called on a list of inputs. "
                f"Received: input_shape={input_shape}"
            )
        if len(input_shape) < self._min_inputs:
            raise ValueError(
                f"A merge layer ({type(self).__name__}) should be called on a list of at least "
                f"{self._min_inputs} inputs. Got {len(input_shape)} inputs. Full input_shape "
                f"received: {input_shape}"
            )

    def build(self, input_shape) -> None:
        self._check_inputs(input_shape)
        self._output_shape_of(input_shape)
        self.built = True

    def _output_shape_of(self, shapes) -> tuple:
        out = list(shapes[0])
        for s in shapes[1:]:
            if len(s) != len(out):
                # Keras broadcasts lower-rank inputs over leading axes.
                if len(s) > len(out):
                    out = [None] * (len(s) - len(out)) + out
                s = [1] * (len(out) - len(s)) + list(s)
            new = []
            for a, b in zip(out, s):
                if a == b or b == 1:
                    new.append(a)
                elif a == 1:
                    new.append(b)
                elif a is None or b is None:
                    new.append(None)
                else:
                    raise ValueError(
                        f"Inputs of {type(self).__name__} layer '{self.name}' have incompatible "
                        f"shapes. Received shapes {[tuple(x) for x in shapes]}"
                    )
            out = new
        return tuple(out)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        return self._output_shape_of(input_shape)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"A merge layer ({type(self).__name__}) should be called on a list of inputs."
            )
        return self._merge(list(inputs))

    def _merge(self, inputs):
        raise NotImplementedError  # pragma: no cover (every subclass defines it)


class Add(_Merge):
    """Element-wise sum of a list of inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def _check_inputs(self, input_shape) -> None:
        super()._check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: input_shape={input_shape}"
            )

    def _merge(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs.")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Element-wise product of a list of inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(_Merge):
    """Element-wise mean of a list of inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / float(len(inputs))


class Maximum(_Merge):
    """Element-wise maximum of a list of inputs."""

    def _merge(self, inputs):
        from lamina import ops

        out = inputs[0]
        for x in inputs[1:]:
            out = ops.maximum(out, x)
        return out


class Minimum(_Merge):
    """Element-wise minimum of a list of inputs."""

    def _merge(self, inputs):
        from lamina import ops

        out = inputs[0]
        for x in inputs[1:]:
            out = ops.minimum(out, x)
        return out


class Concatenate(_Merge):
    """Join a list of inputs along ``axis`` (default: the last)."""

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _output_shape_of(self, shapes) -> tuple:
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ValueError(
                "A `Concatenate` layer requires inputs with matching shapes except for the "
                f"concatenation axis. Received: input_shape={[tuple(s) for s in shapes]}"
            )
        rank = ranks.pop()
        axis = self.axis % rank
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, s)):
                if i == axis:
                    continue
                if a is not None and b is not None and a != b:
                    raise ValueError(
                        "A `Concatenate` layer requires inputs with matching shapes except for "
                        f"the concatenation axis. Received: input_shape="
                        f"{[tuple(x) for x in shapes]}"
                    )
                if a is None:
                    out[i] = b
        sizes = [s[axis] for s in shapes]
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        return tuple(out)

    def _merge(self, inputs):
        from lamina import ops

        return ops.concat(inputs, axis=self.axis)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(_Merge):
    """Dot product of two inputs along ``axes`` (batch-wise), optionally L2-normalized first
    (``normalize=True`` gives the cosine similarity)."""

    def __init__(self, axes, normalize: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, int):
            axes = (axes, axes)
        axes = tuple(int(a) for a in axes)
        if len(axes) != 2:
            raise ValueError(f"Dot: `axes` must be an int or a pair of ints, received {axes}.")
        self.axes = axes
        self.normalize = bool(normalize)

    def _axes_for(self, shapes) -> tuple[int, int]:
        return tuple(a % len(s) for a, s in zip(self.axes, shapes))

    def _output_shape_of(self, shapes) -> tuple:
        if len(shapes) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on exactly 2 inputs. Received input_shape={shapes}"
            )
        a, b = (list(s) for s in shapes)
        ax, bx = self._axes_for(shapes)
        if a[ax] is not None and b[bx] is not None and a[ax] != b[bx]:
            raise ValueError(
                f"Incompatible input shapes for Dot layer: axis values {a[ax]} (axis {ax}) != "
                f"{b[bx]} (axis {bx}). Full input shapes: {tuple(shapes[0])}, {tuple(shapes[1])}"
            )
        a.pop(ax)
        b.pop(bx)
        b.pop(0)
        out = a + b
        if len(out) == 1:
            out += [1]
        return tuple(out)

    def _merge(self, inputs):
        from lamina import ops

        if len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs.")
        x, y = inputs
        ax, bx = self._axes_for([x.shape, y.shape])
        if self.normalize:
            x = ops.nn.l2_normalize(x, axis=ax) if hasattr(ops, "nn") else _l2n(x, ax)
            y = ops.nn.l2_normalize(y, axis=bx) if hasattr(ops, "nn") else _l2n(y, bx)
        # Move the contracted axes last/first, then batch matmul.
        xr = [i for i in range(x.ndim) if i not in (0, ax)]
        yr = [i for i in range(y.ndim) if i not in (0, bx)]
        xt = ops.transpose(x, [0] + xr + [ax])
        yt = ops.transpose(y, [0, bx] + yr)
        xs, ys = xt._value.shape, yt._value.shape
        n = xs[0]
        x2 = ops.reshape(xt, (n, -1, xs[-1]))
        y2 = ops.reshape(yt, (n, ys[1], -1))
        out = ops.matmul(x2, y2)
        shape = (n,) + tuple(xs[1:-1]) + tuple(ys[2:])
        if len(shape) == 1:
            shape = (n, 1)
        return ops.reshape(out, shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def _l2n(x, axis):
    from lamina import ops

    sq = ops.reduce_sum(x * x, axis=axis, keepdims=True)
    return x / ops.sqrt(ops.maximum(sq, 1e-12))


def add(inputs, **kwargs):
    """Functional form of :class:`Add`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of :class:`Subtract`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of :class:`Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of :class:`Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of :class:`Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of :class:`Minimum`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis: int = -1, **kwargs):
    """Functional form of :class:`Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize: bool = False, **kwargs):
    """Functional form of :class:`Dot`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


__all__ = [
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "add",
    "subtract",
    "multiply",
    "average",
    "maximum",
    "minimum",
    "concatenate",
    "dot",
]
