"""The façade (``skrapid/_xpnp.py``) that computes foreign input in its own
library: NumPy's API on ``array_api_strict`` (its simulated device
``device1``: always) and on PyTorch (its CPU, and CUDA where a GPU is present:
where torch is installed), checked function by function against NumPy, and
the device path's sync budgets counted at the façade's crossing points.
"""

import pickle
import warnings

import array_api_strict as xs
import numpy as np
import pytest
import sklearn
from conftest import skip_without_dispatch

from skrapid import RARBM, BinaryRBM, GaussianRBM, _xpnp
from skrapid import _backend as B

skip_without_dispatch()


def _torch_devices():
    try:
        import torch
    except ImportError:
        return []
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


LIBRARIES = ["array_api_strict"] + [f"torch-{d}" for d in _torch_devices()]


def _asarray(library, a):
    """``a`` (NumPy) as an input array of ``library``."""
    if library == "array_api_strict":
        return xs.asarray(a, device=xs.Device("device1"))
    import torch

    return torch.asarray(a, device=library.split("-")[1])


def _namespace(library):
    """The façade's namespace for ``library``'s arrays."""
    return _xpnp.namespace_of(_asarray(library, np.zeros(1)))


def dispatch():
    return sklearn.config_context(array_api_dispatch=True)


# -- transfers: the budgets of the device path ---------------------------------
class _Syncs:
    """The façade's own crossing counts (:func:`skrapid._xpnp.counting`),
    taken step by step: device→host reads (``float(x)``, ``bool(x)``,
    ``.item()``, ``to_numpy``, ...) and host→device copies."""

    def __init__(self):
        self._last = dict(_xpnp.crossings)

    def take(self):
        now = dict(_xpnp.crossings)
        n = {k: now[k] - self._last[k] for k in now}
        self._last = now
        return n


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda **kw: BinaryRBM(method="pcd", **kw), id="BinaryRBM-pcd"),
        pytest.param(lambda **kw: BinaryRBM(method="pt", **kw), id="BinaryRBM-pt"),
        pytest.param(lambda **kw: RARBM(n_patterns=2, **kw), id="RARBM-pid"),
        pytest.param(
            lambda **kw: GaussianRBM(method="pcd", **kw), id="GaussianRBM-pcd"
        ),
        pytest.param(
            lambda **kw: GaussianRBM(method="exact", **kw), id="GaussianRBM-exact"
        ),
    ],
)
@pytest.mark.parametrize("library", LIBRARIES)
def test_no_transfer_per_minibatch_temperature_or_sweep(make, library):
    """On the façade's path, as on CuPy's: a fit reads the device the same
    number of times for 2 minibatches an epoch as for 40 (none per update);
    AIS the same for 50 and 200 temperatures; ``sample`` the same for 10 and
    500 sweeps."""
    rng = np.random.default_rng(0)
    if make(n_components=2).__class__ is GaussianRBM:
        X = _asarray(library, rng.normal(size=(200, 6)))
    else:
        X = _asarray(library, (rng.random((200, 6)) < 0.4).astype(float))
    count = _Syncs()
    kw = dict(n_components=3, max_iter=2, random_state=0)
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n = []
        for batch in (100, 5):
            est = make(batch_size=batch, **kw).fit(X)
            n.append(count.take())
        assert n[0] == n[1], n
        est = make(batch_size=5, **dict(kw, max_iter=4)).fit(X)
        per_epoch = (count.take()["d2h"] - n[1]["d2h"]) / 2
        assert per_epoch <= 15, per_epoch  # the CuPy path's budget per epoch
        n = []
        for n_betas in (50, 200):
            est.log_partition_function(
                "ais", n_betas=n_betas, n_chains=10, random_state=0
            )
            n.append(count.take())
        assert n[0] == n[1], n
        n = []
        for n_steps in (10, 500):
            est.sample(20, n_steps=n_steps, random_state=0)
            n.append(count.take())
        assert n[0] == n[1], n


