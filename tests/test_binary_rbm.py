"""BinaryRBM behaviour: errors, scikit-learn integration, training state."""

import pickle

import numpy as np
import pytest
from conftest import all_states, make_rbm
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from skrapid import BinaryRBM, TrainingDivergedError


def binary_data(n=120, v=8, seed=0, units="bernoulli"):
    rng = np.random.default_rng(seed)
    proto = rng.random((3, v)) < 0.5
    X = proto[rng.integers(0, 3, n)] ^ (rng.random((n, v)) < 0.1)
    X = X.astype(np.float64)
    return X if units == "bernoulli" else 2 * X - 1


# -- bad input ---------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_inf_rejected(bad):
    X = binary_data()
    X[3, 2] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        BinaryRBM(n_components=2).fit(X)
    rbm = BinaryRBM(n_components=2, max_iter=1).fit(binary_data())
    for method in (rbm.transform, rbm.score_samples, rbm.free_energy, rbm.gibbs):
        with pytest.raises(ValueError, match="NaN|infinity"):
            method(X)


def test_wrong_shapes_rejected():
    rbm = BinaryRBM(n_components=2, max_iter=1).fit(binary_data())
    with pytest.raises(ValueError, match="features"):
        rbm.transform(binary_data(v=5))
    with pytest.raises(ValueError, match="2D array"):
        rbm.transform(np.zeros(8))
    with pytest.raises(ValueError, match="2D array"):
        BinaryRBM().fit(np.zeros(8))


@pytest.mark.parametrize(
    "units,bad,match",
    [
        ("bernoulli", 1.5, r"must lie in \[0, 1\]"),
        ("bernoulli", -0.2, r"must lie in \[0, 1\]"),
        ("spin", 1.2, r"must lie in \[-1, 1\]"),
        ("spin", -3.0, r"must lie in \[-1, 1\]"),
    ],
)
def test_values_outside_support_rejected(units, bad, match):
    X = binary_data(units=units)
    X[0, 0] = bad
    with pytest.raises(ValueError, match=match):
        BinaryRBM(units=units, n_components=2).fit(X)


@pytest.mark.parametrize("units,frac", [("bernoulli", 0.5), ("spin", 0.0)])
def test_log_likelihood_needs_binary_states(units, frac):
    X = binary_data(units=units)
    rbm = BinaryRBM(units=units, n_components=2, max_iter=1).fit(X)
    Xf = X.copy()
    Xf[0, 0] = frac
    rbm.transform(Xf)  # means are fine for the features ...
    with pytest.raises(ValueError, match="must be binary"):
        rbm.score_samples(Xf)  # ... but log p(x) needs states
    with pytest.raises(ValueError, match="must be binary"):
        rbm.score(Xf)


def test_exact_method_too_large():
    X = np.zeros((4, 30))
    with pytest.raises(
        ValueError, match="exact enumeration needs a layer of at most 25"
    ):
        BinaryRBM(n_components=27, method="exact").fit(X)
    rbm = BinaryRBM(n_components=27, max_iter=0).fit(X)
    with pytest.raises(ValueError, match="use method='ais'|Use method='ais'"):
        rbm.log_partition_function("exact")


@pytest.mark.parametrize(
    "param,value",
    [
        ("n_components", 0),
        ("units", "ising"),
        ("method", "pid"),
        ("learning_rate", -1.0),
        ("batch_size", 0),
        ("device", "tpu"),
        ("optimizer", "rmsprop"),
        ("lr_decay", 1.5),
    ],
)
def test_invalid_parameters_name_the_parameter(param, value):
    with pytest.raises(ValueError, match=param):
        BinaryRBM(**{param: value}).fit(binary_data())


def test_log_partition_function_arguments_checked():
    rbm = BinaryRBM(n_components=2, max_iter=1).fit(binary_data())
    with pytest.raises(ValueError, match="method must be"):
        rbm.log_partition_function("bridge")
    with pytest.raises(ValueError, match="n_chains"):
        rbm.log_partition_function("ais", n_chains=1)


def test_divergence_stops_with_advice():
    X = binary_data()
    rbm = BinaryRBM(
        n_components=4, learning_rate=1e308, max_iter=3, momentum=0.9, random_state=0
    )
    with pytest.raises(TrainingDivergedError, match="Use learning_rate="):
        with np.errstate(all="ignore"):
            rbm.fit(X)


def test_gpu_requested_without_gpu_is_a_clear_error():
    from skrapid._backend import gpu_available

    if gpu_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="device='gpu' was requested"):
        BinaryRBM(n_components=2, device="gpu").fit(binary_data())


