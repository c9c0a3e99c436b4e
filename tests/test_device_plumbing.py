"""The device code path, run without a GPU through a NumPy-backed stand-in.

The stand-in module plays CuPy's part for the backend (its arrays report the
``cupy`` module and convert to the host only through ``.get()``), so these
tests exercise every place where skrapid chooses a namespace, moves data
between host and device, keeps fitted attributes on the host and returns
outputs in the input's array type.  They do not replace the real GPU tests in
``test_backend.py``, which skip without CuPy and a GPU.
"""

import pickle
import types

import numpy as np
import pytest

from skrapid import RARBM, BinaryRBM
from skrapid import _backend as B


class FakeDeviceArray(np.ndarray):
    """An ndarray that says it belongs to CuPy."""

    def get(self):
        return np.array(self.view(np.ndarray))


FakeDeviceArray.__module__ = "cupy._core.core"


def _fake_cupy():
    mod = types.SimpleNamespace()
    for name in dir(np):
        if not name.startswith("_"):
            setattr(mod, name, getattr(np, name))

    def wrap(f):
        return lambda *a, **k: np.asarray(f(*a, **k)).view(FakeDeviceArray)

    for name in (
        "asarray",
        "zeros",
        "zeros_like",
        "arange",
        "concatenate",
        "broadcast_to",
        "empty",
        "ones",
    ):
        setattr(mod, name, wrap(getattr(np, name)))
    mod.ndarray = FakeDeviceArray

    class Gen:
        def __init__(self, seed):
            self._g = np.random.default_rng(seed)

        def random(self, shape, dtype=np.float64):
            return self._g.random(shape, dtype=dtype).view(FakeDeviceArray)

        def standard_normal(self, shape, dtype=np.float64):
            return self._g.standard_normal(shape, dtype=dtype).view(FakeDeviceArray)

    mod.random = types.SimpleNamespace(default_rng=Gen)
    mod.cuda = types.SimpleNamespace(
        Device=lambda: types.SimpleNamespace(synchronize=lambda: None),
        runtime=types.SimpleNamespace(getDeviceCount=lambda: 1),
    )
    return mod


@pytest.fixture
def fake_gpu(monkeypatch):
    mod = _fake_cupy()
    monkeypatch.setattr(B, "_import_cupy", lambda: mod)
    return mod


def data(n=150, v=10, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n, v)) < 0.3).astype(np.float32)


@pytest.mark.parametrize("method", ["pcd", "cd", "pt", "exact"])
def test_device_fit_keeps_host_attributes(fake_gpu, method):
    X = data()
    rbm = BinaryRBM(
        n_components=4, max_iter=2, method=method, device="gpu", random_state=0
    ).fit(X)
    for name, value in vars(rbm).items():
        if name.endswith("_") and isinstance(value, np.ndarray):
            assert type(value) is np.ndarray, name
    for value in rbm._optimizer_state.values():
        assert not B.is_cupy_array(value)
    assert rbm.components_.dtype == np.float32
    clone = pickle.loads(pickle.dumps(rbm))
    assert type(clone.components_) is np.ndarray


def test_outputs_follow_the_input_type(fake_gpu):
    X = data()
    rbm = BinaryRBM(n_components=4, max_iter=2, device="auto", random_state=0).fit(X)
    Xd = fake_gpu.asarray(X)
    assert B.is_cupy_array(Xd)
    for method in (rbm.transform, rbm.free_energy, rbm.score_samples, rbm.gibbs):
        assert B.is_cupy_array(method(Xd)), method.__name__
        assert type(method(X)) is np.ndarray, method.__name__
    assert type(rbm.sample(3, n_steps=2)) is np.ndarray
    assert B.is_cupy_array(rbm.sample(n_steps=2, v_init=Xd[:3]))
    assert B.is_cupy_array(rbm.sample(n_steps=2, v_init=Xd[:3], method="pt"))
    assert type(rbm.sample(3, n_steps=2, method="pt")) is np.ndarray
    np.testing.assert_allclose(rbm.transform(Xd).get(), rbm.transform(X))
    assert isinstance(rbm.score(Xd), float)


