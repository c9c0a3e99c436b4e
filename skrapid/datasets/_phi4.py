"""φ⁴ field configurations on periodic lattices, by Hybrid Monte Carlo."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ._lattice import _lattice_shape

#: Most values (sites x configurations) one call returns.
_MAX_ELEMENTS = 2**31


def phi4_action(phi, shape, kappa, lam):
    """The hopping-form lattice φ⁴ action of each configuration,

    S = Σ_x [−2κ Σ_μ φ_x φ_{x+μ} + φ_x² + λ (φ_x² − 1)²]

    (periodic, μ over the d positive directions).

    Parameters
    ----------
    phi : array-like of shape (n_samples, V)
    shape : int or tuple of 1 to 4 ints
    kappa, lam : float
        Hopping parameter κ and quartic coupling λ ≥ 0.

    Returns
    -------
    S : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.datasets import phi4_action
    >>> phi4_action(np.ones((1, 4)), 4, kappa=0.25, lam=0.0)   # 4 (1 - 2 κ · 1)
    array([2.])
    """
    shape = _lattice_shape(shape, 0.0)
    phi = np.asarray(phi, dtype=np.float64)
    f = phi.reshape((phi.shape[0],) + shape)
    axes = range(1, len(shape) + 1)
    hop = sum(f * np.roll(f, -1, axis=a) for a in axes)
    pot = f * f + lam * (f * f - 1) ** 2
    return (-2 * kappa * hop + pot).reshape(phi.shape[0], -1).sum(axis=1)


def _force(f, kappa, lam, axes):
    """∂S/∂φ on the (chains, *shape) fields."""
    nb = sum(np.roll(f, -1, axis=a) + np.roll(f, 1, axis=a) for a in axes)
    return -2 * kappa * nb + 2 * f + 4 * lam * f * (f * f - 1)


def phi4_configurations(
    shape,
    kappa,
    lam,
    n_samples,
    *,
    n_chains=16,
    n_thermalize=200,
    n_skip=5,
    n_leapfrog=10,
    z2_flips=True,
    random_state=None,
):
    """φ⁴ configurations by Hybrid Monte Carlo, with global Z2 flips.

    The target is p(φ) ∝ exp(−S) with the hopping-form action of
    :func:`phi4_action`.  ``n_chains`` chains run side by side (vectorized):
    each trajectory refreshes Gaussian momenta, integrates Hamilton's
    equations by ``n_leapfrog`` leapfrog steps of unit total length and
    accepts by Metropolis on H = p²/2 + S; with ``z2_flips`` every chain's
    field then changes sign with probability ½ (S is even in φ, so the move
    is always accepted), which lets the broken phase visit both sectors.
    The step size is tuned during the ``n_thermalize`` trajectories towards
    an acceptance of 0.8, then kept fixed.  Configurations are saved every
    ``n_skip`` trajectories.

    Parameters
    ----------
    shape : int or tuple of 1 to 4 ints
        Lattice extents (periodic).
    kappa : float
        Hopping parameter κ.
    lam : float
        Quartic coupling λ ≥ 0.
    n_samples : int
        Configurations returned (rounded up to a multiple of ``n_chains``,
        then cut).
    n_chains : int, default=16
    n_thermalize : int, default=200
        Trajectories discarded at the start.
    n_skip : int, default=5
        Trajectories between saved configurations.
    n_leapfrog : int, default=10
        Leapfrog steps per trajectory.
    z2_flips : bool, default=True
        Global sign flips between trajectories.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    phi : ndarray of shape (n_samples, V)
        Configurations, chain by chain (each chain's saved configurations
        are consecutive rows, in the order they were made).
    info : dict
        ``acceptance`` (after thermalization), ``step_size``,
        ``tau_int_abs_m`` and ``tau_int_m2`` (integrated autocorrelation
        times of ``|m|`` and m² in saved configurations, averaged over chains),
        ``n_chains``.

    Examples
    --------
    >>> from skrapid.datasets import phi4_configurations
    >>> phi, info = phi4_configurations((4, 4), kappa=0.2, lam=0.02,
    ...                                 n_samples=64, n_thermalize=20,
    ...                                 random_state=0)
    >>> phi.shape, bool(0.5 < info["acceptance"] <= 1)
    ((64, 16), True)
    """
    from ..lattice import tau_int

    shape = _lattice_shape(shape, 0.0)
    for name, v in (("kappa", kappa), ("lam", lam)):
        if not (isinstance(v, numbers.Real) and np.isfinite(v)):
            raise ValueError(f"{name} must be a finite number; got {v!r}.")
    if lam < 0:
        raise ValueError(
            f"lam must be >= 0 (the action is unbounded below); got {lam}."
        )
    for name, v, low in (
        ("n_samples", n_samples, 1),
        ("n_chains", n_chains, 1),
        ("n_thermalize", n_thermalize, 0),
        ("n_skip", n_skip, 1),
        ("n_leapfrog", n_leapfrog, 1),
    ):
        if not (
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= low
        ):
            raise ValueError(f"{name} must be an integer >= {low}; got {v!r}.")
    V = int(np.prod(shape))
    if V * max(n_samples, n_chains) > _MAX_ELEMENTS:
        raise ValueError(
            f"phi4_configurations would hold {V} sites x {max(n_samples, n_chains)} "
            f"configurations = {V * max(n_samples, n_chains):.3g} values, more than "
            f"{_MAX_ELEMENTS:.3g} (16 GiB in float64); ask for fewer samples or a "
            "smaller lattice, and call it again for more."
        )
    rng = check_random_state(random_state)
    axes = tuple(range(1, len(shape) + 1))
    n_chains = min(n_chains, n_samples)
    per_chain = -(-n_samples // n_chains)
    f = rng.normal(0.0, 0.5, size=(n_chains,) + shape)
    eps = 1.0 / n_leapfrog

    def action(f):
        return phi4_action(f.reshape(n_chains, -1), shape, kappa, lam)

    def trajectory(f, eps):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged one is rejected
            return _trajectory(f, eps)

    def _trajectory(f, eps):
        p = rng.normal(size=f.shape)
        h0 = 0.5 * np.sum(p * p, axis=axes) + action(f)
        g = f.copy()
        p = p - 0.5 * eps * _force(g, kappa, lam, axes)
        for k in range(n_leapfrog):
            g = g + eps * p
            if k < n_leapfrog - 1:
                p = p - eps * _force(g, kappa, lam, axes)
        p = p - 0.5 * eps * _force(g, kappa, lam, axes)
        h1 = 0.5 * np.sum(p * p, axis=axes) + action(g)
        with np.errstate(over="ignore", invalid="ignore"):
            acc = np.log(rng.random(n_chains)) < (h0 - h1)
        acc &= np.isfinite(h1)
        f = np.where(acc.reshape((-1,) + (1,) * len(shape)), g, f)
        if z2_flips:
            sign = np.where(rng.random(n_chains) < 0.5, -1.0, 1.0)
            f = f * sign.reshape((-1,) + (1,) * len(shape))
        return f, acc

    for _ in range(n_thermalize // 10):  # tune the step size in blocks of 10
        f, acc = trajectory(f, eps)
        rate = acc.mean()
        for _ in range(9):
            f, acc = trajectory(f, eps)
            rate += acc.mean()
        rate /= 10
        eps *= 1.15 if rate > 0.85 else (0.85 if rate < 0.75 else 1.0)
    for _ in range(n_thermalize % 10):
        f, _ = trajectory(f, eps)
    saved = np.empty((per_chain, n_chains) + shape)
    accepted = 0.0
    for i in range(per_chain):
        for _ in range(n_skip):
            f, acc = trajectory(f, eps)
            accepted += acc.mean()
        saved[i] = f
    out = saved.swapaxes(0, 1).reshape(n_chains * per_chain, V)
    series = saved.reshape(per_chain, n_chains, V)
    m = series.mean(axis=2)
    taus_abs = (
        [tau_int(np.abs(m[:, c]))[0] for c in range(n_chains)]
        if per_chain >= 4
        else [np.nan]
    )
    taus_m2 = (
        [tau_int(m[:, c] ** 2)[0] for c in range(n_chains)]
        if per_chain >= 4
        else [np.nan]
    )
    info = {
        "acceptance": accepted / (per_chain * n_skip),
        "step_size": eps,
        "tau_int_abs_m": float(np.mean(taus_abs)),
        "tau_int_m2": float(np.mean(taus_m2)),
        "n_chains": n_chains,
    }
    return out[:n_samples], info
