"""The RAPID paper's metrics (Pozas-Kerstjens et al. 2021): reconstruction
Hamming distance, exact ground state, Gibbs and method accessibility, weight
singular values."""

from numbers import Integral

import numpy as np
from scipy.special import expit
from sklearn.neural_network import BernoulliRBM
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted

from ._baselines import _UNIT_VALUES

#: Largest layer that :func:`ground_state_energy` enumerates.
MAX_GROUND_STATE_UNITS = 25

# Number of float64 entries of the largest temporary array of the ground-state
# enumeration (2**22 entries = 32 MiB); the chunks of states are sized by it.
_CHUNK_ELEMENTS = 2**22


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _fitted_parameters(estimator):
    """(W, b, c, units) of a fitted estimator, W of shape (V, H), in float64."""
    check_is_fitted(estimator, "components_")
    if isinstance(estimator, BernoulliRBM):
        units = "bernoulli"
    else:
        units = getattr(estimator, "units", None)
    if units not in _UNIT_VALUES:
        raise ValueError(
            "estimator must have units 'bernoulli' or 'spin' (its `units` "
            f"attribute); got units={units!r} for {type(estimator).__name__}."
        )
    W = np.array(estimator.components_, dtype=np.float64).T
    V, H = W.shape
    b = getattr(estimator, "intercept_visible_", None)
    c = getattr(estimator, "intercept_hidden_", None)
    b = np.zeros(V) if b is None else np.asarray(b, dtype=np.float64)
    c = np.zeros(H) if c is None else np.asarray(c, dtype=np.float64)
    if b.shape != (V,) or c.shape != (H,):
        raise ValueError(
            f"estimator has inconsistent parameters: components_ of shape "
            f"{(H, V)}, intercept_visible_ of shape {b.shape} and "
            f"intercept_hidden_ of shape {c.shape}."
        )
    return W, b, c, units


