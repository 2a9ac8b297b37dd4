"""``model.summary()`` wraps long fields at the columns tf.keras 2.x wraps them.

The expected tables below come from tf_keras 2.21 (``import tf_keras as keras``), built with
the same layers and names and captured with ``model.summary(print_fn=...)``. Only the three
totals lines are left out of the comparison: tf_keras 2.21 adds memory sizes to them, while
lamina prints them as the seed notebooks' tf.keras 2.x did (``Total params: 1,221``), which
is checked separately.
"""

from __future__ import annotations

import numpy as np
import pytest

import lamina as keras
from lamina.utils import output_style

L = keras.layers


def cnn():
    return keras.Sequential(
        [
            L.Conv2D(
                16, 3, padding="same", activation="relu", input_shape=(128, 128, 3), name="conv2d"
            ),
            L.MaxPooling2D(name="max_pooling2d"),
            L.BatchNormalization(name="batch_normalization"),
            L.Conv2D(32, 3, activation="relu", name="conv2d_1"),
            L.AveragePooling2D(name="average_pooling2d"),
            L.GlobalAveragePooling2D(name="global_average_pooling2d"),
            L.Dropout(0.5, name="dropout"),
            L.Dense(10, activation="softmax", name="dense"),
        ],
        name="sequential",
    )


def text_model():
    return keras.Sequential(
        [
            L.Embedding(10000, 64, input_length=200, name="embedding"),
            L.Conv1D(32, 5, activation="relu", name="conv1d"),
            L.MaxPooling1D(name="max_pooling1d"),
            L.LayerNormalization(name="layer_normalization"),
            L.GlobalMaxPooling1D(name="global_max_pooling1d"),
            L.Dense(1, activation="sigmoid", name="dense_1"),
        ],
        name="sequential_1",
    )


def functional():
    a = keras.Input((32, 32, 3), name="image_input")
    b = keras.Input((16,), name="meta_input")
    x = L.Conv2D(8, 3, name="conv2d_2")(a)
    x = L.BatchNormalization(name="batch_normalization_1")(x)
    x = L.GlobalAveragePooling2D(name="global_average_pooling2d_1")(x)
    y = L.Dense(8, name="dense_2")(b)
    z = L.Dense(8, name="dense_3")(b)
    s = L.Add(name="add")([x, y, z])
    c = L.Concatenate(name="concatenate")([s, x, y, z])
    out = L.Dense(1, name="dense_4")(c)
    return keras.Model([a, b], out, name="model")


def chain_functional():
    a = keras.Input((28, 28, 1), name="input_1")
    x = L.Conv2D(4, 3, name="conv2d_3")(a)
    x = L.MaxPooling2D(name="max_pooling2d_1")(x)
    x = L.Flatten(name="flatten")(x)
    out = L.Dense(10, name="dense_5")(x)
    return keras.Model(a, out, name="model_1")


def nested():
    inner = keras.Sequential(
        [
            L.Dense(8, input_shape=(4,), name="dense_6"),
            L.BatchNormalization(name="batch_normalization_2"),
            L.Dense(4, name="dense_7"),
        ],
        name="sequential_2",
    )
    i = keras.Input((4,), name="input_2")
    j = keras.Input((4,), name="input_3")
    h = inner(i)
    k = L.Dense(4, name="dense_8")(j)
    c = L.Concatenate(name="concatenate_1")([h, k])
    out = L.Dense(1, name="dense_9")(c)
    return keras.Model([i, j], out, name="model_2"), inner


def nested_seq():
    inner = keras.Sequential(
        [L.Dense(8, input_shape=(4,), name="dense_10"), L.Dropout(0.1, name="dropout_1")],
        name="sequential_3",
    )
    outer = keras.Sequential([inner, L.Dense(2, name="dense_11")], name="sequential_4")
    inner.layers[0].trainable = False
    return outer


