"""GaussianRBM as a density model of real data: mu2="auto", the natural-gradient
step, the direct solver, regularization and the advice of failed fits."""

import re

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skrapid import GaussianRBM, KernelNotPositiveDefiniteError
from skrapid._gaussian import auto_mass, regulated_weights
from skrapid.datasets import lattice_eigenvalues, lattice_kernel


def known_gaussian(n=3000, V=8, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(V, V))
    C = A @ A.T / V + 0.1 * np.eye(V)
    m = rng.normal(size=V)
    return rng.multivariate_normal(m, C, size=n), m, C


def diabetes(scaled):
    X = load_diabetes(scaled=False).data
    Xtr, Xte = train_test_split(X, test_size=0.25, random_state=0)
    if scaled:
        sc = StandardScaler().fit(Xtr)
        Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
    return Xtr, Xte


def gmm_score(Xtr, Xte):
    return (
        GaussianMixture(1, covariance_type="full", random_state=0).fit(Xtr).score(Xte)
    )


def ml_gaussian_loglik(Xtr, Xte, reg=1e-6):
    """Held-out log-likelihood of the maximum-likelihood Gaussian (closed form)."""
    m = Xtr.mean(0)
    C = np.cov(Xtr.T, bias=True) + reg * np.eye(Xtr.shape[1])
    sign, logdet = np.linalg.slogdet(C)
    D = Xte - m
    quad = np.sum(D @ np.linalg.inv(C) * D, axis=1)
    return float(np.mean(-0.5 * (quad + logdet + Xtr.shape[1] * np.log(2 * np.pi))))


def test_auto_mass_is_above_the_spectrum_or_the_ppca_noise_level():
    lam = np.array([5.0, 3.0, 1.0, 0.5])
    assert auto_mass(lam, 4) == pytest.approx(1.5 / 0.5)
    assert auto_mass(lam, 10) == pytest.approx(1.5 / 0.5)
    assert auto_mass(lam, 2) == pytest.approx(1 / 0.75)  # mean of the cut modes
    with pytest.raises(ValueError, match="reg_covar"):
        auto_mass([1.0, 0.0], 2)


def test_regulated_weights_give_the_eq_b8_spectrum():
    rng = np.random.default_rng(0)
    Q = np.linalg.qr(rng.normal(size=(6, 6)))[0]
    lam = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.05])
    mu2 = 5.0
    for H in (6, 3, 8):
        W = regulated_weights(lam, Q, mu2, H)
        assert W.shape == (6, H)
        got = np.sort(np.linalg.eigvalsh(mu2 * np.eye(6) - W @ W.T))
        kappa = 1 / lam  # ascending: the most infrared modes first
        want = np.full(6, mu2)
        n = min(H, 6)
        want[:n] = np.minimum(kappa[:n], mu2)
        np.testing.assert_allclose(got, np.sort(want), rtol=1e-12)


@pytest.mark.parametrize("method", ["auto", "eigen"])
def test_defaults_and_direct_solver_are_the_ml_gaussian_on_a_known_gaussian(method):
    X, m, C = known_gaussian()
    Xtr, Xte = X[:2000], X[2000:]
    rbm = GaussianRBM(method=method, random_state=0).fit(Xtr)
    ref = ml_gaussian_loglik(Xtr, Xte)
    assert rbm.score(Xte) == pytest.approx(ref, abs=1e-6)
    assert rbm.score(Xte) == pytest.approx(gmm_score(Xtr, Xte), abs=1e-4)
    # every mode is learnt: the kernel is the data's precision
    Cd = np.cov(Xtr.T, bias=True) + 1e-6 * np.eye(8)
    np.testing.assert_allclose(rbm.kernel_, np.linalg.inv(Cd), rtol=1e-8, atol=1e-10)
    lam = np.linalg.eigvalsh(Cd)
    assert rbm.mu2_ == pytest.approx(1.5 / lam[0])
    # and close to the true density (sampling error only, 1000 test points)
    D = Xte - m
    true = -0.5 * np.mean(
        np.sum(D @ np.linalg.inv(C) * D, axis=1)
        + np.linalg.slogdet(C)[1]
        + 8 * np.log(2 * np.pi)
    )
    se = np.std(-0.5 * np.sum(D @ np.linalg.inv(C) * D, axis=1), ddof=1) / np.sqrt(
        len(D)
    )
    assert abs(rbm.score(Xte) - true) < 5 * se + 8 * 9 / (2 * len(Xtr))


@pytest.mark.parametrize("scaled", [False, True])
def test_defaults_match_a_single_gaussian_on_raw_and_standardized_diabetes(scaled):
    Xtr, Xte = diabetes(scaled)
    ref = gmm_score(Xtr, Xte)
    for method in ("auto", "eigen"):
        rbm = GaussianRBM(method=method, random_state=0).fit(Xtr)
        assert abs(rbm.score(Xte) - ref) < 0.005


