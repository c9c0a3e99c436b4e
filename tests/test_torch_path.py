"""PyTorch computes PyTorch input (skrapid._xpnp), with its own random
stream: the statistical tests of the device path, run on every device PyTorch
has here (the CPU; CUDA where a GPU is present).

Deterministic agreement with NumPy (the same fit when PyTorch is fed NumPy's
random stream) and the device placement of every allocation are tested in
``tests/test_array_api.py``.  Here the generator is the real
``torch.Generator``: the streams differ from NumPy's, so each test compares
against an exact answer with a tolerance from its standard error, at a
fixed seed.  Skipped where torch is not installed (CI's install).
"""

import contextlib
import warnings

import numpy as np
import pytest
import sklearn

torch = pytest.importorskip("torch")

from conftest import (  # noqa: E402
    all_states,
    brute_force,
    make_rbm,
    skip_without_dispatch,
)
from test_layers import _bound, _cases, _density_cdf, _gof_z  # noqa: E402

import skrapid  # noqa: E402
from skrapid import (  # noqa: E402
    RARBM,
    BinaryRBM,
    GaussianRBM,
    _xpnp,  # noqa: E402
)
from skrapid import _backend as B  # noqa: E402
from skrapid.layers import Potts  # noqa: E402

skip_without_dispatch()

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def dispatch():
    return sklearn.config_context(array_api_dispatch=True)


def on_torch(est, device):
    """The fitted attributes as tensors on ``device`` (as a fit on tensors
    leaves them): methods without X then compute with PyTorch there."""
    import array_api_compat.torch as xt

    est._attributes_to_space(B.Space(xt, torch.device(device)))
    return est


# -- the generator shim --------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
def test_generator_is_seeded_native_and_numpy_shaped(device):
    xp = _xpnp.namespace("torch", device)
    g1, g2, g3 = (B.make_generator(xp, s) for s in (5, 5, 6))
    a, b, c = g1.random(1000), g2.random(1000), g3.random(1000)
    assert isinstance(a, _xpnp.XArray) and a.a.device.type == device
    np.testing.assert_array_equal(B.to_numpy(a), B.to_numpy(b))
    assert not np.array_equal(B.to_numpy(a), B.to_numpy(c))
    assert g1.standard_normal((3, 2), dtype=np.float32).dtype == np.float32
    out = xp.empty((4, 5), dtype=np.float32)
    assert g1.random(out.shape, dtype=np.float32, out=out) is out
    # moments against their exact values, 5 standard errors at n draws
    n = 200_000
    draws = {
        "random": (g1.random(n), 0.5, 1 / 12),
        "standard_normal": (g1.standard_normal(n), 0.0, 1.0),
        "standard_exponential": (g1.standard_exponential(n), 1.0, 1.0),
        "uniform": (g1.uniform(-1.0, 3.0, n), 1.0, 16 / 12),
        "integers": (g1.integers(0, 6, n).astype(np.float64), 2.5, 35 / 12),
    }
    for name, (x, mean, var) in draws.items():
        x = B.to_numpy(x)
        assert abs(x.mean() - mean) < 5 * np.sqrt(var / n), name
        assert abs(x.var() - var) < 5 * var * np.sqrt(2 / n) * 2, name
    ints = B.to_numpy(g1.integers(0, 6, n))
    assert ints.min() == 0 and ints.max() == 5


# -- the layers' samplers, each against its density ---------------------------
@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("name,p", list(_cases()))
@pytest.mark.parametrize("field", [-8.0, 0.7, 4.0])
def test_continuous_samplers_on_torch_match_their_densities(name, p, field):
    """Each continuous layer (Gaussian, ReLU, dReLU, φ⁴), sampled by PyTorch
    with its own generator, against its density's CDF by quadrature
    (chi-square z-score below 5); its moments equal NumPy's."""

    xp = _xpnp.namespace("torch", "cpu")
    host = _bound(name, p)
    layer = host.bind(**{k: xp.asarray(np.array([v])) for k, v in p.items()})
    f_np = np.full((20000, 1), field)
    f = xp.asarray(f_np)
    rng = B.make_generator(xp, 11)
    s = B.to_numpy(layer.sample(xp, f, rng))[:, 0]
    for method in ("log_partition", "mean", "var"):
        np.testing.assert_allclose(
            B.to_numpy(getattr(layer, method)(xp, f[:3])),
            getattr(host, method)(np, f_np[:3]),
            rtol=1e-10, atol=1e-12, err_msg=method,
        )  # fmt: skip
    assert abs(_gof_z(s, _density_cdf(name, p, field))) < 5