# From tf_keras 2.21 (tables without the totals lines).
EXPECTED = {
    "cnn": (
        'Model: "sequential"\n'
        "_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   \n"
        "=================================================================\n"
        " conv2d (Conv2D)             (None, 128, 128, 16)      448       \n"
        "                                                                 \n"
        " max_pooling2d (MaxPooling2  (None, 64, 64, 16)        0         \n"
        " D)                                                              \n"
        "                                                                 \n"
        " batch_normalization (Batch  (None, 64, 64, 16)        64        \n"
        " Normalization)                                                  \n"
        "                                                                 \n"
        " conv2d_1 (Conv2D)           (None, 62, 62, 32)        4640      \n"
        "                                                                 \n"
        " average_pooling2d (Average  (None, 31, 31, 32)        0         \n"
        " Pooling2D)                                                      \n"
        "                                                                 \n"
        " global_average_pooling2d (  (None, 32)                0         \n"
        " GlobalAveragePooling2D)                                         \n"
        "                                                                 \n"
        " dropout (Dropout)           (None, 32)                0         \n"
        "                                                                 \n"
        " dense (Dense)               (None, 10)                330       \n"
        "                                                                 \n"
        "=================================================================\n"
        "_________________________________________________________________"
    ),
    "cnn_80": (
        'Model: "sequential"\n'
        "________________________________________________________________________________\n"
        " Layer (type)                       Output Shape                    Param #     \n"
        "================================================================================\n"
        " conv2d (Conv2D)                    (None, 128, 128, 16)            448         \n"
        "                                                                                \n"
        " max_pooling2d (MaxPooling2D)       (None, 64, 64, 16)              0           \n"
        "                                                                                \n"
        " batch_normalization (BatchNormali  (None, 64, 64, 16)              64          \n"
        " zation)                                                                        \n"
        "                                                                                \n"
        " conv2d_1 (Conv2D)                  (None, 62, 62, 32)              4640        \n"
        "                                                                                \n"
        " average_pooling2d (AveragePooling  (None, 31, 31, 32)              0           \n"
        " 2D)                                                                            \n"
        "                                                                                \n"
        " global_average_pooling2d (GlobalA  (None, 32)                      0           \n"
        " veragePooling2D)                                                               \n"
        "                                                                                \n"
        " dropout (Dropout)                  (None, 32)                      0           \n"
        "                                                                                \n"
        " dense (Dense)                      (None, 10)                      330         \n"
        "                                                                                \n"
        "================================================================================\n"
        "________________________________________________________________________________"
    ),
    "cnn_50": (
        'Model: "sequential"\n'
        "__________________________________________________\n"
        " Layer (type)         Output Shape        Param # \n"
        "==================================================\n"
        " conv2d (Conv2D)      (None, 128, 128,    448     \n"
        "                      16)                         \n"
        "                                                  \n"
        " max_pooling2d (MaxP  (None, 64, 64, 16   0       \n"
        " ooling2D)            )                           \n"
        "                                                  \n"
        " batch_normalization  (None, 64, 64, 16   64      \n"
        "  (BatchNormalizatio  )                           \n"
        " n)                                               \n"
        "                                                  \n"
        " conv2d_1 (Conv2D)    (None, 62, 62, 32   4640    \n"
        "                      )                           \n"
        "                                                  \n"
        " average_pooling2d (  (None, 31, 31, 32   0       \n"
        " AveragePooling2D)    )                           \n"
        "                                                  \n"
        " global_average_pool  (None, 32)          0       \n"
        " ing2d (GlobalAverag                              \n"
        " ePooling2D)                                      \n"
        "                                                  \n"
        " dropout (Dropout)    (None, 32)          0       \n"
        "                                                  \n"
        " dense (Dense)        (None, 10)          330     \n"
        "                                                  \n"
        "==================================================\n"
        "__________________________________________________"
    ),
    "cnn_positions": (
        'Model: "sequential"\n'
        "_________________________________________________________________\n"
        " Layer (type)                   Output Shape        Param #      \n"
        "=================================================================\n"
        " conv2d (Conv2D)                (None, 128, 128,    448          \n"
        "                                16)                              \n"
        "                                                                 \n"
        " max_pooling2d (MaxPooling2D)   (None, 64, 64, 16   0            \n"
        "                                )                                \n"
        "                                                                 \n"
        " batch_normalization (BatchNor  (None, 64, 64, 16   64           \n"
        " malization)                    )                                \n"
        "                                                                 \n"
        " conv2d_1 (Conv2D)              (None, 62, 62, 32   4640         \n"
        "                                )                                \n"
        "                                                                 \n"
        " average_pooling2d (AveragePoo  (None, 31, 31, 32   0            \n"
        " ling2D)                        )                                \n"
        "                                                                 \n"
        " global_average_pooling2d (Glo  (None, 32)          0            \n"
        " balAveragePooling2D)                                            \n"
        "                                                                 \n"
        " dropout (Dropout)              (None, 32)          0            \n"
        "                                                                 \n"
        " dense (Dense)                  (None, 10)          330          \n"
        "                                                                 \n"
        "=================================================================\n"
        "_________________________________________________________________"
    ),
    "cnn_abs_positions": (
        'Model: "sequential"\n'
        "______________________________________________________________________\n"
        " Layer (type)                 Output Shape             Param #        \n"
        "======================================================================\n"
        " conv2d (Conv2D)              (None, 128, 128, 16)     448            \n"
        "                                                                      \n"
        " max_pooling2d (MaxPooling2D  (None, 64, 64, 16)       0              \n"
        " )                                                                    \n"
        "                                                                      \n"
        " batch_normalization (BatchN  (None, 64, 64, 16)       64             \n"
        " ormalization)                                                        \n"
        "                                                                      \n"
        " conv2d_1 (Conv2D)            (None, 62, 62, 32)       4640           \n"
        "                                                                      \n"
        " average_pooling2d (AverageP  (None, 31, 31, 32)       0              \n"
        " ooling2D)                                                            \n"
        "                                                                      \n"
        " global_average_pooling2d (G  (None, 32)               0              \n"
        " lobalAveragePooling2D)                                               \n"
        "                                                                      \n"
        " dropout (Dropout)            (None, 32)               0              \n"
        "                                                                      \n"
        " dense (Dense)                (None, 10)               330            \n"
        "                                                                      \n"
        "======================================================================\n"
        "______________________________________________________________________"
    ),
    "cnn_trainable": (
        'Model: "sequential"\n'
        "____________________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   Trainable  \n"
        "============================================================================\n"
        " conv2d (Conv2D)             (None, 128, 128, 16)      448       Y          \n"
        "                                                                            \n"
        " max_pooling2d (MaxPooling2  (None, 64, 64, 16)        0         Y          \n"
        " D)                                                                         \n"
        "                                                                            \n"
        " batch_normalization (Batch  (None, 64, 64, 16)        64        Y          \n"
        " Normalization)                                                             \n"
        "                                                                            \n"
        " conv2d_1 (Conv2D)           (None, 62, 62, 32)        4640      Y          \n"
        "                                                                            \n"
        " average_pooling2d (Average  (None, 31, 31, 32)        0         Y          \n"
        " Pooling2D)                                                                 \n"
        "                                                                            \n"
        " global_average_pooling2d (  (None, 32)                0         Y          \n"
        " GlobalAveragePooling2D)                                                    \n"
        "                                                                            \n"
        " dropout (Dropout)           (None, 32)                0         Y          \n"
        "                                                                            \n"
        " dense (Dense)               (None, 10)                330       Y          \n"
        "                                                                            \n"
        "============================================================================\n"
        "____________________________________________________________________________"
    ),
    "text": (
        'Model: "sequential_1"\n'
        "_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   \n"
        "=================================================================\n"
        " embedding (Embedding)       (None, 200, 64)           640000    \n"
        "                                                                 \n"
        " conv1d (Conv1D)             (None, 196, 32)           10272     \n"
        "                                                                 \n"
        " max_pooling1d (MaxPooling1  (None, 98, 32)            0         \n"
        " D)                                                              \n"
        "                                                                 \n"
        " layer_normalization (Layer  (None, 98, 32)            64        \n"
        " Normalization)                                                  \n"
        "                                                                 \n"
        " global_max_pooling1d (Glob  (None, 32)                0         \n"
        " alMaxPooling1D)                                                 \n"
        "                                                                 \n"
        " dense_1 (Dense)             (None, 1)                 33        \n"
        "                                                                 \n"
        "=================================================================\n"
        "_________________________________________________________________"
    ),
    "text_60": (
        'Model: "sequential_1"\n'
        "____________________________________________________________\n"
        " Layer (type)              Output Shape            Param #  \n"
        "============================================================\n"
        " embedding (Embedding)     (None, 200, 64)         640000   \n"
        "                                                            \n"
        " conv1d (Conv1D)           (None, 196, 32)         10272    \n"
        "                                                            \n"
        " max_pooling1d (MaxPoolin  (None, 98, 32)          0        \n"
        " g1D)                                                       \n"
        "                                                            \n"
        " layer_normalization (Lay  (None, 98, 32)          64       \n"
        " erNormalization)                                           \n"
        "                                                            \n"
        " global_max_pooling1d (Gl  (None, 32)              0        \n"
        " obalMaxPooling1D)                                          \n"
        "                                                            \n"
        " dense_1 (Dense)           (None, 1)               33       \n"
        "                                                            \n"
        "============================================================\n"
        "____________________________________________________________"
    ),
    "functional": (
        'Model: "model"\n'
        "__________________________________________________________________________________________________\n"
        " Layer (type)                Output Shape                 Param #   Connected to                  \n"
        "==================================================================================================\n"
        " image_input (InputLayer)    [(None, 32, 32, 3)]          0         []                            \n"
        "                                                                                                  \n"
        " conv2d_2 (Conv2D)           (None, 30, 30, 8)            224       ['image_input[0][0]']         \n"
        "                                                                                                  \n"
        " batch_normalization_1 (Bat  (None, 30, 30, 8)            32        ['conv2d_2[0][0]']            \n"
        " chNormalization)                                                                                 \n"
        "                                                                                                  \n"
        " meta_input (InputLayer)     [(None, 16)]                 0         []                            \n"
        "                                                                                                  \n"
        " global_average_pooling2d_1  (None, 8)                    0         ['batch_normalization_1[0][0]'\n"
        "  (GlobalAveragePooling2D)                                          ]                             \n"
        "                                                                                                  \n"
        " dense_2 (Dense)             (None, 8)                    136       ['meta_input[0][0]']          \n"
        "                                                                                                  \n"
        " dense_3 (Dense)             (None, 8)                    136       ['meta_input[0][0]']          \n"
        "                                                                                                  \n"
        " add (Add)                   (None, 8)                    0         ['global_average_pooling2d_1[0\n"
        "                                                                    ][0]',                        \n"
        "                                                                     'dense_2[0][0]',             \n"
        "                                                                     'dense_3[0][0]']             \n"
        "                                                                                                  \n"
        " concatenate (Concatenate)   (None, 32)                   0         ['add[0][0]',                 \n"
        "                                                                     'global_average_pooling2d_1[0\n"
        "                                                                    ][0]',                        \n"
        "                                                                     'dense_2[0][0]',             \n"
        "                                                                     'dense_3[0][0]']             \n"
        "                                                                                                  \n"
        " dense_4 (Dense)             (None, 1)                    33        ['concatenate[0][0]']         \n"
        "                                                                                                  \n"
        "==================================================================================================\n"
        "__________________________________________________________________________________________________"
    ),
    "functional_120": (
        'Model: "model"\n'
        "________________________________________________________________________________________________________________________\n"
        " Layer (type)                       Output Shape                        Param #     Connected to                        \n"
        "========================================================================================================================\n"
        " image_input (InputLayer)           [(None, 32, 32, 3)]                 0           []                                  \n"
        "                                                                                                                        \n"
        " conv2d_2 (Conv2D)                  (None, 30, 30, 8)                   224         ['image_input[0][0]']               \n"
        "                                                                                                                        \n"
        " batch_normalization_1 (BatchNorma  (None, 30, 30, 8)                   32          ['conv2d_2[0][0]']                  \n"
        " lization)                                                                                                              \n"
        "                                                                                                                        \n"
        " meta_input (InputLayer)            [(None, 16)]                        0           []                                  \n"
        "                                                                                                                        \n"
        " global_average_pooling2d_1 (Globa  (None, 8)                           0           ['batch_normalization_1[0][0]']     \n"
        " lAveragePooling2D)                                                                                                     \n"
        "                                                                                                                        \n"
        " dense_2 (Dense)                    (None, 8)                           136         ['meta_input[0][0]']                \n"
        "                                                                                                                        \n"
        " dense_3 (Dense)                    (None, 8)                           136         ['meta_input[0][0]']                \n"
        "                                                                                                                        \n"
        " add (Add)                          (None, 8)                           0           ['global_average_pooling2d_1[0][0]',\n"
        "                                                                                     'dense_2[0][0]',                   \n"
        "                                                                                     'dense_3[0][0]']                   \n"
        "                                                                                                                        \n"
        " concatenate (Concatenate)          (None, 32)                          0           ['add[0][0]',                       \n"
        "                                                                                     'global_average_pooling2d_1[0][0]',\n"
        "                                                                                     'dense_2[0][0]',                   \n"
        "                                                                                     'dense_3[0][0]']                   \n"
        "                                                                                                                        \n"
        " dense_4 (Dense)                    (None, 1)                           33          ['concatenate[0][0]']               \n"
        "                                                                                                                        \n"
        "========================================================================================================================\n"
        "________________________________________________________________________________________________________________________"
    ),
    "functional_positions": (
        'Model: "model"\n'
        "__________________________________________________________________________________________________\n"
        " Layer (type)                          Output Shape            Param #   Connected to             \n"
        "==================================================================================================\n"
        " image_input (InputLayer)              [(None, 32, 32, 3)]     0         []                       \n"
        "                                                                                                  \n"
        " conv2d_2 (Conv2D)                     (None, 30, 30, 8)       224       ['image_input[0][0]']    \n"
        "                                                                                                  \n"
        " batch_normalization_1 (BatchNormaliz  (None, 30, 30, 8)       32        ['conv2d_2[0][0]']       \n"
        " ation)                                                                                           \n"
        "                                                                                                  \n"
        " meta_input (InputLayer)               [(None, 16)]            0         []                       \n"
        "                                                                                                  \n"
        " global_average_pooling2d_1 (GlobalAv  (None, 8)               0         ['batch_normalization_1[0\n"
        " eragePooling2D)                                                         ][0]']                   \n"
        "                                                                                                  \n"
        " dense_2 (Dense)                       (None, 8)               136       ['meta_input[0][0]']     \n"
        "                                                                                                  \n"
        " dense_3 (Dense)                       (None, 8)               136       ['meta_input[0][0]']     \n"
        "                                                                                                  \n"
        " add (Add)                             (None, 8)               0         ['global_average_pooling2\n"
        "                                                                         d_1[0][0]',              \n"
        "                                                                          'dense_2[0][0]',        \n"
        "                                                                          'dense_3[0][0]']        \n"
        "                                                                                                  \n"
        " concatenate (Concatenate)             (None, 32)              0         ['add[0][0]',            \n"
        "                                                                          'global_average_pooling2\n"
        "                                                                         d_1[0][0]',              \n"
        "                                                                          'dense_2[0][0]',        \n"
        "                                                                          'dense_3[0][0]']        \n"
        "                                                                                                  \n"
        " dense_4 (Dense)                       (None, 1)               33        ['concatenate[0][0]']    \n"
        "                                                                                                  \n"
        "==================================================================================================\n"
        "__________________________________________________________________________________________________"
    ),
    "functional_trainable": (
        'Model: "model"\n'
        "_____________________________________________________________________________________________________________\n"
        " Layer (type)                Output Shape                 Param #   Connected to                  Trainable  \n"
        "=============================================================================================================\n"
        " image_input (InputLayer)    [(None, 32, 32, 3)]          0         []                            Y          \n"
        "                                                                                                             \n"
        " conv2d_2 (Conv2D)           (None, 30, 30, 8)            224       ['image_input[0][0]']         Y          \n"
        "                                                                                                             \n"
        " batch_normalization_1 (Bat  (None, 30, 30, 8)            32        ['conv2d_2[0][0]']            Y          \n"
        " chNormalization)                                                                                            \n"
        "                                                                                                             \n"
        " meta_input (InputLayer)     [(None, 16)]                 0         []                            Y          \n"
        "                                                                                                             \n"
        " global_average_pooling2d_1  (None, 8)                    0         ['batch_normalization_1[0][   Y          \n"
        "  (GlobalAveragePooling2D)                                          0]']                                     \n"
        "                                                                                                             \n"
        " dense_2 (Dense)             (None, 8)                    136       ['meta_input[0][0]']          Y          \n"
        "                                                                                                             \n"
        " dense_3 (Dense)             (None, 8)                    136       ['meta_input[0][0]']          Y          \n"
        "                                                                                                             \n"
        " add (Add)                   (None, 8)                    0         ['global_average_pooling2d_   Y          \n"
        "                                                                    1[0][0]',                                \n"
        "                                                                     'dense_2[0][0]',                        \n"
        "                                                                     'dense_3[0][0]']                        \n"
        "                                                                                                             \n"
        " concatenate (Concatenate)   (None, 32)                   0         ['add[0][0]',                 Y          \n"
        "                                                                     'global_average_pooling2d_              \n"
        "                                                                    1[0][0]',                                \n"
        "                                                                     'dense_2[0][0]',                        \n"
        "                                                                     'dense_3[0][0]']                        \n"
        "                                                                                                             \n"
        " dense_4 (Dense)             (None, 1)                    33        ['concatenate[0][0]']         Y          \n"
        "                                                                                                             \n"
        "=============================================================================================================\n"
        "_____________________________________________________________________________________________________________"
    ),
    "chain": (
        'Model: "model_1"\n'
        "_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   \n"
        "=================================================================\n"
        " input_1 (InputLayer)        [(None, 28, 28, 1)]       0         \n"
        "                                                                 \n"
        " conv2d_3 (Conv2D)           (None, 26, 26, 4)         40        \n"
        "                                                                 \n"
        " max_pooling2d_1 (MaxPoolin  (None, 13, 13, 4)         0         \n"
        " g2D)                                                            \n"
        "                                                                 \n"
        " flatten (Flatten)           (None, 676)               0         \n"
        "                                                                 \n"
        " dense_5 (Dense)             (None, 10)                6770      \n"
        "                                                                 \n"
        "=================================================================\n"
        "_________________________________________________________________"
    ),
    "nested": (
        'Model: "model_2"\n'
        "__________________________________________________________________________________________________\n"
        " Layer (type)                Output Shape                 Param #   Connected to                  \n"
        "==================================================================================================\n"
        " input_2 (InputLayer)        [(None, 4)]                  0         []                            \n"
        "                                                                                                  \n"
        " input_3 (InputLayer)        [(None, 4)]                  0         []                            \n"
        "                                                                                                  \n"
        " sequential_2 (Sequential)   (None, 4)                    108       ['input_2[0][0]']             \n"
        "                                                                                                  \n"
        " dense_8 (Dense)             (None, 4)                    20        ['input_3[0][0]']             \n"
        "                                                                                                  \n"
        " concatenate_1 (Concatenate  (None, 8)                    0         ['sequential_2[0][0]',        \n"
        " )                                                                   'dense_8[0][0]']             \n"
        "                                                                                                  \n"
        " dense_9 (Dense)             (None, 1)                    9         ['concatenate_1[0][0]']       \n"
        "                                                                                                  \n"
        "==================================================================================================\n"
        "__________________________________________________________________________________________________"
    ),
    "nested_expand": (
        'Model: "model_2"\n'
        "__________________________________________________________________________________________________\n"
        " Layer (type)                Output Shape                 Param #   Connected to                  \n"
        "==================================================================================================\n"
        " input_2 (InputLayer)        [(None, 4)]                  0         []                            \n"
        "                                                                                                  \n"
        " input_3 (InputLayer)        [(None, 4)]                  0         []                            \n"
        "                                                                                                  \n"
        " sequential_2 (Sequential)   (None, 4)                    108       ['input_2[0][0]']             \n"
        "|¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯|\n"
        "| dense_6 (Dense)            (None, 8)                    40        []                           |\n"
        "|                                                                                                |\n"
        "| batch_normalization_2 (Ba  (None, 8)                    32        []                           |\n"
        "| tchNormalization)                                                                              |\n"
        "|                                                                                                |\n"
        "| dense_7 (Dense)            (None, 4)                    36        []                           |\n"
        "¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯\n"
        " dense_8 (Dense)             (None, 4)                    20        ['input_3[0][0]']             \n"
        "                                                                                                  \n"
        " concatenate_1 (Concatenate  (None, 8)                    0         ['sequential_2[0][0]',        \n"
        " )                                                                   'dense_8[0][0]']             \n"
        "                                                                                                  \n"
        " dense_9 (Dense)             (None, 1)                    9         ['concatenate_1[0][0]']       \n"
        "                                                                                                  \n"
        "==================================================================================================\n"
        "__________________________________________________________________________________________________"
    ),
    "nested_expand_trainable": (
        'Model: "model_2"\n'
        "_____________________________________________________________________________________________________________\n"
        " Layer (type)                Output Shape                 Param #   Connected to                  Trainable  \n"
        "=============================================================================================================\n"
        " input_2 (InputLayer)        [(None, 4)]                  0         []                            Y          \n"
        "                                                                                                             \n"
        " input_3 (InputLayer)        [(None, 4)]                  0         []                            Y          \n"
        "                                                                                                             \n"
        " sequential_2 (Sequential)   (None, 4)                    108       ['input_2[0][0]']             Y          \n"
        "|¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯|\n"
        "| dense_6 (Dense)            (None, 8)                    40        []                            Y         |\n"
        "|                                                                                                           |\n"
        "| batch_normalization_2 (Ba  (None, 8)                    32        []                            Y         |\n"
        "| tchNormalization)                                                                                         |\n"
        "|                                                                                                           |\n"
        "| dense_7 (Dense)            (None, 4)                    36        []                            Y         |\n"
        "¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯\n"
        " dense_8 (Dense)             (None, 4)                    20        ['input_3[0][0]']             Y          \n"
        "                                                                                                             \n"
        " concatenate_1 (Concatenate  (None, 8)                    0         ['sequential_2[0][0]',        Y          \n"
        " )                                                                   'dense_8[0][0]']                        \n"
        "                                                                                                             \n"
        " dense_9 (Dense)             (None, 1)                    9         ['concatenate_1[0][0]']       Y          \n"
        "                                                                                                             \n"
        "=============================================================================================================\n"
        "_____________________________________________________________________________________________________________"
    ),
    "nested_seq": (
        'Model: "sequential_4"\n'
        "_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   \n"
        "=================================================================\n"
        " sequential_3 (Sequential)   (None, 8)                 40        \n"
        "                                                                 \n"
        " dense_11 (Dense)            (None, 2)                 18        \n"
        "                                                                 \n"
        "=================================================================\n"
        "_________________________________________________________________"
    ),
    "nested_seq_expand": (
        'Model: "sequential_4"\n'
        "____________________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   Trainable  \n"
        "============================================================================\n"
        " sequential_3 (Sequential)   (None, 8)                 40        Y          \n"
        "|¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯|\n"
        "| dense_10 (Dense)           (None, 8)                 40        N         |\n"
        "|                                                                          |\n"
        "| dropout_1 (Dropout)        (None, 8)                 0         Y         |\n"
        "¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯\n"
        " dense_11 (Dense)            (None, 2)                 18        Y          \n"
        "                                                                            \n"
        "============================================================================\n"
        "____________________________________________________________________________"
    ),
    "cnn_range": (
        'Model: "sequential"\n'
        "_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   \n"
        "=================================================================\n"
        " max_pooling2d (MaxPooling2  (None, 64, 64, 16)        0         \n"
        " D)                                                              \n"
        "                                                                 \n"
        " batch_normalization (Batch  (None, 64, 64, 16)        64        \n"
        " Normalization)                                                  \n"
        "                                                                 \n"
        " conv2d_1 (Conv2D)           (None, 62, 62, 32)        4640      \n"
        "                                                                 \n"
        "=================================================================\n"
        "_________________________________________________________________"
    ),
    "cnn_range_reversed": (
        'Model: "sequential"\n'
        "_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   \n"
        "=================================================================\n"
        " conv2d (Conv2D)             (None, 128, 128, 16)      448       \n"
        "                                                                 \n"
        " max_pooling2d (MaxPooling2  (None, 64, 64, 16)        0         \n"
        " D)                                                              \n"
        "                                                                 \n"
        " batch_normalization (Batch  (None, 64, 64, 16)        64        \n"
        " Normalization)                                                  \n"
        "                                                                 \n"
        " conv2d_1 (Conv2D)           (None, 62, 62, 32)        4640      \n"
        "                                                                 \n"
        " average_pooling2d (Average  (None, 31, 31, 32)        0         \n"
        " Pooling2D)                                                      \n"
        "                                                                 \n"
        " global_average_pooling2d (  (None, 32)                0         \n"
        " GlobalAveragePooling2D)                                         \n"
        "                                                                 \n"
        "=================================================================\n"
        "_________________________________________________________________"
    ),
    "functional_range": (
        'Model: "model"\n'
        "__________________________________________________________________________________________________\n"
        " Layer (type)                Output Shape                 Param #   Connected to                  \n"
        "==================================================================================================\n"
        " dense_2 (Dense)             (None, 8)                    136       ['meta_input[0][0]']          \n"
        "                                                                                                  \n"
        " dense_3 (Dense)             (None, 8)                    136       ['meta_input[0][0]']          \n"
        "                                                                                                  \n"
        " add (Add)                   (None, 8)                    0         ['global_average_pooling2d_1[0\n"
        "                                                                    ][0]',                        \n"
        "                                                                     'dense_2[0][0]',             \n"
        "                                                                     'dense_3[0][0]']             \n"
        "                                                                                                  \n"
        "==================================================================================================\n"
        "__________________________________________________________________________________________________"
    ),
    "sub": (
        'Model: "net"\n'
        "_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   \n"
        "=================================================================\n"
        " conv2d_9 (Conv2D)           multiple                  112       \n"
        "                                                                 \n"
        " global_average_pooling2d_9  multiple                  0         \n"
        "  (GlobalAveragePooling2D)                                       \n"
        "                                                                 \n"
        " unused_dense (Dense)        multiple                  0 (unused)\n"
        "                                                                 \n"
        " dense_99 (Dense)            multiple                  10        \n"
        "                                                                 \n"
        "=================================================================\n"
        "_________________________________________________________________"
    ),
    "siamese": (
        'Model: "siamese"\n'
        "__________________________________________________________________________________________________\n"
        " Layer (type)                Output Shape                 Param #   Connected to                  \n"
        "==================================================================================================\n"
        " left (InputLayer)           [(None, 6)]                  0         []                            \n"
        "                                                                                                  \n"
        " right (InputLayer)          [(None, 6)]                  0         []                            \n"
        "                                                                                                  \n"
        " shared_dense (Dense)        (None, 4)                    28        ['left[0][0]',                \n"
        "                                                                     'right[0][0]']               \n"
        "                                                                                                  \n"
        " concatenate_5 (Concatenate  (None, 8)                    0         ['shared_dense[0][0]',        \n"
        " )                                                                   'shared_dense[1][0]']        \n"
        "                                                                                                  \n"
        " head (Dense)                (None, 1)                    9         ['concatenate_5[0][0]']       \n"
        "                                                                                                  \n"
        "==================================================================================================\n"
        "__________________________________________________________________________________________________"
    ),
}