# -- the façade speaks NumPy: each function against NumPy's -------------------
@pytest.mark.parametrize("library", LIBRARIES)
def test_namespace_functions_match_numpy(library):
    from scipy import special

    xp = _namespace(library)
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 5))
    b = rng.normal(size=(4, 5))
    i = rng.integers(0, 5, size=(4, 1))
    A, Bt, I = xp.asarray(a), xp.asarray(b), xp.asarray(i)
    cases = {
        "sum axis": (xp.sum(A, axis=1), a.sum(axis=1)),
        "sum keepdims": (A.sum(axis=0, keepdims=True), a.sum(axis=0, keepdims=True)),
        "mean": (xp.mean(A, axis=(0, 1)), a.mean(axis=(0, 1))),
        "max": (A.max(axis=1), a.max(axis=1)),
        "min": (xp.min(A), a.min()),
        "std": (xp.std(A, axis=0), a.std(axis=0)),
        "var ddof": (xp.var(A, axis=1, ddof=1), a.var(axis=1, ddof=1)),
        "cumsum": (xp.cumsum(A, axis=1), np.cumsum(a, axis=1)),
        "where": (xp.where(A > 0, A, 0.0), np.where(a > 0, a, 0.0)),
        "clip": (xp.clip(A, -0.5, 0.5), np.clip(a, -0.5, 0.5)),
        "take_along_axis": (xp.take_along_axis(A, I, 1), np.take_along_axis(a, i, 1)),
        "diagonal": (xp.diagonal(A), np.diagonal(a)),
        "outer": (xp.outer(A[0], Bt[1]), np.outer(a[0], b[1])),
        "concatenate": (xp.concatenate([A, Bt], axis=1), np.concatenate([a, b], 1)),
        "stack": (xp.stack([A, Bt]), np.stack([a, b])),
        "broadcast_to": (xp.broadcast_to(A[0], (3, 5)), np.broadcast_to(a[0], (3, 5))),
        "arange": (xp.arange(2, 9, 3), np.arange(2, 9, 3)),
        "linspace": (xp.linspace(0, 1, 7), np.linspace(0, 1, 7)),
        "cbrt": (xp.cbrt(A), np.cbrt(a)),
        "logaddexp": (xp.logaddexp(A, 0.3), np.logaddexp(a, 0.3)),
        "matmul": (xp.matmul(A, Bt.T), a @ b.T),
        "T": (A.T, a.T),
        "erfcx": (xp.special.erfcx(A), special.erfcx(a)),
        "log_ndtr": (xp.special.log_ndtr(A * 10), special.log_ndtr(a * 10)),
        "log_expit": (xp.special.log_expit(A * 40), special.log_expit(a * 40)),
        "logsumexp": (xp.special.logsumexp(A, axis=1), special.logsumexp(a, axis=1)),
        "ndtri_exp": (
            xp.special.ndtri_exp(-xp.abs(A) * 1e3),
            special.ndtri_exp(-np.abs(a) * 1e3),
        ),
        "norm": (xp.linalg.norm(A), np.linalg.norm(a)),
        "inv": (xp.linalg.inv(A[:, :4]), np.linalg.inv(a[:, :4])),
    }
    for name, (got, want) in cases.items():
        got = B.to_numpy(got)
        assert got.shape == np.shape(want), name
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=name)
    # out= writes into out, in NumPy's way, and returns it
    out = xp.empty((4, 5))
    assert xp.exp(A, out=out) is out
    np.testing.assert_allclose(B.to_numpy(out), np.exp(a))
    assert xp.matmul(A, Bt.T, out=xp.empty((4, 4))).shape == (4, 4)
    # indexing as NumPy's, negative steps included, reading and writing
    c = np.arange(60.0).reshape(3, 4, 5)
    keys = [np.s_[::-1], np.s_[:, ::-2], np.s_[..., ::-1], np.s_[1, 3:0:-1, None, ::-2],
            np.s_[::-1, [0, 2]], np.s_[c[:, 0, 0] > 10, ::-1], np.s_[-1:-4:-1],
            np.s_[1:, 2], np.s_[[0, 2], 1:4]]  # fmt: skip
    for key in keys:
        C = xp.asarray(c)
        np.testing.assert_array_equal(B.to_numpy(C[key]), c[key], err_msg=str(key))
        want = c.copy()
        want[key] = -np.arange(c[key].size).reshape(c[key].shape)
        C[key] = xp.asarray(want[key])
        np.testing.assert_array_equal(B.to_numpy(C), want, err_msg=str(key))
    # put_along_axis, in place
    P = xp.zeros((4, 5))
    xp.put_along_axis(P, I, 1.0, axis=1)
    p = np.zeros((4, 5))
    np.put_along_axis(p, i, 1.0, axis=1)
    np.testing.assert_array_equal(B.to_numpy(P), p)
    # dtypes are NumPy's; float32 stays float32 with Python scalars
    assert A.astype(np.float32).dtype == np.float32
    assert (A.astype(np.float32) * 2.0).dtype == np.float32
    assert xp.sum(A > 0).dtype == np.int64
    # NumPy's promotion where the library's differs or refuses: mixed kinds
    assert (A.astype(np.float32) / I).dtype == np.float64
    assert (I / I).dtype == np.float64 and (I * 1.5).dtype == np.float64
    assert (A.astype(np.float32) + A).dtype == np.float64
    # every crossing is counted, and only crossings
    with _xpnp.counting() as c:
        float(A.sum())
        bool((A > 0).all())
        B.to_numpy(A)
        xp.asarray(np.zeros(2))
        _ = xp.exp(A) * 2.0 + A
        _ = xp.where(A > 0, A, Bt), xp.maximum(A, 0.5), xp.logaddexp(A, Bt)
        _ = xp.clip(A, -0.5, xp.abs(Bt)), xp.matmul(A, Bt.T), xp.sum(A, axis=0)
    assert c == {"d2h": 3, "h2d": 1}  # nothing computed goes through the host
    # CuPy's behaviours: cholesky of a matrix that is not positive definite is
    # NaN, not an exception; a NumPy array never mixes with a device array,
    # and no implicit conversion to NumPy
    L = B.to_numpy(xp.linalg.cholesky(xp.asarray([[1.0, 2.0], [2.0, 1.0]])))
    assert np.isnan(L).all()
    with pytest.raises(TypeError, match="cannot mix"):
        A + a
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(A)
    with pytest.raises(AttributeError, match="has no 'fft'"):
        _ = xp.fft
    assert pickle.loads(pickle.dumps(xp)) is xp
