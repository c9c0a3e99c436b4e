"""Experiments of the papers, as thin compositions of the estimators.

Each experiment is a function that returns plain numbers (JSON-ready) and
writes nothing but what it is asked to; results are saved per seed as they
complete, so an interrupted run resumes where it stopped.

Only the experiments implemented so far are listed in :data:`EXPERIMENTS`.

One home per paper; each module holds its experiments with their
reproductions (``skrapid reproduce NAME``), figures, comparisons with the
paper and the texts of their ``--quick`` modes and departures:

* :mod:`.rapid.accessibility`: RAPID Fig. 1, untrained models vs weight scale.
* :mod:`.rapid.bars`: RAPID Sec. 5.1, Figs. 2-4, the 4x4 bars, four methods.
* :mod:`.rapid.bas`: RAPID Fig. 5, 12x12 bars and stripes.
* :mod:`.rapid.mnist`: RAPID Sec. 5.2, MNIST estimators, data and probe.
* :mod:`.rapid.mnist_nll`: RAPID Figs. 6-7, MNIST NLL vs epoch, samples.
* :mod:`.scalar_field.flow`: scalar-field Figs. 2-4, learning flows.
* :mod:`.scalar_field.lattice`: scalar-field Figs. 5-7, 9-12, 18, lattices.
* :mod:`.scalar_field.mnist_kl`: scalar-field Figs. 13, 17, MNIST vs N_h.
* :mod:`.scalar_field.mnist_training`: scalar-field Figs. 14-16, MNIST training.
* :mod:`._records`: keyed per-seed records, folder locks, atomic writes,
  per-epoch checkpoints (:func:`run_seeds`).
* :mod:`._registry`: :data:`~skrapid.reproduce.REPRODUCTIONS`,
  :func:`~skrapid.reproduce.reproduce` and the results page.
* :mod:`._plotting`: the figures' shared helpers.
"""

from . import _registry

# __all__, and public besides it: BARS_METHODS, MNIST_METHODS,
# load_binarized_mnist and the record store's run_seeds
from ._records import run_seeds  # noqa: F401
from .rapid import (  # noqa: F401
    BARS_METHODS,
    MNIST_METHODS,
    accessibility_vs_scale,
    bars_4x4_estimator,
    bars_4x4_hamming,
    bas_clamp_mask,
    bas_hamming,
    load_binarized_mnist,
    mnist_estimator,
    mnist_nll_curve,
    mnist_probe,
    random_weights,
)
from .scalar_field import (
    exact_init_stability,
    lattice_spectrum,
    mnist_correlation_spectrum,
    mnist_gaussian_kl,
    mnist_regeneration,
    mnist_spectrum_training,
    two_node_flow,
)

__all__ = [
    "bars_4x4_hamming",
    "bas_clamp_mask",
    "bas_hamming",
    "bars_4x4_estimator",
    "accessibility_vs_scale",
    "exact_init_stability",
    "random_weights",
    "two_node_flow",
    "lattice_spectrum",
    "mnist_correlation_spectrum",
    "mnist_estimator",
    "mnist_nll_curve",
    "mnist_gaussian_kl",
    "mnist_probe",
    "mnist_regeneration",
    "mnist_spectrum_training",
    "EXPERIMENTS",
]

#: The experiments implemented so far, by name.
EXPERIMENTS = {
    "bars4x4": bars_4x4_hamming,
    "bas12x12": bas_hamming,
    "mnist": mnist_probe,
    "lattice": lattice_spectrum,
    "exact_init": exact_init_stability,
    "mnist_gaussian_kl": mnist_gaussian_kl,
}

# both papers have registered their reproductions: list them as before
_registry._put_in_order()
