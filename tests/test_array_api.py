"""The input decides where work runs (scikit-learn's Array API convention).

* NumPy input is computed with NumPy, whatever is installed: it never moves
  to a GPU (the CuPy stand-in plays an installed CuPy with a GPU).
* Under ``sklearn.config_context(array_api_dispatch=True)`` an
  ``array_api_strict`` array (on its CPU device or its simulated
  ``device1``) or a PyTorch tensor is computed by its own library where it
  lives (``skrapid/_xpnp.py``), and the outputs and fitted attributes stay in
  its namespace and on its device.  The results are those of the same fit on
  NumPy (``array_api_strict`` draws NumPy's random stream; PyTorch is given
  it in the tests that compare values).
* Crossings between the input's namespace and skrapid's compute namespace
  are counted: a call crosses for its inputs, the fitted arrays it reads
  and its outputs, never per minibatch, per epoch or per chain step.
* ``skrapid.to_numpy`` brings a fitted estimator home.

scikit-learn's own Array API checks run on every estimator of
``tests/test_common.py`` (``array_api_support`` is set); the PyTorch ones run
when torch is installed and skip otherwise.
"""

import contextlib
import pickle
import warnings

import numpy as np
import pytest
import sklearn
from conftest import skip_without_dispatch
from sklearn.utils.estimator_checks import check_array_api_input

import skrapid
from skrapid import RARBM, RBM, BinaryRBM, GaussianRBM
from skrapid import _backend as B
from skrapid.layers import Potts

xs = pytest.importorskip("array_api_strict")
skip_without_dispatch()


def dispatch():
    return sklearn.config_context(array_api_dispatch=True)


def binary(n=60, V=6, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (rng.random((n, V)) < 0.4).astype(dtype)


def spins(n=60, V=6, seed=0, dtype=np.float64):
    return 2 * binary(n, V, seed, dtype) - 1


def codes(n=60, V=6, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 3, size=(n, V)).astype(dtype)


def fields(n=60, V=6, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, V)).astype(dtype)


SMALL = dict(n_components=3, max_iter=3, batch_size=10, random_state=0)


def _case(make, data, name):
    return pytest.param(make, data, id=name)


# the estimator x training method grid of the device tests
# (tests/device_budgets.py)
CASES = (
    [
        _case(lambda m=m: BinaryRBM(method=m, **SMALL), binary, f"BinaryRBM-{m}")
        for m in ("cd", "pcd", "pt", "exact")
    ]
    + [
        _case(
            lambda m=m: RARBM(n_patterns=2, negative_phase=m, **SMALL),
            binary,
            f"RARBM-{m}",
        )  # fmt: skip
        for m in ("pid", "cd", "pcd", "pt", "exact")
    ]
    + [
        _case(lambda m=m: GaussianRBM(method=m, **SMALL), fields, f"GaussianRBM-{m}")
        for m in ("pcd", "cd", "exact", "natural", "eigen")
    ]
    + [
        _case(
            lambda m=m: GaussianRBM(hidden="spin", method=m, **SMALL),
            fields,
            f"GaussianRBM-spin-{m}",
        )  # fmt: skip
        for m in ("pcd", "cd")
    ]
    + [
        _case(lambda: RBM(hidden="relu", **SMALL), binary, "RBM-relu"),
        _case(
            lambda: RBM(visible="spin", hidden="drelu", method="cd", **SMALL),
            spins,
            "RBM-spin-drelu",
        ),
        _case(lambda: RBM(visible=Potts(n_states=3), **SMALL), codes, "RBM-potts"),
    ]
)
# the general RBM's layers beside it (ReLU, dReLU, Potts)
DEVICES = [xs.Device("CPU_DEVICE"), xs.Device("device1")]


def _ns(a):
    return type(a).__module__.split(".")[0]


def _home(a):
    return np.from_dlpack(a) if not isinstance(a, np.ndarray) else a