def test_potts_sampler_on_torch():
    q, n = 4, 20000
    layer = Potts(n_states=q)
    rng = np.random.default_rng(0)
    field = rng.normal(0, 2, size=(1, 2 * q))
    xp = _xpnp.namespace("torch", "cpu")
    s = B.to_numpy(
        layer.sample(xp, xp.asarray(np.repeat(field, n, 0)), B.make_generator(xp, 3))
    )
    np.testing.assert_array_equal(s.reshape(n, 2, q).sum(-1), 1)
    p = np.exp(
        field.reshape(2, q) - np.logaddexp.reduce(field.reshape(2, q), axis=1)[:, None]
    )
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(s.reshape(n, 2, q).mean(0) - p) < 5 * se)


# -- whole models: the same statistical tests on NumPy and on PyTorch ---------
WHERE = ["numpy"] + [f"torch-{d}" for d in DEVICES]


def put(X, where):
    """X in the namespace ``where`` names ("numpy", "torch-cpu", ...)."""
    return X if where == "numpy" else torch.asarray(X, device=where[6:])


def place(est, where):
    """A fitted estimator's attributes in ``where``."""
    return est if where == "numpy" else on_torch(est, where[6:])


def context(where):
    return contextlib.nullcontext() if where == "numpy" else dispatch()


def home(a, where):
    """``a`` checked to be in ``where``, as NumPy."""
    if where == "numpy":
        assert isinstance(a, np.ndarray)
        return a
    assert isinstance(a, torch.Tensor) and a.device.type == where[6:]
    return a.cpu().numpy()


@pytest.mark.parametrize("where", WHERE)
def test_gibbs_histogram_matches_exact(where):
    rbm = make_rbm(4, 3, scale=0.8, seed=7)
    p = np.exp(brute_force(rbm)["log_p"])
    place(rbm, where)
    n = 40000
    with context(where):
        v = home(rbm.sample(n, n_steps=60, random_state=0), where)
    idx = (v * 2 ** np.arange(4)[::-1]).sum(axis=1).astype(int)
    counts = np.bincount(idx, minlength=16)
    order = (all_states(4, "bernoulli") @ 2 ** np.arange(4)[::-1]).astype(int)
    freq = np.empty(16)
    freq[order] = p
    se = np.sqrt(freq * (1 - freq) / n)
    assert np.all(np.abs(counts / n - freq) < 5 * se + 1e-12)


@pytest.mark.parametrize("where", WHERE)
def test_ais_matches_exact(where):
    rbm = make_rbm(12, 10, scale=0.5, seed=1)
    exact = rbm.log_partition_function("exact")
    place(rbm, where)
    with context(where):
        lz, se = rbm.log_partition_function(
            "ais", n_chains=200, n_betas=1000, return_std=True, random_state=0
        )
        assert rbm.log_partition_function("exact") == pytest.approx(exact, abs=1e-10)
    assert abs(lz - exact) < 5 * se + 1e-3


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("method", ["cd", "pcd", "exact"])
def test_training_improves_log_likelihood(method, where):
    rng = np.random.default_rng(2)
    proto = rng.random((3, 8)) < 0.5
    X = (proto[rng.integers(0, 3, 300)] ^ (rng.random((300, 8)) < 0.1)).astype(float)
    init = BinaryRBM(n_components=6, max_iter=0, random_state=0).fit(X)
    with context(where):
        rbm = BinaryRBM(n_components=6, method=method, max_iter=30,
                        learning_rate=0.05, random_state=0)  # fmt: skip
        rbm.fit(put(X, where))
        score = rbm.score(put(X, where))
    home(rbm.components_, where)
    assert score > init.score(X) + 0.15


