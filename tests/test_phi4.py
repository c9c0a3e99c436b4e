"""Lattice fields beyond the free field: Z2 flips and parallel tempering for
continuous visible layers, the exact Gaussian–Bernoulli covariance, and
GaussianRBM divergence advice that works when followed."""

import itertools

import numpy as np
import pytest
from scipy import special

from skrapid import RBM, GaussianRBM
from skrapid.datasets import phi4_configurations
from skrapid.lattice import magnetization, mixing


@pytest.fixture(scope="module")
def broken():
    phi, _ = phi4_configurations((4, 4), 0.35, 1.0, 1500, random_state=0)
    rbm = GaussianRBM(n_components=16, hidden="spin", learn_mu2="local",
                      learning_rate=0.01, random_state=0).fit(phi)  # fmt: skip
    return phi, rbm


def test_gibbs_stays_in_its_sector_flips_and_pt_cross(broken):
    phi, rbm = broken
    n = 400
    v0 = np.abs(phi[:n])  # every chain starts with m > 0
    stuck = rbm.sample(n, n_steps=100, v_init=v0, random_state=0)
    assert np.mean(magnetization(stuck) > 0) > 0.9
    sigma = np.sqrt(0.25 / n)
    for kw in (
        dict(z2_flips=True),
        dict(method="pt"),
        dict(method="pt", z2_flips=True),
    ):
        S = rbm.sample(n, n_steps=100, v_init=v0, random_state=0, **kw)
        assert abs(np.mean(magnetization(S) > 0) - 0.5) < 4 * sigma, kw


def test_mixing_diagnostic_from_gibbs_traces(broken):
    phi, rbm = broken
    v = np.abs(phi[:50])
    traces = {False: [], True: []}
    for flips in (False, True):
        w = v
        for k in range(60):
            w = rbm.sample(50, n_steps=1, v_init=w, z2_flips=flips, random_state=k)
            traces[flips].append(magnetization(w))
    plain, flipped = mixing(np.array(traces[False])), mixing(np.array(traces[True]))
    assert plain["chains_crossed"] < 0.2 < 0.8 < flipped["chains_crossed"]
    assert abs(flipped["fraction_positive"] - 0.5) < 0.1


def test_flip_move_is_exact_for_an_asymmetric_model():
    """With biases the flip is often rejected; the chains still sample the
    model: state frequencies against the enumerated p(v)."""
    rng = np.random.default_rng(0)
    X = np.where(rng.random((50, 4)) < 0.7, 1.0, -1.0)
    rbm = RBM("spin", "bernoulli", n_components=3, max_iter=1, random_state=0).fit(X)
    rbm.components_ = rng.normal(0, 0.8, size=(3, 4))
    rbm.intercept_visible_ = np.array([0.6, -0.3, 0.4, 0.2])
    rbm._logz_cache = {}
    states = np.array(list(itertools.product([-1.0, 1.0], repeat=4)))
    p = np.exp(rbm.score_samples(states))
    n = 20000
    S = rbm.sample(n, n_steps=30, z2_flips=True, random_state=1)
    idx = ((S > 0) * (2 ** np.arange(3, -1, -1))).sum(1)
    order = ((states > 0) * (2 ** np.arange(3, -1, -1))).sum(1)
    counts = np.bincount(idx, minlength=16)[order]
    chi2 = np.sum((counts - n * p) ** 2 / (n * p))
    assert (chi2 - 15) / np.sqrt(30) < 5


def test_flips_need_symmetric_states():
    X = (np.random.default_rng(0).random((30, 4)) < 0.5).astype(float)
    rbm = RBM(n_components=2, max_iter=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="symmetric about 0"):
        rbm.sample(5, n_steps=2, z2_flips=True)