def _methods(est, X, X_np):
    """Every public method that takes or returns arrays, with its NumPy twin."""
    H = est.transform(X)
    return {
        "transform": lambda e, A: e.transform(A),
        "score_samples": lambda e, A: e.score_samples(A),
        "free_energy": lambda e, A: e.free_energy(A),
        "inverse_transform": lambda e, A: e.inverse_transform(e.transform(A)),
        "gibbs": lambda e, A: e.gibbs(A),
        "sample(v_init)": lambda e, A: e.sample(
            4, v_init=A[:4, ...], n_steps=50, random_state=1
        ),
        "sample": lambda e, A: e.sample(4, n_steps=50, random_state=1),
        "sample_hidden": lambda e, A: e.sample_hidden(A, random_state=2),
    }, H


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
@pytest.mark.parametrize("device", DEVICES, ids=str)
@pytest.mark.parametrize("make, data", CASES)
def test_every_method_follows_the_input(make, data, device):
    """Fit and every method on array_api_strict input under dispatch: outputs
    and fitted attributes in its namespace, on its device, with the NumPy
    fit's dtypes and values (array_api_strict computes it, with NumPy's
    random stream)."""
    X_np = data(dtype=np.float32)
    X = xs.asarray(X_np, device=device)
    ref = make().fit(X_np)
    with dispatch():
        est = make().fit(X)
    for key, value in vars(ref).items():
        if key.endswith("_") and isinstance(value, np.ndarray):
            got = getattr(est, key)
            assert _ns(got) == "array_api_strict", key
            assert got.device == device, key
            np.testing.assert_allclose(_home(got), value, rtol=1e-6, atol=1e-6)
    methods, _ = _methods(est, X, X_np)
    for name, call in methods.items():
        want = call(ref, X_np)
        with dispatch():
            got = call(est, X)
        assert _ns(got) == "array_api_strict", name
        assert got.device == device, name
        assert str(got.dtype).endswith(str(want.dtype)), (name, got.dtype, want.dtype)
        np.testing.assert_allclose(_home(got), want, rtol=1e-5, atol=1e-6, err_msg=name)
    with dispatch():
        assert est.score(X) == pytest.approx(ref.score(X_np), rel=1e-6)
        lz = est.log_partition_function("ais", X=X, n_betas=20, n_chains=5,
                                        random_state=0)  # fmt: skip
        assert lz == ref.log_partition_function("ais", X=X_np, n_betas=20,
                                                n_chains=5, random_state=0)  # fmt: skip
        if isinstance(est, GaussianRBM):
            cov = est.covariance()
            assert _ns(cov) == "array_api_strict" and cov.device == device
            np.testing.assert_allclose(_home(cov), ref.covariance(), rtol=1e-6)
        est.partial_fit(X)
    ref.partial_fit(X_np)
    assert _ns(est.components_) == "array_api_strict"
    np.testing.assert_allclose(_home(est.components_), ref.components_, rtol=1e-5)


@pytest.mark.parametrize("make, data", CASES[9:16])
def test_values_match_numpy_in_sklearns_check(make, data):
    """scikit-learn's Array API check with ``check_values=True``: fitted
    attributes and outputs equal to the NumPy fit's (the common checks run
    it with shapes and dtypes only; its data are real-valued, so the
    Gaussian models take them as they are)."""
    check_array_api_input(
        "est", make(), "array_api_strict", device_name="device1", dtype_name="float32",
        check_values=True,
    )  # fmt: skip


def test_complex_input_is_refused_as_numpys_is():
    """Complex data under dispatch: scikit-learn's error for NumPy input, not
    a cast that drops the imaginary part (PyTorch) or array_api_strict's
    casting error from deep inside."""
    X = (np.random.default_rng(0).random((20, 4)) < 0.4).astype(np.complex64)
    inputs = [X, xs.asarray(X, device=xs.Device("device1"))]
    try:
        import torch

        inputs.append(torch.asarray(X))
    except ImportError:
        pass
    for A in inputs:
        with dispatch(), pytest.raises(ValueError, match="Complex data not supported"):
            BinaryRBM(n_components=2, max_iter=1).fit(A)


def test_mixing_namespaces_is_a_clear_error():
    X_np = binary()
    with dispatch():
        est = BinaryRBM(**SMALL).fit(xs.asarray(X_np, device=xs.Device("device1")))
        with pytest.raises(
            ValueError, match=r"BinaryRBM.transform\(\) must use the same"
        ):
            est.transform(X_np)
        with pytest.raises(ValueError, match="Devices used during fit"):
            est.score_samples(xs.asarray(X_np))
    # the advice works: a NumPy copy of the estimator takes NumPy input
    host = skrapid.to_numpy(est)
    with dispatch():
        out = host.transform(X_np)
    assert isinstance(out, np.ndarray)


