"""Layers (skrapid.layers) against independent 1-D integration and enumeration,
and every layer pair of skrapid.RBM against brute-force log Z, finite-difference
gradients and AIS."""

import itertools
import warnings

import numpy as np
import pytest
from scipy import integrate, special

from skrapid import RBM, UnreliableEstimateWarning
from skrapid.layers import Bernoulli, Gaussian, Potts, ReLU, Spin, dReLU, get_layer

FIELDS = [-50.0, -8.0, -1.0, 0.0, 0.7, 4.0, 50.0]


# -- the layers' own energies, written from their documented formulas --------
def _energy_1d(name, p):
    """U(s) of one unit with parameters p (a dict of scalars), and its support."""
    if name == "gaussian":
        g = np.exp(p["log_precision"])
        return (lambda s: 0.5 * g * s * s), (-np.inf, np.inf)
    if name == "relu":
        g = np.exp(p["log_gamma"])
        return (lambda s: 0.5 * g * s * s), (0.0, np.inf)
    if name == "phi4":
        a, lam = p["mass2"], np.exp(p["log_quartic"])
        return (lambda s: 0.5 * a * s * s + lam * s**4), (-np.inf, np.inf)
    gp, gn, d = np.exp(p["log_gamma_pos"]), np.exp(p["log_gamma_neg"]), p["delta"]

    def u(s):
        sp, sn = np.maximum(s, 0.0), np.minimum(s, 0.0)
        return 0.5 * gp * sp * sp + 0.5 * gn * sn * sn + d * np.abs(s)

    return u, (-np.inf, np.inf)


def _quad_moments(name, p, field):
    """log ∫ e^{-U(s) + s I} ds, E[s], Var[s] and E[-∂U/∂θ] by quadrature."""
    u, (lo, hi) = _energy_1d(name, p)
    grid = np.linspace(-200 if lo < 0 else 0, 200, 40001)
    logf = -u(grid) + grid * field
    mode = grid[np.argmax(logf)]
    shift = logf.max()
    # integrate around the mode over a window wide enough for every case here
    a = max(lo, mode - 60)
    b = min(hi, mode + 60)
    pts = [x for x in (0.0, mode) if a < x < b]

    def q(fn):
        return integrate.quad(
            lambda s: fn(s) * np.exp(-u(s) + s * field - shift),
            a, b, points=pts or None, limit=400, epsabs=0, epsrel=1e-11,
        )[0]  # fmt: skip

    z = q(lambda s: 1.0)
    m1 = q(lambda s: s) / z
    m2 = q(lambda s: s * s) / z
    return np.log(z) + shift, m1, m2 - m1 * m1, q


LAYER_PARAMS = {
    "gaussian": [{"log_precision": 0.0}, {"log_precision": np.log(3.0)}],
    "relu": [{"log_gamma": 0.0}, {"log_gamma": np.log(0.3)}],
    "phi4": [
        {"mass2": 1.0, "log_quartic": np.log(0.1)},
        {"mass2": -2.0, "log_quartic": np.log(0.05)},
        {"mass2": 1.92, "log_quartic": np.log(0.02)},
    ],
    "drelu": [
        {"log_gamma_pos": 0.0, "log_gamma_neg": 0.0, "delta": 0.0},
        {"log_gamma_pos": np.log(2.0), "log_gamma_neg": np.log(0.5), "delta": 1.3},
        {"log_gamma_pos": np.log(0.7), "log_gamma_neg": np.log(1.5), "delta": -1.5},
    ],
}


def _bound(name, p, dtype=np.float64):
    layer = get_layer(name)
    return layer.bind(**{k: np.array([v], dtype=dtype) for k, v in p.items()})


