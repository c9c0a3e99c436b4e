"""SciPy sparse input for the binary estimators (BinaryRBM, RARBM with
``units="bernoulli"``), as scikit-learn's BernoulliRBM takes it.

Every method gives on a sparse X what it gives on the same values dense (the
same fitted parameters for the same ``random_state``); other sparse formats
are converted to CSR; spins, GaussianRBM and the GPU path refuse sparse input
clearly; and the data is never made dense as a whole: training densifies one
minibatch at a time and the predictions one chunk of rows at a time (or use
sparse-dense products).
"""

import copy
import json
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

import skrapid._validation as validation
from skrapid import RARBM, BinaryRBM, GaussianRBM

TOL = dict(rtol=1e-10, atol=1e-12)


def binary_data(n=120, V=12, density=0.3, seed=0, dtype=np.float64):
    """0/1 data with column-dependent rates around ``density``."""
    rng = np.random.default_rng(seed)
    rates = density * rng.uniform(0.5, 1.5, V)
    return (rng.random((n, V)) < rates).astype(dtype)


X_DENSE = binary_data()
X_LOW = binary_data(density=0.05, seed=1)  # predictions use sparse products
FAST = dict(n_components=5, max_iter=2, batch_size=10, random_state=0, device="cpu")


def fitted_params(est):
    names = [
        "components_",
        "intercept_visible_",
        "intercept_hidden_",
        "visible_mean_",
        "persistent_chains_",
        "patterns_visible_",
        "patterns_hidden_",
        "hidden_offset_",
    ]
    return {k: getattr(est, k) for k in names if getattr(est, k, None) is not None}


def assert_same_fit(a, b, **tol):
    pa, pb = fitted_params(a), fitted_params(b)
    assert pa.keys() == pb.keys()
    for k in pa:
        assert_allclose(pb[k], pa[k], err_msg=k, **{**TOL, **tol})
    assert a.n_iter_ == b.n_iter_


ESTIMATORS = {
    "binary-pcd": lambda: BinaryRBM(method="pcd", n_chains=7, **FAST),
    "binary-cd": lambda: BinaryRBM(method="cd", centering=False, **FAST),
    "binary-exact": lambda: BinaryRBM(method="exact", optimizer="adam", **FAST),
    "binary-pt": lambda: BinaryRBM(method="pt", n_temperatures=3, n_chains=5, **FAST),
    "rarbm-pcd": lambda: RARBM(units="bernoulli", n_patterns=2, **FAST),
    "rarbm-pid": lambda: RARBM(
        units="bernoulli", n_patterns=2, negative_phase="pid", n_gibbs_steps=1, **FAST
    ),
}


# --------------------------------------------------------------------------
# training: the same fit from dense and from CSR input
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_fit_and_partial_fit_from_csr_equal_dense(name):
    make = ESTIMATORS[name]
    dense, csr = make().fit(X_DENSE), make().fit(sp.csr_matrix(X_DENSE))
    assert_same_fit(dense, csr)
    # partial_fit continues both alike (persistent chains, optimizer state)
    dense.partial_fit(X_DENSE[:50])
    csr.partial_fit(sp.csr_array(X_DENSE[:50]))
    assert_same_fit(dense, csr)
    assert_allclose(
        csr.history_["reconstruction_error"], dense.history_["reconstruction_error"]
    )


def test_partial_fit_from_scratch_on_csr_chunks_equals_dense():
    a, b = ESTIMATORS["binary-pcd"](), ESTIMATORS["binary-pcd"]()
    for start in (0, 60):
        a.partial_fit(X_DENSE[start : start + 60])
        b.partial_fit(sp.csr_matrix(X_DENSE[start : start + 60]))
    assert_same_fit(a, b)


