"""RARBM: pattern gradients, the PID negative phase, constraints, errors."""

import math
import warnings

import numpy as np
import pytest
from conftest import all_states
from scipy.special import logsumexp

from skrapid import RARBM, SpinGlassWarning, TrainingDivergedError
from skrapid._rapid import pattern_states, ra_weights
from skrapid.datasets import bars_4x4_split


def make_rarbm(
    V=6, H=5, K=3, *, units="spin", fit_intercept=False, seed=0, continuous=True, **kw
):
    rng = np.random.default_rng(seed)
    X = all_states(V, units)[:4]
    est = RARBM(
        **{
            **RARBM.PAPER_RECIPE,
            "units": units,
            "fit_intercept": fit_intercept,
            **kw,
        },
        n_components=H,
        n_patterns=K,
        max_iter=0,
        random_state=seed,
        device="cpu",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpinGlassWarning)
        est.fit(X)
    if continuous:
        est.patterns_visible_ = rng.uniform(-1, 1, (K, V))
        est.patterns_hidden_ = rng.uniform(-1, 1, (K, H))
    if fit_intercept:
        est.intercept_visible_ = rng.normal(0, 0.5, V)
        est.intercept_hidden_ = rng.normal(0, 0.5, H)
    return est


def exact_mean_loglik(xi_v, xi_h, b, c, X, units):
    """Brute force over (v, h): the mean log-likelihood of X."""
    W = xi_v.T @ xi_h / math.sqrt(xi_v.shape[0])
    vs = all_states(xi_v.shape[1], units)
    hs = all_states(xi_h.shape[1], units)
    neg_e = vs @ W @ hs.T + (vs @ b)[:, None] + (hs @ c)[None, :]
    log_p = logsumexp(neg_e, axis=1) - logsumexp(neg_e)
    bits = X if units == "bernoulli" else (X + 1) / 2
    idx = (bits * 2 ** np.arange(X.shape[1])[::-1]).sum(axis=1).astype(int)
    return log_p[idx].mean()


def test_weights_are_eq5():
    est = make_rarbm(continuous=False)
    xi_v, xi_h = est.patterns_visible_, est.patterns_hidden_
    W = np.zeros((6, 5))
    for k in range(3):
        W += np.outer(xi_v[k], xi_h[k])
    np.testing.assert_allclose(est.components_, W.T / math.sqrt(3), atol=1e-15)
    assert set(np.unique(xi_v)) <= {-1.0, 1.0}


@pytest.mark.parametrize(
    "units,fit_intercept", [("spin", False), ("spin", True), ("bernoulli", True)]
)
def test_pattern_gradients_equal_finite_differences(units, fit_intercept):
    """A7a/A7b with the exact negative phase = d(exact log-lik)/d(pattern)."""
    est = make_rarbm(units=units, fit_intercept=fit_intercept, negative_phase="exact")
    rng = np.random.default_rng(1)
    X = all_states(6, units)[rng.integers(0, 64, 20)]
    params = est._load_parameters(np, np.float64)
    grads = est._gradient(params, X, np, np.random.default_rng(0))
    names = {
        "xi_v": "patterns_visible_",
        "xi_h": "patterns_hidden_",
        "b": "intercept_visible_",
        "c": "intercept_hidden_",
    }
    eps = 1e-6

    def loglik():
        return exact_mean_loglik(
            est.patterns_visible_,
            est.patterns_hidden_,
            est.intercept_visible_,
            est.intercept_hidden_,
            X,
            units,
        )

    for key, g in grads.items():
        a = getattr(est, names[key])
        fd = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            up = loglik()
            a[idx] = old - eps
            down = loglik()
            a[idx] = old
            fd[idx] = (up - down) / (2 * eps)
        np.testing.assert_allclose(g, fd, rtol=0, atol=1e-6, err_msg=key)


