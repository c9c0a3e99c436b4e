"""The baselines every density model must beat: the factorized model for
binary data and the full-covariance Gaussian for real data."""

from numbers import Real

import numpy as np
from sklearn.utils import check_array

#: The two values of each binary unit type.
_UNIT_VALUES = {"bernoulli": (0.0, 1.0), "spin": (-1.0, 1.0)}


# --------------------------------------------------------------------------
# baselines
# --------------------------------------------------------------------------


def factorized_log_likelihood(
    X_train, X_test=None, *, units="auto", smoothing=1.0, per_sample=False
):
    """Held-out log-likelihood of the factorized (independent-unit) model.

    Each unit i is an independent binary variable with P(x_i = high) =
    (n_i + smoothing) / (n + 2 smoothing), n_i the count of ``high`` in the
    training data (Laplace smoothing for ``smoothing=1``).  This is the model
    an RBM with W = 0 and visible biases at the data's log-odds is, so every
    RBM's log-likelihood should be compared with it: an RBM that does not
    beat it has learnt nothing about the correlations.

    Parameters
    ----------
    X_train : array-like of shape (n_samples, n_features)
        Binary training data, {0, 1} or {-1, +1} (means in [low, high] are
        accepted and counted fractionally).
    X_test : array-like of shape (n_test, n_features), default=None
        Binary data to score; None scores ``X_train``.
    units : {"auto", "bernoulli", "spin"}, default="auto"
        State values: {0, 1}, {-1, +1}, or found from the data (spins when
        any value is negative).
    smoothing : float, default=1.0
        Pseudo-count added to both states of every unit (> 0 keeps the
        log-likelihood finite for units constant in the training data).
    per_sample : bool, default=False
        Return log p(x) for every row of ``X_test`` instead of the mean.

    Returns
    -------
    log_likelihood : float or ndarray of shape (n_test,)
        Mean (or per-sample) log p(x) in nats.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.metrics import factorized_log_likelihood
    >>> X = np.array([[0, 1], [0, 1], [1, 1], [0, 0]], dtype=float)
    >>> round(factorized_log_likelihood(X), 4)   # p = (2/6, 4/6)
    -1.1575
    >>> round(factorized_log_likelihood(2 * X - 1), 4)   # the same model on spins
    -1.1575
    """
    if units not in ("auto", "bernoulli", "spin"):
        raise ValueError(f"units must be 'auto', 'bernoulli' or 'spin'; got {units!r}.")
    if not (isinstance(smoothing, Real) and smoothing > 0):
        raise ValueError(f"smoothing must be a positive number; got {smoothing!r}.")
    Xtr = _binary_input(X_train, "X_train")
    Xte = Xtr if X_test is None else _binary_input(X_test, "X_test")
    if Xte.shape[1] != Xtr.shape[1]:
        raise ValueError(
            f"X_test has {Xte.shape[1]} features, X_train has {Xtr.shape[1]}."
        )
    if units == "auto":
        units = "spin" if (Xtr.min() < 0 or Xte.min() < 0) else "bernoulli"
    lo, hi = _UNIT_VALUES[units]
    for name, A in (("X_train", Xtr), ("X_test", Xte)):
        if A.min() < lo or A.max() > hi:
            raise ValueError(
                f"{name} must lie in [{lo:g}, {hi:g}] for units={units!r}; found "
                f"values in [{A.min():g}, {A.max():g}]."
            )
    q_tr = (Xtr - lo) / (hi - lo)  # fraction of 'high'
    q_te = (Xte - lo) / (hi - lo)
    p = (q_tr.sum(axis=0) + smoothing) / (q_tr.shape[0] + 2 * smoothing)
    logp = q_te @ np.log(p) + (1 - q_te) @ np.log1p(-p)
    return logp if per_sample else float(logp.mean())


def gaussian_log_likelihood(X_train, X_test=None, *, reg_covar=1e-6, per_sample=False):
    """Held-out log-likelihood of one full-covariance Gaussian.

    The maximum-likelihood Gaussian of the training data (mean and
    covariance, with ``reg_covar`` added to the diagonal as
    :class:`~sklearn.mixture.GaussianMixture` does), the baseline of every
    model of real data: a Gaussian–Gaussian RBM can at best reach it.

    Parameters
    ----------
    X_train : array-like of shape (n_samples, n_features)
    X_test : array-like of shape (n_test, n_features), default=None
        Data to score; None scores ``X_train``.
    reg_covar : float, default=1e-6
        Non-negative regularization added to the covariance's diagonal.
    per_sample : bool, default=False
        Return log p(x) for every row instead of the mean.

    Returns
    -------
    log_likelihood : float or ndarray of shape (n_test,)
        Mean (or per-sample) log density in nats, in the data's units.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.metrics import gaussian_log_likelihood
    >>> X = np.random.default_rng(0).normal(size=(20000, 2))
    >>> round(gaussian_log_likelihood(X), 2)    # -log(2 pi e) = -2.84
    -2.84
    """
    from sklearn.mixture import GaussianMixture

    Xtr = check_array(X_train, dtype=np.float64, ensure_min_samples=2)
    Xte = Xtr if X_test is None else check_array(X_test, dtype=np.float64)
    gm = GaussianMixture(1, covariance_type="full", reg_covar=reg_covar).fit(Xtr)
    logp = gm.score_samples(Xte)
    return logp if per_sample else float(logp.mean())


def _binary_input(X, name):
    import scipy.sparse as sp

    if sp.issparse(X):
        X = X.toarray()
    return check_array(X, dtype=np.float64, input_name=name)
