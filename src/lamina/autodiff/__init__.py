"""Tensors, variables and reverse-mode automatic differentiation."""

from lamina.autodiff.tape import GradientTape, is_recording, record
from lamina.autodiff.tensor import Tensor, TensorShape
from lamina.autodiff.variable import Variable

__all__ = ["Tensor", "TensorShape", "Variable", "GradientTape", "record", "is_recording"]
