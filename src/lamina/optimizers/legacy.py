"""``keras.optimizers.legacy`` (tf.keras 2.11+): the same optimizers, Keras 2 ``decay`` included.

lamina has one implementation of each optimizer, accepting both the Keras 2 arguments
(``lr``, ``decay``) and the Keras 3 ones, so the legacy names are the same classes.
"""

from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.ftrl import Ftrl
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.optimizer import Optimizer
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "Optimizer", "RMSprop", "SGD"]
