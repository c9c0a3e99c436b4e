"""Exact quantities of tiny RBMs against brute-force joint enumeration."""

import numpy as np
import pytest
from conftest import all_states, brute_force, make_rbm

from skrapid._partition import exact_log_partition, exact_statistics


def test_free_energy_log_z_and_p(tiny_rbm):
    bf = brute_force(tiny_rbm)
    vs = bf["states"]
    np.testing.assert_allclose(
        tiny_rbm.free_energy(vs), bf["free_energy"], rtol=0, atol=1e-10
    )
    assert abs(tiny_rbm.log_partition_function("exact") - bf["log_z"]) < 1e-10
    np.testing.assert_allclose(
        tiny_rbm.score_samples(vs), bf["log_p"], rtol=0, atol=1e-10
    )
    # p(v) is a normalized distribution over the 2**V states
    assert abs(np.exp(tiny_rbm.score_samples(vs)).sum() - 1) < 1e-10


@pytest.mark.parametrize("shape", [(8, 6), (6, 8), (5, 5)])
def test_enumeration_of_either_layer(shape):
    """The smaller layer is enumerated; both orientations give the same Z."""
    V, H = shape
    rbm = make_rbm(V, H, scale=0.8, seed=3)
    bf = brute_force(rbm)
    model, _ = rbm._fitted_model()
    assert abs(exact_log_partition(model) - bf["log_z"]) < 1e-10
    assert abs(exact_log_partition(model.swapped()) - bf["log_z"]) < 1e-10


def test_exact_statistics(tiny_rbm):
    bf = brute_force(tiny_rbm)
    model, _ = tiny_rbm._fitted_model()
    stats = exact_statistics(model)
    assert abs(stats.log_z - bf["log_z"]) < 1e-10
    np.testing.assert_allclose(stats.vh, bf["vh"], atol=1e-10)
    np.testing.assert_allclose(stats.v, bf["v"], atol=1e-10)
    np.testing.assert_allclose(stats.h, bf["h"], atol=1e-10)


def test_chunked_enumeration_matches(monkeypatch):
    """Chunks with a running maximum give the same answer as one block."""
    import skrapid._partition as P

    rbm = make_rbm(10, 9, scale=2.0, seed=5)
    model, _ = rbm._fitted_model()
    whole = exact_statistics(model)
    monkeypatch.setattr(P, "_CHUNK_ELEMENTS", 37)
    chunked = exact_statistics(model)
    assert abs(whole.log_z - chunked.log_z) < 1e-10
    assert abs(exact_log_partition(model) - whole.log_z) < 1e-10
    np.testing.assert_allclose(whole.vh, chunked.vh, atol=1e-12)


def _mean_loglik(rbm, X):
    return brute_force(rbm)["log_p"][_rows(X, rbm.units)].mean()


def _rows(X, units):
    bits = X if units == "bernoulli" else (X + 1) / 2
    return (bits * 2 ** np.arange(X.shape[1])[::-1]).sum(axis=1).astype(int)


def test_exact_gradient_is_the_loglik_gradient(tiny_rbm):
    """Analytic exact gradient = finite differences of the exact log-likelihood."""
    rng = np.random.default_rng(1)
    X = all_states(8, tiny_rbm.units)[rng.integers(0, 256, 30)]
    tiny_rbm.set_params(method="exact")
    params = tiny_rbm._load_parameters(np, np.float64)
    grads = tiny_rbm._gradient(params, X, np, np.random.default_rng(0))
    attr = {"W": "components_", "b": "intercept_visible_", "c": "intercept_hidden_"}
    eps = 1e-5
    for key, g in grads.items():
        a = getattr(tiny_rbm, attr[key])
        fd = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            up = _mean_loglik(tiny_rbm, X)
            a[idx] = old - eps
            down = _mean_loglik(tiny_rbm, X)
            a[idx] = old
            fd[idx] = (up - down) / (2 * eps)
        if key == "W":
            fd = fd.T
        np.testing.assert_allclose(g, fd, rtol=0, atol=1e-8, err_msg=key)
    assert set(grads) == ({"W", "b", "c"} if tiny_rbm.fit_intercept else {"W"})


def test_float32_enumeration_accumulates_in_float64():
    rbm64 = make_rbm(8, 6, scale=1.0, seed=2)
    rbm32 = make_rbm(8, 6, scale=1.0, seed=2, dtype=np.float32)
    lz64 = rbm64.log_partition_function("exact")
    lz32 = rbm32.log_partition_function("exact")
    assert isinstance(lz32, float)
    assert abs(lz32 - lz64) < 1e-4
    assert rbm32.score_samples(all_states(8, "bernoulli")).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unit_log_partitions_are_exact_and_overflow_free(dtype):
    from skrapid._units import get_units

    x = np.concatenate(
        [np.linspace(-50, 50, 2001), [-1e4, -800.0, 800.0, 1e4, -np.inf, np.inf, 0.0]]
    ).astype(dtype)
    tol = 1e-14 if dtype == np.float64 else 1e-6
    with np.errstate(over="ignore"):
        ref_spin = np.logaddexp(x.astype(np.float64), -x.astype(np.float64))
        ref_bern = np.logaddexp(0.0, x.astype(np.float64))
    for name, ref in (("spin", ref_spin), ("bernoulli", ref_bern)):
        got = get_units(name).log_partition(np, x)
        assert got.dtype == dtype
        finite = np.isfinite(ref)
        np.testing.assert_allclose(got[finite], ref[finite], rtol=tol, atol=tol)
        assert np.array_equal(got[~finite], ref[~finite])