def _cases():
    for name, plist in LAYER_PARAMS.items():
        for i, p in enumerate(plist):
            yield pytest.param(name, p, id=f"{name}-{i}")


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("name,p", list(_cases()))
def test_continuous_layer_against_quadrature(name, p):
    layer = _bound(name, p)
    for field in FIELDS:
        if name == "gaussian" and abs(field) == 50 and p["log_precision"] == 0:
            pass  # mode at ±50: still inside the grid
        lz, m1, var, q = _quad_moments(name, p, field)
        f = np.array([[field]])
        assert layer.log_partition(np, f)[0, 0] == pytest.approx(lz, rel=1e-9, abs=1e-9)
        assert layer.mean(np, f)[0, 0] == pytest.approx(m1, rel=1e-7, abs=1e-9)
        assert layer.var(np, f)[0, 0] == pytest.approx(var, rel=1e-6, abs=1e-9)
        # the moments of the layer's own parameters: E[-∂U/∂θ] by quadrature
        u, _ = _energy_1d(name, p)
        z = q(lambda s: 1.0)
        for k, got in layer.param_moments(np, f).items():

            def dU(s, k=k, eps=1e-6):
                hi = dict(p, **{k: p[k] + eps})
                lo = dict(p, **{k: p[k] - eps})
                return (_energy_1d(name, hi)[0](s) - _energy_1d(name, lo)[0](s)) / (
                    2 * eps
                )

            want = -q(dU) / z
            assert got[0, 0] == pytest.approx(want, rel=1e-5, abs=1e-6), (k, field)
            # and -∂U/∂θ at a state, from state_moments
            s0 = np.array([[0.8]])
            assert layer.state_moments(np, s0)[k][0, 0] == pytest.approx(
                -dU(0.8), rel=1e-5, abs=1e-7
            )


@pytest.mark.parametrize("name,p", list(_cases()))
def test_continuous_layer_float32_at_extreme_fields(name, p):
    f64, f32 = _bound(name, p), _bound(name, p, np.float32)
    f = np.array([[-50.0, -20.0, 0.0, 20.0, 50.0]])
    for method in ("log_partition", "mean", "var"):
        a = getattr(f64, method)(np, f)
        b = getattr(f32, method)(np, f.astype(np.float32))
        assert b.dtype == np.float32 and np.all(np.isfinite(b)), method
        np.testing.assert_allclose(b, a, rtol=2e-5, atol=1e-6, err_msg=method)
    rng = np.random.default_rng(0)
    s = f32.sample(np, np.repeat(f.astype(np.float32), 1000, 0), rng)
    assert s.dtype == np.float32 and np.all(np.isfinite(s))


def _seed(*args):
    """A seed of its own for each case (stable across runs)."""
    import zlib

    return zlib.crc32(repr(args).encode())


def _gof_z(samples, cdf, n_bins=40):
    """Chi-square goodness of fit of samples to a CDF, on equiprobable bins of
    the empirical quantiles, as a z-score (chi2 - dof) / sqrt(2 dof)."""
    qs = np.quantile(samples, np.linspace(0, 1, n_bins + 1)[1:-1])
    edges = np.concatenate([[-np.inf], qs, [np.inf]])
    probs = np.diff([cdf(e) for e in edges])
    counts = np.histogram(samples, bins=edges)[0]
    n = len(samples)
    keep = probs > 0
    chi2 = np.sum((counts[keep] - n * probs[keep]) ** 2 / (n * probs[keep]))
    dof = keep.sum() - 1
    return (chi2 - dof) / np.sqrt(2 * dof)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("name,p", list(_cases()))
@pytest.mark.parametrize("field", [-8.0, 0.0, 0.7, 4.0])
def test_continuous_sampler_matches_its_density(name, p, field):
    assert abs(_sampler_z(name, p, field)) < 5


def _sampler_z(name, p, field, n=20000):
    """Chi-square z of n draws of the layer's sampler at ``field`` against
    its density's CDF by quadrature."""
    layer = _bound(name, p)
    rng = np.random.default_rng(_seed(name, p, field))
    s = layer.sample(np, np.full((n, 1), field), rng)[:, 0]
    return _gof_z(s, _density_cdf(name, p, field))


def _density_cdf(name, p, field):
    """The CDF of one unit's density at ``field``, by quadrature."""
    lz, _, _, _ = _quad_moments(name, p, field)
    u, (lo, hi) = _energy_1d(name, p)

    def cdf(x):
        if x == -np.inf or x <= lo:
            return 0.0
        if x == np.inf:
            return 1.0
        a = max(lo, -200.0)
        pts = [0.0] if a < 0 < x else None
        return integrate.quad(
            lambda t: np.exp(-u(t) + t * field - lz), a, x, points=pts, limit=200
        )[0]

    return cdf


