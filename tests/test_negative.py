"""The negative phases (_negative.py) and the centred gradient, against exact answers.

Statistical checks threshold by 5 standard errors, so they hold for any seed.
"""

import numpy as np
import pytest
from conftest import all_states, brute_force, make_rbm
from scipy.special import logsumexp

from skrapid import RARBM, BinaryRBM
from skrapid._binary import likelihood_gradient
from skrapid._negative import PCD, PID, PT, Exact, Phases, seed_at_patterns
from skrapid._sampling import TemperedChains, tempered_log_f
from skrapid.metrics import factorized_log_likelihood


def _index(states, units):
    bits = states if units == "bernoulli" else (states + 1) / 2
    return (bits * 2 ** np.arange(states.shape[1])[::-1]).sum(axis=1).astype(int)


def _exact_mean_ll(W, b, c, X, units):
    """Mean exact log-likelihood of X under (W, b, c), by enumeration."""
    vs, hs = all_states(W.shape[0], units), all_states(W.shape[1], units)
    neg_e = vs @ W @ hs.T + (vs @ b)[:, None] + (hs @ c)[None, :]
    log_z = logsumexp(neg_e)
    fx = logsumexp(X @ W @ hs.T + (X @ b)[:, None] + (hs @ c)[None, :], axis=1)
    return float(np.mean(fx) - log_z)


@pytest.mark.parametrize("units", ["bernoulli", "spin"])
def test_centred_gradient_is_the_gradient_in_centred_parameters(units):
    """The centred update equals, to finite-difference accuracy, a gradient
    step on the centred energy -(v-μ)ᵀW(h-λ) - b̃ᵀ(v-μ) - c̃ᵀ(h-λ) mapped back
    to the standard parameters (b = b̃ - Wλ, c = c̃ - Wᵀμ)."""
    rbm = make_rbm(4, 3, units=units, scale=0.7, seed=5)
    X = all_states(4, units)[[1, 3, 6, 7, 12, 15]]
    W = rbm.components_.T.copy()
    b, c = rbm.intercept_visible_.copy(), rbm.intercept_hidden_.copy()
    rng = np.random.default_rng(0)
    lo, hi = (-0.3, 0.8) if units == "bernoulli" else (-0.5, 0.5)
    mu = rng.uniform(lo, hi, 4)
    lam = rng.uniform(0.2, 0.7, 3)
    model, _ = rbm._fitted_model()
    ph = Exact()(model, X, {}, rng)
    g = likelihood_gradient(model, X, ph, True, offsets=(mu, lam))

    def centred_ll(theta):
        Wc, bt, ct = theta[:12].reshape(4, 3), theta[12:16], theta[16:]
        return _exact_mean_ll(Wc, bt - Wc @ lam, ct - Wc.T @ mu, X, units)

    theta = np.concatenate([W.ravel(), b + W @ lam, c + W.T @ mu])
    eps = 1e-6
    fd = np.array(
        [
            (centred_ll(theta + eps * e) - centred_ll(theta - eps * e)) / (2 * eps)
            for e in np.eye(theta.size)
        ]
    )
    gW, gb, gc = fd[:12].reshape(4, 3), fd[12:16], fd[16:]
    np.testing.assert_allclose(g["W"], gW, atol=1e-8)
    np.testing.assert_allclose(g["b"], gb - gW @ lam, atol=1e-8)
    np.testing.assert_allclose(g["c"], gc - gW.T @ mu, atol=1e-8)
    # and without offsets it is the ordinary gradient
    g0 = likelihood_gradient(model, X, Exact()(model, X, {}, rng), True)
    theta0 = np.concatenate([W.ravel(), b, c])
    fd0 = np.array(
        [
            (
                _exact_mean_ll(*_split(theta0 + eps * e), X, units)
                - _exact_mean_ll(*_split(theta0 - eps * e), X, units)
            )
            / (2 * eps)
            for e in np.eye(theta0.size)
        ]
    )
    np.testing.assert_allclose(g0["W"], fd0[:12].reshape(4, 3), atol=1e-8)


def _split(theta):
    return theta[:12].reshape(4, 3), theta[12:16], theta[16:]


def test_factored_centred_gradient_matches_the_dense_one():
    """RAPID's factored weight gradient with the centring rank-one terms gives
    the same pattern gradients as the dense centred G through eq. 5."""
    rng = np.random.default_rng(1)
    rbm = make_rbm(6, 5, seed=2, scale=0.5)
    model, _ = rbm._fitted_model()
    X = (rng.random((7, 6)) < 0.5).astype(float)
    v_neg = (rng.random((4, 6)) < 0.5).astype(float)
    ph = Phases(model.mean_hiddens(X), v_neg, model.mean_hiddens(v_neg))
    mu, lam = rng.random(6), rng.random(5)
    dense = likelihood_gradient(model, X, ph, True, offsets=(mu, lam))
    fac = likelihood_gradient(model, X, ph, True, offsets=(mu, lam), factored=True)
    L, R = fac["W_factors"]
    G = L.T @ R + sum(np.outer(a, b) for a, b in fac["W_rank1"])
    np.testing.assert_allclose(G, dense["W"], atol=1e-12)
    np.testing.assert_allclose(fac["b"], dense["b"], atol=1e-12)
    np.testing.assert_allclose(fac["c"], dense["c"], atol=1e-12)


