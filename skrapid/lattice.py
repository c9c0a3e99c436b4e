"""Lattice observables with errors, for field configurations on periodic
lattices of 1 to 4 dimensions.

Configurations come as rows: ``phi`` of shape (n_samples, V) with
V = N_0 · N_1 ··· N_{d-1} sites in row-major order (the last axis fastest),
and the lattice ``shape`` (N_0, ..., N_{d-1}); axis 0 is "time" for the
correlator.  The rows are a Markov chain's successive configurations (or
independent samples): errors come from a binned jackknife, and
:func:`tau_int` measures how correlated the chain is.

==========================  ============================================
:func:`magnetization`       m = (1/V) Σ_x φ_x, one per configuration
:func:`phi2`                (1/V) Σ_x φ_x², one per configuration
:func:`correlator`          the zero-momentum correlator C(t)
:func:`effective_mass`      the cosh effective mass of C(t)
:func:`binder_cumulant`     U = 1 − ⟨m⁴⟩ / (3 ⟨m²⟩²)
:func:`susceptibility`      ``χ = V (⟨m²⟩ − ⟨|m|⟩²)``, connected
:func:`jackknife`           binned jackknife mean and error of any
                            function of per-configuration averages
:func:`tau_int`             integrated autocorrelation time (Madras–Sokal
                            window)
:func:`mixing`              how a sampler mixes: τ_int of ``|m|`` and m², and
                            the crossings between the m > 0 and m < 0
                            sectors, from magnetization traces
:func:`observables`         all of the above, each with its error
:func:`metropolis`          exact sampling of a target action with a
                            fitted model as the proposal: independence
                            Metropolis and importance reweighting
==========================  ============================================
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import optimize

__all__ = [
    "binder_cumulant",
    "correlator",
    "effective_mass",
    "jackknife",
    "magnetization",
    "metropolis",
    "mixing",
    "observables",
    "phi2",
    "susceptibility",
    "tau_int",
]


def _check(phi, shape=None):
    """phi as a float64 (n, V) array, and the shape as a tuple (checked)."""
    phi = np.asarray(phi, dtype=np.float64)
    if phi.ndim != 2 or phi.shape[0] < 1:
        raise ValueError(
            f"phi must be a 2-d array of configurations (n_samples, V); got shape "
            f"{phi.shape}."
        )
    if not np.all(np.isfinite(phi)):
        raise ValueError("phi holds NaN or infinite values.")
    if shape is None:
        return phi, (phi.shape[1],)
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    if not 1 <= len(shape) <= 4 or int(np.prod(shape)) != phi.shape[1]:
        raise ValueError(
            f"shape {shape} does not fit configurations of {phi.shape[1]} sites: "
            "give 1 to 4 lattice extents whose product is V."
        )
    return phi, shape


def magnetization(phi):
    """The magnetization m = (1/V) Σ_x φ_x of each configuration.

    Parameters
    ----------
    phi : array-like of shape (n_samples, V)

    Returns
    -------
    m : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import magnetization
    >>> magnetization(np.array([[1.0, 3.0], [-1.0, -1.0]]))
    array([ 2., -1.])
    """
    phi, _ = _check(phi)
    return phi.mean(axis=1)


def phi2(phi):
    """(1/V) Σ_x φ_x² of each configuration (its mean is ⟨φ²⟩).

    Parameters
    ----------
    phi : array-like of shape (n_samples, V)

    Returns
    -------
    p2 : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import phi2
    >>> phi2(np.array([[1.0, 3.0]]))
    array([5.])
    """
    phi, _ = _check(phi)
    return np.mean(phi * phi, axis=1)


def _slices(phi, shape):
    """Time-slice averages S_τ (mean over the other axes), (n, N_0)."""
    return phi.reshape((phi.shape[0], shape[0], -1)).mean(axis=2)


def _slice_products(S):
    """(1/N_t) Σ_τ S_τ S_{τ+t} per configuration, t = 0 .. N_t − 1."""
    F = np.fft.rfft(S, axis=1)
    return np.fft.irfft(F * F.conj(), n=S.shape[1], axis=1) / S.shape[1]


def correlator(phi, shape, *, connected=True):
    """The zero-momentum correlator along axis 0 ("time").

    With S_τ the average of φ over the time slice τ,
    C(t) = (1/N_0) Σ_τ ⟨S_τ S_{τ+t}⟩ − ⟨S⟩² (``connected=True``; the
    disconnected part ⟨S⟩² is 0 for a symmetric ensemble), an average over
    the configurations.  For a free field C(t) ∝ cosh(E (t − N_0/2)).

    Parameters
    ----------
    phi : array-like of shape (n_samples, V)
    shape : int or tuple of 1 to 4 ints
        The lattice extents; axis 0 is time.
    connected : bool, default=True
        Subtract ⟨S⟩².

    Returns
    -------
    C : ndarray of shape (N_0,)

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import correlator
    >>> phi = np.random.default_rng(0).normal(size=(2000, 8))
    >>> C = correlator(phi, 8)
    >>> round(float(C[0]), 1), bool(abs(C[3]) < 0.05)  # white noise
    (1.0, True)
    """
    phi, shape = _check(phi, shape)
    S = _slices(phi, shape)
    C = _slice_products(S).mean(axis=0)
    if connected:
        C = C - S.mean() ** 2
    return C


def effective_mass(C):
    """The cosh effective mass of a periodic correlator.

    For each t < N/2 − 1 it solves
    C(t) / C(t+1) = cosh(m (t − N/2)) / cosh(m (t + 1 − N/2)) for m > 0, the
    mass of a single state propagating both ways round the periodic time
    axis.  NaN where no solution exists (noise, or C changing sign).

    Parameters
    ----------
    C : array-like of shape (N,)
        A correlator on N time slices.

    Returns
    -------
    m_eff : ndarray of shape (N // 2 - 1,)

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import effective_mass
    >>> t = np.arange(16)
    >>> effective_mass(np.cosh(0.3 * (t - 8))).round(6)
    array([0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3])
    """
    C = np.asarray(C, dtype=np.float64)
    N = C.shape[0]
    out = np.full(max(N // 2 - 1, 0), np.nan)
    for t in range(out.shape[0]):
        if not (C[t] > 0 and C[t + 1] > 0):
            continue
        r = C[t] / C[t + 1]
        a, b = t - N / 2, t + 1 - N / 2

        def f(m, a=a, b=b, r=r):
            # log cosh(m a) - log cosh(m b) - log r, overflow-free
            return np.logaddexp(m * a, -m * a) - np.logaddexp(m * b, -m * b) - np.log(r)

        hi = 1.0
        while f(hi) < 0 and hi < 1e3:
            hi *= 2
        if f(1e-12) < 0 < f(hi):
            out[t] = optimize.brentq(f, 1e-12, hi, xtol=1e-14)
    return out


def binder_cumulant(m):
    """The Binder cumulant U = 1 − ⟨m⁴⟩ / (3 ⟨m²⟩²) of magnetizations.

    0 for a Gaussian m (symmetric phase, large volume), 2/3 for m = ±m₀
    (deep in the broken phase).

    Parameters
    ----------
    m : array-like of shape (n_samples,)

    Returns
    -------
    U : float

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import binder_cumulant
    >>> round(binder_cumulant(np.array([1.0, -1.0, 1.0, -1.0])), 4)
    0.6667
    """
    m = np.asarray(m, dtype=np.float64)
    m2 = np.mean(m**2)
    return float(1 - np.mean(m**4) / (3 * m2**2))


def susceptibility(m, volume):
    """The connected susceptibility ``χ = V (⟨m²⟩ − ⟨|m|⟩²)``.

    With ``|m|`` rather than m, which a finite system in the broken phase
    averages to 0 by tunnelling between the two sectors.

    Parameters
    ----------
    m : array-like of shape (n_samples,)
    volume : int
        The number of sites V.

    Returns
    -------
    chi : float

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import susceptibility
    >>> susceptibility(np.array([1.0, -1.0]), volume=64)
    0.0
    """
    m = np.asarray(m, dtype=np.float64)
    return float(volume * (np.mean(m**2) - np.mean(np.abs(m)) ** 2))


def jackknife(data, func=np.mean, *, n_bins=20):
    """Binned jackknife estimate and error of ``func`` of a chain's data.

    The rows (successive configurations) are cut into ``n_bins`` consecutive
    bins; ``func`` is evaluated on all rows and on the rows with one bin
    left out, and the error is √((B − 1)/B Σ_b (f_b − f̄)²).  Bins longer than
    the autocorrelation time make the error honest for a correlated chain.

    Parameters
    ----------
    data : array-like of shape (n_samples, ...) or tuple of such arrays
        Per-configuration values (several arrays are cut alike and passed
        to ``func`` together).
    func : callable, default=np.mean
        Maps the data (the same arrays) to a number or an array.
    n_bins : int, default=20
        Jackknife bins (2 <= n_bins <= n_samples).

    Returns
    -------
    estimate, error : float or ndarray
        ``func`` of all the data and its jackknife error.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import jackknife
    >>> x = np.random.default_rng(0).normal(size=10000)
    >>> est, err = jackknife(x)
    >>> bool(abs(err - 0.01) < 0.003)
    True
    """
    arrays = data if isinstance(data, tuple) else (data,)
    arrays = tuple(np.asarray(a, dtype=np.float64) for a in arrays)
    n = arrays[0].shape[0]
    if any(a.shape[0] != n for a in arrays):
        raise ValueError("the data arrays must have the same number of rows.")
    if not (isinstance(n_bins, numbers.Integral) and 2 <= n_bins <= n):
        raise ValueError(
            f"n_bins must be an integer in [2, n_samples={n}]; got {n_bins!r}."
        )
    edges = np.linspace(0, n, n_bins + 1).astype(int)
    full = np.asarray(func(*arrays))
    leave = []
    for b in range(n_bins):
        keep = np.r_[0 : edges[b], edges[b + 1] : n]
        leave.append(np.asarray(func(*(a[keep] for a in arrays))))
    leave = np.array(leave)
    err = np.sqrt((n_bins - 1) / n_bins * np.sum((leave - leave.mean(0)) ** 2, axis=0))
    if full.ndim == 0:
        return float(full), float(err)
    return full, err


def tau_int(x, *, c=5.0):
    """Integrated autocorrelation time of a chain's observable.

    τ_int = ½ + Σ_{t=1}^{W} ρ(t), with the normalized autocorrelation ρ from
    an FFT and the window W the smallest with W ≥ c τ_int(W) (Madras &
    Sokal 1988).  The variance of the chain's mean is 2 τ_int σ² / n.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The observable, in chain order.
    c : float, default=5.0
        Window factor.

    Returns
    -------
    tau, error : float
        τ_int and its Madras–Sokal error √(2(2W + 1)/n) τ_int.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import tau_int
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros(100000)
    >>> for i in range(1, len(x)):
    ...     x[i] = 0.8 * x[i - 1] + rng.normal()
    >>> tau, err = tau_int(x)     # (1 + 0.8) / (2 (1 - 0.8)) = 4.5
    >>> bool(abs(tau - 4.5) < 3 * err)
    True
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    if x.ndim != 1 or n < 4:
        raise ValueError("x must be a 1-d chain of at least 4 values.")
    d = x - x.mean()
    var = np.mean(d * d)
    if var == 0:
        return 0.5, 0.0
    F = np.fft.rfft(d, n=2 * n)
    acf = np.fft.irfft(F * F.conj(), n=2 * n)[:n] / (n * var)
    tau = 0.5
    W = n - 1
    for t in range(1, n):
        tau += acf[t]
        if t >= c * tau:
            W = t
            break
    tau = max(tau, 0.5)
    return float(tau), float(tau * np.sqrt(2 * (2 * W + 1) / n))


def mixing(m):
    """How a sampler mixes, from the magnetization traces of its chains.

    Parameters
    ----------
    m : array-like of shape (n_sweeps, n_chains)
        The magnetization of each chain after each sweep (e.g. from
        ``sample(v_init=previous, n_steps=1)`` called in a loop).

    Returns
    -------
    diag : dict
        ``tau_int_abs_m`` and ``tau_int_m2``: mean over chains of the
        integrated autocorrelation times of ``|m|`` and m² (in sweeps);
        ``crossings``: mean number of sign changes of m per chain;
        ``chains_crossed``: the fraction of chains that changed sector at
        least once; ``fraction_positive``: the fraction of all (sweep, chain)
        values with m > 0 (½ for a symmetric model that mixes).

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import mixing
    >>> m = np.array([[1.0, 1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    >>> d = mixing(m)
    >>> d["crossings"], d["chains_crossed"]
    (1.0, 0.5)
    """
    m = np.asarray(m, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] < 4:
        raise ValueError("m must be (n_sweeps >= 4, n_chains) magnetizations.")
    sign = np.sign(m)
    changes = np.sum(sign[1:] * sign[:-1] < 0, axis=0)
    return {
        "tau_int_abs_m": float(np.mean([tau_int(np.abs(c))[0] for c in m.T])),
        "tau_int_m2": float(np.mean([tau_int(c * c)[0] for c in m.T])),
        "crossings": float(changes.mean()),
        "chains_crossed": float(np.mean(changes > 0)),
        "fraction_positive": float(np.mean(m > 0)),
    }


def observables(phi, shape, *, n_bins=20):
    """The standard observables of a scalar-field ensemble, with errors.

    Parameters
    ----------
    phi : array-like of shape (n_samples, V)
        Configurations in chain order.
    shape : int or tuple of 1 to 4 ints
        Lattice extents (axis 0 is time).
    n_bins : int, default=20
        Jackknife bins.

    Returns
    -------
    obs : dict
        ``"m"``, ``"abs_m"``, ``"phi2"``, ``"binder"``, ``"chi"``: (value,
        error) pairs; ``"C"``, ``"m_eff"``: (values, errors) arrays;
        ``"tau_int_m"``, ``"tau_int_m2"``: (τ, error) of m and m².

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.lattice import observables
    >>> phi = np.random.default_rng(0).normal(size=(4000, 16))
    >>> obs = observables(phi, (4, 4))
    >>> round(obs["phi2"][0], 1), round(obs["binder"][0], 1)
    (1.0, 0.0)
    """
    phi, shape = _check(phi, shape)
    V = phi.shape[1]
    m = magnetization(phi)
    p2 = phi2(phi)
    S = _slices(phi, shape)
    P = _slice_products(S)
    out = {
        "m": jackknife(m, n_bins=n_bins),
        "abs_m": jackknife(np.abs(m), n_bins=n_bins),
        "phi2": jackknife(p2, n_bins=n_bins),
        "binder": jackknife(m, binder_cumulant, n_bins=n_bins),
        "chi": jackknife(m, lambda a: susceptibility(a, V), n_bins=n_bins),
    }

    def corr(P, S):
        return P.mean(0) - S.mean() ** 2

    out["C"] = jackknife((P, S), corr, n_bins=n_bins)
    out["m_eff"] = jackknife(
        (P, S), lambda P, S: effective_mass(corr(P, S)), n_bins=n_bins
    )
    out["tau_int_m"] = tau_int(m)
    out["tau_int_m2"] = tau_int(m * m)
    return out


def metropolis(estimator, action, n_samples, *, proposals=None, random_state=None,
               **sample_kwargs):  # fmt: skip
    """Sample the target p(φ) ∝ exp(−S(φ)) with a fitted model as the
    proposal: an independence Metropolis chain, and importance weights.

    Proposals φ' are drawn from the model (``estimator.sample``), whose
    unnormalized log-density −F(φ') is exact (its log Z cancels); the chain
    moves from φ to φ' with probability
    min(1, exp[(−S(φ') + F(φ')) − (−S(φ) + F(φ))]).  Whatever the model's
    quality, the chain samples the target exactly when the proposals are
    independent draws of the model (GaussianRBM with Gaussian hidden units
    draws them exactly; otherwise use well-mixed chains, e.g.
    ``method="pt", z2_flips=True``); a poor model only lowers the
    acceptance.  The same proposals reweighted by w ∝ exp(−S + F) give
    self-normalized importance-sampling estimates, with effective sample
    size (Σw)²/Σw².

    Parameters
    ----------
    estimator : fitted skrapid estimator
        The proposal (``free_energy`` and ``sample``).
    action : callable
        S(φ) for an (n, V) array, one value per row.
    n_samples : int
        Proposals (and length of the chain).
    proposals : array-like of shape (n_samples, V), default=None
        Proposals drawn beforehand (default: ``estimator.sample``).
    random_state : int, RandomState instance or None, default=None
    **sample_kwargs
        Passed to ``estimator.sample`` (``n_steps``, ``method``,
        ``z2_flips``).

    Returns
    -------
    result : dict
        ``chain`` (n_samples, V): the Metropolis chain; ``acceptance``;
        ``tau_int``: the chain's integrated autocorrelation time of S;
        ``ess_chain`` = n / (2 τ_int); ``weights``: the normalized importance
        weights of the proposals; ``ess_weights``; ``proposals``.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import GaussianRBM
    >>> from skrapid.lattice import metropolis
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 4))
    >>> rbm = GaussianRBM(n_components=4, random_state=0).fit(X)
    >>> def action(phi):               # the standard normal: what X came from
    ...     return 0.5 * np.sum(phi**2, axis=1)
    >>> res = metropolis(rbm, action, 4000, random_state=0)
    >>> bool(res["acceptance"] > 0.8), round(float(res["chain"].var()), 1)
    (True, 1.0)
    """
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    if proposals is None:
        proposals = estimator.sample(n_samples, random_state=rng, **sample_kwargs)
    P = np.asarray(proposals, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] != n_samples:
        raise ValueError(
            f"proposals must have shape (n_samples={n_samples}, V); got {P.shape}."
        )
    S = np.asarray(action(P), dtype=np.float64).reshape(-1)
    if S.shape[0] != n_samples or not np.all(np.isfinite(S)):
        raise ValueError("action(phi) must return one finite value per row.")
    log_w = -S + np.asarray(estimator.free_energy(P), dtype=np.float64)
    u = np.log(rng.random(n_samples))
    idx = np.empty(n_samples, dtype=np.int64)
    cur = 0
    accepted = 0
    for i in range(n_samples):
        if i and u[i] < log_w[i] - log_w[cur]:
            cur = i
            accepted += 1
        idx[i] = cur
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    tau = tau_int(S[idx])[0] if n_samples >= 4 else 0.5
    return {
        "chain": P[idx],
        "acceptance": accepted / max(n_samples - 1, 1),
        "tau_int": tau,
        "ess_chain": n_samples / (2 * tau),
        "weights": w,
        "ess_weights": float(1 / np.sum(w * w)),
        "proposals": P,
    }
