"""The optimizer step of a plan, fused over one flat buffer of all trainable weights."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def make_update(optimizer, variables, grads, flat_params, flat_grads) -> Callable[[], None]:
    """The optimizer step, fused over the flat buffers when the optimizer allows it."""
    fn = _flat_update(optimizer, variables, flat_params, flat_grads)
    if fn is not None:
        return fn
    apply = optimizer.apply_numpy
    return lambda: apply(grads, variables)


def _flat_update(opt, variables, P: np.ndarray, G: np.ndarray):
    """Run the optimizer's own elementwise update once over the whole flat buffer.

    The built-in optimizers update each variable with ``_update_numpy(g, w, slots, scratch,
    coefficients)``, a chain of elementwise ufuncs. Concatenating every variable (and every
    slot) into one buffer gives the very same numbers with one call instead of one per
    variable. The optimizer's slot Variables become views into the flat slot buffers, so its
    state (saved files, ``optimizer.variables``) stays per variable, exactly as Keras orders it.
    Returns None when a feature needs the per-variable path (per-variable clipnorm, custom
    ``update_step``, EMA, gradient accumulation, loss scaling, constraints, decay exclusions).
    """
    needed = (
        "_update_numpy",
        "_coefficients",
        "_slot_arrays",
        "_slot_vars",
        "_index",
        "_current_lr",
        "_step",
        "_after_update",
        "build",
    )
    if not all(hasattr(opt, a) for a in needed):
        return None
    if (
        opt._uses_custom_update()
        or opt.clipnorm
        or opt.use_ema
        or opt.loss_scale_factor
        or opt.gradient_accumulation_steps
    ):
        return None
    if opt.weight_decay and (opt._exclude_ids or opt._exclude_pattern is not None):
        return None
    if any(v.constraint is not None for v in variables):
        return None
    opt.build(list(variables))
    opt.built = True
    nslots = len(opt._slot_order)
    flat_slots = [np.empty_like(P) for _ in range(nslots)]
    off = 0
    for v in variables:
        i = opt._index[id(v)]
        n = v._value.size
        for k in range(nslots):
            view = flat_slots[k][off : off + n].reshape(v._value.shape)
            view[...] = opt._slot_arrays[i][k]
            opt._slot_arrays[i][k] = view
            opt._slot_vars[i][k]._value = view
        off += n
    scratch = [np.empty_like(P) for _ in range(max(int(getattr(opt, "_n_scratch", 1)), 1))]
    update, coefficients = opt._update_numpy, opt._coefficients
    clipvalue, global_clipnorm = opt.clipvalue, opt.global_clipnorm

    def step() -> None:
        # runs inside the plan's np.errstate
        if global_clipnorm:
            norm = float(np.sqrt(np.dot(G, G)))
            if norm > global_clipnorm:
                np.multiply(G, global_clipnorm / norm, out=G)
            elif not np.isfinite(norm):
                G[...] = np.nan
        elif clipvalue:
            np.clip(G, -clipvalue, clipvalue, out=G)
        lr = opt._current_lr()
        if opt.weight_decay:
            np.multiply(P, opt.weight_decay * lr, out=scratch[0])
            np.subtract(P, scratch[0], out=P)
        update(G, P, flat_slots, scratch, coefficients(lr, float(opt._step() + 1)))
        opt._after_update()

    return step