def test_float32_csr_keeps_float32_and_equals_dense():
    X32 = X_DENSE.astype(np.float32)
    dense = BinaryRBM(**FAST).fit(X32)
    csr = BinaryRBM(**FAST).fit(sp.csr_matrix(X32))
    assert csr.components_.dtype == np.float32
    assert_same_fit(dense, csr, rtol=1e-5, atol=1e-6)
    out = csr.transform(sp.csr_matrix(X32))
    assert out.dtype == np.float32
    assert_allclose(out, dense.transform(X32), rtol=1e-5, atol=1e-6)


def test_training_means_in_0_1_are_taken_sparse():
    X = X_DENSE * np.linspace(0.2, 1.0, X_DENSE.shape[1])  # means, not states
    dense = BinaryRBM(**FAST).fit(X)
    csr = BinaryRBM(**FAST).fit(sp.csr_matrix(X))
    assert_same_fit(dense, csr)


# --------------------------------------------------------------------------
# predictions: the same values from dense and from sparse input
# --------------------------------------------------------------------------
def _methods(est, X, kind):
    """Every method that reads X, on a fresh copy of ``est`` each (the same
    random stream for each input)."""

    def fresh():
        return copy.deepcopy(est)

    out = {
        "transform": fresh().transform(X),
        "free_energy": fresh().free_energy(X),
        "score_samples": fresh().score_samples(X),
        "score": fresh().score(X),
        "gibbs": fresh().gibbs(X),
        "sample_hidden": fresh().sample_hidden(X, random_state=0),
        "sample": fresh().sample(v_init=X[:9], n_steps=2, random_state=0),
        "sample-pt": fresh().sample(
            v_init=X[:9], n_steps=2, method="pt", n_temperatures=3, random_state=0
        ),
        "log_z-ais-X": fresh().log_partition_function(
            "ais", X=X, n_chains=5, n_betas=20, random_state=0
        ),
        "log_z-reverse-ais-X": fresh().log_partition_function(
            "reverse_ais", X=X, n_chains=5, n_betas=20, n_burn_in=2, random_state=0
        ),
    }
    for v in out.values():
        assert isinstance(v, float | np.ndarray) and not sp.issparse(v), kind
    return out


@pytest.mark.parametrize("X", [X_DENSE, X_LOW], ids=["chunks", "sparse-products"])
@pytest.mark.parametrize("name", ["binary-pcd", "rarbm-pcd"])
def test_every_method_on_sparse_equals_dense(name, X, monkeypatch):
    # small chunks, so that the chunked path runs over several of them
    monkeypatch.setattr(validation, "SPARSE_CHUNK_ROWS", 7)
    est = ESTIMATORS[name]().fit(X_DENSE)
    want = _methods(est, X, "dense")
    for to_sparse in (sp.csr_matrix, sp.csr_array):
        got = _methods(est, to_sparse(X), to_sparse.__name__)
        for k in want:
            assert_allclose(got[k], want[k], err_msg=k, **TOL)


@pytest.mark.parametrize("density", [0.02, 0.5])
def test_chunked_and_sparse_product_paths_agree(density, monkeypatch):
    """Both prediction paths, forced on the same data, against dense."""
    X = binary_data(n=50, density=density, seed=3)
    est = BinaryRBM(**FAST).fit(X)
    want = est.transform(X), est.free_energy(X)
    for threshold, chunk in ((1.0, 1000), (0.0, 8), (0.0, 1000)):
        monkeypatch.setattr(validation, "SPARSE_PRODUCT_DENSITY", threshold)
        monkeypatch.setattr(validation, "SPARSE_CHUNK_ROWS", chunk)
        got = est.transform(sp.csr_matrix(X)), est.free_energy(sp.csr_matrix(X))
        for g, w in zip(got, want, strict=True):
            assert_allclose(g, w, **TOL)


