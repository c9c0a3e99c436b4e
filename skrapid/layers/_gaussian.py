"""Gaussian units: real-valued, with a fixed or a learnt precision."""

from __future__ import annotations

import math

import numpy as np

from .._backend import to_numpy
from ._base import Layer

#: Smallest data variance the initial precision is taken from (a constant
#: feature would otherwise give an infinite precision).
_MIN_VARIANCE = 1e-4


class Gaussian(Layer):
    """Real-valued units with precision p: P(s | x) ∝ exp(-p s²/2 + s x).

    E[s | x] = x / p, Var[s | x] = 1 / p, and
    A(x) = log ∫ exp(-p s²/2 + s x) ds = x² / (2p) + ½ log(2π / p).

    With ``precision=None`` (the default of a layer given to
    :class:`~skrapid.RBM`) the precision is learnt, one per unit, as its
    logarithm ``log_precision`` (so it stays positive); with the linear bias
    b of the estimator the visible layer is then the machine-learning
    Gaussian–Bernoulli RBM with learnt means and variances: given h, v_i is
    normal with mean (b + W h)_i / p_i and variance 1 / p_i.  A fixed
    precision (a scalar or one value per unit) is the visible mass μ² of the
    scalar-field :class:`~skrapid.GaussianRBM`, or 1/σ_h² on its hidden layer.

    Parameters
    ----------
    precision : float, array or None, default=None
        Fixed precision, or None to learn it.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.layers import Gaussian
    >>> g = Gaussian(precision=4.0)
    >>> float(g.mean(np, np.array([2.0]))[0]), float(g.var(np, np.array([2.0]))[0])
    (0.5, 0.25)
    """

    name = "gaussian"
    low, high = -np.inf, np.inf
    discrete = False
    symmetric = True

    def __init__(self, precision=None):
        self.precision = precision

    @property
    def _options(self):
        return () if self.precision is None else ("precision",)

    def __eq__(self, other):
        if type(other) is not type(self):
            return False
        a, b = self.precision, other.precision
        if a is None or b is None:
            return a is b
        return bool(np.array_equal(to_numpy(a), to_numpy(b)))

    def __hash__(self):
        return hash(type(self).__name__)

    @property
    def param_names(self):
        return ("log_precision",) if self._learnt else ()

    @property
    def _learnt(self):
        return self.precision is None or getattr(self, "_learn", False)

    def init_params(self, n_units, xp, dtype, X=None):
        if not self._learnt:
            return {}
        if X is None:
            return {"log_precision": xp.zeros(n_units, dtype=dtype)}
        var = xp.maximum(xp.var(X, axis=0), _MIN_VARIANCE)
        return {"log_precision": (-xp.log(var)).astype(dtype)}

    def bind(self, **params):
        out = super().bind()
        if "log_precision" in params:
            from .._backend import get_namespace

            lp = params["log_precision"]
            out.log_precision = lp
            out.precision = get_namespace(lp).exp(lp)
            out._learn = True
        return out

    def mean(self, xp, field, out=None):
        return xp.divide(field, self.precision, out=out)

    def var(self, xp, field):
        return xp.broadcast_to(1 / self.precision, field.shape)

    def prob_high(self, xp, field, out=None):  # pragma: no cover - not binary
        raise TypeError("Gaussian units have no 'high' state.")

    def sample(self, xp, field, rng, out=None, ws=None):
        return self.sample_given_mean(xp, field / self.precision, rng)

    def sample_given_mean(self, xp, mean, rng, out=None, ws=None):
        out = rng.standard_normal(mean.shape, dtype=mean.dtype)
        out /= xp.sqrt(self.precision)
        out += mean
        return out

    def log_partition(self, xp, field):
        p = self.precision
        return field * field / (2 * p) + 0.5 * xp.log(2 * math.pi / p)

    def log_partition_zero(self, xp, n_units, dtype=np.float64):
        p = np.asarray(to_numpy(self.precision), dtype=np.float64)
        per_unit = 0.5 * np.log(2 * math.pi / p)
        if per_unit.ndim == 0:
            return n_units * float(per_unit)
        return float(np.sum(per_unit))

    def param_moments(self, xp, field):
        if not self._learnt:
            return {}
        # ∂A/∂log p = -(p/2) E[s² | x] = -x²/(2p) - 1/2
        return {"log_precision": -(field * field) / (2 * self.precision) - 0.5}

    def state_moments(self, xp, s):
        if not self._learnt:
            return {}
        return {"log_precision": -0.5 * self.precision * (s * s)}

    def self_energy(self, xp, s):
        return 0.5 * xp.sum(self.precision * (s * s), axis=-1)

    def bias_for_mean(self, mean):
        return np.asarray(mean, dtype=np.float64) * to_numpy(self.precision)

    def from_bits(self, bits, dtype):  # pragma: no cover - not a binary unit
        raise TypeError("Gaussian units have no binary states.")

    def check_values(self, X, *, allow_fractional=True, what="X", reason=None):
        """Every finite real value is a state (finiteness is checked upstream)."""
