"""Tests for skrapid.metrics on tiny RBMs with chosen parameters."""

import numpy as np
import pytest
from conftest import all_states
from sklearn.neural_network import BernoulliRBM

from skrapid import BinaryRBM
from skrapid.datasets import make_bars
from skrapid.metrics import (
    _rapid_metrics,
    gibbs_accessibility,
    ground_state_energy,
    method_accessibility,
    reconstruction_hamming,
    weight_singular_values,
)


def _rbm(W, b=None, c=None, *, units="spin"):
    """A fitted BinaryRBM with weights W of shape (V, H) and biases b, c."""
    W = np.asarray(W, dtype=np.float64)
    V, H = W.shape
    X = all_states(V, units)[:2] if V <= 10 else np.full((2, V), 1.0)
    rbm = BinaryRBM(
        n_components=H, units=units, max_iter=0, random_state=0, device="cpu"
    ).fit(X)
    rbm.components_ = np.ascontiguousarray(W.T)
    rbm.intercept_visible_ = np.zeros(V) if b is None else np.asarray(b, float)
    rbm.intercept_hidden_ = np.zeros(H) if c is None else np.asarray(c, float)
    return rbm


def _random_rbm(V, H, units, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return _rbm(
        scale * rng.standard_normal((V, H)),
        scale * rng.standard_normal(V),
        scale * rng.standard_normal(H),
        units=units,
    )


def _brute_force_ground(rbm):
    W = rbm.components_.T
    vs = all_states(W.shape[0], rbm.units)
    hs = all_states(W.shape[1], rbm.units)
    E = -(vs @ W @ hs.T) - (vs @ rbm.intercept_visible_)[:, None]
    E -= (hs @ rbm.intercept_hidden_)[None, :]
    return E.min()


def _energy(rbm, v, h):
    W = rbm.components_.T
    return -(v @ W @ h) - v @ rbm.intercept_visible_ - h @ rbm.intercept_hidden_


def _pattern_rbm(strength=10.0):
    """Spin RBM with one hidden unit whose weights are strength * p, p a 4x4
    bar image: the ground states are ±(p, +1), and any first row equal to
    ±p's first row gives h = ±1 and then v = ±p with near certainty."""
    p = make_bars(4)[2]
    return _rbm(strength * p[:, None]), p


# --------------------------------------------------------------------------
# ground_state_energy
# --------------------------------------------------------------------------


@pytest.mark.parametrize("units", ["spin", "bernoulli"])
@pytest.mark.parametrize("V, H", [(5, 3), (3, 6), (4, 4)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ground_state_energy_brute_force(units, V, H, seed):
    rbm = _random_rbm(V, H, units, seed=seed)
    energy, v, h = ground_state_energy(rbm)
    assert energy == pytest.approx(_brute_force_ground(rbm), abs=1e-12)
    assert v.shape == (V,) and h.shape == (H,)
    lo = -1.0 if units == "spin" else 0.0
    assert set(np.unique(np.concatenate([v, h])).tolist()) <= {lo, 1.0}
    assert _energy(rbm, v, h) == pytest.approx(energy, abs=1e-12)


@pytest.mark.parametrize("units", ["spin", "bernoulli"])
@pytest.mark.parametrize("V, H", [(7, 3), (2, 7)])
def test_ground_state_energy_chunked(monkeypatch, units, V, H):
    rbm = _random_rbm(V, H, units, seed=3)
    expected = ground_state_energy(rbm)
    monkeypatch.setattr(_rapid_metrics, "_CHUNK_ELEMENTS", 20)  # chunks of 2 states
    energy, v, h = ground_state_energy(rbm)
    assert energy == pytest.approx(_brute_force_ground(rbm), abs=1e-12)
    assert energy == expected[0]
    np.testing.assert_array_equal(v, expected[1])
    np.testing.assert_array_equal(h, expected[2])


def test_ground_state_energy_too_large():
    rbm = _rbm(np.zeros((26, 26)))
    with pytest.raises(ValueError, match="at most 25 units"):
        ground_state_energy(rbm)


def test_ground_state_energy_bernoulli_all_off():
    # All parameters negative: the empty state (energy 0) is the ground state.
    rbm = _rbm(-np.ones((3, 2)), -np.ones(3), -np.ones(2), units="bernoulli")
    energy, v, h = ground_state_energy(rbm)
    assert energy == 0.0
    assert not v.any() and not h.any()


def test_metrics_accept_sklearn_bernoulli_rbm():
    X = all_states(4, "bernoulli")
    sk = BernoulliRBM(n_components=3, n_iter=1, random_state=0).fit(X)
    energy, _, _ = ground_state_energy(sk)
    W = sk.components_.T
    vs, hs = X, all_states(3, "bernoulli")
    E = -(vs @ W @ hs.T) - (vs @ sk.intercept_visible_)[:, None]
    E -= (hs @ sk.intercept_hidden_)[None, :]
    assert energy == pytest.approx(E.min(), abs=1e-12)


def test_metrics_require_fitted_and_units():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ground_state_energy(BinaryRBM())
    rbm = _rbm(np.ones((2, 2)))
    rbm.units = "gaussian"
    with pytest.raises(ValueError, match="units='gaussian'"):
        ground_state_energy(rbm)


# --------------------------------------------------------------------------
# reconstruction_hamming
# --------------------------------------------------------------------------


def test_reconstruction_hamming_perfect_model():
    rbm, p = _pattern_rbm()
    X = np.stack([p, -p])
    state = rbm.random_state_.get_state()[1].copy()
    d = reconstruction_hamming(rbm, X, n_repeats=5, random_state=0)
    assert d == 0.0
    d = reconstruction_hamming(rbm, X, n_gibbs_steps=3, random_state=0)
    assert d == 0.0
    # The estimator's own random stream is not used.
    np.testing.assert_array_equal(rbm.random_state_.get_state()[1], state)


@pytest.mark.parametrize("units", ["spin", "bernoulli"])
def test_reconstruction_hamming_random_guess(units):
    X = make_bars(4, units=units)
    rbm = _rbm(np.zeros((16, 3)), units=units)
    n_repeats = 20
    d = reconstruction_hamming(rbm, X, n_repeats=n_repeats, random_state=0)
    se = 0.5 / np.sqrt(X.size * n_repeats)
    assert abs(d - 0.5) < 5 * se


def test_reconstruction_hamming_reproducible_and_clamping():
    X = make_bars(4)
    rbm = _random_rbm(16, 5, "spin", seed=0, scale=0.5)
    a = reconstruction_hamming(rbm, X, n_repeats=3, random_state=7)
    b = reconstruction_hamming(rbm, X, n_repeats=3, random_state=7)
    c = reconstruction_hamming(
        rbm, X, n_repeats=3, random_state=np.random.RandomState(7)
    )
    assert a == b == c
    assert 0.0 <= a <= 1.0
    # Nothing clamped or everything clamped are allowed.
    for n_clamped in (0, 16):
        d = reconstruction_hamming(rbm, X, n_clamped=n_clamped, random_state=0)
        assert 0.0 <= d <= 1.0


def test_reconstruction_hamming_bad_input():
    rbm, p = _pattern_rbm()
    X = np.stack([p, -p])
    with pytest.raises(ValueError, match="binary"):
        reconstruction_hamming(rbm, 0.5 * X)
    with pytest.raises(ValueError, match="binary"):
        reconstruction_hamming(rbm, (X + 1) / 2)  # 0/1 data for a spin model
    with pytest.raises(ValueError, match="15 features"):
        reconstruction_hamming(rbm, X[:, :15])
    with pytest.raises(ValueError, match="n_clamped=17"):
        reconstruction_hamming(rbm, X, n_clamped=17)
    with pytest.raises(ValueError, match="n_clamped=-1"):
        reconstruction_hamming(rbm, X, n_clamped=-1)
    with pytest.raises(ValueError, match="n_clamped=2.5"):
        reconstruction_hamming(rbm, X, n_clamped=2.5)
    with pytest.raises(ValueError, match="n_repeats=0"):
        reconstruction_hamming(rbm, X, n_repeats=0)
    with pytest.raises(ValueError, match="n_gibbs_steps=0"):
        reconstruction_hamming(rbm, X, n_gibbs_steps=0)
    with pytest.raises(ValueError, match="NaN"):
        reconstruction_hamming(rbm, np.where(X > 0, np.nan, X))
    square_less = _rbm(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="perfect square"):
        reconstruction_hamming(square_less, all_states(5, "spin")[:2])
    d = reconstruction_hamming(
        square_less, all_states(5, "spin")[:2], n_clamped=2, random_state=0
    )
    assert 0.0 <= d <= 1.0


# --------------------------------------------------------------------------
# gibbs_accessibility
# --------------------------------------------------------------------------


def test_gibbs_accessibility_finds_ground_state():
    rbm, _ = _pattern_rbm()
    assert ground_state_energy(rbm)[0] == -160.0
    assert gibbs_accessibility(rbm, random_state=0) == pytest.approx(1.0)


@pytest.mark.parametrize("units", ["spin", "bernoulli"])
def test_gibbs_accessibility_in_unit_interval(units):
    rbm = _random_rbm(12, 6, units, seed=4, scale=1.0)
    r = gibbs_accessibility(rbm, n_chains=5, n_steps=3, random_state=0)
    assert 0.0 <= r <= 1.0
    assert r == gibbs_accessibility(rbm, n_chains=5, n_steps=3, random_state=0)


def test_gibbs_accessibility_errors():
    rbm = _rbm(-np.ones((3, 2)), -np.ones(3), -np.ones(2), units="bernoulli")
    with pytest.raises(ValueError, match="ground-state energy"):
        gibbs_accessibility(rbm)
    rbm, _ = _pattern_rbm()
    with pytest.raises(ValueError, match="n_chains=0"):
        gibbs_accessibility(rbm, n_chains=0)
    with pytest.raises(ValueError, match="n_steps=0"):
        gibbs_accessibility(rbm, n_steps=0)


# --------------------------------------------------------------------------
# method_accessibility
# --------------------------------------------------------------------------


def test_method_accessibility_cd_at_ground_state():
    rbm, p = _pattern_rbm()
    rbm.set_params(method="cd", n_gibbs_steps=3)
    # chains started at a ground state's visible part stay there
    assert method_accessibility(rbm, p[None], random_state=0) == pytest.approx(1.0)
    # a weak model's chains started far away do not get there
    weak = _random_rbm(10, 8, "spin", seed=1, scale=0.05)
    weak.set_params(method="cd", n_gibbs_steps=1)
    X = np.ones((3, 10))
    r = method_accessibility(weak, X, random_state=0)
    assert r < 0.9


def test_method_accessibility_pcd_reads_the_persistent_chains():
    X = all_states(6, "spin")[::3]
    rbm = BinaryRBM(
        n_components=5,
        units="spin",
        method="pcd",
        n_chains=7,
        max_iter=2,
        random_state=0,
        device="cpu",
    ).fit(X)
    v, h = rbm.persistent_chains_, rbm.persistent_hidden_
    lowest = min(_energy(rbm, v[i], h[i]) for i in range(len(v)))
    ground = _brute_force_ground(rbm)
    assert method_accessibility(rbm) == pytest.approx(lowest / ground, rel=1e-12)


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
def test_method_accessibility_pid_uses_the_patterns():
    from skrapid import RARBM

    X = all_states(8, "spin")[::17]
    ra = RARBM(
        **RARBM.PAPER_RECIPE, n_components=6, n_patterns=3, max_iter=1, random_state=0
    ).fit(X)
    xv = np.where(ra.patterns_visible_ >= 0, 1.0, -1.0)
    xh = np.where(ra.patterns_hidden_ >= 0, 1.0, -1.0)
    lowest = min(_energy(ra, xv[k], xh[k]) for k in range(3))
    expected = lowest / _brute_force_ground(ra)
    assert method_accessibility(ra) == pytest.approx(expected, rel=1e-12)
    assert 0.0 < expected <= 1.0 + 1e-12
    # one pattern: the pattern itself is a ground state
    one = RARBM(**RARBM.PAPER_RECIPE, n_components=10, n_patterns=1, max_iter=0).fit(X)
    assert method_accessibility(one) == pytest.approx(1.0)


def test_method_accessibility_errors():
    rbm, p = _pattern_rbm()
    rbm.set_params(method="exact")
    with pytest.raises(ValueError, match="exact gradients"):
        method_accessibility(rbm)
    rbm.set_params(method="pcd")
    with pytest.raises(ValueError, match="persistent chains"):
        method_accessibility(rbm)
    rbm.set_params(method="cd")
    with pytest.raises(ValueError, match="pass X"):
        method_accessibility(rbm)
    with pytest.raises(ValueError, match="features"):
        method_accessibility(rbm, np.ones((2, 3)))


# --------------------------------------------------------------------------
# weight_singular_values
# --------------------------------------------------------------------------


@pytest.mark.parametrize("V, H", [(6, 3), (3, 6)])
def test_weight_singular_values(V, H):
    rbm = _random_rbm(V, H, "spin", seed=5)
    s = weight_singular_values(rbm)
    assert s.shape == (min(V, H),)
    assert np.all(np.diff(s) <= 0)
    np.testing.assert_allclose(
        s, np.linalg.svd(rbm.components_, compute_uv=False), rtol=1e-12
    )


def test_reconstruction_hamming_clamp_mask():
    X = make_bars(4)
    rbm = _random_rbm(16, 5, "spin", seed=1, scale=0.5)
    first_row = np.zeros(16, dtype=bool)
    first_row[:4] = True
    a = reconstruction_hamming(rbm, X, n_clamped=4, n_repeats=3, random_state=2)
    b = reconstruction_hamming(rbm, X, clamp=first_row, n_repeats=3, random_state=2)
    per_image = np.broadcast_to(first_row, X.shape).copy()
    c = reconstruction_hamming(rbm, X, clamp=per_image, n_repeats=3, random_state=2)
    assert a == b == c
    none = reconstruction_hamming(rbm, X, n_clamped=0, random_state=3)
    assert none == reconstruction_hamming(
        rbm, X, clamp=np.zeros(16, dtype=bool), random_state=3
    )
    # a per-image mask: the first column of each image is what is kept
    first_col = np.zeros((4, 4), dtype=bool)
    first_col[:, 0] = True
    d = reconstruction_hamming(rbm, X, clamp=first_col.ravel(), random_state=0)
    assert 0.0 <= d <= 1.0
    with pytest.raises(ValueError, match="at most one"):
        reconstruction_hamming(rbm, X, n_clamped=4, clamp=first_row)
    with pytest.raises(ValueError, match="boolean array"):
        reconstruction_hamming(rbm, X, clamp=first_row.astype(int))
    with pytest.raises(ValueError, match="boolean array"):
        reconstruction_hamming(rbm, X, clamp=np.ones(5, dtype=bool))