# --------------------------------------------------------------------------
# formats and layouts
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "to_sparse",
    [sp.csc_matrix, sp.coo_matrix, sp.lil_matrix, sp.csc_array, sp.coo_array],
    ids=lambda f: f.__name__,
)
def test_other_sparse_formats_are_converted_to_csr(to_sparse):
    dense = BinaryRBM(**FAST).fit(X_DENSE)
    other = BinaryRBM(**FAST).fit(to_sparse(X_DENSE))
    assert_same_fit(dense, other)
    assert_allclose(other.transform(to_sparse(X_DENSE)), dense.transform(X_DENSE))
    assert_allclose(
        other.score_samples(to_sparse(X_DENSE)), dense.score_samples(X_DENSE), **TOL
    )


def test_non_canonical_csr_duplicates_and_explicit_zeros():
    """Duplicate entries are summed (0.5 + 0.5 = 1 is a state) and stored
    zeros are zeros, as in the dense form."""
    coo = sp.coo_matrix(X_DENSE)
    rows = np.concatenate([coo.row, coo.row, [0, 1]])
    cols = np.concatenate([coo.col, coo.col, [0, 1]])
    vals = np.concatenate([0.5 * coo.data, 0.5 * coo.data, [0.0, 0.0]])
    order = np.argsort(rows, kind="stable")
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=coo.shape[0]))]
    dup = sp.csr_matrix((vals[order], cols[order], indptr), shape=coo.shape)
    assert not dup.has_canonical_format
    assert_allclose(dup.toarray(), X_DENSE)
    dense = BinaryRBM(**FAST).fit(X_DENSE)
    assert_same_fit(dense, BinaryRBM(**FAST).fit(dup))
    assert_allclose(dense.score_samples(dup), dense.score_samples(X_DENSE), **TOL)
    assert not dup.has_canonical_format  # the caller's matrix is not modified


def test_integer_and_boolean_sparse_become_float64():
    dense = BinaryRBM(**FAST).fit(X_DENSE)
    for dt in (np.int64, np.int8, bool):
        est = BinaryRBM(**FAST).fit(sp.csr_matrix(X_DENSE.astype(dt)))
        assert est.components_.dtype == np.float64
        assert_same_fit(dense, est)


def test_pipeline_with_sparse_input():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    y = (X_DENSE[:, 0] > 0).astype(int)
    kw = dict(max_iter=200)
    dense = make_pipeline(BinaryRBM(**FAST), LogisticRegression(**kw)).fit(X_DENSE, y)
    csr = make_pipeline(BinaryRBM(**FAST), LogisticRegression(**kw)).fit(
        sp.csr_matrix(X_DENSE), y
    )
    assert_allclose(
        csr.predict_proba(sp.csr_matrix(X_DENSE)),
        dense.predict_proba(X_DENSE),
        rtol=1e-6,
    )


def test_sparse_tag_follows_the_units():
    assert BinaryRBM().__sklearn_tags__().input_tags.sparse
    assert RARBM(units="bernoulli").__sklearn_tags__().input_tags.sparse
    assert not BinaryRBM(units="spin").__sklearn_tags__().input_tags.sparse
    assert RARBM().__sklearn_tags__().input_tags.sparse  # made dense (spins)
    assert not GaussianRBM().__sklearn_tags__().input_tags.sparse


# --------------------------------------------------------------------------
# what sparse input cannot be: clear errors
# --------------------------------------------------------------------------
SPIN_MSG = (
    r"(?s)units='spin'.*cannot take sparse.*"
    r"(units='bernoulli'.*dense ±1|X\.toarray\(\).*units='bernoulli')"
)


def test_binary_rbm_spin_units_refuse_sparse_input():
    make = lambda: BinaryRBM(units="spin", **FAST)  # noqa: E731
    Xpm = 2 * X_DENSE - 1
    with pytest.raises(ValueError, match=SPIN_MSG):
        make().fit(sp.csr_matrix(Xpm))
    with pytest.raises(ValueError, match=SPIN_MSG):
        make().partial_fit(sp.csr_matrix(Xpm))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = make().fit(Xpm)
    for method in ("transform", "score_samples", "free_energy", "gibbs"):
        with pytest.raises(ValueError, match=SPIN_MSG):
            getattr(est, method)(sp.csr_matrix(Xpm))