@pytest.mark.parametrize("hidden", ["spin", "bernoulli"])
def test_gaussian_bernoulli_covariance_is_exact(hidden):
    """Against the mixture written out: φ | h ~ N(D W h, D), p(h) ∝
    exp(½ (Wh)ᵀ D (Wh)), and against samples."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    rbm = GaussianRBM(
        n_components=3, hidden=hidden, learn_mu2="local", learning_rate=0.01,
        max_iter=3, random_state=0,
    ).fit(X)  # fmt: skip
    rbm.components_ = rng.normal(0, 0.6, size=(3, 3))
    C = rbm.covariance()
    W = rbm.components_.T
    D = np.diag(1 / np.broadcast_to(rbm.mu2_, (3,)))
    lo = -1.0 if hidden == "spin" else 0.0
    hs = np.array(list(itertools.product([lo, 1.0], repeat=3)))
    logw = np.array([0.5 * (W @ h) @ D @ (W @ h) for h in hs])
    p = np.exp(logw - logw.max())
    p /= p.sum()
    mu = hs @ (D @ W).T
    m = p @ mu
    want = D + (mu * p[:, None]).T @ mu - np.outer(m, m)
    np.testing.assert_allclose(C, want, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="Estimate it from samples"):
        big = GaussianRBM(n_components=21, hidden=hidden, learn_mu2="local",
                          max_iter=1, random_state=0).fit(X)  # fmt: skip
        big.covariance()


def test_pcd_divergence_advice_works_when_followed():
    """8x8 φ⁴ near the symmetric phase's edge: PCD at lr 0.1 diverges; the
    learning rate its message advises trains all 100 epochs."""
    import re

    from skrapid import TrainingDivergedError

    phi, _ = phi4_configurations((8, 8), 0.22, 0.02, 4000, random_state=0)
    kw = dict(n_components=64, method="pcd", random_state=0)
    with pytest.raises(TrainingDivergedError) as err:
        GaussianRBM(learning_rate=0.1, **kw).fit(phi)
    advised = float(
        re.search(r"learning_rate=([0-9.e+-]+) is stable", str(err.value))[1]
    )
    rbm = GaussianRBM(learning_rate=advised, **kw).fit(phi)
    assert rbm.n_iter_ == rbm.max_iter


def test_metropolis_samples_the_target_with_a_poor_model():
    """The model learnt a free field of mass² 1; the target has mass² 0.5.
    The chain and the reweighted proposals reproduce the target's ⟨φ²⟩."""
    from skrapid.datasets import lattice_kernel, sample_gaussian_field
    from skrapid.lattice import jackknife, metropolis, phi2

    K_model, K_target = lattice_kernel(8, m2=1.0), lattice_kernel(8, m2=0.5)
    X = sample_gaussian_field(K_model, 5000, random_state=0)
    rbm = GaussianRBM(n_components=8, random_state=0).fit(X)

    def action(phi):
        return 0.5 * np.einsum("ni,ij,nj->n", phi, K_target, phi)

    res = metropolis(rbm, action, 20000, random_state=1)
    want = np.trace(np.linalg.inv(K_target)) / 8
    assert 0.2 < res["acceptance"] < 0.95
    val, err = jackknife(phi2(res["chain"]), n_bins=50)
    assert abs(val - want) < 4 * err
    w = res["weights"]
    est = np.sum(w * phi2(res["proposals"]))
    assert (
        abs(est - want)
        < 4 * np.sqrt(np.sum(w * w * (phi2(res["proposals"]) - est) ** 2)) + 0.01
    )
    assert 0 < res["ess_weights"] < 20000
    with pytest.raises(ValueError, match="one finite value per row"):
        metropolis(rbm, lambda p: np.full(len(p), np.nan), 10, random_state=0)


def _tiny_phi4(hidden, **kw):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    rbm = GaussianRBM(n_components=2, hidden=hidden, quartic=0.3, mu2=-0.5,
                      max_iter=2, random_state=0, **kw).fit(X)  # fmt: skip
    rbm.components_ = np.array([[0.8, -0.4], [0.3, 0.9]])
    rbm._logz_cache = {}
    return rbm


def _grid_log_z(rbm, log_f_of):
    g = np.linspace(-7, 7, 1401)
    P1, P2 = np.meshgrid(g, g, indexing="ij")
    V = np.stack([P1.ravel(), P2.ravel()], 1)
    return V, special.logsumexp(log_f_of(V)) + 2 * np.log(g[1] - g[0])


@pytest.mark.parametrize("hidden", ["spin", "bernoulli", "gaussian"])
def test_quartic_gaussian_rbm_log_z_against_brute_force_integration(hidden):
    """Two sites, two hidden units: the hidden layer summed by hand, the
    field integrated on a fine grid; exact enumeration (binary hidden) or
    AIS (Gaussian hidden) must agree."""
    rbm = _tiny_phi4(hidden)
    W, mu2, lam = rbm.components_.T, rbm.mu2_, rbm.quartic_

    def log_f(V):  # centred fields: the model's variables
        out = -(0.5 * mu2 * V**2 + lam * V**4).sum(1)
        field = V @ W
        if hidden == "spin":
            out += np.log(2 * np.cosh(field)).sum(1)
        elif hidden == "bernoulli":
            out += np.logaddexp(0, field).sum(1)
        else:
            out += (0.5 * field**2 + 0.5 * np.log(2 * np.pi)).sum(1)
        return out

    V, want = _grid_log_z(rbm, log_f)
    np.testing.assert_allclose(
        -rbm.free_energy(V + rbm.mean_), log_f(V), rtol=1e-9, atol=1e-9
    )
    if hidden == "gaussian":
        import warnings

        from skrapid import UnreliableEstimateWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnreliableEstimateWarning)
            d = rbm.log_partition_function(
                "ais", n_betas=500, n_chains=200, random_state=0, diagnostics=True
            )
        assert abs(d.estimate - want) < 5 * d.std + 0.02
    else:
        assert rbm.log_partition_function("exact") == pytest.approx(want, abs=1e-7)


