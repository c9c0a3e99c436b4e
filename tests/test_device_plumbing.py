"""The device code path, run without a GPU through the strict CuPy stand-in.

``tests/_cupy_standin.py`` plays CuPy's part for the backend (the
``strict_gpu`` fixture of ``conftest.py`` installs it).  Its arrays are
``array_api_strict`` arrays on the simulated device ``device1``, given NumPy's
API by skrapid's façade (``skrapid/_xpnp.py``): not NumPy arrays, refusing
implicit conversion to one and any mixing with host arrays, with 0-d device
arrays from reductions.  The stand-in adds CuPy's own behaviour (its
non-raising Cholesky, its random generator), and the façade counts every
device->host transfer ("sync") and host->device copy.  So these tests fail
wherever real CuPy would fail, and they hold the hot loops to sync budgets:
zero transfers per minibatch for every training method, zero per AIS
temperature.  They do not replace the real GPU tests in ``test_backend.py``,
which skip without CuPy and a GPU.
"""

import pickle

import numpy as np
import pytest

from skrapid import RARBM, BinaryRBM, GaussianRBM, KernelNotPositiveDefiniteError
from skrapid import _backend as B
from skrapid._base import BaseRBM
from skrapid.datasets import lattice_kernel, sample_gaussian_field


def binary_data(n=80, v=10, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n, v)) < 0.3).astype(np.float32)


def field_data(n=80, seed=0):
    X = sample_gaussian_field(lattice_kernel(6), n, random_state=seed)
    return X.astype(np.float32) + 1.0


def _binary(method, **kw):
    return BinaryRBM(n_components=4, method=method, device="gpu", random_state=0, **kw)


def _rapid(method, **kw):
    return RARBM(
        n_components=20,
        n_patterns=2,
        negative_phase=method,
        device="gpu",
        random_state=0,
        **kw,
    )


def _gauss(method, hidden="gaussian", **kw):
    return GaussianRBM(
        n_components=6,
        mu2=7.0,
        method=method,
        hidden=hidden,
        device="gpu",
        random_state=0,
        **kw,
    )


# estimator x method: (id, factory, data)
SCENARIOS = (
    [
        (f"binary-{m}", lambda m=m, **kw: _binary(m, **kw), "01")
        for m in ("cd", "pcd", "pt", "exact")
    ]
    + [("binary-spin-pcd", lambda **kw: _binary("pcd", units="spin", **kw), "spin")]
    + [
        (f"rarbm-{m}", lambda m=m, **kw: _rapid(m, **kw), "spin")
        for m in ("pid", "cd", "pcd", "pt", "exact")
    ]
    + [
        (
            "rarbm-paper-recipe",
            lambda **kw: _rapid(
                "pid",
                **{
                    k: v for k, v in RARBM.PAPER_RECIPE.items() if k != "negative_phase"
                },
                **kw,
            ),
            "spin",
        ),
        (
            "rarbm-gibbs-patterns",
            lambda **kw: _rapid("pcd", pattern_constraint="gibbs", **kw),
            "spin",
        ),
    ]
    + [
        (f"gauss-{m}", lambda m=m, **kw: _gauss(m, **kw), "field")
        for m in ("pcd", "cd", "exact", "natural", "eigen")
    ]
    + [
        (
            "gauss-exact-local-mu2",
            lambda **kw: _gauss("exact", learn_mu2="local", **kw),
            "field",
        ),
        (
            "gauss-spin-pcd",
            lambda **kw: _gauss("pcd", hidden="spin", learn_mu2="global", **kw),
            "field",
        ),
        (
            "gauss-bernoulli-cd",
            lambda **kw: _gauss("cd", hidden="bernoulli", **kw),
            "field",
        ),
    ]
)
IDS = [s[0] for s in SCENARIOS]


def _data(kind):
    if kind == "01":
        return binary_data()
    if kind == "spin":
        return 2 * binary_data() - 1
    return field_data()


def _assert_host_attributes(est):
    for name, value in vars(est).items():
        assert not B.is_cupy_array(value), name
        if isinstance(value, dict):
            assert not any(B.is_cupy_array(v) for v in value.values()), name