def test_pid_gradient_matches_eqs_A7_written_out():
    """Pure PID (k = 0) against A7a/A7b evaluated term by term:
    ∂ξ_i^(k) ∝ <v_i Σ_α ξ_α^(k) tanh(Σ_j W_jα v_j)>_data - same over patterns."""
    est = make_rarbm(V=5, H=4, K=2)
    X = all_states(5, "spin")[[3, 9, 17, 30]]
    xi_v, xi_h = est.patterns_visible_, est.patterns_hidden_
    K = 2
    W = ra_weights(xi_v, xi_h)
    neg_states = np.where(xi_v >= 0, 1.0, -1.0)

    def a7(vs):
        gv = np.zeros_like(xi_v)
        gh = np.zeros_like(xi_h)
        for v in vs:
            t = np.tanh(v @ W)
            for k in range(K):
                for i in range(5):
                    gv[k, i] += v[i] * sum(xi_h[k, a] * t[a] for a in range(4))
                for a in range(4):
                    gh[k, a] += sum(v[i] * xi_v[k, i] for i in range(5)) * t[a]
        return gv / (len(vs) * math.sqrt(K)), gh / (len(vs) * math.sqrt(K))

    pv, ph = a7(X)
    nv, nh = a7(neg_states)
    params = est._load_parameters(np, np.float64)
    g = est._gradient(params, X, np, np.random.default_rng(0))
    np.testing.assert_allclose(g["xi_v"], pv - nv, atol=1e-12)
    np.testing.assert_allclose(g["xi_h"], ph - nh, atol=1e-12)


def test_pid_pattern_reading_uses_hidden_pattern_states():
    est = make_rarbm(V=5, H=4, K=2, pid_hidden="pattern")
    X = all_states(5, "spin")[[3, 9]]
    xi_v, xi_h = est.patterns_visible_, est.patterns_hidden_
    W = ra_weights(xi_v, xi_h)
    sv, sh = np.where(xi_v >= 0, 1.0, -1.0), np.where(xi_h >= 0, 1.0, -1.0)
    G = X.T @ np.tanh(X @ W) / 2 - sv.T @ sh / 2
    g = est._gradient(
        est._load_parameters(np, np.float64), X, np, np.random.default_rng(0)
    )
    np.testing.assert_allclose(g["xi_v"], xi_h @ G.T / math.sqrt(2), atol=1e-12)


def test_short_last_minibatch_is_weighted_per_sample():
    """The batch gradient is the mean of per-sample gradients (the negative
    phase is not scaled by the batch size)."""
    est = make_rarbm()
    X = all_states(6, "spin")[[1, 7, 20]]
    params = est._load_parameters(np, np.float64)
    g_batch = est._gradient(params, X, np, np.random.default_rng(0))
    g_rows = [
        est._gradient(params, X[i : i + 1], np, np.random.default_rng(0))
        for i in range(3)
    ]
    for key in g_batch:
        np.testing.assert_allclose(
            g_batch[key], np.mean([g[key] for g in g_rows], axis=0), atol=1e-12
        )


def test_pid_with_gibbs_steps_uses_chains_seeded_at_patterns():
    est = make_rarbm(n_gibbs_steps=3)
    X = all_states(6, "spin")[[1, 7]]
    params = est._load_parameters(np, np.float64)
    g1 = est._gradient(params, X, np, np.random.default_rng(0))
    g2 = est._gradient(params, X, np, np.random.default_rng(1))
    # stochastic negative phase: different seeds, different gradients
    assert not np.allclose(g1["xi_v"], g2["xi_v"])


def test_sign_of_zero_is_plus_one():
    from skrapid._units import get_units

    xi = np.array([[0.0, -0.0, -0.3, 2.0]])
    np.testing.assert_array_equal(
        pattern_states(get_units("spin"), xi), [[1, 1, -1, 1]]
    )
    np.testing.assert_array_equal(
        pattern_states(get_units("bernoulli"), xi), [[1, 1, 0, 1]]
    )
    est = make_rarbm()
    params = est._load_parameters(np, np.float64)
    params["xi_v"][0, 0] = 0.0
    est._after_epoch(params, np, np.random.default_rng(0))
    assert params["xi_v"][0, 0] == 1.0
    assert set(np.unique(params["xi_v"])) <= {-1.0, 1.0}


