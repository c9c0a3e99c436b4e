"""GaussianRBM against exact answers: closed forms, integration, finite differences."""

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import multivariate_normal

from skrapid import GaussianRBM, KernelNotPositiveDefiniteError
from skrapid.datasets import lattice_eigenvalues, lattice_kernel, sample_gaussian_field
from skrapid.metrics import gaussian_kl, regulated_kl, regulated_spectrum

K10 = lattice_kernel(10, m2=4.0)
KAPPA10 = lattice_eigenvalues(10, m2=4.0)


def fitted(W, mu2, *, hidden="gaussian", sigma_h2=1.0, mean=None, learn_mu2=False):
    """A GaussianRBM with the given parameters (fit once, then overwritten)."""
    V, H = W.shape
    X = np.random.default_rng(0).normal(size=(20, V))
    est = GaussianRBM(
        n_components=H,
        hidden=hidden,
        mu2=float(np.max(mu2)),
        sigma_h2=sigma_h2,
        learn_mu2=learn_mu2,
        method="pcd",
        max_iter=1,
        random_state=0,
        center=mean is not None,
    ).fit(X)
    est.components_ = np.ascontiguousarray(W.T)
    est.mu2_ = mu2 if learn_mu2 == "local" else float(mu2)
    est.kernel_ = est._kernel_np(W, est.mu2_)
    est.mean_ = np.zeros(V) if mean is None else np.asarray(mean, dtype=float)
    return est


def exact_loglik(W, mu2, X, sigma_h2=1.0):
    K = -sigma_h2 * W @ W.T + np.diag(np.broadcast_to(mu2, (W.shape[0],)))
    return multivariate_normal(np.zeros(len(K)), np.linalg.inv(K)).logpdf(X)