def test_the_units_of_the_data_do_not_matter():
    """log p(a x) = log p(x) − V log a, exactly, with the defaults."""
    X, _, _ = known_gaussian(n=500)
    for a in (1e-3, 255.0, 1e4):
        r1 = GaussianRBM(random_state=0, reg_covar=0).fit(X)
        r2 = GaussianRBM(random_state=0, reg_covar=0).fit(a * X)
        np.testing.assert_allclose(
            r2.score_samples(a * X), r1.score_samples(X) - 8 * np.log(a), atol=1e-7
        )
        assert r2.mu2_ == pytest.approx(r1.mu2_ / a**2, rel=1e-9)


def test_natural_step_is_stable_for_any_spectrum():
    """Variances spanning 12 decades, a step η₀ = 0.5: the kernel stays positive
    definite after every epoch, the log-likelihood rises to the
    maximum-likelihood value (up to the minibatch order's 1e-5 nats), and the
    gradient methods' step would diverge."""
    rng = np.random.default_rng(0)
    Q = np.linalg.qr(rng.normal(size=(6, 6)))[0]
    C = (Q * np.logspace(-6, 6, 6)) @ Q.T
    X = rng.multivariate_normal(np.zeros(6), C, size=600)
    rbm = GaussianRBM(
        method="natural", learning_rate=0.5, batch_size=50, max_iter=30, random_state=0
    ).fit(X)
    ll = np.array(rbm.history_["log_likelihood"])
    assert ll[-1] > ll[0] and np.all(np.diff(ll) > -1e-4)
    assert np.all(np.array([lam[0] for lam in rbm.history_["kernel_eigenvalues"]]) > 0)
    assert rbm.score(X) == pytest.approx(
        GaussianRBM(method="eigen").fit(X).score(X), abs=0.05
    )
    with pytest.raises(KernelNotPositiveDefiniteError):
        GaussianRBM(method="exact", learning_rate=0.5, random_state=0).fit(X)


def test_natural_step_learning_rate_weights_the_initial_model():
    """η₀ = 1: the running mean of the minibatch moments, a fixed point after
    one epoch; η₀ < 1 starts from the initial model and converges towards it."""
    X, _, _ = known_gaussian(n=400)
    fast = GaussianRBM(method="natural", max_iter=50, random_state=0).fit(X)
    assert fast.n_iter_ == 2  # epoch 2 changes nothing: stopped
    slow = GaussianRBM(method="natural", learning_rate=0.1, max_iter=50).fit(X)
    ll = slow.history_["log_likelihood"]
    assert slow.n_iter_ == 50 and ll[0] < ll[-1] < fast.history_["log_likelihood"][-1]
    assert ll[-1] == pytest.approx(fast.history_["log_likelihood"][-1], abs=0.05)


def test_partial_fit_with_the_direct_solver_accumulates_the_exact_moments():
    X, _, _ = known_gaussian(n=600)
    full = GaussianRBM(method="eigen").fit(X)
    part = GaussianRBM(method="eigen")
    part.partial_fit(X[:300]).partial_fit(X[300:])
    # the mean is fixed at the first call: the same second moment about it
    D = X - part.mean_
    S = D.T @ D / len(D) + 1e-6 * np.eye(8)
    np.testing.assert_allclose(part.covariance(), S, rtol=1e-9, atol=1e-12)
    assert full.n_iter_ == 1 and part.n_iter_ == 2


def test_fewer_hidden_units_than_fields_give_probabilistic_pca():
    X, _, _ = known_gaussian(n=2000)
    rbm = GaussianRBM(n_components=3, method="eigen").fit(X)
    lam = np.sort(np.linalg.eigvalsh(np.cov(X.T, bias=True) + 1e-6 * np.eye(8)))[::-1]
    assert rbm.mu2_ == pytest.approx(1 / lam[3:].mean())
    got = np.sort(np.linalg.eigvalsh(rbm.covariance()))[::-1]
    np.testing.assert_allclose(got[:3], lam[:3], rtol=1e-9)
    np.testing.assert_allclose(got[3:], lam[3:].mean(), rtol=1e-9)
    # a numeric mass keeps the paper's cutoff (eq. B8), learn_mu2 the ML mass
    fixed = GaussianRBM(n_components=3, mu2=2.0, method="natural").fit(X)
    assert fixed.mu2_ == 2.0
    learnt = GaussianRBM(
        n_components=3, mu2=2.0, learn_mu2="global", method="natural"
    ).fit(X)
    assert learnt.mu2_ == pytest.approx(rbm.mu2_)
    assert learnt.score(X) > fixed.score(X)


