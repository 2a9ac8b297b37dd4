"""``lamina.keras`` is lamina itself; importing it makes ``lamina.keras.X`` module paths work.

``from lamina.keras.layers import Dense`` and ``import lamina.keras.optimizers`` resolve to
lamina's own modules (Keras 2 paths such as ``lamina.keras.engine.sequential`` too), the way
``tensorflow.keras`` paths do in TensorFlow.
"""

import sys

import lamina
from lamina.compat.hook import install_lamina_keras_paths

install_lamina_keras_paths()
sys.modules[__name__] = lamina
