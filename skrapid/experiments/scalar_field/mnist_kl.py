"""Scalar-field paper, Sec. VI, Figs. 13 and 17: the spectrum of MNIST's
two-point function, and the best Gaussian RBM under the cutoff vs N_h.
"""

from __future__ import annotations

import time

import numpy as np

from ...datasets import load_mnist
from .._plotting import _pyplot, _save
from .._registry import SFRBM, _verdict, register


def mnist_correlation_spectrum(data_home=None, *, center=False, X=None):
    """Eigenvalues of the MNIST two-point function ⟨φ_i φ_j⟩ (Sec. VI, Fig. 13).

    MNIST pixels are read in [0, 1] (``X`` replaces the files).
    ``center=False`` is the paper's raw second moment; ``center=True`` the
    covariance that :class:`GaussianRBM` (with its default ``center=True``)
    learns.  Returns the eigenvalues 1/κ,
    descending.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder with the MNIST files (when ``X`` is None).
    center : bool, default=False
        Subtract the mean first (covariance) instead of the raw second moment.
    X : array-like of shape (n_samples, n_features), default=None
        Data to use instead of MNIST.

    Returns
    -------
    eigenvalues : ndarray of shape (n_features,)
        Eigenvalues of the two-point function, descending.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.experiments import mnist_correlation_spectrum
    >>> X = np.random.default_rng(0).random((500, 5))
    >>> ev = mnist_correlation_spectrum(X=X)
    >>> len(ev), bool(ev[0] >= ev[-1] > 0)   # descending
    (5, True)
    """
    if X is None:
        X, _ = load_mnist(data_home, subset="train", allow_download=False)
    X = np.asarray(X, dtype=np.float64)
    if center:
        X = X - X.mean(axis=0)
    C = X.T @ X / X.shape[0]
    return np.sort(np.linalg.eigvalsh(C))[::-1]


