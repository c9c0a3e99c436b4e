"""Pozas-Kerstjens et al., "Efficient training of energy-based models via
spin-glass control", Mach. Learn.: Sci. Technol. 2, 025026 (2021): each
module holds the experiments of one figure or section, their reproductions
(``skrapid reproduce rapid-*``), figures and comparisons with the paper.

* :mod:`.accessibility`: Fig. 1, untrained models against the weights' scale.
* :mod:`.bars`: Sec. 5.1, Figs. 2-4, the 4x4 bars with four methods.
* :mod:`.bas`: Fig. 5, 12x12 bars and stripes.
* :mod:`.mnist`: Sec. 5.2, the MNIST estimators, data and probe.
* :mod:`.mnist_nll`: Figs. 6-7, NLL by AIS vs epoch, samples and patterns.
"""

from .accessibility import accessibility_vs_scale, random_weights
from .bars import BARS_METHODS, bars_4x4_estimator, bars_4x4_hamming
from .bas import bas_clamp_mask, bas_hamming
from .mnist import MNIST_METHODS, load_binarized_mnist, mnist_estimator, mnist_probe
from .mnist_nll import mnist_nll_curve

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