# -- scikit-learn integration -------------------------------------------------
def test_grid_search_selects_by_held_out_log_likelihood():
    X = binary_data(n=300, seed=1)
    cv = KFold(3)
    est = BinaryRBM(max_iter=20, learning_rate=0.05, batch_size=10, random_state=0)
    grid = GridSearchCV(est, {"n_components": [1, 6]}, cv=cv).fit(X)
    scores = grid.cv_results_["mean_test_score"]
    # the score is a mean log-likelihood in nats: below 0, above uniform's
    assert np.all(scores < 0) and np.all(scores > -8 * np.log(2) - 1)
    # three prototypes need more than one hidden unit
    assert grid.best_params_ == {"n_components": 6}
    # and it is exactly the held-out mean of score_samples
    manual = np.mean(
        [
            clone(est).set_params(n_components=6).fit(X[tr]).score_samples(X[te]).mean()
            for tr, te in cv.split(X)
        ]
    )
    assert manual == pytest.approx(scores[1], abs=1e-12)


def test_pipeline_and_pickle_roundtrip():
    X = binary_data(n=200)
    y = (X[:, 0] > 0.5).astype(int)
    pipe = Pipeline(
        [
            ("rbm", BinaryRBM(n_components=4, max_iter=5, random_state=0)),
            ("clf", LogisticRegression()),
        ]
    ).fit(X, y)
    assert pipe.score(X, y) > 0.8
    rbm = pipe.named_steps["rbm"]
    lz = rbm.log_partition_function()
    clone = pickle.loads(pickle.dumps(rbm))
    np.testing.assert_array_equal(clone.transform(X), rbm.transform(X))
    assert clone.log_partition_function() == lz
    np.testing.assert_array_equal(clone.score_samples(X), rbm.score_samples(X))
    assert isinstance(clone.components_, np.ndarray)


def test_float32_preserved_and_float64_default():
    X = binary_data()
    r32 = BinaryRBM(n_components=3, max_iter=2, random_state=0).fit(
        X.astype(np.float32)
    )
    assert r32.components_.dtype == np.float32
    assert r32.transform(X.astype(np.float32)).dtype == np.float32
    r64 = BinaryRBM(n_components=3, max_iter=2, random_state=0).fit(X.astype(int))
    assert r64.components_.dtype == np.float64
    # float32 and float64 fits agree up to float32 rounding of the same stream
    r64b = BinaryRBM(n_components=3, max_iter=2, random_state=0).fit(X)
    assert np.isfinite(r64b.score(X))


def test_refit_reproducible_and_partial_fit_continues():
    X = binary_data()
    a = BinaryRBM(n_components=3, max_iter=4, random_state=3).fit(X)
    b = BinaryRBM(n_components=3, max_iter=4, random_state=3).fit(X)
    np.testing.assert_array_equal(a.components_, b.components_)
    a.fit(X)
    np.testing.assert_array_equal(a.components_, b.components_)

    p = BinaryRBM(n_components=3, random_state=3, momentum=0.5)
    assert p.partial_fit(X) is p
    first = p.components_.copy()
    chains = p.persistent_chains_.copy()
    p.partial_fit(X)
    assert p.n_iter_ == 2 and len(p.history_["epoch"]) == 2
    assert not np.allclose(first, p.components_)
    assert p.persistent_chains_.shape == chains.shape == (100, 8)  # n_chains
    assert p.persistent_hidden_.shape == (100, 3)
    assert set(np.unique(p.persistent_chains_)) <= {0.0, 1.0}
    # reverse AIS starts from the persistent chains when no X is given
    assert np.isfinite(p.log_partition_function("reverse_ais", n_betas=50, n_burn_in=5))
    assert set(p._optimizer_state) == {"W", "b", "c"}  # momentum kept


def test_history_and_verbose_lines(capsys):
    X = binary_data()
    rbm = BinaryRBM(
        n_components=3,
        max_iter=3,
        verbose=1,
        lr_decay=0.5,
        lr_decay_every=2,
        learning_rate=0.1,
        random_state=0,
    ).fit(X)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 3
    assert out[0].startswith("[BinaryRBM] epoch 1/3, elapsed ")
    assert ", ETA " in out[0] and "epoch time " in out[0]
    assert "learning rate 0.1" in out[0] and "log likelihood" in out[0]
    assert rbm.history_["learning_rate"] == [0.1, 0.1, 0.05]
    assert len(rbm.history_["time"]) == 3
    # exact per-epoch log-likelihood of a small model equals score()
    assert rbm.history_["log_likelihood"][-1] == pytest.approx(rbm.score(X))


@pytest.mark.parametrize("units", ["bernoulli", "spin"])
def test_training_increases_exact_log_likelihood(units):
    X = binary_data(n=300, units=units, seed=2)
    init = BinaryRBM(n_components=6, units=units, max_iter=0, random_state=0).fit(X)
    ll = {}
    for method in ("exact", "pcd", "cd"):
        rbm = BinaryRBM(
            n_components=6,
            units=units,
            method=method,
            max_iter=30,
            learning_rate=0.05,
            random_state=0,
        ).fit(X)
        ll[method] = rbm.score(X)
        assert ll[method] > init.score(X) + 0.15, method
    # the exact gradient is the best of the three, up to SGD noise
    assert ll["exact"] > max(ll["pcd"], ll["cd"]) - 0.05


