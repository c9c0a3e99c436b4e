"""The scalar-field RBM paper's metrics (Aarts, Lucini & Park 2024): the KL
divergence between Gaussian kernels and the regulated spectrum an RBM with
mass μ² and N_h hidden nodes can reach."""

import numpy as np
from sklearn.utils import check_array

from ._rapid_metrics import _check_int


# --------------------------------------------------------------------------
# Gaussian (scalar-field RBM) metrics
# --------------------------------------------------------------------------
def _check_kernel_matrix(K, name):
    K = check_array(K, dtype=np.float64, ensure_2d=True)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"{name} must be a square matrix; got shape {K.shape}.")
    if not np.allclose(K, K.T, rtol=1e-8, atol=1e-12 * max(1.0, np.abs(K).max())):
        raise ValueError(f"{name} must be symmetric.")
    K = 0.5 * (K + K.T)
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{name} must be positive definite; its smallest eigenvalue is "
            f"{np.linalg.eigvalsh(K)[0]:.4g}."
        ) from None
    return K, L


def gaussian_kl(kernel_p, kernel_q):
    """KL(p || q) between zero-mean Gaussians given by their kernels.

    For p ∝ exp(−½ φᵀ K_p φ) and q ∝ exp(−½ φᵀ K_q φ),
    ``KL = ½ [tr(K_q K_p⁻¹) − N − log det(K_q K_p⁻¹)]``, which in a common
    eigenbasis is eq. B7 of the scalar-field RBM paper,
    ``½ Σ_i (b_i/a_i − 1 − log(b_i/a_i))`` with a, b the eigenvalues of K_p
    and K_q.  It is what training minimizes when p is the target and q the
    model (the log-likelihood gap per sample, in nats).

    Parameters
    ----------
    kernel_p, kernel_q : array-like of shape (N, N)
        Symmetric positive-definite kernels (e.g. a target kernel and a
        :class:`~skrapid.GaussianRBM`'s ``kernel_``).

    Returns
    -------
    kl : float
        In nats; zero only when the kernels are equal.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.metrics import gaussian_kl
    >>> gaussian_kl(np.diag([1.0, 2.0]), np.diag([1.0, 2.0]))
    0.0
    >>> round(gaussian_kl(np.eye(1), 2 * np.eye(1)), 6)  # ½ (2 − 1 − log 2)
    0.153426
    """
    Kp, Lp = _check_kernel_matrix(kernel_p, "kernel_p")
    Kq, Lq = _check_kernel_matrix(kernel_q, "kernel_q")
    if Kp.shape != Kq.shape:
        raise ValueError(
            f"kernels must have the same shape; got {Kp.shape} and {Kq.shape}."
        )
    # tr(K_q K_p⁻¹) = ||L_p⁻¹ L_q||_F², log det = 2 Σ log diag
    M = np.linalg.solve(Lp, Lq)
    trace = float(np.sum(M * M))
    logdet = 2.0 * float(np.sum(np.log(np.diag(Lq))) - np.sum(np.log(np.diag(Lp))))
    kl = 0.5 * (trace - Kp.shape[0] - logdet)
    return max(kl, 0.0) if kl > -1e-12 * Kp.shape[0] else kl


def regulated_spectrum(target_eigenvalues, mu2, n_components):
    """The kernel spectrum a Gaussian RBM can reach (Secs. V.C–D, eq. 84).

    A Gaussian–Gaussian RBM with mass μ² and N_h hidden nodes reproduces a
    target eigenvalue κ only when κ < μ² and it is among the N_h smallest
    (infrared) ones; every other mode sits at the cutoff μ².

    Parameters
    ----------
    target_eigenvalues : array-like of shape (N,)
        Eigenvalues κ of the target kernel.
    mu2 : float
        RBM mass parameter μ².
    n_components : int
        Number of hidden nodes N_h.

    Returns
    -------
    eigenvalues : ndarray of shape (N,)
        The reachable RBM eigenvalues, ascending.


    Examples
    --------
    >>> from skrapid.metrics import regulated_spectrum
    >>> regulated_spectrum([1.0, 2.0, 3.0, 5.0], mu2=4.0, n_components=2)
    array([1., 2., 4., 4.])
    """
    kappa = np.sort(np.asarray(target_eigenvalues, dtype=np.float64).ravel())
    if not (np.all(np.isfinite(kappa)) and np.all(kappa > 0)):
        raise ValueError("target_eigenvalues must be finite and positive.")
    _check_int("n_components", n_components, 1)
    if not mu2 > 0:
        raise ValueError(f"mu2 must be positive; got {mu2!r}.")
    out = np.full(kappa.shape, float(mu2))
    n = min(int(n_components), kappa.size)
    out[:n] = np.minimum(kappa[:n], mu2)
    return np.sort(out)


def regulated_kl(target_eigenvalues, mu2, n_components):
    """KL(target || best RBM) of the ultraviolet cutoff (eq. B8, generalized).

    The KL divergence of eq. B7 between the target spectrum κ and
    :func:`regulated_spectrum`: ``½ Σ (b/κ − 1 − log(b/κ))`` over the modes
    that are cut off (b = μ²).  Eq. B8 is the case μ² above every κ.

    Parameters
    ----------
    target_eigenvalues : array-like
        Eigenvalues κ of the target kernel.
    mu2 : float
        The RBM's mass parameter.
    n_components : int
        Hidden nodes N_h.

    Returns
    -------
    kl : float
        KL(target || regulated model) in nats (eq. B8).


    Examples
    --------
    >>> from skrapid.metrics import regulated_kl
    >>> regulated_kl([1.0, 2.0], mu2=3.0, n_components=2)
    0.0
    >>> round(regulated_kl([1.0, 2.0], mu2=3.0, n_components=1), 6)
    0.047267
    """
    regulated_spectrum(target_eigenvalues, mu2, n_components)  # validates
    kappa = np.sort(np.asarray(target_eigenvalues, dtype=np.float64).ravel())
    # pair each target mode with its regulated value, infrared first
    n = min(int(n_components), kappa.size)
    paired = np.where(np.arange(kappa.size) < n, np.minimum(kappa, mu2), mu2)
    r = paired / kappa
    return float(0.5 * np.sum(r - 1.0 - np.log(r)))
