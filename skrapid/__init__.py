"""skrapid: scikit-learn compatible restricted Boltzmann machines.

Estimators
----------
BinaryRBM
    The standard RBM with {0,1} or ±1 units, trained by CD-k, PCD or exact
    gradients, scored by exact or AIS log-likelihood.
"""

from ._base import TrainingDivergedError
from ._binary import BinaryRBM
from ._rapid import RARBM, SpinGlassWarning

__version__ = "0.1.0.dev0"

__all__ = [
    "BinaryRBM",
    "RARBM",
    "SpinGlassWarning",
    "TrainingDivergedError",
    "__version__",
]