@pytest.mark.parametrize("make,kind", [s[1:] for s in SCENARIOS], ids=IDS)
def test_every_public_method_runs_on_the_strict_device(strict_gpu, make, kind):
    """fit, partial_fit, transform, inverse_transform, score_samples, score,
    log_partition_function (every method, with X on the device), sample,
    gibbs, sample_hidden: device in, device out, fitted state on the host."""
    cp = strict_gpu.module()
    X = _data(kind)
    Xd = cp.asarray(X)
    est = make(max_iter=2, batch_size=20).fit(Xd)
    _assert_host_attributes(est)
    assert type(est.components_) is np.ndarray
    assert est.components_.dtype == np.float32
    est.partial_fit(Xd)
    est.partial_fit(X)  # host input to a device-fitted model is fine too
    _assert_host_attributes(est)

    H = est.transform(Xd)
    assert B.is_cupy_array(H)
    np.testing.assert_allclose(H.get(), est.transform(X), rtol=1e-5, atol=1e-6)
    back = est.inverse_transform(H)
    assert B.is_cupy_array(back)
    np.testing.assert_allclose(
        back.get(), est.inverse_transform(H.get()), rtol=1e-5, atol=1e-5
    )
    s = est.score_samples(Xd)
    assert B.is_cupy_array(s)
    np.testing.assert_allclose(s.get(), est.score_samples(X), rtol=1e-5)
    assert isinstance(est.score(Xd), float)

    exact = est.log_partition_function("exact")
    assert isinstance(exact, float) and np.isfinite(exact)
    for method in ("ais", "reverse_ais"):
        for kw in ({}, {"X": Xd}):
            lz = est.log_partition_function(
                method, n_chains=20, n_betas=60, n_burn_in=5, random_state=0, **kw
            )
            assert isinstance(lz, float) and np.isfinite(lz), (method, kw)
    # the AIS base rate from device data equals the one from host data
    a = est.log_partition_function("ais", n_chains=20, n_betas=60, X=Xd, random_state=0)
    b = est.log_partition_function("ais", n_chains=20, n_betas=60, X=X, random_state=0)
    assert a == pytest.approx(b, rel=1e-6)

    for f in (est.gibbs, est.sample_hidden):
        out = f(Xd)
        assert B.is_cupy_array(out), f.__name__
        assert np.isfinite(out.get()).all()
    assert B.is_cupy_array(est.sample(n_steps=2, v_init=Xd[:3]))
    assert type(est.sample(3, n_steps=2)) is np.ndarray
    _assert_host_attributes(est)
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.components_, est.components_)


@pytest.mark.parametrize("method", ["pcd", "exact", "natural"])
def test_fit_covariance_on_the_strict_device(strict_gpu, method):
    est = _gauss(method, max_iter=3).fit_covariance(kernel=lattice_kernel(6))
    _assert_host_attributes(est)
    assert type(est.kernel_) is np.ndarray
    pickle.loads(pickle.dumps(est))


def test_pt_sampling_on_the_strict_device(strict_gpu):
    cp = strict_gpu.module()
    X = binary_data()
    est = _binary("pcd", max_iter=2).fit(cp.asarray(X))
    assert B.is_cupy_array(est.sample(n_steps=2, v_init=cp.asarray(X[:3]), method="pt"))
    assert type(est.sample(3, n_steps=2, method="pt")) is np.ndarray


# -- sync budgets ----------------------------------------------------------------

TRAINING = [s for s in SCENARIOS if s[0] not in ("gauss-natural", "gauss-eigen")]


def _fit_counts(strict_gpu, make, Xd, **kw):
    with strict_gpu.counting() as c:
        make(**kw).fit(Xd)
    return c


@pytest.mark.parametrize(
    "make,kind", [s[1:] for s in TRAINING], ids=[s[0] for s in TRAINING]
)
def test_no_transfer_per_minibatch(strict_gpu, make, kind):
    """Twice the minibatches, the same transfers: zero device->host syncs
    and zero host->device copies per minibatch, for CD, PCD, PT, PID and the
    exact methods alike (their checks are read once per epoch)."""
    Xd = strict_gpu.module().asarray(_data(kind))
    few = _fit_counts(strict_gpu, make, Xd, batch_size=20, max_iter=2)  # 8 batches
    many = _fit_counts(strict_gpu, make, Xd, batch_size=10, max_iter=2)  # 16
    assert many == few, (few, many)


