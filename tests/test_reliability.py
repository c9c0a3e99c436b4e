"""Reliability: no silently wrong answer, no lost work.

One test (or a few) per item of the reliability issue: divergence with finite
numbers, structural parameters changed after fit, extreme values, argument
validation, interrupted fits, bounded memory of reverse AIS, versioned
pickles.  The CLI and reproduction-record items are in ``test_cli.py`` and
``test_reproduce_records.py``; the bad-input fuzz suite in ``test_fuzz.py``.
"""

import pickle
import re
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

import skrapid._partition as partition
from skrapid import (
    RARBM,
    BinaryRBM,
    GaussianRBM,
    InconsistentVersionWarning,
    TrainingDivergedError,
)


@pytest.fixture(scope="module")
def X01():
    rng = np.random.RandomState(0)
    protos = rng.rand(4, 12) < 0.5
    X = protos[rng.randint(0, 4, 120)]
    flip = rng.rand(*X.shape) < 0.1
    return (X ^ flip).astype(float)


def _suggested_lr(message):
    return float(re.search(r"learning_rate=([0-9.eE+-]+?)(?: or|\.$)", message)[1])


# -- 1. divergence is caught even when the numbers stay finite -----------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda lr: BinaryRBM(4, learning_rate=lr, max_iter=20, random_state=0),
        lambda lr: BinaryRBM(
            4, method="cd", learning_rate=lr, max_iter=20, random_state=0
        ),
        lambda lr: BinaryRBM(
            4, method="exact", learning_rate=lr, max_iter=20, random_state=0
        ),
        lambda lr: RARBM(
            8,
            n_patterns=2,
            units="bernoulli",
            learning_rate=lr,
            max_iter=20,
            random_state=0,
        ),
    ],
    ids=["pcd", "cd", "exact", "rarbm-biases"],
)
def test_finite_collapse_raises_with_advice_that_works(make, X01):
    est = make(1e6)
    with pytest.raises(TrainingDivergedError, match="learning_rate=") as err:
        est.fit(X01)
    msg = str(err.value)
    assert "collapsed" in msg
    lr = _suggested_lr(msg)
    assert lr <= 0.1  # at most the class default
    good = make(lr).fit(X01)  # the advice works
    uniform = -X01.shape[1] * np.log(2)
    assert np.isfinite(good.components_).all()
    assert good.score(X01) > uniform


def test_collapse_check_spares_the_papers_pid_recipe():
    # pure PID with ±1 patterns is a poor density model by design, but it is
    # bounded: its pseudo-likelihood falls far below the uniform model's
    # while its parameters do not grow, and it must train without an error
    from sklearn.datasets import load_digits

    S = 2.0 * (load_digits().data[:400] > 7) - 1
    est = RARBM(64, n_patterns=8, max_iter=8, random_state=0, **RARBM.PAPER_RECIPE)
    est.fit(S)
    assert est.n_iter_ == 8


def test_divergence_keeps_the_last_good_epoch(X01):
    est = BinaryRBM(4, learning_rate=0.05, max_iter=3, random_state=0).fit(X01)
    before = est.components_.copy()
    est.set_params(learning_rate=1e6)
    with pytest.raises(TrainingDivergedError, match="keeps the model of epoch 3"):
        est.partial_fit(X01)
    assert est.n_iter_ == 3 and len(est.history_["epoch"]) == 3
    np.testing.assert_array_equal(est.components_, before)
    est.set_params(learning_rate=0.05).partial_fit(X01)  # and goes on
    assert est.n_iter_ == 4