def test_potts_layer_against_enumeration_and_its_sampler():
    q = 4
    layer = Potts(n_states=q)
    rng = np.random.default_rng(0)
    field = rng.normal(0, 3, size=(1, 3 * q))
    field[0, :q] += 50  # an extreme unit
    lse = special.logsumexp(field.reshape(3, q), axis=1)
    np.testing.assert_allclose(layer.log_partition(np, field)[0], lse, rtol=1e-12)
    p = np.exp(field.reshape(3, q) - lse[:, None]).ravel()
    np.testing.assert_allclose(layer.mean(np, field)[0], p, rtol=1e-10, atol=1e-300)
    n = 20000
    s = layer.sample(np, np.repeat(field, n, 0), rng)
    assert set(np.unique(s)) <= {0.0, 1.0}
    np.testing.assert_array_equal(s.reshape(n, 3, q).sum(-1), 1)
    counts = s.sum(0).reshape(3, q)
    for i in range(3):
        probs = p.reshape(3, q)[i]
        keep = probs * n > 5
        chi2 = np.sum((counts[i][keep] - n * probs[keep]) ** 2 / (n * probs[keep]))
        dof = max(keep.sum() - 1, 1)
        assert (chi2 - dof) / np.sqrt(2 * dof) < 5
    # float32
    f32 = layer.log_partition(np, field.astype(np.float32))
    assert f32.dtype == np.float32
    np.testing.assert_allclose(f32[0], lse, rtol=1e-6)
    # enumeration: q**n distinct one-hot states
    states = layer.enumerate_states(np, 0, q**3, 3, np.float64)
    codes = layer.codes(np, states)
    assert len({tuple(c) for c in codes}) == q**3


def test_binary_layers_are_layers_with_variances():
    f = np.array([[-3.0, 0.0, 2.0]])
    m = Bernoulli().mean(np, f)
    np.testing.assert_allclose(Bernoulli().var(np, f), m * (1 - m))
    np.testing.assert_allclose(Spin().var(np, f), 1 - np.tanh(f) ** 2)
    assert Bernoulli().binary and not Potts(3).binary


# -- pairs: exact log Z against an independent brute-force computation --------
VISIBLE = {
    "bernoulli": "bernoulli",
    "spin": "spin",
    "potts": Potts(n_states=3),
    "gaussian": "gaussian",
    "phi4": "phi4",
}
HIDDEN = {
    "bernoulli": "bernoulli",
    "spin": "spin",
    "potts": Potts(n_states=3),
    "gaussian": "gaussian",
    "relu": "relu",
    "drelu": "drelu",
}
PAIRS = [
    (v, h)
    for v in VISIBLE
    for h in HIDDEN
    if not (v in ("gaussian", "phi4") and h in ("gaussian", "relu", "drelu"))
]


def _random_model(v, h, seed=0, n_visible=3, n_hidden=2, scale=0.8):
    """A small RBM of the pair with random parameters (set after a 1-epoch
    fit on random data of the right kind)."""
    rng = np.random.default_rng(seed)
    if v == "potts":
        X = rng.integers(0, 3, size=(40, n_visible)).astype(float)
    elif v in ("gaussian", "phi4"):
        X = rng.normal(size=(40, n_visible))
    else:
        X = (rng.random((40, n_visible)) < 0.5).astype(float)
        if v == "spin":
            X = 2 * X - 1
    est = RBM(
        VISIBLE[v], HIDDEN[h], n_components=n_hidden, max_iter=1, centering=False,
        random_state=seed,
    ).fit(X)  # fmt: skip
    est.components_ = rng.normal(0, scale, size=est.components_.shape)
    est.intercept_visible_ = rng.normal(0, scale, size=est.intercept_visible_.shape)
    est.intercept_hidden_ = rng.normal(0, scale, size=est.intercept_hidden_.shape)
    for side, name in est._param_keys():
        attr = est._attr(side, name)
        shape = getattr(est, attr).shape
        val = rng.normal(0, 0.3, size=shape)
        if name == "log_precision" and side == "vis":
            val = np.log(1.5 + rng.random(shape))  # keeps Gaussian-binary tame
        setattr(est, attr, val)
    est._logz_cache = {}
    return est, X


