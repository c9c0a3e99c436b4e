"""Pozas-Kerstjens et al., "Efficient training of energy-based models via
spin-glass control", Mach. Learn.: Sci. Technol. 2, 025026 (2021): each
module holds the experiments of one figure or section, their reproductions
(``skrapid reproduce rapid-*``), figures and comparisons with the paper.

* :mod:`.accessibility`: Fig. 1, untrained models against the weights' scale.
* :mod:`.bars`: Sec. 5.1, Figs. 2-4, the 4x4 bars with four methods.
* :mod:`.bas`: Fig. 5, 12x12 bars and stripes.
* :mod:`.mnist`: Sec. 5.2, the MNIST estimators, data and probe.
* :mod:`.mnist_nll`: Figs. 6-7, NLL by AIS vs epoch, samples and patterns.
* :mod:`.mnist_runs`: Figs. 6-7 run by run (the paper's units, the
  authors' notebook, the library's {0, 1} variant), with proven bounds.
* :mod:`.ais_units`: what an AIS run as if spins were {0, 1} reports.
"""

from .accessibility import accessibility_vs_scale, random_weights
from .bars import BARS_METHODS, bars_4x4_estimator, bars_4x4_hamming
from .bas import bas_clamp_mask, bas_hamming
from .mnist import MNIST_METHODS, load_binarized_mnist, mnist_estimator, mnist_probe
from .mnist_nll import mnist_nll_curve
from .mnist_runs import mnist_run  # noqa: F401  (registers rapid-fig6-runs)

__all__ = [
    "BARS_METHODS",
    "MNIST_METHODS",
    "accessibility_vs_scale",
    "bars_4x4_estimator",
    "bars_4x4_hamming",
    "bas_clamp_mask",
    "bas_hamming",
    "load_binarized_mnist",
    "mnist_estimator",
    "mnist_nll_curve",
    "mnist_probe",
    "random_weights",
]
