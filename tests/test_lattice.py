"""skrapid.lattice observables against free-field closed forms, and the φ⁴
HMC generator against the exact Gaussian case (λ = 0)."""

import numpy as np
import pytest

from skrapid.datasets import (
    lattice_eigenvalues,
    lattice_kernel,
    phi4_action,
    phi4_configurations,
    sample_gaussian_field,
)
from skrapid.lattice import (
    binder_cumulant,
    correlator,
    effective_mass,
    jackknife,
    observables,
    susceptibility,
    tau_int,
)


def _exact_correlator(K, shape):
    """C(t) of the time-slice averages from the exact propagator K⁻¹."""
    G = np.linalg.inv(K)
    nt = shape[0]
    vs = K.shape[0] // nt
    blocks = G.reshape(nt, vs, nt, vs).sum(axis=(1, 3)) / vs**2  # <S_τ S_τ'>
    return np.array(
        [np.mean([blocks[t0, (t0 + t) % nt] for t0 in range(nt)]) for t in range(nt)]
    )


@pytest.mark.parametrize("shape", [(12,), (8, 3), (6, 2, 2), (6, 2, 2, 2)])
def test_free_field_observables_match_closed_forms(shape):
    m2 = 0.5
    K = lattice_kernel(shape, m2=m2)
    V = K.shape[0]
    n = 40000
    phi = sample_gaussian_field(K, n, random_state=0)
    obs = observables(phi, shape, n_bins=40)
    G = np.linalg.inv(K)
    # <phi^2> = tr K^-1 / V; <m^2> = 1/(m2 V) (the zero mode)
    val, err = obs["phi2"]
    assert abs(val - np.trace(G) / V) < 4 * err
    # Gaussian m: Binder 0 and chi = V <m^2> (1 - 2/pi)
    val, err = obs["binder"]
    assert abs(val) < 4 * err
    val, err = obs["chi"]
    assert abs(val - (1 - 2 / np.pi) / m2) < 4 * err
    # the correlator, every t
    exact = _exact_correlator(K, shape)
    C, Cerr = obs["C"]
    assert np.all(np.abs(C - exact) < 4 * Cerr + 1e-12)
    # independent samples: tau_int of m is 1/2
    tau, terr = obs["tau_int_m"]
    assert abs(tau - 0.5) < 4 * terr + 0.02


@pytest.mark.parametrize("shape", [(16,), (10, 4), (8, 2, 3)])
def test_effective_mass_of_the_exact_correlator_is_the_zero_momentum_energy(shape):
    m2 = 0.3
    exact = _exact_correlator(lattice_kernel(shape, m2=m2), shape)
    E = np.arccosh(1 + m2 / 2)  # lattice dispersion at zero spatial momentum
    np.testing.assert_allclose(effective_mass(exact), E, rtol=1e-8)


def test_lattice_kernel_in_every_dimension_and_any_mass():
    for shape in [(5,), (3, 4), (2, 3, 4), (2, 2, 3, 2)]:
        for m2 in (-0.5, 0.0, 2.0):
            K = lattice_kernel(shape, m2=m2)
            np.testing.assert_allclose(
                np.linalg.eigvalsh(K), lattice_eigenvalues(shape, m2=m2), atol=1e-12
            )
    with pytest.raises(ValueError, match="1 to 4 positive"):
        lattice_kernel((2, 2, 2, 2, 2))
    with pytest.raises(ValueError, match="positive definite"):
        sample_gaussian_field(lattice_kernel(4, m2=-0.1), 10)


def test_jackknife_and_tau_int_on_a_correlated_chain():
    rng = np.random.default_rng(1)
    rho, n = 0.9, 200000
    x = np.zeros(n)
    noise = rng.normal(size=n)
    for i in range(1, n):
        x[i] = rho * x[i - 1] + noise[i]
    tau_true = (1 + rho) / (2 * (1 - rho))
    tau, err = tau_int(x)
    assert abs(tau - tau_true) < 3 * err
    # binned jackknife error of the mean: sqrt(2 tau var / n)
    est, jerr = jackknife(x, n_bins=50)
    want = np.sqrt(2 * tau_true * x.var() / n)
    assert abs(jerr / want - 1) < 0.35
    with pytest.raises(ValueError, match="n_bins"):
        jackknife(x[:5], n_bins=10)


def test_binder_and_susceptibility_limits():
    m = np.array([0.7, -0.7] * 50)
    assert binder_cumulant(m) == pytest.approx(2 / 3)
    assert susceptibility(m, 64) == pytest.approx(0.0)


def test_correlator_checks_its_shape():
    with pytest.raises(ValueError, match="does not fit"):
        correlator(np.zeros((3, 10)), (3, 3))
    with pytest.raises(ValueError, match="NaN"):
        correlator(np.full((3, 4), np.nan), 4)


def test_hmc_samples_the_free_field_at_zero_coupling():
    """At λ = 0 the hopping action is Gaussian with kernel
    2 − 2κ·(adjacency) = 2κ (Δ + (1 − 2dκ)/κ): compare ⟨φ²⟩ and C(t)."""
    shape, kappa = (8, 4), 0.15
    phi, info = phi4_configurations(shape, kappa, 0.0, 8000, random_state=0)
    assert 0.6 < info["acceptance"] <= 1
    K = 2 * kappa * lattice_kernel(shape, m2=(1 - 2 * len(shape) * kappa) / kappa)
    obs = observables(phi, shape, n_bins=40)
    G = np.linalg.inv(K)
    val, err = obs["phi2"]
    assert abs(val - np.trace(G) / G.shape[0]) < 4 * err
    C, Cerr = obs["C"]
    assert np.all(np.abs(C - _exact_correlator(K, shape)) < 4 * Cerr + 1e-12)
    # the action agrees with the quadratic form
    S = phi4_action(phi[:5], shape, kappa, 0.0)
    np.testing.assert_allclose(S, 0.5 * np.einsum("ni,ij,nj->n", phi[:5], K, phi[:5]))


def test_hmc_broken_phase_visits_both_sectors_with_flips():
    phi, info = phi4_configurations((6, 6), 0.35, 1.0, 800, random_state=0)
    m = phi.mean(1)
    assert 0.3 < np.mean(m > 0) < 0.7
    assert binder_cumulant(m) > 0.5  # two sharp peaks
    with pytest.raises(ValueError, match="lam must be >= 0"):
        phi4_configurations(4, 0.1, -1.0, 10)
    with pytest.raises(ValueError, match="n_samples"):
        phi4_configurations(4, 0.1, 0.1, 0)
