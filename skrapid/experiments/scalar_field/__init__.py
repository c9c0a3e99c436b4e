"""Aarts, Lucini & Park, "Scalar field restricted Boltzmann machine as an
ultraviolet regulator", Phys. Rev. D 109, 034521 (2024): each module holds
the experiments of a group of figures, their reproductions (``skrapid
reproduce sfrbm-*``), figures and comparisons with the paper.

* :mod:`.flow`: Sec. IV, the two-node learning flow (Fig. 2) and exact
  initializations under training (Figs. 3-4).
* :mod:`.lattice`: Sec. V, free lattice fields (Figs. 5-7, 9-12, 18).
* :mod:`.mnist_kl`: Sec. VI, MNIST's two-point spectrum and the best RBM
  under the cutoff vs N_h (Figs. 13, 17).
* :mod:`.mnist_training`: Sec. VI, training the spectrum on MNIST and
  regenerated images (Figs. 14-16).
"""

from .flow import exact_init_stability, two_node_flow
from .lattice import lattice_spectrum
from .mnist_kl import mnist_correlation_spectrum, mnist_gaussian_kl
from .mnist_training import mnist_regeneration, mnist_spectrum_training

__all__ = [
    "exact_init_stability",
    "lattice_spectrum",
    "mnist_correlation_spectrum",
    "mnist_gaussian_kl",
    "mnist_regeneration",
    "mnist_spectrum_training",
    "two_node_flow",
]