def test_fit_covariance_with_the_direct_solver_is_exact_at_once():
    K = lattice_kernel(10, m2=4.0)
    for method in ("eigen", "natural"):
        rbm = GaussianRBM(n_components=10, mu2=9.0, method=method).fit_covariance(
            kernel=K
        )
        assert rbm.n_iter_ == (1 if method == "eigen" else 2)
        np.testing.assert_allclose(
            np.linalg.eigvalsh(rbm.kernel_),
            np.sort(lattice_eigenvalues(10, m2=4.0)),
            rtol=1e-5,  # reg_covar = 1e-6 on covariances of order 0.1-1
        )
    # the cutoff: a mass below κ_max pins the ultraviolet modes at μ²
    rbm = GaussianRBM(n_components=10, mu2=6.0, method="eigen").fit_covariance(kernel=K)
    lam = np.linalg.eigvalsh(rbm.kernel_)
    want = np.minimum(np.sort(lattice_eigenvalues(10, m2=4.0)), 6.0)
    np.testing.assert_allclose(lam, np.sort(want), rtol=1e-5)


def test_constant_and_collinear_columns_are_regularized_as_in_gaussian_mixture():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(300, 3))
    X = np.column_stack([Z, Z[:, 0] + Z[:, 1], np.full(300, 7.0)])
    rbm = GaussianRBM(random_state=0).fit(X)
    ref = GaussianMixture(1, covariance_type="full", reg_covar=1e-6).fit(X)
    assert np.isfinite(rbm.score(X))
    assert rbm.score(X) == pytest.approx(ref.score(X), abs=1e-3)


@pytest.mark.parametrize("X", [np.ones((1, 3)), np.ones((5, 3))])
def test_data_without_spread_get_a_clear_error(X):
    with pytest.raises(ValueError, match="sample|zero variance"):
        GaussianRBM().fit(X)


def test_moment_methods_need_gaussian_hidden_units_and_one_mass():
    X, _, _ = known_gaussian(n=100)
    with pytest.raises(ValueError, match="hidden='gaussian'"):
        GaussianRBM(hidden="spin", method="eigen").fit(X)
    with pytest.raises(ValueError, match="learn_mu2='local'"):
        GaussianRBM(method="natural", learn_mu2="local").fit(X)
    # binary hidden units default to PCD
    assert GaussianRBM(hidden="spin")._method == "pcd"


def _stable_rate(message):
    m = re.search(r"learning_rate=([0-9.e+-]+) is stable", message)
    assert m, message
    return float(m.group(1))


@pytest.mark.parametrize(
    "scaled, params, cause",
    [
        (False, dict(mu2=1.0), "the data's scale"),
        (False, dict(), "mu2 relative to the data's spectrum"),
        (True, dict(), "the step size"),
    ],
)
def test_a_failed_gradient_fit_names_its_cause_and_its_advice_works(
    scaled, params, cause
):
    Xtr, Xte = diabetes(scaled)
    kw = dict(method="pcd", n_components=10, max_iter=20, random_state=0, **params)
    with pytest.raises(KernelNotPositiveDefiniteError) as err:
        GaussianRBM(**kw).fit(Xtr)
    msg = str(err.value)
    assert "The cause is " + cause in msg
    # the advised step is stable ...
    rbm = GaussianRBM(learning_rate=_stable_rate(msg), **kw).fit(Xtr)
    assert np.all(np.linalg.eigvalsh(rbm.kernel_) > 0)
    # ... and the advised method reaches the single Gaussian
    kw.pop("method")
    assert "method='natural'" in msg
    best = GaussianRBM(method="natural", **kw).fit(Xtr)
    if "mu2" not in params:
        assert best.score(Xte) == pytest.approx(gmm_score(Xtr, Xte), abs=0.005)


def test_gaussian_bernoulli_auto_mass_is_the_best_isotropic_gaussian():
    """At W = 0 a Gaussian–Bernoulli RBM is the isotropic Gaussian N(m, 1/μ²);
    mu2='auto' takes its maximum-likelihood mass 1 / (mean variance)."""
    X, _, _ = known_gaussian(n=500)
    rbm = GaussianRBM(
        4,
        hidden="spin",
        init_scale=1e-9,
        learning_rate=1e-12,
        max_iter=1,
        random_state=0,
    ).fit(X)
    D = X - X.mean(0)
    assert rbm.mu2_ == pytest.approx(1 / (np.mean(D * D) + 1e-6))
    iso = GaussianMixture(1, covariance_type="spherical").fit(X)
    assert rbm.score(X) == pytest.approx(iso.score(X), abs=1e-4)


def test_a_spin_binary_rbm_refuses_zero_one_data():
    from skrapid import BinaryRBM

    X = (np.random.default_rng(0).random((20, 5)) > 0.5).astype(float)
    with pytest.raises(ValueError, match=r"2 \* X - 1.*units='bernoulli'"):
        BinaryRBM(3, units="spin").fit(X)
    BinaryRBM(3, units="spin", max_iter=1).fit(2 * X - 1)