# --------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------
def test_gaussian_density_log_z_and_samples_are_exact():
    rng = np.random.default_rng(1)
    W = rng.normal(scale=0.3, size=(5, 3))
    mean = rng.normal(size=5)
    est = fitted(W, 2.0, sigma_h2=1.5, mean=mean)
    K = 2.0 * np.eye(5) - 1.5 * W @ W.T
    np.testing.assert_allclose(est.kernel_, K, atol=1e-12)
    X = rng.normal(size=(50, 5))
    ref = multivariate_normal(mean, np.linalg.inv(K)).logpdf(X)
    np.testing.assert_allclose(est.score_samples(X), ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(est.covariance(), np.linalg.inv(K), atol=1e-12)
    # log Z of exp(-F): F carries the hidden layer's normalization
    log_z = est.log_partition_function()
    assert log_z == est.log_partition_function(method="exact")
    F = est.free_energy(X)
    np.testing.assert_allclose(-F - log_z, ref, rtol=1e-10, atol=1e-10)
    # exact samples: mean and covariance within 5 standard errors
    n = 40000
    S = est.sample(n, random_state=0)
    C = np.linalg.inv(K)
    se_mean = np.sqrt(np.diag(C) / n)
    assert np.all(np.abs(S.mean(0) - mean) < 5 * se_mean)
    se_cov = np.sqrt((np.outer(np.diag(C), np.diag(C)) + C**2) / n)
    assert np.all(np.abs(np.cov(S.T) - C) < 5 * se_cov)


def test_log_z_by_numerical_integration_both_hidden_types():
    W = np.array([[0.6, -0.3, 0.2]])  # one visible field, three hidden nodes
    for hidden, s2 in (("gaussian", 0.8), ("spin", 1.0), ("bernoulli", 1.0)):
        est = fitted(W, 1.5, hidden=hidden, sigma_h2=s2)

        def f(x, est=est):
            return math.exp(-float(est.free_energy(np.array([[x]]))[0]))

        Z, _ = integrate.quad(f, -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12)
        assert est.log_partition_function() == pytest.approx(math.log(Z), abs=1e-9)


def test_gaussian_bernoulli_free_energy_is_eq_91():
    rng = np.random.default_rng(2)
    W = rng.normal(scale=0.4, size=(4, 6))
    est = fitted(W, 3.0, hidden="spin")
    X = rng.normal(size=(7, 4))
    psi = X @ W
    S = 0.5 * 3.0 * np.sum(X**2, axis=1) - np.sum(np.log(2 * np.cosh(psi)), axis=1)
    np.testing.assert_allclose(est.free_energy(X), S, rtol=1e-12)
    # exact enumeration of the 6 hidden spins vs AIS on the same model
    log_z = est.log_partition_function(method="exact")
    ais, std = est.log_partition_function(
        method="ais", n_chains=200, n_betas=2000, return_std=True, random_state=0
    )
    assert abs(ais - log_z) < 5 * std + 1e-3
    assert est.log_partition_function() == log_z  # auto = exact for small H


def test_ais_on_the_gaussian_model_matches_the_closed_form():
    rng = np.random.default_rng(3)
    W = rng.normal(scale=0.2, size=(8, 6))
    est = fitted(W, 2.5, sigma_h2=1.2)
    assert np.linalg.eigvalsh(est.kernel_)[0] > 0.5
    exact = est.log_partition_function()
    ais, std = est.log_partition_function(
        method="ais", n_chains=200, n_betas=3000, return_std=True, random_state=0
    )
    assert abs(ais - exact) < 5 * std + 1e-3


def test_gibbs_chains_reach_the_model_covariance():
    """Block Gibbs φ -> h -> φ leaves N(0, K⁻¹) invariant: the empirical
    covariance of many chains matches K⁻¹ within 5 standard errors."""
    rng = np.random.default_rng(4)
    W = rng.normal(scale=0.4, size=(4, 4))
    est = fitted(W, 2.0)
    C = est.covariance()
    n = 20000
    v0 = np.zeros((n, 4))
    S = est.sample(n_steps=200, v_init=v0, random_state=0)
    se = np.sqrt((np.outer(np.diag(C), np.diag(C)) + C**2) / n)
    assert np.all(np.abs(S.T @ S / n - C) < 5 * se)


# --------------------------------------------------------------------------
# gradients
# --------------------------------------------------------------------------
@pytest.mark.parametrize("learn_mu2", ["global", "local"])
def test_exact_gradient_equals_finite_differences(learn_mu2):
    rng = np.random.default_rng(5)
    V, H = 4, 3
    W = rng.normal(scale=0.3, size=(V, H))
    mu2 = np.array([2.0, 2.5, 3.0, 2.2]) if learn_mu2 == "local" else 2.0
    s2 = 1.3
    X = rng.normal(scale=0.6, size=(30, V))
    est = GaussianRBM(
        n_components=H, method="exact", learn_mu2=learn_mu2, sigma_h2=s2, center=False
    )
    params = {"W": W.copy(), "mu2": np.atleast_1d(np.asarray(mu2, float)).copy()}
    est.n_iter_ = 0
    g = est._gradient(params, X, np, np.random.default_rng(0))

    def loglik(W_, mu2_):
        return exact_loglik(W_, mu2_, X, s2).mean()

    eps = 1e-6
    fd = np.zeros_like(W)
    for i in range(V):
        for a in range(H):
            d = np.zeros_like(W)
            d[i, a] = eps
            fd[i, a] = (loglik(W + d, mu2) - loglik(W - d, mu2)) / (2 * eps)
    np.testing.assert_allclose(g["W"], fd, atol=1e-7)
    m = np.atleast_1d(np.asarray(mu2, float))
    fd_mu = np.zeros_like(m)
    for i in range(m.size):
        d = np.zeros_like(m)
        d[i] = eps
        fd_mu[i] = (loglik(W, m + d) - loglik(W, m - d)) / (2 * eps)
    np.testing.assert_allclose(g["mu2"], fd_mu, atol=1e-7)


def test_covariance_gradient_is_eq_20():
    """Training from a covariance C: ∂L/∂W = σ_h² (C − K⁻¹) W exactly."""
    rng = np.random.default_rng(6)
    W = rng.normal(scale=0.3, size=(5, 5))
    est = GaussianRBM(n_components=5, method="exact", mu2=3.0, sigma_h2=0.7)
    est.n_iter_ = 0
    from skrapid._gaussian import _Covariance

    C = np.linalg.inv(lattice_kernel(5, m2=1.0))
    g = est._gradient({"W": W}, _Covariance(C), np, np.random.default_rng(0))
    Kinv = np.linalg.inv(3.0 * np.eye(5) - 0.7 * W @ W.T)
    np.testing.assert_allclose(g["W"], 0.7 * (C - Kinv) @ W, atol=1e-12)


def test_pcd_gradient_is_unbiased_for_the_negative_phase():
    """With equilibrated persistent chains the sampled gradient's mean over
    many updates matches the exact one within its standard error."""
    rng = np.random.default_rng(7)
    W = rng.normal(scale=0.3, size=(3, 2))
    X = rng.normal(size=(50, 3))
    exact = GaussianRBM(n_components=2, method="exact", mu2=2.0, center=False)
    exact.n_iter_ = 0
    g_exact = exact._gradient({"W": W}, X, np, np.random.default_rng(0))["W"]
    est = GaussianRBM(n_components=2, method="pcd", n_chains=500, mu2=2.0, center=False)
    est.n_iter_ = 0
    est._phase = None
    grng = np.random.default_rng(1)
    for _ in range(50):  # burn in
        est._gradient({"W": W}, X, np, grng)
    gs = np.array([est._gradient({"W": W}, X, np, grng)["W"] for _ in range(400)])
    # successive PCD gradients are correlated: batch means over 20 blocks
    blocks = gs.reshape(20, 20, *W.shape).mean(axis=1)
    se = blocks.std(axis=0, ddof=1) / np.sqrt(20)
    assert np.all(np.abs(blocks.mean(0) - g_exact) < 5 * se + 1e-4)


# --------------------------------------------------------------------------
# the paper's lattice results, quick versions
# --------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["cholesky", "symmetric"])
def test_exact_initializations_reproduce_the_target(init):
    est = GaussianRBM(n_components=10, mu2=9.0, init=init, max_iter=0).fit_covariance(
        kernel=K10
    )
    np.testing.assert_allclose(est.kernel_, K10, atol=1e-10)
    W = est.components_.T
    if init == "cholesky":
        assert np.allclose(W, np.tril(W))
        assert np.all(np.diag(W) > 0)
    else:
        np.testing.assert_allclose(W, W.T, atol=1e-12)
    # the same from samples: the data covariance defines the target
    X = sample_gaussian_field(K10, 3000, random_state=0)
    est2 = GaussianRBM(n_components=10, mu2=12.0, init=init, max_iter=0).fit(X)
    Xc = X - X.mean(0)
    np.testing.assert_allclose(est2.kernel_, np.linalg.inv(Xc.T @ Xc / 3000), atol=1e-8)


def test_random_init_learns_the_1d_spectrum_infrared_first():
    est = GaussianRBM(
        n_components=10,
        mu2=9.0,
        method="exact",
        learning_rate=0.5,
        max_iter=1500,
        random_state=0,
    ).fit_covariance(kernel=K10)
    lam = np.linalg.eigvalsh(est.kernel_)
    np.testing.assert_allclose(lam, KAPPA10, rtol=1e-6)
    spectra = np.array(est.history_["kernel_eigenvalues"])
    within = np.abs(spectra / KAPPA10 - 1) < 0.01
    first = [int(np.argmax(within[:, k])) for k in range(10)]
    assert first[0] < first[-1]  # the infrared mode converges first
    assert est.history_["kl"][-1] < 1e-8
    assert est.history_["kl"][0] > est.history_["kl"][-1]


def test_learnable_mu2_rises_to_the_largest_eigenvalue():
    est = GaussianRBM(
        n_components=10,
        mu2=6.0,
        learn_mu2="global",
        method="exact",
        learning_rate=1.0,
        max_iter=4000,
        random_state=0,
    ).fit_covariance(kernel=K10)
    assert est.history_["mu2"][0] < KAPPA10[-1] - 1
    assert est.mu2_ == pytest.approx(KAPPA10[-1], rel=0.01)
    np.testing.assert_allclose(np.linalg.eigvalsh(est.kernel_), KAPPA10, rtol=0.01)


@pytest.mark.parametrize("mu2, n_h", [(6.0, 10), (9.0, 7)])
def test_ultraviolet_cutoff_pins_modes_at_mu2(mu2, n_h):
    est = GaussianRBM(
        n_components=n_h,
        mu2=mu2,
        method="exact",
        learning_rate=0.5,
        max_iter=3000,
        random_state=0,
    ).fit_covariance(kernel=K10)
    lam = np.linalg.eigvalsh(est.kernel_)
    expected = regulated_spectrum(KAPPA10, mu2, n_h)
    np.testing.assert_allclose(lam, expected, rtol=2e-3)
    # the trained model's KL is the cutoff's (eq. B8)
    assert gaussian_kl(K10, est.kernel_) == pytest.approx(
        regulated_kl(KAPPA10, mu2, n_h), rel=0.02, abs=1e-4
    )


def test_pcd_with_lr_decay_reaches_the_spectrum_within_one_percent():
    est = GaussianRBM(
        n_components=10,
        mu2=9.0,
        n_chains=512,
        learning_rate=0.1,
        lr_decay=0.8,
        lr_decay_every=500,
        max_iter=6000,
        random_state=0,
    ).fit_covariance(kernel=K10)
    lam = np.linalg.eigvalsh(est.kernel_)
    assert np.max(np.abs(lam / KAPPA10 - 1)) < 0.01


def test_2d_lattice_degenerate_eigenvalues():
    K = lattice_kernel((4, 4), m2=4.0)
    kappa = lattice_eigenvalues((4, 4), m2=4.0)
    assert np.allclose(np.linalg.eigvalsh(K), kappa)
    vals, counts = np.unique(kappa.round(8), return_counts=True)
    assert vals.tolist() == [4.0, 6.0, 8.0, 10.0, 12.0]
    assert counts.tolist() == [1, 4, 6, 4, 1]


# --------------------------------------------------------------------------
# training from samples, Gaussian–Bernoulli, errors
# --------------------------------------------------------------------------
def test_fit_from_samples_gives_the_maximum_likelihood_kernel():
    X = sample_gaussian_field(K10, 4000, random_state=1) + 3.0  # not centred
    est = GaussianRBM(
        n_components=10,
        mu2=12.0,
        method="exact",
        learning_rate=0.3,
        batch_size=4000,
        max_iter=1500,
        random_state=0,
    ).fit(X)
    Xc = X - X.mean(0)
    K_ml = np.linalg.inv(Xc.T @ Xc / len(X))
    np.testing.assert_allclose(est.kernel_, K_ml, atol=1e-4)
    np.testing.assert_allclose(est.mean_, X.mean(0))
    ref = multivariate_normal(X.mean(0), Xc.T @ Xc / len(X)).logpdf(X).mean()
    assert est.score(X) == pytest.approx(ref, abs=1e-4)
    # the monitored value is the same log-likelihood on the first 1000 rows
    ref_1000 = multivariate_normal(X.mean(0), Xc.T @ Xc / len(X)).logpdf(X[:1000])
    assert est.history_["log_likelihood"][-1] == pytest.approx(
        ref_1000.mean(), abs=1e-4
    )
    # samples come back in data space
    assert np.allclose(est.sample(5000, random_state=0).mean(0), X.mean(0), atol=0.1)


def test_gaussian_bernoulli_trains_and_improves_likelihood():
    rng = np.random.default_rng(8)
    # two clusters: a Gaussian–Bernoulli model beats independent fields
    X = np.concatenate([rng.normal(-1, 0.3, (300, 4)), rng.normal(1, 0.3, (300, 4))])
    est = GaussianRBM(
        n_components=4,
        hidden="spin",
        mu2=2.0,
        learning_rate=0.02,
        n_chains=200,
        max_iter=60,
        batch_size=50,
        random_state=0,
    )
    est.fit(X)
    first = GaussianRBM(n_components=4, hidden="spin", mu2=2.0, max_iter=0).fit(X)
    assert est.score(X) > first.score(X) + 0.5
    with pytest.raises(ValueError, match="hidden='gaussian'"):
        est.fit_covariance(kernel=K10)


def test_non_positive_definite_kernel_is_reported():
    X = np.random.default_rng(0).normal(size=(50, 6))
    bad = fitted(np.eye(3) * 2.0, 1.0)  # K = 1 - 4 < 0
    with pytest.raises(KernelNotPositiveDefiniteError, match="no normalizable"):
        bad.score_samples(np.zeros((1, 3)))
    with pytest.raises(KernelNotPositiveDefiniteError):
        bad.sample(3)
    with pytest.raises(KernelNotPositiveDefiniteError, match="at initialization.*mu2"):
        GaussianRBM(n_components=6, mu2=1.0, init_scale=2.0).fit(X)
    with pytest.raises(KernelNotPositiveDefiniteError, match="learning_rate"):
        GaussianRBM(
            n_components=10, mu2=9.0, method="exact", learning_rate=200.0, max_iter=50
        ).fit_covariance(kernel=lattice_kernel(10, m2=0.05))
    with pytest.raises(ValueError, match="mu2 >= the largest"):
        GaussianRBM(n_components=10, mu2=5.0, init="cholesky").fit_covariance(
            kernel=K10
        )
    with pytest.raises(ValueError, match="invertible covariance"):
        Xs = np.zeros((20, 10))
        Xs[:, :5] = np.random.default_rng(0).normal(size=(20, 5))
        GaussianRBM(n_components=10, mu2=5.0, init="symmetric").fit(Xs)
    with pytest.raises(ValueError, match="positive definite"):
        GaussianRBM().fit_covariance(kernel=-np.eye(3))
    with pytest.raises(ValueError, match="symmetric"):
        GaussianRBM().fit_covariance(covariance=np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="exactly one"):
        GaussianRBM().fit_covariance()
    with pytest.raises(ValueError, match="NaN"):
        GaussianRBM().fit(np.array([[np.nan, 1.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="N_h = N_v"):
        GaussianRBM(n_components=3, init="symmetric").fit_covariance(kernel=K10)
    with pytest.raises(ValueError, match="hidden='gaussian'"):
        GaussianRBM(hidden="spin", method="exact").fit(X)


def test_float32_pickle_and_reproducibility():
    import pickle

    X = sample_gaussian_field(K10, 500, random_state=0, dtype=np.float32)
    a = GaussianRBM(n_components=5, mu2=9.0, max_iter=5, random_state=0).fit(X)
    b = GaussianRBM(n_components=5, mu2=9.0, max_iter=5, random_state=0).fit(X)
    assert a.components_.dtype == np.float32
    assert a.transform(X).dtype == np.float32
    np.testing.assert_array_equal(a.components_, b.components_)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.score_samples(X), a.score_samples(X))
    assert np.isfinite(a.score(X))


def test_verbose_lines_report_the_spectrum_and_mu2(capsys):
    X = sample_gaussian_field(K10, 300, random_state=0)
    GaussianRBM(n_components=10, mu2=9.0, method="pcd", max_iter=2, verbose=1).fit(X)
    GaussianRBM(
        n_components=10,
        mu2=9.0,
        method="pcd",
        max_iter=1,
        verbose=1,
        learn_mu2="local",
    ).fit_covariance(kernel=K10)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert out[0].startswith("[GaussianRBM] epoch 1/2, elapsed ")
    assert "kernel eigenvalues [" in out[0] and "mu2 9.0" in out[0]
    assert "log likelihood" in out[1]
    assert " kl " in out[2]


def test_grid_search_selects_n_components_by_held_out_likelihood():
    from sklearn.model_selection import GridSearchCV

    X = sample_gaussian_field(K10, 2000, random_state=0)
    grid = GridSearchCV(
        GaussianRBM(
            mu2=9.0,
            method="exact",
            learning_rate=0.3,
            batch_size=500,
            max_iter=150,
            random_state=0,
        ),
        {"n_components": [2, 10]},
        cv=3,
    ).fit(X)
    # all 10 modes are below the cutoff: the full RBM wins, by the Gaussian
    # log-likelihood of held-out folds
    assert grid.best_params_ == {"n_components": 10}
    scores = grid.cv_results_["mean_test_score"]
    assert scores[1] > scores[0] and np.all(np.isfinite(scores))


@pytest.mark.parametrize("learn_mu2", [False, "local"])
def test_regeneration_is_one_pass_forward_and_backward(learn_mu2):
    """inverse_transform(transform(x)) = m + σ_h² W Wᵀ (x − m) / μ² (Fig. 16):
    E[h|v] = σ_h² Wᵀ (v − m), E[v|h] = m + W h / μ²."""
    rng = np.random.default_rng(3)
    W = 0.3 * rng.normal(size=(6, 4))
    mu2 = np.linspace(4.0, 6.0, 6) if learn_mu2 == "local" else 5.0
    mean = rng.normal(size=6)
    est = fitted(W, mu2, sigma_h2=0.7, mean=mean, learn_mu2=learn_mu2)
    X = rng.normal(size=(5, 6))
    H = est.transform(X)
    np.testing.assert_allclose(H, 0.7 * (X - mean) @ W, rtol=1e-12)
    expected = mean + 0.7 * (X - mean) @ W @ W.T / mu2
    np.testing.assert_allclose(est.inverse_transform(H), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="n_components=4"):
        est.inverse_transform(np.ones((2, 3)))
