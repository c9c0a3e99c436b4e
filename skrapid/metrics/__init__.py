"""Evaluation metrics of fitted restricted Boltzmann machines.

The baselines every density model must beat:

- :func:`factorized_log_likelihood`: independent binary units (pixels), the
  model an RBM with W = 0 is;
- :func:`gaussian_log_likelihood`: one full-covariance Gaussian, for real data.

The metrics of the RAPID paper (Pozas-Kerstjens et al. 2021) for judging a
trained model beyond its log-likelihood:

- :func:`reconstruction_hamming`: complete images from a clamped part (App. C);
- :func:`ground_state_energy`: the exact minimum of the energy E(v, h);
- :func:`gibbs_accessibility`: how close short Gibbs chains get to the ground
  state (Sec. 5.1.1);
- :func:`weight_singular_values`: the spectrum of the weight matrix.

and those of the scalar-field RBM paper (Aarts, Lucini & Park 2024):

- :func:`gaussian_kl`: KL divergence between two Gaussian kernels (eq. B7);
- :func:`regulated_spectrum` and :func:`regulated_kl`: the spectrum an RBM
  with mass μ² and N_h hidden nodes can reach, and its KL cost (eq. B8).

They read the fitted attributes ``components_`` (Wᵀ), ``intercept_visible_``
(b), ``intercept_hidden_`` (c) and ``units`` of the estimator, whose energy is
``E(v, h) = -vᵀ W h - bᵀ v - cᵀ h``.  scikit-learn's
:class:`~sklearn.neural_network.BernoulliRBM` is accepted too ({0, 1} units).
All computations are in float64 on the CPU.

The metrics live by paper in private modules: ``_baselines``, ``_rapid_metrics`` and
``_spectral``.
"""

from ._baselines import factorized_log_likelihood, gaussian_log_likelihood
from ._rapid_metrics import MAX_GROUND_STATE_UNITS as MAX_GROUND_STATE_UNITS
from ._rapid_metrics import (
    gibbs_accessibility,
    ground_state_energy,
    method_accessibility,
    reconstruction_hamming,
    weight_singular_values,
)
from ._spectral import gaussian_kl, regulated_kl, regulated_spectrum

__all__ = [
    "factorized_log_likelihood",
    "gaussian_kl",
    "gaussian_log_likelihood",
    "gibbs_accessibility",
    "ground_state_energy",
    "method_accessibility",
    "reconstruction_hamming",
    "regulated_kl",
    "regulated_spectrum",
    "weight_singular_values",
]