def _check_int(name, value, low, high=None):
    if (
        not isinstance(value, Integral)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        where = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {where}; got {name}={value!r}.")
    return int(value)


def _make_rng(random_state):
    """A NumPy Generator seeded from an int, RandomState or None."""
    rs = check_random_state(random_state)
    return np.random.default_rng(int(rs.randint(0, 2**63 - 1, dtype=np.int64)))


def _sample(units, field, rng):
    """Binary states given their local fields: P(high | x) = sigmoid(x) for
    {0, 1} units, sigmoid(2x) for spins."""
    if units == "spin":
        return np.where(rng.random(field.shape) < expit(2.0 * field), 1.0, -1.0)
    return (rng.random(field.shape) < expit(field)).astype(np.float64)


def _gibbs_sweep(W, b, c, units, v, rng):
    """One block-Gibbs sweep v -> h -> v; returns the new (v, h)."""
    h = _sample(units, v @ W + c, rng)
    v = _sample(units, h @ W.T + b, rng)
    return v, h


def _energy(W, b, c, v, h):
    """E(v, h) = -vᵀ W h - bᵀ v - cᵀ h, one value per row."""
    return -np.einsum("ij,ij->i", v @ W, h) - v @ b - h @ c


def _best_response(units, field):
    """States minimizing -s·field per unit and the minimum, -Σ best(field)."""
    if units == "spin":
        return np.where(field >= 0, 1.0, -1.0), -np.abs(field).sum(axis=-1)
    return (field > 0).astype(np.float64), -np.maximum(field, 0.0).sum(axis=-1)


# --------------------------------------------------------------------------
# reconstruction
# --------------------------------------------------------------------------


def reconstruction_hamming(
    estimator,
    X,
    *,
    n_clamped=None,
    n_repeats=1,
    n_gibbs_steps=1,
    random_state=None,
    clamp=None,
):
    """Mean Hamming distance of images reconstructed from a clamped part.

    The reconstruction test of the RAPID paper (App. C): every image keeps
    its first ``n_clamped`` pixels, all its other pixels are set to 0, and
    the model runs ``n_gibbs_steps`` block-Gibbs sweeps (v -> sampled h ->
    sampled v) with nothing clamped. The score is the fraction of pixels
    of the result that differ from the original image, averaged over the
    images and ``n_repeats`` independent repetitions. 0 is a perfect
    reconstruction; a model that guesses every pixel at random scores 0.5.

    For spin units 0 is the neutral value, half way between -1 and +1. For
    {0, 1} units there is no neutral value and the hidden pixels are set to
    0 as well ("off"), so they are not neutral there.

    Parameters
    ----------
    estimator : BinaryRBM
        A fitted model with ``components_``, ``intercept_visible_``,
        ``intercept_hidden_`` and ``units`` (a fitted
        :class:`~sklearn.neural_network.BernoulliRBM` also works).

    X : array-like of shape (n_samples, n_features)
        Binary images, ±1 for ``units="spin"`` or 0/1 for
        ``units="bernoulli"``, flattened in row-major order.

    n_clamped : int, default=None
        Number of leading pixels that are kept, from 0 to n_features. None
        keeps the first row of a square image, ``sqrt(n_features)`` pixels
        (an error if n_features is not a perfect square).

    n_repeats : int, default=1
        Independent repetitions averaged over.

    n_gibbs_steps : int, default=1
        Gibbs sweeps per reconstruction.

    random_state : int, RandomState instance or None, default=None
        Seeds the sampling (a NumPy Generator of its own; the estimator's
        random stream is not used). Pass an int for reproducible output.

    clamp : array-like of bool, default=None
        Shape (n_features,) or (n_samples, n_features): the pixels kept, for
        all images or per image, instead of the leading
        ``n_clamped`` ones (e.g. the first column of a horizontal-stripes
        image: the line perpendicular to its stripes, as App. C asks).
        Give at most one of ``n_clamped`` and ``clamp``.

    Returns
    -------
    distance : float
        Mean normalized Hamming distance, in [0, 1].

    See Also
    --------
    skrapid.BinaryRBM.gibbs : One Gibbs sweep with the estimator's stream.

    References
    ----------
    A. Pozas-Kerstjens et al., "Efficient training of energy-based models via
    spin-glass control", Mach. Learn.: Sci. Technol. 2, 025026 (2021).


    Examples
    --------
    A model with zero weights knows nothing: it scores about 0.5.

    >>> import numpy as np
    >>> from skrapid import BinaryRBM
    >>> from skrapid.datasets import make_bars
    >>> from skrapid.metrics import reconstruction_hamming
    >>> X = make_bars(4)
    >>> rbm = BinaryRBM(4, units="spin", max_iter=0, random_state=0).fit(X)
    >>> rbm.components_[:] = 0
    >>> d = reconstruction_hamming(rbm, X, n_repeats=20, random_state=0)
    >>> bool(0.45 < d < 0.55)
    True
    """
    W, b, c, units = _fitted_parameters(estimator)
    V = W.shape[0]
    X = check_array(X, dtype=np.float64, input_name="X")
    if X.shape[1] != V:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} has "
            f"{V} visible units."
        )
    lo, hi = _UNIT_VALUES[units]
    bad = (X != lo) & (X != hi)
    if bad.any():
        raise ValueError(
            f"X must be binary with values in {{{lo:g}, {hi:g}}} for "
            f"units={units!r}; found {int(bad.sum())} entries that are neither."
        )
    if clamp is not None:
        if n_clamped is not None:
            raise ValueError("give at most one of n_clamped and clamp.")
        keep = np.asarray(clamp)
        if keep.dtype != bool or keep.shape not in ((V,), X.shape):
            raise ValueError(
                f"clamp must be a boolean array of shape ({V},) or {X.shape}; got "
                f"dtype {keep.dtype} and shape {keep.shape}."
            )
        n_clamped = 0
    else:
        keep = None
    if n_clamped is None:
        side = int(np.sqrt(V) + 0.5)
        if side * side != V:
            raise ValueError(
                "n_clamped=None keeps the first row of a square image, but "
                f"n_features={V} is not a perfect square; pass n_clamped."
            )
        n_clamped = side
    n_clamped = _check_int("n_clamped", n_clamped, 0, V)
    n_repeats = _check_int("n_repeats", n_repeats, 1)
    n_gibbs_steps = _check_int("n_gibbs_steps", n_gibbs_steps, 1)
    rng = _make_rng(random_state)

    start = X.copy()
    if keep is None:
        start[:, n_clamped:] = 0.0
    else:
        start[~np.broadcast_to(keep, X.shape)] = 0.0
    mismatches = 0
    for _ in range(n_repeats):
        v = start
        for _ in range(n_gibbs_steps):
            v, _h = _gibbs_sweep(W, b, c, units, v, rng)
        mismatches += int(np.count_nonzero(v != X))
    return mismatches / (n_repeats * X.size)