# -- 3. predictions depend only on what was fitted ---------------------------------
@pytest.mark.parametrize(
    "est, X_kind, change",
    [
        (BinaryRBM(3, max_iter=2, random_state=0), "01", {"units": "spin"}),
        (BinaryRBM(3, max_iter=2, random_state=0), "01", {"fit_intercept": False}),
        (BinaryRBM(3, max_iter=2, random_state=0), "01", {"n_components": 5}),
        (
            RARBM(6, n_patterns=2, max_iter=2, random_state=0),
            "pm",
            {"units": "bernoulli"},
        ),
        (
            RARBM(6, n_patterns=2, max_iter=2, random_state=0),
            "pm",
            {"fit_intercept": False},
        ),
        (RARBM(6, n_patterns=2, max_iter=2, random_state=0), "pm", {"n_patterns": 3}),
        (GaussianRBM(3, max_iter=2, random_state=0), "real", {"mu2": 2.0}),
        (GaussianRBM(3, max_iter=2, random_state=0), "real", {"hidden": "spin"}),
        (GaussianRBM(3, mu2=1.5, max_iter=2, random_state=0), "real", {"mu2": "auto"}),
        (GaussianRBM(3, max_iter=2, random_state=0), "real", {"sigma_h2": 2.0}),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else "",
)
def test_structural_set_params_after_fit_refuses(est, X_kind, change, X01):
    X = {
        "01": X01,
        "pm": 2 * X01 - 1,
        "real": X01 + 0.3 * np.random.RandomState(0).randn(*X01.shape),
    }[X_kind]
    est.fit(X)
    ref = est.score_samples(X[:5])
    fp = est._param_fingerprint()
    ((name, value),) = change.items()
    old = est.get_params()[name]
    est.set_params(**change)
    # the log Z cache is keyed on the structural parameters too
    assert est._param_fingerprint() != fp
    for call in (est.transform, est.score_samples, est.partial_fit):
        with pytest.raises(ValueError, match=rf"fitted with {name}=.*refit"):
            call(X[:5])
    est.set_params(**{name: old})  # set back: the same answers
    np.testing.assert_allclose(est.score_samples(X[:5]), ref)
    if name == "units":  # a refit adopts the new value (on data in its units)
        X = 2 * X - 1 if value == "spin" else (X + 1) / 2
    est.set_params(**change).fit(X)
    est.transform(X[:5])


def test_non_structural_set_params_after_fit_is_fine(X01):
    est = BinaryRBM(3, max_iter=2, random_state=0).fit(X01)
    ref = est.score_samples(X01[:5])
    est.set_params(learning_rate=0.01, n_gibbs_steps=3, max_iter=7)
    np.testing.assert_allclose(est.score_samples(X01[:5]), ref)
    est.partial_fit(X01)
    assert est.n_iter_ == 3


# -- 4. extreme values --------------------------------------------------------------
@pytest.fixture(scope="module")
def gauss():
    Y = np.random.RandomState(0).randn(200, 5)
    return Y, GaussianRBM(5, random_state=0).fit(Y)


def test_gaussian_score_of_huge_values_is_a_clear_error(gauss):
    Y, est = gauss
    with pytest.raises(ValueError, match="overflow.*Rescale"):
        est.score_samples(Y * 1e200)
    with pytest.raises(ValueError, match="overflow.*Rescale"):
        est.transform(Y * 1e200)
    # far but representable: finite and exactly scaled, no NaN
    assert np.isfinite(est.score_samples(Y * 1e50)).all()


@pytest.mark.parametrize("method", ["auto", "exact", "pcd", "natural"])
@pytest.mark.parametrize("scale", [1e150, 1e-120])
def test_gaussian_fit_at_extreme_scale_is_a_clear_error(method, scale, gauss):
    Y, _ = gauss
    est = GaussianRBM(5, method=method, max_iter=2, random_state=0)
    with pytest.raises(ValueError, match="standard deviations.*Rescale"):
        est.fit(Y * scale)


def test_gaussian_float32_range(gauss):
    Y, _ = gauss
    with pytest.raises(ValueError, match="float32"):
        GaussianRBM(5, max_iter=1).fit((Y * 1e8).astype(np.float32))
    est = GaussianRBM(5, max_iter=1).fit((Y * 1e3).astype(np.float32))
    assert np.isfinite(est.score((Y * 1e3).astype(np.float32)))


@pytest.mark.parametrize("method", ["exact", "natural", "eigen"])
def test_fit_covariance_at_extreme_scale_is_a_clear_error(method, gauss):
    Y, _ = gauss
    C = np.cov(Y.T)
    est = GaussianRBM(5, method=method, max_iter=2)
    with pytest.raises(ValueError, match="covariance has standard deviations"):
        est.fit_covariance(covariance=C * 1e300)
    with pytest.raises(ValueError, match="kernel has standard deviations"):
        est.fit_covariance(kernel=np.linalg.inv(C) * 1e300)


# -- 5. argument validation ---------------------------------------------------------
@pytest.mark.parametrize("bad", [-1, 2.5, True, "10", None])
def test_n_burn_in_is_validated(bad, X01):
    est = BinaryRBM(3, max_iter=1, random_state=0).fit(X01)
    with pytest.raises(ValueError, match="n_burn_in"):
        est.log_partition_function("reverse_ais", n_burn_in=bad, n_betas=10)


@pytest.mark.parametrize("bad", [-1, 2.5, True])
def test_sample_n_steps_is_validated(bad, X01):
    est = BinaryRBM(3, max_iter=1, random_state=0).fit(X01)
    with pytest.raises(ValueError, match="n_steps"):
        est.sample(3, n_steps=bad)


@pytest.mark.parametrize("cls", [BinaryRBM, RARBM])
@pytest.mark.parametrize("bad", [1e300, 101.0, float("inf"), float("nan")])
def test_init_scale_is_bounded(cls, bad, X01):
    with pytest.raises(InvalidParameterError, match="init_scale"):
        cls(max_iter=1, init_scale=bad).fit(X01 if cls is BinaryRBM else 2 * X01 - 1)


# -- 7. interrupting a long fit keeps what was learnt ----------------------------------
def _interrupt_after(est, n_updates):
    calls = {"n": 0}
    inner = est._gradient

    def gradient(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > n_updates:
            raise KeyboardInterrupt
        return inner(*args, **kwargs)

    est._gradient = gradient
    return est


@pytest.mark.parametrize("cls", [BinaryRBM, RARBM])
def test_keyboard_interrupt_keeps_the_last_finished_epoch(cls, X01):
    X = X01 if cls is BinaryRBM else 2 * X01 - 1
    kw = dict(n_components=4, batch_size=20, max_iter=6, random_state=0)
    reference = cls(**{**kw, "max_iter": 2}).fit(X)
    est = _interrupt_after(cls(**kw), n_updates=2 * 6 + 3)  # 6 batches an epoch
    with pytest.warns(UserWarning, match="during epoch 3.*model of epoch 2"):
        with pytest.raises(KeyboardInterrupt):
            est.fit(X)
    assert est.n_iter_ == 2 and len(est.history_["epoch"]) == 2
    np.testing.assert_array_equal(est.components_, reference.components_)
    np.testing.assert_array_equal(est.intercept_visible_, reference.intercept_visible_)
    np.testing.assert_array_equal(est.persistent_chains_, reference.persistent_chains_)
    del est._gradient  # training goes on where it stopped
    est.partial_fit(X)
    assert est.n_iter_ == 3


def test_interrupted_refit_leaves_no_stale_model(X01):
    est = BinaryRBM(4, batch_size=20, max_iter=3, random_state=0).fit(X01)
    _interrupt_after(est, n_updates=2)
    with pytest.warns(UserWarning, match="not fitted"):
        with pytest.raises(KeyboardInterrupt):
            est.fit(X01)
    with pytest.raises(NotFittedError):
        est.transform(X01)
    assert not hasattr(est, "components_") and not hasattr(est, "n_iter_")


def test_interrupted_gaussian_fit_keeps_its_epochs(gauss):
    Y, _ = gauss
    est = GaussianRBM(
        5,
        method="pcd",
        mu2=3.0,
        learning_rate=0.01,
        batch_size=50,
        max_iter=5,
        random_state=0,
    )
    _interrupt_after(est, n_updates=4 * 2 + 1)
    with pytest.warns(UserWarning, match="model of epoch 2"):
        with pytest.raises(KeyboardInterrupt):
            est.fit(Y)
    assert est.n_iter_ == 2
    assert np.isfinite(est.score(Y))


# -- 8. reverse AIS runs its burn-in chunk by chunk -----------------------------------
def test_reverse_ais_memory_is_bounded(monkeypatch, X01):
    est = BinaryRBM(8, max_iter=3, random_state=0).fit(X01)
    exact = est.log_partition_function("exact")
    monkeypatch.setattr(partition, "_AIS_CHUNK_ELEMENTS", 2**10)  # 85 chains a chunk

    def peak(n_chains):
        tracemalloc.start()
        lz, se = est.log_partition_function(
            "reverse_ais",
            n_chains=n_chains,
            n_betas=20,
            n_burn_in=5,
            return_std=True,
            random_state=0,
        )
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top, lz, se

    small, _, _ = peak(500)
    large, lz, se = peak(20000)
    # 20 000 chains at once would hold 20 000 x 12 states and fields (> 4 MB);
    # chunked, only the log-weights grow with the chain count (160 kB)
    assert large < small + 20000 * 8 * 4
    assert large < 2e6
    assert abs(lz - exact) < max(5 * se, 0.05)


# -- 9. pickles say what wrote them -------------------------------------------------
def test_pickles_carry_the_version_and_warn_on_mismatch(X01):
    import skrapid

    est = BinaryRBM(3, max_iter=1, random_state=0).fit(X01)
    blob = pickle.dumps(est)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = pickle.loads(blob)  # same version: silent
    assert not hasattr(back, "_skrapid_version")
    np.testing.assert_array_equal(back.components_, est.components_)
    state = est.__getstate__()
    assert state["_skrapid_version"] == skrapid.__version__
    for written_by, shown in (
        (dict(state, _skrapid_version="0.0.1"), "0.0.1"),
        ({k: v for k, v in state.items() if k != "_skrapid_version"}, "unknown"),
    ):
        fresh = BinaryRBM.__new__(BinaryRBM)
        with pytest.warns(InconsistentVersionWarning, match=f"version {shown} when"):
            fresh.__setstate__(written_by)
        np.testing.assert_array_equal(fresh.components_, est.components_)


# -- sizes are checked before anything is allocated ------------------------------
def test_sample_sizes_are_checked_before_allocating():
    from skrapid import BinaryRBM, GaussianRBM

    X = (np.random.default_rng(0).random((40, 6)) > 0.5).astype(float)
    rbm = BinaryRBM(n_components=3, max_iter=2, random_state=0).fit(X)
    with pytest.raises(
        ValueError, match="n_samples must be a positive integer; got True"
    ):
        rbm.sample(True)
    with pytest.raises(MemoryError, match=r"Draw at most about \d+ samples per call"):
        rbm.sample(10**12)
    with pytest.raises(MemoryError, match="10 x 1000000000 x 6"):
        rbm.sample(10**9, method="pt")
    with pytest.raises(ValueError, match="n_samples=5 but v_init has 3 rows"):
        rbm.sample(5, v_init=X[:3])
    assert rbm.sample(v_init=X[:3], n_steps=1, random_state=0).shape == (3, 6)
    assert rbm.sample(3, v_init=X[:3], n_steps=1, random_state=0).shape == (3, 6)
    g = GaussianRBM(n_components=3, random_state=0).fit(
        np.random.default_rng(0).normal(size=(40, 6))
    )
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="n_steps must be a non-negative integer"):
            g.sample(2, n_steps=bad)
    with pytest.raises(MemoryError, match="samples per call"):
        g.sample(10**13)


def test_model_sizes_are_checked_before_allocating():
    from skrapid import RARBM, BinaryRBM, GaussianRBM

    X = (np.random.default_rng(0).random((40, 6)) > 0.5).astype(float)
    with pytest.raises(
        MemoryError, match=r"fewer hidden units \(n_components\) or patterns"
    ):
        RARBM(n_patterns=10**9, n_components=3).fit(X)
    with pytest.raises(MemoryError, match="fewer hidden units"):
        BinaryRBM(n_components=10**12).fit(X)
    with pytest.raises(MemoryError, match="fewer hidden units"):
        GaussianRBM(n_components=10**12).fit(X)


def test_gaussian_partial_fit_takes_one_row_after_a_fit():
    """One sample has no spread to start from, but after a fit one more row
    only moves the running covariance (natural and eigen)."""
    from skrapid import GaussianRBM

    X = np.random.default_rng(0).normal(size=(50, 4))
    for method in ("natural", "eigen"):
        g = GaussianRBM(n_components=2, method=method, random_state=0).fit(X)
        n = g.n_iter_
        g.partial_fit(X[:1])
        assert g.n_iter_ == n + 1 and np.all(np.isfinite(g.kernel_))
    with pytest.raises(ValueError, match="needs at least 2 samples"):
        GaussianRBM(n_components=2).fit(X[:1])


def test_bounded_model_far_worse_than_uniform_warns():
    """RAPID with signed patterns and weight decay: the parameters stay
    bounded, so the divergence check lets it through, but its pseudo-
    log-likelihood is several times a uniform model's: a ConvergenceWarning
    says so (pointing at the user's call); ordinary fits stay silent."""
    from sklearn.exceptions import ConvergenceWarning

    from skrapid import RARBM, BinaryRBM

    X = (np.random.default_rng(0).random((300, 6)) < 0.3).astype(float)
    bad = RARBM(n_patterns=2, n_components=8, weight_decay=1.0, units="spin",
                pattern_constraint="sign", fit_intercept=True, max_iter=30,
                random_state=0)  # fmt: skip
    with pytest.warns(
        ConvergenceWarning, match="far worse than a uniform model"
    ) as rec:
        bad.fit(X)
    assert any(r.filename == __file__ for r in rec)
    assert bad.score(X) < -6 * np.log(2)  # the warning was right
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        BinaryRBM(n_components=8, max_iter=30, random_state=0).fit(X)
        RARBM(n_patterns=2, n_components=8, max_iter=30, random_state=0).fit(X)


# -- memory is bounded by blocks of rows (tracemalloc; 10^5 rows keep it quick,
#    and the peaks scale with the blocks, not the rows) ---------------------------
@pytest.mark.parametrize(
    "case", ["sample", "gaussian_sample", "score", "gaussian_score", "sparse_score"]
)
def test_extra_memory_stays_within_twice_the_input_or_output(case):
    import scipy.sparse as sp

    from skrapid import BinaryRBM, GaussianRBM

    rng = np.random.default_rng(0)
    V, N = 20, 200_000
    Xb = (rng.random((2000, V)) < 0.3).astype(np.float64)
    binary = BinaryRBM(n_components=10, max_iter=1, random_state=0).fit(Xb)
    gauss = GaussianRBM(n_components=10, random_state=0).fit(rng.normal(size=(2000, V)))
    dense = N * V * 8
    if case == "sample":
        call, ref = (lambda: binary.sample(N, n_steps=1, random_state=0)), dense
    elif case == "gaussian_sample":
        call, ref = (lambda: gauss.sample(N, random_state=0)), dense
    elif case == "score":
        X = (rng.random((N, V)) < 0.3).astype(np.float64)
        binary.log_partition_function("exact")
        call, ref = (lambda: binary.score_samples(X)), dense
    elif case == "gaussian_score":
        X = rng.normal(size=(N, V))
        call, ref = (lambda: gauss.score_samples(X)), dense
    else:
        X = sp.csr_matrix((rng.random((N, V)) < 0.05).astype(np.float64))
        binary.log_partition_function("exact")
        call, ref = (lambda: binary.score_samples(X)), X.data.nbytes + X.indices.nbytes
        ref = max(ref, N * 8)  # the output
    tracemalloc.start()
    try:
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= 2 * ref, (case, peak / ref)


def test_far_worse_than_uniform_warns_once_per_fit_with_partial_fit():
    from sklearn.exceptions import ConvergenceWarning

    from skrapid import RARBM

    X = (np.random.default_rng(0).random((300, 6)) < 0.3).astype(float)
    est = RARBM(n_patterns=2, n_components=8, weight_decay=1.0, units="spin",
                pattern_constraint="sign", fit_intercept=True,
                random_state=0)  # fmt: skip
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        for _ in range(30):
            est.partial_fit(X)
    assert sum(issubclass(r.category, ConvergenceWarning) for r in rec) == 1


def test_gaussian_constant_or_underflowing_data_get_advice_that_works():
    """Columns that vary but whose variances underflow float64 are named as
    a scale problem (they were called constant); constant data get advice
    that does not repeat the settings in use, and following it fits."""
    from skrapid import GaussianRBM

    tiny = np.random.default_rng(0).normal(size=(100, 4)) * 1e-200
    with pytest.raises(ValueError, match="standard deviations from .*e-200"):
        GaussianRBM(n_components=2, method="pcd").fit(tiny)
    const = np.ones((100, 4))
    with pytest.raises(
        ValueError, match=r"Give a numeric mu2 \(e.g. mu2=1.0\) and method='pcd'"
    ):
        GaussianRBM(n_components=2).fit(const)
    with pytest.raises(ValueError, match=r"Give a numeric mu2 \(e.g. mu2=1.0\)\.$"):
        GaussianRBM(n_components=2, method="pcd").fit(const)
    rbm = GaussianRBM(n_components=2, method="pcd", mu2=1.0, max_iter=2).fit(const)
    assert np.all(np.isfinite(rbm.score_samples(const[:3])))
