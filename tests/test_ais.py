"""AIS on an MNIST-sized RBM against exact enumeration of its hidden layer."""

import numpy as np
import pytest

from skrapid import BinaryRBM
from skrapid._partition import default_betas
from skrapid.datasets import make_mnist_like


@pytest.fixture(scope="module")
def mnist_like_rbm():
    """784 visible x 15 hidden, trained briefly on MNIST-shaped binary digits."""
    X, _ = make_mnist_like(1000, random_state=0)
    rbm = BinaryRBM(
        n_components=15,
        max_iter=5,
        learning_rate=0.05,
        batch_size=20,
        random_state=0,
        device="cpu",
    ).fit(X)
    return rbm, X, rbm.log_partition_function("exact")


def test_ais_within_half_a_nat_and_consistent_with_its_error(mnist_like_rbm):
    rbm, X, exact = mnist_like_rbm
    lz, se = rbm.log_partition_function(
        "ais", n_chains=100, n_betas=1500, return_std=True, random_state=1
    )
    assert abs(lz - exact) < 0.5
    assert abs(lz - exact) < 5 * se
    assert 0 < se < 0.5


def test_reverse_ais_within_half_a_nat(mnist_like_rbm):
    rbm, X, exact = mnist_like_rbm
    lz, se = rbm.log_partition_function(
        "reverse_ais",
        n_chains=100,
        n_betas=1500,
        X=X,
        n_burn_in=200,
        return_std=True,
        random_state=1,
    )
    assert abs(lz - exact) < 0.5
    assert abs(lz - exact) < 5 * se + 0.05


def test_ais_standard_error_is_honest(mnist_like_rbm):
    """Over independent runs, the spread of the estimates matches the reported
    standard error, and the errors are consistent with it (chi-square)."""
    rbm, X, exact = mnist_like_rbm
    runs = [
        rbm.log_partition_function(
            "ais", n_chains=40, n_betas=300, return_std=True, random_state=s
        )
        for s in range(12)
    ]
    est = np.array([r[0] for r in runs])
    se = np.array([r[1] for r in runs])
    spread = est.std(ddof=1)
    assert 0.4 < spread / se.mean() < 2.5
    # mean squared z-score of the errors: 1 for honest errors (5 sigma bound
    # of a chi-square with 12 degrees of freedom divided by 12 is ~3.2)
    z2 = np.mean(((est - exact) / se) ** 2)
    assert z2 < 3.5


def test_ais_uses_training_marginals_as_base_rate(mnist_like_rbm):
    """The base-rate start matters: with the data's marginals AIS is tighter
    than from the uniform base (W = 0, b = 0) at the same cost."""
    rbm, X, exact = mnist_like_rbm
    _, se_data = rbm.log_partition_function(
        "ais", n_chains=60, n_betas=300, return_std=True, random_state=3
    )
    uniform = np.full(X.shape[1], 0.5)
    _, se_unif = rbm.log_partition_function(
        "ais",
        n_chains=60,
        n_betas=300,
        X=np.tile(uniform, (2, 1)),
        return_std=True,
        random_state=3,
    )
    assert se_data < se_unif


def test_default_betas_schedule():
    b = default_betas(14500)
    assert b[0] == 0 and b[-1] == 1 and np.all(np.diff(b) > 0)
    assert len(b) == 14501
    with pytest.raises(ValueError, match="n_betas"):
        default_betas(2)


@pytest.mark.parametrize("method", ["ais", "reverse_ais"])
def test_ais_in_bounded_chunks_of_chains(mnist_like_rbm, monkeypatch, method):
    """With chunks of 13 chains (forced), the 100 chains still give one
    estimate, within its error of the exact log Z."""
    import skrapid._partition as P

    rbm, X, exact = mnist_like_rbm
    monkeypatch.setattr(P, "_AIS_CHUNK_ELEMENTS", 13 * 784)
    lz, se = rbm.log_partition_function(
        method, n_chains=100, n_betas=1500, X=X, return_std=True, random_state=2
    )
    assert abs(lz - exact) < max(5 * se, 0.3)


# -- the fused binary kernel (float32 chains, float64 weights) ---------------


@pytest.mark.parametrize("units", ["bernoulli", "spin"])
@pytest.mark.parametrize("shape", [(12, 9), (7, 14)], ids=["V>H", "V<H"])
@pytest.mark.parametrize("method", ["ais", "reverse_ais"])
def test_fused_kernel_matches_exact_and_the_generic_path(
    monkeypatch, units, shape, method
):
    """The fused kernel (float32 chains, the smaller layer summed out, chains
    in parallel groups) against exact enumeration and against the generic
    float64 kernel it replaces: both within their standard errors."""
    from conftest import make_rbm

    from skrapid import _partition as P

    V, H = shape
    rbm = make_rbm(V, H, units=units, scale=0.7, seed=3)
    exact = rbm.log_partition_function("exact")
    res = {}
    for fast in (True, False):
        monkeypatch.setattr(P, "FAST_BINARY_AIS", fast)
        rbm._logz_cache = {}
        res[fast] = rbm.log_partition_function(
            method,
            n_chains=400,
            n_betas=1500,
            n_burn_in=200,
            return_std=True,
            random_state=4,
        )
    (lz, se), (lz_old, se_old) = res[True], res[False]
    assert 0 < se < 0.1
    assert abs(lz - exact) < 4 * se + 0.02
    assert abs(lz - lz_old) < 4 * np.hypot(se, se_old) + 0.02


