"""ReLU units: a Gaussian truncated to s ≥ 0, with a learnt curvature.

The half-line integrals and truncated-normal moments and samplers here also
serve :mod:`~skrapid.layers._drelu`, whose units are two such halves.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import Layer, _into

_LOG_HALF_PI = 0.5 * math.log(math.pi / 2)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _special(xp):
    """erfcx, erfc, log_ndtr and ndtri_exp for the namespace ``xp``."""
    if xp is np:
        from scipy import special
    elif xp.__name__ == "cupy":
        from cupyx.scipy import special
    else:  # a namespace of the façade, skrapid._xpnp
        special = xp.special
    ndtri_exp = getattr(special, "ndtri_exp", None)
    if ndtri_exp is None:  # pragma: no cover - CuPy without it

        def ndtri_exp(y):
            return special.ndtri(xp.exp(y))

    return special.erfcx, special.erfc, special.log_ndtr, ndtri_exp


def _log_erfcx(xp, x):
    """log erfcx(x) without overflow: log erfcx(x) for x > 0, and
    x² + log erfc(x) (erfc(x) in [1, 2]) for x ≤ 0."""
    erfcx, erfc, _, _ = _special(xp)
    pos = x > 0
    return xp.where(
        pos,
        xp.log(erfcx(xp.where(pos, x, 0.0))),
        x * x + xp.log(erfc(xp.where(pos, 0.0, x))),
    )


def half_log_partition(xp, a, gamma):
    """log ∫₀^∞ exp(-γ t²/2 + a t) dt = ½ log(π/(2γ)) + log erfcx(-a/√(2γ)),
    elementwise, in float64 (finite for every finite a and γ > 0)."""
    return _LOG_HALF_PI - 0.5 * xp.log(gamma) + _log_erfcx(xp, -a / xp.sqrt(2 * gamma))


def half_moments(xp, a, gamma):
    """E[t] and E[t²] of the density ∝ exp(-γ t²/2 + a t) on t ≥ 0 (a normal
    N(a/γ, 1/γ) truncated to t ≥ 0), in float64.

    E[t] = μ + σ λ with λ = √(2/π) / erfcx(-a/√(2γ)) the inverse Mills ratio
    at α = -μ/σ, and E[t²] = σ² + μ E[t]."""
    erfcx = _special(xp)[0]
    sigma = 1 / xp.sqrt(gamma)
    mu = a / gamma
    lam = _SQRT_2_OVER_PI / erfcx(-a / xp.sqrt(2 * gamma))
    m1 = mu + sigma * lam
    m1 = xp.maximum(m1, 0.0)  # rounding in the far tail (μ ≪ 0)
    m2 = sigma * sigma + mu * m1
    return m1, xp.maximum(m2, m1 * m1)


def half_sample(xp, a, gamma, u):
    """Exact draws of t ≥ 0 with density ∝ exp(-γ t²/2 + a t), by the
    inverse CDF of the upper tail in logs: z = -Φ⁻¹(u Φ(-α)) with
    α = -a/√γ, t = (a/γ) + z/√γ; stable from the bulk to the far tail."""
    _, _, log_ndtr, ndtri_exp = _special(xp)
    sq = xp.sqrt(gamma)
    alpha = -a / sq
    z = -ndtri_exp(xp.log(u) + log_ndtr(-alpha))
    return xp.maximum((z - alpha) / sq, 0.0)


def _f64(xp, *arrays):
    return [xp.asarray(a, dtype=xp.float64) for a in arrays]


class ReLU(Layer):
    """ReLU units (Tubiana & Monasson 2017): real s ≥ 0 with the energy
    U(s) = γ s²/2, so that given the input I (including the bias c)
    s is a normal N(I/γ, 1/γ) truncated to s ≥ 0.

    The threshold θ of the papers is the estimator's hidden bias, θ = -c; the
    curvature γ > 0 is learnt per unit, as ``log_gamma``.  The cumulant
    generating function is closed-form and finite for every input,
    A(I) = ½ log(π/(2γ)) + log erfcx(-I/√(2γ)), computed in float64 whatever
    the model's dtype; samples are exact (inverse CDF of the truncated
    normal, in logs).  A hidden layer only.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.layers import ReLU
    >>> relu = ReLU().bind(log_gamma=np.zeros(1))
    >>> round(float(relu.mean(np, np.array([[0.0]]))[0, 0]), 6)  # √(2/π)
    0.797885
    """

    name = "relu"
    low, high = 0.0, np.inf
    discrete = False
    needs_field = True
    hidden_only = True
    param_names = ("log_gamma",)

    def init_params(self, n_units, xp, dtype, X=None):
        return {"log_gamma": xp.zeros(n_units, dtype=dtype)}

    def bind(self, **params):
        out = super().bind(**params)
        from .._backend import get_namespace

        out.gamma = get_namespace(out.log_gamma).exp(out.log_gamma)
        return out

    def _g(self, xp):
        return xp.asarray(self.gamma, dtype=xp.float64)

    def log_partition(self, xp, field):
        (f,) = _f64(xp, field)
        return half_log_partition(xp, f, self._g(xp)).astype(field.dtype)

    def log_partition_zero(self, xp, n_units, dtype=np.float64):
        from .._backend import to_numpy

        g = np.asarray(to_numpy(self.gamma), dtype=np.float64)
        return float(
            np.sum(np.broadcast_to(half_log_partition(np, 0.0, g), (n_units,)))
        )

    def mean(self, xp, field, out=None):
        (f,) = _f64(xp, field)
        m1, _ = half_moments(xp, f, self._g(xp))
        m1 = m1.astype(field.dtype)
        return _into(out, m1)

    def var(self, xp, field):
        (f,) = _f64(xp, field)
        m1, m2 = half_moments(xp, f, self._g(xp))
        return (m2 - m1 * m1).astype(field.dtype)

    def sample(self, xp, field, rng, out=None, ws=None):
        (f,) = _f64(xp, field)
        u = rng.random(field.shape)
        u = xp.maximum(u, np.finfo(np.float64).tiny)
        s = half_sample(xp, f, self._g(xp), u).astype(field.dtype)
        return _into(out, s)

    def param_moments(self, xp, field):
        (f,) = _f64(xp, field)
        g = self._g(xp)
        _, m2 = half_moments(xp, f, g)
        return {"log_gamma": (-0.5 * g * m2).astype(field.dtype)}

    def state_moments(self, xp, s):
        return {"log_gamma": -0.5 * self.gamma * (s * s)}

    def self_energy(self, xp, s):
        return 0.5 * xp.sum(self.gamma * (s * s), axis=-1)

    def check_values(self, X, *, allow_fractional=True, what="X", reason=None):
        """States are s ≥ 0 (a hidden layer: not checked on data)."""