@pytest.mark.parametrize("constraint", ["sign", "clip", "gibbs"])
def test_pattern_constraints_hold_after_fit(constraint):
    X_train, _ = bars_4x4_split()
    est = RARBM(
        n_components=60,
        n_patterns=3,
        pattern_constraint=constraint,
        clip_value=0.5,
        learning_rate=0.05,
        max_iter=3,
        random_state=0,
    )
    est.fit(X_train)
    for xi in (est.patterns_visible_, est.patterns_hidden_):
        if constraint == "clip":
            assert np.abs(xi).max() <= 0.5 + 1e-12
        else:
            assert set(np.unique(xi)) <= {-1.0, 1.0}


def test_spin_glass_warning_and_load_ratio():
    X_train, _ = bars_4x4_split()
    with pytest.warns(SpinGlassWarning, match="spin-glass"):
        est = RARBM(n_components=10, n_patterns=5, max_iter=1).fit(X_train)
    assert est.load_ratio_ == pytest.approx(5 / 26)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpinGlassWarning)
        est = RARBM(n_components=100, n_patterns=5, max_iter=1).fit(X_train)
    assert est.load_ratio_ == pytest.approx(5 / 116)


def test_bad_input():
    X_train, _ = bars_4x4_split()
    with pytest.raises(ValueError, match="n_patterns"):
        RARBM(n_patterns=0).fit(X_train)
    with pytest.raises(ValueError, match="RARBM is trained on binary states"):
        RARBM(n_components=20, n_patterns=2).fit(X_train * 0.5)
    # {0, 1} data are read as spins 2x - 1 (all zeros included)
    est01 = RARBM(n_components=20, n_patterns=2, max_iter=1).fit(0.0 * X_train)
    assert est01.visible_values_ == (0.0, 1.0)
    with pytest.raises(ValueError, match=r"fitted on \{0, 1\} data"):
        est01.score_samples(X_train)  # ±1 data on a model of 0/1 data
    with pytest.raises(ValueError, match="needs n_gibbs_steps >= 1"):
        RARBM(negative_phase="cd", n_gibbs_steps=0).fit(X_train)
    with pytest.raises(ValueError, match="at most 25"):
        RARBM(negative_phase="exact", n_components=30).fit(np.ones((4, 30)))
    est = RARBM(n_components=20, n_patterns=2, max_iter=1).fit(X_train)
    est.transform(X_train * 0.5)  # means are fine for features
    with pytest.raises(ValueError, match="must be binary"):
        est.score_samples(X_train * 0.5)


def test_diverging_patterns_stop_with_advice():
    X_train, _ = bars_4x4_split()
    est = RARBM(
        n_components=20,
        n_patterns=2,
        pattern_constraint="gibbs",
        learning_rate=1e308,
        momentum=0.9,
        max_iter=2,
        random_state=0,
    )
    with pytest.raises(TrainingDivergedError, match="Use learning_rate="):
        with np.errstate(all="ignore"):
            est.fit(X_train)


@pytest.mark.parametrize("phase", ["cd", "pcd", "exact"])
def test_standard_negative_phases_train_ra_weights(phase):
    X_train, _ = bars_4x4_split()
    kw = {} if phase == "exact" else {"n_gibbs_steps": 2}
    paper = RARBM.PAPER_RECIPE  # random ±1 patterns, no biases
    init = RARBM(**paper, n_components=8, n_patterns=2, max_iter=0, random_state=0)
    init.fit(X_train)
    est = RARBM(
        **{**paper, "negative_phase": phase, "pattern_constraint": "clip", **kw},
        n_components=8,
        n_patterns=2,
        learning_rate=0.05,
        max_iter=40,
        random_state=0,
    ).fit(X_train)
    assert est.score(X_train) > init.score(X_train)