def mnist_gaussian_kl(
    n_components,
    *,
    data=None,
    data_home=None,
    mu2=100.0,
    max_iter=0,
    learning_rate=2e-4,
    natural_epochs=0,
    seed=0,
    progress=print,
):
    """Held-out log-likelihood of Gaussian RBMs vs N_h on MNIST (Fig. 17).

    For each N_h a :class:`GaussianRBM` (μ² fixed, centred data, exact
    negative phase K⁻¹, plain gradient ascent) is trained from the training
    set's covariance for ``max_iter`` updates and scored on the test set in
    closed form.  The flow is stiff: near its fixed point a mode with kernel
    eigenvalue κ relaxes at rate 2(μ² − κ)/κ², about 5000 for MNIST's
    largest-variance mode at μ² = 100, so steps above ~4e-4 are unstable
    while modes with κ near μ² take ~1/(step·rate) updates (the paper ran a
    million epochs).  ``max_iter=0`` skips training and reports only the
    optimum.  The data-averaged KL of
    eq. 86 is −(mean log-likelihood) + const, so the log-likelihood is what is
    reported, with the best value the cutoff allows (the maximum-likelihood
    Gaussian with its spectrum regulated by μ² and N_h) next to it, the
    log-likelihood of an RBM with N_h hidden nodes built at that optimum, and
    its exact gradient relative to its positive phase (≈ 0: a fixed point of
    the training equations).

    Parameters
    ----------
    n_components : sequence of int
        Hidden nodes N_h to evaluate.
    data : tuple, default=None
        ``(X_train, X_test)``; None reads MNIST from ``data_home``.
    data_home : str or path-like, default=None
        Folder with the MNIST files.
    mu2 : float, default=100.0
        The RBM's mass parameter (the cutoff).
    max_iter : int, default=0
        Training epochs from the covariance (0: only the optimum).
    learning_rate : float, default=2e-4
        Step of that training.
    natural_epochs : int, default=0
        Also train an RBM per N_h from a random initialization on the
        training images with the natural-gradient step
        (``method="natural"``, η₀ = 0.1, so the random initial model counts
        as nine minibatches) for this many epochs, and score it
        (``natural_test_log_likelihood``); 0 skips it.
    seed : int, default=0
        Seed of that training.
    progress : callable, default=print
        Called with a line per N_h.

    Returns
    -------
    records : list of dict
        Per N_h: the best test and train log-likelihood under the cutoff, the
        log-likelihood of an RBM built at that optimum and its relative exact
        gradient, the trained log-likelihoods (if trained) and the time.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.experiments import mnist_gaussian_kl
    >>> rng = np.random.default_rng(0)
    >>> A = rng.normal(size=(6, 6))
    >>> X = rng.normal(size=(2000, 6)) @ A / 20
    >>> recs = mnist_gaussian_kl([1, 3, 6], data=(X[:1500], X[1500:]), mu2=100.0,
    ...                          progress=lambda message: None)
    >>> best = [r["best_test_log_likelihood"] for r in recs]
    >>> bool(best[0] < best[1] <= best[2])   # more hidden nodes, fewer modes cut
    True
    """
    from ..._gaussian import GaussianRBM

    if data is None:
        Xtr, _ = load_mnist(data_home, subset="train", allow_download=False)
        Xte, _ = load_mnist(data_home, subset="test", allow_download=False)
        data = (Xtr, Xte)
    Xtr, Xte = (np.asarray(a, dtype=np.float64) for a in data)
    mean, C = _centred_covariance(Xtr)
    Xc = Xtr - mean
    out = []
    n_below = int(np.sum(np.linalg.eigvalsh(C) > 1.0 / mu2))
    for n_h in n_components:
        t0 = time.perf_counter()
        best = _regulated_gaussian(C, mu2, n_h)
        rbm, grad = _rbm_at_optimum(C, mu2, n_h, mean)
        rec = {
            "n_components": n_h,
            "mu2": mu2,
            "n_modes_below_mu2": n_below,
            "best_test_log_likelihood": _gaussian_loglik(best, Xte - mean),
            "best_train_log_likelihood": _gaussian_loglik(best, Xc),
            "rbm_at_optimum_test_log_likelihood": rbm.score(Xte),
            "relative_gradient_at_optimum": grad,
            "max_iter": max_iter,
            "learning_rate": learning_rate,
            "test_log_likelihood": None,
            "train_log_likelihood": None,
            "natural_test_log_likelihood": None,
        }
        if natural_epochs:
            nat = GaussianRBM(
                n_components=n_h,
                mu2=mu2,
                method="natural",
                learning_rate=0.1,
                max_iter=natural_epochs,
                spectrum_every=10**9,
                random_state=seed,
                device="cpu",
            ).fit(Xtr)
            rec["natural_test_log_likelihood"] = nat.score(Xte)
            rec["natural_epochs"] = nat.n_iter_
        if max_iter:
            est = GaussianRBM(
                n_components=n_h,
                mu2=mu2,
                method="exact",
                learning_rate=learning_rate,
                max_iter=max_iter,
                spectrum_every=max(1, max_iter // 20),
                random_state=seed,
                device="cpu",
            )
            est.fit_covariance(covariance=C)
            est.mean_ = mean  # the model of x: the centred model shifted back
            rec["test_log_likelihood"] = est.score(Xte)
            rec["train_log_likelihood"] = est.score(Xtr)
        rec["seconds"] = time.perf_counter() - t0
        trained = rec["test_log_likelihood"]
        progress(
            f"  N_h={n_h}: best test log-likelihood the cutoff allows "
            f"{rec['best_test_log_likelihood']:.2f}"
            + ("" if trained is None else f", trained {trained:.2f}")
            + (
                ""
                if rec["natural_test_log_likelihood"] is None
                else ", natural step from random "
                f"{rec['natural_test_log_likelihood']:.2f}"
            )
            + f" ({rec['seconds']:.0f} s)"
        )
        out.append(rec)
    return out


def _centred_covariance(X):
    """The data mean and the centred second moment (float64)."""
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    Xc = X - mean
    return mean, Xc.T @ Xc / X.shape[0]


def _regulated_gaussian(C, mu2, n_components):
    """The maximum-likelihood kernel under the RBM's cutoff: the eigenmodes
    of C with the largest variances keep 1/variance when it is below μ²
    (at most N_h of them); every other mode sits at μ²."""
    evals, evecs = np.linalg.eigh(C)
    order = np.argsort(evals)[::-1]
    k = np.full(evals.shape, float(mu2))
    top = order[: int(n_components)]
    with np.errstate(divide="ignore"):
        k[top] = np.minimum(np.where(evals[top] > 0, 1.0 / evals[top], np.inf), mu2)
    return (evecs * k) @ evecs.T


def _rbm_at_optimum(C, mu2, n_components, mean, sigma_h2=1.0):
    """A GaussianRBM whose N_h hidden nodes carry the optimum of
    :func:`_regulated_gaussian`: W = U √((μ² − κ)/σ_h²) on the N_h modes of
    largest variance below the cutoff (eqs. 13, 33), zero columns otherwise.
    Returns it and the norm of its exact log-likelihood gradient relative to
    the norm of its positive phase (zero at a fixed point of training)."""
    from ..._gaussian import GaussianRBM, _Covariance, regulated_weights

    evals, evecs = np.linalg.eigh(C)
    W = regulated_weights(evals, evecs, mu2, int(n_components), sigma_h2)
    est = GaussianRBM(
        n_components=int(n_components),
        mu2=mu2,
        sigma_h2=sigma_h2,
        method="exact",
        device="cpu",
    )
    est.fit_covariance(covariance=C, n_epochs=0)
    est.components_ = np.ascontiguousarray(W.T)
    est.kernel_ = est._kernel_np(W, est.mu2_)
    est.mean_ = mean
    est.n_iter_ = 0
    g = est._gradient({"W": W}, _Covariance(C), np, None)["W"]
    pos = np.linalg.norm(sigma_h2 * C @ W)
    return est, float(np.linalg.norm(g) / pos) if pos > 0 else 0.0


def _gaussian_loglik(K, Xc):
    sign, logdet = np.linalg.slogdet(K)
    quad = np.sum((Xc @ K) * Xc, axis=1)
    return float(
        np.mean(-0.5 * quad - 0.5 * K.shape[0] * np.log(2 * np.pi) + 0.5 * logdet)
    )


# --------------------------------------------------------------------------
# the reproduction: skrapid reproduce sfrbm-fig13-17
# --------------------------------------------------------------------------
_MNIST_NH = [1, 2, 4, 8, 16, 32, 64, 100, 128, 200, 251, 289, 400, 784]


def _mnist_grey_standin(n, seed):
    """Quick-mode stand-in for MNIST: scikit-learn's digits upsampled to
    28 x 28 grey levels in [0, 1] (no files needed)."""
    from scipy import ndimage
    from sklearn.datasets import load_digits

    digits = load_digits().images / 16.0
    idx = np.random.default_rng(seed).integers(0, len(digits), n)
    imgs = np.stack([ndimage.zoom(digits[i], 3.5, order=1) for i in idx])
    return np.clip(imgs, 0, 1).reshape(n, -1)


def _sfrbm_fig13_17(quick, seeds, workdir, progress, data_home=None):
    mu2 = 100.0
    if quick:
        Xtr, Xte = _mnist_grey_standin(3000, 0), _mnist_grey_standin(1000, 1)
        data = "digits upsampled to 28x28 (quick stand-in for MNIST)"
        n_h = [1, 4, 16, 64, 128, 256, 784]
    else:
        Xtr, _ = load_mnist(data_home, subset="train", allow_download=False)
        Xte, _ = load_mnist(data_home, subset="test", allow_download=False)
        data = "MNIST, pixels in [0, 1], 60000 train / 10000 test"
        n_h = _MNIST_NH
    raw = mnist_correlation_spectrum(X=Xtr, center=False)
    cen = mnist_correlation_spectrum(X=Xtr, center=True)
    recs = mnist_gaussian_kl(
        n_h,
        data=(Xtr, Xte),
        mu2=mu2,
        max_iter=0,
        natural_epochs=3,
        seed=0,  # one run (seeds is a count: range(seeds) starts at 0)
        progress=progress,
    )
    n_below = int(np.sum(cen > 1.0 / mu2))
    best = [r["best_test_log_likelihood"] for r in recs]
    ll_gap = max(
        abs(r["rbm_at_optimum_test_log_likelihood"] - r["best_test_log_likelihood"])
        for r in recs
    )
    grad_max = max(r["relative_gradient_at_optimum"] for r in recs)
    # RBMs trained from a random initialization (natural-gradient step)
    trained_gap = max(
        abs(r["natural_test_log_likelihood"] / r["best_test_log_likelihood"] - 1)
        for r in recs
    )
    flat_from = min(i for i, r in enumerate(recs) if r["n_components"] >= n_below)
    flat = np.allclose(best[flat_from:], best[flat_from], atol=1e-6)
    rising = bool(np.all(np.diff(best[: flat_from + 1]) > 0))
    return {
        "settings": {"data": data, "mu2": mu2, "n_components": n_h},
        "spectrum_raw": raw,
        "spectrum_centered": cen,
        "kl_vs_nh": recs,
        "comparisons": [
            {
                "quantity": "modes of ⟨φφᵀ⟩ below the cutoff μ² = 100 "
                "(eigenvalue > 0.01), raw second moment / centred",
                "paper": 289,
                "ours": [int(np.sum(raw > 0.01)), n_below],
                "verdict": "reproduced"
                if int(np.sum(raw > 0.01)) == 289
                else "differs",
            },
            {
                "quantity": "an RBM with N_h hidden nodes at that optimum: "
                "max |log-likelihood gap| and max relative exact gradient",
                "paper": "the optimum is a fixed point of training (eqs. 20, 33)",
                "ours": [float(f"{ll_gap:.3g}"), float(f"{grad_max:.3g}")],
                "verdict": _verdict(grad_max < 1e-8),
            },
            {
                "quantity": "best held-out log-likelihood vs N_h (the data-"
                "averaged KL up to a constant, Fig. 17)",
                "paper": "improves with N_h, flat beyond the modes below μ²",
                "ours": f"rises up to N_h = {n_below}, flat beyond: {rising and flat}",
                "verdict": _verdict(rising and flat),
            },
            {
                "quantity": "RBMs trained from a random initialization "
                "(method='natural', η₀ = 0.1, 3 epochs of minibatches): max "
                "relative gap of the held-out log-likelihood to the optimum",
                "paper": "constructed at the optimum (gradient training is "
                "stiff); goal: within 1%",
                "ours": float(f"{trained_gap:.3g}"),
                "verdict": _verdict(trained_gap < 0.01),
            },
        ],
    }


def _plot_fig13_17(result, path):
    plt = _pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6))
    raw = np.asarray(result["spectrum_raw"])
    a.semilogy(np.arange(1, raw.size + 1), np.clip(raw, 1e-12, None), lw=1)
    a.axhline(1 / result["settings"]["mu2"], color="k", ls="--", lw=0.8)
    a.set_xlabel("mode")
    a.set_ylabel("eigenvalue of ⟨φφᵀ⟩ (= 1/κ)")
    a.set_title("spectrum (Fig. 13); dashed: 1/μ²", fontsize=9)
    recs = result["kl_vs_nh"]
    nh = [r["n_components"] for r in recs]
    b.semilogx(
        nh, [-r["best_test_log_likelihood"] for r in recs], "o-", label="optimum"
    )
    if recs[0].get("natural_test_log_likelihood") is not None:
        b.semilogx(
            nh,
            [-r["natural_test_log_likelihood"] for r in recs],
            "x",
            label="trained from random (natural step)",
        )
        b.legend(fontsize=8)
    b.axvline(recs[0]["n_modes_below_mu2"], color="k", ls="--", lw=0.8)
    b.set_xlabel("N_h")
    b.set_ylabel("held-out NLL = KL + const (nats)")
    b.set_title("best RBM under the cutoff μ² = 100 (Fig. 17)", fontsize=9)
    _save(fig, path)


register(
    "sfrbm-fig13-17",
    SFRBM,
    "MNIST: spectrum of the two-point function, modes below μ² = 100, and the "
    "held-out log-likelihood of the best RBM under the cutoff vs N_h (Figs. "
    "13, 17)",
    _sfrbm_fig13_17,
    _plot_fig13_17,
    quick="digits upsampled to 28x28 (3000 / 1000) instead of MNIST, N_h in 1-784",
    notes="We count 251 eigenvalues of ⟨φφᵀ⟩ above 1/μ² = 0.01 "
    "with or without centring (pixels x/255); the paper quotes 289. In our "
    "spectrum the 289th mode sits at κ = 128, so a different pixel scaling or "
    "subset in the paper would explain it. The KL vs N_h curve uses the exact "
    "optimum under the cutoff (and checks it is a fixed point of training) "
    "rather than a million epochs of training.",
)