def _built_text_model():
    model = text_model()
    model.build((None, 200))
    return model


class Net(keras.Model):
    """A subclassed model: its rows show ``multiple`` and an uncalled layer ``0 (unused)``."""

    def __init__(self):
        super().__init__(name="net")
        self.conv = L.Conv2D(4, 3, name="conv2d_9")
        self.pool = L.GlobalAveragePooling2D(name="global_average_pooling2d_9")
        self.unused = L.Dense(3, name="unused_dense")
        self.out = L.Dense(2, name="dense_99")

    def call(self, x):
        return self.out(self.pool(self.conv(x)))


def subclassed():
    net = Net()
    net(np.zeros((1, 8, 8, 3), "float32"))
    return net


def siamese():
    a, b = keras.Input((6,), name="left"), keras.Input((6,), name="right")
    shared = L.Dense(4, name="shared_dense")
    joined = L.Concatenate(name="concatenate_5")([shared(a), shared(b)])
    return keras.Model([a, b], L.Dense(1, name="head")(joined), name="siamese")


CASES = {
    "cnn": (cnn, {}),
    "cnn_80": (cnn, {"line_length": 80}),
    "cnn_50": (cnn, {"line_length": 50}),
    "cnn_positions": (cnn, {"positions": [0.5, 0.8, 1.0]}),
    "cnn_abs_positions": (cnn, {"line_length": 70, "positions": [30, 55, 70]}),
    "cnn_trainable": (cnn, {"show_trainable": True}),
    "text": (_built_text_model, {}),
    "text_60": (_built_text_model, {"line_length": 60}),
    "functional": (functional, {}),
    "functional_120": (functional, {"line_length": 120}),
    "functional_positions": (functional, {"positions": [0.4, 0.65, 0.75, 1.0]}),
    "functional_trainable": (functional, {"show_trainable": True}),
    "chain": (chain_functional, {}),
    "nested": (lambda: nested()[0], {}),
    "nested_expand": (lambda: nested()[0], {"expand_nested": True}),
    "nested_expand_trainable": (
        lambda: nested()[0],
        {"expand_nested": True, "show_trainable": True},
    ),
    "nested_seq": (nested_seq, {}),
    "nested_seq_expand": (nested_seq, {"expand_nested": True, "show_trainable": True}),
    "cnn_range": (cnn, {"layer_range": ["max", "conv2d_1"]}),
    "cnn_range_reversed": (cnn, {"layer_range": ["glob", "conv"]}),
    "functional_range": (functional, {"layer_range": ["dense_2", "add"]}),
    "sub": (subclassed, {}),
    "siamese": (siamese, {}),
}


