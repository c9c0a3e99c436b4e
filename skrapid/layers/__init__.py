"""Layers of units, for :class:`skrapid.RBM` and inside every estimator.

Each layer type defines its energy, its cumulant generating function
(``log_partition``: the layer summed out), the conditional mean, variance
and sampler given its input, and the moments of its own parameters; the
training, exact enumeration, AIS, parallel tempering and scoring are written
once, for any pair of layers.

==============  ===================  =====================================
layer           states               learnt parameters (besides the bias)
==============  ===================  =====================================
:class:`Bernoulli`  {0, 1}           --
:class:`Spin`       {-1, +1}         --
:class:`Potts`      q categories     -- (zero-sum gauge on the couplings)
:class:`Gaussian`   real             precision (learnt, or fixed)
:class:`ReLU`       real ≥ 0         curvature γ (hidden only)
:class:`dReLU`      real             γ₊, γ₋, threshold δ (hidden only)
:class:`Phi4`       real             μ², quartic λ (local φ⁴ potential)
==============  ===================  =====================================

Give :class:`~skrapid.RBM` a layer by name (``"potts"``) or as an object
(``Potts(n_states=4)``) for its options.
"""

from ._base import Layer
from ._bernoulli import Bernoulli
from ._drelu import dReLU
from ._gaussian import Gaussian
from ._phi4 import Phi4
from ._potts import Potts
from ._relu import ReLU
from ._spin import Spin

#: Layer names accepted by :class:`~skrapid.RBM`.
LAYERS = {
    "bernoulli": Bernoulli,
    "spin": Spin,
    "potts": Potts,
    "gaussian": Gaussian,
    "relu": ReLU,
    "drelu": dReLU,
    "phi4": Phi4,
}


def get_layer(spec):
    """A layer object from a name of :data:`LAYERS` or a :class:`Layer`."""
    if isinstance(spec, Layer):
        return spec
    if isinstance(spec, str) and spec in LAYERS:
        return LAYERS[spec]()
    raise ValueError(
        f"a layer is one of {sorted(LAYERS)} or a skrapid.layers.Layer object; "
        f"got {spec!r}."
    )


__all__ = [
    "Bernoulli",
    "Gaussian",
    "LAYERS",
    "Layer",
    "Potts",
    "ReLU",
    "Spin",
    "dReLU",
    "get_layer",
]
