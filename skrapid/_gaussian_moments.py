"""GaussianRBM's training on second moments: the natural-gradient step and
the direct solver (``method="natural"``, ``"eigen"``), training from a target
covariance (:meth:`GaussianRBM.fit_covariance`), and the closed-form
solutions they use (``mu2="auto"``, eqs. 13-16 and B8 of the scalar-field
paper).

Reference: G. Aarts, B. Lucini, C. Park, "Scalar field restricted Boltzmann
machine as an ultraviolet regulator", Phys. Rev. D 109, 034521 (2024).
"""

from __future__ import annotations

import time
from numbers import Integral

import numpy as np

from . import _backend as B

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


class _MomentsMixin:
    """The second-moment side of :class:`~skrapid._gaussian.GaussianRBM`:
    the data's covariance and spectrum (``_regularized``, ``_second_moment``,
    ``_initial_mass`` for ``mu2="auto"``), the exact initial weights of
    ``init="cholesky"`` / ``"symmetric"`` (``_exact_solution``), the
    moment-method training (``_train_moments``, ``_solve_moments``), and
    training from a target covariance (``fit_covariance``, with the
    ``_training_source`` hook that feeds it to the training loop).

    Goes before :class:`~skrapid._base.BaseRBM` in GaussianRBM's bases
    (``_training_source`` extends BaseRBM's).  Needs GaussianRBM's
    ``_method``, ``_moment_method``, ``_gaussian_hidden``, ``_sigma2``,
    ``_mu2_mode``, ``_learning_rate``, ``_init_parameters``,
    ``_store_parameters``, ``_model`` and ``_monitor``, and BaseRBM's
    training loop (``_guarded_train``, ``_record``, ``_epoch_detail``).
    """

    def _regularized(self, C):
        """C + reg_covar · 1, as in ``GaussianMixture``: constant and collinear
        columns keep a finite precision."""
        C = np.array(C, dtype=np.float64)
        V = C.shape[0]
        if not float(np.trace(C)) > 0:
            need = []
            if isinstance(self.mu2, str):
                need.append("a numeric mu2 (e.g. mu2=1.0)")
            if self._moment_method:
                need.append("method='pcd'")
            raise ValueError(
                "GaussianRBM: the training data have zero variance in every column, "
                "so they have no spectrum to set mu2='auto' or to fit with "
                f"method={self._method!r}. Give " + " and ".join(need) + "."
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
        S = self._second_moment(X)
        if not auto and not float(np.trace(S)) > 0:
            return float(self.mu2)  # no spectrum to keep for diagnostics
        C = self._regularized(S)
        lam = np.linalg.eigvalsh(C)
        self._data_spectrum = (1.0 / lam[::-1], np.diag(C).copy())
        if not auto:
            return float(self.mu2)
        # binary hidden units: the best isotropic Gaussian at W = 0
        n_modes = self.n_components if self._gaussian_hidden else 0
        self.mu2_ = auto_mass(lam, n_modes)
        return self.mu2_

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
        if self._init_mode == "symmetric":
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
        self._check_parameter_memory(V, dtype)
        self._validate_model_size(V)
        eigen = self._method == "eigen"
        if first or self._moments is None:
            params = self._init_parameters(V, xp, dtype, self._device_rng(xp), source.X)
            self._store_parameters(params)
            n0 = 0.0 if eigen else (1.0 / self._learning_rate() - 1.0) * self.batch_size
            sigma = (
                np.linalg.inv(B.to_numpy(self.kernel_)) if n0 > 0 else np.zeros((V, V))
            )
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
            if source.X is not None and source.X.shape[0] < 2 and m["weight"] == 0:
                # raises: one sample has no spread (after a fit, one more row
                # only moves the running covariance)
                self._second_moment(source.X)
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
            mu2 = float(np.max(B.to_numpy(self.mu2_)))
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
        if self.quartic is not None:
            raise ValueError(
                "fit_covariance trains from a two-point function, which fixes a "
                "Gaussian model only; with quartic=λ fit configurations instead."
            )
        if not self._gaussian_hidden:
            raise ValueError(
                "fit_covariance needs hidden='gaussian': with binary hidden units "
                "the positive phase is not a function of the covariance. Use fit "
                "with samples."
            )
        target = covariance if kernel is None else kernel
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
        # the fitted attributes follow the target's namespace (Array API
        # dispatch), as they follow X in fit
        self._from_input_space(target, reset=first)
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
        if self._init_mode in ("cholesky", "symmetric") and not hasattr(
            self, "components_"
        ):
            Xc = B.to_numpy(source.X).astype(np.float64)
            self._init_covariance = Xc.T @ Xc / max(1, Xc.shape[0])
        self._target_covariance = None
        return source


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
    M = covariance if kernel is None else kernel
    M = np.asarray(B.to_numpy(M) if hasattr(M, "shape") else M, dtype=np.float64)
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
