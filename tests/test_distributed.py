"""Grid searches over K and H distributed by joblib's dask backend on a
``dask.distributed.LocalCluster`` started inside the test (issue 6)."""

import pickle
import re

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold

from skrapid import RARBM, BinaryRBM
from skrapid.datasets import make_bars

distributed = pytest.importorskip("distributed")


def _data():
    bars = make_bars(3)  # 3x3 bars as spins: 9 visible units, exact log Z
    return np.tile(bars, (6, 1))


def _search(n_jobs):
    est = RARBM(
        n_components=8,
        n_patterns=2,
        max_iter=5,
        learning_rate=0.05,
        batch_size=4,
        random_state=0,
        device="cpu",
    )
    grid = {"n_patterns": [1, 2, 3], "n_components": [12, 24]}
    return GridSearchCV(
        est, grid, cv=KFold(3, shuffle=True, random_state=0), n_jobs=n_jobs
    )


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_grid_search_over_k_and_h_on_a_local_dask_cluster():
    X = _data()
    serial = _search(1).fit(X)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as stream,
        joblib.parallel_backend("dask"),
    ):
        dist = _search(-1).fit(X)
    # fits ran as tasks on the cluster's worker processes (joblib batches the
    # 18 calls, 6 candidates x 3 folds, and the task stream may not record
    # every batch on a loaded 2-core machine, so only their presence is checked)
    calls = 0
    for t in stream.data:
        m = re.match(r"batch_of__fit_and_score_(\d+)_calls", t["key"])
        calls += int(m.group(1)) if m else 0
    assert 1 <= calls <= 18
    workers = {t["worker"] for t in stream.data}
    assert len(workers) >= 1
    # the same scores as the serial search: every fit is seeded
    np.testing.assert_allclose(
        dist.cv_results_["mean_test_score"],
        serial.cv_results_["mean_test_score"],
        rtol=1e-10,
    )
    assert dist.best_params_ == serial.best_params_
    # held-out log-likelihood (exact here) is what was maximized
    assert np.all(np.isfinite(dist.cv_results_["mean_test_score"]))
    assert dist.best_score_ <= 0


def test_fitted_estimators_hold_only_host_arrays_and_pickle():
    X = _data()
    for est in (
        BinaryRBM(5, units="spin", method="pcd", max_iter=2, random_state=0),
        RARBM(n_components=20, n_patterns=2, max_iter=2, random_state=0),
    ):
        est.fit(X)
        for name, value in vars(est).items():
            assert not hasattr(value, "__cuda_array_interface__"), name
        clone = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(clone.transform(X), est.transform(X))