def test_log_z_cache_follows_the_patterns():
    est = make_rarbm(continuous=False)
    X = all_states(6, "spin")[:5]
    before = est.score_samples(X)
    est.patterns_visible_ = -est.patterns_visible_.copy()
    est.patterns_visible_[0, 0] *= -1
    est.components_ = ra_weights(est.patterns_visible_, est.patterns_hidden_).T
    after = est.score_samples(X)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(
        after, -est.free_energy(X) - est.log_partition_function("exact")
    )


@pytest.mark.slow
def test_bars_rapid_beats_cd10_quickly():
    """Fig. 3 in miniature: after 10 epochs pure PID reconstructs the unseen
    test bars far better than CD-10 (5 seeds, the paper's sizes)."""
    from skrapid.experiments import bars_4x4_hamming

    rapid = [bars_4x4_hamming("rapid", s, max_epochs=10) for s in range(5)]
    cd = [bars_4x4_hamming("cd10", s, max_epochs=10) for s in range(5)]
    r = np.array([x["test"][-1] for x in rapid])
    c = np.array([x["test"][-1] for x in cd])
    assert r.mean() < 0.1
    assert r.mean() + 3 * r.std(ddof=1) / np.sqrt(5) < c.mean()
    assert rapid[0]["epochs"][:3] == [0, 1, 2]


def test_readme_quick_start_reconstructs_bars():
    from skrapid.metrics import reconstruction_hamming

    X_train, X_test = bars_4x4_split()
    rbm = RARBM(
        **RARBM.PAPER_RECIPE,
        n_components=1000,
        n_patterns=8,
        learning_rate=0.01,
        batch_size=2,
        lr_decay=0.9,
        max_iter=15,
        random_state=0,
    )
    rbm.fit(X_train)
    assert reconstruction_hamming(rbm, X_test, n_repeats=20, random_state=0) < 0.05


def test_grid_search_over_patterns_and_pickle():
    import pickle

    from sklearn.model_selection import GridSearchCV

    X_train, X_test = bars_4x4_split()
    X = np.vstack([X_train, X_test] * 3)
    grid = GridSearchCV(
        RARBM(
            n_components=50,
            learning_rate=0.01,
            batch_size=2,
            lr_decay=0.9,
            max_iter=10,
            random_state=0,
        ),
        {"n_patterns": [1, 4]},
        cv=3,
    ).fit(X)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    best = grid.best_estimator_
    clone = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(clone.score_samples(X), best.score_samples(X))
    assert type(clone.patterns_visible_) is np.ndarray


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(n_gibbs_steps=3),
        dict(pid_hidden="pattern"),
        dict(units="bernoulli", fit_intercept=True, pattern_constraint="clip"),
        dict(negative_phase="cd", n_gibbs_steps=2),
        dict(negative_phase="pcd", n_gibbs_steps=1, momentum=0.5),
    ],
)
def test_reused_buffers_give_the_same_training_bit_for_bit(monkeypatch, kw):
    """RAPID's NumPy training loop reuses a workspace of buffers (weights,
    patterns' states, fields, gradients); without it the fit is identical."""
    from skrapid import _backend as B

    rng = np.random.default_rng(0)
    X = np.where(rng.random((120, 12)) < 0.4, 1.0, -1.0)
    if kw.get("units") == "bernoulli":
        X = (X + 1) / 2

    def fit():
        ra = RARBM(
            n_components=20,
            n_patterns=3,
            max_iter=3,
            batch_size=25,
            random_state=0,
            **kw,
        ).fit(X)
        return ra.partial_fit(X)

    a = fit()
    monkeypatch.setattr(B, "Workspace", lambda *a: None)
    b = fit()
    np.testing.assert_array_equal(a.patterns_visible_, b.patterns_visible_)
    np.testing.assert_array_equal(a.patterns_hidden_, b.patterns_hidden_)
