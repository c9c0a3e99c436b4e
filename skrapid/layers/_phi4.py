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
        # Any c gives an exact sampler (the envelope bounds the target for
        # every c): the root only sets the acceptance, so 1e-6 is plenty.
        prec = xp.abs(a) + 2 * xp.sqrt(lam) + xp.cbrt(4 * lam * f * f) + 1.0
        four_lam = 4 * lam
        c0 = four_lam * f * f
        for _ in range(60):
            g = ((prec - a) * prec - four_lam) * prec - c0
            dg = (3 * prec - 2 * a) * prec - four_lam
            step = g / dg
            prec -= step
            if float(xp.max(xp.abs(step) / prec)) < 1e-6:
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
    likelihood for the data (its ⟨φ²⟩ and ⟨φ⁴⟩ then match the data's): the
    pseudo-likelihood fit without couplings, which is the likelihood of the
    independent model."""
    _, m2, lq = pseudolikelihood_fit(X, m2, lq, fit_m2=fit_m2, fit_lq=fit_lq,
                                     couplings=False)  # fmt: skip
    return m2, lq


#: First grid of the pseudo-likelihood fit (doubled until it agrees with the
#: layer's adaptive quadrature).
_PL_GRID = 64
#: The range of log λ the pseudo-likelihood fit explores (Gaussian data
#: have their optimum at λ → 0).
_LOG_LAMBDA = (-30.0, 12.0)
#: Powers of φ whose conditional means the Newton steps need.
_POWERS = (1, 2, 3, 4, 5, 6, 8)


def pseudolikelihood_fit(
    X,
    m2,
    lq,
    *,
    fit_m2=True,
    fit_lq=True,
    couplings=True,
    tie_lq=False,
    max_iter=50,
    reg=1e-6,
):
    """The pairwise φ⁴ model of maximum pseudo-likelihood for the data X.

    The model is p(φ) ∝ exp(−Σ_i [m_i φ_i²/2 + λ_i φ_i⁴] + ½ φᵀJφ) with J
    symmetric and zero on the diagonal: the marginal of a φ⁴ visible layer
    with Gaussian hidden units, whose quadratic part is diag(μ²) − σ_h² W Wᵀ
    (:class:`~skrapid.GaussianRBM` with ``quartic``).  Given the others, φ_i
    has the 1-D φ⁴ density of field h_i = Σ_j J_ij φ_j, an exponential family
    in (h_i, −m_i/2, −λ_i) with statistics (φ, φ², φ⁴): the pseudo-likelihood
    Σ_n Σ_i log p(x_ni | x_n,−i) (Besag 1975) is concave, needs neither
    sampling nor log Z, and its maximum is a consistent estimate of the model.

    It is maximized site by site, by Newton's method with the exact Hessian
    (the conditional covariance of φ, φ², φ⁴, through the data) and
    backtracking: first each site's row of J with its m_i and λ_i (the
    asymmetric pseudo-likelihood), then J ← (J + Jᵀ)/2 and m, λ refitted
    for the symmetric J.  A handful of steps converge where first-order
    methods take hundreds.  ``couplings=False`` fixes J = 0: the
    pseudo-likelihood is then the likelihood of the independent model.

    The 1-D integrals use one shared trapezoid grid over the range of the
    data (plus a margin), doubled until the log-partitions agree with the
    layer's adaptive quadrature to 1e-7 on the data's fields.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_units)
        Zero-mean data (the model has no field of its own).
    m2, lq : array-like of shape (n_units,) or scalar
        The starting (or fixed) m_i and log λ_i.
    fit_m2, fit_lq : bool
        Which of them to fit.
    couplings : bool
        Fit J (False: J = 0).
    tie_lq : bool
        One λ for every unit.
    max_iter : int
        Newton steps per stage.
    reg : float
        Variance of a Gaussian noise added to the data in the sufficient
        statistics (GaussianRBM's ``reg_covar``): a constant column then has
        a finite optimum (m ≈ 1 / reg) instead of none.

    Returns
    -------
    J, m2, lq : the couplings (n_units, n_units), m_i and log λ_i.
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    n, V = X.shape
    m = np.broadcast_to(np.asarray(m2, dtype=np.float64), (V,)).copy()
    lam = np.exp(np.broadcast_to(np.asarray(lq, dtype=np.float64), (V,)))
    if tie_lq:
        lam = np.full(V, float(np.exp(np.mean(np.log(lam)))))
    J = np.zeros((V, V))
    # each unit's grid spans its data and more (a narrow column, a fine grid)
    R = 1.25 * np.abs(X).max(axis=0, initial=0.0) + 3.0 * np.sqrt(
        np.mean(X * X, axis=0) + reg
    )
    G = _PL_GRID
    rows = X[:: max(1, n // 256)]
    for _ in range(6):
        grid = _PLGrid(R, G)
        if couplings:
            J, m, lam = _newton_rows(X, J, m, lam, grid, fit_m2, fit_lq, max_iter, reg)
            J = 0.5 * (J + J.T)
        m, lam = _newton_local(
            X, J, m, lam, grid, fit_m2, fit_lq, tie_lq, max_iter, reg
        )
        field = rows @ J
        exact = Phi4(mass2=m, quartic=lam).log_partition(np, field)
        if float(np.max(np.abs(grid.log_z(field, m, lam) - exact))) < 1e-7:
            break
        G *= 2
    return J, m, np.log(lam)


class _PLGrid:
    """The shared trapezoid grid of the pseudo-likelihood fit."""

    def __init__(self, R, G):
        self.g = R[:, None] * np.linspace(-1.0, 1.0, G)  # (units, G)
        self.R = R
        self.log_h = np.log(2 * R / (G - 1))
        self.trap = np.ones(G)
        self.trap[0] = self.trap[-1] = 0.5
        self.powers = self.g[:, :, None] ** np.asarray(_POWERS)  # (units, G, k)

    def _weights(self, f, m, lam):
        """Unnormalized weights (rows, units, G) and the log of their scale."""
        g = self.g
        base = -0.5 * m[:, None] * g * g - lam[:, None] * g**4  # (units, G)
        w = f[:, :, None] * g
        w += base
        shift = w.max(axis=-1)
        w -= shift[:, :, None]
        np.exp(w, out=w)
        w *= self.trap
        return w, shift + self.log_h

    def log_z(self, f, m, lam):
        return self.moments(f, m, lam, with_moments=False)[0]

    def moments(self, f, m, lam, with_moments=True):
        """log Z (rows, units) and E[φ^k] for k in :data:`_POWERS` (rows,
        units, 7), in chunks of rows."""
        n, V = f.shape
        chunk = max(1, _CHUNK // (V * self.g.shape[1]))
        log_z = np.empty((n, V))
        mom = np.empty((n, V, len(_POWERS))) if with_moments else None
        for s in range(0, n, chunk):
            w, off = self._weights(f[s : s + chunk], m, lam)
            z = w.sum(axis=-1)
            log_z[s : s + chunk] = np.log(z) + off
            if with_moments:
                mom[s : s + chunk] = np.matmul(
                    w.transpose(1, 0, 2), self.powers
                ).transpose(1, 0, 2)
                mom[s : s + chunk] /= z[:, :, None]
        return log_z, mom


def _cov3(mom):
    """The conditional covariances of (φ, φ², φ⁴) from E[φ^k], k in _POWERS."""
    e1, e2, e3, e4, e5, e6, e8 = np.moveaxis(mom, -1, 0)
    return {
        (0, 0): e2 - e1 * e1, (0, 1): e3 - e1 * e2, (0, 2): e5 - e1 * e4,
        (1, 1): e4 - e2 * e2, (1, 2): e6 - e2 * e4, (2, 2): e8 - e4 * e4,
    }  # fmt: skip


def _powers(X, reg):
    """Σ_n x² and Σ_n x⁴ per unit, of the data plus N(0, reg) noise (in
    expectation): a constant column keeps a finite optimum."""
    x2 = X * X
    s2 = x2.sum(axis=0)
    s4 = (x2 * x2).sum(axis=0) + 6 * reg * s2 + 3 * reg * reg * X.shape[0]
    return s2 + reg * X.shape[0], s4


def _site_ll(X, field, m, lam, log_z, s2, s4):
    """Each site's pseudo-log-likelihood summed over rows (units,); a field
    of one row stands for every row (J = 0)."""
    lz = log_z.sum(axis=0) * (X.shape[0] / field.shape[0])
    return np.sum(field * X, axis=0) - 0.5 * m * s2 - lam * s4 - lz


def _damped_newton(H, g, nu):
    """Levenberg–Marquardt steps: (H + ν diag H) d = g per site (H (sites,
    k, k), g (sites, k), ν (sites,)): Newton's step for small ν, a scaled
    gradient step for large ν, an ascent direction always."""
    k = H.shape[-1]
    D = np.abs(np.einsum("sii->si", H))
    D += 1e-12 * D.max(axis=1, keepdims=True) + 1e-300
    A = H.copy()
    A[:, np.arange(k), np.arange(k)] += nu[:, None] * D
    try:
        d = np.linalg.solve(A, g[..., None])[..., 0]
    except np.linalg.LinAlgError:
        d = g / D
    # an indefinite H (log λ is not a natural parameter) may point downhill:
    # fall back to the scaled gradient there
    bad = ~(np.sum(g * d, axis=1) > 0)
    d[bad] = g[bad] / ((1 + nu[bad, None]) * D[bad])
    return d


def _lm_loop(ll_of, grad_hess, theta, max_iter, n_rows, tied=False):
    """Maximize Σ_sites ll(θ_site) by damped Newton steps with one damping per
    site (one for all when ``tied``); ``ll_of(θ)`` returns each site's value
    (−inf where θ is infeasible), ``grad_hess(θ)`` its value, gradient and
    Hessian of −ll."""
    sites = theta.shape[0]
    nu = np.full(sites, 1e-3)
    ll, g, H = grad_hess(theta)
    for _ in range(max_iter):
        d = _damped_newton(H, g, nu)
        if float(np.sum(g * d)) < 1e-10 * n_rows * sites:  # Newton decrement
            break
        if float(nu.min()) > 1e12:
            break
        new = theta + d
        with np.errstate(all="ignore"):  # a trial step may overflow: rejected
            lln = ll_of(new)
        lln = np.where(np.isfinite(lln), lln, -np.inf)
        ok = lln >= ll - 1e-12 * np.abs(ll)
        if tied:
            ok[:] = lln.sum() >= ll.sum() - 1e-12 * np.abs(ll).sum()
        nu = np.where(ok, nu / 3, nu * 4)
        if ok.any():
            theta = np.where(ok[:, None], new, theta)
            ll, g, H = grad_hess(theta)
    return theta


def _newton_rows(X, J, m, lam, grid, fit_m2, fit_lq, max_iter, reg):
    """Stage 1: each site's row J_i (zero at J_ii), m_i and λ_i by damped
    Newton steps on its own conditional likelihood (the sites are
    independent)."""
    n, V = X.shape
    s2, s4 = _powers(X, reg)
    k = V + 2
    fixed = np.zeros((V, k), dtype=bool)
    fixed[:, :V] = np.eye(V, dtype=bool)
    fixed[:, V] = not fit_m2
    fixed[:, V + 1] = not fit_lq

    def unpack(theta):  # (J rows, m, λ); θ holds log λ
        return theta[:, :V], theta[:, V], np.exp(np.clip(theta[:, V + 1], *_LOG_LAMBDA))

    def ll_of(theta):
        Jr, mr, lr = unpack(theta)
        f = X @ Jr.T
        return _site_ll(X, f, mr, lr, grid.log_z(f, mr, lr), s2, s4)

    def grad_hess(theta):
        Jr, mr, lr = unpack(theta)
        f = X @ Jr.T  # row i of J gives site i's field
        log_z, mom = grid.moments(f, mr, lr)
        c = _cov3(mom)
        g = np.zeros((V, k))
        g[:, :V] = (X - mom[..., 0]).T @ X
        g[:, V] = -0.5 * (s2 - np.sum(mom[..., 1], axis=0))
        g[:, V + 1] = -(s4 - np.sum(mom[..., 3], axis=0))
        H = np.empty((V, k, k))
        for i in range(V):
            H[i, :V, :V] = (X * c[0, 0][:, i : i + 1]).T @ X
        H[:, :V, V] = H[:, V, :V] = -0.5 * (c[0, 1].T @ X)
        H[:, :V, V + 1] = H[:, V + 1, :V] = -(c[0, 2].T @ X)
        H[:, V, V] = 0.25 * c[1, 1].sum(axis=0)
        H[:, V, V + 1] = H[:, V + 1, V] = 0.5 * c[1, 2].sum(axis=0)
        H[:, V + 1, V + 1] = c[2, 2].sum(axis=0)
        _log_lambda(g, H, lr, V + 1)
        _pin(g, H, fixed)
        return _site_ll(X, f, mr, lr, log_z, s2, s4), g, H

    theta = np.concatenate([J, m[:, None], np.log(lam)[:, None]], axis=1)
    return unpack(_lm_loop(ll_of, grad_hess, theta, max_iter, n))


def _log_lambda(g, H, lam, j):
    """Gradient and Hessian of column j from λ to q = log λ (λ > 0 always;
    the Hessian gains the term −λ ∂ll/∂λ)."""
    gl = g[:, j].copy()
    H[:, j, :] *= lam[:, None]
    H[:, :, j] *= lam[:, None]
    H[:, j, j] -= lam * gl
    g[:, j] = lam * gl


def _pin(g, H, fixed):
    """Pinned unknowns take no step: zero gradient, unit Hessian row."""
    g[fixed] = 0.0
    s, j = np.nonzero(fixed)
    H[s, j, :] = 0.0
    H[s, :, j] = 0.0
    H[s, j, j] = 1.0


def _newton_local(X, J, m, lam, grid, fit_m2, fit_lq, tie_lq, max_iter, reg):
    """Stage 2: m_i and λ_i (or one λ) for a fixed symmetric J, by damped
    Newton steps (2x2 per site; with one λ, the sites share one system)."""
    if not (fit_m2 or fit_lq):
        return m, lam
    n, V = X.shape
    s2, s4 = _powers(X, reg)
    field = X @ J if J.any() else np.zeros((1, V))
    tie = tie_lq and fit_lq
    # a shared λ: one "site" holding every m_i and the λ
    k = V + 1 if tie else 2

    def unpack(theta):  # (m, λ); θ holds log λ
        if tie:
            return theta[0, :V], np.full(V, np.exp(np.clip(theta[0, V], *_LOG_LAMBDA)))
        return theta[:, 0], np.exp(np.clip(theta[:, 1], *_LOG_LAMBDA))

    def ll_of(theta):
        mr, lr = unpack(theta)
        ll = _site_ll(X, field, mr, lr, grid.log_z(field, mr, lr), s2, s4)
        return ll.sum(keepdims=True) if tie else ll

    def grad_hess(theta):
        mr, lr = unpack(theta)
        log_z, mom = grid.moments(field, mr, lr)
        w = n / field.shape[0]
        c = {key: v.sum(axis=0) * w for key, v in _cov3(mom).items()}
        gm = -0.5 * (s2 - w * mom[..., 1].sum(axis=0))
        gl = -(s4 - w * mom[..., 3].sum(axis=0))
        ll = _site_ll(X, field, mr, lr, log_z, s2, s4)
        if tie:
            g = np.concatenate([gm, [gl.sum()]])[None]
            H = np.zeros((1, k, k))
            H[0, np.arange(V), np.arange(V)] = 0.25 * c[1, 1]
            H[0, :V, V] = H[0, V, :V] = 0.5 * c[1, 2]
            H[0, V, V] = c[2, 2].sum()
            fixed = np.zeros((1, k), dtype=bool)
            fixed[0, :V] = not fit_m2
            ll = ll.sum(keepdims=True)
            _log_lambda(g, H, lr[:1], V)
        else:
            g = np.stack([gm, gl], axis=1)
            H = np.empty((V, 2, 2))
            H[:, 0, 0] = 0.25 * c[1, 1]
            H[:, 0, 1] = H[:, 1, 0] = 0.5 * c[1, 2]
            H[:, 1, 1] = c[2, 2]
            fixed = np.zeros((V, 2), dtype=bool)
            fixed[:, 0], fixed[:, 1] = not fit_m2, not fit_lq
            _log_lambda(g, H, lr, 1)
        _pin(g, H, fixed)
        return ll, g, H

    q = np.log(lam)
    theta = np.concatenate([m, q[:1]])[None] if tie else np.stack([m, q], axis=1)
    return unpack(_lm_loop(ll_of, grad_hess, theta, max_iter, n))