def test_without_dispatch_foreign_input_is_numpy_with_its_dtype():
    """The bug of the issue: float32 array_api_strict input came back as
    float64 NumPy.  Without dispatch it is read as NumPy, float32 kept."""
    X = xs.asarray(binary(dtype=np.float32))
    est = BinaryRBM(**SMALL).fit(X)
    assert isinstance(est.components_, np.ndarray)
    assert est.components_.dtype == np.float32
    out = est.transform(X)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32


def test_to_numpy_brings_a_fitted_estimator_home():
    X_np = fields(dtype=np.float32)
    X = xs.asarray(X_np, device=xs.Device("device1"))
    with dispatch():
        est = GaussianRBM(**SMALL).fit(X)
        expected = _home(est.score_samples(X))
    host = skrapid.to_numpy(est)
    assert _ns(est.components_) == "array_api_strict"  # the original is unchanged
    # the estimator itself pickles as its arrays do: nothing else of the
    # input's namespace stays on it
    assert "_input_space" not in vars(est)
    again = pickle.loads(pickle.dumps(est))
    assert _ns(again.components_) == "array_api_strict"
    for key, value in vars(host).items():
        if key.endswith("_") and not key.startswith("_") and hasattr(value, "shape"):
            assert isinstance(value, np.ndarray), key
    clone = pickle.loads(pickle.dumps(host))
    with pytest.raises(TypeError, match="takes a fitted skrapid estimator"):
        skrapid.to_numpy(est.components_)
    np.testing.assert_allclose(clone.score_samples(X_np), expected, rtol=1e-6)


def test_numpy_input_never_moves(strict_gpu):
    """With CuPy and a GPU present, NumPy input is computed with NumPy:
    no transfer at all, NumPy attributes and outputs (``device="auto"``)."""
    assert B.gpu_available()
    X = binary()
    with strict_gpu.counting() as c:
        est = BinaryRBM(**SMALL).fit(X)
        out = est.transform(X)
        est.score_samples(X)
    assert c == {"d2h": 0, "h2d": 0}
    assert isinstance(est.components_, np.ndarray) and isinstance(out, np.ndarray)


def test_device_gpu_moves_a_tensor_to_cupy(strict_gpu):
    """``device="gpu"`` is an explicit request for CuPy: a PyTorch tensor
    under dispatch is computed by CuPy (a CPU tensor copied there once),
    and the outputs and attributes come back as tensors."""
    torch = _torch()
    X = torch.asarray(binary(dtype=np.float32))
    with dispatch(), strict_gpu.counting() as c:
        est = BinaryRBM(device="gpu", **SMALL).fit(X)
        out = est.transform(X)
    assert c["h2d"] >= 2  # X to the device, for the fit and for transform
    assert isinstance(est.components_, torch.Tensor)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    X = xs.asarray(binary(dtype=np.float32), device=xs.Device("device1"))
    with dispatch():
        est = BinaryRBM(device="gpu", **SMALL).fit(X)
        out = est.transform(X)
    assert _ns(out) == "array_api_strict" and out.device == X.device


def test_cupy_input_under_dispatch_keeps_its_attributes_on_the_device(strict_gpu):
    cp = strict_gpu.module()
    X = binary(dtype=np.float32)
    Xd = cp.asarray(X)
    with dispatch():
        est = BinaryRBM(**SMALL).fit(Xd)
        assert B.is_cupy_array(est.components_)
        assert B.is_cupy_array(est.transform(Xd))
        with pytest.raises(ValueError, match="must use the same namespace"):
            est.transform(X)
    host = skrapid.to_numpy(est)
    assert isinstance(host.components_, np.ndarray)
    # without dispatch, CuPy input computes on the device as before, and
    # the fitted attributes are NumPy
    est2 = BinaryRBM(**SMALL).fit(Xd)
    assert isinstance(est2.components_, np.ndarray)
    assert B.is_cupy_array(est2.transform(Xd))


class _Crossings:
    """Counts the crossings between the input's namespace and the compute
    namespace (``from_foreign``: in; ``to_space``: out)."""

    def __init__(self, monkeypatch):
        self.n = {"in": 0, "out": 0}
        read, write = B.from_foreign, B.to_space

        def counted_read(a, **kw):
            self.n["in"] += 1
            return read(a, **kw)

        def counted_write(a, space):
            self.n["out"] += 1
            return write(a, space)

        monkeypatch.setattr(B, "from_foreign", counted_read)
        monkeypatch.setattr(B, "to_space", counted_write)

    def take(self):
        n, self.n = dict(self.n), {"in": 0, "out": 0}
        return n


