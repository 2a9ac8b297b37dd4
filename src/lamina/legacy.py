"""Every Keras 2 / tf.keras 2.x spelling lamina accepts, in one place.

Code that meets a user-supplied name or keyword looks it up here instead of carrying its own
special cases. Add new aliases to the table they belong to.
"""

from __future__ import annotations

#: Old keyword argument -> current keyword, per kind of object.
KWARG_ALIASES: dict[str, dict[str, str]] = {
    "optimizer": {"lr": "learning_rate"},
    "layer": {
        "W_regularizer": "kernel_regularizer",
        "b_regularizer": "bias_regularizer",
        "init": "kernel_initializer",
        "output_dim": "units",
        "nb_epoch": "epochs",
        # Keras 1/2.0 convolution and pooling keywords
        "nb_filter": "filters",
        "filter_length": "kernel_size",
        "border_mode": "padding",
        "subsample": "strides",
        "subsample_length": "strides",
        "pool_length": "pool_size",
    },
    "fit": {"nb_epoch": "epochs"},
    "batch_normalization": {"beta_init": "beta_initializer", "gamma_init": "gamma_initializer"},
    "embedding": {
        "init": "embeddings_initializer",
        "W_regularizer": "embeddings_regularizer",
        "W_constraint": "embeddings_constraint",
    },
    "dataset": {"nb_words": "num_words"},  # imdb / reuters load_data
}

#: Old metric names -> the name Keras 2.x/3 resolves them to (printed names stay as given).
METRIC_ALIASES: dict[str, str] = {
    "acc": "accuracy",
}

#: Keras 2.2 loss names -> the tf.keras 2.x / Keras 3 name (``losses.get`` looks here).
LOSS_ALIASES: dict[str, str] = {
    "cosine_proximity": "cosine_similarity",
    "cosine": "cosine_similarity",
}

#: History keys: the Keras 2 name a user may read -> the key lamina stores.
HISTORY_KEY_ALIASES: dict[str, str] = {
    "acc": "accuracy",
    "val_acc": "val_accuracy",
}

#: Keras 2 / tf.keras module paths -> lamina modules (used by the import hook).
MODULE_ALIASES: dict[str, str] = {
    "keras.engine": "lamina.models",
    "keras.engine.sequential": "lamina.models",
    "keras.engine.training": "lamina.models",
    "keras.engine.functional": "lamina.models",
    "keras.engine.base_layer": "lamina.layers",
    "keras.engine.input_layer": "lamina.layers",
    "keras.engine.input_spec": "lamina.layers",
    "keras.engine.topology": "lamina.layers",
    "keras.wrappers": "lamina.utils",
    "keras.wrappers.scikit_learn": "lamina.utils",
    # Keras 2 layer modules (Keras 3 keeps every layer in keras.layers)
    "keras.layers.core": "lamina.layers",
    "keras.layers.advanced_activations": "lamina.layers",
    "keras.layers.convolutional": "lamina.layers",
    "keras.layers.pooling": "lamina.layers",
    "keras.layers.recurrent": "lamina.layers",
    "keras.layers.normalization": "lamina.layers",
    "keras.layers.embeddings": "lamina.layers",
    "keras.layers.merge": "lamina.layers",
    "keras.layers.noise": "lamina.layers",
    "keras.layers.wrappers": "lamina.layers",
    "keras.layers.experimental": "lamina.layers",
    "keras.layers.experimental.preprocessing": "lamina.layers",
    # tf.keras 2.x optimizer modules
    "keras.optimizer_v2": "lamina.optimizers",
    "keras.optimizer_v2.optimizer_v2": "lamina.optimizers",
    "keras.optimizer_v2.gradient_descent": "lamina.optimizers",
    "keras.optimizer_v2.adam": "lamina.optimizers",
    "keras.optimizer_v2.rmsprop": "lamina.optimizers",
    "keras.optimizer_v2.adagrad": "lamina.optimizers",
    "keras.optimizer_v2.adadelta": "lamina.optimizers",
    "keras.optimizer_v2.adamax": "lamina.optimizers",
    "keras.optimizer_v2.nadam": "lamina.optimizers",
    "keras.optimizer_v2.ftrl": "lamina.optimizers",
    "keras.optimizer_v2.learning_rate_schedule": "lamina.optimizers.schedules",
    # Keras 2 utility and backend modules
    "keras.utils.np_utils": "lamina.utils",
    "keras.utils.vis_utils": "lamina.utils",
    "keras.utils.generic_utils": "lamina.utils",
    "keras.utils.layer_utils": "lamina.utils",
    "keras.utils.io_utils": "lamina.utils",
    "keras.callbacks.callbacks": "lamina.callbacks",
    "keras.initializers.initializers_v2": "lamina.initializers",
    "keras.backend.tensorflow_backend": "lamina.backend",
    "keras.backend.common": "lamina.backend",
}


def rename_kwargs(kind: str, kwargs: dict) -> dict:
    """Return ``kwargs`` with legacy keyword names replaced by their current names."""
    table = KWARG_ALIASES.get(kind, {})
    if not table or not any(k in table for k in kwargs):
        return kwargs
    out = {}
    for key, value in kwargs.items():
        new = table.get(key, key)
        if new in out and new != key:
            raise TypeError(f"Both `{key}` and `{new}` were given; they are the same argument.")
        out[new] = value
    return out


#: Keras 3 layer-config keys for features lamina does not have, accepted (and dropped) when
#: they hold their "off" value, so Keras-written files load: key -> the off values.
INERT_LAYER_KWARGS: dict[str, tuple] = {
    "quantization_config": (None,),
    "lora_rank": (None, 0),
    "lora_alpha": (None,),
    "lora_enabled": (False, None),
}


def drop_inert_kwargs(kwargs: dict) -> dict:
    """Remove :data:`INERT_LAYER_KWARGS` entries that are switched off."""
    for key, off in INERT_LAYER_KWARGS.items():
        if key in kwargs and kwargs[key] in off:
            del kwargs[key]
    return kwargs