@pytest.mark.parametrize(
    "make,kind", [s[1:] for s in TRAINING], ids=[s[0] for s in TRAINING]
)
def test_transfers_per_epoch_are_bounded(strict_gpu, make, kind):
    """The per-epoch checks and monitors (finiteness, collapse, progress
    record, positive definiteness) cost a bounded number of transfers: at
    most 25 syncs and 1 copy per epoch on these scenarios."""
    Xd = strict_gpu.module().asarray(_data(kind))
    two = _fit_counts(strict_gpu, make, Xd, batch_size=20, max_iter=2)
    three = _fit_counts(strict_gpu, make, Xd, batch_size=20, max_iter=3)
    assert three["d2h"] - two["d2h"] <= 25
    assert three["h2d"] - two["h2d"] <= 1


@pytest.mark.parametrize("method", ["ais", "reverse_ais"])
@pytest.mark.parametrize(
    "make,kind",
    [
        s[1:]
        for s in SCENARIOS
        if s[0] in ("binary-pcd", "rarbm-pid", "gauss-pcd", "gauss-spin-pcd")
    ],
    ids=["binary", "rarbm", "gauss", "gauss-spin"],
)
def test_no_transfer_per_ais_temperature(strict_gpu, make, kind, method):
    Xd = strict_gpu.module().asarray(_data(kind))
    est = make(max_iter=1, batch_size=20).fit(Xd)
    counts = []
    for n_betas in (50, 150):
        with strict_gpu.counting() as c:
            est.log_partition_function(
                method, n_betas=n_betas, n_chains=10, n_burn_in=5, random_state=0
            )
        counts.append(c)
    assert counts[0] == counts[1], counts
    # the weights and the proven lower bound, once each, at the end
    assert counts[0]["d2h"] <= 4


def test_exact_enumeration_budget(strict_gpu):
    """Exact log Z: one transfer per call, none per enumeration chunk."""
    from skrapid import _partition as P

    cp = strict_gpu.module()
    est = _binary("pcd", max_iter=1).fit(cp.asarray(binary_data(v=12)))
    model, _ = est._fitted_model(cp.zeros((1, 12), dtype=np.float32))
    old = P._CHUNK_ELEMENTS
    try:
        for chunk in (4096, 64):  # 1 chunk, then 256 chunks
            P._CHUNK_ELEMENTS = chunk
            with strict_gpu.counting() as c:
                lz = P.exact_log_partition(model)
            assert c == {"d2h": 1, "h2d": 0}, (chunk, c)
            with strict_gpu.counting() as c:
                stats = P.exact_statistics(model)
            assert c == {"d2h": 0, "h2d": 0}, (chunk, c)
            assert float(stats.log_z) == pytest.approx(lz, abs=1e-9)
    finally:
        P._CHUNK_ELEMENTS = old


# -- the findings of the audit, one test each -------------------------------------


def test_inverse_transform_takes_device_arrays(strict_gpu):
    """Finding 1: check_array(H) converted with np.asarray, which CuPy refuses."""
    cp = strict_gpu.module()
    X = binary_data()
    est = BinaryRBM(4, max_iter=2, device="auto", random_state=0).fit(X)
    H = cp.asarray(est.transform(X))
    out = est.inverse_transform(H)
    assert B.is_cupy_array(out)
    np.testing.assert_allclose(out.get(), est.inverse_transform(H.get()), rtol=1e-6)
    bad = cp.asarray(np.full((2, 4), np.nan, dtype=np.float32))
    with pytest.raises(ValueError, match="H contains NaN"):
        est.inverse_transform(bad)
    with pytest.raises(ValueError, match="2D"):
        est.inverse_transform(cp.zeros(4, dtype=np.float32))


def test_gaussian_ais_with_device_X(strict_gpu):
    """Finding 2: X - mean_ mixed a device X with the host mean_."""
    cp = strict_gpu.module()
    X = field_data()
    est = _gauss("pcd", max_iter=2).fit(X)
    a = est.log_partition_function("ais", X=cp.asarray(X), n_betas=60, random_state=0)
    b = est.log_partition_function("ais", X=X, n_betas=60, random_state=0)
    assert a == pytest.approx(b, rel=1e-6)