# --------------------------------------------------------------------------
# ground state
# --------------------------------------------------------------------------


def ground_state_energy(estimator):
    """Exact minimum of the energy E(v, h) over all joint states.

    The smaller layer is enumerated (at most 25 units). For each of its
    states the other layer's best response is found unit by unit: a spin
    takes the sign of its field f (contributing ``-abs(f)``, +1 when f = 0), a
    {0, 1} unit is on when f > 0 (contributing -max(f, 0)). States are
    enumerated in chunks, so the memory used stays bounded.

    Parameters
    ----------
    estimator : BinaryRBM
        A fitted model with ``components_``, ``intercept_visible_``,
        ``intercept_hidden_`` and ``units``.

    Returns
    -------
    energy : float
        min over (v, h) of ``-vᵀ W h - bᵀ v - cᵀ h``.

    v_ground : ndarray of shape (n_features,)
        Visible states of a ground state.

    h_ground : ndarray of shape (n_components,)
        Hidden states of that ground state.

    Raises
    ------
    ValueError
        If both layers have more than 25 units.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import BinaryRBM
    >>> from skrapid.metrics import ground_state_energy
    >>> X = np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]])
    >>> rbm = BinaryRBM(1, units="spin", max_iter=0).fit(X)
    >>> rbm.components_ = np.array([[2.0, -2.0, 2.0]])
    >>> rbm.intercept_visible_ = np.zeros(3)
    >>> rbm.intercept_hidden_ = np.array([0.5])  # favours h = +1
    >>> energy, v, h = ground_state_energy(rbm)
    >>> energy, v, h
    (-6.5, array([ 1., -1.,  1.]), array([1.]))
    """
    W, b, c, units = _fitted_parameters(estimator)
    V, H = W.shape
    if min(V, H) > MAX_GROUND_STATE_UNITS:
        raise ValueError(
            "ground_state_energy enumerates the smaller layer, which must have "
            f"at most {MAX_GROUND_STATE_UNITS} units; this model has "
            f"n_features={V} visible and n_components={H} hidden units."
        )
    swap = H < V
    if swap:  # enumerate the hidden layer
        W, b, c = W.T, c, b
    n_enum, n_other = W.shape
    lo, hi = _UNIT_VALUES[units]
    n_states = 2**n_enum
    chunk = max(1, min(n_states, _CHUNK_ELEMENTS // max(n_enum, n_other)))
    shifts = np.arange(n_enum - 1, -1, -1, dtype=np.int64)
    best_energy, best_code = np.inf, 0
    for start in range(0, n_states, chunk):
        codes = np.arange(start, min(start + chunk, n_states), dtype=np.int64)
        s = ((codes[:, None] >> shifts) & 1).astype(np.float64)
        if lo != 0.0:
            s *= 2.0
            s -= 1.0
        _, other = _best_response(units, s @ W + c)
        energies = other - s @ b
        i = int(np.argmin(energies))
        if energies[i] < best_energy:
            best_energy, best_code = float(energies[i]), int(codes[i])
    s = ((best_code >> shifts) & 1).astype(np.float64)
    if lo != 0.0:
        s = 2.0 * s - 1.0
    t, _ = _best_response(units, s @ W + c)
    v, h = (t, s) if swap else (s, t)
    W, b, c = (W.T, c, b) if swap else (W, b, c)
    energy = float(_energy(W, b, c, v[None], h[None])[0])
    return energy, v, h


def gibbs_accessibility(
    estimator, *, n_chains=10, n_steps=10, random_state=None, ground_energy=None
):
    """How close short Gibbs chains get to the ground-state energy.

    The test of the RAPID paper (Sec. 5.1.1): ``n_chains`` chains start at
    uniformly random visible states and run ``n_steps`` block-Gibbs sweeps
    (v -> h -> v). The joint energy E(v, h) of each chain's final state (the
    last visible sample and the hidden sample it was drawn from) is
    computed, and the lowest one is divided by the exact ground-state energy
    of :func:`ground_state_energy`. A ratio of 1 means that a chain reached
    the ground state; lower values mean that Gibbs sampling has a hard time
    reaching the low-energy states. The ratio is at most 1, and at least 0
    unless every chain ends at a positive energy.

    Parameters
    ----------
    estimator : BinaryRBM
        A fitted model (its smaller layer must have at most 25 units).

    n_chains : int, default=10
        Number of independent chains.

    n_steps : int, default=10
        Gibbs sweeps per chain.

    random_state : int, RandomState instance or None, default=None
        Seeds the starting states and the sampling. Pass an int for
        reproducible output.

    ground_energy : float, default=None
        The exact ground-state energy, when already known (e.g. from
        :func:`ground_state_energy` of the same weights at another scale:
        without biases E_GS(sW) = s E_GS(W)); None computes it.

    Returns
    -------
    ratio : float
        Lowest final energy of the chains divided by the ground-state energy.

    Raises
    ------
    ValueError
        If the ground-state energy is not negative (the ratio is then
        undefined), or a parameter is invalid.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import BinaryRBM
    >>> from skrapid.metrics import gibbs_accessibility
    >>> X = np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]])
    >>> rbm = BinaryRBM(1, units="spin", fit_intercept=False, max_iter=0).fit(X)
    >>> rbm.components_ = np.array([[5.0, -5.0, 5.0]])
    >>> gibbs_accessibility(rbm, random_state=0)
    1.0
    """
    n_chains = _check_int("n_chains", n_chains, 1)
    n_steps = _check_int("n_steps", n_steps, 1)
    if ground_energy is None:
        ground, _, _ = ground_state_energy(estimator)
    else:
        ground = float(ground_energy)
    if not ground < 0:
        raise ValueError(
            f"The ground-state energy of this model is {ground:g} >= 0, so the "
            "ratio of energies that gibbs_accessibility returns is undefined."
        )
    W, b, c, units = _fitted_parameters(estimator)
    rng = _make_rng(random_state)
    lo, hi = _UNIT_VALUES[units]
    v = np.where(rng.random((n_chains, W.shape[0])) < 0.5, lo, hi)
    for _ in range(n_steps):
        v, h = _gibbs_sweep(W, b, c, units, v, rng)
    lowest = float(_energy(W, b, c, v, h).min())
    return lowest / ground


def method_accessibility(estimator, X=None, *, random_state=None, ground_energy=None):
    """How close the training method's negative-phase states are to the
    ground state.

    The *method accessibility* of the RAPID paper (Sec. 5.1.2): the lowest
    joint energy E(v, h) among the configurations the estimator's negative
    phase employs, divided by the exact ground-state energy
    (:func:`ground_state_energy`). The configurations are

    - CD-k: ``n_gibbs_steps`` block-Gibbs sweeps started at the rows of
      ``X`` (the chains of one update on the batch ``X``; pass the training
      set for those of an epoch);
    - PCD-k: the persistent chains after the last update
      (``persistent_chains_`` and the hidden states ``persistent_hidden_``
      drawn from them);
    - PID (:class:`~skrapid.RARBM` with ``negative_phase="pid"``): the
      binarized patterns (ξ_v, ξ_h) themselves, or, with
      ``n_gibbs_steps = k > 0``, the end states of k sweeps seeded at them.

    Exact gradients employ no configurations, so they have no method
    accessibility.

    Parameters
    ----------
    estimator : BinaryRBM or RARBM
        A fitted model with binary units (its smaller layer must have at most
        25 units unless ``ground_energy`` is given).

    X : array-like of shape (n_samples, n_features), default=None
        Starting states of the CD chains; required for CD and unused
        otherwise.

    random_state : int, RandomState instance or None, default=None
        Seeds the Gibbs sweeps (CD, and PID with k > 0).

    ground_energy : float, default=None
        The exact ground-state energy, when already known; None computes it.

    Returns
    -------
    ratio : float
        Lowest energy of the negative-phase configurations divided by the
        ground-state energy (at most 1).

    Raises
    ------
    ValueError
        For exact gradients, for PCD before any training update, for CD
        without ``X``, or if the ground-state energy is not negative.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import RARBM
    >>> from skrapid.metrics import method_accessibility
    >>> X = np.array([[1.0, -1.0, 1.0, -1.0], [-1.0, 1.0, -1.0, 1.0]])
    >>> ra = RARBM(**RARBM.PAPER_RECIPE, n_components=10, n_patterns=1,
    ...            max_iter=0, random_state=0).fit(X)
    >>> method_accessibility(ra)  # one pattern: it is the ground state
    1.0
    """
    W, b, c, units = _fitted_parameters(estimator)
    method = getattr(estimator, "negative_phase", None) or getattr(
        estimator, "method", None
    )
    k = int(getattr(estimator, "n_gibbs_steps", 1))
    rng = _make_rng(random_state)
    if method == "exact":
        raise ValueError(
            "exact gradients employ no negative-phase configurations, so the "
            "method accessibility is undefined for method='exact'."
        )
    if method == "pid":
        lo, hi = _UNIT_VALUES[units]
        v = np.where(np.asarray(estimator.patterns_visible_) >= 0, hi, lo)
        h = np.where(np.asarray(estimator.patterns_hidden_) >= 0, hi, lo)
        for _ in range(k):
            v, h = _gibbs_sweep(W, b, c, units, v, rng)
    elif method == "pcd":
        v = getattr(estimator, "persistent_chains_", None)
        h = getattr(estimator, "persistent_hidden_", None)
        if v is None or h is None:
            raise ValueError(
                "this PCD model has no persistent chains yet: train it for at "
                "least one update before measuring its method accessibility."
            )
        v, h = np.asarray(v, dtype=np.float64), np.asarray(h, dtype=np.float64)
    elif method == "cd":
        if X is None:
            raise ValueError(
                "CD chains start at the data: pass X (e.g. the training set)."
            )
        v = check_array(X, dtype=np.float64)
        if v.shape[1] != W.shape[0]:
            raise ValueError(
                f"X has {v.shape[1]} features, but the model has {W.shape[0]}."
            )
        for _ in range(k):
            v, h = _gibbs_sweep(W, b, c, units, v, rng)
    else:
        raise ValueError(
            f"cannot tell the negative phase of {type(estimator).__name__} "
            f"(method={method!r})."
        )
    if ground_energy is None:
        ground, _, _ = ground_state_energy(estimator)
    else:
        ground = float(ground_energy)
    if not ground < 0:
        raise ValueError(
            f"The ground-state energy of this model is {ground:g} >= 0, so the "
            "ratio of energies that method_accessibility returns is undefined."
        )
    return float(_energy(W, b, c, v, h).min()) / ground


# --------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------


def weight_singular_values(estimator):
    """Singular values of the weight matrix, in decreasing order.

    Parameters
    ----------
    estimator : BinaryRBM
        A fitted model with ``components_``.

    Returns
    -------
    s : ndarray of shape (min(n_components, n_features),)
        Singular values of ``components_`` (float64), largest first.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import BinaryRBM
    >>> from skrapid.metrics import weight_singular_values
    >>> X = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
    >>> rbm = BinaryRBM(2, max_iter=0, random_state=0).fit(X)
    >>> rbm.components_ = np.array([[3.0, 0.0, 0.0], [0.0, 4.0, 0.0]])
    >>> weight_singular_values(rbm)
    array([4., 3.])
    """
    check_is_fitted(estimator, "components_")
    W = np.asarray(estimator.components_, dtype=np.float64)
    return np.linalg.svd(W, compute_uv=False)
