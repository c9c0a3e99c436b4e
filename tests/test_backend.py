"""The array backend, and the CuPy path (skipped cleanly without a GPU)."""

import pickle

import numpy as np
import pytest

from skrapid import BinaryRBM
from skrapid import _backend as B

gpu = pytest.mark.skipif(not B.gpu_available(), reason="needs CuPy and a CUDA GPU")


def test_cpu_namespace_and_errors():
    assert B.resolve_namespace("cpu") is np
    with pytest.raises(ValueError, match="device must be"):
        B.resolve_namespace("tpu")
    if not B.gpu_available():
        assert B.resolve_namespace("auto") is np
        with pytest.raises(RuntimeError, match="no CUDA GPU is usable"):
            B.resolve_namespace("gpu")


def test_host_conversion_helpers():
    a = np.arange(6.0).reshape(2, 3)
    assert B.to_numpy(a) is a
    assert B.to_device(a, np, np.float32).dtype == np.float32
    assert isinstance(B.like_input(a, [1, 2]), np.ndarray)
    assert not B.is_cupy_array(a)


def test_generators_are_native_and_seeded():
    g1, g2 = B.make_generator(np, 5), B.make_generator(np, 5)
    np.testing.assert_array_equal(g1.random(4), g2.random(4))
    assert g1.random(3, dtype=np.float32).dtype == np.float32


# -- GPU path -------------------------------------------------------------
@gpu
def test_gpu_fit_outputs_follow_input_type_and_attributes_are_numpy():
    import cupy as cp

    rng = np.random.default_rng(0)
    X = (rng.random((200, 12)) < 0.3).astype(np.float32)
    rbm = BinaryRBM(n_components=5, max_iter=3, device="gpu", random_state=0)
    rbm.fit(cp.asarray(X))
    for attr in (
        "components_",
        "intercept_hidden_",
        "intercept_visible_",
        "persistent_chains_",
    ):
        assert isinstance(getattr(rbm, attr), np.ndarray), attr
    assert isinstance(rbm.transform(cp.asarray(X)), cp.ndarray)
    assert isinstance(rbm.transform(X), np.ndarray)
    assert rbm.transform(X).dtype == np.float32
    assert isinstance(rbm.score_samples(cp.asarray(X)), cp.ndarray)
    clone = pickle.loads(pickle.dumps(rbm))
    clone.set_params(device="cpu")
    np.testing.assert_allclose(
        clone.transform(X), rbm.transform(X), rtol=1e-5, atol=1e-6
    )


@gpu
def test_gpu_exact_quantities_match_cpu():
    from conftest import all_states, make_rbm

    rbm = make_rbm(8, 6, units="spin", scale=0.7)
    vs = all_states(8, "spin")
    cpu_lz = rbm.log_partition_function("exact")
    cpu_lp = rbm.score_samples(vs)
    rbm.set_params(device="gpu")
    assert abs(rbm.log_partition_function("exact") - cpu_lz) < 1e-10
    np.testing.assert_allclose(rbm.score_samples(vs), cpu_lp, atol=1e-10)


@gpu
def test_gpu_gibbs_histogram_matches_exact():
    from conftest import brute_force, make_rbm

    rbm = make_rbm(4, 3, scale=0.8, seed=7)
    p = np.exp(brute_force(rbm)["log_p"])
    rbm.set_params(device="gpu")
    n = 40000
    v = rbm.sample(n, n_steps=60, random_state=0)
    idx = (v * 2 ** np.arange(4)[::-1]).sum(axis=1).astype(int)
    counts = np.bincount(idx, minlength=16)
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(counts / n - p) < 5 * se + 1e-12)


@gpu
def test_gpu_ais_matches_exact():
    from conftest import make_rbm

    rbm = make_rbm(12, 10, scale=0.5, seed=1)
    exact = rbm.log_partition_function("exact")
    rbm.set_params(device="gpu")
    lz, se = rbm.log_partition_function(
        "ais", n_chains=200, n_betas=1000, return_std=True, random_state=0
    )
    assert abs(lz - exact) < 5 * se + 1e-3


@gpu
@pytest.mark.parametrize("method", ["cd", "pcd", "exact"])
def test_gpu_training_improves_log_likelihood(method):
    rng = np.random.default_rng(2)
    proto = rng.random((3, 8)) < 0.5
    X = (proto[rng.integers(0, 3, 300)] ^ (rng.random((300, 8)) < 0.1)).astype(float)
    init = BinaryRBM(n_components=6, max_iter=0, random_state=0).fit(X)
    rbm = BinaryRBM(
        n_components=6,
        method=method,
        max_iter=30,
        learning_rate=0.05,
        random_state=0,
        device="gpu",
    ).fit(X)
    assert rbm.score(X) > init.score(X) + 0.15


@gpu
def test_gpu_gaussian_rbm_matches_cpu_and_learns_the_lattice():
    import cupy as cp

    from skrapid import GaussianRBM
    from skrapid.datasets import lattice_eigenvalues, lattice_kernel

    K = lattice_kernel(10, m2=4.0)
    kw = dict(
        n_components=10,
        mu2=9.0,
        n_chains=512,
        learning_rate=0.1,
        lr_decay=0.8,
        lr_decay_every=500,
        max_iter=6000,
        random_state=0,
    )
    est = GaussianRBM(device="gpu", **kw).fit_covariance(kernel=K)
    lam = np.linalg.eigvalsh(est.kernel_)
    assert np.max(np.abs(lam / lattice_eigenvalues(10, m2=4.0) - 1)) < 0.02
    X = np.random.default_rng(0).normal(size=(50, 10))
    gpu_lp = est.score_samples(cp.asarray(X))
    assert isinstance(gpu_lp, cp.ndarray)
    est.set_params(device="cpu")
    np.testing.assert_allclose(gpu_lp.get(), est.score_samples(X), rtol=1e-8)
    est.set_params(device="gpu")
    exact = GaussianRBM(
        device="gpu",
        method="exact",
        **{**kw, "max_iter": 1500, "learning_rate": 0.5, "lr_decay": 1.0},
    )
    exact.fit_covariance(kernel=K)
    np.testing.assert_allclose(
        np.linalg.eigvalsh(exact.kernel_), lattice_eigenvalues(10, m2=4.0), rtol=1e-5
    )