def test_float32_power_iteration_does_not_underflow(strict_gpu):
    """Finding 3: the device bound divided by an underflowed float32 norm and
    blew up, a false 'not positive definite' error on a fit that succeeds on
    the CPU.  The issue's example."""
    X = sample_gaussian_field(lattice_kernel(6), 200, random_state=0)
    X = X.astype(np.float32)
    kw = dict(
        n_components=6,
        mu2=3,
        method="exact",
        learning_rate=5,
        batch_size=10,
        random_state=0,
    )
    cpu = GaussianRBM(device="cpu", **kw).fit(X)
    dev = GaussianRBM(device="gpu", **kw).fit(strict_gpu.module().asarray(X))
    assert dev.n_iter_ == cpu.n_iter_
    # and the bound itself, on a tiny W: 0 (not a huge number), on both paths
    W = np.full((6, 6), 1e-30, dtype=np.float32)
    for xp in (np, strict_gpu.module()):
        est = GaussianRBM(6)
        sv2 = est._top_sv2_device(xp.asarray(W), xp)
        assert 0.0 <= float(sv2) < 1e-30


def test_failed_cholesky_is_detected_on_the_device(strict_gpu):
    """Finding 4: CuPy's cholesky does not raise on a matrix that is not
    positive definite (its linalg mode is 'ignore'); potrf leaves a finite,
    wrong factor, so checking finiteness alone missed it.  The factor is now
    checked (positive diagonal, L Lᵀ = K), and the fit stops."""
    from skrapid._gaussian_kernel import _is_cholesky_factor

    cp = strict_gpu.module()
    K = np.array([[1.0, 2.0], [2.0, 1.0]])  # eigenvalues 3 and -1
    L = cp.linalg.cholesky(cp.asarray(K))  # no error, as in CuPy
    assert np.isfinite(L.get()).all()  # ... and finite: the old check passed
    assert not bool(_is_cholesky_factor(cp, L, cp.asarray(K)))
    good = np.array([[2.0, 1.0], [1.0, 2.0]])
    assert bool(
        _is_cholesky_factor(cp, cp.linalg.cholesky(cp.asarray(good)), cp.asarray(good))
    )
    # in training: the kernel check of method='exact' runs once per epoch
    est = GaussianRBM(
        n_components=6,
        mu2=7.0,
        method="exact",
        device="gpu",
        max_iter=2,
        random_state=0,
    )
    est.fit(cp.asarray(field_data()))
    params = est._load_parameters(cp, np.dtype(np.float32))
    params["W"] = params["W"] * np.float32(30.0)  # far beyond mu2
    est._kernel_inverse(est._model(params, cp), cp)  # does not raise here...
    with pytest.raises(KernelNotPositiveDefiniteError, match="not positive"):
        est._after_epoch(params, cp, None)  # ...but at the end of the epoch


def test_generator_semantics_and_device_workspace(strict_gpu, monkeypatch):
    """Finding 5: CuPy's Generator.random(out=buf) without size fills the
    buffer with ONE value, and np.take(..., out=device buffer) raises.  Both
    were on NumPy-only paths; with the workspace turned on for the device,
    training now runs through them and gives the same model as without."""
    cp = strict_gpu.module()
    g = cp.random.default_rng(0)
    buf = cp.zeros((3, 4), dtype=np.float32)
    g.random(dtype=np.float32, out=buf)
    assert len(np.unique(buf.get())) == 1  # the semantics the stand-in keeps
    assert not hasattr(g, "normal") and not hasattr(g, "choice")

    Xd = cp.asarray(binary_data())
    ref = _binary("pcd", max_iter=2).fit(Xd)
    monkeypatch.setattr(BaseRBM, "_DEVICE_WORKSPACE", True)
    for method in ("pcd", "cd", "pt"):
        est = _binary(method, max_iter=2).fit(Xd)
        assert np.isfinite(est.components_).all()
        u = est._units
        draws = u.sample(
            cp,
            cp.zeros((50, 40), dtype=np.float32),
            cp.random.default_rng(1),
            ws=B.Workspace(cp),
        )
        assert 0.3 < float(draws.mean()) < 0.7  # not one value for all
    same = _binary("pcd", max_iter=2).fit(Xd)
    np.testing.assert_allclose(same.components_, ref.components_, rtol=1e-5, atol=1e-6)


