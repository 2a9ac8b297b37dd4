"""``Optimizer``: the base every optimizer shares (``keras.optimizers.Optimizer``).

What the base does, once for every optimizer: validate and hold the learning rate (a float in
a Variable, a ``LearningRateSchedule`` or a callable), keep ``iterations``, create per-variable
state ("slots") the first time a variable is seen, unscale/accumulate/clip the gradients, apply
weight decay, call the optimizer's update, apply variable constraints and the moving average,
then count the step.

Everything ends in :meth:`Optimizer.apply_numpy`. The update works **in place** on
``variable._value`` with NumPy ``out=`` arguments and per-variable scratch buffers allocated
once, so a training step allocates nothing for the common optimizers. Subclasses say which
slots they need (``_slot_groups``) and write ``_update_numpy``; the formulas are Keras 3's.

Custom optimizers written for Keras 3 (override ``build`` and ``update_step(gradient, variable,
learning_rate)`` with lamina ops, create state with ``add_variable_from_reference``) work too.
"""

from __future__ import annotations

import math
import numbers
import re
import warnings
from collections.abc import Iterable

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.autodiff.variable import Variable

# Keras 2 keywords that configs written by tf.keras 2.11+ carry and that change nothing here.
_IGNORED_KWARGS = ("jit_compile", "is_legacy_optimizer", "mesh")


class _VariableList(list):
    """``optimizer.variables`` is a list (Keras 3) that can also be called (tf.keras 2.x)."""

    def __call__(self) -> list:
        return list(self)


def _is_schedule(value) -> bool:
    from lamina.optimizers.schedules.learning_rate_schedule import LearningRateSchedule

    return isinstance(value, LearningRateSchedule)


def _as_bool(value, arg: str) -> bool:
    """A flag: True/False (or 0/1); anything else is a clear TypeError naming ``arg``."""
    if isinstance(value, (bool, np.bool_)) or (
        isinstance(value, numbers.Integral) and value in (0, 1)
    ):
        return bool(value)
    raise TypeError(f"Argument `{arg}` must be True or False, received {arg}={value!r}.")


