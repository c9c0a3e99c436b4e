"""Stochastic estimators (Gibbs, CD-k, PCD, AIS) against exact answers.

Every check thresholds a statistic by its standard error (5 sigma), so it
holds for any seed, not only for the fixed one used here.
"""

import numpy as np
import pytest
from conftest import all_states, brute_force, make_rbm

from skrapid._negative import CD, PCD
from skrapid._sampling import gibbs_chain


def _index(states, units):
    bits = states if units == "bernoulli" else (states + 1) / 2
    return (bits * 2 ** np.arange(states.shape[1])[::-1]).sum(axis=1).astype(int)


@pytest.mark.parametrize("units", ["bernoulli", "spin"])
def test_gibbs_histogram_matches_exact_p(units):
    """Many independent long chains: the end-state histogram is p(v)."""
    rbm = make_rbm(4, 3, units=units, scale=0.8, seed=7)
    p = np.exp(brute_force(rbm)["log_p"])
    n = 40000
    v = rbm.sample(n, n_steps=60, random_state=0)
    counts = np.bincount(_index(v, units), minlength=16)
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(counts / n - p) < 5 * se + 1e-12)
    # total variation distance, with the expected size of its noise
    tv = 0.5 * np.abs(counts / n - p).sum()
    assert tv < 5 * 0.5 * np.sqrt(p * (1 - p) / n).sum()


def test_gibbs_long_single_chain_histogram():
    """A single long chain (correlated samples): TV within batch-means error."""
    rbm = make_rbm(4, 3, scale=0.6, seed=11)
    p = np.exp(brute_force(rbm)["log_p"])
    model, xp = rbm._fitted_model()
    rng = np.random.default_rng(3)
    v = np.zeros((1, 4))
    n_batches, per_batch = 40, 1000
    hist = np.zeros((n_batches, 16))
    for b in range(n_batches):
        for _ in range(per_batch):
            v, _ = gibbs_chain(model, v, 1, rng)
            hist[b, _index(v, "bernoulli")[0]] += 1
    freq = hist / per_batch
    mean = freq.mean(axis=0)
    se = freq.std(axis=0, ddof=1) / np.sqrt(n_batches)
    assert np.all(np.abs(mean - p) < 5 * se + 2e-3)


def _exact_cd_negative(rbm, x0, k):
    """E[v_k E[h|v_k]ᵀ] for CD-k from data x0, by exact transition matrices."""
    V, H = rbm.components_.shape[1], rbm.components_.shape[0]
    vs, hs = all_states(V, rbm.units), all_states(H, rbm.units)
    W, b, c = rbm.components_.T, rbm.intercept_visible_, rbm.intercept_hidden_
    lo = 0 if rbm.units == "bernoulli" else -1

    def cond(field, states):  # P(states | field), rows: fields, cols: states
        p_hi = 1 / (1 + np.exp(-field * (1 if lo == 0 else 2)))
        on = (states == 1)[None, :, :]
        pr = np.where(on, p_hi[:, None, :], 1 - p_hi[:, None, :])
        return pr.prod(axis=2)

    P_hv = cond(vs @ W + c, hs)  # (2^V, 2^H): P(h | v)
    P_vh = cond(hs @ W.T + b, vs)  # (2^H, 2^V): P(v | h)
    T = P_hv @ P_vh
    dist = np.zeros(2**V)
    dist[_index(x0[None], rbm.units)[0]] = 1
    for _ in range(k):
        dist = dist @ T
    hmean = np.tanh(vs @ W + c) if lo else 1 / (1 + np.exp(-(vs @ W + c)))
    return (vs * dist[:, None]).T @ hmean


@pytest.mark.parametrize("units,k", [("bernoulli", 1), ("spin", 3)])
def test_cd_gradient_matches_its_exact_expectation(units, k):
    rbm = make_rbm(4, 3, units=units, scale=0.9, seed=2)
    x0 = all_states(4, units)[5]
    exact = _exact_cd_negative(rbm, x0, k)
    model, xp = rbm._fitted_model()
    rng = np.random.default_rng(4)
    reps = []
    X = np.repeat(x0[None], 2000, axis=0)
    phase = CD(k)
    for _ in range(40):
        ph = phase(model, X, {}, rng)
        reps.append(ph.v_neg.T @ ph.h_neg / len(X))
    reps = np.array(reps)
    se = reps.std(axis=0, ddof=1) / np.sqrt(len(reps))
    assert np.all(np.abs(reps.mean(axis=0) - exact) < 5 * se + 1e-9)


def test_pcd_negative_phase_converges_to_exact_statistics():
    rbm = make_rbm(5, 4, units="spin", scale=0.6, seed=9)
    bf = brute_force(rbm)
    model, _ = rbm._fitted_model()
    rng = np.random.default_rng(0)
    phase = PCD(n_steps=2, n_chains=500)
    x = all_states(5, "spin")[:3]
    for _ in range(50):  # burn-in
        phase(model, x, {}, rng)
    reps = []
    for _ in range(40):
        acc = 0
        for _ in range(10):
            ph = phase(model, x, {}, rng)
            acc = acc + ph.v_neg.T @ ph.h_neg / len(ph.v_neg)
        reps.append(acc / 10)
    reps = np.array(reps)
    se = reps.std(axis=0, ddof=1) / np.sqrt(len(reps))
    assert np.all(np.abs(reps.mean(axis=0) - bf["vh"]) < 5 * se + 1e-9)


@pytest.mark.parametrize("units,fit_intercept", [("bernoulli", True), ("spin", False)])
def test_ais_and_reverse_ais_bracket_exact_log_z(units, fit_intercept):
    rbm = make_rbm(12, 10, units=units, fit_intercept=fit_intercept, scale=0.5, seed=1)
    exact = rbm.log_partition_function("exact")
    lz, se = rbm.log_partition_function(
        "ais", n_chains=200, n_betas=1000, return_std=True, random_state=0
    )
    assert abs(lz - exact) < 5 * se + 1e-3
    lz_r, se_r = rbm.log_partition_function(
        "reverse_ais",
        n_chains=200,
        n_betas=1000,
        n_burn_in=200,
        return_std=True,
        random_state=0,
    )
    assert abs(lz_r - exact) < 5 * se_r + 1e-2


def test_score_samples_uses_latest_log_z_and_invalidates_cache():
    rbm = make_rbm(8, 6, scale=0.7, seed=4)
    X = all_states(8, "bernoulli")[:10]
    exact = rbm.score_samples(X)
    lz_ais = rbm.log_partition_function("ais", n_chains=50, n_betas=200, random_state=0)
    lz_exact = rbm.log_partition_function("exact")
    np.testing.assert_allclose(
        rbm.log_partition_function("ais", n_chains=50, n_betas=200, random_state=0),
        lz_ais,
    )
    # score_samples now uses the AIS value that was computed last
    np.testing.assert_allclose(rbm.score_samples(X), exact + lz_exact - lz_ais)
    # changing the parameters invalidates the cache
    rbm.components_ = rbm.components_ * 1.1
    assert abs(rbm.score_samples(X)[0] - exact[0]) > 1e-6
    np.testing.assert_allclose(
        rbm.score_samples(X), -rbm.free_energy(X) - rbm.log_partition_function("exact")
    )