def test_sample_and_gibbs_shapes_and_states():
    rbm = make_rbm(6, 4, units="spin", seed=1)
    S = rbm.sample(7, n_steps=5, random_state=0)
    assert S.shape == (7, 6) and set(np.unique(S)) <= {-1.0, 1.0}
    G = rbm.gibbs(all_states(6, "spin")[:3])
    assert G.shape == (3, 6) and set(np.unique(G)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(
        rbm.sample(3, n_steps=4, random_state=5),
        rbm.sample(3, n_steps=4, random_state=5),
    )


def test_adam_and_weight_decay_run():
    X = binary_data()
    a = BinaryRBM(
        n_components=3, max_iter=3, optimizer="adam", learning_rate=0.01, random_state=0
    ).fit(X)
    d = BinaryRBM(
        n_components=3,
        max_iter=30,
        weight_decay=0.5,
        learning_rate=0.05,
        random_state=0,
    ).fit(X)
    assert np.isfinite(a.score(X))
    # strong decay keeps the weights small
    assert np.abs(d.components_).max() < 0.5


def test_from_sklearn_gives_bernoullirbm_true_log_likelihood():
    from conftest import brute_force
    from sklearn.neural_network import BernoulliRBM

    X = binary_data(n=200, v=8)
    sk = BernoulliRBM(n_components=5, n_iter=5, random_state=0).fit(X)
    rbm = BinaryRBM.from_sklearn(sk)
    np.testing.assert_allclose(rbm.transform(X), sk.transform(X), atol=1e-12)
    bf = brute_force(rbm)
    np.testing.assert_allclose(rbm.score_samples(bf["states"]), bf["log_p"], atol=1e-10)
    # sklearn's free energy is the same function
    np.testing.assert_allclose(rbm.free_energy(X), sk._free_energy(X), atol=1e-10)
    with pytest.raises(Exception, match="not fitted"):
        BinaryRBM.from_sklearn(BernoulliRBM())


def test_divergence_leaves_no_training_state_behind():
    X = binary_data()
    rbm = BinaryRBM(
        n_components=4, learning_rate=1e308, max_iter=3, momentum=0.9, random_state=0
    )
    with pytest.raises(TrainingDivergedError), np.errstate(all="ignore"):
        rbm.fit(X)
    assert not hasattr(rbm, "_phase") and not hasattr(rbm, "_ws")
    assert getattr(rbm, "_offsets", None) is None


@pytest.mark.parametrize("units", ["bernoulli", "spin"])
def test_inverse_transform_is_the_visible_conditional_mean(units):
    from scipy.special import expit

    rbm = make_rbm(5, 3, units=units, seed=2)
    W, b = rbm.components_.T, rbm.intercept_visible_
    H = np.random.default_rng(0).random((4, 3))
    field = H @ W.T + b
    expected = expit(field) if units == "bernoulli" else np.tanh(field)
    np.testing.assert_allclose(rbm.inverse_transform(H), expected, rtol=1e-12)
    assert rbm.inverse_transform(H.astype(np.float32)).shape == (4, 5)
    with pytest.raises(ValueError, match="n_components=3"):
        rbm.inverse_transform(np.ones((2, 5)))
    with pytest.raises(ValueError, match="NaN|infinity"):
        rbm.inverse_transform(np.full((2, 3), np.nan))


@pytest.mark.parametrize("units", ["bernoulli", "spin"])
@pytest.mark.parametrize("method, k", [("pcd", 1), ("pcd", 3), ("cd", 1), ("cd", 3)])
def test_reused_buffers_give_the_same_training_bit_for_bit(
    monkeypatch, units, method, k
):
    """The NumPy training loop reuses a workspace of buffers; without it
    (allocating every array) the fit is identical."""
    from skrapid import _backend as B

    X = binary_data(n=230, units=units, seed=3)

    def fit():
        rbm = BinaryRBM(
            n_components=7,
            units=units,
            method=method,
            n_gibbs_steps=k,
            momentum=0.5,
            max_iter=3,
            batch_size=50,
            random_state=0,
        ).fit(X)
        return rbm.partial_fit(X)

    a = fit()
    monkeypatch.setattr(B, "Workspace", lambda *a: None)
    b = fit()
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.intercept_hidden_, b.intercept_hidden_)
    if method == "pcd":
        np.testing.assert_array_equal(a.persistent_chains_, b.persistent_chains_)
        assert a.persistent_chains_.base is None  # a copy, not a workspace view
