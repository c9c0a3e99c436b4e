"""GaussianRBM: the scalar-field RBM and its Gaussian–Bernoulli variant.

Reference: G. Aarts, B. Lucini, C. Park, "Scalar field restricted Boltzmann
machine as an ultraviolet regulator", Phys. Rev. D 109, 034521 (2024).

With Gaussian fields on both layers the action (eq. 7, no source)

    S(φ, h) = ½ μ² φᵀφ + hᵀh / (2σ_h²) − φᵀ W h

integrates to a Gaussian on the visible layer, p(φ) ∝ exp(−½ φᵀ K φ) with the
kernel K = μ² 1 − σ_h² W Wᵀ (eqs. 8–9).  Everything is then closed form: the
log-density, log Z = ½ V log 2π − ½ log det K, exact samples φ = L⁻ᵀ z with
K = L Lᵀ, and the exact gradients of eqs. 20 and 22 with ⟨φφᵀ⟩_model = K⁻¹.
With ±1 or {0, 1} hidden units (Sec. VII) the visible marginal has the action
of eq. 91 and log Z needs AIS, or enumeration of a small hidden layer.

The parts of :class:`GaussianRBM` that are not the model itself are mixins:
the training on second moments and from a target covariance in
:mod:`skrapid._gaussian_moments`, the kernel's positive-definiteness checks
in :mod:`skrapid._gaussian_kernel`.
"""

from __future__ import annotations

import math
import time
from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import _backend as B
from ._base import BaseRBM, TrainingDivergedError
from ._binary import likelihood_gradient
from ._gaussian_kernel import KernelNotPositiveDefiniteError, _KernelCheckMixin
from ._gaussian_moments import _check_scale, _Covariance, _MomentsMixin

# defined with the moment methods; importable from here as before
from ._gaussian_moments import auto_mass as auto_mass
from ._gaussian_moments import regulated_weights as regulated_weights
from ._generate import check_sample_request
from ._negative import CD, PCD, Phases
from ._partition import ModelStatistics
from ._sklearn_private import Interval, StrOptions
from ._units import Bipartite, Gaussian, get_units
from .layers._phi4 import Phi4, _moment_fit, pseudolikelihood_fit