@pytest.mark.parametrize("make, data", CASES)
def test_crossings_do_not_grow_with_the_work(make, data, monkeypatch):
    """The budgets: a fit crosses for X and its fitted arrays, whatever the
    epochs and minibatches; a prediction for X, the fitted arrays it reads
    and the output; ``sample`` the same for 10 or 200 Gibbs sweeps."""
    count = _Crossings(monkeypatch)
    X = xs.asarray(data(n=200), device=xs.Device("device1"))
    n_arrays = {}
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epochs, batch in ((1, 100), (3, 10)):  # 2 and 60 minibatches
            est = make().set_params(max_iter=epochs, batch_size=batch).fit(X)
            n_arrays[epochs] = count.take()
        assert n_arrays[1] == n_arrays[3]
        fitted = sum(
            1 for k, v in vars(est).items()
            if k.endswith("_") and not k.startswith("_") and hasattr(v, "shape")
        )  # fmt: skip
        assert n_arrays[3]["in"] == 1 and n_arrays[3]["out"] == fitted
        big = xs.concat([X] * 10, axis=0)
        for call in (est.transform, est.score_samples, est.free_energy):
            call(X)  # score_samples: the first call computes log Z
            count.take()
            call(X)
            n = count.take()
            # X, and each fitted array at most twice (the log Z cache's
            # fingerprint and the model): zero-copy on the CPU and on CUDA
            assert n["out"] == 1 and n["in"] <= 1 + 2 * fitted, (call.__name__, n)
            call(big)
            assert count.take() == n, call.__name__
        for method in ("ais", "reverse_ais"):
            n = []
            for n_betas in (50, 100):
                est.log_partition_function(method, n_betas=n_betas, n_chains=10,
                                           n_burn_in=20, random_state=0)  # fmt: skip
                n.append(count.take())
            assert n[0] == n[1], (method, n)  # none per temperature
        short = est.sample(50, n_steps=10, random_state=0)
        n_short = count.take()
        long = est.sample(50, n_steps=200, random_state=0)
        assert count.take() == n_short and n_short["out"] == 1
        assert short.shape == long.shape == (50, X.shape[1])


def test_device_cpu_computes_with_numpy_and_answers_in_the_input_namespace():
    X = xs.asarray(binary(), device=xs.Device("device1"))
    with dispatch():
        est = BinaryRBM(device="cpu", **SMALL).fit(X)
        out = est.transform(X)
    assert _ns(out) == "array_api_strict" and out.device == xs.Device("device1")


def test_device_gpu_without_cupy_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(B, "_import_cupy", lambda: None)
    X = xs.asarray(binary())
    with dispatch(), pytest.raises(RuntimeError, match=r"skrapid\[gpu\]"):
        BinaryRBM(device="gpu", **SMALL).fit(X)


# ---------------------------------------------------------------------------
# PyTorch: runs where torch is installed (not in CI's install), skips elsewhere
# ---------------------------------------------------------------------------
def _torch():
    return pytest.importorskip("torch")


@pytest.fixture
def numpy_stream(monkeypatch):
    """PyTorch's namespace draws with the façade's host generator, which makes
    NumPy's calls for the same seed: with it, a fit computed by PyTorch must
    give the NumPy fit's numbers (up to rounding), which checks every kernel
    of the PyTorch path against the NumPy one."""
    from skrapid import _xpnp

    monkeypatch.setattr(
        _xpnp.TorchLib, "generator", lambda lib, seed, ns: _xpnp.HostGenerator(seed, ns)
    )


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("make, data", CASES)
def test_torch_computes_the_numpy_results(make, data, dtype, numpy_stream):
    """PyTorch computes a tensor's fit with its own kernels; fed NumPy's
    random stream, it gives the NumPy fit's parameters and every method's
    values, as tensors of the input's dtype on its device."""
    torch = _torch()
    X_np = data(dtype=dtype)
    X = torch.asarray(X_np)
    ref = make().fit(X_np)
    methods, _ = _methods(ref, X_np, X_np)
    with dispatch():
        est = make().fit(X)
        got = {name: call(est, X) for name, call in methods.items()}
    want = {name: call(ref, X_np) for name, call in methods.items()}
    assert isinstance(est.components_, torch.Tensor)
    rtol = 2e-4 if dtype == "float32" else 1e-9
    np.testing.assert_allclose(
        est.components_.numpy(), ref.components_, rtol=rtol, atol=rtol
    )
    for name, value in got.items():
        assert isinstance(value, torch.Tensor), name
        assert value.device.type == "cpu", name
        assert str(value.dtype) == f"torch.{want[name].dtype}", name
        np.testing.assert_allclose(
            value.numpy(), want[name], rtol=rtol, atol=rtol, err_msg=name
        )