def test_rarbm_spins_take_sparse_01_data_as_dense():
    # the same model and numbers as the dense {0, 1} data (read as 2x - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dense = RARBM(n_patterns=2, **FAST).fit(X_DENSE)
        sparse_fit = RARBM(n_patterns=2, **FAST).fit(sp.csr_matrix(X_DENSE))
    np.testing.assert_array_equal(dense.components_, sparse_fit.components_)
    assert sparse_fit.visible_values_ == (0.0, 1.0)
    for method in ("transform", "free_energy"):
        np.testing.assert_allclose(
            getattr(dense, method)(X_DENSE),
            getattr(sparse_fit, method)(sp.csr_matrix(X_DENSE)),
        )
    # ±1 data stored sparse are ±1 states too
    Xpm = 2 * X_DENSE - 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = RARBM(n_patterns=2, **FAST).fit(sp.csr_matrix(Xpm))
    assert est.visible_values_ == (-1.0, 1.0)


@pytest.mark.parametrize(
    ("value", "pattern"), [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")]
)
def test_nan_and_inf_in_sparse_data_give_the_dense_errors(value, pattern):
    X = sp.csr_matrix(X_DENSE)
    X.data[3] = value
    with pytest.raises(ValueError, match=pattern) as sparse_err:
        BinaryRBM(**FAST).fit(X)
    poked = X_DENSE.copy()
    poked[sp.find(X)[0][3], sp.find(X)[1][3]] = value
    with pytest.raises(ValueError, match=pattern) as dense_err:
        BinaryRBM(**FAST).fit(poked)
    assert str(sparse_err.value) == str(dense_err.value)
    est = BinaryRBM(**FAST).fit(X_DENSE)
    for method in ("transform", "score_samples", "free_energy"):
        with pytest.raises(ValueError, match=pattern):
            getattr(est, method)(X)


def test_value_checks_read_the_stored_values():
    est = BinaryRBM(**FAST).fit(X_DENSE)
    frac = sp.csr_matrix(X_DENSE * 0.5)
    # the likelihood needs states
    with pytest.raises(ValueError, match=r"(?s)binary.*sparse input") as err:
        est.score_samples(frac)
    assert f"found {frac.nnz} entries" in str(err.value)
    est.transform(frac)  # means are fine for transform
    for bad in (2.0, -1.0):  # training means must lie in [0, 1]
        with pytest.raises(ValueError, match=r"(?s)\[0, 1\].*sparse input"):
            BinaryRBM(**FAST).fit(sp.csr_matrix(X_DENSE * bad))
    with pytest.raises(ValueError, match=r"(?s)RARBM is trained on binary states"):
        RARBM(units="bernoulli", n_patterns=2, **FAST).fit(frac)


def test_gaussian_rbm_refuses_sparse_input_clearly():
    X = np.random.default_rng(0).standard_normal((40, 6))
    with pytest.raises(TypeError, match=r"Sparse data was passed.*toarray"):
        GaussianRBM(n_components=3, max_iter=1, device="cpu").fit(sp.csr_matrix(X))
    est = GaussianRBM(n_components=3, max_iter=1, device="cpu").fit(X)
    with pytest.raises(TypeError, match=r"Sparse data was passed.*toarray"):
        est.transform(sp.csr_matrix(X))


def test_gpu_device_refuses_sparse_input_clearly():
    """device='gpu' takes dense data only; the error comes before any GPU is
    looked for (so it is the same with or without one)."""
    msg = r"device='gpu' does not take SciPy sparse input.*device='cpu'"
    with pytest.raises(ValueError, match=msg):
        BinaryRBM(**{**FAST, "device": "gpu"}).fit(sp.csr_matrix(X_DENSE))
    est = BinaryRBM(**FAST).fit(X_DENSE).set_params(device="gpu")
    with pytest.raises(ValueError, match=msg):
        est.transform(sp.csr_matrix(X_DENSE))
    # device="auto" computes sparse input on the CPU
    auto = BinaryRBM(**{**FAST, "device": "auto"}).fit(sp.csr_matrix(X_DENSE))
    assert_allclose(auto.components_, BinaryRBM(**FAST).fit(X_DENSE).components_)


# --------------------------------------------------------------------------
# never the whole data dense
# --------------------------------------------------------------------------
def test_no_whole_data_densification(monkeypatch):
    """Record every sparse-to-dense conversion: none makes more rows dense
    than a minibatch or a chunk of the predictions (1000 rows)."""
    n, batch = 2600, 50
    X = sp.csr_matrix(binary_data(n=n, V=15, density=0.3, seed=4))
    shapes = []
    for cls in (sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.coo_matrix):
        for meth in ("toarray", "todense"):
            orig = getattr(cls, meth)

            def record(self, *a, _orig=orig, **k):
                shapes.append(self.shape)
                return _orig(self, *a, **k)

            monkeypatch.setattr(cls, meth, record)
    est = BinaryRBM(**{**FAST, "batch_size": batch, "max_iter": 1}).fit(X)
    est.partial_fit(X)
    for method in ("transform", "score_samples", "free_energy", "gibbs"):
        getattr(est, method)(X)
    est.sample_hidden(X, random_state=0)
    est.log_partition_function("ais", X=X, n_chains=4, n_betas=10)
    est.log_partition_function("reverse_ais", X=X, n_chains=4, n_betas=10, n_burn_in=1)
    rows = [s[0] for s in shapes]
    assert rows, "nothing was made dense: the test would prove nothing"
    assert max(rows) <= max(batch, validation.SPARSE_CHUNK_ROWS) < n, max(rows)
    assert rows.count(batch) >= 2 * n // batch  # one per minibatch, two epochs


def test_fit_memory_stays_far_below_the_dense_data():
    """tracemalloc: fitting on a sparse X whose dense form takes 153 MiB
    allocates a small fraction of that (the per-epoch monitor makes 1000
    rows dense, 8 MiB, and computes with a few arrays of that size)."""
    n, V = 20000, 1000
    rng = np.random.default_rng(0)
    X = sp.random(n, V, density=0.01, format="csr", random_state=rng)
    X.data[:] = 1.0
    dense_mib = n * V * 8 / 2**20
    est = BinaryRBM(n_components=4, batch_size=100, max_iter=1, device="cpu")
    tracemalloc.start()
    try:
        est.fit(X)
        est.transform(X)
        est.free_energy(X)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert peak < dense_mib / 4, (peak, dense_mib)


# --------------------------------------------------------------------------
# the benchmark
# --------------------------------------------------------------------------
def test_bench_sparse_reports_dense_and_csr_side_by_side(tmp_path, capsys):
    from skrapid._cli import main

    path = tmp_path / "sparse.json"
    argv = ["bench", "sparse", "--data", "synthetic", "--n-samples", "150"]
    argv += ["--n-components", "8", "--batch-size", "50", "--repeats", "1"]
    argv += ["--dtypes", "float32", "--json", str(path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "dense vs CSR input" in out and "faster" in out
    report = json.loads(path.read_text())
    assert report["benchmark"] == "sparse" and 0 < report["density"] < 1
    results = report["results"]
    for task in ("fit", "transform", "score_samples"):
        d, s = results[f"{task} dense float32"], results[f"{task} CSR float32"]
        assert s["reference"] == f"{task} dense float32"
        assert d["median"] > 0 and s["median"] > 0 and s["speedup_vs_reference"] > 0
        assert s["input_mib"] < d["input_mib"]
        assert s["peak_memory_mib"] > 0
