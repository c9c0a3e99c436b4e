"""The experiments module: quick versions of the papers' runs, on generated data."""

import json

import numpy as np
import pytest

from skrapid import RARBM, BinaryRBM
from skrapid.datasets import make_mnist_like
from skrapid.experiments import (
    BARS_METHODS,
    MNIST_METHODS,
    bars_4x4_estimator,
    mnist_estimator,
    mnist_probe,
    run_seeds,
)


def test_sample_hidden_follows_the_conditional():
    X, _ = make_mnist_like(50, random_state=0)
    rbm = BinaryRBM(n_components=8, max_iter=1, random_state=0).fit(X)
    x = np.repeat(X[:1], 20000, axis=0)
    h = rbm.sample_hidden(x, random_state=1)
    p = rbm.transform(X[:1])[0]
    se = np.sqrt(p * (1 - p) / len(x)) + 1e-12
    assert np.all(np.abs(h.mean(0) - p) < 5 * se + 1e-9)
    # reproducible with a seed, and the states are the units' values
    assert np.array_equal(h[:5], rbm.sample_hidden(x[:5], random_state=1))
    ra = RARBM(n_components=6, n_patterns=2, max_iter=1, random_state=0)
    hs = ra.fit(X * 2 - 1).sample_hidden(X * 2 - 1, random_state=0)
    assert set(np.unique(hs)) <= {-1.0, 1.0}


def test_estimators_carry_the_papers_settings():
    ra = mnist_estimator("rapid", 0)
    assert (ra.n_components, ra.n_patterns, ra.n_gibbs_steps) == (3000, 190, 10)
    assert ra.learning_rate == 0.015 and ra.pattern_constraint == "clip"
    assert isinstance(mnist_estimator("rbm", 0), BinaryRBM)
    assert set(MNIST_METHODS) == {"rapid", "rbm"}
    for m in BARS_METHODS:
        est = bars_4x4_estimator(m, 0)
        assert est.n_components == 1000
        if m != "rapid":
            assert (est.units, est.fit_intercept, est.n_gibbs_steps) == (
                "spin",
                False,
                10,
            )


@pytest.fixture(scope="module")
def mnist_like():
    X, y = make_mnist_like(1200, random_state=0)
    Xt, yt = make_mnist_like(300, random_state=1)
    return X, y, Xt, yt


def test_mnist_probe_quick(mnist_like, tmp_path):
    """The MNIST experiment end to end on MNIST-shaped generated digits: the
    hidden layers carry the class far above chance (0.1), AIS and reverse AIS
    agree within their errors, and finished seeds are kept on resume."""
    path = tmp_path / "mnist.jsonl"
    kw = dict(
        data=mnist_like,
        max_epochs=4,
        n_components=150,
        n_ais_chains=32,
        n_betas=1000,
        progress=lambda *a: None,
    )
    rec = run_seeds(mnist_probe, [0], path, method="rbm", **kw)[0]
    assert rec["probe_means"]["test"] > 0.6
    assert rec["probe_sampled"]["test"] > 0.3
    gap = rec["log_z_reverse_ais"] - rec["log_z_ais"]
    assert abs(gap) < 5 * np.hypot(rec["log_z_ais_std"], rec["log_z_reverse_ais_std"])
    assert rec["test_log_likelihood"] < 0
    ra = mnist_probe("rapid", 0, n_patterns=40, **kw)
    assert ra["probe_means"]["test"] > 0.3
    assert np.isfinite(ra["test_log_likelihood"])
    assert ra["settings"]["n_patterns"] == 40 and ra["n_train"] == 1200
    # resuming skips the finished seed, and the file holds one line per seed
    again = run_seeds(mnist_probe, [0], path, method="rbm", **kw)[0]
    assert again == json.loads(path.read_text().splitlines()[0])
