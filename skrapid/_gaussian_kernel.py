"""GaussianRBM's kernel K = mu2·1 − sigma_h2·W·Wᵀ: positive definiteness.

A Gaussian visible layer has a normalizable distribution only while K is
positive definite (eq. 33 of the scalar-field paper).  Training checks it
after every update (a bound from power iteration, decided exactly when
inconclusive; on a device once per epoch), and a failure raises
:class:`KernelNotPositiveDefiniteError` with its cause and a step that is
stable for the data.
"""

from __future__ import annotations

import math

import numpy as np

from . import _backend as B
from ._base import TrainingDivergedError


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


class _KernelCheckMixin:
    """Positive definiteness of :class:`~skrapid._gaussian.GaussianRBM`'s
    kernel: the training hooks ``_after_update`` and ``_after_epoch`` that
    check it, the bounds and exact tests they use (``_top_sv2``,
    ``_min_kernel_eig``, ``_check_kernel``, the Cholesky factors of
    ``_kernel_inverse`` and ``_kernel_cholesky``), and the error messages
    (``_raise_not_pd``, ``_divergence_advice``).

    Goes before :class:`~skrapid._base.BaseRBM` in GaussianRBM's bases, whose
    no-op ``_after_update`` / ``_after_epoch`` hooks it implements.  Needs
    GaussianRBM's ``_gaussian_hidden``, ``_sigma2``, ``_mass``,
    ``_mu2_array``, ``_kernel_np``, ``_model`` and ``_learning_rate``, and the
    data's spectrum that ``_initial_mass`` keeps (``_data_spectrum``, of
    :class:`~skrapid._gaussian_moments._MomentsMixin`).
    """

    def _divergence_advice(self, lr, mu2):
        """The cause of a gradient update that left K not positive definite,
        read from the data's spectrum, and a step that is stable for it.

        Near the optimum the mode of kernel eigenvalue κ relaxes at the rate
        2 σ_h² lr (μ² − κ)/κ² per update; the stiffest mode (smallest κ, the
        largest variance) is stable for lr < κ²/(σ_h² (μ² − κ)).  A quarter
        of that leaves room for minibatch noise with exact model averages; a
        sixteenth with sampled ones (PCD, CD), whose noise alone pushes the
        stiffest mode's eigenvalue below zero at a quarter (8x8 φ⁴ data near
        criticality: 0.25·lr_max diverged in epoch 5 of PCD, lr_max/12 ran
        100 epochs)."""
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
        sampled = getattr(self, "method", None) in ("pcd", "cd")
        good = float(f"{(1 / 16 if sampled else 0.25) * lr_max:.2g}")
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
        if self._phi4:
            return
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
        if not self._gaussian_hidden or self._phi4:
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
            return float(np.max(B.to_numpy(self.mu2_)))
        return float(self.mu2)

    def _mass_of(self, model):
        return float(B.to_numpy(model.vis.precision).min())

    def _mu2_min(self, params):
        if "mu2" in params:
            return float(B.to_numpy(params["mu2"]).min())
        return self._mass()

    def _after_update(self, params):
        if self._phi4:  # the quartic term bounds the field: any μ², any W
            return
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

    def _kernel_cholesky(self):
        try:
            return np.linalg.cholesky(B.to_numpy(self.kernel_))
        except np.linalg.LinAlgError:
            raise KernelNotPositiveDefiniteError(
                "GaussianRBM: kernel_ is not positive definite; the model has no "
                "distribution to sample."
            ) from None
