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

import importlib

__version__ = "0.1.0.dev0"

# The public names load on first use (PEP 562): ``import skrapid`` and the
# ``skrapid`` command start without NumPy, SciPy and scikit-learn, so a Ctrl-C
# while they load is handled by the command (exit 130), not a traceback.
_LAZY = {
    "BinaryRBM": "._binary",
    "GaussianRBM": "._gaussian",
    "InconsistentVersionWarning": "._base",
    "KernelNotPositiveDefiniteError": "._gaussian",
    "LogZEstimate": "._diagnostics",
    "RARBM": "._rapid",
    "RBM": "._rbm",
    "SpinGlassWarning": "._rapid",
    "TrainingDivergedError": "._base",
    "UnreliableEstimateWarning": "._diagnostics",
    "to_numpy": "._persistence",
}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'skrapid' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


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
    "to_numpy",
]
