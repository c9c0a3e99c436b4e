"""Diagnostics of log Z estimates and UnreliableEstimateWarning.

Each cause of an unreliable estimate is produced on a model whose exact log Z
is known (a hidden layer small enough to enumerate), so the tests check that
the diagnostics say what is true: the proven bound is below the exact log Z,
an estimate below the bound is replaced by it (and so moves towards the
truth), and the warning names the cause.
"""

import math
import warnings

import numpy as np
import pytest

from skrapid import RARBM, BinaryRBM, LogZEstimate, UnreliableEstimateWarning
from skrapid._diagnostics import BRACKET_MARGIN, ESS_MIN_FRACTION, assess


def _digits01():
    from sklearn.datasets import load_digits

    return (load_digits().data > 7).astype(float)


@pytest.fixture(scope="module")
def cold():
    """A cold, sharp model (learning rate 2, 60 epochs) on digits > 7 with 12
    hidden units: exact log Z by enumeration, and AIS with few temperatures
    misses its modes."""
    X = _digits01()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rbm = BinaryRBM(
            n_components=12, learning_rate=2.0, max_iter=60, random_state=0
        ).fit(X)
    return rbm, X


def test_proven_bound_is_below_exact_log_z(cold):
    rbm, X = cold
    exact = rbm.log_partition_function("exact")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableEstimateWarning)
        est = rbm.log_partition_function(
            "ais", n_betas=20, n_chains=50, random_state=0, diagnostics=True
        )
    assert est.n_bound_states >= 50
    assert est.lower_bound <= exact + 1e-9
    assert -rbm.free_energy(X).max() <= exact + 1e-9


def test_estimate_below_the_bound_warns_and_uses_the_bound(cold):
    rbm, X = cold
    exact = rbm.log_partition_function("exact")
    with pytest.warns(UnreliableEstimateWarning, match="below a proven lower bound"):
        est = rbm.log_partition_function(
            "ais", n_betas=3, n_chains=50, random_state=0, diagnostics=True
        )
    assert est.estimate < est.lower_bound <= exact + 1e-9
    assert est.used_bound and est.log_z == est.lower_bound
    assert abs(est.log_z - exact) < abs(est.estimate - exact)  # closer to the truth
    assert rbm.log_z_diagnostics_ is est


def test_score_never_reports_a_probability_above_one(cold):
    rbm, X = cold
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableEstimateWarning)
        rbm.log_partition_function("ais", n_betas=3, n_chains=50, random_state=0)
    with pytest.warns(UnreliableEstimateWarning, match="below a proven lower bound"):
        lp = rbm.score_samples(X)  # the cached, failed estimate
    assert lp.max() <= 1e-9  # no probability above one
    exact = rbm.log_partition_function("exact")
    assert np.all(lp >= -rbm.free_energy(X) - exact - 1e-9)  # at most the truth


def test_small_ess_warns():
    est = LogZEstimate(
        log_z=1.0, method="ais", estimate=1.0, std=0.01, ess=1.5, n_chains=100
    )
    assess(est)
    assert not est.reliable and "effective sample size" in est.problems[0]
    assert ESS_MIN_FRACTION * 100 > 1.5


def test_open_bracket_warns(cold):
    rbm, X = cold
    est = LogZEstimate(
        log_z=1.0, method="ais", estimate=1.0, ess=90, n_chains=100,
        bracket=(1.0, 1.0 + 2 * BRACKET_MARGIN),
    )  # fmt: skip
    assess(est)
    assert "disagree" in est.problems[0]


def test_reverse_ais_from_data_below_the_bound_says_so(cold):
    rbm, X = cold
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = rbm.log_partition_function(
            "reverse_ais", X=X, n_betas=20, n_chains=50, n_burn_in=0,
            random_state=0, diagnostics=True,
        )  # fmt: skip
    assert est.reverse_start == "data"
    if est.estimate < est.lower_bound:
        assert any("not an upper estimate" in str(w.message) for w in caught)


def test_reverse_ais_starts_from_parallel_tempering_by_default():
    X = _digits01()[:300]
    rbm = BinaryRBM(n_components=8, max_iter=3, random_state=0).fit(X)
    est = rbm.log_partition_function(
        "reverse_ais", n_betas=300, n_burn_in=50, random_state=0, diagnostics=True
    )
    assert est.reverse_start == "pt"
    exact = rbm.log_partition_function("exact")
    assert abs(est.log_z - exact) < max(5 * est.std, 0.5)


def test_reliable_estimate_on_a_warm_model_and_bracket():
    X = _digits01()[:400]
    rbm = BinaryRBM(n_components=10, max_iter=5, random_state=0).fit(X)
    exact = rbm.log_partition_function("exact")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreliableEstimateWarning)
        fwd = rbm.log_partition_function(
            "ais", n_betas=2000, random_state=0, diagnostics=True
        )
        rev = rbm.log_partition_function(
            "reverse_ais", n_betas=2000, n_burn_in=100, random_state=0,
            diagnostics=True,
        )  # fmt: skip
    assert fwd.reliable and rev.reliable
    assert rev.bracket == (fwd.estimate, rev.estimate)
    assert fwd.ess > ESS_MIN_FRACTION * fwd.n_chains
    assert fwd.lower_bound <= exact + 1e-9
    assert abs(fwd.log_z - exact) < max(5 * fwd.std, 0.2)


def test_exact_has_no_problems():
    X = _digits01()[:100]
    rbm = BinaryRBM(n_components=6, max_iter=2, random_state=0).fit(X)
    est = rbm.log_partition_function("exact", diagnostics=True)
    assert est.reliable and est.method == "exact" and est.std == 0.0
    assert "reliable=True" in repr(est)


def test_rarbm_patterns_count_in_the_bound():
    X = _digits01()[:200]
    rbm = RARBM(n_components=8, n_patterns=3, max_iter=2, random_state=0).fit(X)
    est = rbm.log_partition_function(
        "ais", n_betas=200, n_chains=20, random_state=0, diagnostics=True
    )
    # 20 chains' last states, 100 persistent chains and 3 patterns
    assert est.n_bound_states == 20 + 100 + 3
    assert est.lower_bound <= rbm.log_partition_function("exact") + 1e-9
    assert math.isfinite(est.lower_bound)


def test_bad_diagnostics_argument_is_refused():
    X = _digits01()[:50]
    rbm = BinaryRBM(n_components=4, max_iter=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="diagnostics must be True or False"):
        rbm.log_partition_function("exact", diagnostics="yes")


def test_rarbm_01_model_refuses_bad_input_clearly():
    X = _digits01()[:100]
    rbm = RARBM(n_components=8, n_patterns=2, max_iter=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        rbm.score_samples(np.where(X > 0, np.nan, 0.0))
    with pytest.raises(ValueError, match="features"):
        rbm.transform(X[:, :10])
    with pytest.raises(ValueError, match=r"fitted on \{0, 1\} data"):
        rbm.score_samples(2 * X - 1)
    with pytest.raises(ValueError, match="at most 25"):
        RARBM(n_components=30, negative_phase="exact").fit(np.ones((4, 30)))