@pytest.fixture
def meta_default_device():
    """PyTorch's default device set to "meta", which holds no data: a tensor
    the PyTorch path made without naming the input's device lands there, and
    the first operation that mixes it with the input raises.  This is how
    the tests show, without a GPU, that work stays on a CUDA tensor's device."""
    torch = _torch()
    torch.set_default_device("meta")
    try:
        assert torch.zeros(1).device.type == "meta"
        yield
    finally:
        torch.set_default_device(None)


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
@pytest.mark.parametrize("make, data", CASES)
def test_torch_work_stays_on_the_input_device(make, data, meta_default_device):
    torch = _torch()
    X = torch.asarray(data(dtype=np.float32), device="cpu")
    with dispatch():
        est = make().fit(X)
        methods, _ = _methods(est, X, X)
        for name, call in methods.items():
            out = call(est, X)
            assert out.device.type == "cpu", name
        est.partial_fit(X)
        est.score(X)
        for method in ("ais", "reverse_ais"):
            est.log_partition_function(method, n_betas=20, n_chains=5, random_state=0)
    assert est.components_.device.type == "cpu"


def test_torch_tensors_that_need_grad_or_odd_dtypes_and_devices():
    torch = _torch()
    X = torch.asarray(binary(dtype=np.float32)).requires_grad_(True)
    with dispatch():
        est = BinaryRBM(**SMALL).fit(X)  # read without its graph
        assert isinstance(est.transform(X), torch.Tensor)
    half = torch.asarray(binary(dtype=np.float32)).to(torch.bfloat16)
    sparse = torch.asarray(binary(dtype=np.float32)).to_sparse()
    meta = torch.empty((10, 4), device="meta")  # as MPS or XPU: not computed
    for context in (dispatch, contextlib.nullcontext):
        with context(), pytest.raises(ValueError, match=r"X\.float\(\)"):
            BinaryRBM(**SMALL).fit(half)
        with context(), pytest.raises(ValueError, match=r"X\.to_dense\(\)"):
            BinaryRBM(**SMALL).fit(sparse)
        with context(), pytest.raises(ValueError, match=r"X\.cpu\(\)"):
            BinaryRBM(**SMALL).fit(meta)
    # integer and boolean tensors are read as NumPy reads them: float64
    for odd in (torch.asarray(binary()).to(torch.int64), torch.asarray(binary()) > 0):
        with dispatch():
            est = BinaryRBM(**SMALL).fit(odd)
            assert est.components_.dtype == torch.float64
    with dispatch(), pytest.raises(ValueError, match="NaN"):
        BinaryRBM(**SMALL).fit(torch.full((10, 4), float("nan")))


def test_torch_cuda_tensors_stay_on_the_gpu():
    torch = _torch()
    if not torch.cuda.is_available() or not B.gpu_available():
        pytest.skip("needs a CUDA GPU with PyTorch and CuPy")
    X = torch.asarray(binary(dtype=np.float32), device="cuda")
    with dispatch():
        est = BinaryRBM(**SMALL).fit(X)
        out = est.transform(X)
    assert est.components_.device.type == "cuda" and out.device.type == "cuda"


def test_bench_namespaces_runs_what_is_installed(tmp_path, monkeypatch, capsys):
    """``skrapid bench namespaces``: NumPy and, where installed, PyTorch
    input side by side, the missing cases listed as skipped."""
    import json

    from skrapid._cli import main

    out = tmp_path / "ns.json"
    args = ["bench", "namespaces", "--data", "synthetic", "--n-samples", "200",
            "--n-components", "8", "--repeats", "1", "--json", str(out)]  # fmt: skip
    assert main(args) == 0
    report = json.loads(out.read_text())
    names = set(report["results"])
    assert {"fit numpy", "score numpy"} <= names
    for kind in ("torch-cpu", "cupy", "torch-cuda"):
        assert (f"fit {kind}" in names) != (kind in report["skipped"])
    monkeypatch.delenv("SCIPY_ARRAY_API")
    with pytest.raises(RuntimeError, match="SCIPY_ARRAY_API=1 skrapid bench"):
        main(args)


