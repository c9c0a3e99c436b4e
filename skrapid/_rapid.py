"""RARBM: the RAPID model -- Regularized Axons and Pattern-Induced correlations.

Reference: A. Pozas-Kerstjens, G. Muñoz-Gil, E. Piñol, M. Á. García-March,
A. Acín, M. Lewenstein, P. R. Grzybowski, "Efficient training of energy-based
models via spin-glass control", Mach. Learn.: Sci. Technol. 2, 025026 (2021).
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np

from . import _backend as B
from ._backend import buffer
from ._base import BaseRBM
from ._binary import BinaryLayersMixin, likelihood_gradient
from ._negative import PCD, PID, pattern_states, seed_at_patterns
from ._partition import MAX_EXACT_UNITS, check_exact_size
from ._sklearn_private import Interval, StrOptions
from ._units import get_units

#: Load K / (V + H) above which a warning is raised.  The Hopfield retrieval
#: phase ends at α_c ≈ 0.138 (Amit, Gutfreund & Sompolinsky); the workshop
#: version of the RAPID paper quotes 0.12, the conservative value used here.
SPIN_GLASS_LOAD = 0.12


class SpinGlassWarning(UserWarning):
    """The pattern load K / (V + H) risks the spin-glass phase.


    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skrapid import RARBM
    >>> X = np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     rbm = RARBM(n_components=3, n_patterns=2, max_iter=0).fit(X)
    >>> [w.category.__name__ for w in caught], round(rbm.load_ratio_, 3)
    (['SpinGlassWarning'], 0.333)
    """


def ra_weights(xi_v, xi_h, out=None):
    """W = ξ_vᵀ ξ_h / √K (eq. 5): W_iα = (1/√K) Σ_k ξ_i^(k) ξ_α^(k)."""
    K = xi_v.shape[0]
    W = B.get_namespace(xi_v).matmul(xi_v.T, xi_h, out=out)
    W *= xi_v.dtype.type(1.0 / math.sqrt(K))
    return W


class RARBM(BinaryLayersMixin, BaseRBM):
    """RAPID: an RBM whose weights are built from K trainable patterns.

    The weights are ``W_iα = (1/√K) Σ_k ξ_i^(k) ξ_α^(k)`` (eq. 5, "Regularized
    Axons"), the coupling of a Hopfield network storing K patterns
    ξ^(k) = (ξ_v^(k), ξ_h^(k)).  With K/(V+H) small the model stays in the
    retrieval (ferromagnetic) phase and never enters the spin-glass phase, so
    Gibbs sampling keeps reaching low-energy states.  The patterns are the
    trainable parameters, and the negative phase of the log-likelihood
    gradient can be read off them ("Pattern-InDuced correlations", eq. 6): an
    average over the K pattern states, with no Markov chain at all
    (``n_gibbs_steps=0``), or k Gibbs sweeps seeded at the patterns.  RA
    weights can also be trained with the standard negative phases.

    Parameters
    ----------
    n_components : int, default=256
        Number of hidden units H.
    n_patterns : int, default=20
        Number of patterns K.  Keep K/(V+H) well below ~0.12 (a
        :class:`SpinGlassWarning` is raised above it).
    units : {"spin", "bernoulli"}, default="spin"
        ±1 units (the paper's convention) or {0, 1} units in the energy.
        Spin models take ±1 data and also the ordinary {0, 1} data that
        :class:`BinaryRBM` takes: a fit on {0, 1} data reads them as spins
        s = 2x − 1 (the same model as fitting ``2 * X - 1``, with the same
        log-likelihood), records ``visible_values_ = (0, 1)``, and then
        takes and returns {0, 1} states (``score_samples``, ``sample``,
        ``gibbs``, ``inverse_transform``); ``transform`` gives the hidden
        spins' means in [−1, 1].  Patterns are ±1 either way; for {0, 1}
        units a pattern's state is (1 + sign ξ) / 2.  SciPy sparse X: {0, 1}
        units keep it sparse (one minibatch made dense at a time, as
        :class:`BinaryRBM`); spin units make it dense, since their states
        are not sparse.
    fit_intercept : bool, default=True
        Also learn visible and hidden biases (the paper has none).  The
        visible biases start at the data's log-odds, so the untrained model
        is the factorized model of the data.
    negative_phase : {"pcd", "pid", "pt", "cd", "exact"}, default="pcd"
        ``"pcd"``: persistent chains (``n_chains``, k = ``n_gibbs_steps``
        sweeps per update) that start at the patterns -- RAPID's density
        model.  ``"pid"``: the average over the patterns (eq. 6), or, with
        ``n_gibbs_steps > 0``, over k-step Gibbs chains seeded at them; no
        chain state, the cheapest phase and the paper's, which learns good
        features fast but visits only the states near the patterns, so the
        log-likelihood it reaches is poor.  ``"pt"``: parallel tempering
        (as :class:`BinaryRBM`).  ``"cd"``, ``"exact"``: the standard
        negative phases of :class:`BinaryRBM` applied to the RA weights.
        See the user guide's "Which estimator, which settings".
    pid_hidden : {"mean", "pattern"}, default="mean"
        Hidden states of the PID negative phase: the conditional mean
        E[h | v = ξ_v] (``"mean"``, eqs. A7a/A7b: the gradient of the free
        energy evaluated at the patterns' visible parts), or the patterns'
        hidden parts ξ_h (``"pattern"``, Alg. 1 read literally).  ``"mean"`` is
        the default because it is the exact free-energy gradient of
        Appendix A and the reading the paper's experiments use.
    n_gibbs_steps : int, default=1
        Gibbs sweeps k: per update for ``"pcd"``/``"cd"``/``"pt"`` (must
        then be >= 1), seeded at the patterns for ``"pid"`` (0 = no MCMC).
    n_chains : int, default=100
        Persistent chains for ``"pcd"`` and ``"pt"``; None uses
        ``batch_size``.
    n_temperatures : int, default=10
        Replicas of ``"pt"``.
    centering : bool, default=True
        Centred gradient (as :class:`BinaryRBM`); only with
        ``fit_intercept=True``.
    pattern_constraint : {"clip", "sign", "gibbs"}, default="clip"
        App. B: ``"clip"`` keeps the patterns continuous in
        [-clip_value, clip_value] after every update; ``"sign"`` binarizes
        them after every epoch (sign(0) = +1, the paper's); ``"gibbs"``
        replaces them after every epoch by one Gibbs sweep seeded at them
        (ξ_v ~ P(v | ξ_h), then ξ_h ~ P(h | ξ_v), eqs. B2a/B2b).
    clip_value : float, default=1.0
        Bound of the ``"clip"`` constraint.
    init_scale : float, default=None
        The patterns start as ``init_scale`` times random ±1 (at most
        100, beyond which every unit is saturated).  None: 1.0
        (random ±1, the paper's) for ``negative_phase="pid"``, whose
        negative phase is the patterns themselves, and 0.1 otherwise, so
        that W starts near 0.
    learning_rate : float, default=0.003
        Spins make the weight gradient about four times that of {0, 1}
        units, and the pattern gradient grows with H: larger steps
        collapse the model on long fits.
    batch_size : int, default=10
    max_iter : int, default=30
    optimizer : {"sgd", "adam"}, default="sgd"
    momentum : float, default=0.0
    weight_decay : float, default=0.0
        L2 penalty on the patterns.
    lr_decay : float, default=1.0
    lr_decay_every : int, default=1
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
        0: silent.  1: one line per epoch (``epoch k/N``, elapsed time, ETA,
        learning rate and monitored quantities), AIS progress inside
        ``score`` / ``log_partition_function``, and, with tqdm installed, a
        bar over each epoch's minibatches when an epoch has 50 or more.
        2: also a line per epoch with gradient and weight norms.
    device : {"auto", "cpu", "gpu"}, default="auto"
        Where to compute: ``"auto"`` lets the input decide (:ref:`devices`),
        ``"cpu"`` asks for NumPy and ``"gpu"`` for CuPy.

    Attributes
    ----------
    patterns_visible_ : ndarray of shape (n_patterns, n_features)
        Visible parts ξ_v of the patterns.
    patterns_hidden_ : ndarray of shape (n_patterns, n_components)
        Hidden parts ξ_h of the patterns.
    components_ : ndarray of shape (n_components, n_features)
        Wᵀ, derived from the patterns by eq. 5.
    intercept_hidden_, intercept_visible_ : ndarray
        Biases (zeros when ``fit_intercept=False``).
    load_ratio_ : float
        K / (V + H), the Hopfield load that decides the phase.
    visible_values_ : tuple of float
        The two values of the visible states in the data: (−1, 1), or (0, 1)
        for a spin model fitted on {0, 1} data (read as s = 2x − 1).
    n_features_in_, n_iter_, history_, visible_mean_, random_state_
        As in :class:`BinaryRBM`.
    persistent_chains_, persistent_hidden_, tempered_chains_, hidden_offset_
        As in :class:`BinaryRBM` (with the negative phases that keep them).

    See Also
    --------
    BinaryRBM : the standard RBM, the baseline RAPID is compared with.

    Notes
    -----
    The defaults make a density model of ordinary binary data (given as
    {0, 1} or ±1): the untrained model is the factorized model of the data, and training
    uses persistent chains started at the patterns with the centred
    gradient.  The paper's recipe is ``RARBM.PAPER_RECIPE`` (spins, no
    biases, pure PID, sign-constrained ±1 patterns):
    ``RARBM(**RARBM.PAPER_RECIPE, n_components=..., n_patterns=...)``.  It
    trains good features fastest but its log-likelihood is poor, because its
    negative phase never visits the states away from the patterns.

    References
    ----------
    A. Pozas-Kerstjens et al., Mach. Learn.: Sci. Technol. 2, 025026 (2021):
    eq. 5 (weights), eq. 6 and Alg. 1 (PID), App. A eqs. A7a/A7b (pattern
    gradients), App. B (pattern constraints).


    Examples
    --------
    >>> from skrapid import RARBM
    >>> from skrapid.datasets import bars_4x4_split
    >>> X_train, X_test = bars_4x4_split()
    >>> rbm = RARBM(n_components=100, n_patterns=4, max_iter=5,
    ...             random_state=0).fit(X_train)
    >>> rbm.patterns_visible_.shape, rbm.components_.shape
    ((4, 16), (100, 16))
    """

    _parameter_constraints = {
        **BaseRBM._parameter_constraints,
        "n_patterns": [Interval(Integral, 1, None, closed="left")],
        "units": [StrOptions({"bernoulli", "spin"})],
        "fit_intercept": ["boolean"],
        "negative_phase": [StrOptions({"pid", "cd", "pcd", "pt", "exact"})],
        "pid_hidden": [StrOptions({"mean", "pattern"})],
        "n_gibbs_steps": [Interval(Integral, 0, None, closed="left")],
        "n_chains": [Interval(Integral, 1, None, closed="left"), None],
        "n_temperatures": [Interval(Integral, 2, None, closed="left")],
        "centering": ["boolean"],
        "pattern_constraint": [StrOptions({"sign", "clip", "gibbs"})],
        "clip_value": [Interval(Real, 0, None, closed="neither")],
        "init_scale": [Interval(Real, 0, 100, closed="right"), None],
    }

    #: The RAPID paper's recipe (Sec. 5, Alg. 1): spins, no biases, pure PID
    #: (no Markov chain), patterns binarized after every epoch and started
    #: at random ±1.  ``RARBM(**RARBM.PAPER_RECIPE, n_components=...)``.
    PAPER_RECIPE = dict(
        units="spin",
        fit_intercept=False,
        centering=False,
        negative_phase="pid",
        n_gibbs_steps=0,
        pattern_constraint="sign",
        init_scale=1.0,
    )

    def __init__(
        self,
        n_components=256,
        *,
        n_patterns=20,
        units="spin",
        fit_intercept=True,
        negative_phase="pcd",
        pid_hidden="mean",
        n_gibbs_steps=1,
        n_chains=100,
        n_temperatures=10,
        centering=True,
        pattern_constraint="clip",
        clip_value=1.0,
        init_scale=None,
        learning_rate=0.003,
        batch_size=10,
        max_iter=30,
        optimizer="sgd",
        momentum=0.0,
        weight_decay=0.0,
        lr_decay=1.0,
        lr_decay_every=1,
        random_state=None,
        verbose=0,
        device="auto",
    ):
        self.n_components = n_components
        self.n_patterns = n_patterns
        self.units = units
        self.fit_intercept = fit_intercept
        self.negative_phase = negative_phase
        self.pid_hidden = pid_hidden
        self.n_gibbs_steps = n_gibbs_steps
        self.n_chains = n_chains
        self.n_temperatures = n_temperatures
        self.centering = centering
        self.pattern_constraint = pattern_constraint
        self.clip_value = clip_value
        self.init_scale = init_scale
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.optimizer = optimizer
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_decay = lr_decay
        self.lr_decay_every = lr_decay_every
        self.random_state = random_state
        self.verbose = verbose
        self.device = device

    # -- sizes, data ---------------------------------------------------------
    def _validate_X(self, X, *, reset, likelihood=False, training=False):
        if B.issparse(X) and self.units == "spin":
            # spins are not sparse: {0, 1} data in a sparse matrix are made
            # dense (then read as s = 2x - 1, like dense {0, 1} data)
            X = X.toarray()
        # a fresh fit reads which two values the data hold (see _check_values)
        self._read_values = bool(reset and training)
        try:
            return super()._validate_X(
                X, reset=reset, likelihood=likelihood, training=training
            )
        finally:
            self._read_values = False

    def _bits(self):
        """True when a spin model was fitted on {0, 1} data (``visible_values_``
        is (0, 1)): the data are read as s = 2x − 1 and states are returned
        as x = (s + 1) / 2."""
        return self.units == "spin" and getattr(self, "visible_values_", None) == (
            0.0,
            1.0,
        )

    def _check_values(self, X, *, likelihood, training=False, what="X"):
        # RAPID trains on binary states (the paper binarizes MNIST): the
        # negative phase is a set of states, and so is the positive phase
        if getattr(self, "_read_values", False):
            self.visible_values_ = self._data_values(X)
        if not self._bits():
            return self._check_states(self._units, X, likelihood, training, what)
        try:  # a spin model fitted on {0, 1} data takes {0, 1} data
            self._check_states(get_units("bernoulli"), X, likelihood, training, what)
        except ValueError as exc:
            raise ValueError(
                str(exc).replace(
                    "for units='bernoulli'",
                    "for this RARBM, fitted on {0, 1} data (read as spins s = 2x - 1)",
                )
            ) from None

    @staticmethod
    def _check_states(units, X, likelihood, training, what):
        if training and not likelihood:
            units.check_values(
                X,
                allow_fractional=False,
                what=what,
                reason="RARBM is trained on binary states",
            )
        else:
            units.check_values(X, allow_fractional=not likelihood, what=what)

    def _data_values(self, X):
        """The two values of the training data: (0, 1) for {0, 1} data (a
        spin model then reads them as s = 2x − 1), else the units' own."""
        if self.units == "spin" and not B.issparse(X) and X.size:
            xp = B.get_namespace(X)
            if bool(xp.all((X == 0) | (X == 1))) and bool(xp.any(X == 0)):
                return (0.0, 1.0)
        return (float(self._units.low), float(self._units.high))

    def _values_text(self):
        lo, hi = self.visible_values_
        return f"{{{lo:g}, {hi:g}}}"

    def _to_model_space(self, X, xp, *, fitting=False):
        if self._bits():
            dt = X.dtype.type
            return X * dt(2) - dt(1)
        return X

    def _from_model_space(self, V, xp):
        if self._bits():
            dt = V.dtype.type
            return (V + dt(1)) * dt(0.5)
        return V

    def _n_parameter_values(self, n_features):
        # the patterns, and the weights built from them
        H = self.n_components
        return self.n_patterns * (n_features + H) + n_features * H + n_features + H

    def _validate_model_size(self, n_features):
        if self.negative_phase in ("cd", "pcd") and self.n_gibbs_steps < 1:
            raise ValueError(
                f"negative_phase={self.negative_phase!r} needs n_gibbs_steps >= 1; "
                f"got {self.n_gibbs_steps}."
            )
        if self.negative_phase == "exact":
            check_exact_size(n_features, self.n_components, limit=MAX_EXACT_UNITS)
        load = self.n_patterns / (n_features + self.n_components)
        self.load_ratio_ = load
        if load > SPIN_GLASS_LOAD:
            warnings.warn(
                f"n_patterns / (n_features + n_components) = {self.n_patterns}/"
                f"({n_features} + {self.n_components}) = {load:.3f} exceeds "
                f"{SPIN_GLASS_LOAD}: a Hopfield network this loaded is near or in "
                "the spin-glass phase (α_c ≈ 0.138), where Gibbs sampling stalls. "
                "Use fewer patterns or more hidden units.",
                SpinGlassWarning,
                stacklevel=5,
            )

    # -- parameters -----------------------------------------------------------
    def _init_parameters(self, n_features, xp, dtype, rng, X):
        K, H = self.n_patterns, self.n_components
        u = rng.random((K, n_features + H), dtype=dtype)
        pat = xp.where(u < dtype(0.5), dtype(-1), dtype(1)).astype(dtype)
        pat *= dtype(self._init_scale())
        params = {
            "xi_v": pat[:, :n_features].copy(),
            "xi_h": pat[:, n_features:].copy(),
        }
        if self.fit_intercept:
            params.update(self._base_rate_biases(X, n_features, xp, dtype))
        return params

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # spins make it dense (_validate_X)
        # {0, 1} units refuse negative values (spin units take ±1 data too)
        tags.input_tags.positive_only = self.units == "bernoulli"
        return tags

    def _bound_states(self):
        """The persistent chains and the patterns' visible states, whose −F
        bound log Z from below."""
        states = super()._bound_states()
        xi = getattr(self, "patterns_visible_", None)
        if xi is not None:
            states.append(pattern_states(self._units, B.to_numpy(xi)))
        return states

    def _init_scale(self):
        """``init_scale``, or its default: ±1 patterns (the paper's) for pure
        PID, whose negative phase is the pattern states themselves; 0.1 for
        the sampling phases, so that W starts near 0 and the untrained model
        is the factorized model of the data."""
        if self.init_scale is not None:
            return self.init_scale
        return 1.0 if self.negative_phase == "pid" else 0.1

    def _store_parameters(self, params):
        self.patterns_visible_ = B.to_numpy(params["xi_v"])
        self.patterns_hidden_ = B.to_numpy(params["xi_h"])
        W = ra_weights(self.patterns_visible_, self.patterns_hidden_)
        self.components_ = np.ascontiguousarray(W.T)
        self._store_biases(params, *W.shape, W.dtype)

    def _load_parameters(self, xp, dtype):
        params = {
            "xi_v": B.to_device(self.patterns_visible_, xp, dtype),
            "xi_h": B.to_device(self.patterns_hidden_, xp, dtype),
        }
        return self._load_biases(params, xp, dtype)

    def _model(self, params, xp):
        return self._bipartite(ra_weights(params["xi_v"], params["xi_h"]), params, xp)

    def _decayed_keys(self):
        return ("xi_v", "xi_h")

    _structural_params = BinaryLayersMixin._structural_params + ("n_patterns",)
    _fingerprint_attrs = BaseRBM._fingerprint_attrs + (
        "patterns_visible_",
        "patterns_hidden_",
    )

    # -- training -------------------------------------------------------------
    def _make_negative_phase(self, covariance=False):
        if self.negative_phase == "pid":
            return PID(self.n_gibbs_steps, self.pid_hidden)
        if self.negative_phase == "pcd":  # chains start at the patterns
            return PCD(self.n_gibbs_steps, self._n_chains(), init=seed_at_patterns)
        return self._standard_phase(self.negative_phase)

    def _gradient(self, params, X, xp, rng):
        xi_v, xi_h = params["xi_v"], params["xi_h"]
        ws = getattr(self, "_ws", None)
        V, H = xi_v.shape[1], xi_h.shape[1]
        W = ra_weights(xi_v, xi_h, out=buffer(ws, "W", (V, H), xi_v.dtype))
        model = self._bipartite(W, params, xp, ws)
        ph = self._current_phase()(model, X, params, rng, ws)
        offsets = self._update_offsets(ph.h_pos, xp)
        g = likelihood_gradient(
            model,
            X,
            ph,
            self.fit_intercept,
            offsets=offsets,
            factored=ph.stats is None,
            ws=ws,
        )
        # chain rule through eq. 5 (eqs. A7a, A7b): with G = ∂L/∂W,
        # ∂L/∂ξ_v = ξ_h Gᵀ / √K and ∂L/∂ξ_h = ξ_v G / √K.  With samples,
        # G = Lᵀ R is never formed: (ξ_h Rᵀ) L and (ξ_v Lᵀ) R cost
        # O(K (V + H) (n + m)) instead of O(V H (n + m + K)).
        s = xi_v.dtype.type(1.0 / math.sqrt(xi_v.shape[0]))
        if "W_factors" in g:
            L, R = g.pop("W_factors")
            K, m = xi_v.shape[0], L.shape[0]
            dt = xi_v.dtype
            xiR = xp.matmul(xi_h, R.T, out=buffer(ws, "xiR", (K, m), dt))
            g["xi_v"] = xp.matmul(xiR, L, out=buffer(ws, "g_xi_v", (K, V), dt))
            xiL = xp.matmul(xi_v, L.T, out=buffer(ws, "xiL", (K, m), dt))
            g["xi_h"] = xp.matmul(xiL, R, out=buffer(ws, "g_xi_h", (K, H), dt))
            for a, b in g.pop("W_rank1", ()):  # centring: G += a bᵀ
                g["xi_v"] += xp.outer(xi_h @ b, a)
                g["xi_h"] += xp.outer(xi_v @ a, b)
            g["xi_v"] *= s
            g["xi_h"] *= s
        else:
            G = g.pop("W")
            g["xi_v"] = (xi_h @ G.T) * s
            g["xi_h"] = (xi_v @ G) * s
        return g

    def _after_update(self, params):
        if self.pattern_constraint == "clip":
            xp = B.get_namespace(params["xi_v"])
            c = self.clip_value
            for k in ("xi_v", "xi_h"):
                xp.clip(params[k], -c, c, out=params[k])

    def _after_epoch(self, params, xp, rng):
        if self.pattern_constraint == "sign":
            for k in ("xi_v", "xi_h"):
                params[k][...] = xp.where(params[k] >= 0, 1, -1)
        elif self.pattern_constraint == "gibbs":
            # eqs. B2a/B2b: one sweep seeded at the patterns, v first
            model = self._model(params, xp)
            h0 = pattern_states(model.hid, params["xi_h"])
            v = model.vis.sample(xp, model.visible_field(h0), rng)
            h = model.hid.sample(xp, model.hidden_field(v), rng)
            params["xi_v"][...] = xp.where(v > 0, 1, -1)
            params["xi_h"][...] = xp.where(h > 0, 1, -1)
