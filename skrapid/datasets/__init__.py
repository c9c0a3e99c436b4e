"""Data sets and data preparation for restricted Boltzmann machines.

This module provides

- :func:`load_digits_nudged`: scikit-learn's 8x8 digits enlarged five times
  with one-pixel shifts, as in scikit-learn's example "Restricted Boltzmann
  Machine features for digit classification";
- :func:`binarize`: deterministic or stochastic binarization of data in
  ``[0, 1]`` to ``{0, 1}`` (Bernoulli units) or ``{-1, +1}`` (spin units);
- :func:`load_mnist`: the original MNIST and Larochelle's fixed binarized
  MNIST read from local files;
- :func:`make_mnist_like`: a small MNIST-shaped binary data set built from
  scikit-learn's embedded digits, for tests and quick experiments that must
  not depend on the MNIST files;
- :func:`make_bars`, :func:`bars_4x4_split` and :func:`make_bars_and_stripes`:
  the synthetic bars (and stripes) images of the RAPID paper;
- :func:`lattice_kernel`, :func:`lattice_eigenvalues` and
  :func:`sample_gaussian_field`: free scalar fields on periodic 1D and 2D
  lattices, the targets of the scalar-field RBM paper;
- :func:`phi4_configurations` and :func:`phi4_action`: interacting φ⁴
  fields by Hybrid Monte Carlo.

Where they live (private modules; import from ``skrapid.datasets``):
``_toy`` holds the nudged digits, :func:`binarize` and the bars;
``_mnist`` the MNIST file readers, :func:`load_mnist`, the data folder
(``DATA_ENV_VAR``) and :func:`make_mnist_like`; ``_lattice`` the scalar
fields.
"""

from ._lattice import lattice_eigenvalues, lattice_kernel, sample_gaussian_field
from ._mnist import DATA_ENV_VAR as DATA_ENV_VAR  # not in __all__, as before
from ._mnist import load_mnist, make_mnist_like
from ._phi4 import phi4_action, phi4_configurations
from ._toy import (
    bars_4x4_split,
    binarize,
    load_digits_nudged,
    make_bars,
    make_bars_and_stripes,
)

__all__ = [
    "bars_4x4_split",
    "binarize",
    "lattice_eigenvalues",
    "lattice_kernel",
    "load_digits_nudged",
    "load_mnist",
    "make_bars",
    "make_bars_and_stripes",
    "make_mnist_like",
    "phi4_action",
    "phi4_configurations",
    "sample_gaussian_field",
]