class GaussianRBM(_MomentsMixin, _KernelCheckMixin, BaseRBM):
    """Scalar-field RBM: Gaussian visible fields with mass μ², Gaussian or
    binary hidden units.

    With ``hidden="gaussian"`` (eqs. 7–10) the visible distribution is the
    Gaussian ``p(φ) ∝ exp(−½ (φ − m)ᵀ K (φ − m))`` with kernel
    ``K = mu2·1 − sigma_h2·W·Wᵀ`` (``kernel_``) and ``m`` the data mean
    (``mean_``, see ``center``).  Log-density, log Z and samples are exact.
    The RBM eigenvalues are ``mu2 − sigma_h2·ξ²`` for the singular values ξ of
    W, plus ``mu2`` repeated V − H times: modes of the data whose kernel
    eigenvalue exceeds mu2, and all modes beyond the first H, are cut off at
    mu2 (the paper's ultraviolet regulator).

    With ``hidden="spin"`` or ``"bernoulli"`` (Sec. VII) the model is a
    Gaussian–Bernoulli RBM: the visible action is
    ``½ μ² φᵀφ − Σ_a log Σ_h exp(h ψ_a)`` with ``ψ = Wᵀφ`` (eq. 91, log 2cosh ψ
    for spins), log Z comes from enumerating a hidden layer of at most ~20
    units or from AIS, and ``kernel_`` is the quadratic part μ² 1 − W Wᵀ
    (eq. 93, for spins).

    Parameters
    ----------
    n_components : int, default=100
        Number of hidden nodes N_h.
    hidden : {"gaussian", "spin", "bernoulli"}, default="gaussian"
        Hidden units: Gaussian with variance ``sigma_h2``, or binary.
    mu2 : float or "auto", default="auto"
        The visible mass parameter μ² (initial value when learnt).  A number
        keeps the paper's UV cutoff: modes whose kernel eigenvalue exceeds μ²
        stay at μ².  ``"auto"`` sets it from the spectrum of the training
        data's covariance (``reg_covar`` added), stored in ``mu2_``: with
        N_h ≥ V, μ² = 1.5 κ_max (κ_max = 1 / smallest variance, so every mode
        is learnt and the optimum is the maximum-likelihood Gaussian); with
        N_h < V, the maximum-likelihood mass 1 / (mean variance of the V − N_h
        cut modes), the noise level of probabilistic PCA.  With
        ``method="natural"``/``"eigen"`` it follows the running covariance.
        With binary hidden units, 1 / (mean variance): the best isotropic
        Gaussian, which the untrained model (W = 0) is.  See :func:`auto_mass`.
    learn_mu2 : {"auto", False, "global", "local"}, default="auto"
        Keep μ² fixed, learn one μ² (eq. 22), or one per visible node.
        ``True`` means ``"global"``.  ``"auto"``: fixed with Gaussian hidden
        units (the paper's model), ``"local"`` with binary ones, whose fixed
        mass cannot fit (a Gaussian–Bernoulli model with μ² pinned at the
        mean data variance scored −115 nats on 8x8 φ⁴ data where one
        Gaussian scores −61).  ``"natural"``/``"eigen"`` take the
        maximum-likelihood mass directly and support ``"global"`` only.
    quartic : float or None, default=None
        λ > 0 adds λ φ_i⁴ to each visible node's energy, on top of its mass
        term μ² φ_i²/2 (the lattice φ⁴ potential; the visible layer is then
        :class:`skrapid.layers.Phi4`).  The mass may then be negative (the
        double well of the broken phase; the hopping-form action
        Σ_x [−2κ Σ_μ φ_x φ_{x+μ} + φ_x² + λ(φ_x² − 1)²] has μ² = 2(1 − 2λ)).
        Given the hidden units each φ_i has a 1-D density, sampled exactly
        up to a fine quadrature grid; log Z comes from AIS (or enumeration of
        at most 20 binary hidden units), training from PCD or CD
        (``method="auto"`` is ``"pcd"``).  μ² = "auto" and a learnt λ start
        at the independent φ⁴ model of the data (maximum likelihood).
    learn_quartic : {False, "global", "local"}, default=False
        Keep λ fixed, learn one λ, or one per visible node (as its
        logarithm, so it stays positive).
    sigma_h2 : float, default=1.0
        Variance of the Gaussian hidden nodes (ignored for binary hidden
        units).  With μ² fixed it only rescales W.
    method : {"auto", "natural", "eigen", "pseudolikelihood", "pcd", "cd", \
            "exact"}, default="auto"
        How to train.  ``"auto"``: ``"natural"`` for Gaussian hidden units,
        ``"pseudolikelihood"`` for φ⁴ models with Gaussian hidden units,
        ``"pcd"`` for binary ones.

        - ``"natural"``: the natural-gradient (Fisher) step.  The model is an
          exponential family whose mean parameter is Σ = K⁻¹, and the natural
          step in K is the plain step Σ ← Σ + η (C_batch − Σ) (positive minus
          negative phase): every mode relaxes at the same rate, whatever the
          spectrum or the data's units, and Σ never leaves the positive
          definite cone.  η falls as 1/t (Robbins–Monro), so Σ converges to
          the data's covariance; after each epoch W is the maximum-likelihood
          RBM for Σ (eq. B8).  Gaussian hidden units only.
        - ``"eigen"``: the direct solver: one exact pass over the data, W from
          the eigendecomposition of its covariance (eq. B8), the regulated
          maximum-likelihood optimum for the given μ² and N_h.
        - ``"pseudolikelihood"`` (φ⁴ models with Gaussian hidden units): the
          direct solver of the φ⁴ model, one pass: the pairwise φ⁴ model of
          maximum pseudo-likelihood, written as an RBM (see ``init``).  It
          is consistent, needs no sampling, and held out it scores within
          0.3 nats per 8x8 configuration of the true action where PCD from
          it loses (−58.49 against −58.19 for the true action and −58.66
          after 10 PCD epochs at lr 1e-4; lr 1e-3 diverges: the soft
          magnetization mode makes the W dynamics stiff).  ``partial_fit``
          fits its first batch only; use ``method="pcd"`` to go on learning.
        - ``"pcd"``, ``"cd"``, ``"exact"``: the paper's gradient dynamics on W
          (eq. 20): persistent chains (App. A), CD-k from the data, or the
          exact ⟨φφᵀ⟩_model = K⁻¹ (Gaussian hidden units only).  Their step is
          stiff: near the optimum a mode of kernel eigenvalue κ relaxes at
          2 σ_h² lr (μ² − κ)/κ² per update.
    reg_covar : float, default=1e-6
        Added to the diagonal of the data's covariance wherever its spectrum
        is used (``mu2="auto"``, ``"natural"``, ``"eigen"``), as in
        ``sklearn.mixture.GaussianMixture``: a constant or collinear column
        then has variance ``reg_covar`` instead of zero.
    n_gibbs_steps : int, default=1
        Gibbs sweeps per update for ``"pcd"``/``"cd"``.
    n_chains : int, default=None
        Persistent chains (the paper uses 128 for the lattice fields and 512
        for MNIST); None uses ``batch_size``.
    init : {"auto", "random", "cholesky", "symmetric", "pseudolikelihood"}, \
            default="auto"
        ``"random"``: W with i.i.d. N(0, init_scale²) entries.  ``"cholesky"``
        and ``"symmetric"`` (N_h = N_v only) start at an exact solution of
        eq. 13 for the data's (or the given) covariance: W = L with
        L Lᵀ = (μ² 1 − K_φ)/σ_h² (eq. 13), or W = O √D Oᵀ (eqs. 15–16).
        ``"pseudolikelihood"`` (φ⁴ models with Gaussian hidden units): the
        model's marginal is a pairwise φ⁴ model, exp(−Σ_i [m_i φ_i²/2 +
        λ_i φ_i⁴] + ½ φᵀJφ), fitted by maximum pseudo-likelihood (no
        sampling, no log Z; see
        :func:`skrapid.layers.pseudolikelihood_fit`), then written as an RBM:
        σ_h² W Wᵀ = J + diag(μ² − m) from its top N_h eigenpairs, with μ²
        the smallest masses that make it positive semi-definite.  For
        N_h ≥ V the start is the fitted model itself, and the training that
        follows refines it towards maximum likelihood.  ``"auto"`` is
        ``"pseudolikelihood"`` for φ⁴ models with Gaussian hidden units and
        ``"random"`` otherwise.
    init_scale : float or None, default=None
        Standard deviation of the random init; None picks it so that
        σ_h²·ξ₁² ≈ 0.1 μ² at the start, i.e. init_scale =
        √(0.1 μ² / σ_h²) / (√V + √H): far from the instability and close to
        μ² as in the paper.  At most 1e100 (W Wᵀ must stay finite).
    center : bool, default=True
        Subtract the training data's mean (``mean_``, fixed at the first
        ``fit``/``partial_fit``) and model the centred fields, the paper's
        zero-mean setting (no source J).  The density of x is the density of
        ``x − mean_`` (unit Jacobian), so log-likelihoods stay exact; samples are
        shifted back.  For Gaussian hidden units this equals a visible source
        ``J = K @ mean_``.  ``False`` models the data as zero-mean fields.
    spectrum_every : int or "auto", default="auto"
        Record the kernel spectrum in ``history_["kernel_eigenvalues"]``
        every this many epochs ("auto": every epoch for V ≤ 256, else every
        10).  The same epochs check positive definiteness exactly.
    learning_rate : float or "auto", default="auto"
        Gradient methods: the step (``"auto"``: 0.01).  ``"natural"``: the
        first step η₀; η_t = n_b / (n_0 + n_seen + n_b) with the initial model
        counted as n_0 = (1/η₀ − 1)·batch_size samples (``"auto"``: η₀ = 1,
        the running mean of the minibatch moments).  Unused by ``"eigen"``.
    batch_size : int, default=100
    max_iter : int, default=100
        Epochs for :meth:`fit`; for :meth:`fit_covariance` one epoch is one
        update, as in the paper.  ``"natural"`` stops early at its fixed point
        and ``"eigen"`` needs one epoch.
    optimizer : {"sgd", "adam"}, default="sgd"
    momentum : float, default=0.0
    weight_decay : float, default=0.0
    lr_decay : float, default=1.0
        Factor r of eq. A2: the learning rate is multiplied by r every
        ``lr_decay_every`` epochs (the paper: r = 0.99 every 128).  Gradient
        methods only.
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
    components_ : ndarray of shape (n_components, n_features)
        Wᵀ.
    kernel_ : ndarray of shape (n_features, n_features)
        K = mu2·1 − sigma_h2·W·Wᵀ (sigma_h2 = 1 for binary hidden units).
    mu2_ : float or ndarray of shape (n_features,)
        The (learnt) mass parameter.
    quartic_ : float or ndarray of shape (n_features,)
        The (learnt) quartic coupling λ (0.0 without ``quartic``).
    mean_ : ndarray of shape (n_features,)
        The mean subtracted from the data (zeros with ``center=False``).
    intercept_visible_, intercept_hidden_ : ndarray
        Zeros (the paper's symmetric case, η = J = 0).
    history_ : dict of lists
        Per epoch: ``time``, ``learning_rate``, ``mu2``, and at recorded
        epochs ``kernel_eigenvalues`` (ascending) and, for Gaussian hidden
        units, ``log_likelihood`` (training data, nats per sample) or
        ``kl`` (KL(target || model) when trained from a covariance).
    n_features_in_, n_iter_, random_state_

    References
    ----------
    G. Aarts, B. Lucini, C. Park, Phys. Rev. D 109, 034521 (2024): eqs. 7–10
    (model), 13–16 (exact solutions), 20 and 22 (gradients), 33 (existence),
    A2 (learning-rate decay), B7 (KL), 87–91 (Gaussian–Bernoulli).


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import GaussianRBM
    >>> from skrapid.datasets import lattice_kernel
    >>> K = lattice_kernel(10, m2=4.0)
    >>> rbm = GaussianRBM(n_components=10, mu2=9.0, method="exact",
    ...                   learning_rate=0.5, max_iter=2000, random_state=0)
    >>> rbm = rbm.fit_covariance(kernel=K)
    >>> np.round(np.linalg.eigvalsh(rbm.kernel_)[[0, -1]], 2)
    array([4., 8.])

    With its defaults (``mu2="auto"``, ``method="natural"``) it is the
    maximum-likelihood Gaussian of any data, whatever their units:

    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.mixture import GaussianMixture
    >>> X = load_diabetes(scaled=False).data          # raw units
    >>> rbm = GaussianRBM(random_state=0).fit(X)
    >>> ref = GaussianMixture(1, covariance_type="full").fit(X)
    >>> bool(abs(rbm.score(X) - ref.score(X)) < 1e-3)
    True
    """

    _parameter_constraints = {
        **BaseRBM._parameter_constraints,
        "hidden": [StrOptions({"gaussian", "spin", "bernoulli"})],
        "mu2": [Interval(Real, None, None, closed="neither"), StrOptions({"auto"})],
        "learn_mu2": [StrOptions({"auto", "global", "local"}), "boolean"],
        "quartic": [Interval(Real, 0, None, closed="neither"), None],
        "learn_quartic": [StrOptions({"global", "local"}), "boolean"],
        "sigma_h2": [Interval(Real, 0, None, closed="neither")],
        "method": [
            StrOptions(
                {"auto", "natural", "eigen", "pseudolikelihood", "pcd", "cd", "exact"}
            )
        ],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "n_gibbs_steps": [Interval(Integral, 1, None, closed="left")],
        "n_chains": [Interval(Integral, 1, None, closed="left"), None],
        "init": [
            StrOptions({"auto", "random", "cholesky", "symmetric", "pseudolikelihood"})
        ],
        "init_scale": [Interval(Real, 0, 1e100, closed="right"), None],
        "center": ["boolean"],
        "spectrum_every": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
    }

    def __init__(
        self,
        n_components=100,
        *,
        hidden="gaussian",
        mu2="auto",
        learn_mu2="auto",
        quartic=None,
        learn_quartic=False,
        sigma_h2=1.0,
        method="auto",
        n_gibbs_steps=1,
        n_chains=None,
        init="auto",
        init_scale=None,
        center=True,
        spectrum_every="auto",
        reg_covar=1e-6,
        learning_rate="auto",
        batch_size=100,
        max_iter=100,
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
        self.hidden = hidden
        self.mu2 = mu2
        self.learn_mu2 = learn_mu2
        self.quartic = quartic
        self.learn_quartic = learn_quartic
        self.sigma_h2 = sigma_h2
        self.method = method
        self.n_gibbs_steps = n_gibbs_steps
        self.n_chains = n_chains
        self.init = init
        self.init_scale = init_scale
        self.center = center
        self.spectrum_every = spectrum_every
        self.reg_covar = reg_covar
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

    # -- small helpers ---------------------------------------------------------
    @property
    def _gaussian_hidden(self):
        return self.hidden == "gaussian"

    @property
    def _sigma2(self):
        """The hidden variance that enters K (1 for binary hidden units)."""
        return float(self.sigma_h2) if self._gaussian_hidden else 1.0

    @property
    def _method(self):
        """``method`` with ``"auto"`` resolved."""
        if self.method == "auto":
            if not self._gaussian_hidden:
                return "pcd"
            return "pseudolikelihood" if self._phi4 else "natural"
        return self.method

    @property
    def _phi4(self):
        """A quartic term: the visible layer is φ⁴ (:class:`~skrapid.layers.Phi4`)."""
        return self.quartic is not None

    @property
    def _quartic_mode(self):
        if not self._phi4:
            return None
        if self.learn_quartic is True:
            return "global"
        return self.learn_quartic or None

    @property
    def _init_mode(self):
        """``init`` with "auto" resolved."""
        if self.init != "auto":
            return self.init
        if self._phi4 and self._gaussian_hidden:
            return "pseudolikelihood"
        return "random"

    @property
    def _moment_method(self):
        """The natural-gradient and direct solvers work on second moments."""
        return self._method in ("natural", "eigen")

    def _learning_rate(self):
        if self.learning_rate == "auto":
            return 1.0 if self._moment_method else 0.01
        return float(self.learning_rate)

    def _mass(self):
        """The fixed mass: ``mu2``, or what ``"auto"`` resolved to."""
        if isinstance(self.mu2, str):
            return float(np.max(B.to_numpy(self.mu2_)))
        return float(self.mu2)

    @property
    def _mu2_mode(self):
        if self.learn_mu2 is True:
            return "global"
        if self.learn_mu2 == "auto":
            # binary hidden units: a mass per site (a fixed mass pinned at
            # the mean data variance cannot fit: ⟨φ²⟩ 10.1 against 5.2 in
            # the data of an 8x8 broken φ⁴ phase); φ⁴ models too (the local
            # potential is learnt per site)
            if self._gaussian_hidden and not self._phi4:
                return None
            return "local"
        return self.learn_mu2 or None

    def _spectrum_period(self, n_features):
        if self.spectrum_every == "auto":
            return 1 if n_features <= 256 else 10
        return int(self.spectrum_every)

    def _mu2_array(self, params, xp, dtype):
        if "mu2" in params:
            return params["mu2"]
        # a fixed mass: while training, copied to the device once per call of
        # fit / partial_fit rather than once or twice per minibatch
        cache = getattr(self, "_mu2_const", None)
        key = (id(xp), np.dtype(dtype).str, self._mass())
        if cache is None:
            return xp.asarray([key[2]], dtype=dtype)
        if key not in cache:
            cache[key] = xp.asarray([key[2]], dtype=dtype)
        return cache[key]

    # -- input -----------------------------------------------------------------
    def _check_values(self, X, *, likelihood, training=False, what="X"):
        """Every finite real is a field value (finiteness is checked upstream),
        within the range the arithmetic supports: training data whose spread
        would put μ² ~ 1/variance out of the float range, and inputs whose
        squares overflow, get a clear error (:func:`_check_scale`)."""
        if X.shape[0] == 0 or X.shape[1] == 0:
            return
        xp = B.get_namespace(X)
        if training and X.shape[0] > 1:
            std = B.to_numpy(xp.std(X, axis=0, dtype=xp.float64))
            # a spread whose square underflows has std 0: the range says it
            # varies (about 4 standard deviations for most data)
            spread = B.to_numpy(xp.max(X, axis=0) - xp.min(X, axis=0)).astype(
                np.float64
            )
            std = np.where((std == 0) & (spread > 0), spread / 4, std)
            _check_scale(std, X.dtype, what)
        largest = float(xp.max(xp.abs(X)))
        limit = math.sqrt(np.finfo(X.dtype).max / X.shape[1]) / 1e3
        if largest > limit:
            raise ValueError(
                f"{what} holds values as large as {largest:.3g} in magnitude: their "
                f"squares overflow {np.dtype(X.dtype).name} (the largest usable "
                f"magnitude with {X.shape[1]} features is about {limit:.3g}). "
                "Rescale the data as the training data were (e.g. with "
                "sklearn.preprocessing.StandardScaler)."
            )

    def _to_model_space(self, X, xp, *, fitting=False):
        if fitting and getattr(self, "mean_", None) is None:
            if self.center and X.shape[0] > 0:
                self.mean_ = B.to_numpy(xp.mean(X, axis=0, dtype=xp.float64))
            else:
                self.mean_ = np.zeros(X.shape[1])
        if not self.center:
            return X
        return X - B.to_device(self.mean_, xp, X.dtype)

    def _from_model_space(self, V, xp):
        if not self.center:
            return V
        return V + B.to_device(self.mean_, xp, V.dtype)

    def _reset_fit_state(self):
        super()._reset_fit_state()
        self.mean_ = None
        self._moments = None
        self._chain_seed = None

    def _validate_model_size(self, n_features):
        method = self._method
        if not self._phi4 and not isinstance(self.mu2, str) and self.mu2 <= 0:
            from ._sklearn_private import InvalidParameterError

            raise InvalidParameterError(
                f"The 'mu2' parameter of GaussianRBM must be > 0 without a quartic "
                f"term; got {self.mu2} (a non-normalizable Gaussian). A negative "
                "mass needs quartic=λ > 0, which bounds the field."
            )
        if method == "pseudolikelihood" and not (self._phi4 and self._gaussian_hidden):
            raise ValueError(
                "method='pseudolikelihood' fits the pairwise φ⁴ model of a quartic "
                "GaussianRBM with Gaussian hidden units; set quartic=λ > 0 and "
                "hidden='gaussian', or use method='pcd'."
            )
        if method == "pseudolikelihood" and self._init_mode != "pseudolikelihood":
            raise ValueError(
                f"method='pseudolikelihood' is its own start; init={self.init!r} "
                "would be ignored. Leave init='auto', or use method='pcd' to train "
                f"from init={self.init!r}."
            )
        if self._phi4 and method in ("exact", "natural", "eigen"):
            raise ValueError(
                f"method={method!r} uses the Gaussian moments K⁻¹, which a quartic "
                "term has not; use method='pcd' (the default with quartic) or 'cd'."
            )

        if method in ("exact", "natural", "eigen") and not self._gaussian_hidden:
            raise ValueError(
                f"method={method!r} needs hidden='gaussian' (it uses the exact "
                "Gaussian moments K⁻¹); use method='pcd' for Gaussian–Bernoulli "
                "models."
            )
        if self._moment_method and self._mu2_mode == "local":
            raise ValueError(
                f"method={method!r} learns one mass (learn_mu2='global'); a mass per "
                "site has no closed-form optimum. Use method='exact' or 'pcd' with "
                "learn_mu2='local'."
            )
        init = self._init_mode
        if init in ("cholesky", "symmetric") and self.n_components != n_features:
            raise ValueError(
                f"init={init!r} is an exact solution of eq. 13 for N_h = N_v; "
                f"got n_components={self.n_components} and {n_features} features. "
                "Use init='random' or n_components=n_features."
            )
        if init != "random" and not self._gaussian_hidden:
            raise ValueError(
                f"init={init!r} needs hidden='gaussian'; use init='random'."
            )
        if init == "pseudolikelihood" and not self._phi4:
            raise ValueError(
                "init='pseudolikelihood' fits the pairwise φ⁴ model of a quartic "
                "GaussianRBM; set quartic=λ > 0, or use init='random' (a Gaussian "
                "model's optimum is exact: method='eigen')."
            )

    # -- parameters --------------------------------------------------------------
    def _phi4_start(self, X, mu2):
        """(μ², λ) to start a φ⁴ model from: the independent φ⁴ model of the
        data (maximum likelihood, one pair per site, then averaged when the
        parameter is global) for what is learnt or set to "auto"; the given
        values otherwise."""
        lam = float(self.quartic)
        fit_m2 = isinstance(self.mu2, str)
        fit_lq = bool(self.learn_quartic)
        if X is None or not (fit_m2 or fit_lq):
            return (mu2 if fit_m2 else float(self.mu2)), lam
        Xc = B.to_numpy(X).astype(np.float64)
        V = Xc.shape[1]
        m2, lq = _moment_fit(
            Xc, np.full(V, 1.0 if fit_m2 else float(self.mu2)),
            np.full(V, math.log(lam)), fit_m2, fit_lq,
        )  # fmt: skip
        m2_out = float(np.mean(m2)) if fit_m2 else float(self.mu2)
        lam_out = float(np.exp(np.mean(lq))) if fit_lq else lam
        return m2_out, lam_out

    def _pseudolikelihood_start(self, X, xp, dtype, rng):
        """Parameters of the pairwise φ⁴ model of maximum pseudo-likelihood
        (``init="pseudolikelihood"``): its quadratic part diag(m) − J becomes
        diag(μ²) − σ_h² W Wᵀ with σ_h² W Wᵀ = J + diag(μ² − m) ⪰ 0."""
        Xc = B.to_numpy(X).astype(np.float64)
        qmode = self._quartic_mode
        lam0 = float(self.quartic)
        m0 = 1.0 / (Xc.var(axis=0) + self.reg_covar)
        J, m, lq = pseudolikelihood_fit(
            Xc, m0, math.log(lam0), fit_m2=True, fit_lq=qmode is not None,
            tie_lq=qmode == "global", reg=self.reg_covar,
        )  # fmt: skip
        return self._pairwise_params(J, m, lq, xp, dtype, rng, Xc)

    def _pairwise_params(self, J, m, lq, xp, dtype, rng, X=None):
        """The parameters whose marginal is the pairwise φ⁴ model
        exp(−Σ_i [m_i φ_i²/2 + λ_i φ_i⁴] + ½ φᵀJφ) (exactly for N_h ≥ V):
        σ_h² W Wᵀ = J + diag(μ² − m) ⪰ 0 from its top N_h eigenpairs; the
        persistent chains of a later PCD start at rows of X."""
        V, H = J.shape[0], self.n_components
        qmode = self._quartic_mode
        mode = self._mu2_mode
        if mode == "local":  # one shift for every site
            target = m + _shift(np.linalg.eigvalsh(J), H)
        elif mode == "global" or isinstance(self.mu2, str):
            target = np.full(V, _shift(np.linalg.eigvalsh(J - np.diag(m)), H))
            if mode is None:  # the fixed mass "auto" resolves to it
                self.mu2_ = float(target[0])
        else:  # a fixed mass: the nearest positive semi-definite W Wᵀ
            target = np.full(V, float(self.mu2))
        ev, U = np.linalg.eigh(J + np.diag(target - m))
        keep = np.argsort(ev)[::-1][:H]
        W = U[:, keep] * np.sqrt(np.clip(ev[keep], 0.0, None) / self._sigma2)
        if H > V:  # the spare hidden units start small, and can grow
            scale = 1e-3 * float(np.sqrt(np.mean(W * W)) or 1.0)
            spare = B.to_numpy(rng.standard_normal((V, H - V), dtype=dtype))
            W = np.concatenate([W, scale * spare.astype(np.float64)], axis=1)
        params = {"W": xp.asarray(W, dtype=dtype)}
        if mode is not None:
            mu2_vec = target if mode == "local" else target[:1]
            params["mu2"] = xp.asarray(mu2_vec, dtype=dtype)
        if qmode is not None:
            params["log_quartic"] = xp.asarray(
                lq if qmode == "local" else lq[:1], dtype=dtype
            )
        self._sv_vec = None
        # the persistent chains start at training rows (see _make_negative_phase)
        if X is not None:
            u = B.to_numpy(rng.random(self._n_chains())).astype(np.float64)
            rows = np.minimum((u * X.shape[0]).astype(np.int64), X.shape[0] - 1)
            self._chain_seed = X[rows]
        return params

    def _init_parameters(self, n_features, xp, dtype, rng, X):
        V, H = n_features, self.n_components
        mu2 = self._initial_mass(X)
        s2 = self._sigma2
        init = self._init_mode
        if init == "pseudolikelihood":
            return self._pseudolikelihood_start(X, xp, dtype, rng)
        if init == "random":
            scale = self.init_scale
            if scale is None:
                # (with a quartic term μ² may be ≤ 0: its size sets the scale)
                m = abs(mu2) or 1.0
                scale = math.sqrt(0.1 * m / s2) / (math.sqrt(V) + math.sqrt(H))
            W = rng.standard_normal((V, H), dtype=dtype) * dtype(scale)
        else:
            W = xp.asarray(self._exact_solution(self._init_covariance, mu2, s2), dtype)
        params = {"W": W}
        mode = self._mu2_mode
        lam = None
        if self._phi4:
            mu2, lam = self._phi4_start(X, mu2)
            if isinstance(self.mu2, str):  # the fixed mass "auto" resolved to
                self.mu2_ = mu2
        if mode is not None:
            params["mu2"] = xp.full(V if mode == "local" else 1, mu2, dtype=dtype)
        qmode = self._quartic_mode
        if qmode is not None:
            params["log_quartic"] = xp.full(
                V if qmode == "local" else 1, math.log(lam), dtype=dtype
            )
        self._sv_vec = None
        self._check_kernel(params, xp, when="at initialization", exact=True)
        return params

    def _store_parameters(self, params):
        W = B.to_numpy(params["W"])
        self.components_ = np.ascontiguousarray(W.T)
        V, H = W.shape
        self.intercept_visible_ = np.zeros(V, dtype=W.dtype)
        self.intercept_hidden_ = np.zeros(H, dtype=W.dtype)
        if "mu2" in params:
            m = B.to_numpy(params["mu2"])
            self.mu2_ = m if self._mu2_mode == "local" else float(m[0])
        else:
            self.mu2_ = self._mass()
        if "log_quartic" in params:
            q = np.exp(B.to_numpy(params["log_quartic"]).astype(np.float64))
            self.quartic_ = q if self._quartic_mode == "local" else float(q[0])
        elif self._phi4:
            self.quartic_ = float(self.quartic)
        else:
            self.quartic_ = 0.0
        self.kernel_ = self._kernel_np(W, self.mu2_)

    def _kernel_np(self, W, mu2):
        W64 = W.astype(np.float64)
        K = -self._sigma2 * (W64 @ W64.T)
        K[np.diag_indices_from(K)] += mu2
        return K

    def _load_parameters(self, xp, dtype):
        params = {"W": B.to_device(self.components_.T, xp, dtype)}
        mode = self._mu2_mode
        if mode is not None:
            m = np.atleast_1d(np.asarray(B.to_numpy(self.mu2_), dtype=np.float64))
            params["mu2"] = B.to_device(m, xp, dtype)
        if self._quartic_mode is not None:
            q = np.log(np.atleast_1d(np.asarray(self.quartic_, dtype=np.float64)))
            params["log_quartic"] = B.to_device(q, xp, dtype)
        return params

    _fingerprint_attrs = BaseRBM._fingerprint_attrs + ("mean_", "mu2_", "quartic_")
    _structural_params = BaseRBM._structural_params + (
        "hidden",
        "mu2",
        "learn_mu2",
        "quartic",
        "learn_quartic",
        "sigma_h2",
        "center",
    )

    def _compute_log_z(self, model, method, ais_kwargs, random_state):
        if self._gaussian_hidden and method == "auto" and not self._phi4:
            method = "exact"  # closed form
        return super()._compute_log_z(model, method, ais_kwargs, random_state)

    def _model(self, params, xp):
        W = params["W"]
        dtype = W.dtype
        V, H = W.shape
        mu2 = self._mu2_array(params, xp, dtype)
        if self._phi4:
            lam = (
                xp.exp(params["log_quartic"])
                if "log_quartic" in params
                else xp.asarray([self.quartic], dtype=dtype)
            )
            one = xp.ones(V, dtype=dtype)
            vis = Phi4(mass2=mu2 * one, quartic=lam * one)
        else:
            vis = Gaussian(mu2)
        if self._gaussian_hidden:
            hid = Gaussian(dtype.type(1.0 / self.sigma_h2))
        else:
            hid = get_units(self.hidden)
        zb, zc = xp.zeros(V, dtype=dtype), xp.zeros(H, dtype=dtype)
        return Bipartite(W, zb, zc, vis, hid, xp)

    def _train(self, X, n_epochs, *, first):
        self._mu2_const = {}
        try:
            if self._moment_method:
                self._train_moments(X, n_epochs, first=first)
            elif self._method == "pseudolikelihood":
                self._train_pseudolikelihood(X, first=first)
            else:
                super()._train(X, n_epochs, first=first)
        finally:  # no device arrays stay on the estimator
            self._sv_vec = self._pd_min = self._mu2_const = self._chol_ok = None

    # -- training ------------------------------------------------------------------
    def _train_pseudolikelihood(self, X, *, first):
        """``method="pseudolikelihood"``: one direct solve on the whole data."""
        if not first:
            raise ValueError(
                "method='pseudolikelihood' solves for the whole data at once and "
                "cannot go on from a fitted model; call fit on all the data, or use "
                "method='pcd' to continue learning batch by batch."
            )
        xp = B.resolve_namespace(self.device, X)
        dtype = self._dtype_for(X)
        source = self._training_source(X, xp, dtype)
        self._check_parameter_memory(source.n_features, dtype)
        self._validate_model_size(source.n_features)
        t0 = time.perf_counter()
        params = self._init_parameters(
            source.n_features, xp, dtype, self._device_rng(xp), source.X
        )
        self._store_parameters(params)
        self.n_iter_ += 1
        record = {"epoch": self.n_iter_}
        record.update(self._monitor(self._model(params, xp), source.X, xp))
        record["time"] = time.perf_counter() - t0
        self._record(record, None)
        self._logz_cache = {}

    def _gradient(self, params, X, xp, rng):
        model = self._model(params, xp)
        W = params["W"]
        dt = W.dtype.type
        s2 = dt(self._sigma2)
        covariance = isinstance(X, _Covariance)
        if covariance:
            # the positive phase is exact: ⟨φ E[h|φ]ᵀ⟩ = σ_h² C W, ⟨φ²⟩ = diag C
            Xb = xp.zeros((0, W.shape[0]), dtype=W.dtype)
            pos_phi2 = xp.diagonal(X.C)
        else:
            Xb = X
            pos_phi2 = xp.mean(X * X, axis=0)
        if self._method == "exact":
            Kinv = self._kernel_inverse(model, xp)
            stats = ModelStatistics(None, None, (Kinv @ W) * s2)
            neg_phi2 = xp.diagonal(Kinv)
            ph = Phases(model.mean_hiddens(Xb), stats=stats)
        else:
            # persistent chains when there is no data to start CD from
            ph = self._current_phase(covariance)(model, Xb, params, rng)
            stats = ph.stats
            neg_phi2 = xp.mean(ph.v_neg * ph.v_neg, axis=0)
        if covariance:
            pos = (X.C @ W) * s2
            if stats is not None:
                neg = stats.vh
            else:
                neg = (ph.v_neg.T @ ph.h_neg) * dt(1.0 / ph.v_neg.shape[0])
            g = {"W": pos - neg}
        else:
            g = likelihood_gradient(model, Xb, ph, False)
        mode = self._mu2_mode
        if mode is not None:
            d = (neg_phi2 - pos_phi2) * dt(0.5)  # eq. 22: -½(⟨φ²⟩_data - ⟨φ²⟩_model)
            g["mu2"] = d if mode == "local" else xp.sum(d, keepdims=True)
        qmode = self._quartic_mode
        if qmode is not None:  # ∂/∂log λ: λ (⟨φ⁴⟩_model − ⟨φ⁴⟩_data)
            lam = xp.exp(params["log_quartic"])
            d = lam * (xp.mean(ph.v_neg**4, axis=0) - xp.mean(Xb**4, axis=0))
            g["log_quartic"] = d if qmode == "local" else xp.sum(d, keepdims=True)
        return g

    def _make_negative_phase(self, covariance=False):
        if self._method in ("exact", "natural", "eigen", "pseudolikelihood"):
            return None
        if covariance or self._method == "pcd":
            seed = getattr(self, "_chain_seed", None)
            if seed is None:
                return PCD(self.n_gibbs_steps, self._n_chains())

            def at_data(model, params, m):
                # a pseudo-likelihood start is close to the data's distribution:
                # chains that start at training rows need no burn-in (from noise
                # the first negative phases are far off and their steps blow up)
                return model.xp.asarray(seed[:m], dtype=model.dtype)

            return PCD(self.n_gibbs_steps, self._n_chains(), init=at_data)
        return CD(self.n_gibbs_steps)

    def _monitor(self, model, X, xp):
        if self._phi4:  # no Gaussian kernel to watch: the quartic bounds the field
            return {
                "mu2": float(B.to_numpy(model.vis.mass2).mean()),
                "quartic": float(B.to_numpy(model.vis.quartic).mean()),
            }
        rec = {"mu2": float(B.to_numpy(model.vis.precision).mean())}
        if self.n_iter_ % self._spectrum_period(model.n_visible) != 0:
            return rec
        W = B.to_numpy(model.W)
        K = self._kernel_np(W, B.to_numpy(model.vis.precision))
        try:
            lam = np.linalg.eigvalsh(K) if np.isfinite(K).all() else None
        except np.linalg.LinAlgError:
            lam = None
        if lam is None:
            raise TrainingDivergedError(
                f"GaussianRBM training diverged in epoch {self.n_iter_ + 1}: the "
                f"kernel K = mu2·1 - W·Wᵀ overflowed (max |W| = "
                f"{float(np.abs(W).max()):.3g}). "
                + self._divergence_advice(self._current_lr(), self._mass_of(model))
            )
        rec["kernel_eigenvalues"] = lam
        if lam[0] <= 0 and self._gaussian_hidden:
            self._check_kernel(
                {"W": model.W, "mu2": model.vis.precision},
                xp,
                when=f"after epoch {self.n_iter_}",
                exact=True,
            )
        if not self._gaussian_hidden:
            return rec
        logdet = float(np.sum(np.log(lam)))
        target = getattr(self, "_target_covariance", None)
        if X is not None:
            Xs = B.to_numpy(X[:1000]).astype(np.float64)
            quad = np.sum((Xs @ K) * Xs, axis=1).mean()
            rec["log_likelihood"] = (
                -0.5 * quad - 0.5 * len(lam) * math.log(2 * math.pi) + 0.5 * logdet
            )
        elif target is not None:
            C, logdet_c = target
            rec["kl"] = 0.5 * (float(np.sum(K * C)) - len(lam) - logdet - logdet_c)
        return rec

    # -- exact quantities -------------------------------------------------------------
    def _exact_log_z(self, model):
        if not self._gaussian_hidden or self._phi4:
            return super()._exact_log_z(model)
        K = self._kernel_np(B.to_numpy(model.W), B.to_numpy(model.vis.precision))
        lam = np.linalg.eigvalsh(K)
        if lam[0] <= 0:
            raise KernelNotPositiveDefiniteError(
                "GaussianRBM: the kernel is not positive definite (smallest "
                f"eigenvalue {lam[0]:.4g}); the model has no normalizable "
                "distribution and log Z is infinite."
            )
        logdet = float(np.sum(np.log(lam)))
        V, H = model.n_visible, model.n_hidden
        # ∫ exp(-F(φ)) dφ with F(φ) = ½ φᵀKφ − (H/2) log(2π σ_h²)
        return (
            0.5 * V * math.log(2 * math.pi)
            - 0.5 * logdet
            + 0.5 * H * math.log(2 * math.pi * self.sigma_h2)
        )

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
        """Draw visible samples.

        Gaussian hidden units: exact independent samples ``φ = mean_ + L⁻ᵀ z`` with
        K = L Lᵀ and z ~ N(0, 1), unless ``v_init``, ``method="pt"`` or
        ``z2_flips`` is given (then Markov chains as below).  Binary hidden
        units: ``n_steps`` block-Gibbs sweeps per chain, or parallel
        tempering (``method="pt"``), as for the other estimators; with
        ``z2_flips`` a global flip ``φ − mean_ → −(φ − mean_)`` is proposed after
        every sweep (exact for any model; it carries chains between the two
        sectors of a broken phase, which Gibbs sweeps alone never cross).

        Parameters
        ----------
        n_samples : int, default=None
            Number of samples; None: 1, or one per row of ``v_init``.
        n_steps : int, default=1000
            Gibbs sweeps (binary hidden units, or when ``v_init`` is given).
        v_init : array-like of shape (n_samples, n_features), default=None
        method : {"gibbs", "pt"}, default="gibbs"
            Block-Gibbs chains, or parallel tempering from the base-rate model.
        n_temperatures : int, default=10
            Replicas of ``method="pt"``.
        z2_flips : bool, default=False
            Propose the global flip after every sweep.
        random_state : int, RandomState instance or None, default=None

        Returns
        -------
        V : ndarray of shape (n_samples, n_features)

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import GaussianRBM
        >>> from skrapid.datasets import lattice_kernel
        >>> K = lattice_kernel(4, m2=4.0)
        >>> rbm = GaussianRBM(n_components=4, mu2=9.0, method="exact",
        ...                   learning_rate=0.5, max_iter=1000,
        ...                   random_state=0).fit_covariance(kernel=K)
        >>> S = rbm.sample(20000, random_state=0)   # exact, independent samples
        >>> bool(np.allclose(np.cov(S.T), np.linalg.inv(K), atol=0.01))
        True
        """
        if (
            not self._gaussian_hidden
            or self._phi4
            or v_init is not None
            or method != "gibbs"
            or z2_flips
        ):
            return super().sample(
                n_samples,
                n_steps=n_steps,
                v_init=v_init,
                method=method,
                n_temperatures=n_temperatures,
                z2_flips=z2_flips,
                random_state=random_state,
            )
        check_is_fitted(self, "components_")
        n_samples = check_sample_request(
            n_samples,
            n_steps,
            self.n_features_in_,
            B.numpy_dtype(self.components_).itemsize,
        )
        L = self._kernel_cholesky()
        rng = np.random.default_rng(B.seed_from(self._host_random_state(random_state)))
        V = self.n_features_in_
        out = np.empty((n_samples, V), dtype=B.numpy_dtype(self.components_))
        mean = B.to_numpy(self.mean_) if self.center else None
        # in blocks of rows: the working memory is a block's, not 3x the output
        step = max(1024, 2**20 // V)
        for lo in range(0, n_samples, step):
            hi = min(lo + step, n_samples)
            z = rng.standard_normal((V, hi - lo))
            phi = np.linalg.solve(L.T, z).T
            if self.center:
                phi += mean
            out[lo:hi] = phi
        return B.like_input(out, self.components_)

    #: Largest binary hidden layer :meth:`covariance` enumerates.
    _COVARIANCE_MAX_HIDDEN = 20

    def covariance(self):
        """The model's two-point function ⟨φφᵀ⟩ − ⟨φ⟩⟨φ⟩ᵀ, exact.

        Gaussian hidden units: K⁻¹ (eq. 11).  Binary hidden units: the model
        is a mixture of Gaussians, φ | h ~ N(M h, D) with D = diag(1/μ²) and
        M = D W, so Cov φ = D + M Cov(h) Mᵀ, with Cov(h) under the hidden
        marginal p(h) ∝ exp(−F(h)) by enumerating the 2**H hidden states (at
        most H = 20; a larger model raises and says how to estimate it from
        samples).

        Returns
        -------
        C : ndarray of shape (n_features, n_features)
            In the namespace of the fitted attributes (NumPy, or the fit's
            input namespace under Array API dispatch).


        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import GaussianRBM
        >>> from skrapid.datasets import lattice_kernel
        >>> K = lattice_kernel(6, m2=4.0)
        >>> rbm = GaussianRBM(n_components=6, mu2=9.0, method="exact",
        ...                   learning_rate=0.5, max_iter=2000,
        ...                   random_state=0).fit_covariance(kernel=K)
        >>> bool(np.allclose(rbm.covariance(), np.linalg.inv(K), atol=1e-6))
        True
        """
        check_is_fitted(self, "components_")
        if self._phi4:
            raise ValueError(
                "covariance() is exact for the quadratic models; with a quartic "
                "term estimate it from samples: np.cov(rbm.sample(20000, "
                "method='pt', z2_flips=True).T)."
            )
        if self._gaussian_hidden:
            L = self._kernel_cholesky()
            Linv = np.linalg.inv(L)
            return B.like_input(Linv.T @ Linv, self.components_)
        from ._partition import _chunks

        model, _ = self._fitted_model(host=True)  # a sum over hidden states
        H = model.n_hidden
        if H > self._COVARIANCE_MAX_HIDDEN:
            raise ValueError(
                f"covariance() of a GaussianRBM with binary hidden units "
                f"enumerates the 2**H hidden states; this model has H = {H}, more "
                f"than {self._COVARIANCE_MAX_HIDDEN}. Estimate it from samples "
                "instead: np.cov(rbm.sample(20000, method='pt', z2_flips="
                f"{self.hidden == 'spin'}).T)."
            )
        W = np.asarray(model.W, dtype=np.float64)
        d = 1.0 / np.broadcast_to(
            np.asarray(model.vis.precision, dtype=np.float64), (W.shape[0],)
        )
        hidden_view = model.swapped()
        shift, s0 = None, 0.0
        s1, s2 = np.zeros(H), np.zeros((H, H))
        for states in _chunks(hidden_view):
            h = np.asarray(states, dtype=np.float64)
            logw = -np.asarray(hidden_view.free_energy(states), dtype=np.float64)
            mx = logw.max() if shift is None else max(shift, logw.max())
            scale = 0.0 if shift is None else np.exp(shift - mx)
            w = np.exp(logw - mx)
            s0, s1, s2 = (
                s0 * scale + w.sum(),
                s1 * scale + w @ h,
                (s2 * scale + (h * w[:, None]).T @ h),
            )
            shift = mx
        eh = s1 / s0
        cov_h = s2 / s0 - np.outer(eh, eh)
        M = d[:, None] * W
        return B.like_input(np.diag(d) + M @ cov_h @ M.T, self.components_)


def _shift(eigenvalues, n_components):
    """The shift c that writes a symmetric matrix A (its ascending
    ``eigenvalues``) as σ_h² W Wᵀ ≈ A + c 1 with rank(W) = N_h.

    N_h ≥ V: the smallest c that makes A + c 1 positive semi-definite, and the
    representation is exact.  N_h < V: the V − N_h smallest modes are dropped
    and keep only the shift; c = −(their mean eigenvalue) makes the dropped
    errors as small as possible in the least-squares sense (the noise level of
    probabilistic PCA), and the kept modes stay positive."""
    lam = np.asarray(eigenvalues, dtype=np.float64)
    V = lam.size
    if n_components >= V:
        return max(0.0, -float(lam[0]))
    return max(0.0, -float(np.mean(lam[: V - n_components])))