def test_quartic_gaussian_rbm_learns_local_couplings_and_refuses_gaussian_tools():
    phi, _ = phi4_configurations((3, 3), 0.30, 0.02, 1000, random_state=0)
    rbm = GaussianRBM(
        n_components=9, quartic=0.1, learn_quartic="local", learn_mu2="local",
        max_iter=5, random_state=0,
    ).fit(phi)  # fmt: skip
    assert rbm.quartic_.shape == (9,) and rbm.mu2_.shape == (9,)
    assert np.all(rbm.quartic_ > 0)
    with pytest.raises(ValueError, match="estimate it from samples"):
        rbm.covariance()
    with pytest.raises(ValueError, match="uses the Gaussian moments"):
        GaussianRBM(quartic=0.1, method="natural").fit(phi)
    with pytest.raises(ValueError, match="non-normalizable"):
        GaussianRBM(mu2=-1.0).fit(phi)
    with pytest.raises(ValueError, match="with quartic"):
        GaussianRBM(quartic=0.1).fit_covariance(np.eye(9))
    S = rbm.sample(50, n_steps=20, method="pt", z2_flips=True, random_state=0)
    assert S.shape == (50, 9) and np.all(np.isfinite(S))


def test_spin_hidden_defaults_learn_the_field_variance():
    """The defect: with the mass pinned at the mean data variance a
    Gaussian–Bernoulli model had ⟨φ²⟩ twice the data's (broken phase).  The
    default now learns a mass per site."""
    phi, _ = phi4_configurations((4, 4), 0.30, 0.02, 3000, random_state=0)
    rbm = GaussianRBM(n_components=16, hidden="spin", random_state=0).fit(phi)
    assert rbm.mu2_.shape == (16,)
    S = rbm.sample(2000, n_steps=100, method="pt", z2_flips=True, random_state=0)
    data, model = np.mean(phi**2), np.mean(S**2)
    assert abs(model / data - 1) < 0.1


# -- the pseudo-likelihood solver -----------------------------------------------
def _quad_site_ll(X, J, m, lam):
    """Σ_n Σ_i log p(x_ni | x_n,−i) with each 1-D normalizer by scipy quad."""
    from scipy import integrate

    total = 0.0
    for x in X:
        for i in range(X.shape[1]):
            h = J[i] @ x - J[i, i] * x[i]

            def f(p, h=h, i=i):
                return np.exp(-0.5 * m[i] * p * p - lam[i] * p**4 + h * p)

            z, _ = integrate.quad(f, -np.inf, np.inf, epsabs=0, epsrel=1e-12)
            total += h * x[i] - 0.5 * m[i] * x[i] ** 2 - lam[i] * x[i] ** 4 - np.log(z)
    return total


def test_pseudolikelihood_is_exact_and_stationary_against_quadrature():
    """The solver's objective is the pseudo-likelihood integrated by scipy
    quad, and its answer is a stationary point of that independent
    objective (central differences)."""
    from skrapid.layers._phi4 import _PLGrid, _powers, _site_ll, pseudolikelihood_fit

    phi, _ = phi4_configurations((3,), 0.3, 0.5, 60, random_state=1)
    X = phi - phi.mean(0)
    J, m, lq = pseudolikelihood_fit(X, 1.0, np.log(0.1), reg=0.0)
    lam = np.exp(lq)
    assert np.allclose(J, J.T) and np.all(np.diag(J) == 0)
    grid = _PLGrid(1.25 * np.abs(X).max(0) + 3 * X.std(0), 256)
    f = X @ J
    mine = _site_ll(X, f, m, lam, grid.log_z(f, m, lam), *_powers(X, 0.0)).sum()
    assert mine == pytest.approx(_quad_site_ll(X, J, m, lam), abs=1e-8)
    # stationary in every parameter (the symmetric J's entries included)
    eps = 1e-5
    for k in range(3):
        for which in ("J", "m", "lam"):
            Jp, mp, lp = J.copy(), m.copy(), lam.copy()
            Jm, mm, lm = J.copy(), m.copy(), lam.copy()
            if which == "J":
                a, b = k, (k + 1) % 3
                Jp[a, b] = Jp[b, a] = J[a, b] + eps
                Jm[a, b] = Jm[b, a] = J[a, b] - eps
            elif which == "m":
                mp[k] += eps
                mm[k] -= eps
            else:
                lp[k] += eps
                lm[k] -= eps
            d = (_quad_site_ll(X, Jp, mp, lp) - _quad_site_ll(X, Jm, mm, lm)) / (
                2 * eps
            )
            # the symmetrized (two-stage) solution is stationary in m and λ
            # exactly and in J to the asymmetric estimate's O(1/n) spread
            assert abs(d) < (0.5 if which == "J" else 1e-4), (which, k, d)


