"""Scoring of the skrapid estimators: free energy, normalized
log-likelihoods, and the log partition function with its cache."""

from __future__ import annotations

import hashlib
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _backend as B
from ._diagnostics import LogZEstimate, assess, warn_if_unreliable
from ._partition import (
    AUTO_EXACT_UNITS,
    adaptive_betas,
    ais_log_partition,
    base_rate_bias,
    default_betas,
    enumerable_units,
    exact_log_partition,
)
from ._progress import ProgressReporter
from ._sampling import gibbs_chain, random_states
from ._validation import _by_rows


class _ScoringMixin:
    """``free_energy``, ``score_samples``, ``score`` and
    ``log_partition_function``, with log Z cached per parameter fingerprint
    (``_logz_cache``, emptied by training).

    Hooks: ``_exact_log_z`` (log Z without sampling), ``_compute_log_z``
    (which method ``"auto"`` picks) and ``_fingerprint_attrs`` (the fitted
    attributes log Z depends on).  Needs ``_prepare``, ``_fitted_model``,
    ``_validate_X`` (:class:`~skrapid._validation._ValidationMixin`),
    ``_signature``, ``_check_signature``, ``_device_rng`` and
    ``_to_model_space``.
    """

    _fingerprint_attrs = ("components_", "intercept_visible_", "intercept_hidden_")

    @B.with_blas_policy
    def free_energy(self, X):
        """Free energy F(v), with p(v) = exp(-F(v)) / Z.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Visible data (sparse as in :meth:`fit`).

        Returns
        -------
        F : ndarray of shape (n_samples,)

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, max_iter=5, random_state=0).fit(X)
        >>> log_z = rbm.log_partition_function("exact")
        >>> bool(np.allclose(-rbm.free_energy(X) - log_z, rbm.score_samples(X)))
        True
        """
        Xd, model, xp = self._prepare(X)
        fe = _by_rows(model.free_energy, Xd)
        shift = self._free_energy_shift()
        if shift:
            fe = fe + fe.dtype.type(shift)
        return B.like_input(fe, X)

    @B.with_blas_policy
    def score_samples(self, X):
        """Normalized log-likelihood log p(x) in nats, one value per sample.

        log p(x) = -F(x) - log Z, with log Z from :meth:`log_partition_function`:
        the most recent value computed for the current parameters is reused
        (so calling ``log_partition_function(method="ais", n_betas=...)`` first
        chooses the estimator), otherwise ``method="auto"``.  When that runs
        AIS (tens of seconds on MNIST-sized models), ``verbose >= 1`` shows
        its progress (a tqdm bar when tqdm is installed); ``verbose=0``
        prints nothing.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            States of the visible units (binary for binary units; sparse as
            in :meth:`fit`).

        Returns
        -------
        log_p : ndarray of shape (n_samples,)

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, method="exact", learning_rate=0.5,
        ...                 max_iter=200, random_state=0).fit(X)
        >>> p = np.exp(rbm.score_samples(np.array([[0, 1, 1], [1, 0, 0], [1, 1, 1.0]])))
        >>> bool(p[0] + p[1] > 0.9 and p[2] < 0.01)   # the mass is on the data
        True
        """
        Xd, model, xp = self._prepare(X, likelihood=True)
        fe = _by_rows(model.free_energy, Xd).astype(xp.float64)
        fe += self._free_energy_shift()
        log_z = self._checked_log_z(model, fe, xp)
        log_p = -fe - log_z
        if not bool(xp.isfinite(log_p).all()):
            raise ValueError(
                "log p(x) is not finite for some rows of X: they lie so far from "
                "the training data that their energy overflows. Check that X is "
                "scaled and encoded as the training data were."
            )
        return B.like_input(log_p, X)

    @B.with_blas_policy
    def score(self, X, y=None):
        """Mean log-likelihood per sample (nats), the mean of :meth:`score_samples`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            States of the visible units (sparse as in :meth:`fit`).
        y : None
            Ignored.

        Returns
        -------
        score : float

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, method="exact", learning_rate=0.5,
        ...                 max_iter=200, random_state=0).fit(X)
        >>> bool(rbm.score(X) > 3 * np.log(0.5))   # beats a uniform model
        True
        """
        return float(B.to_numpy(self.score_samples(X)).mean())

    # ------------------------------------------------------------------
    # partition function
    # ------------------------------------------------------------------
    def _param_fingerprint(self):
        h = hashlib.blake2b(digest_size=16)
        h.update(repr(sorted(self._signature().items())).encode())
        for name in self._fingerprint_attrs:
            a = np.ascontiguousarray(B.to_numpy(getattr(self, name)))
            h.update(a.dtype.str.encode())
            h.update(a.tobytes())
        return h.hexdigest()

    def _cached_log_z(self, model):
        cache = getattr(self, "_logz_cache", None)
        fp = self._param_fingerprint()
        if cache and cache.get("fingerprint") == fp:
            return cache["log_z"]
        return self._compute_log_z(model, "auto", {}, None)[0]

    def _ais_progress(self, progress, method):
        """The ``progress(done, total)`` callback of an AIS run: None (no
        output) unless ``progress`` is true, or None and ``verbose >= 1``; a
        callable is used as it is; otherwise a :class:`ProgressReporter`
        (a tqdm bar, or plain lines without tqdm)."""
        if progress is None:
            progress = bool(self.verbose)
        if callable(progress):
            return progress
        if not progress:
            return None
        what = "reverse AIS" if method == "reverse_ais" else "AIS"
        return ProgressReporter(f"[{type(self).__name__}] {what} log Z")

    def _exact_log_z(self, model):
        """log Z without sampling (enumeration; closed form where one exists)."""
        return exact_log_partition(model)

    def _compute_log_z(self, model, method, ais_kwargs, random_state):
        if method == "auto":
            m = enumerable_units(model)
            method = "exact" if m is not None and m <= AUTO_EXACT_UNITS else "ais"
        self._reverse_start = None
        if method == "exact":
            log_z, std = self._exact_log_z(model), 0.0
            result = None
        else:
            n_chains = ais_kwargs.get("n_chains", 100)
            n_betas = ais_kwargs.get("n_betas", 10000)
            rng = self._device_rng(model.xp, random_state)
            base = base_rate_bias(
                model.vis,
                ais_kwargs.get("data_mean", getattr(self, "visible_mean_", None)),
                model.n_visible,
                model.dtype,
            )
            v_init = None
            if method == "reverse_ais":
                v_init = self._reverse_ais_start(model, n_chains, ais_kwargs, rng)
            progress = self._ais_progress(ais_kwargs.get("progress"), method)
            if ais_kwargs.get("schedule", "default") == "adaptive":
                betas = adaptive_betas(model, base, n_betas, rng)
            else:
                betas = default_betas(n_betas)
            try:
                result = ais_log_partition(
                    model,
                    base_bias=base,
                    n_chains=n_chains,
                    betas=betas,
                    rng=rng,
                    reverse=method == "reverse_ais",
                    v_init=v_init,
                    progress=progress,
                )
            finally:
                if isinstance(progress, ProgressReporter):
                    progress.close()
            log_z, std = result.log_z, result.std
        fp = self._param_fingerprint()
        old = getattr(self, "_logz_cache", None) or {}
        # the other AIS direction of the same parameters, kept for the bracket
        kept = {
            k: old[k]
            for k in ("ais", "reverse_ais")
            if k != method and k in old and old.get("fingerprint") == fp
        }
        est = self._diagnose(model, method, log_z, std, result, kept)
        self._logz_cache = {
            "fingerprint": fp,
            "log_z": est.log_z,
            "std": std,
            "method": method,
            "result": result,
            "estimate": est,
            method: est,
            **kept,
        }
        self.log_z_diagnostics_ = est
        return est.log_z, std, result

    def _diagnose(self, model, method, log_z, std, result, other=None):
        """The :class:`~skrapid._diagnostics.LogZEstimate` of an estimate:
        its proven lower bound (over the AIS states and the model's own
        states: persistent chains, patterns), the bracket with the other AIS
        direction of the same parameters (``other``: method -> estimate),
        and the assessment."""
        est = LogZEstimate(log_z=log_z, method=method, estimate=log_z, std=std)
        if result is not None:
            est.ess, est.n_chains = result.ess, len(result.log_weights)
            est.lower_bound = result.lower_bound
            est.n_bound_states = result.n_bound_states
            est.reverse_start = self._reverse_start
            bound, count = self._model_states_bound(model)
            if count:
                est.lower_bound = max(est.lower_bound, bound)
                est.n_bound_states += count
            pair = (other or {}).get("reverse_ais" if method == "ais" else "ais")
            if pair is not None:
                fwd, rev = (log_z, pair.estimate)[:: 1 if method == "ais" else -1]
                est.bracket = (fwd, rev)
                est.lower_bound = max(est.lower_bound, pair.lower_bound)
        return assess(est)

    def _free_energy_shift(self):
        """Constant added to the model's free energy of the input's units:
        log |∂z/∂x|⁻¹ of the map of the input into the model's variables
        (0 unless :meth:`_to_model_space` rescales them)."""
        return 0.0

    def _bound_states(self):
        """Visible states (model space, NumPy) the model keeps, whose −F
        bound log Z from below: the persistent chains (and RAPID's pattern
        states, :class:`~skrapid.RARBM`)."""
        pc = getattr(self, "persistent_chains_", None)
        return [] if pc is None else [B.to_numpy(pc)]

    def _model_states_bound(self, model):
        """(max −F, count) over :meth:`_bound_states` (-inf, 0 when the
        visible layer is continuous or there are none)."""
        if not model.vis.discrete:
            return -np.inf, 0
        best, count = -np.inf, 0
        for V in self._bound_states():
            if V is None or not len(V):
                continue
            Vd = B.to_device(V, model.xp, model.dtype)
            neg_f = -model.free_energy(Vd).astype(model.xp.float64)
            best = max(best, float(B.to_numpy(neg_f.max())))
            count += V.shape[0]
        return best, count

    def _checked_log_z(self, model, fe, xp):
        """log Z for scoring rows with free energies ``fe``: the cached or
        newly computed estimate, raised to the rows' own proven bound
        (log p(x) ≤ 0 for every state of a discrete model), with a warning
        when the estimate is unreliable."""
        log_z = self._cached_log_z(model)
        est = (getattr(self, "_logz_cache", None) or {}).get("estimate")
        if est is None or not model.vis.discrete or not fe.shape[0]:
            warn_if_unreliable(est, type(self).__name__, stacklevel=5)
            return log_z
        rows_bound = float(B.to_numpy(xp.max(-fe)))
        if rows_bound > est.lower_bound:
            est = LogZEstimate(**{**vars(est), "problems": []})
            est.lower_bound = rows_bound
            est.n_bound_states += fe.shape[0]
            assess(est)
            self.log_z_diagnostics_ = est
        warn_if_unreliable(est, type(self).__name__, stacklevel=5)
        return est.log_z

    #: Replicas of the parallel tempering that starts reverse AIS.
    _REVERSE_PT_TEMPERATURES = 10

    def _reverse_ais_start(self, model, n_chains, kw, rng):
        """Start states of reverse AIS, as a function of a chunk of chains
        (run chunk by chunk inside the annealing, so memory stays bounded
        whatever ``n_chains`` is): samples of the model.

        Binary visible units: ``n_burn_in`` rounds of parallel tempering
        from the base-rate model (``_REVERSE_PT_TEMPERATURES`` replicas),
        which reach the modes that Gibbs chains of a sharp model never
        leave.  With ``X``: ``n_burn_in`` Gibbs sweeps from those rows (the
        caller's stated choice; recorded as ``reverse_start="data"``).
        Otherwise Gibbs sweeps from the persistent chains or random states.
        """
        xp = model.xp
        X = kw.get("X")
        n_burn_in = kw.get("n_burn_in", 1000)
        if X is None and model.vis.discrete:
            self._reverse_start = "pt"

            def start_states(start, stop):
                return self._sample_tempered(
                    model,
                    xp,
                    stop - start,
                    n_burn_in,
                    self._REVERSE_PT_TEMPERATURES,
                    rng,
                    None,
                )

            return start_states
        if X is not None:
            self._reverse_start = "data"
            X = self._validate_X(X, reset=False)
            idx = check_random_state(0).randint(0, X.shape[0], n_chains)
            if B.issparse(X):  # one chunk of rows made dense at a time

                def seeds(start, stop):
                    return B.to_device(X[idx[start:stop]].toarray(), xp, model.dtype)

            else:
                X = self._to_model_space(B.to_device(X, xp, model.dtype), xp)

                def seeds(start, stop):
                    return X[B.to_device(idx[start:stop], xp)]

        elif getattr(self, "persistent_chains_", None) is not None:
            self._reverse_start = "persistent chains"
            pc = B.to_numpy(self.persistent_chains_)

            def seeds(start, stop):
                rows = np.arange(start, stop) % pc.shape[0]
                return B.to_device(pc[rows], xp, model.dtype)

        else:
            self._reverse_start = "random states"

            def seeds(start, stop):
                return random_states(
                    model.vis, xp, (stop - start, model.n_visible), model.dtype, rng
                )

        def start_states(start, stop):
            v, _ = gibbs_chain(model, seeds(start, stop), n_burn_in, rng)
            return v

        return start_states

    @B.with_blas_policy
    def log_partition_function(
        self,
        method="auto",
        *,
        n_chains=100,
        n_betas=10000,
        X=None,
        n_burn_in=1000,
        return_std=False,
        random_state=None,
        progress=None,
        schedule="default",
        diagnostics=False,
    ):
        """Log partition function log Z of the fitted model.

        Parameters
        ----------
        method : {"auto", "exact", "ais", "reverse_ais"}, default="auto"
            ``"exact"`` enumerates the smaller layer (at most 25 units; chunked
            so memory stays bounded).  ``"ais"`` is annealed importance sampling
            from a base-rate model matched to the training data's marginals
            (Salakhutdinov & Murray 2008): its estimate errs *low* on average,
            so log-likelihoods computed with it err high.  ``"reverse_ais"``
            anneals from model samples back to the base rate (Burda et al.
            2015): it errs *high* when the starting samples are good, so the
            two bracket log Z.  ``"auto"`` is exact when the smaller layer has
            at most 20 units and AIS otherwise.
        n_chains : int, default=100
            AIS runs (importance weights).
        n_betas : int, default=10000
            Number of intermediate inverse temperatures.
        X : {array-like, sparse matrix} of shape (n_samples, n_features), \
                default=None
            For ``"ais"``: data whose marginals define the base-rate model
            (default: the training data's, stored as ``visible_mean_``).  For
            ``"reverse_ais"``: rows that seed ``n_burn_in`` Gibbs sweeps whose
            end points start the reverse annealing -- a stated choice, since
            data rows are not samples of the model (recorded as
            ``reverse_start="data"``).  Without X, reverse AIS starts from
            samples of the model: ``n_burn_in`` rounds of parallel tempering
            (10 replicas) for binary visible units.
        n_burn_in : int, default=1000
            Rounds of parallel tempering (or Gibbs sweeps) before reverse AIS
            starts.
        return_std : bool, default=False
            Also return the standard error of the estimate (0 for exact).
        random_state : int, RandomState instance or None, default=None
            Seed of the AIS chains; None uses the estimator's ``random_state_``.
        progress : bool or callable, default=None
            Show how far AIS got (it takes seconds to minutes): a ``tqdm.auto``
            bar on standard error when tqdm is installed (``pip install
            skrapid[progress]``), plain lines every 10 % of the temperatures
            otherwise.  None: on when the estimator's ``verbose >= 1`` (so
            nothing is printed by default; ``score`` and ``score_samples``,
            which compute log Z on first use, follow ``verbose`` too).  A
            callable is called as ``progress(done, total)`` every few hundred
            temperatures and at the end (``done == total``).  Exact
            enumeration reports nothing.
        schedule : {"default", "adaptive"}, default="default"
            Spacing of the AIS temperatures.  ``"default"``: Salakhutdinov &
            Murray's fixed proportions (finer near β = 1).  ``"adaptive"``
            (binary units): placed by a short pilot run, dense where the
            importance weights change fast (see
            :func:`skrapid._partition.adaptive_betas`); ``skrapid bench
            ais-schedule`` measures which reaches a given standard error
            sooner.

        diagnostics : bool, default=False
            Return the estimate's :class:`~skrapid.LogZEstimate` instead of
            the number: the value used, the estimator's own value, its
            standard error, the effective sample size of the importance
            weights, the proven lower bound (max −F(v) over the states
            visited), the forward/reverse bracket when both ran for these
            parameters, and the problems found.  The last one is also kept
            as ``log_z_diagnostics_``.

        Returns
        -------
        log_z : float
            The estimate, or the proven lower bound when that is higher (an
            :class:`~skrapid.UnreliableEstimateWarning` then says so).
        std : float
            Only when ``return_std=True``.

        Warns
        -----
        UnreliableEstimateWarning
            When the estimate lies below its proven lower bound, its
            importance weights have an effective sample size below 10 % of
            the chains, or forward and reverse AIS differ by more than 1 nat
            (see :mod:`skrapid._diagnostics` and the log-likelihood guide).

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, max_iter=5, random_state=0).fit(X)
        >>> exact = rbm.log_partition_function("exact")
        >>> lz, se = rbm.log_partition_function("ais", n_betas=500,
        ...                                      return_std=True, random_state=0)
        >>> bool(abs(lz - exact) < max(5 * se, 0.05))
        True
        """
        if method not in ("auto", "exact", "ais", "reverse_ais"):
            raise ValueError(
                "method must be 'auto', 'exact', 'ais' or 'reverse_ais'; "
                f"got {method!r}."
            )
        for name, val, low in (
            ("n_chains", n_chains, 2),
            ("n_betas", n_betas, 3),
            ("n_burn_in", n_burn_in, 0),
        ):
            if not isinstance(val, Integral) or isinstance(val, bool) or val < low:
                raise ValueError(f"{name} must be an integer >= {low}; got {val!r}.")
        if not (
            progress is None
            or callable(progress)
            or isinstance(progress, bool | np.bool_)
        ):
            raise ValueError(
                f"progress must be None, a bool or a callable; got {progress!r}."
            )
        if not isinstance(diagnostics, bool | np.bool_):
            raise ValueError(f"diagnostics must be True or False; got {diagnostics!r}.")
        if schedule not in ("default", "adaptive"):
            raise ValueError(
                f"schedule must be 'default' or 'adaptive'; got {schedule!r}."
            )
        check_is_fitted(self, "components_")
        self._check_signature()
        model, xp = self._fitted_model()
        kw = {"n_chains": n_chains, "n_betas": n_betas, "n_burn_in": n_burn_in}
        kw["schedule"] = schedule
        kw["progress"] = progress
        if X is not None and method == "ais":
            Xv = self._validate_X(X, reset=False)
            if B.issparse(Xv):
                kw["data_mean"] = B.column_mean(Xv, np)
            else:  # the mean is taken where X lives: one transfer
                xp_x = B.get_namespace(Xv)
                Xv = self._to_model_space(Xv, xp_x)
                kw["data_mean"] = B.column_mean(Xv, xp_x)
        elif X is not None:
            kw["X"] = X
        log_z, std, _ = self._compute_log_z(model, method, kw, random_state)
        est = self.log_z_diagnostics_
        warn_if_unreliable(est, type(self).__name__, stacklevel=4)
        if diagnostics:
            return est
        return (log_z, std) if return_std else log_z
