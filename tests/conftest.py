"""Shared fixtures: tiny RBMs with known parameters and brute-force answers."""

import itertools
import os
import sys

# scikit-learn's Array API dispatch needs SciPy's own Array API support, which
# is read when SciPy is first imported: before anything below imports it.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest
from scipy.special import logsumexp

from skrapid import BinaryRBM


def all_states(n, units):
    """All 2**n states of n units, one per row."""
    bits = np.array(list(itertools.product([0, 1], repeat=n)), dtype=np.float64)
    return bits if units == "bernoulli" else 2 * bits - 1


def make_rbm(
    n_visible,
    n_hidden,
    *,
    units="bernoulli",
    fit_intercept=True,
    scale=1.0,
    seed=0,
    dtype=np.float64,
    **kwargs,
):
    """A BinaryRBM with random parameters of the given scale (no training)."""
    rng = np.random.default_rng(seed)
    X = all_states(n_visible, units)[:4].astype(dtype)
    rbm = BinaryRBM(
        n_components=n_hidden,
        units=units,
        fit_intercept=fit_intercept,
        max_iter=0,
        random_state=seed,
        device="cpu",
        **kwargs,
    ).fit(X)
    rbm.components_ = (scale * rng.standard_normal((n_hidden, n_visible))).astype(dtype)
    if fit_intercept:
        rbm.intercept_visible_ = (scale * rng.standard_normal(n_visible)).astype(dtype)
        rbm.intercept_hidden_ = (scale * rng.standard_normal(n_hidden)).astype(dtype)
    return rbm


def brute_force(rbm):
    """Joint enumeration over (v, h): log Z, log p(v), F(v), E[v hᵀ], E[v], E[h]."""
    V, H = rbm.components_.shape[1], rbm.components_.shape[0]
    vs = all_states(V, rbm.units)
    hs = all_states(H, rbm.units)
    W = rbm.components_.T.astype(np.float64)
    b = rbm.intercept_visible_.astype(np.float64)
    c = rbm.intercept_hidden_.astype(np.float64)
    neg_e = vs @ W @ hs.T + (vs @ b)[:, None] + (hs @ c)[None, :]
    log_z = logsumexp(neg_e)
    free = -logsumexp(neg_e, axis=1)
    p_joint = np.exp(neg_e - log_z)
    return {
        "states": vs,
        "log_z": log_z,
        "free_energy": free,
        "log_p": -free - log_z,
        "vh": vs.T @ p_joint @ hs,
        "v": p_joint.sum(axis=1) @ vs,
        "h": p_joint.sum(axis=0) @ hs,
    }


@pytest.fixture(
    params=[("bernoulli", True), ("bernoulli", False), ("spin", True), ("spin", False)],
    ids=["01-bias", "01-nobias", "spin-bias", "spin-nobias"],
)
def tiny_rbm(request):
    units, fit_intercept = request.param
    return make_rbm(8, 6, units=units, fit_intercept=fit_intercept, scale=0.7)


@pytest.fixture
def strict_gpu(monkeypatch):
    """The strict CuPy stand-in (``tests/_cupy_standin.py``) as the backend's
    CuPy: the device code path runs on ``array_api_strict``'s simulated
    device through skrapid's façade, fails wherever real CuPy would (implicit
    host conversion, host/device mixing, CuPy-only generator methods), and
    every host<->device transfer is counted."""
    import _cupy_standin as S

    from skrapid import _backend as B

    monkeypatch.setattr(B, "_import_cupy", lambda: S.module())
    for name, mod in S.cupyx_modules().items():
        monkeypatch.setitem(sys.modules, name, mod)
    return S


def pytest_configure(config):
    """Under pytest-xdist (``-n``) each worker runs BLAS on one thread: the
    workers already use every core, and nested BLAS threads would only
    contend for them."""
    import os

    if os.environ.get("PYTEST_XDIST_WORKER"):
        from threadpoolctl import threadpool_limits

        config._skrapid_blas_limit = threadpool_limits(limits=1)


def dispatch_available() -> bool:
    """Whether scikit-learn can turn Array API dispatch on here (it refuses
    with SciPy older than 1.14, or without ``SCIPY_ARRAY_API=1``)."""
    import sklearn

    try:
        with sklearn.config_context(array_api_dispatch=True):
            return True
    except (ImportError, RuntimeError):
        return False


def skip_without_dispatch():
    """Skip the calling test module where Array API dispatch is unavailable."""
    if not dispatch_available():
        pytest.skip(
            "Array API dispatch is unavailable (SciPy >= 1.14 and "
            "SCIPY_ARRAY_API=1 are needed)",
            allow_module_level=True,
        )