def _lines(model, **kwargs) -> list[str]:
    lines: list[str] = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def _table(lines: list[str]) -> str:
    totals = ("Total params", "Trainable params", "Non-trainable params")
    return "\n".join(line for line in lines if not line.startswith(totals))


@pytest.mark.parametrize("case", sorted(CASES))
def test_summary_table_is_tf_keras_2_21s(case):
    build, kwargs = CASES[case]
    assert _table(_lines(build(), **kwargs)) == EXPECTED[case]


def test_every_reference_is_checked():
    assert set(CASES) == set(EXPECTED)


def test_totals_keep_thousands_separators():
    lines = _lines(cnn())
    assert lines[-4:] == [
        "Total params: 5,482",
        "Trainable params: 5,450",
        "Non-trainable params: 32",
        "_" * 65,
    ]


def test_a_chain_with_two_outputs_is_printed_without_connections():
    # tf.keras calls a graph "sequential-like" when every depth holds one node: a chain whose
    # middle layer is also an output still gets the three-column table.
    inp = keras.Input((3,), name="x")
    mid = L.Dense(2, name="mid")(inp)
    out = L.Dense(1, name="last")(mid)
    lines = _lines(keras.Model(inp, [mid, out], name="two_heads"))
    assert lines[2] == " Layer (type)                Output Shape              Param #   "
    assert " mid (Dense)                 (None, 2)                 8         " in lines


def test_keras22_style_keeps_its_cut_columns():
    # Keras 2.2 cut a long field at its column instead of wrapping it, at 33/55/67 % of 98.
    with output_style.output_style("keras2.2"):
        lines = _lines(cnn())
        wide = _lines(functional())
    assert lines[3] == "conv2d (Conv2D)              (None, 128, 128, 16)      448       "
    assert lines[4] == "_" * 65
    assert "max_pooling2d (MaxPooling2D) (None, 64, 64, 16)        0         " in lines
    assert "global_average_pooling2d (Gl (None, 32)                0         " in lines
    assert wide[1].startswith("Layer (type)                    Output Shape         Param #")


def test_layer_range_errors():
    with pytest.raises(ValueError, match=r"do not match the layer names.*\['nope', 'dense'\]"):
        cnn().summary(layer_range=["nope", "dense"])
    with pytest.raises(ValueError, match="length 2"):
        cnn().summary(layer_range=["dense"])