@pytest.mark.parametrize("units", ["bernoulli", "spin"])
def test_tempered_chains_sample_every_temperature_exactly(units):
    """Each PT replica's states are distributed as f_β / Z_β (swaps included)."""
    rbm = make_rbm(4, 3, units=units, scale=1.2, seed=4)
    model, _ = rbm._fitted_model()
    rng = np.random.default_rng(0)
    base = np.array([0.3, -0.2, 0.1, 0.4])
    m = 4000
    tc = TemperedChains(model.vis, base, 4, m, np, np.float64, rng)
    for _ in range(30):
        tc.step(model, 1, rng)
    vs = all_states(4, units)
    field = vs @ model.W + model.c
    for r, beta in enumerate(tc.betas):
        logf = tempered_log_f(model, beta, vs, field, base)
        p = np.exp(logf - logsumexp(logf))
        counts = np.bincount(_index(tc.v[r], units), minlength=16) / m
        se = np.sqrt(p * (1 - p) / m)
        assert np.all(np.abs(counts - p) < 5 * se + 1e-12), r
    rate = tc.acceptance()
    assert np.all((rate > 0) & (rate <= 1))


def test_pt_negative_phase_converges_to_exact_statistics():
    rbm = make_rbm(5, 4, units="spin", scale=0.6, seed=9)
    bf = brute_force(rbm)
    model, _ = rbm._fitted_model()
    rng = np.random.default_rng(0)
    phase = PT(n_steps=1, n_chains=300, n_temperatures=3)
    phase.restore(rbm, np, np.float64)
    x = all_states(5, "spin")[:3]
    for _ in range(30):
        phase(model, x, {}, rng)
    reps = []
    for _ in range(40):
        acc = 0
        for _ in range(5):
            ph = phase(model, x, {}, rng)
            acc = acc + ph.v_neg.T @ ph.h_neg / len(ph.v_neg)
        reps.append(acc / 5)
    reps = np.array(reps)
    se = reps.std(axis=0, ddof=1) / np.sqrt(len(reps))
    assert np.all(np.abs(reps.mean(axis=0) - bf["vh"]) < 5 * se + 1e-9)


def _two_mode_rbm():
    """An RBM whose mass sits on two far-apart states (all-off and all-on),
    separated by an energy barrier that single-site Gibbs chains do not
    cross in a few hundred sweeps."""
    V, H = 12, 1
    rbm = make_rbm(V, H, seed=0)
    rbm.components_ = np.full((H, V), 6.0)
    rbm.intercept_visible_ = np.full(V, -3.0)
    rbm.intercept_hidden_ = np.array([-36.0])
    rbm.visible_mean_ = np.full(V, 0.5)
    return rbm


def test_pt_sampler_finds_both_modes_where_gibbs_does_not():
    rbm = _two_mode_rbm()
    p = np.exp(brute_force(rbm)["log_p"])
    vs = all_states(12, "bernoulli")
    p_on = p[vs.sum(1) > 6].sum()
    assert 0.4 < p_on < 0.6  # two balanced modes
    start = np.zeros((400, 12))
    gibbs = rbm.sample(v_init=start, n_steps=200, random_state=0)
    pt = rbm.sample(v_init=start, n_steps=200, method="pt", random_state=0)
    on_gibbs = (gibbs.sum(1) > 6).mean()
    on_pt = (pt.sum(1) > 6).mean()
    assert on_gibbs < 0.05  # stuck in the mode it started in
    se = np.sqrt(p_on * (1 - p_on) / 400)
    assert abs(on_pt - p_on) < 5 * se


def test_pid_phase_is_the_pattern_average():
    ra = RARBM(n_components=30, n_patterns=3, max_iter=0, random_state=0).fit(
        np.array([[1.0, -1, 1, -1], [-1, 1, -1, 1]])
    )
    params = ra._load_parameters(np, np.float64)
    model = ra._model(params, np)
    X = np.array([[1.0, 1, -1, -1]])
    ph = PID()(model, X, params, np.random.default_rng(0))
    xi_v = np.where(ra.patterns_visible_ >= 0, 1.0, -1.0)
    np.testing.assert_array_equal(ph.v_neg, xi_v)
    np.testing.assert_allclose(ph.h_neg, np.tanh(xi_v @ model.W))
    np.testing.assert_allclose(ph.h_pos, np.tanh(X @ model.W))


def test_rapid_persistent_chains_start_at_the_patterns():
    ra = RARBM(
        n_components=30, n_patterns=2, max_iter=0, units="bernoulli", random_state=0
    ).fit(np.array([[1.0, 0, 1, 0], [0, 1, 0, 1]]))
    params = ra._load_parameters(np, np.float64)
    model = ra._model(params, np)
    seeds = seed_at_patterns(model, params, 5)
    states = (ra.patterns_visible_ >= 0).astype(float)
    np.testing.assert_array_equal(seeds, states[[0, 1, 0, 1, 0]])
    phase = ra._make_negative_phase()
    assert isinstance(phase, PCD) and phase.init is seed_at_patterns


@pytest.mark.parametrize("units", ["bernoulli", "spin"])
def test_untrained_model_scores_the_factorized_baseline(units):
    """Visible biases at the data's log-odds: before any training the model is
    the factorized model of the data (up to the smoothing of the means)."""
    rng = np.random.default_rng(0)
    p = rng.uniform(0.1, 0.9, 10)
    X = (rng.random((400, 10)) < p).astype(float)
    if units == "spin":
        X = 2 * X - 1
    rbm = BinaryRBM(n_components=8, units=units, max_iter=0, init_scale=0.0).fit(X)
    base = factorized_log_likelihood(X, units=units, smoothing=1e-9)
    assert rbm.score(X) == pytest.approx(base, abs=1e-9)
    ra = RARBM(
        n_components=8,
        n_patterns=2,
        units=units,
        fit_intercept=True,
        init_scale=1e-8,
        max_iter=0,
    ).fit(X)
    assert ra.score(X) == pytest.approx(base, abs=1e-6)
