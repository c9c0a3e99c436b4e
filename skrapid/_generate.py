"""Sampling from the fitted skrapid estimators: Gibbs sweeps, chains and
parallel tempering over the visible layer, draws of the hidden layer.

The samplers themselves (Gibbs chains, tempered replicas) are in
:mod:`skrapid._sampling`; this is the estimators' API over them.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import _backend as B
from ._partition import base_rate_bias
from ._sampling import (
    TemperedChains,
    check_flippable,
    flip_move,
    gibbs_chain,
    gibbs_from_hidden_field,
    random_states,
)
from ._validation import _by_rows, check_memory

#: Values (rows x widest layer x replicas) of one block of sampling chains.
_SAMPLE_BLOCK_VALUES = 2**21


def _sample_block(n_visible, n_hidden, copies=1):
    """Rows of chains run at once by ``sample`` (16 MiB of float64 per
    state array of the widest layer, at least 256 rows)."""
    return max(256, _SAMPLE_BLOCK_VALUES // (max(n_visible, n_hidden) * copies))


def check_sample_request(n_samples, n_steps, n_features, itemsize, *, v_rows=None,
                         copies=1):  # fmt: skip
    """Validate ``sample``'s sizes before anything is allocated; returns the
    number of chains.

    ``n_samples`` is a positive integer (not a bool), or None: 1, or the rows
    of ``v_init`` (``v_rows``), which it must equal when both are given.
    ``n_steps`` is a non-negative integer.  The chains' states
    (``copies`` x n_samples x n_features values, ``copies`` replicas for
    parallel tempering) must fit in half the machine's memory: a request that
    cannot is refused with the size it needs, not left to NumPy's MemoryError.
    """
    if n_samples is not None and (
        not isinstance(n_samples, Integral)
        or isinstance(n_samples, bool)
        or n_samples < 1
    ):
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
    if v_rows is not None:
        if n_samples is not None and n_samples != v_rows:
            raise ValueError(
                f"n_samples={n_samples} but v_init has {v_rows} rows: one chain "
                "starts at each row of v_init. Leave n_samples out, or pass "
                f"{n_samples} rows."
            )
        n_samples = v_rows
    n_samples = 1 if n_samples is None else int(n_samples)
    if not isinstance(n_steps, Integral) or isinstance(n_steps, bool) or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer; got {n_steps!r}.")
    need = float(n_samples) * n_features * itemsize * copies
    check_memory(
        need,
        f"sample({n_samples}) ({copies} x {n_samples} x {n_features} chain values)",
        lambda f: (
            f"Draw at most about {max(1, int(n_samples * f))} samples per "
            "call, and call it again for more."
        ),
    )
    return n_samples


class _SamplingMixin:
    """``sample_hidden``, ``gibbs`` and ``sample`` (block-Gibbs chains or
    parallel tempering).

    Needs ``_prepare``, ``_fitted_model``
    (:class:`~skrapid._validation._ValidationMixin`), ``_device_rng`` and
    ``_from_model_space``.
    """

    @B.with_blas_policy
    def sample_hidden(self, X, *, random_state=None):
        """Hidden states drawn from P(h | v), one per row of X.

        The RAPID paper's probe (Sec. 5.2) fits a classifier on such samples
        rather than on the conditional means that :meth:`transform` returns.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Visible data (sparse as in :meth:`fit`).
        random_state : int, RandomState instance or None, default=None
            Seed of the draws; None continues the estimator's own stream.

        Returns
        -------
        H : ndarray of shape (n_samples, n_components)
            Hidden states ({0, 1} or ±1, as the hidden units).


        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 5, dtype=float)
        >>> rbm = BinaryRBM(n_components=4, max_iter=2, random_state=0).fit(X)
        >>> h = rbm.sample_hidden(X, random_state=0)
        >>> h.shape, np.unique(h).tolist()
        ((10, 4), [0.0, 1.0])
        """
        Xd, model, xp = self._prepare(X)
        rng = self._device_rng(xp, random_state)
        h = model.hid.sample(xp, _by_rows(model.hidden_field, Xd), rng)
        return B.like_input(h, X)

    # ------------------------------------------------------------------
    # sampling
    # ------------------------------------------------------------------
    @B.with_blas_policy
    def gibbs(self, v):
        """One Gibbs sweep v -> h -> v from the given visible states.

        Parameters
        ----------
        v : {array-like, sparse matrix} of shape (n_samples, n_features)
            Visible states (sparse as in :meth:`fit`).

        Returns
        -------
        v_new : ndarray of shape (n_samples, n_features)
            Visible states sampled after one sweep.

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, max_iter=5, random_state=0).fit(X)
        >>> v = rbm.gibbs(X[:4])
        >>> v.shape, sorted(np.unique(v).tolist()) in ([0.0], [1.0], [0.0, 1.0])
        ((4, 3), True)
        """
        Xd, model, xp = self._prepare(v)
        rng = self._device_rng(xp)
        if B.issparse(Xd):  # the same draws as gibbs_chain from dense rows
            field_h = _by_rows(model.hidden_field, Xd)
            out, _ = gibbs_from_hidden_field(model, field_h, 1, rng)
        else:
            out, _ = gibbs_chain(model, Xd, 1, rng)
        return B.like_input(self._from_model_space(out, xp), v)

    @B.with_blas_policy
    def sample(
        self,
        n_samples=None,
        *,
        n_steps=1000,
        v_init=None,
        method="gibbs",
        n_temperatures=10,
        z2_flips=False,
        random_state=None,
    ):
        """Draw visible samples by block-Gibbs sampling or parallel tempering.

        Parameters
        ----------
        n_samples : int, default=None
            Number of independent chains, one sample each; None: 1, or one
            per row of ``v_init`` (a different number with ``v_init`` is an
            error).  A request whose chains would not fit in half the
            machine's memory raises ``MemoryError`` with the largest size
            that does, before anything is allocated.
        n_steps : int, default=1000
            Gibbs sweeps per chain (with ``method="pt"``: sweeps of every
            replica, each followed by a round of swap moves).
        v_init : {array-like, sparse matrix} of shape (n_samples, n_features), \
                default=None
            Starting states; default uniformly random states (for
            ``method="pt"``, exact samples of the base-rate model).  Sparse
            as in :meth:`fit` (made dense: the chains' states are).
        method : {"gibbs", "pt"}, default="gibbs"
            ``"gibbs"``: independent block-Gibbs chains.  ``"pt"``: parallel
            tempering, ``n_temperatures`` replicas of the chains on the path
            from the base-rate model of the training data (β = 0) to the
            model (β = 1), with swap moves between neighbours; the β = 1
            replica is returned.  PT mixes between modes that Gibbs chains
            of a sharp model never leave.
        n_temperatures : int, default=10
            Replicas of ``method="pt"`` (at least 2).
        z2_flips : bool, default=False
            After every sweep, propose (with probability ½) the global flip
            v → −v of each chain (of every replica with PT), accepted with
            probability min(1, exp(F(v) − F(−v))) at the chain's temperature
            (:func:`~skrapid._sampling.flip_move`): exact for
            any model, always accepted when the model is symmetric, and the
            move that carries chains between the m > 0 and m < 0 sectors of
            a broken phase.  Layers whose states are symmetric about 0 only
            (spins, Gaussian and φ⁴ units; GaussianRBM flips about
            ``mean_``).
        random_state : int, RandomState instance or None, default=None
            Seed; None advances the estimator's ``random_state_``.

        Returns
        -------
        V : ndarray of shape (n_samples, n_features)

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, method="exact", learning_rate=0.5,
        ...                 max_iter=200, random_state=0).fit(X)
        >>> S = rbm.sample(200, n_steps=100, random_state=0)
        >>> S.shape, bool(np.mean((S == X[0]).all(1) | (S == X[1]).all(1)) > 0.5)
        ((200, 3), True)
        >>> S = rbm.sample(200, n_steps=100, method="pt", random_state=0)
        >>> bool(np.mean((S == X[0]).all(1) | (S == X[1]).all(1)) > 0.5)
        True
        """
        check_is_fitted(self, "components_")
        if method not in ("gibbs", "pt"):
            raise ValueError(f"method must be 'gibbs' or 'pt'; got {method!r}.")
        if method == "pt" and (
            not isinstance(n_temperatures, Integral)
            or isinstance(n_temperatures, bool)
            or n_temperatures < 2
        ):
            raise ValueError(
                f"n_temperatures must be an integer >= 2; got {n_temperatures!r}."
            )
        copies = n_temperatures if method == "pt" else 1
        itemsize = B.numpy_dtype(self.components_).itemsize
        V = self.components_.shape[1]
        if v_init is not None:
            rows = getattr(v_init, "shape", (None,))[0]
            if rows is None:
                rows = len(v_init)
            check_sample_request(n_samples, n_steps, V, itemsize, v_rows=rows,
                                 copies=copies)  # fmt: skip
            Xd, model, xp = self._prepare(v_init)
            if B.issparse(Xd):  # the chains' states: as large as the output
                Xd = Xd.toarray()
            n_samples = Xd.shape[0]
        else:
            n_samples = check_sample_request(n_samples, n_steps, V, itemsize,
                                             copies=copies)  # fmt: skip
            model, xp = self._fitted_model()
        rng = self._device_rng(xp, random_state)
        v0 = None if v_init is None else Xd

        def draw(lo, hi):
            """The chains of rows lo:hi (independent of the others)."""
            start = None if v0 is None else v0[lo:hi]
            if method == "pt":
                return self._sample_tempered(model, xp, hi - lo, n_steps,
                                             n_temperatures, rng, start,
                                             z2_flips=z2_flips)  # fmt: skip
            if start is None:
                start = random_states(
                    model.vis, xp, (hi - lo, model.n_visible), model.dtype, rng
                )
            if z2_flips:
                check_flippable(model)
                for _ in range(n_steps):
                    start, field = gibbs_chain(model, start, 1, rng)
                    start = flip_move(model, start, 1.0, rng, field=field)
                return start
            return gibbs_chain(model, start, n_steps, rng)[0]

        # the chains are independent: they run in blocks of rows, so the
        # working memory (fields, hidden states, replicas) stays a fraction
        # of the output (it was 7x the output for sample(10**6))
        step = _sample_block(model.n_visible, model.n_hidden, copies)
        if n_samples <= step:
            out = self._from_model_space(draw(0, n_samples), xp)
            return B.like_input(out, self.components_ if v_init is None else v_init)
        step = min(step, -(-n_samples // 8))  # 8 blocks at least: each a small part
        out = np.empty((n_samples, model.n_visible), dtype=model.dtype)
        for lo in range(0, n_samples, step):
            hi = min(lo + step, n_samples)
            out[lo:hi] = B.to_numpy(self._from_model_space(draw(lo, hi), xp))
        return B.like_input(out, self.components_ if v_init is None else v_init)

    def _sample_tempered(
        self, model, xp, n, n_steps, n_temperatures, rng, v0, z2_flips=False
    ):
        """β = 1 replica after ``n_steps`` rounds of parallel tempering (with
        a global flip move per round and replica when ``z2_flips``)."""
        if z2_flips:
            check_flippable(model)
        base = base_rate_bias(
            model.vis,
            getattr(self, "visible_mean_", None),
            model.n_visible,
            model.dtype,
        )
        if v0 is not None:
            v0 = xp.broadcast_to(v0, (n_temperatures,) + v0.shape).copy()
        chains = TemperedChains(
            model.vis,
            B.to_device(base, xp, model.dtype),
            n_temperatures,
            n,
            xp,
            model.dtype,
            rng,
            v0=v0,
        )
        v = chains.v[0]
        R = chains.v.shape[0]
        betas = xp.asarray(np.repeat(chains.betas, n), dtype=model.dtype)
        for _ in range(n_steps):
            v, _ = chains.step(model, 1, rng)
            if z2_flips:
                flat = chains.v.reshape(R * n, -1)
                flat = flip_move(model, flat, betas, rng, base=chains.base)
                chains.v = flat.reshape(chains.v.shape)
                v = chains.v[0]
        return v
