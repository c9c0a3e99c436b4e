"""φ⁴ units: real-valued, with a quadratic and a quartic local potential."""

from __future__ import annotations

import numpy as np

from .._backend import get_namespace, to_numpy
from ._base import Layer, _into

#: Grid points of the 1-D quadratures (trapezoid rule: exponentially
#: accurate for a smooth integrand that vanishes at both ends).
GRID = 201
#: Points of the coarse grid that finds the region holding the mass.
_COARSE = 96
#: The fine grid spans where the log-density is within this many nats of
#: its maximum (the rest weighs less than e^-45 of the whole).
_DEPTH = 45.0
#: Rounds of rejection sampling before the grid's inverse CDF takes over.
_REJECTION_ROUNDS = 30
#: Elements (rows x units x grid points) evaluated at once.
_CHUNK = 2**22


class Phi4(Layer):
    """Real units in a local φ⁴ potential:

    U(φ) = μ² φ² / 2 + λ φ⁴,   λ > 0,

    so that given the input I a unit has the density
    p(φ | I) ∝ exp(−μ² φ²/2 − λ φ⁴ + I φ), which is normalizable for every
    μ² (negative too: the double well of the broken phase) and every I.  Its
    log-partition, mean, variance and the moments of μ² and λ are 1-D
    integrals, computed by the trapezoid rule on a grid of :data:`GRID`
    points per unit and input, spanning the whole mass of the density
    (wider than ±3 times the scale where the quartic term dominates, or 12
    standard deviations of the Gaussian part); samples are exact, by
    rejection from a Gaussian envelope (:meth:`sample`).  The bias of the
    estimator is the field ``b``; μ² (``mass2``) and λ (as ``log_quartic``)
    are learnt per unit, or fixed when given.

    The hopping-form lattice action S = Σ_x [−2κ Σ_μ φ_x φ_{x+μ} + φ_x² +
    λ(φ_x² − 1)²] has this local potential with μ² = 2(1 − 2λ) and λ.

    Parameters
    ----------
    mass2 : float or None, default=None
        μ², or None to learn it per unit.
    quartic : float or None, default=None
        λ > 0, or None to learn it per unit.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.layers import Phi4
    >>> p = Phi4(mass2=-1.0, quartic=0.25)   # minima of U at φ = ±1
    >>> float(p.mean(np, np.array([[0.0]]))[0, 0])   # symmetric double well
    0.0
    >>> round(float(p.var(np, np.array([[0.0]]))[0, 0]), 4)
    1.0418
    """

    name = "phi4"
    low, high = -np.inf, np.inf
    discrete = False
    symmetric = True
    needs_field = True
    _options = ("mass2", "quartic")

    def __init__(self, mass2=None, quartic=None):
        self.mass2 = mass2
        self.quartic = quartic

    @property
    def param_names(self):
        names = ()
        if self.mass2 is None or getattr(self, "_learn_mass2", False):
            names += ("mass2",)
        if self.quartic is None or getattr(self, "_learn_quartic", False):
            names += ("log_quartic",)
        return names

    def init_params(self, n_units, xp, dtype, X=None):
        """The independent φ⁴ model of the data, unit by unit: μ² and λ
        that make the layer's ⟨φ²⟩ and ⟨φ⁴⟩ at zero input match the data's
        (from a variance and kurtosis fit); μ² = 1, λ = 0.1 without data."""
        names = self.param_names
        m2 = np.full(n_units, 1.0 if self.mass2 is None else float(self.mass2))
        lq = np.full(n_units, np.log(0.1 if self.quartic is None else self.quartic))
        if X is not None and names:
            m2, lq = _moment_fit(to_numpy(X), m2, lq, "mass2" in names,
                                 "log_quartic" in names)  # fmt: skip
        out = {}
        if "mass2" in names:
            out["mass2"] = xp.asarray(m2, dtype=dtype)
        if "log_quartic" in names:
            out["log_quartic"] = xp.asarray(lq, dtype=dtype)
        return out

    def bind(self, **params):
        out = super().bind()
        if "mass2" in params:
            out.mass2, out._learn_mass2 = params["mass2"], True
        if "log_quartic" in params:
            lq = params["log_quartic"]
            out.log_quartic = lq
            out.quartic, out._learn_quartic = get_namespace(lq).exp(lq), True
        if out.mass2 is None or out.quartic is None:
            raise ValueError("Phi4.bind needs mass2 and log_quartic (learnt).")
        return out

    # -- the grid ---------------------------------------------------------------
    def _coef(self, xp):
        a = xp.asarray(self.mass2, dtype=xp.float64)
        lam = xp.asarray(self.quartic, dtype=xp.float64)
        return a, lam

    def _grid(self, xp, f):
        """(φ grid (rows, units, G), log f on it, log of the step): the
        integrand exp(−aφ²/2 − λφ⁴ + Iφ) per row and unit, in float64.

        A coarse grid over the whole range the density can reach (±3 times
        the scale where the quartic term dominates, or 12 standard
        deviations of the Gaussian part) finds where log f is within
        :data:`_DEPTH` nats of its maximum; the fine grid of :data:`GRID`
        points spans that region only, so a narrow peak far out (a strong
        input) is resolved as well as a wide double well."""
        a, lam = self._coef(xp)

        fe, ha, le = f[..., None], (0.5 * a)[..., None], lam[..., None]

        def logf(phi):  # φ (I − φ (a/2 + λ φ²)), without pow
            sq = phi * phi
            sq *= le
            sq += ha
            sq *= phi
            out = fe - sq
            out *= phi
            return out

        r0 = xp.maximum(
            xp.maximum(xp.cbrt(xp.abs(f) / lam), xp.sqrt(xp.maximum(-a, 0) / lam)),
            1 / xp.sqrt(xp.sqrt(lam)),
        )
        a_pos = xp.where(a > 0, a, 1.0)
        gauss = xp.where(a > 0, xp.abs(f) / a_pos + 12 / xp.sqrt(a_pos), xp.inf)
        half = xp.minimum(3.0 * r0, gauss)
        coarse = half[..., None] * xp.linspace(-1.0, 1.0, _COARSE)
        lc = logf(coarse)
        inside = lc > lc.max(axis=-1, keepdims=True) - _DEPTH
        step = 2 * half / (_COARSE - 1)
        lo = xp.where(inside, coarse, xp.inf).min(axis=-1) - step
        hi = xp.where(inside, coarse, -xp.inf).max(axis=-1) + step
        phi = lo[..., None] + (hi - lo)[..., None] * xp.linspace(0.0, 1.0, GRID)
        return phi, logf(phi), xp.log((hi - lo) / (GRID - 1))

    def _rows(self, xp, field, compute):
        """``compute(f)`` on chunks of rows of the 2-d float64 field."""
        f = xp.asarray(field, dtype=xp.float64)
        n, units = f.shape
        step = max(1, _CHUNK // (units * GRID))
        if n <= step:
            return compute(f)
        return xp.concatenate([compute(f[i : i + step]) for i in range(0, n, step)])

    def _weights(self, xp, f):
        phi, logf, logh = self._grid(xp, f)
        mx = logf.max(axis=-1, keepdims=True)
        w = xp.exp(logf - mx)
        w[..., 0] *= 0.5
        w[..., -1] *= 0.5
        z = w.sum(axis=-1)
        return phi, w / z[..., None], mx[..., 0] + xp.log(z) + logh

    def _moments(self, xp, field, powers):
        """E[φ^k | field] for each k of ``powers``, from one quadrature grid
        (and the log-partition last), in float64."""

        def compute(f):
            phi, w, log_z = self._weights(xp, f)
            return xp.stack([(w * phi**k).sum(axis=-1) for k in powers] + [log_z])

        f = xp.asarray(field, dtype=xp.float64)
        n, units = f.shape
        step = max(1, _CHUNK // (units * GRID))
        parts = [compute(f[i : i + step]) for i in range(0, n, step)]
        return list(parts[0] if len(parts) == 1 else xp.concatenate(parts, axis=1))

    def _moment(self, xp, field, fn):
        def compute(f):
            phi, w, _ = self._weights(xp, f)
            return (w * fn(phi)).sum(axis=-1)

        return self._rows(xp, field, compute)

    # -- the layer ---------------------------------------------------------------
    def log_partition(self, xp, field):
        def compute(f):
            return self._weights(xp, f)[2]

        if field.ndim == 1:
            return self._rows(xp, field[None], compute)[0].astype(field.dtype)
        return self._rows(xp, field, compute).astype(field.dtype)

    def log_partition_zero(self, xp, n_columns, dtype=np.float64):
        z = np.zeros((1, n_columns))
        return float(np.sum(to_numpy(self.log_partition(np, z))))

    def mean(self, xp, field, out=None):
        m = self._moment(xp, field, lambda p: p).astype(field.dtype)
        return _into(out, m)

    def var(self, xp, field):
        m1, m2, _ = self._moments(xp, field, (1, 2))
        return xp.maximum(m2 - m1 * m1, 0).astype(field.dtype)

    def sample(self, xp, field, rng, out=None, ws=None):
        """Exact draws by rejection from a Gaussian envelope.

        Since (φ² − c²)² ≥ 0, λφ⁴ ≥ 2λc²φ² − λc⁴ for any c, so the Gaussian
        g(φ) ∝ exp(−(a/2 + 2λc²)φ² + Iφ + λc⁴) bounds the target and a draw
        of it is accepted with probability exp(−λ(φ² − c²)²).  c² is set to
        the envelope's own ⟨φ²⟩ (the root of a cubic in the envelope's
        precision, by Newton's method), which keeps the acceptance high from
        the single well to the double well.  Elements
        still rejected after :data:`_REJECTION_ROUNDS` rounds (rare) are drawn
        by the inverse CDF on the quadrature grid."""
        f = xp.asarray(field, dtype=xp.float64)
        a, lam = self._coef(xp)
        a = xp.broadcast_to(a, f.shape)
        lam = xp.broadcast_to(lam, f.shape)
        # the envelope's precision p = a + 4λc² with c² = ⟨φ²⟩_g = I²/p² + 1/p:
        # the root p > max(a, 0) of p³ − a p² − 4λ p − 4λ I², by Newton from
        # the right (where the cubic is increasing and convex)
        prec = xp.abs(a) + 2 * xp.sqrt(lam) + xp.cbrt(4 * lam * f * f) + 1.0
        for _ in range(60):
            g = ((prec - a) * prec - 4 * lam) * prec - 4 * lam * f * f
            dg = (3 * prec - 2 * a) * prec - 4 * lam
            step = g / dg
            prec = prec - step
            if float(xp.max(xp.abs(step) / prec)) < 1e-10:
                break
        c2 = (prec - a) / (4 * lam)
        mu, sd = f / prec, 1 / xp.sqrt(prec)
        s = xp.empty(f.shape)
        todo = xp.ones(f.shape, dtype=bool)
        for _ in range(_REJECTION_ROUNDS):
            z = mu + sd * rng.standard_normal(f.shape)
            d = z * z - c2
            ok = todo & (xp.log(rng.random(f.shape)) < -lam * d * d)
            s = xp.where(ok, z, s)
            todo &= ~ok
            if not bool(todo.any()):
                break
        if bool(todo.any()):
            s[todo] = self._grid_sample(xp, f[todo][:, None], a[todo][:, None],
                                        lam[todo][:, None], rng)[:, 0]  # fmt: skip
        s = s.astype(field.dtype)
        return _into(out, s)

    def _grid_sample(self, xp, f, a, lam, rng):
        """Inverse-CDF draws on the quadrature grid (rows, 1), for the given
        per-element coefficients."""
        layer = Phi4(mass2=a, quartic=lam)
        u = rng.random(f.shape)
        phi, w, _ = layer._weights(xp, f)
        cdf = xp.cumsum(w, axis=-1)
        cdf -= 0.5 * w
        k = xp.clip((cdf < u[..., None]).sum(axis=-1), 1, GRID - 1)
        c0 = xp.take_along_axis(cdf, (k - 1)[..., None], -1)[..., 0]
        c1 = xp.take_along_axis(cdf, k[..., None], -1)[..., 0]
        p0 = xp.take_along_axis(phi, (k - 1)[..., None], -1)[..., 0]
        p1 = xp.take_along_axis(phi, k[..., None], -1)[..., 0]
        frac = xp.clip((u - c0) / xp.maximum(c1 - c0, 1e-300), 0, 1)
        return p0 + frac * (p1 - p0)

    def param_moments(self, xp, field):
        names = self.param_names
        if not names:
            return {}
        m2, m4, _ = self._moments(xp, field, (2, 4))
        out = {}
        if "mass2" in names:
            out["mass2"] = (-0.5 * m2).astype(field.dtype)
        if "log_quartic" in names:
            out["log_quartic"] = (-self._coef(xp)[1] * m4).astype(field.dtype)
        return out

    def state_moments(self, xp, s):
        out = {}
        if "mass2" in self.param_names:
            out["mass2"] = -0.5 * s * s
        if "log_quartic" in self.param_names:
            out["log_quartic"] = -self.quartic * s**4
        return out

    def self_energy(self, xp, s):
        return xp.sum(0.5 * self.mass2 * s * s + self.quartic * s**4, axis=-1)

    def bias_for_mean(self, mean):
        # the base model of AIS: zero field (the learnt potential holds the
        # data's marginal; the Z2-symmetric data have mean 0)
        return np.zeros_like(np.asarray(mean, dtype=np.float64))

    def check_values(self, X, *, allow_fractional=True, what="X", reason=None):
        """Every finite real value is a state (finiteness is checked upstream)."""


def _moment_fit(X, m2, lq, fit_m2, fit_lq):
    """Per unit, μ² and log λ of the zero-field φ⁴ density of maximum
    likelihood for the data (its ⟨φ²⟩ and ⟨φ⁴⟩ then match the data's), by
    L-BFGS on the summed mean log-likelihoods (the units are independent),
    with the exact gradient ⟨T⟩_data − ⟨T⟩_model."""
    from scipy.optimize import minimize

    d2, d4 = np.mean(X * X, axis=0), np.mean(X**4, axis=0)
    n = X.shape[1]
    z = np.zeros((1, n))

    def unpack(x):
        a = x[:n] if fit_m2 else m2
        q = x[n:] if fit_m2 and fit_lq else (x if fit_lq else lq)
        return a, q

    def fun(x):
        a, q = unpack(x)
        lam = np.exp(q)
        e2, e4, log_z = (
            m[0] for m in Phi4(mass2=a, quartic=lam)._moments(np, z, (2, 4))
        )
        ll = -0.5 * a * d2 - lam * d4 - log_z
        grad = []
        if fit_m2:
            grad.append(-0.5 * (d2 - e2))
        if fit_lq:
            grad.append(-lam * (d4 - e4))
        return -ll.sum(), -np.concatenate(grad)

    x0 = np.concatenate(([m2] if fit_m2 else []) + ([lq] if fit_lq else []))
    bounds = [(None, None)] * n if fit_m2 else []
    bounds += [(-12.0, 8.0)] * n if fit_lq else []
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 500})  # fmt: skip
    return unpack(res.x)
