"""What the RAPID paper's AIS probably was: an inference, demonstrated.

The paper plots NLL curves for a model of ±1 spins without biases (Eq. 1,
App. A) and calls them lower bounds (Fig. 6 caption), but does not say how
its AIS ran.  One way to get its numbers is an AIS whose Gibbs sampler and
base distribution are those of {0, 1} units -- the common RBM code -- applied
to the weights of the ±1 model.  That estimates the partition function of a
*different* model (the same W over {0, 1} states), which on these models is
tens of thousands of nats smaller than the spin model's; combined with the
spin model's free energy it gives NLLs that fall by orders of magnitude and
can go negative, which no correct estimate can (a probability never exceeds
one).  Whether the authors did this is an inference from the numbers, not a
fact; :func:`misapplied_bernoulli_ais` shows what such an AIS reports, next
to the spin model's proven lower bound on log Z and a correct AIS.
"""

from __future__ import annotations

import warnings

import numpy as np


def ais_with_proven_bound(est, *row_sets, method="ais", **ais_kwargs):
    """An AIS estimate of log Z, its diagnostics, and the proven lower bound
    widened to the rows given (log Z ≥ −F(x) for every state x), without the
    :class:`~skrapid.UnreliableEstimateWarning` (the caller records them).

    Returns ``(diagnostics, bound, free_energies)``: the
    :class:`~skrapid.LogZEstimate`, the bound, and F of each row set.
    """
    from ..._diagnostics import UnreliableEstimateWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableEstimateWarning)
        d = est.log_partition_function(method, diagnostics=True, **ais_kwargs)
    fs = [np.asarray(est.free_energy(X), dtype=np.float64) for X in row_sets]
    bound = max([d.lower_bound] + [float(-f.min()) for f in fs if f.size])
    return d, bound, fs


def misapplied_bernoulli_ais(est, X, *, n_chains=100, n_betas=1000, random_state=0):
    """log Z of a ±1 model by a correct AIS and by one run as if its units
    were {0, 1}, next to the proven lower bound, and the NLLs each gives.

    Parameters
    ----------
    est : RARBM or BinaryRBM
        A fitted model with ``units="spin"`` (±1 states).
    X : ndarray of shape (n_samples, n_features)
        Held-out states, ±1.
    n_chains, n_betas, random_state
        AIS settings of both runs.

    Returns
    -------
    result : dict
        ``log_z_spin`` (correct AIS, with its diagnostics' value used),
        ``log_z_bernoulli`` (AIS of the same weights and biases over {0, 1}
        states), ``lower_bound`` (max −F(v) of the spin model over X and the
        correct run's states), the NLLs ``nll_spin`` and ``nll_bernoulli``
        (mean F(x) + log Z), and ``bernoulli_below_bound`` (nats by which
        the misapplied estimate lies below the proven bound).

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import RARBM
    >>> from skrapid.experiments.rapid.ais_units import misapplied_bernoulli_ais
    >>> rng = np.random.default_rng(0)
    >>> S = np.where(rng.random((200, 30)) < 0.3, 1.0, -1.0)
    >>> est = RARBM(**RARBM.PAPER_RECIPE, n_components=40, n_patterns=3,
    ...             max_iter=3, random_state=0).fit(S)
    >>> r = misapplied_bernoulli_ais(est, S, n_chains=20, n_betas=100)
    >>> bool(r["bernoulli_below_bound"] > 0), bool(r["nll_spin"] > 0)
    (True, True)
    """
    from ... import BinaryRBM
    from ..._diagnostics import UnreliableEstimateWarning

    if getattr(est, "units", None) != "spin":
        raise ValueError("misapplied_bernoulli_ais needs a model with units='spin'.")
    right, bound, (f,) = ais_with_proven_bound(
        est, X, n_chains=n_chains, n_betas=n_betas, random_state=random_state
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableEstimateWarning)
        wrong = BinaryRBM(
            n_components=est.n_components, units="bernoulli", random_state=0
        )
        wrong.components_ = np.array(est.components_)
        wrong.intercept_hidden_ = np.array(est.intercept_hidden_)
        wrong.intercept_visible_ = np.array(est.intercept_visible_)
        wrong.n_features_in_ = est.n_features_in_
        wrong._reset_fit_state()
        wrong.visible_mean_ = np.full(est.n_features_in_, 0.5)
        lz_wrong = float(
            wrong.log_partition_function(
                "ais", n_chains=n_chains, n_betas=n_betas, random_state=random_state
            )
        )
    return {
        "log_z_spin": right.log_z,
        "log_z_spin_ess": right.ess,
        "log_z_bernoulli": lz_wrong,
        "lower_bound": bound,
        "bernoulli_below_bound": bound - lz_wrong,
        "nll_spin": float(f.mean() + max(right.log_z, bound)),
        "nll_bernoulli": float(f.mean() + lz_wrong),
    }