def test_device_log_partition_and_partial_fit(fake_gpu):
    X = data()
    rbm = BinaryRBM(n_components=4, device="gpu", random_state=0)
    rbm.partial_fit(fake_gpu.asarray(X))
    rbm.partial_fit(X)
    assert rbm.n_iter_ == 2
    exact = rbm.log_partition_function("exact")
    lz, se = rbm.log_partition_function(
        "ais", n_chains=100, n_betas=300, return_std=True, random_state=0
    )
    assert abs(lz - exact) < 5 * se + 1e-3
    lz_r = rbm.log_partition_function(
        "reverse_ais", n_chains=50, n_betas=100, n_burn_in=10
    )
    assert np.isfinite(lz_r)


def test_device_array_without_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(B, "_import_cupy", lambda: None)
    X = data().view(FakeDeviceArray)
    with pytest.raises(RuntimeError, match="CuPy"):
        BinaryRBM(n_components=2, device="auto").fit(X)


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(n_gibbs_steps=2, pattern_constraint="clip"),
        dict(pattern_constraint="gibbs", negative_phase="pcd", n_gibbs_steps=1),
        dict(**{k: v for k, v in RARBM.PAPER_RECIPE.items()}),
        dict(negative_phase="pt", n_temperatures=3),
    ],
)
def test_rarbm_device_path(fake_gpu, kw):
    from skrapid import RARBM

    X = np.where(data() > 0, 1.0, -1.0).astype(np.float32)
    est = RARBM(
        n_components=20, n_patterns=2, max_iter=2, device="gpu", random_state=0, **kw
    ).fit(fake_gpu.asarray(X))
    for name in ("patterns_visible_", "patterns_hidden_", "components_"):
        assert type(getattr(est, name)) is np.ndarray
    assert B.is_cupy_array(est.transform(fake_gpu.asarray(X)))
    assert np.isfinite(est.score(X))


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(method="exact", learn_mu2="local"),
        dict(hidden="spin", learn_mu2="global"),
    ],
)
def test_gaussian_rbm_device_path(fake_gpu, kw):
    from skrapid import GaussianRBM
    from skrapid.datasets import lattice_kernel, sample_gaussian_field

    X = sample_gaussian_field(lattice_kernel(6), 200, random_state=0)
    X = X.astype(np.float32) + 1.0
    est = GaussianRBM(
        n_components=6, mu2=7.0, max_iter=3, device="gpu", random_state=0, **kw
    ).fit(fake_gpu.asarray(X))
    for name, value in vars(est).items():
        if name.endswith("_") and isinstance(value, np.ndarray):
            assert type(value) is np.ndarray, name
    assert est.components_.dtype == np.float32
    Xd = fake_gpu.asarray(X)
    for method in (est.transform, est.score_samples, est.gibbs, est.sample_hidden):
        assert B.is_cupy_array(method(Xd)), method.__name__
    np.testing.assert_allclose(
        est.score_samples(Xd).get(), est.score_samples(X), rtol=1e-5
    )
    assert np.isfinite(est.score(X))
    if "hidden" not in kw:
        est2 = GaussianRBM(n_components=6, mu2=7.0, max_iter=3, device="gpu")
        est2.fit_covariance(kernel=lattice_kernel(6))
        assert type(est2.kernel_) is np.ndarray


def test_gaussian_rbm_device_checks_positive_definiteness_per_epoch(fake_gpu):
    """On a device the kernel bound is kept on the device between updates and
    checked once per epoch: a diverging fit still stops with the PD error,
    and no private device array is left on the estimator."""
    from skrapid import GaussianRBM, KernelNotPositiveDefiniteError
    from skrapid.datasets import lattice_kernel

    est = GaussianRBM(
        n_components=10,
        mu2=9.0,
        method="exact",
        learning_rate=200.0,
        max_iter=50,
        device="gpu",
    )
    with pytest.raises(KernelNotPositiveDefiniteError, match="during epoch"):
        est.fit_covariance(kernel=lattice_kernel(10, m2=0.05))
    ok = GaussianRBM(n_components=6, mu2=9.0, max_iter=3, device="gpu", random_state=0)
    ok.fit_covariance(kernel=lattice_kernel(6))
    for name, value in vars(ok).items():
        assert not B.is_cupy_array(value), name
        if isinstance(value, dict):
            assert not any(B.is_cupy_array(v) for v in value.values()), name
    pickle.loads(pickle.dumps(ok))
