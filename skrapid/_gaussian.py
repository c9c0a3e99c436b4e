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
"""

from __future__ import annotations

import math
import time
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _backend as B
from ._base import BaseRBM, TrainingDivergedError
from ._binary import likelihood_gradient
from ._negative import CD, PCD, Phases
from ._partition import ModelStatistics
from ._units import Bipartite, Gaussian, get_units


class KernelNotPositiveDefiniteError(TrainingDivergedError):
    """The kernel K = mu2·1 − sigma_h2·W·Wᵀ lost positive definiteness.

    Such a model has no normalizable distribution.  The message gives the
    smallest eigenvalue, the epoch, and what to change.


    Examples
    --------
    >>> from skrapid import GaussianRBM, KernelNotPositiveDefiniteError
    >>> from skrapid.datasets import lattice_kernel
    >>> try:  # initial weights too wide for mu2 = 1
    ...     GaussianRBM(n_components=4, mu2=1.0, init_scale=2.0).fit_covariance(
    ...         kernel=lattice_kernel(4))
    ... except KernelNotPositiveDefiniteError as err:
    ...     print("at initialization" in str(err), "Raise mu2" in str(err))
    True True
    """


#: ``mu2="auto"`` with N_h ≥ V: μ² = (1 + MU2_MARGIN) · κ_max
MU2_MARGIN = 0.5


def auto_mass(variances, n_components, margin=MU2_MARGIN):
    """The mass ``mu2="auto"`` takes from the eigenvalues of the covariance.

    With N_h ≥ V every mode can be learnt once μ² exceeds the largest kernel
    eigenvalue κ_max = 1/λ_min (eq. 14), so μ² = (1 + margin) κ_max: the
    maximum-likelihood Gaussian is then inside the model, and the stiffest
    mode of gradient training keeps a relaxation rate ∝ margin.  With
    N_h < V the V − N_h cut modes sit at 1/μ², and the likelihood is largest
    for μ² = 1 / (mean variance of the cut modes), the noise level of
    probabilistic PCA (Tipping & Bishop 1999); the kept modes, of larger
    variance, then all lie below μ².

    Examples
    --------
    >>> from skrapid._gaussian import auto_mass
    >>> auto_mass([4.0, 2.0, 1.0], 3), auto_mass([4.0, 2.0, 1.0], 1)
    (1.5, 0.6666666666666666)
    """
    lam = np.sort(np.asarray(variances, dtype=np.float64))[::-1]
    if lam[-1] <= 0 or not np.all(np.isfinite(lam)):
        raise ValueError(
            "mu2='auto' needs a positive definite covariance; raise reg_covar."
        )
    if n_components >= len(lam):
        return float((1.0 + margin) / lam[-1])
    return float(1.0 / np.mean(lam[n_components:]))


def regulated_weights(variances, modes, mu2, n_components, sigma_h2=1.0):
    """W of the maximum-likelihood RBM with mass μ² for a covariance (eq. B8).

    The N_h modes of largest variance λ whose kernel eigenvalue 1/λ lies
    below μ² get ξ² = (μ² − 1/λ)/σ_h², so that the RBM kernel has the data's
    eigenvalue there; every other mode keeps the cutoff μ² (UV regulator).
    Extra hidden units (N_h > V) get zero weights.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid._gaussian import regulated_weights
    >>> W = regulated_weights(np.array([0.5, 2.0]), np.eye(2), 4.0, 2)
    >>> np.diag(4.0 - W @ W.T)          # the data's kernel 1/λ
    array([2. , 0.5])
    """
    lam = np.asarray(variances, dtype=np.float64)
    order = np.argsort(lam)[::-1][: int(n_components)]
    keep = order[lam[order] > 1.0 / mu2]
    W = np.zeros((modes.shape[0], int(n_components)))
    xi = np.sqrt((mu2 - 1.0 / lam[keep]) / sigma_h2)
    W[:, : len(keep)] = modes[:, keep] * xi
    return W


class _Covariance:
    """An epoch over a target two-point function: one update whose positive
    phase is the exact ⟨φφᵀ⟩_target (the paper's training of the lattice
    fields from the known kernel, App. A)."""

    X = None
    is_covariance = True

    def __init__(self, C):
        self.C = C
        self.n_features = C.shape[0]

    def batches(self, host_rs, ws=None):
        yield self


class GaussianRBM(BaseRBM):
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
    learn_mu2 : {False, "global", "local"}, default=False
        Keep μ² fixed, learn one μ² (eq. 22), or one per visible node.
        ``True`` means ``"global"``.  ``"natural"``/``"eigen"`` take the
        maximum-likelihood mass directly and support ``"global"`` only.
    sigma_h2 : float, default=1.0
        Variance of the Gaussian hidden nodes (ignored for binary hidden
        units).  With μ² fixed it only rescales W.
    method : {"auto", "natural", "eigen", "pcd", "cd", "exact"}, default="auto"
        How to train.  ``"auto"``: ``"natural"`` for Gaussian hidden units,
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
    init : {"random", "cholesky", "symmetric"}, default="random"
        ``"random"``: W with i.i.d. N(0, init_scale²) entries.  ``"cholesky"``
        and ``"symmetric"`` (N_h = N_v only) start at an exact solution of
        eq. 13 for the data's (or the given) covariance: W = L with
        L Lᵀ = (μ² 1 − K_φ)/σ_h² (eq. 13), or W = O √D Oᵀ (eqs. 15–16).
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

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Wᵀ.
    kernel_ : ndarray of shape (n_features, n_features)
        K = mu2·1 − sigma_h2·W·Wᵀ (sigma_h2 = 1 for binary hidden units).
    mu2_ : float or ndarray of shape (n_features,)
        The (learnt) mass parameter.
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
        "mu2": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "learn_mu2": [StrOptions({"global", "local"}), "boolean"],
        "sigma_h2": [Interval(Real, 0, None, closed="neither")],
        "method": [StrOptions({"auto", "natural", "eigen", "pcd", "cd", "exact"})],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "n_gibbs_steps": [Interval(Integral, 1, None, closed="left")],
        "n_chains": [Interval(Integral, 1, None, closed="left"), None],
        "init": [StrOptions({"random", "cholesky", "symmetric"})],
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
        learn_mu2=False,
        sigma_h2=1.0,
        method="auto",
        n_gibbs_steps=1,
        n_chains=None,
        init="random",
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
            return "natural" if self._gaussian_hidden else "pcd"
        return self.method

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
            return float(np.max(self.mu2_))
        return float(self.mu2)

    def _regularized(self, C):
        """C + reg_covar · 1, as in ``GaussianMixture``: constant and collinear
        columns keep a finite precision."""
        C = np.array(C, dtype=np.float64)
        V = C.shape[0]
        if not float(np.trace(C)) > 0:
            raise ValueError(
                "GaussianRBM: the training data have zero variance in every column, "
                "so they have no spectrum to set mu2='auto' or to fit with "
                f"method={self._method!r}. Give a numeric mu2 and method='pcd'."
            )
        C[np.diag_indices(V)] += self.reg_covar
        return C

    def _second_moment(self, X):
        """⟨φφᵀ⟩ of the (centred) training data, or the target covariance."""
        if X is None:
            return np.asarray(self._init_covariance, dtype=np.float64)
        xp = B.get_namespace(X)
        n, V = X.shape
        if n < 2:
            raise ValueError(
                f"GaussianRBM with mu2='auto' or method={self._method!r} estimates "
                f"the data's covariance and needs at least 2 samples; got n_samples "
                f"= {n} (1 sample). Give a numeric mu2 and method='pcd'."
            )
        S = xp.zeros((V, V), dtype=xp.float64)
        for start in range(0, n, 8192):  # float64 products, bounded memory
            Xc = X[start : start + 8192].astype(xp.float64)
            S += Xc.T @ Xc
        return B.to_numpy(S) / max(n, 1)

    def _initial_mass(self, X):
        """mu2 for a fresh fit; ``"auto"`` is set from the data's spectrum.

        Gradient methods also keep the data's kernel spectrum (1/variances)
        and column variances, to name the cause of a failed fit."""
        self._data_spectrum = None
        auto = isinstance(self.mu2, str)
        if not auto and (self._moment_method or X is not None and X.shape[0] < 2):
            return float(self.mu2)
        if not auto and X is not None and X.shape[1] > 4096:
            return float(self.mu2)
        C = self._regularized(self._second_moment(X))
        lam = np.linalg.eigvalsh(C)
        self._data_spectrum = (1.0 / lam[::-1], np.diag(C).copy())
        if not auto:
            return float(self.mu2)
        # binary hidden units: the best isotropic Gaussian at W = 0
        n_modes = self.n_components if self._gaussian_hidden else 0
        self.mu2_ = auto_mass(lam, n_modes)
        return self.mu2_

    def _divergence_advice(self, lr, mu2):
        """The cause of a gradient update that left K not positive definite,
        read from the data's spectrum, and a step that is stable for it.

        Near the optimum the mode of kernel eigenvalue κ relaxes at the rate
        2 σ_h² lr (μ² − κ)/κ² per update; the stiffest mode (smallest κ, the
        largest variance) is stable for lr < κ²/(σ_h² (μ² − κ)).  A quarter
        of that leaves room for minibatch and chain noise."""
        tail = (
            "Lower learning_rate (e.g. by 10x), or use method='natural', whose "
            "natural-gradient step is stable for any spectrum."
        )
        if not self._gaussian_hidden:
            return (
                "The cause is the step size: lower learning_rate (e.g. by 10x). "
                "Gaussian–Bernoulli training works best on standardized data "
                "(sklearn's StandardScaler) with mu2='auto'."
            )
        spec = getattr(self, "_data_spectrum", None)
        if spec is None or lr is None:
            return tail
        kappa, variances = spec
        s2 = self._sigma2
        below = kappa[kappa < mu2]
        if not below.size:
            return tail
        kmin = float(below[0])
        lr_max = kmin**2 / (s2 * (mu2 - kmin))
        good = float(f"{0.25 * lr_max:.2g}")
        if not (math.isfinite(lr_max) and good > 0):
            return tail
        ratio = mu2 / kmin
        kslow = float(below[-1])  # the slowest mode learnt
        n_updates = kslow**2 / (2 * s2 * good * (mu2 - kslow))
        if not isinstance(self.mu2, str) and mu2 * variances.max() > 1e3:
            cause = (
                f"The cause is the data's scale: the largest column variance "
                f"{variances.max():.3g} is {mu2 * variances.max():.3g} times 1/mu2 "
                f"(mu2 = {mu2:.4g} fixes the units of the fields); standardize X "
                "(sklearn's StandardScaler) or set mu2='auto'."
            )
        elif ratio > 1e3:
            cause = (
                f"The cause is mu2 relative to the data's spectrum: mu2 = "
                f"{mu2:.4g} is {ratio:.3g} times the smallest kernel eigenvalue "
                f"κ_min = {kmin:.3g} (the data's variances span a factor "
                f"{kappa[-1] / kappa[0]:.3g}: collinear or unevenly scaled "
                "columns), so gradient training is stiff."
            )
        else:
            cause = "The cause is the step size: lower learning_rate."
        return (
            f"{cause} The stiffest mode of these data (variance {1 / kmin:.3g}) "
            f"relaxes at 2·sigma_h2·learning_rate·(mu2 − κ)/κ² per update, stable "
            f"only for learning_rate < {lr_max:.3g}; it is {lr:.3g}. "
            "method='natural' (the default) or method='eigen' reaches the model's "
            "optimum for any spectrum and scale. To keep the gradient dynamics, "
            f"learning_rate={good:g} is stable, but the slowest mode then needs "
            f"about {n_updates:.2g} updates."
        )

    @property
    def _mu2_mode(self):
        if self.learn_mu2 is True:
            return "global"
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

    def _validate_model_size(self, n_features):
        method = self._method
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
        if self.init != "random" and self.n_components != n_features:
            raise ValueError(
                f"init={self.init!r} is an exact solution of eq. 13 for N_h = N_v; "
                f"got n_components={self.n_components} and {n_features} features. "
                "Use init='random' or n_components=n_features."
            )
        if self.init != "random" and not self._gaussian_hidden:
            raise ValueError(
                f"init={self.init!r} needs hidden='gaussian'; use init='random'."
            )

    # -- parameters --------------------------------------------------------------
    def _init_parameters(self, n_features, xp, dtype, rng, X):
        V, H = n_features, self.n_components
        mu2 = self._initial_mass(X)
        s2 = self._sigma2
        if self.init == "random":
            scale = self.init_scale
            if scale is None:
                scale = math.sqrt(0.1 * mu2 / s2) / (math.sqrt(V) + math.sqrt(H))
            W = rng.standard_normal((V, H), dtype=dtype) * dtype(scale)
        else:
            W = xp.asarray(self._exact_solution(self._init_covariance, mu2, s2), dtype)
        params = {"W": W}
        mode = self._mu2_mode
        if mode is not None:
            params["mu2"] = xp.full(V if mode == "local" else 1, mu2, dtype=dtype)
        self._sv_vec = None
        self._check_kernel(params, xp, when="at initialization", exact=True)
        return params

    def _exact_solution(self, C, mu2, s2):
        """W with W Wᵀ = (μ² 1 − K_φ)/σ_h², K_φ = C⁻¹ (eqs. 13, 15–16)."""
        C = np.asarray(C, dtype=np.float64)
        evals, evecs = np.linalg.eigh(C)
        if evals[0] <= 1e-10 * max(evals[-1], 1e-300):
            raise ValueError(
                f"init={self.init!r} needs an invertible covariance (K_φ = C⁻¹); "
                f"the smallest eigenvalue of the data covariance is {evals[0]:.3g}. "
                "Use init='random' (e.g. for MNIST, whose border pixels never vary)."
            )
        kappa = 1.0 / evals  # eigenvalues of K_φ, same eigenvectors
        if mu2 < kappa.max() * (1 - 1e-12):
            raise ValueError(
                f"init={self.init!r}: eq. 13 has a real solution only for "
                f"mu2 >= the largest target kernel eigenvalue κ_max = "
                f"{kappa.max():.6g} (eq. 14); got mu2={mu2:g}. Raise mu2 or use "
                "init='random'."
            )
        d = np.clip((mu2 - kappa) / s2, 0.0, None)
        if self.init == "symmetric":
            return (evecs * np.sqrt(d)) @ evecs.T
        M = (evecs * d) @ evecs.T
        try:
            return np.linalg.cholesky(M)
        except np.linalg.LinAlgError:
            raise ValueError(
                "init='cholesky' needs mu2 strictly above κ_max "
                f"= {kappa.max():.6g} (μ² 1 − K_φ must be positive definite); "
                f"got mu2={mu2:g}. Raise mu2 slightly or use init='symmetric'."
            ) from None

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
            m = np.atleast_1d(np.asarray(self.mu2_, dtype=np.float64))
            params["mu2"] = B.to_device(m, xp, dtype)
        return params

    _fingerprint_attrs = BaseRBM._fingerprint_attrs + ("mean_", "mu2_")
    _structural_params = BaseRBM._structural_params + (
        "hidden",
        "mu2",
        "learn_mu2",
        "sigma_h2",
        "center",
    )

    def _compute_log_z(self, model, method, ais_kwargs, random_state):
        if self._gaussian_hidden and method == "auto":
            method = "exact"  # closed form
        return super()._compute_log_z(model, method, ais_kwargs, random_state)

    def _model(self, params, xp):
        W = params["W"]
        dtype = W.dtype
        V, H = W.shape
        vis = Gaussian(self._mu2_array(params, xp, dtype))
        if self._gaussian_hidden:
            hid = Gaussian(dtype.type(1.0 / self.sigma_h2))
        else:
            hid = get_units(self.hidden)
        zb, zc = xp.zeros(V, dtype=dtype), xp.zeros(H, dtype=dtype)
        return Bipartite(W, zb, zc, vis, hid, xp)

    # -- positive definiteness -----------------------------------------------------
    def _top_sv2(self, W, xp, n_iter=3):
        """Largest eigenvalue of Wᵀ W by warm-started power iteration, as a
        host float (a lower bound that tracks the top singular value² across
        small updates).  One device->host transfer."""
        return float(self._top_sv2_device(W, xp, n_iter))

    def _top_sv2_device(self, W, xp, n_iter=3):
        """:meth:`_top_sv2` as a 0-d array of ``xp``: no host transfer.

        The iterate is normalized by its largest entry, not its 2-norm: in
        float32 the squares of a small iterate underflow, and dividing by an
        underflowed norm made the bound blow up (a false "not positive
        definite" error on the device).  The Rayleigh quotient vᵀWᵀWv / vᵀv
        of a max-normalized v has vᵀv >= 1, so it is scale-invariant and
        exact in the limit; a vanishing iterate (W ≈ 0) gives 0.
        """
        v = getattr(self, "_sv_vec", None)
        if v is None or v.shape[0] != W.shape[1] or B.get_namespace(v) is not xp:
            v = xp.ones(W.shape[1], dtype=W.dtype)
        one = W.dtype.type(1)
        for _ in range(n_iter):
            w = W.T @ (W @ v)
            m = xp.max(xp.abs(w))
            ok = (m > 0) & xp.isfinite(m)
            v = xp.where(ok, w / xp.where(ok, m, one), v)  # keep v if w vanishes
        self._sv_vec = v
        u = W.T @ (W @ v)
        vv = v @ v
        return xp.where(vv > 0, (v @ u) / xp.where(vv > 0, vv, one), W.dtype.type(0))

    def _after_epoch(self, params, xp, rng):
        chol_ok = getattr(self, "_chol_ok", None)
        if chol_ok is not None:  # method='exact' on a device
            self._chol_ok = None
            if not bool(chol_ok):
                self._raise_not_pd(self._model(params, xp))
        pd_min = getattr(self, "_pd_min", None)
        if pd_min is None:
            return
        self._pd_min = None
        bound = float(B.to_numpy(pd_min))
        if not math.isfinite(bound):
            self._sv_vec = None
            return  # non-finite parameters: reported by the finiteness check
        when = f"during epoch {self.n_iter_ + 1}"
        if (
            "mu2" in params
            and bound <= 0
            and (self._mu2_min(params) <= 0 or not self._gaussian_hidden)
        ):
            raise KernelNotPositiveDefiniteError(
                f"GaussianRBM: the learnt mass mu2 became non-positive {when}. "
                + self._divergence_advice(self._current_lr(), self._initial_mu2())
            )
        if bound <= 0:
            # the bound is an upper bound on the smallest eigenvalue: some
            # update of this epoch left K not positive definite
            lr = self._current_lr()
            self._check_kernel(params, xp, when=when, exact=True, lr=lr)
            mu2 = self._mu2_min(params)
            raise KernelNotPositiveDefiniteError(
                f"GaussianRBM: the kernel K = mu2·1 - sigma_h2·W·Wᵀ was not "
                f"positive definite after an update {when} (mu2 - sigma_h2·ξ₁² "
                f"reached {bound:.4g} with mu2 = {mu2:.4g}), so the model had no "
                "normalizable distribution. " + self._divergence_advice(lr, mu2)
            )
        self._check_kernel(params, xp, when=f"after epoch {self.n_iter_ + 1}")

    def _min_kernel_eig(self, params, xp, exact):
        """Smallest eigenvalue of K (a bound unless ``exact``)."""
        W = params["W"]
        mu2 = self._mu2_array(params, xp, W.dtype)
        if not exact:
            return float(mu2.min()) - self._sigma2 * self._top_sv2(W, xp)
        K = self._kernel_np(B.to_numpy(W), B.to_numpy(mu2))
        return float(np.linalg.eigvalsh(K)[0])

    def _check_kernel(self, params, xp, *, when, exact=False, lr=None):
        if not self._gaussian_hidden:
            # log 2cosh grows linearly: ½ μ² φᵀφ alone keeps a Gaussian–Bernoulli
            # model normalizable whatever W is (kernel_ is only its quadratic part)
            return
        W = params["W"]
        if not bool(xp.isfinite(W).all()):
            return  # reported by the base class's finiteness check
        lam = self._min_kernel_eig(params, xp, exact)
        if lam > 0 and not (exact is False and lam < 1e-3 * self._mu2_min(params)):
            return
        if not exact:  # the bound is inconclusive: decide exactly
            lam = self._min_kernel_eig(params, xp, True)
            if lam > 0:
                return
        mu2 = self._mu2_min(params)
        xi2 = (mu2 - lam) / self._sigma2
        if when == "at initialization":
            advice = (
                "Raise mu2 (or learn it with learn_mu2='global'), or start from a "
                "smaller init_scale."
            )
        else:
            advice = self._divergence_advice(
                lr if lr is not None else self._current_lr(), mu2
            )
        raise KernelNotPositiveDefiniteError(
            f"GaussianRBM: the kernel K = mu2·1 - sigma_h2·W·Wᵀ is not positive "
            f"definite {when} (smallest eigenvalue {lam:.4g}), so the model has "
            f"no normalizable distribution. It needs mu2 > sigma_h2·ξ₁² (eq. 33); "
            f"here mu2 = {mu2:.4g} and sigma_h2·ξ₁² = {self._sigma2 * xi2:.4g}. "
            + advice
        )

    def _current_lr(self):
        from ._optim import learning_rate_at

        return learning_rate_at(
            self._learning_rate(), self.lr_decay, self.lr_decay_every, self.n_iter_
        )

    def _initial_mu2(self):
        """The mass training started from (``mu2``, or its auto value)."""
        if isinstance(self.mu2, str):
            return float(np.max(self.mu2_))
        return float(self.mu2)

    def _mass_of(self, model):
        return float(B.to_numpy(model.vis.precision).min())

    def _mu2_min(self, params):
        if "mu2" in params:
            return float(B.to_numpy(params["mu2"]).min())
        return self._mass()

    def _train(self, X, n_epochs, *, first):
        self._mu2_const = {}
        try:
            if self._moment_method:
                self._train_moments(X, n_epochs, first=first)
            else:
                super()._train(X, n_epochs, first=first)
        finally:  # no device arrays stay on the estimator
            self._sv_vec = self._pd_min = self._mu2_const = self._chol_ok = None

    # -- the natural-gradient step and the direct solver ---------------------------
    def _train_moments(self, X, n_epochs, *, first):
        """``method="natural"`` and ``"eigen"``.

        The model is an exponential family whose mean parameter is the
        covariance Σ = K⁻¹.  The natural (Fisher) gradient step in the natural
        parameter K is, to first order, the plain step Σ ← Σ + η (C_batch − Σ)
        in Σ: positive phase minus negative phase, with every mode relaxing at
        the same rate η whatever its eigenvalue.  Taken exactly in Σ it is a
        convex combination of covariances, so it never leaves the positive
        definite cone.  With η_t = n_b / (n_0 + n_seen + n_b) (the
        Robbins–Monro 1/t step; the initial model counts as n_0 samples) Σ is
        the running mean of the minibatch moments and converges to the data's
        covariance.  After each epoch W is the maximum-likelihood RBM for Σ
        (eq. B8, :func:`regulated_weights`), exact for N_h ≥ V.
        ``"eigen"`` is one exact pass (n_0 = 0).
        """
        xp = B.resolve_namespace(self.device, X)
        dtype = self._dtype_for(X)
        source = self._training_source(X, xp, dtype)
        V = source.n_features
        self._validate_model_size(V)
        eigen = self._method == "eigen"
        if first or self._moments is None:
            params = self._init_parameters(V, xp, dtype, self._device_rng(xp), source.X)
            self._store_parameters(params)
            n0 = 0.0 if eigen else (1.0 / self._learning_rate() - 1.0) * self.batch_size
            sigma = np.linalg.inv(self.kernel_) if n0 > 0 else np.zeros((V, V))
            self._moments = {"sigma": sigma, "weight": n0}
        if eigen:
            n_epochs = min(n_epochs, 1)
        m = self._moments
        sigma = B.to_device(m["sigma"], xp, np.float64)
        host_rs = self.random_state_
        for _ in range(n_epochs):
            t0 = time.perf_counter()
            before = sigma.copy()
            eta = None
            if source.X is not None and source.X.shape[0] < 2:
                self._second_moment(source.X)  # raises: one sample has no spread
            for Xb in source.batches(host_rs):
                if isinstance(Xb, _Covariance):
                    Cb, nb = Xb.C.astype(xp.float64), float(self.batch_size)
                else:
                    Xd = Xb.astype(xp.float64)
                    nb = float(Xd.shape[0])
                    Cb = (Xd.T @ Xd) / nb
                eta = nb / (m["weight"] + nb)
                sigma += eta * (Cb - sigma)
                m["weight"] += nb
            m["sigma"] = B.to_numpy(sigma)
            params = self._solve_moments(m["sigma"], xp, dtype)
            self.n_iter_ += 1
            record = {"epoch": self.n_iter_, "learning_rate": eta}
            model = self._model(params, xp)
            record.update(self._monitor(model, source.X, xp))
            detail = self._epoch_detail(None, model, xp) if self.verbose >= 2 else None
            B.synchronize(xp)
            record["time"] = time.perf_counter() - t0
            self._record(record, detail)
            change = float(xp.linalg.norm(sigma - before))
            if change <= 1e-12 * float(xp.linalg.norm(sigma)):
                break  # a fixed point: further epochs change nothing
        self._logz_cache = {}

    def _solve_moments(self, sigma, xp, dtype):
        """Store the maximum-likelihood RBM for the covariance ``sigma``."""
        lam, modes = np.linalg.eigh(self._regularized(sigma))
        H, V = self.n_components, len(lam)
        if self._mu2_mode == "global":
            mu2 = float(np.max(self.mu2_))
            if H < V or mu2 * lam[0] < 1.0:  # PPCA mass / lift above κ_max
                mu2 = auto_mass(lam, H)
        elif isinstance(self.mu2, str):
            mu2 = auto_mass(lam, H)
        else:
            mu2 = float(self.mu2)
        W = regulated_weights(lam, modes, mu2, H, self._sigma2)
        params = {"W": B.to_device(W, xp, dtype)}
        if self._mu2_mode == "global":
            params["mu2"] = xp.full(1, mu2, dtype=dtype)
        self.mu2_ = mu2
        self._store_parameters(params)
        return params

    def _after_update(self, params):
        xp = B.get_namespace(params["W"])
        if xp is not np and (self._gaussian_hidden or "mu2" in params):
            # on a device, no host synchronization per update: keep the running
            # minimum of the (upper) bound μ² − σ_h² ξ₁²_est on the device and
            # decide once per epoch (_after_epoch); with binary hidden units
            # only the mass has to stay positive
            W = params["W"]
            mu2 = self._mu2_array(params, xp, W.dtype)
            lam = mu2.min()
            if self._gaussian_hidden:
                lam = lam - W.dtype.type(self._sigma2) * self._top_sv2_device(W, xp)
            prev = getattr(self, "_pd_min", None)
            self._pd_min = lam if prev is None else xp.minimum(prev, lam)
            return
        if "mu2" in params and not bool((params["mu2"] > 0).all()):
            raise KernelNotPositiveDefiniteError(
                "GaussianRBM: the learnt mass mu2 became non-positive in epoch "
                f"{self.n_iter_ + 1}. "
                + self._divergence_advice(self._current_lr(), self._initial_mu2())
            )
        self._check_kernel(
            params, xp, when=f"after an update in epoch {self.n_iter_ + 1}"
        )

    # -- training ------------------------------------------------------------------
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
        return g

    def _make_negative_phase(self, covariance=False):
        if self._method in ("exact", "natural", "eigen"):
            return None
        if covariance or self._method == "pcd":
            return PCD(self.n_gibbs_steps, self._n_chains())
        return CD(self.n_gibbs_steps)

    def _kernel_inverse(self, model, xp):
        W = model.W
        K = -self._sigma2 * (W @ W.T)
        K = K + xp.diag(xp.broadcast_to(model.vis.precision, (W.shape[0],)))
        try:
            L = xp.linalg.cholesky(K)
        except np.linalg.LinAlgError:
            L = None
        if L is not None and xp is not np:
            # on a device: no host synchronization per update; the flag is
            # kept on the device and read once per epoch (_after_epoch).  A
            # failed factor only spoils the rest of this epoch, whose result
            # is then discarded (the last good epoch is kept)
            ok = _is_cholesky_factor(xp, L, K)
            prev = getattr(self, "_chol_ok", None)
            self._chol_ok = ok if prev is None else prev & ok
        elif L is None or not bool(_is_cholesky_factor(xp, L, K)):
            self._raise_not_pd(model)
        Linv = xp.linalg.inv(L)
        return Linv.T @ Linv

    def _raise_not_pd(self, model=None):
        mu2 = self._mass_of(model) if model is not None else self._initial_mu2()
        raise KernelNotPositiveDefiniteError(
            f"GaussianRBM: the kernel K = mu2·1 - sigma_h2·W·Wᵀ is not positive "
            f"definite in epoch {self.n_iter_ + 1}, so the model has no "
            "normalizable distribution. "
            + self._divergence_advice(self._current_lr(), mu2)
        )

    def _monitor(self, model, X, xp):
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

    # -- training from a covariance -------------------------------------------------
    def fit_covariance(
        self, covariance=None, *, kernel=None, n_epochs=None, reset=True
    ):
        """Train from a target two-point function instead of samples.

        The positive phase of eqs. 20 and 22 is then exact: ⟨φφᵀ⟩_target = C,
        so ∂L/∂W = σ_h² (C − ⟨φφᵀ⟩_model) W.  The negative phase is the
        persistent chains (``method="pcd"``; ``"cd"`` has no data to start
        from and also uses persistent chains) or K⁻¹ (``method="exact"``).
        Each epoch is one update, as in the paper (App. A).  Gaussian hidden
        units only: with binary hidden units the positive phase is not a
        function of C.

        Parameters
        ----------
        covariance : array-like of shape (n_features, n_features), default=None
            Target ⟨φ φᵀ⟩ (zero-mean fields), symmetric positive semi-definite.
        kernel : array-like of shape (n_features, n_features), default=None
            Target kernel K_φ (symmetric positive definite); the covariance is
            its inverse.  Give exactly one of ``covariance`` and ``kernel``.
        n_epochs : int, default=None
            Updates to run; None uses ``max_iter``.
        reset : bool, default=True
            Start from a fresh initialization; False continues training (same
            target, parameters, optimizer state and chains).

        Returns
        -------
        self : object


        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import GaussianRBM
        >>> from skrapid.datasets import lattice_eigenvalues, lattice_kernel
        >>> rbm = GaussianRBM(n_components=10, mu2=9.0, method="exact",
        ...                   learning_rate=0.5, max_iter=3000, random_state=0)
        >>> rbm = rbm.fit_covariance(kernel=lattice_kernel(10, m2=4.0))
        >>> lam = np.linalg.eigvalsh(rbm.kernel_)
        >>> bool(np.allclose(lam, lattice_eigenvalues(10, m2=4.0), rtol=1e-3))
        True
        """
        self._validate_params()
        if not self._gaussian_hidden:
            raise ValueError(
                "fit_covariance needs hidden='gaussian': with binary hidden units "
                "the positive phase is not a function of the covariance. Use fit "
                "with samples."
            )
        C = _check_target(covariance, kernel)
        if n_epochs is None:
            n_epochs = self.max_iter
        if not isinstance(n_epochs, Integral) or n_epochs < 0:
            raise ValueError(
                f"n_epochs must be a non-negative integer; got {n_epochs!r}."
            )
        first = reset or not hasattr(self, "components_")
        if not first and C.shape[0] != self.n_features_in_:
            raise ValueError(
                f"the target has {C.shape[0]} fields, but this GaussianRBM was "
                f"trained on {self.n_features_in_}."
            )
        if first:
            self._reset_fit_state()
            self._fit_signature = self._signature()
            self.n_features_in_ = C.shape[0]
            self.mean_ = np.zeros(C.shape[0])
        else:
            self._check_signature()
        sign, logdet_c = np.linalg.slogdet(C)
        self._target_covariance = (C, logdet_c if sign > 0 else -np.inf)
        self._init_covariance = C
        self._covariance_mode = True
        try:
            self._guarded_train(C, n_epochs, first=first)
        finally:
            self._covariance_mode = False
        return self

    def _training_source(self, X, xp, dtype):
        if getattr(self, "_covariance_mode", False):
            return _Covariance(B.to_device(X, xp, dtype))
        source = super()._training_source(X, xp, dtype)
        if self.init != "random" and not hasattr(self, "components_"):
            Xc = B.to_numpy(source.X).astype(np.float64)
            self._init_covariance = Xc.T @ Xc / max(1, Xc.shape[0])
        self._target_covariance = None
        return source

    # -- exact quantities -------------------------------------------------------------
    def _exact_log_z(self, model):
        if not self._gaussian_hidden:
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

    def sample(self, n_samples=1, *, n_steps=1000, v_init=None, random_state=None):
        """Draw visible samples.

        Gaussian hidden units: exact independent samples ``φ = mean_ + L⁻ᵀ z`` with
        K = L Lᵀ and z ~ N(0, 1), unless ``v_init`` is given (then Gibbs
        chains start there).  Binary hidden units: ``n_steps`` block-Gibbs
        sweeps per chain, as for the other estimators.

        Parameters
        ----------
        n_samples : int, default=1
        n_steps : int, default=1000
            Gibbs sweeps (binary hidden units, or when ``v_init`` is given).
        v_init : array-like of shape (n_samples, n_features), default=None
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
        if not self._gaussian_hidden or v_init is not None:
            return super().sample(
                n_samples, n_steps=n_steps, v_init=v_init, random_state=random_state
            )
        check_is_fitted(self, "components_")
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(
                f"n_samples must be a positive integer; got {n_samples!r}."
            )
        L = self._kernel_cholesky()
        rng = np.random.default_rng(B.seed_from(self._host_random_state(random_state)))
        z = rng.standard_normal((self.n_features_in_, n_samples))
        phi = np.linalg.solve(L.T, z).T
        out = phi + (self.mean_ if self.center else 0.0)
        return out.astype(self.components_.dtype)

    def _kernel_cholesky(self):
        try:
            return np.linalg.cholesky(self.kernel_)
        except np.linalg.LinAlgError:
            raise KernelNotPositiveDefiniteError(
                "GaussianRBM: kernel_ is not positive definite; the model has no "
                "distribution to sample."
            ) from None

    def covariance(self):
        """The model's two-point function ⟨φφᵀ⟩ − ⟨φ⟩⟨φ⟩ᵀ = K⁻¹ (eq. 11).

        Exact for Gaussian hidden units; for binary hidden units this is the
        inverse of the quadratic kernel (eq. 93), an approximation.

        Returns
        -------
        C : ndarray of shape (n_features, n_features)


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
        L = self._kernel_cholesky()
        Linv = np.linalg.inv(L)
        return Linv.T @ Linv


def _is_cholesky_factor(xp, L, K):
    """Whether ``L`` is a Cholesky factor of ``K``, as a 0-d array of ``xp``.

    NumPy raises when K is not positive definite; CuPy does not (its default
    ``linalg`` error mode is "ignore"): potrf stops at the first non-positive
    pivot and leaves a finite, wrong factor.  So the factor is checked: finite,
    a positive diagonal, and L Lᵀ = K to within Cholesky's backward error
    (about n·eps·max|K|; 100 times that here).  No host transfer: the caller
    reads the flag once.
    """
    n = K.shape[0]
    eps = np.finfo(L.dtype).eps
    scale = xp.max(xp.abs(K))
    resid = xp.max(xp.abs(L @ L.T - K))
    return (
        xp.all(xp.isfinite(L))
        & xp.all(xp.diagonal(L) > 0)
        & (resid <= L.dtype.type(100 * max(n, 1) * eps) * scale)
    )


#: Standard deviations the model handles, by dtype: μ² ~ 1/variance and the
#: kernel's products must stay far inside the float range.
_SCALE_RANGE = {np.dtype(np.float64): (1e-50, 1e50), np.dtype(np.float32): (1e-6, 1e6)}


def _check_scale(std, dtype, what):
    """Raise ValueError when the data's spread is outside ``_SCALE_RANGE``."""
    lo, hi = _SCALE_RANGE[np.dtype(dtype)]
    spread = np.asarray(std, dtype=np.float64)
    spread = spread[spread > 0]
    if spread.size == 0:
        return  # constant data: reported where the covariance is formed
    s_min, s_max = float(spread.min()), float(spread.max())
    if s_max > hi or s_min < lo:
        raise ValueError(
            f"{what} has standard deviations from {s_min:.3g} to {s_max:.3g}, "
            f"outside what {np.dtype(dtype).name} arithmetic supports for this "
            f"model ({lo:g} to {hi:g}): the mass μ² ~ 1/variance would over- or "
            "underflow. Rescale the data, e.g. with "
            "sklearn.preprocessing.StandardScaler (log-likelihoods of data "
            "scaled by a shift by −V·log a)."
        )


def _check_target(covariance, kernel):
    if (covariance is None) == (kernel is None):
        raise ValueError("give exactly one of covariance and kernel.")
    name = "covariance" if kernel is None else "kernel"
    M = np.asarray(covariance if kernel is None else kernel, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 1:
        raise ValueError(f"{name} must be a square matrix; got shape {M.shape}.")
    if not np.all(np.isfinite(M)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if not np.allclose(M, M.T, rtol=1e-8, atol=1e-10 * max(1.0, np.abs(M).max())):
        raise ValueError(f"{name} must be symmetric.")
    M = 0.5 * (M + M.T)
    diag = np.abs(np.diag(M))
    if kernel is None:
        _check_scale(np.sqrt(diag), np.float64, name)
    else:
        _check_scale(1.0 / np.sqrt(diag[diag > 0]), np.float64, name)
    lam = np.linalg.eigvalsh(M)
    if kernel is not None:
        if lam[0] <= 0:
            raise ValueError(
                f"kernel must be positive definite (a normalizable Gaussian); its "
                f"smallest eigenvalue is {lam[0]:.4g}."
            )
        return np.linalg.inv(M)
    if lam[0] < -1e-10 * max(1.0, lam[-1]):
        raise ValueError(
            f"covariance must be positive semi-definite; its smallest eigenvalue "
            f"is {lam[0]:.4g}."
        )
    return M
