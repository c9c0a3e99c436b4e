"""dReLU units: two half-Gaussians joined at 0, with learnt curvatures and
threshold (Tubiana, Cocco & Monasson 2019)."""

from __future__ import annotations

import numpy as np

from ._base import Layer, _into
from ._relu import _f64, half_log_partition, half_moments, half_sample


class dReLU(Layer):
    """Double-ReLU units: real s with the energy

    ``U(s) = γ₊ s₊²/2 + γ₋ s₋²/2 + δ |s|``,   s₊ = max(s, 0), s₋ = min(s, 0),

    and the input I (including the bias c).  The papers' thresholds are
    θ₊ = δ - c and θ₋ = δ + c (c shifts both; δ opens a gap around 0, and
    a negative δ makes the units bimodal); γ₊, γ₋ > 0 are learnt as their
    logarithms.  Given I, s is a mixture of N(±(I ∓ δ)/γ±, 1/γ±) truncated
    to each half-line, with weights from the two half-line integrals

    A(I) = log[e^{A₊(I - δ, γ₊)} + e^{A₊(-I - δ, γ₋)}],
    A₊(a, γ) = ½ log(π/(2γ)) + log erfcx(-a/√(2γ)),

    closed-form and finite for every input, computed in float64.  Samples are
    exact: a half chosen by its weight, then the truncated normal's inverse
    CDF in logs.  With γ₊ = γ₋ and δ = 0 the layer is Gaussian.  A hidden
    layer only.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.layers import dReLU
    >>> d = dReLU().bind(log_gamma_pos=np.zeros(1), log_gamma_neg=np.zeros(1),
    ...                  delta=np.zeros(1))
    >>> float(d.mean(np, np.array([[1.5]]))[0, 0])  # Gaussian: I / γ
    1.5
    """

    name = "drelu"
    low, high = -np.inf, np.inf
    discrete = False
    needs_field = True
    hidden_only = True
    param_names = ("log_gamma_pos", "log_gamma_neg", "delta")

    def init_params(self, n_units, xp, dtype, X=None):
        z = xp.zeros(n_units, dtype=dtype)
        return {"log_gamma_pos": z, "log_gamma_neg": z.copy(), "delta": z.copy()}

    def bind(self, **params):
        out = super().bind(**params)
        from .._backend import get_namespace

        xp = get_namespace(out.log_gamma_pos)
        out.gamma_pos = xp.exp(out.log_gamma_pos)
        out.gamma_neg = xp.exp(out.log_gamma_neg)
        return out

    def _halves(self, xp, field):
        """(a₊, γ₊, a₋, γ₋, A₊, A₋, A, p₊) in float64."""
        (f,) = _f64(xp, field)
        gp, gn, d = _f64(xp, self.gamma_pos, self.gamma_neg, self.delta)
        ap, an = f - d, -f - d
        lp, ln = half_log_partition(xp, ap, gp), half_log_partition(xp, an, gn)
        lz = xp.logaddexp(lp, ln)
        return ap, gp, an, gn, lp, ln, lz, xp.exp(lp - lz)

    def log_partition(self, xp, field):
        return self._halves(xp, field)[6].astype(field.dtype)

    def log_partition_zero(self, xp, n_units, dtype=np.float64):
        from .._backend import get_namespace

        xp = get_namespace(self.gamma_pos)  # where the parameters live
        z = xp.zeros(self.gamma_pos.shape)
        return float(xp.sum(xp.broadcast_to(self.log_partition(xp, z), (n_units,))))

    def _moments(self, xp, field):
        ap, gp, an, gn, _, _, _, pp = self._halves(xp, field)
        m1p, m2p = half_moments(xp, ap, gp)
        m1n, m2n = half_moments(xp, an, gn)
        return pp, 1 - pp, m1p, m2p, m1n, m2n, gp, gn

    def mean(self, xp, field, out=None):
        pp, pn, m1p, _, m1n, _, _, _ = self._moments(xp, field)
        m = (pp * m1p - pn * m1n).astype(field.dtype)
        return _into(out, m)

    def var(self, xp, field):
        pp, pn, m1p, m2p, m1n, m2n, _, _ = self._moments(xp, field)
        m = pp * m1p - pn * m1n
        return xp.maximum(pp * m2p + pn * m2n - m * m, 0.0).astype(field.dtype)

    def sample(self, xp, field, rng, out=None, ws=None):
        ap, gp, an, gn, _, _, _, pp = self._halves(xp, field)
        tiny = np.finfo(np.float64).tiny
        choose = rng.random(field.shape) < pp
        u = xp.maximum(rng.random(field.shape), tiny)
        tp = half_sample(xp, xp.where(choose, ap, 0.0), xp.where(choose, gp, 1.0), u)
        tn = half_sample(xp, xp.where(choose, 0.0, an), xp.where(choose, 1.0, gn), u)
        s = xp.where(choose, tp, -tn).astype(field.dtype)
        return _into(out, s)

    def param_moments(self, xp, field):
        pp, pn, m1p, m2p, m1n, m2n, gp, gn = self._moments(xp, field)
        dt = field.dtype
        return {
            "log_gamma_pos": (-0.5 * gp * pp * m2p).astype(dt),
            "log_gamma_neg": (-0.5 * gn * pn * m2n).astype(dt),
            "delta": (-(pp * m1p + pn * m1n)).astype(dt),
        }

    def state_moments(self, xp, s):
        sp, sn = xp.maximum(s, 0), xp.minimum(s, 0)
        return {
            "log_gamma_pos": -0.5 * self.gamma_pos * sp * sp,
            "log_gamma_neg": -0.5 * self.gamma_neg * sn * sn,
            "delta": -xp.abs(s),
        }

    def self_energy(self, xp, s):
        sp, sn = xp.maximum(s, 0), xp.minimum(s, 0)
        u = 0.5 * self.gamma_pos * sp * sp + 0.5 * self.gamma_neg * sn * sn
        return xp.sum(u + self.delta * xp.abs(s), axis=-1)

    def check_values(self, X, *, allow_fractional=True, what="X", reason=None):
        """Every real value is a state (a hidden layer: not checked on data)."""