def test_fused_kernel_on_a_mnist_sized_model(mnist_like_rbm):
    """784 x 15 (the state layer is the visible one): float32 chains keep the
    estimate within its error of the exact value."""
    rbm, X, exact = mnist_like_rbm
    rbm._logz_cache = {}
    lz, se = rbm.log_partition_function(
        "ais", n_chains=200, n_betas=3000, return_std=True, random_state=7
    )
    assert abs(lz - exact) < 4 * se + 0.02


def test_fused_kernel_is_reproducible_whatever_the_thread_count(monkeypatch):
    """Chains are split into groups by their number and the model's size
    alone, never by the machine: one worker thread or several give the same
    estimate for a seed."""
    import threadpoolctl

    X = (np.random.default_rng(0).random((200, 300)) < 0.3).astype(np.float64)
    rbm = BinaryRBM(200, max_iter=1, random_state=0).fit(X)  # groups of chains
    from skrapid import _partition as P

    assert 200 // max(50, -(-P._AIS_GROUP_MIN_ELEMENTS // 500)) > 1
    kw = dict(n_chains=200, n_betas=300, random_state=0)
    with threadpoolctl.threadpool_limits(2):  # two worker threads
        a = rbm.log_partition_function("ais", **kw)
        rbm._logz_cache = {}
        assert rbm.log_partition_function("ais", **kw) == a
    with threadpoolctl.threadpool_limits(1):  # one
        rbm._logz_cache = {}
        assert rbm.log_partition_function("ais", **kw) == a


def test_fused_sampler_leaves_the_model_invariant():
    """Transitions of the fused kernel at β = 1 are Gibbs sweeps of the
    model: after many of them the chains' mean state matches the exact
    E[v] (visible chains) or E[h] (hidden chains, the visible layer summed
    out), and the weights do not change."""
    from conftest import brute_force, make_rbm

    from skrapid import _partition as P

    for units in ("bernoulli", "spin"):
        rbm = make_rbm(6, 5, units=units, scale=0.8, seed=5)
        bf = brute_force(rbm)
        model, _ = rbm._fitted_model()
        for swap, exact in ((False, bf["v"]), (True, bf["h"])):
            path = P._BinaryPath(model, np.zeros(6), swap=swap, dtype=np.float32)
            rng = np.random.default_rng(0)
            s0 = np.ones((4000, path.S), dtype=np.float32)
            logw, s = P._anneal_binary(path, s0, np.ones(60), rng, return_states=True)
            np.testing.assert_allclose(logw, 0.0, atol=1e-4)
            se = s.std(axis=0) / np.sqrt(s.shape[0])
            assert np.all(np.abs(s.mean(axis=0) - exact) < 5 * se + 1e-3), (
                units,
                swap,
                s.mean(axis=0),
                exact,
            )


@pytest.mark.parametrize("shape", [(12, 9), (7, 14)], ids=["V>H", "V<H"])
def test_adaptive_schedule_matches_exact(shape):
    from conftest import make_rbm

    from skrapid import _partition as P

    rbm = make_rbm(*shape, scale=0.8, seed=6)
    exact = rbm.log_partition_function("exact")
    lz, se = rbm.log_partition_function(
        "ais",
        n_chains=300,
        n_betas=800,
        return_std=True,
        random_state=2,
        schedule="adaptive",
    )
    assert abs(lz - exact) < 4 * se + 0.02
    model, _ = rbm._fitted_model()
    betas = P.adaptive_betas(model, np.zeros(shape[0]), 500, np.random.default_rng(0))
    assert betas.shape == (500,) and betas[0] == 0.0 and betas[-1] == 1.0
    assert np.all(np.diff(betas) >= 0)


def test_schedule_is_validated():
    from conftest import make_rbm

    from skrapid import GaussianRBM
    from skrapid.datasets import lattice_kernel, sample_gaussian_field

    rbm = make_rbm(6, 4)
    with pytest.raises(ValueError, match="schedule must be"):
        rbm.log_partition_function("ais", schedule="fast")
    X = sample_gaussian_field(lattice_kernel(4), 100, random_state=0)
    g = GaussianRBM(4, hidden="bernoulli", max_iter=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="binary"):
        g.log_partition_function("ais", n_betas=50, schedule="adaptive")
