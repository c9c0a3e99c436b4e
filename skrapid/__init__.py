"""skrapid: scikit-learn compatible restricted Boltzmann machines.

Estimators
----------
BinaryRBM
    The standard RBM with {0,1} or ±1 units, trained by CD-k, PCD or exact
    gradients, scored by exact or AIS log-likelihood.
RARBM
    The RAPID model: weights built from K trainable patterns, trained with the
    pattern-induced negative phase.
RBM
    Any pair of layers of :mod:`skrapid.layers` (Bernoulli, spin, Potts,
    Gaussian, ReLU, dReLU).
GaussianRBM
    The scalar-field RBM (Gaussian visible fields with mass mu2; Gaussian or
    binary hidden units), with closed-form likelihood in the Gaussian case.
"""

from ._base import InconsistentVersionWarning, TrainingDivergedError
from ._binary import BinaryRBM
from ._diagnostics import LogZEstimate, UnreliableEstimateWarning
from ._gaussian import GaussianRBM, KernelNotPositiveDefiniteError
from ._rapid import RARBM, SpinGlassWarning
from ._rbm import RBM

__version__ = "0.1.0.dev0"

__all__ = [
    "BinaryRBM",
    "GaussianRBM",
    "InconsistentVersionWarning",
    "KernelNotPositiveDefiniteError",
    "LogZEstimate",
    "RARBM",
    "RBM",
    "SpinGlassWarning",
    "TrainingDivergedError",
    "UnreliableEstimateWarning",
    "__version__",
]