def test_torch_fitted_model_samples_its_own_distribution():
    """The statistical test of the device path, on a PyTorch-fitted model:
    samples drawn as tensors follow the model's exact p(v) (chi-square over
    the 2^5 visible states, p-value above 1e-3 at a fixed seed), and its
    exact log-likelihood is the enumerated one."""
    torch = _torch()
    from conftest import all_states, brute_force
    from scipy.stats import chisquare

    X = torch.asarray(binary(n=200, V=5, seed=3))
    with dispatch():
        est = BinaryRBM(n_components=3, max_iter=20, learning_rate=0.1,
                        random_state=0).fit(X)  # fmt: skip
        S = est.sample(20000, n_steps=30, random_state=1)
        logp = est.score_samples(X)
    assert isinstance(S, torch.Tensor) and S.shape == (20000, 5)
    host = skrapid.to_numpy(est)
    exact = brute_force(host)
    np.testing.assert_allclose(
        logp.numpy(),
        exact["log_p"][(X.numpy() @ (2 ** np.arange(5)[::-1])).astype(int)],
        atol=1e-8,
    )
    states = all_states(5, "bernoulli")
    codes = (S.numpy() @ (2 ** np.arange(5)[::-1])).astype(int)
    order = (states @ (2 ** np.arange(5)[::-1])).astype(int)
    counts = np.bincount(codes, minlength=32)[order]
    expected = np.exp(exact["log_p"]) * len(codes)
    assert chisquare(counts, expected).pvalue > 1e-3


def test_fit_covariance_follows_its_target():
    """``GaussianRBM.fit_covariance(kernel=K)``: the fitted attributes and
    ``covariance()`` live where K lives, with the NumPy fit's values."""
    from skrapid.datasets import lattice_kernel

    K = lattice_kernel(4, m2=4.0)
    Kx = xs.asarray(K, device=xs.Device("device1"))
    kw = dict(n_components=4, mu2=9.0, method="exact", max_iter=50, random_state=0)
    ref = GaussianRBM(**kw).fit_covariance(kernel=K)
    with dispatch():
        est = GaussianRBM(**kw).fit_covariance(kernel=Kx)
        cov = est.covariance()
        with pytest.raises(ValueError, match=r"fit_covariance\(\) must use the same"):
            est.fit_covariance(kernel=K, reset=False)
    assert _ns(est.kernel_) == "array_api_strict" and cov.device == Kx.device
    np.testing.assert_allclose(_home(cov), ref.covariance(), rtol=1e-10)


def test_device_cpu_brings_an_off_host_tensor_to_the_cpu(monkeypatch):
    """``device="cpu"`` is an explicit request: a tensor NumPy cannot read
    where it lives (a CUDA tensor without CuPy, played here by a DLPack
    export that fails once) is copied to the CPU by its own library; with
    ``device="auto"`` the same tensor is computed by PyTorch where it lives,
    and NumPy never tries to read it."""
    torch = _torch()
    monkeypatch.setattr(B, "_import_cupy", lambda: None)
    real = np.from_dlpack
    state = {"fail": 0}

    def off_host_once(a, *args, **kwargs):
        if state["fail"]:
            state["fail"] -= 1
            raise BufferError("the array is on a device NumPy cannot read")
        return real(a, *args, **kwargs)

    monkeypatch.setattr(np, "from_dlpack", off_host_once)
    X = torch.asarray(binary(dtype=np.float32))
    state["fail"] = 1
    with dispatch():
        est = BinaryRBM(device="cpu", **SMALL).fit(X)
    assert isinstance(est.components_, torch.Tensor)
    state["fail"] = 1
    with dispatch():
        est = BinaryRBM(**SMALL).fit(X)
        assert isinstance(est.transform(X), torch.Tensor)
    assert state["fail"] == 1  # no DLPack export to NumPy was tried
    assert isinstance(est.components_, torch.Tensor)


