"""Free scalar fields on periodic lattices of 1 to 4 dimensions, the targets
of the scalar-field RBM paper: :func:`lattice_kernel`,
:func:`lattice_eigenvalues` and :func:`sample_gaussian_field`.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state


def _laplacian_1d(n):
    """Periodic 1D lattice Laplacian (-∂²): 2 on the diagonal, -1 to the two
    neighbours (a single -2 when n == 2, whose two neighbours coincide)."""
    L = 2.0 * np.eye(n)
    if n == 1:
        return np.zeros((1, 1))
    for i in range(n):
        L[i, (i + 1) % n] -= 1.0
        L[i, (i - 1) % n] -= 1.0
    return L


def _lattice_shape(shape, m2):
    """``shape`` as a tuple of 1 to 4 ints, once it and ``m2`` are checked."""
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    if not 1 <= len(shape) <= 4 or not all(
        isinstance(n, numbers.Integral) and n >= 1 for n in shape
    ):
        raise ValueError(
            "shape must be a positive int (1D) or a tuple of 1 to 4 positive "
            f"ints (one per dimension); got {shape!r}."
        )
    if not (isinstance(m2, numbers.Real) and np.isfinite(m2)):
        raise ValueError(f"m2 must be a finite number; got {m2!r}.")
    return shape


def lattice_kernel(shape, m2=4.0):
    """Kernel of a free scalar field on a periodic lattice (eqs. 77, 83).

    ``K = m² 1 + Δ`` with Δ the lattice Laplacian: in 1D
    ``K_ij = (2 + m²) δ_ij − δ_{i,j+1} − δ_{i,j−1}``; in d dimensions the
    Kronecker sum ``Δ = Δ_1 ⊗ 1 ⊗ ... + 1 ⊗ Δ_2 ⊗ ... + ...`` on the
    row-major flattened sites (the last axis varies fastest).  The field's
    distribution is p(φ) ∝ exp(−½ φᵀ K φ), which exists for m² > 0; with
    m² ≤ 0 the kernel is not positive definite (the tachyonic mass of the
    broken phase), and only a potential that bounds the field (φ⁴) makes a
    distribution of it.

    Parameters
    ----------
    shape : int or tuple of 1 to 4 ints
        N_v (1D) or (N_1, ..., N_d).
    m2 : float, default=4.0
        Squared mass m² (the paper uses 4); any finite number.

    Returns
    -------
    K : ndarray of shape (N, N)
        N = N_1 ··· N_d.

    See Also
    --------
    lattice_eigenvalues : its spectrum in closed form (eqs. 78, 82).


    Examples
    --------
    >>> from skrapid.datasets import lattice_kernel
    >>> lattice_kernel(4, m2=1.0)
    array([[ 3., -1.,  0., -1.],
           [-1.,  3., -1.,  0.],
           [ 0., -1.,  3., -1.],
           [-1.,  0., -1.,  3.]])
    >>> lattice_kernel((2, 3, 2, 2), m2=-0.5).shape
    (24, 24)
    """
    shape = _lattice_shape(shape, m2)
    n = int(np.prod(shape))
    lap = np.zeros((n, n))
    for axis, size in enumerate(shape):
        before = int(np.prod(shape[:axis]))
        after = int(np.prod(shape[axis + 1 :]))
        lap += np.kron(np.kron(np.eye(before), _laplacian_1d(size)), np.eye(after))
    return lap + m2 * np.eye(n)


def lattice_eigenvalues(shape, m2=4.0):
    """Eigenvalues κ of :func:`lattice_kernel`, ascending (eqs. 78, 82).

    ``κ_k = m² + Σ_μ (2 − 2 cos(2πk_μ/N_μ))``, in 1D
    ``κ_k = m² + 2 − 2 cos(2πk/N)``.

    Parameters
    ----------
    shape : int or tuple of 1 to 4 ints
        Lattice shape (periodic).
    m2 : float, default=4.0
        Mass squared.

    Returns
    -------
    kappa : ndarray
        Eigenvalues of the lattice kernel, ascending.


    Examples
    --------
    >>> from skrapid.datasets import lattice_eigenvalues
    >>> lattice_eigenvalues(10, m2=4.0).round(3)
    array([4.   , 4.382, 4.382, 5.382, 5.382, 6.618, 6.618, 7.618, 7.618,
           8.   ])
    """
    shape = _lattice_shape(shape, m2)
    total = np.zeros(())
    for n in shape:
        p2 = 2.0 - 2.0 * np.cos(2 * np.pi * np.arange(n) / n)
        total = np.add.outer(total, p2)
    return np.sort(m2 + total.ravel())


def sample_gaussian_field(kernel, n_samples, *, random_state=None, dtype=np.float64):
    """Exact samples of the zero-mean Gaussian p(φ) ∝ exp(−½ φᵀ K φ).

    φ = L⁻ᵀ z with K = L Lᵀ (Cholesky) and z standard normal, so the samples
    are independent (no Markov chain, no autocorrelation).

    Parameters
    ----------
    kernel : array-like of shape (N, N)
        Symmetric positive-definite kernel K (e.g. :func:`lattice_kernel`).
    n_samples : int
    random_state : int, RandomState instance or None, default=None
    dtype : data-type, default=np.float64

    Returns
    -------
    X : ndarray of shape (n_samples, N)


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.datasets import lattice_kernel, sample_gaussian_field
    >>> K = lattice_kernel(6, m2=4.0)
    >>> X = sample_gaussian_field(K, 20000, random_state=0)
    >>> bool(np.abs(np.cov(X.T) - np.linalg.inv(K)).max() < 0.01)
    True
    """
    K = np.asarray(kernel, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"kernel must be a square matrix; got shape {K.shape}.")
    if not np.all(np.isfinite(K)) or not np.allclose(K, K.T):
        raise ValueError("kernel must be finite and symmetric.")
    if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        raise ValueError(
            "kernel must be positive definite (a normalizable Gaussian); its "
            f"smallest eigenvalue is {np.linalg.eigvalsh(K)[0]:.4g}."
        ) from None
    rng = check_random_state(random_state)
    z = rng.standard_normal((K.shape[0], n_samples))
    return np.linalg.solve(L.T, z).T.astype(dtype)