def test_numpy_and_pytorch_fits_agree_in_distribution():
    """Statistically the same across namespaces: 8 seeds of the same fit on
    NumPy and on a PyTorch CPU tensor, scored by the exact held-out
    log-likelihood; the two means agree within 4 standard errors of their
    difference."""
    rng = np.random.default_rng(5)
    proto = rng.random((4, 10)) < 0.5
    X = (proto[rng.integers(0, 4, 600)] ^ (rng.random((600, 10)) < 0.08)).astype(float)
    train, test = X[:400], X[400:]
    scores = {}
    for where in ("numpy", "torch-cpu"):
        scores[where] = []
        for seed in range(8):
            with context(where):
                est = BinaryRBM(n_components=4, max_iter=15, learning_rate=0.05,
                                random_state=seed).fit(put(train, where))  # fmt: skip
            host = skrapid.to_numpy(est)
            lz = host.log_partition_function("exact")
            scores[where].append(float(np.mean(-host.free_energy(test) - lz)))
    a, b = np.array(scores["numpy"]), np.array(scores["torch-cpu"])
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert abs(a.mean() - b.mean()) < 4 * se + 1e-3, (a, b)
    assert not np.allclose(a, b)  # two streams, not one


@pytest.mark.parametrize("where", WHERE)
def test_gaussian_rbm_learns_a_lattice_covariance(where):
    """A GaussianRBM fitted by PCD learns the covariance of a free field; its
    samples' covariance is its own exact covariance within sampling error."""
    from skrapid.datasets import lattice_kernel

    K = lattice_kernel(6, m2=2.0)
    C = np.linalg.inv(K)
    rng = np.random.default_rng(0)
    X = rng.multivariate_normal(np.zeros(6), C, size=4000)
    with context(where), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = GaussianRBM(n_components=6, max_iter=60, random_state=0)
        est.fit(put(X, where))
        cov = home(est.covariance(), where)
        S = home(est.sample(20000, random_state=1), where)
    # the fit: within 10 % of the data's covariance (Frobenius)
    data_cov = np.cov(X.T)
    assert np.linalg.norm(cov - data_cov) < 0.1 * np.linalg.norm(data_cov)
    # the samples: each entry within 5 standard errors of the exact covariance
    emp = np.cov(S.T)
    se = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / len(S))
    assert np.all(np.abs(emp - cov) < 5 * se)


def test_bench_gpu_runs_from_pytorch_alone(tmp_path, monkeypatch):
    """``skrapid bench gpu`` on a machine with PyTorch and no CuPy (PyTorch's
    CPU plays the CUDA device here): the epoch from a tensor against the CPU
    path, and the MNIST RAPID run from the tensor, as one fit."""
    import json

    from skrapid._bench import _common
    from skrapid._bench import gpu as bench_gpu
    from skrapid._cli import main

    monkeypatch.setattr(B, "_import_cupy", lambda: None)
    monkeypatch.setattr(bench_gpu, "_torch_gpu", lambda: ("cpu", "available"))
    monkeypatch.setattr(_common, "GEMM_SIZE", {"cpu": 300, "gpu": 300})
    monkeypatch.setattr(RARBM, "partial_fit", None)  # one fit, never a loop
    out = tmp_path / "gpu.json"
    args = ["bench", "gpu", "--data", "synthetic", "--n-samples", "2500",
            "--n-components", "8", "--repeats", "1", "--epochs", "2",
            "--rapid-n-components", "30", "--rapid-n-patterns", "3",
            "--json", str(out), "--quiet"]  # fmt: skip
    main(args)
    rep = json.loads(out.read_text())
    assert set(rep["results"]) == {"cpu epoch", "gpu epoch (torch tensor)"}
    gpu = rep["results"]["gpu epoch (torch tensor)"]
    assert gpu["device"] == "gpu" and gpu["memory_kind"].endswith("allocator peak)")
    assert gpu["speedup_vs_reference"] > 0
    assert rep["rapid_mnist"]["library"] == "PyTorch"
    assert rep["rapid_mnist"]["epochs_run"] == 2
