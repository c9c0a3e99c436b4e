"""skrapid.RBM: input formats, errors, sklearn integration of every layer pair."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import OneHotEncoder

from skrapid import RBM, BinaryRBM, UnreliableEstimateWarning
from skrapid.layers import Potts, ReLU, dReLU


@pytest.fixture
def codes():
    rng = np.random.default_rng(0)
    # two correlated categorical features and two noisy ones, q = 3
    a = rng.integers(0, 3, size=300)
    X = np.stack([a, a, rng.integers(0, 3, 300), (a + rng.integers(0, 2, 300)) % 3], 1)
    return X.astype(float)


def test_potts_codes_and_one_hot_fit_the_same_model(codes):
    kw = dict(n_components=3, max_iter=3, random_state=0)
    a = RBM(Potts(n_states=3), "bernoulli", **kw).fit(codes)
    enc = OneHotEncoder(categories=[range(3)] * 4).fit(codes)
    b = RBM(Potts(n_states=3), "bernoulli", **kw).fit(enc.transform(codes))
    np.testing.assert_allclose(a.components_, b.components_, atol=1e-12)
    assert a.n_features_in_ == 4 and b.n_features_in_ == 12
    np.testing.assert_allclose(
        a.score_samples(codes[:20]),
        b.score_samples(enc.transform(codes[:20])),
        atol=1e-9,
    )


def test_potts_rbm_learns_the_correlation_and_returns_codes(codes):
    rbm = RBM("potts", "bernoulli", n_components=4, max_iter=60, random_state=0)
    rbm.fit(codes)
    assert rbm.visible_layer_ == Potts(n_states=3)
    S = rbm.sample(2000, n_steps=50, random_state=0)
    assert S.shape == (2000, 4) and set(np.unique(S)) <= {0.0, 1.0, 2.0}
    # the first two features are equal in the data; the model learnt it
    assert np.mean(S[:, 0] == S[:, 1]) > 0.8
    assert rbm.score(codes) > -4 * np.log(3) + 0.5  # beats the uniform model
    back = rbm.inverse_transform(rbm.transform(codes[:5]))
    assert back.shape == (5, 4) and np.all(back == np.round(back))
    # the zero-sum gauge holds after training
    W = rbm.components_.T.reshape(4, 3, -1)
    np.testing.assert_allclose(W.sum(axis=1), 0, atol=1e-5)


@pytest.mark.parametrize(
    "kw,match",
    [
        (dict(visible=ReLU()), "hidden layer only"),
        (dict(visible="relu"), "must be a str among"),
        (dict(visible="gaussian", hidden="relu"), "one layer must be discrete"),
        (dict(hidden="potts"), "needs its number of states"),
    ],
)
def test_layer_pairs_that_cannot_be_built_say_why(kw, match):
    X = np.random.default_rng(0).random((20, 3))
    with pytest.raises(ValueError, match=match):
        RBM(n_components=2, max_iter=1, **kw).fit(X)


def test_bad_potts_input_gets_a_clear_error(codes):
    rbm = RBM("potts", n_components=2, max_iter=1, random_state=0)
    with pytest.raises(ValueError, match="integer category codes"):
        rbm.fit(codes + 0.5)
    with pytest.raises(ValueError, match="codes in"):
        rbm.fit(codes - 1)
    rbm.fit(codes)
    with pytest.raises(ValueError, match=r"n_states=3\) or larger|n_states=3"):
        rbm.score_samples(codes + 1)
    with pytest.raises(ValueError, match="one-hot columns, q per unit"):
        RBM("potts", max_iter=1).fit(sp.csr_matrix(np.eye(6)))
    with pytest.raises(ValueError, match="cannot take sparse input"):
        RBM("gaussian", max_iter=1).fit(sp.csr_matrix(np.eye(6)))


@pytest.mark.parametrize("hidden", ["relu", "drelu", "gaussian", "spin"])
def test_float32_is_preserved_and_pickles(hidden):
    rng = np.random.default_rng(0)
    X = (rng.random((100, 6)) < 0.3).astype(np.float32)
    rbm = RBM(hidden=hidden, n_components=3, max_iter=2, random_state=0).fit(X)
    assert rbm.components_.dtype == np.float32
    assert rbm.transform(X).dtype == np.float32
    for name in rbm._fingerprint_attrs:
        assert getattr(rbm, name).dtype == np.float32, name
    again = pickle.loads(pickle.dumps(rbm))
    np.testing.assert_allclose(again.score_samples(X), rbm.score_samples(X), rtol=1e-6)


def test_grid_search_over_layers_ranks_by_exact_log_likelihood():
    rng = np.random.default_rng(0)
    X = (rng.random((200, 8)) < 0.3).astype(float)
    X[:, 1] = X[:, 0]
    search = GridSearchCV(
        RBM(n_components=3, max_iter=3, random_state=0),
        {"hidden": ["bernoulli", ReLU(), dReLU()]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreliableEstimateWarning)
        search.fit(X)  # exact log Z (2**8 states): never unreliable
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.hidden_layer_ == search.best_params_["hidden"] or (
        isinstance(search.best_params_["hidden"], str)
    )


@pytest.mark.parametrize("units", ["bernoulli", "spin"])
def test_binary_pair_is_binary_rbms_model(units):
    """RBM(units, units) with BinaryRBM's parameters computes the same free
    energy, log Z, log-likelihood and features."""
    rng = np.random.default_rng(0)
    X = (rng.random((100, 8)) < 0.3).astype(float)
    if units == "spin":
        X = 2 * X - 1
    b = BinaryRBM(n_components=4, units=units, max_iter=5, random_state=0).fit(X)
    a = RBM(units, units, n_components=4, max_iter=1, random_state=0).fit(X)
    a.components_ = b.components_.copy()
    a.intercept_visible_ = b.intercept_visible_.copy()
    a.intercept_hidden_ = b.intercept_hidden_.copy()
    a._logz_cache = {}
    np.testing.assert_allclose(a.free_energy(X), b.free_energy(X), rtol=1e-12)
    assert a.log_partition_function("exact") == pytest.approx(
        b.log_partition_function("exact"), abs=1e-10
    )
    np.testing.assert_allclose(a.score_samples(X), b.score_samples(X), atol=1e-10)
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-12)


def test_partial_fit_continues_layer_parameters():
    rng = np.random.default_rng(0)
    X = (rng.random((100, 6)) < 0.3).astype(float)
    rbm = RBM(hidden="drelu", n_components=3, random_state=0)
    rbm.partial_fit(X)
    d1 = rbm.hidden_delta_.copy()
    rbm.partial_fit(X)
    assert rbm.n_iter_ == 2 and not np.allclose(rbm.hidden_delta_, d1)


def test_gaussian_visible_learns_means_and_variances():
    rng = np.random.default_rng(0)
    X = rng.normal([1.0, -2.0, 0.0], [0.5, 2.0, 1.0], size=(2000, 3))
    rbm = RBM("gaussian", n_components=2, max_iter=2, random_state=0).fit(X)
    # the model's units are the standardized data's: var = scale² / precision
    prec = np.exp(rbm.visible_log_precision_)
    np.testing.assert_allclose(rbm.scale_**2 / prec, [0.25, 4.0, 1.0], rtol=0.15)
    S = rbm.sample(3000, n_steps=20, random_state=0)
    np.testing.assert_allclose(S.mean(0), [1.0, -2.0, 0.0], atol=0.15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableEstimateWarning)
        ll = rbm.score(X)
    from scipy import stats

    indep = stats.norm(X.mean(0), X.std(0)).logpdf(X).sum(1).mean()
    assert ll > indep - 0.05


def test_exact_method_refuses_too_many_states_with_inferred_potts_q():
    X = np.random.default_rng(0).integers(0, 4, size=(20, 40))
    with pytest.raises(ValueError, match=r"at most 2\*\*25 states"):
        RBM("potts", n_components=30, method="exact").fit(X)


def test_phi4_configurations_refuses_huge_requests():
    from skrapid.datasets import phi4_configurations

    with pytest.raises(ValueError, match="ask for fewer samples"):
        phi4_configurations((10**5, 10**5), 0.1, 0.1, 10)