def _unit_states(layer_name):
    return {
        "bernoulli": [np.array([0.0]), np.array([1.0])],
        "spin": [np.array([-1.0]), np.array([1.0])],
        "potts": [np.eye(3)[k] for k in range(3)],
    }[layer_name]


def _brute_log_z(est, v, h):
    """log Z from the energy written out here: discrete layers enumerated
    unit by unit with itertools, a continuous layer integrated unit by unit
    by quadrature of exp(-U(s) + s · input)."""
    W = est.components_.T
    b, c = est.intercept_visible_, est.intercept_hidden_
    nv = W.shape[0] // (3 if v == "potts" else 1)
    nh = W.shape[1] // (3 if h == "potts" else 1)

    def joint(layer, n):
        return [
            np.concatenate(s) for s in itertools.product(_unit_states(layer), repeat=n)
        ]

    def params(side, name, i):
        out = {}
        for s2, k in est._param_keys():
            if s2 == side:
                out[k] = float(getattr(est, est._attr(s2, k))[i])
        return out

    def integrated(layer, side, fields):
        total = 0.0
        for i, f in enumerate(fields):
            total += _quad_moments(layer, params(side, layer, i), f)[0]
        return total

    terms = []
    if v not in ("gaussian", "phi4") and h in ("bernoulli", "spin", "potts"):
        for sv in joint(v, nv):
            for sh in joint(h, nh):
                terms.append(sv @ W @ sh + b @ sv + c @ sh)
    elif v not in ("gaussian", "phi4"):  # continuous hidden integrated
        for sv in joint(v, nv):
            terms.append(b @ sv + integrated(h, "hid", sv @ W + c))
    else:  # continuous visible integrated, discrete hidden enumerated
        for sh in joint(h, nh):
            terms.append(c @ sh + integrated(v, "vis", W @ sh + b))
    return special.logsumexp(terms)


@pytest.mark.parametrize("v,h", PAIRS, ids=[f"{v}-{h}" for v, h in PAIRS])
def test_pair_exact_log_z_against_brute_force(v, h):
    est, _ = _random_model(v, h)
    assert est.log_partition_function("exact") == pytest.approx(
        _brute_log_z(est, v, h), abs=1e-8
    )


def _exact_mean_ll(est, X):
    est._logz_cache = {}
    return float(np.mean(-est.free_energy(X)) - est.log_partition_function("exact"))


@pytest.mark.parametrize("v,h", PAIRS, ids=[f"{v}-{h}" for v, h in PAIRS])
def test_pair_exact_gradient_against_finite_differences(v, h):
    """The exact-method update (centering off) is the gradient of the mean
    log-likelihood, for W, both biases and each layer's own parameters."""
    est, X = _random_model(v, h, seed=1)
    est.set_params(method="exact")
    xp = np
    params = est._load_parameters(xp, np.float64)
    Xm = est._to_model_space(X, xp)
    est._phase = est._make_negative_phase()
    est._offsets = None
    grads = est._gradient(params, Xm, xp, est._device_rng(xp, 0))
    rng = np.random.default_rng(0)
    attrs = {"W": "components_", "b": "intercept_visible_", "c": "intercept_hidden_"}
    for key, g in grads.items():
        attr = attrs.get(key) or est._attr(*key.split("."))
        arr = getattr(est, attr)
        idx = tuple(rng.integers(0, n) for n in arr.shape)
        gi = g.T[idx] if key == "W" else g[idx]
        eps = 1e-5
        old = arr[idx]
        arr[idx] = old + eps
        up = _exact_mean_ll(est, X)
        arr[idx] = old - eps
        down = _exact_mean_ll(est, X)
        arr[idx] = old
        assert gi == pytest.approx((up - down) / (2 * eps), rel=1e-4, abs=1e-6), key