def test_fixed_mass_is_copied_once_per_fit(strict_gpu):
    """Finding 6: GaussianRBM rebuilt xp.asarray([mu2]) once or twice per
    minibatch; it is copied once per fit now (see also the budget tests)."""
    Xd = strict_gpu.module().asarray(field_data())
    with strict_gpu.counting() as c:
        _gauss("pcd", max_iter=1, batch_size=4).fit(Xd)  # 20 minibatches
    assert c["h2d"] <= 4


def test_device_array_without_gpu_is_a_clear_error(strict_gpu, monkeypatch):
    Xd = strict_gpu.module().asarray(binary_data())
    monkeypatch.setattr(B, "_import_cupy", lambda: None)
    with pytest.raises(RuntimeError, match="CuPy"):
        BinaryRBM(n_components=2, device="auto").fit(Xd)


def test_the_stand_in_is_strict(strict_gpu):
    """The stand-in refuses what CuPy refuses (so the tests above mean
    something)."""
    cp = strict_gpu.module()
    a = cp.ones((2, 2), dtype=np.float32)
    assert not isinstance(a, np.ndarray)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(a)
    with pytest.raises(TypeError):
        a + np.ones((2, 2))
    with pytest.raises(TypeError):
        np.ones((2, 2)) * a
    with pytest.raises(TypeError):
        cp.exp(np.ones(2))
    with pytest.raises(TypeError):
        np.add(a, 1.0, out=np.empty((2, 2)))
    assert B.is_cupy_array(a.sum()) and a.sum().ndim == 0
    assert B.is_cupy_array(a[0, 0])
    assert not hasattr(cp, "errstate")
    with strict_gpu.counting() as c:
        float(a.sum())
        bool((a > 0).all())
        a.get()
        cp.asarray(np.zeros(2))
    assert c == {"d2h": 3, "h2d": 1}


def test_bench_gpu_measures_the_device(strict_gpu, tmp_path, monkeypatch):
    """``skrapid bench gpu`` on the stand-in: batch 1000 by default, the GPU
    case against the GPU's own GEMM peak and CuPy's memory pool, and the
    MNIST RAPID run timed as one fit (never a partial_fit loop)."""
    import json

    from skrapid._cli import main

    def no_partial_fit(self, *a, **k):
        raise AssertionError("bench gpu must time one fit, not partial_fit")

    monkeypatch.setattr(RARBM, "partial_fit", no_partial_fit)
    from skrapid._bench import _common

    monkeypatch.setattr(_common, "GEMM_SIZE", {"cpu": 300, "gpu": 300})
    out = tmp_path / "gpu.json"
    main(
        [
            "bench",
            "gpu",
            "--data",
            "synthetic",
            "--n-samples",
            "2500",
            "--n-components",
            "8",
            "--repeats",
            "1",
            "--epochs",
            "2",
            "--rapid-n-components",
            "30",
            "--rapid-n-patterns",
            "3",
            "--json",
            str(out),
            "--quiet",
        ]
    )
    rep = json.loads(out.read_text())
    assert rep["batch_size"] == 1000
    gpu, cpu = rep["results"]["gpu epoch"], rep["results"]["cpu epoch"]
    assert gpu["device"] == "gpu" and cpu["device"] == "cpu"
    assert gpu["memory_kind"].startswith("device")
    assert cpu["memory_kind"].startswith("host")
    assert gpu["speedup_vs_reference"] > 0
    assert rep["rapid_mnist"]["epochs_run"] == 2
    assert rep["rapid_mnist"]["H"] == 30


def test_device_positive_definiteness_is_decided_per_epoch(strict_gpu):
    """On a device the kernel bound is kept on the device between updates and
    checked once per epoch: a diverging fit still stops with the PD error,
    and no private device array is left on the estimator."""
    est = GaussianRBM(
        n_components=10,
        mu2=9.0,
        method="exact",
        learning_rate=200.0,
        max_iter=50,
        device="gpu",
    )
    with pytest.raises(KernelNotPositiveDefiniteError, match="epoch"):
        est.fit_covariance(kernel=lattice_kernel(10, m2=0.05))
    _assert_host_attributes(est)
    pickle.loads(pickle.dumps(est))