def _optional_int(value, arg: str, minimum: int) -> int | None:
    """None, or an integer >= ``minimum`` (bools refused); a clear error otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(
            f"`{arg}` must be an integer >= {minimum} or None. Received: {arg}={value!r}"
        )
    return int(value)


def _as_float(
    value, arg: str, *, allow_none: bool = False, positive: bool = False, upper: float | None = None
):
    """``value`` as a float, checked: a clear error names the argument otherwise."""
    if value is None:
        if allow_none:
            return None
        raise TypeError(f"Argument `{arg}` must be a float, received None.")
    if isinstance(value, bool) or isinstance(value, str):
        raise TypeError(
            f"Argument `{arg}` must be a float, received {value!r} of type {type(value).__name__}."
        )
    if isinstance(value, (Tensor, np.ndarray)):
        arr = np.asarray(value)
        if arr.size != 1:
            raise ValueError(f"Argument `{arg}` must be a scalar, received shape {arr.shape}.")
        value = arr.reshape(()).item()
    if not isinstance(value, numbers.Real):
        raise TypeError(
            f"Argument `{arg}` must be a float, received {value!r} of type {type(value).__name__}."
        )
    f = float(value)
    if math.isnan(f) or f < 0 or (positive and f == 0) or math.isinf(f):
        need = "a positive" if positive else "a non-negative"
        raise ValueError(f"Argument `{arg}` must be {need} finite float, received {arg}={value!r}.")
    if upper is not None and f > upper:
        raise ValueError(
            f"Argument `{arg}` must be between 0 and {upper}, received {arg}={value!r}."
        )
    return f


def _validate_learning_rate(value):
    """A float (kept as a Python float), a schedule, or a callable; anything else is refused."""
    if _is_schedule(value):
        return value
    if callable(value) and not isinstance(value, (Tensor, np.ndarray, np.generic)):
        return value
    try:
        return _as_float(value, "learning_rate")
    except TypeError:
        raise TypeError(
            "Argument `learning_rate` should be a float, an instance of LearningRateSchedule, or "
            "a callable (that takes no arguments and returns the learning rate). Received: "
            f"learning_rate={value!r} of type {type(value).__name__}."
        ) from None


class Optimizer:
    """Base class for optimizers (Keras 3 API, tf.keras 2.x spellings accepted).

    Args:
        learning_rate: float >= 0, a ``LearningRateSchedule``, or a zero-argument callable.
        weight_decay: decoupled weight decay (``var -= var * weight_decay * lr`` each step).
        clipnorm / clipvalue / global_clipnorm: gradient clipping (at most one of them).
        use_ema, ema_momentum, ema_overwrite_frequency: exponential moving average of weights.
        loss_scale_factor: gradients are divided by it (``scale_loss`` multiplies the loss).
        gradient_accumulation_steps: update every N steps with the mean of the N gradients.
        name: defaults to the class name, as tf.keras 2.x.
        lr: legacy alias of ``learning_rate``. decay: Keras 2 time-based decay,
            ``lr / (1 + decay * iterations)``.
    """

    #: Slots per variable, as groups of ``(name, initial value)``; Keras 3 orders the slot
    #: variables group by group, each group variable by variable.
    _slot_groups: tuple = ()
    #: Scratch buffers per variable (same shape and dtype as the variable).
    _n_scratch: int = 1

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor=None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs,
    ) -> None:
        from lamina.legacy import rename_kwargs

        if (
            isinstance(learning_rate, str)
            and name is None
            and not type(self).__module__.startswith("lamina.")
        ):
            # tf.keras 2.x custom optimizers call ``super().__init__(name, **kwargs)``.
            name, learning_rate = learning_rate, kwargs.pop("learning_rate", 0.001)
        if "lr" in kwargs:
            warnings.warn(
                "The `lr` argument is deprecated, use `learning_rate` instead.",
                UserWarning,
                stacklevel=3,
            )
        kwargs = rename_kwargs("optimizer", kwargs)
        if "learning_rate" in kwargs:
            learning_rate = kwargs.pop("learning_rate")
        decay = kwargs.pop("decay", None)
        if kwargs.pop("schedule_decay", None) is not None:  # Keras 2.2 Nadam
            warnings.warn(
                "The Keras 2.2 `schedule_decay` argument is ignored; lamina uses the "
                "Keras 3 momentum schedule.",
                UserWarning,
                stacklevel=3,
            )
        for key in _IGNORED_KWARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise ValueError(self._unknown_kwargs_message(kwargs))

        self._lock = False
        self.name = str(name) if name is not None else type(self).__name__
        self.decay = _as_float(decay, "decay", allow_none=True) or 0.0
        self.weight_decay = _as_float(weight_decay, "weight_decay", allow_none=True)
        self.clipnorm = _as_float(clipnorm, "clipnorm", allow_none=True)
        self.clipvalue = _as_float(clipvalue, "clipvalue", allow_none=True)
        self.global_clipnorm = _as_float(global_clipnorm, "global_clipnorm", allow_none=True)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.use_ema = _as_bool(use_ema, "use_ema")
        self.ema_momentum = _as_float(ema_momentum, "ema_momentum", upper=1.0)
        self.ema_overwrite_frequency = _optional_int(
            ema_overwrite_frequency, "ema_overwrite_frequency", 1
        )
        self.loss_scale_factor = _as_float(
            loss_scale_factor, "loss_scale_factor", allow_none=True, positive=True
        )
        self.gradient_accumulation_steps = _optional_int(
            gradient_accumulation_steps, "gradient_accumulation_steps", 2
        )

        self._iterations = Variable(
            np.array(0, dtype=np.int64),
            name="iteration",
            trainable=False,
            path=f"{self.name}/iteration",
        )
        self._lr_var: Variable | None = None
        self._lr_py: float | None = None
        self._learning_rate = None
        self._set_learning_rate(_validate_learning_rate(learning_rate))

        # Per-variable state, by position in ``_trainable_variables``.
        self._trainable_variables: list[Variable] = []
        self._index: dict[int, int] = {}
        self._slot_order: tuple[str, ...] = ()
        self._slot_arrays: list[list[np.ndarray]] = []
        self._slot_vars: list[list[Variable]] = []
        self._scratch: list[list[np.ndarray]] = []
        self._gbuf: list[np.ndarray | None] = []
        self._ema_vars: list[Variable] = []
        self._accum_vars: list[Variable] = []
        self._tracked: list[Variable] = []  # add_variable(...) from subclasses, in order
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None
        self._wd_cache: dict[int, bool] = {}
        self.built = False

    def _unknown_kwargs_message(self, kwargs: dict) -> str:
        import inspect

        from lamina.utils.serialization import nearest_names

        accepted: list[str] = []
        for klass in type(self).__mro__:
            init = klass.__dict__.get("__init__")
            if init is None or klass is object:
                continue
            for p in inspect.signature(init).parameters.values():
                if (
                    p.kind is p.POSITIONAL_OR_KEYWORD
                    and p.name != "self"
                    and p.name not in accepted
                ):
                    accepted.append(p.name)
        accepted += [k for k in ("lr", "decay") if k not in accepted]
        hints = []
        for key in kwargs:
            near = nearest_names(key, accepted, n=1)
            if near:
                hints.append(f"`{key}` (did you mean `{near[0]}`?)")
            else:
                hints.append(f"`{key}`")
        return (
            f"Argument(s) not recognized by {type(self).__name__}: {', '.join(hints)}. "
            f"Accepted arguments: {', '.join(accepted)}."
        )

    # --- learning rate --------------------------------------------------------------
    def _set_learning_rate(self, value) -> None:
        if isinstance(value, float):
            if self._lr_var is None:
                self._lr_var = Variable(
                    np.array(value, dtype=np.float32),
                    name="learning_rate",
                    trainable=False,
                    path=f"{self.name}/learning_rate",
                )
            else:
                self._lr_var.assign(value)
            self._lr_py = value
            self._learning_rate = self._lr_var
        else:
            self._learning_rate = value

    @property
    def learning_rate(self):
        """The learning rate: the ``learning_rate`` Variable, or the schedule's current value."""
        lr = self._learning_rate
        if lr is self._lr_var:
            return lr
        if _is_schedule(lr):
            return lr(self._iterations)
        return lr()

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        value = _validate_learning_rate(value)
        if isinstance(value, float) and _is_schedule(self._learning_rate):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument."
            )
        self._set_learning_rate(value)

    #: tf.keras 2.x spelling.
    lr = learning_rate

    def _current_lr(self) -> float:
        """The learning rate this step uses, as a Python float (Keras 2 ``decay`` applied)."""
        lr = self._learning_rate
        if lr is self._lr_var:
            value = float(lr._value)
        elif _is_schedule(lr):
            value = float(np.asarray(lr(self._iterations)))
        else:
            value = float(np.asarray(lr()))
        if self.decay:
            value = value / (1.0 + self.decay * float(self._iterations._value))
        return value

    def _decayed_lr(self, var_dtype=None) -> Tensor:
        """The learning rate of the next step as a scalar Tensor (tf.keras 2.x private API
        that tutorials use to print the decayed rate)."""
        from lamina.dtypes import as_dtype

        dtype = np.float32 if var_dtype is None else as_dtype(var_dtype)._np
        return Tensor(np.asarray(self._current_lr(), dtype=dtype))

    # --- iterations -----------------------------------------------------------------
    @property
    def iterations(self):
        """Steps taken (a Variable; with gradient accumulation, the number of real updates)."""
        if self.gradient_accumulation_steps:
            return Tensor(self._iterations._value // self.gradient_accumulation_steps)
        return self._iterations

    @iterations.setter
    def iterations(self, value) -> None:
        self._iterations.assign(value._value if isinstance(value, Tensor) else value)

    def _step(self) -> int:
        it = int(self._iterations._value)
        if self.gradient_accumulation_steps:
            it //= self.gradient_accumulation_steps
        return it

    # --- state ----------------------------------------------------------------------
    def _slot_specs(self) -> list[tuple[tuple[str, float], ...]]:
        """The slot groups this optimizer needs (subclasses decide from their arguments)."""
        return list(self._slot_groups)

    def build(self, var_list) -> None:
        """Create the optimizer state for ``var_list`` (done automatically on the first step)."""
        for v in var_list:
            if id(v) not in self._index:
                self._register(v)
        self.built = True

    def _uses_custom_update(self) -> bool:
        return type(self).update_step is not Optimizer.update_step

    def _register(self, var) -> None:
        if not isinstance(var, Variable):
            raise TypeError(
                f"{type(self).__name__} can only update lamina Variables, received "
                f"{type(var).__name__}. Create it with lamina.Variable(...)."
            )
        i = len(self._trainable_variables)
        self._index[id(var)] = i
        self._trainable_variables.append(var)
        groups = self._slot_specs()
        self._slot_order = tuple(name for g in groups for name, _ in g)
        w = var._value
        base = var.path.replace("/", "_")
        arrays, svars = [], []
        for g in groups:
            for slot, init in g:
                sv = Variable(
                    np.full(w.shape, init, dtype=w.dtype),
                    name=f"{base}_{slot}",
                    trainable=False,
                    path=f"{self.name}/{base}_{slot}",
                )
                arrays.append(sv._value)
                svars.append(sv)
        self._slot_arrays.append(arrays)
        self._slot_vars.append(svars)
        self._scratch.append([np.empty_like(w) for _ in range(self._n_scratch)])
        self._gbuf.append(None)
        if self.use_ema:
            self._ema_vars.append(
                Variable(
                    np.zeros(w.shape, w.dtype),
                    name=f"{base}_average",
                    trainable=False,
                    path=f"{self.name}/{base}_average",
                )
            )
        if self.gradient_accumulation_steps:
            self._accum_vars.append(
                Variable(
                    np.zeros(w.shape, w.dtype),
                    name=f"{base}_gradient_accumulator",
                    trainable=False,
                    path=f"{self.name}/{base}_gradient_accumulator",
                )
            )

    @property
    def variables(self) -> list:
        """All optimizer state in Keras 3's order: iteration, learning_rate, EMA averages,
        gradient accumulators, then the slots group by group, then extra variables."""
        out = _VariableList([self._iterations])
        if self._learning_rate is self._lr_var and self._lr_var is not None:
            out.append(self._lr_var)
        out.extend(self._ema_vars)
        out.extend(self._accum_vars)
        groups = self._slot_specs()
        pos = 0
        for g in groups:
            for svars in self._slot_vars:
                out.extend(svars[pos : pos + len(g)])
            pos += len(g)
        out.extend(self._tracked)
        return out

    @property
    def weights(self) -> list:
        """tf.keras 2.x name of :attr:`variables`."""
        return self.variables

    def get_weights(self) -> list[np.ndarray]:
        """Copies of :attr:`variables` as NumPy arrays."""
        return [v._value.copy() for v in self.variables]

    def set_weights(self, weights) -> None:
        """Set the state from :meth:`get_weights` output (the optimizer must be built)."""
        current = self.variables
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Call `optimizer.build(trainable_variables)` first."
            )
        if len(weights) != len(current):
            raise ValueError(
                f"Optimizer '{self.name}' has {len(current)} variables but {len(weights)} "
                "weights were given."
            )
        for v, w in zip(current, weights):
            w = np.asarray(w)
            if tuple(w.shape) != tuple(v._value.shape):
                raise ValueError(
                    f"Optimizer variable {v.path} has shape {tuple(v._value.shape)}, not "
                    f"compatible with the provided weight of shape {tuple(w.shape)}."
                )
            v.assign(w)

    def save_own_variables(self, store) -> None:
        """Write the state to ``store`` under keys ``'0'``, ``'1'``, ... (``.keras`` files)."""
        for i, v in enumerate(self.variables):
            store[str(i)] = v._value.copy()

    def load_own_variables(self, store) -> None:
        """Read the state written by :meth:`save_own_variables` (skipped with a warning when
        the counts differ, e.g. before the optimizer is built)."""
        current = self.variables
        n = len(list(store.keys()))
        if n != len(current):
            msg = (
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(current)} variables whereas the saved optimizer has {n} variables. "
            )
            if not self.built:
                msg += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(msg, stacklevel=2)
            return
        for i, v in enumerate(current):
            v.assign(np.asarray(store[str(i)]))

    def get_slot_names(self) -> list[str]:
        return [name for g in self._slot_specs() for name, _ in g]

    def get_slot(self, var, slot_name: str) -> Variable:
        """The ``slot_name`` state Variable of ``var`` (tf.keras 2.x)."""
        i = self._index.get(id(var))
        if i is None or slot_name not in self._slot_order:
            raise KeyError(f"No slot {slot_name!r} for variable {getattr(var, 'name', var)!r}.")
        return self._slot_vars[i][self._slot_order.index(slot_name)]

    # Keras 3 helpers for custom optimizers -------------------------------------------
    def add_variable(
        self,
        shape,
        initializer="zeros",
        dtype=None,
        aggregation="none",
        name: str | None = None,
        layout=None,
    ) -> Variable:
        """Create and track a state Variable (Keras 3 custom-optimizer API)."""
        from lamina import initializers
        from lamina.backend import floatx

        init = initializers.get(initializer)
        dtype = dtype or floatx()
        value = init(tuple(shape), dtype=dtype)
        v = Variable(
            value,
            name=name or "variable",
            trainable=False,
            dtype=dtype,
            path=f"{self.name}/{name or 'variable'}",
        )
        self._tracked.append(v)
        return v

    def add_variable_from_reference(
        self, reference_variable, name: str | None = None, initializer="zeros"
    ) -> Variable:
        """A state Variable shaped like ``reference_variable`` (Keras 3 custom-optimizer API)."""
        ref = reference_variable
        base = getattr(ref, "path", getattr(ref, "name", "var")).replace("/", "_")
        return self.add_variable(
            tuple(ref.shape),
            initializer=initializer,
            dtype=ref.dtype,
            name=f"{base}_{name or 'var'}",
        )

    def _get_variable_index(self, variable) -> int:
        return self._index[id(variable)]

    def _var_key(self, variable) -> int:
        return id(variable)

    def assign(self, variable, value) -> None:
        variable.assign(value)

    def assign_add(self, variable, value) -> None:
        variable.assign_add(value)

    def assign_sub(self, variable, value) -> None:
        variable.assign_sub(value)

    def update_step(self, gradient, variable, learning_rate):
        """Keras 3 custom-optimizer hook; built-in optimizers use ``_update_numpy`` instead."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `update_step(gradient, variable, learning_rate)`."
        )

    # --- weight decay -----------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Skip weight decay for these variables, or those whose name contains a given word."""
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer is "
                "built."
            )
        self._exclude_ids = {id(v) for v in (var_list or [])}
        self._exclude_pattern = (
            re.compile("|".join(map(re.escape, set(var_names)))) if var_names else None
        )
        self._wd_cache = {}

    def _use_weight_decay(self, variable) -> bool:
        key = id(variable)
        hit = self._wd_cache.get(key)
        if hit is None:
            hit = key not in self._exclude_ids and not (
                self._exclude_pattern is not None
                and self._exclude_pattern.search(variable.name) is not None
            )
            self._wd_cache[key] = hit
        return hit

    # --- applying gradients -----------------------------------------------------------------
    def apply_gradients(
        self,
        grads_and_vars: Iterable,
        name: str | None = None,
        skip_gradients_aggregation: bool = False,
        **kwargs,
    ):
        """Apply ``[(gradient, variable), ...]`` (gradients: Tensors, arrays or None)."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = [], []
        for item in pairs:
            try:
                g, v = item
            except (TypeError, ValueError):
                raise TypeError(
                    "`apply_gradients` expects an iterable of (gradient, variable) pairs, e.g. "
                    f"zip(grads, model.trainable_variables); received an item {item!r}."
                ) from None
            grads.append(g)
            variables.append(v)
        self.apply_numpy(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Keras 3: apply ``grads`` to ``trainable_variables`` (or the variables built with)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            trainable_variables = self._trainable_variables
            if len(grads) != len(trainable_variables):
                raise ValueError(
                    f"Received {len(grads)} gradients but the optimizer tracks "
                    f"{len(trainable_variables)} variables."
                )
        self.apply_numpy(grads, list(trainable_variables))

    def minimize(self, loss, var_list, tape=None, *, grad_loss=None, name=None):
        """Compute gradients of ``loss`` (a Tensor with its ``tape``, or a zero-argument callable)
        for ``var_list`` and apply them (``grad_loss``: tf.keras 2.x seed gradient)."""
        from lamina.autodiff.tape import GradientTape

        if callable(loss) and not isinstance(loss, Tensor):
            with GradientTape() as tape:
                loss_value = loss()
        else:
            if tape is None:
                raise ValueError(
                    "`tape` is required when a `Tensor` loss is passed. Pass the GradientTape "
                    "that recorded the loss, or pass the loss as a zero-argument callable."
                )
            loss_value = loss
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss_value, var_list, output_gradients=grad_loss)
        return self.apply_gradients(zip(grads, var_list))

    def scale_loss(self, loss):
        """Multiply ``loss`` by ``loss_scale_factor`` when it is set."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def apply_numpy(self, grads: list, variables: list) -> None:
        """Update ``variables`` in place from ``grads`` and count the step.

        ``grads`` may hold NumPy arrays, Tensors or None (skipped with a warning). The arrays
        are never modified; ``variables[i]._value`` is updated in its existing buffer.
        """
        if not self.built and self._uses_custom_update():
            self.build(list(variables))
            self.built = True
        index = self._index
        for v in variables:
            if id(v) not in index:
                if self._uses_custom_update():
                    raise ValueError(
                        f"Unknown variable: {v!r}. This optimizer can only be called for the "
                        "variables it was originally built with."
                    )
                self._register(v)
        self.built = True
        items = []
        missing = []
        for g, v in zip(grads, variables):
            if g is None:
                missing.append(v.path)
                continue
            if type(g) is not np.ndarray:
                g = g._value if isinstance(g, Tensor) else np.asarray(g)
            w = v._value
            if g.dtype != w.dtype:
                g = g.astype(w.dtype)
            if g.shape != w.shape:
                raise ValueError(
                    f"Gradient of shape {tuple(g.shape)} does not match variable '{v.name}' of "
                    f"shape {tuple(w.shape)}."
                )
            items.append((g, v, index[id(v)]))
        if not items:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. If "
                "using `model.compile()`, did you forget to provide a `loss` argument?",
                stacklevel=2,
            )
        with np.errstate(all="ignore"):
            self._apply(items)

    def _grad_buffer(self, i: int, w: np.ndarray) -> np.ndarray:
        buf = self._gbuf[i]
        if buf is None:
            buf = self._gbuf[i] = np.empty_like(w)
        return buf

    def _apply(self, items: list) -> None:
        if self.loss_scale_factor is not None:
            inv = 1.0 / self.loss_scale_factor
            items = [(np.multiply(g, inv, out=self._grad_buffer(i, g)), v, i) for g, v, i in items]
        it = self._iterations._value
        steps = self.gradient_accumulation_steps
        if steps:
            if (int(it) + 1) % steps != 0:
                for g, _, i in items:
                    acc = self._accum_vars[i]._value
                    np.add(acc, g, out=acc)
                self._after_update()
                return
            new = []
            for g, v, i in items:
                acc = self._accum_vars[i]._value
                buf = self._grad_buffer(i, g)
                np.add(g, acc, out=buf)
                np.divide(buf, steps, out=buf)
                new.append((buf, v, i))
            items = new
        items = self._clip(items)
        lr = self._current_lr()
        wd = self.weight_decay
        if wd:
            factor = wd * lr
            for _, v, i in items:
                if self._use_weight_decay(v):
                    w, s = v._value, self._scratch[i][0]
                    np.multiply(w, factor, out=s)
                    np.subtract(w, s, out=w)
        if self._uses_custom_update():
            lr_t = Tensor(np.asarray(lr, dtype=np.float32))
            for g, v, _ in items:
                self.update_step(Tensor(g), v, lr_t)
        else:
            coeffs = self._coefficients(lr, float(self._step() + 1))
            slots, scratch, update = self._slot_arrays, self._scratch, self._update_numpy
            for g, v, i in items:
                update(g, v._value, slots[i], scratch[i], coeffs)
        for _, v, _ in items:
            if v.constraint is not None:
                v.assign(v.constraint(v))
        if steps:
            for _, _, i in items:
                self._accum_vars[i]._value.fill(0)
        self._after_update()

    def _after_update(self) -> None:
        if self.use_ema:
            self._update_ema()
        it = self._iterations._value
        np.add(it, 1, out=it)

    def _clip(self, items: list) -> list:
        if self.clipnorm:
            c = self.clipnorm
            out = []
            for g, v, i in items:
                norm = math.sqrt(float(np.vdot(g, g)))
                if norm > c:
                    g = np.multiply(g, c / norm, out=self._grad_buffer(i, g))
                out.append((g, v, i))
            return out
        if self.global_clipnorm:
            c = self.global_clipnorm
            norm = math.sqrt(sum(float(np.vdot(g, g)) for g, _, _ in items))
            if math.isfinite(norm):
                scale = c * min(1.0 / norm if norm else math.inf, 1.0 / c)
            else:
                scale = math.nan
            if scale == 1.0:
                return items
            return [(np.multiply(g, scale, out=self._grad_buffer(i, g)), v, i) for g, v, i in items]
        if self.clipvalue:
            c = self.clipvalue
            return [(np.clip(g, -c, c, out=self._grad_buffer(i, g)), v, i) for g, v, i in items]
        return items

    def _coefficients(self, lr: float, t: float):
        """Per-step scalars shared by every variable (subclasses add bias corrections)."""
        return lr

    def _update_numpy(self, g, w, slots, scratch, c) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- moving average -------------------------------------------------------------------
    def _update_ema(self) -> None:
        m = self.ema_momentum if int(self._step()) != 0 else 0.0
        for v, avg in zip(self._trainable_variables, self._ema_vars):
            a = avg._value
            np.multiply(a, m, out=a)
            a += (1.0 - m) * v._value
        freq = self.ema_overwrite_frequency
        if freq and (self._step() + 1) % freq == 0:
            self._overwrite_with_average(self._trainable_variables)

    def _overwrite_with_average(self, var_list) -> None:
        for v in var_list:
            i = self._index.get(id(v))
            if i is not None and i < len(self._ema_vars):
                v.assign(self._ema_vars[i]._value)

    def finalize_variable_values(self, var_list) -> None:
        """With ``use_ema``, replace the variables by their moving averages (end of fit)."""
        if self.use_ema:
            self._overwrite_with_average(list(var_list))

    # --- config ------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """Every constructor argument, with Keras 3's keys."""
        from lamina.utils.serialization import serialize_keras_object

        lr = self._learning_rate
        if lr is self._lr_var:
            value = float(lr._value)
            if self._lr_py is not None and np.float32(self._lr_py) == lr._value:
                value = self._lr_py
            lr_config = value
        else:
            lr_config = serialize_keras_object(lr)
        config = {
            "name": self.name,
            "learning_rate": lr_config,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Rebuild from :meth:`get_config` output (Keras 2 and Keras 3 configs)."""
        config = dict(config)
        lr = config.get("learning_rate", config.get("lr"))
        if isinstance(lr, dict):
            from lamina.optimizers.schedules import deserialize as deserialize_schedule

            key = "learning_rate" if "learning_rate" in config else "lr"
            config[key] = deserialize_schedule(lr, custom_objects=custom_objects)
        if "lr" in config and "learning_rate" in config:
            config.pop("lr")
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        if config.get("decay") in (0, 0.0):
            config.pop("decay")
        return cls(**config)

    def __repr__(self) -> str:
        return f"<lamina.optimizers.{type(self).__name__} name={self.name!r}>"