def test_grid_search_selects_on_tensors_and_on_strict_arrays(numpy_stream):
    """GridSearchCV scores by held-out log-likelihood on foreign input under
    dispatch, and picks what it picks on NumPy input (PyTorch fed NumPy's
    random stream)."""
    from sklearn.model_selection import GridSearchCV

    X_np = binary(n=120, V=8, seed=1, dtype=np.float32)
    grid = {"n_components": [2, 4]}

    def search(X):
        est = BinaryRBM(max_iter=3, random_state=0)
        return GridSearchCV(est, grid, cv=3).fit(X)

    ref = search(X_np)
    inputs = [xs.asarray(X_np)]
    try:
        import torch

        inputs.append(torch.asarray(X_np))
    except ImportError:
        pass
    for X in inputs:
        with dispatch():
            gs = search(X)
        assert gs.best_params_ == ref.best_params_
        assert gs.best_score_ == pytest.approx(ref.best_score_, rel=1e-5)
        assert _ns(gs.best_estimator_.components_) == _ns(X)


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
@pytest.mark.parametrize("make, data", CASES)
def test_cupy_fit_under_dispatch_keeps_every_method_on_the_device(
    make, data, strict_gpu
):
    """The device tests' grid on the strict CuPy stand-in under dispatch: the
    fitted attributes stay CuPy arrays, and every method reads them there
    (the stand-in refuses any implicit host conversion); ``to_numpy`` gives
    a host model with the same answers."""
    cp = strict_gpu.module()
    X_np = data(dtype=np.float32)
    Xd = cp.asarray(X_np)
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = make().fit(Xd)
        for key, value in vars(est).items():
            if (
                key.endswith("_")
                and not key.startswith("_")
                and hasattr(value, "shape")
            ):
                assert B.is_cupy_array(value), key
        outs = {
            "transform": est.transform(Xd),
            "score_samples": est.score_samples(Xd),
            "free_energy": est.free_energy(Xd),
            "inverse_transform": est.inverse_transform(est.transform(Xd)),
            "sample": est.sample(4, random_state=0),
            "sample_hidden": est.sample_hidden(Xd, random_state=0),
        }
        for name, out in outs.items():
            assert B.is_cupy_array(out), name
        est.log_partition_function("ais", n_betas=20, n_chains=5, random_state=0)
        est.partial_fit(Xd)
    host = skrapid.to_numpy(est)
    np.testing.assert_allclose(
        host.transform(X_np), est.transform(Xd).get(), rtol=1e-5, atol=1e-6
    )


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
@pytest.mark.parametrize(
    "device_name, dtype_name", [("device1", "float32"), ("CPU_DEVICE", "float64")]
)
def test_every_common_estimator_gives_the_numpy_values(device_name, dtype_name):
    """scikit-learn's Array API check with ``check_values=True`` on every
    estimator configuration of the common checks: the binary models through
    their squashed-input subclasses (the check feeds real values), the
    Gaussian ones as they are."""
    from test_common import GAUSSIAN, SQUASHED

    assert len(SQUASHED + GAUSSIAN) == 17
    for est in SQUASHED + GAUSSIAN:
        check_array_api_input(
            type(est).__name__, est, "array_api_strict", device_name=device_name,
            dtype_name=dtype_name, check_values=True,
        )  # fmt: skip


def test_arrays_without_dlpack_are_read_as_numpy_reads_them():
    """A dask array has no DLPack export: it is read by NumPy's conversion,
    as before (NumPy out without dispatch, dask arrays under it)."""
    da = pytest.importorskip("dask.array")
    X_np = binary()
    X = da.from_array(X_np, chunks=20)
    ref = BinaryRBM(**SMALL).fit(X_np)
    est = BinaryRBM(**SMALL).fit(X)
    out = est.transform(X)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, ref.transform(X_np))
    with dispatch():
        est = BinaryRBM(**SMALL).fit(X)
        out = est.transform(X)
    assert _ns(out) == "dask" and _ns(est.components_) == "dask"
    np.testing.assert_allclose(np.asarray(out), ref.transform(X_np))


def test_importing_skrapid_imports_no_array_library():
    """PyTorch, CuPy and array_api_strict are imported only when an input
    needs them (a fresh interpreter: nothing else has imported them)."""
    import subprocess
    import sys

    code = (
        "import sys, skrapid, skrapid.layers; "
        "print(sorted(m for m in ('torch', 'cupy', 'array_api_strict') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert out.stdout.strip() == "[]"