def test_pseudolikelihood_recovers_the_action_within_its_standard_error():
    """A ring of 4 sites: the couplings, masses and λ of the hopping-form
    action (J = 2κ on links, m = 2(1 − 2λ)) within 5 standard errors, the
    errors from the spread of the fit over 4 disjoint blocks."""
    from skrapid.layers._phi4 import pseudolikelihood_fit

    kappa, lam = 0.25, 0.5
    phi, _ = phi4_configurations((4,), kappa, lam, 16000, random_state=3)

    def fit(X):
        J, m, lq = pseudolikelihood_fit(X - X.mean(0), 1.0, np.log(0.1))
        return np.concatenate([J[np.triu_indices(4, 1)], m, np.exp(lq)])

    full = fit(phi)
    blocks = np.array([fit(b) for b in np.split(phi, 4)])
    se = blocks.std(axis=0, ddof=1) / np.sqrt(4)
    link = np.array([1, 0, 1, 1, 0, 1], dtype=float)  # (0,1) (0,2) (0,3) (1,2) ...
    truth = np.concatenate(
        [2 * kappa * link, np.full(4, 2 * (1 - 2 * lam)), np.full(4, lam)]
    )
    z = (full - truth) / se
    assert np.all(np.abs(z) < 5), z


def test_default_quartic_model_is_the_pseudolikelihood_model():
    from skrapid.layers._phi4 import pseudolikelihood_fit

    phi, _ = phi4_configurations((2, 3), 0.3, 0.2, 800, random_state=0)
    rbm = GaussianRBM(n_components=6, quartic=0.1, learn_quartic="local").fit(phi)
    assert rbm.n_iter_ == 1 and list(rbm.history_["epoch"]) == [1]
    X = phi - phi.mean(0)
    J, m, lq = pseudolikelihood_fit(X, 1 / (X.var(0) + 1e-6), np.log(0.1))
    # N_h = V: the marginal's quadratic part is diag(m) − J exactly
    np.testing.assert_allclose(rbm.kernel_, np.diag(m) - J, atol=1e-8)
    np.testing.assert_allclose(rbm.quartic_, np.exp(lq), rtol=1e-8)
    # spare hidden units start small; fewer keep the top modes
    big = GaussianRBM(n_components=9, quartic=0.1, learn_quartic="local").fit(phi)
    np.testing.assert_allclose(big.kernel_, np.diag(m) - J, atol=1e-5)
    small = GaussianRBM(n_components=3, quartic=0.1, learn_quartic="global").fit(phi)
    assert small.components_.shape == (3, 6) and np.isscalar(small.quartic_)
    # float32 preserved, and a constant column gets a finite, stiff mass
    Xc = phi.astype(np.float32)
    Xc[:, 2] = 1.5
    c = GaussianRBM(n_components=6, quartic=0.1, learn_quartic="local").fit(Xc)
    assert c.components_.dtype == np.float32
    assert np.all(np.isfinite(c.mu2_)) and c.mu2_[2] > 1e4
    assert np.all(np.isfinite(c.score_samples(Xc[:5])))


def test_pseudolikelihood_method_refuses_what_it_cannot_do():
    phi, _ = phi4_configurations((2, 2), 0.3, 0.2, 200, random_state=0)
    rbm = GaussianRBM(n_components=4, quartic=0.1).partial_fit(phi)
    with pytest.raises(ValueError, match="use method='pcd' to continue"):
        rbm.partial_fit(phi)
    with pytest.raises(ValueError, match="hidden='gaussian'"):
        GaussianRBM(quartic=0.1, hidden="spin", method="pseudolikelihood").fit(phi)
    with pytest.raises(ValueError, match="is its own start"):
        GaussianRBM(quartic=0.1, method="pseudolikelihood", init="random").fit(phi)
    with pytest.raises(ValueError, match="set quartic"):
        GaussianRBM(init="pseudolikelihood").fit(phi)
    # the advice works: PCD from the pseudo-likelihood start goes on learning
    pcd = GaussianRBM(n_components=4, quartic=0.1, method="pcd", max_iter=2,
                      learning_rate=1e-4, random_state=0).fit(phi)  # fmt: skip
    pcd.partial_fit(phi)
    assert pcd.n_iter_ == 3 and np.all(np.isfinite(pcd.components_))