@pytest.mark.parametrize("v,h", PAIRS, ids=[f"{v}-{h}" for v, h in PAIRS])
def test_pair_ais_and_reverse_ais_bracket_the_exact_value(v, h):
    est, _ = _random_model(v, h, seed=2, scale=0.5)
    exact = est.log_partition_function("exact")
    # the φ⁴ layer samples on a quadrature grid: fewer temperatures
    kw = (
        dict(n_betas=300, n_burn_in=50)
        if v == "phi4"
        else dict(n_betas=1000, n_burn_in=200)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableEstimateWarning)
        fwd = est.log_partition_function(
            "ais", n_betas=kw["n_betas"], n_chains=200, random_state=0, diagnostics=True
        )
        rev = est.log_partition_function(
            "reverse_ais", n_chains=200, random_state=0, diagnostics=True, **kw
        )
    for d in (fwd, rev):
        assert abs(d.estimate - exact) < 5 * d.std + 0.02, (d.method, d.estimate, exact)
        assert d.ess > 20


def test_potts_gauge_leaves_the_distribution_unchanged():
    est, X = _random_model("potts", "potts")
    before = est.score_samples(X)
    params = est._load_parameters(np, np.float64)
    est._gauge(params)
    est._store_parameters(params)
    est._logz_cache = {}
    W = est.components_.T.reshape(3, 3, 2, 3)
    np.testing.assert_allclose(W.sum(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(W.sum(axis=3), 0, atol=1e-12)
    np.testing.assert_allclose(est.score_samples(X), before, atol=1e-10)


def test_layer_specs_are_options_only():
    assert Potts(n_states=4) == Potts(n_states=4) != Potts(n_states=3)
    assert repr(Potts(4)) == "Potts(n_states=4)" and repr(dReLU()) == "dReLU()"
    assert get_layer("relu") == ReLU() and Gaussian() == Gaussian()
    with pytest.raises(ValueError, match="a layer is one of"):
        get_layer("tanh")


def test_phi4_with_gaussian_hidden_units_ais_against_2d_quadrature():
    """No discrete layer: log Z by AIS only.  With the Gaussian hidden layer
    summed out, p(φ) ∝ exp(−Σ U(φ_i) + bᵀφ + Σ_a A_a((Wᵀφ + c)_a)) on two
    sites is a 2-D integral, done here on a fine grid."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    est = RBM("phi4", "gaussian", n_components=2, max_iter=1, centering=False,
              random_state=0).fit(X)  # fmt: skip
    est.components_ = rng.normal(0, 0.5, size=(2, 2))
    est.intercept_visible_ = np.array([0.3, -0.2])
    est.intercept_hidden_ = np.array([0.1, 0.4])
    est.visible_mass2_ = np.array([-1.0, 0.5])
    est.visible_log_quartic_ = np.log([0.2, 0.4])
    est.hidden_log_precision_ = np.log([1.5, 2.0])
    est._logz_cache = {}
    with pytest.raises(ValueError, match="discrete"):
        est.log_partition_function("exact")
    g = np.linspace(-8, 8, 1601)
    P1, P2 = np.meshgrid(g, g, indexing="ij")
    V = np.stack([P1.ravel(), P2.ravel()], 1)
    logf = -est.free_energy(V)  # checked against the formula below
    W, b, c = est.components_.T, est.intercept_visible_, est.intercept_hidden_
    a, lam = est.visible_mass2_, np.exp(est.visible_log_quartic_)
    p = np.exp(est.hidden_log_precision_)
    field = V @ W + c
    want = (
        -(0.5 * a * V**2 + lam * V**4).sum(1) + V @ b
        + (field**2 / (2 * p) + 0.5 * np.log(2 * np.pi / p)).sum(1)
    )  # fmt: skip
    np.testing.assert_allclose(logf, want, rtol=1e-10, atol=1e-10)
    exact = special.logsumexp(want) + 2 * np.log(g[1] - g[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableEstimateWarning)
        fwd = est.log_partition_function(
            "ais", n_betas=300, n_chains=200, random_state=0, diagnostics=True
        )
    assert abs(fwd.estimate - exact) < 5 * fwd.std + 0.02
