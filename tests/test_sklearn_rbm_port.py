"""scikit-learn's ``neural_network/tests/test_rbm.py``, ported to BinaryRBM.

Every test of sklearn's file has a counterpart here, in the same order and
under the same name.  Where BinaryRBM differs from BernoulliRBM on purpose, the
test says so and checks what BinaryRBM does instead:

* ``score_samples`` is the true, normalized log-likelihood log p(x) (exact for
  small hidden layers, AIS otherwise), not a stochastic pseudo-likelihood, so
  sklearn's numbers (about −21 on grey digits) do not apply, and grey values,
  which have no likelihood, are refused with a clear error instead of scored;
* the random streams differ, so seed-pinned weights (``test_fit_gibbs``) are
  not reproduced bit for bit; the behaviour they pin is checked instead;
* BinaryRBM's defaults are centred PCD with 100 chains; the ports that compare
  against sklearn's behaviour use ``centering=False`` and one chain per
  minibatch row (``n_chains=None``), BernoulliRBM's algorithm;
* ``n_iter`` is ``max_iter``, ``h_samples_`` is ``persistent_hidden_`` and the
  private ``_mean_hiddens`` / ``_sample_hiddens`` are the public ``transform``
  / ``sample_hidden``.
"""

import re

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_digits
from sklearn.neural_network import BernoulliRBM
from sklearn.utils._testing import (
    assert_allclose,
    assert_almost_equal,
    assert_array_equal,
)
from sklearn.utils.validation import assert_all_finite

from skrapid import BinaryRBM
from skrapid.metrics import factorized_log_likelihood

Xdigits, _ = load_digits(return_X_y=True)
Xdigits -= Xdigits.min()
Xdigits /= Xdigits.max()
Bdigits = (Xdigits > 0.5).astype(float)  # states: what a likelihood is defined on

SKLEARN_ALGO = dict(centering=False, n_chains=None)  # BernoulliRBM's PCD


def test_fit():
    # sklearn: pseudo-likelihood ≈ −21 on the grey training digits.  BinaryRBM
    # trains on grey values (read as means) too, but scores states: the true
    # log-likelihood of the binarized digits, which beats the factorized model
    X = Xdigits.copy()
    rbm = BinaryRBM(
        n_components=64, learning_rate=0.1, batch_size=10, max_iter=7, random_state=9
    )
    rbm.fit(X)
    baseline = factorized_log_likelihood(Bdigits, Bdigits)
    rbm.log_partition_function("ais", n_betas=2000, random_state=0)
    assert rbm.score(Bdigits) > baseline + 1.0
    with pytest.raises(ValueError, match="binary"):
        rbm.score_samples(X)  # grey values have no likelihood
    # in-place tricks shouldn't have modified X
    assert_array_equal(X, Xdigits)


def test_partial_fit():
    X = Xdigits.copy()
    rbm = BinaryRBM(
        n_components=64, learning_rate=0.1, batch_size=20, max_iter=7, random_state=9
    )
    n_batches = int(np.ceil(X.shape[0] / rbm.batch_size))
    for _ in range(7):
        for batch in np.array_split(X, n_batches):
            rbm.partial_fit(batch)
    rbm.log_partition_function("ais", n_betas=2000, random_state=0)
    assert rbm.score(Bdigits) > factorized_log_likelihood(Bdigits, Bdigits) + 1.0
    assert_array_equal(X, Xdigits)


def test_transform():
    X = Xdigits[:100]
    rbm1 = BinaryRBM(n_components=16, batch_size=5, max_iter=5, random_state=42)
    rbm1.fit(X)
    Xt1 = rbm1.transform(X)
    # sklearn compares with the private _mean_hiddens: E[h | v] = sigmoid(vW + c)
    field = X @ rbm1.components_.T + rbm1.intercept_hidden_
    assert_allclose(Xt1, 1 / (1 + np.exp(-field)))


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csr_array])
def test_small_sparse(container):
    # BinaryRBM should work on small sparse matrices.
    X = container(Xdigits[:4])
    BinaryRBM().fit(X)  # no exception


@pytest.mark.parametrize(
    "container",
    [sparse.csc_matrix, sparse.csc_array, sparse.csr_matrix, sparse.csr_array],
)
def test_small_sparse_partial_fit(container):
    X_sparse = container(Xdigits[:100])
    X = Xdigits[:100].copy()
    rbm1 = BinaryRBM(n_components=64, learning_rate=0.1, batch_size=10, random_state=9)
    rbm2 = BinaryRBM(n_components=64, learning_rate=0.1, batch_size=10, random_state=9)
    rbm1.partial_fit(X_sparse)
    rbm2.partial_fit(X)
    # sklearn: the scores agree to 0 decimals; here the models are the same,
    # so are their free energies (log p up to the shared log Z)
    assert_allclose(rbm1.components_, rbm2.components_, rtol=1e-10, atol=1e-12)
    assert_allclose(
        rbm1.free_energy(Bdigits[:100]), rbm2.free_energy(container(Bdigits[:100]))
    )


def test_sample_hiddens():
    X = Xdigits[:100]
    rbm1 = BinaryRBM(n_components=2, batch_size=5, max_iter=5, random_state=42)
    rbm1.fit(X)
    h = rbm1.transform(X[:1])[0]
    hs = np.mean(
        [rbm1.sample_hidden(X[:1], random_state=i)[0] for i in range(100)], axis=0
    )
    assert_almost_equal(h, hs, decimal=1)


@pytest.mark.parametrize("container", [sparse.csc_matrix, sparse.csc_array])
def test_fit_gibbs(container):
    # sklearn pins the weights its random stream reaches ([[0.0265], [0.0201]])
    # and that one Gibbs sweep then returns [[0], [1]] -- "very seed-dependent"
    # by its own comment: a one-pixel model fitted to {0, 1} has p(1) ≈ 1/2,
    # so a sweep is a coin flip.  What holds whatever the stream: Gibbs draws
    # have the model's exact marginal, and sparse input trains the same model.
    X = np.array([[0.0], [1.0]])
    rbm1 = BinaryRBM(
        n_components=2, batch_size=2, max_iter=42, random_state=42, **SKLEARN_ALGO
    )
    rbm1.fit(X)
    p1 = np.exp(rbm1.score_samples(X))[1]  # exact: the hidden layer is enumerated
    draws = np.concatenate([rbm1.gibbs(X) for _ in range(500)])
    assert abs(draws.mean() - p1) < 5 * np.sqrt(p1 * (1 - p1) / draws.size)
    rbm2 = BinaryRBM(
        n_components=2, batch_size=2, max_iter=42, random_state=42, **SKLEARN_ALGO
    )
    rbm2.fit(container([[0.0], [1.0]]))
    assert_almost_equal(rbm1.components_, rbm2.components_)
    assert rbm2.gibbs(container([[0.0], [1.0]])).shape == (2, 1)


def test_gibbs_smoke():
    # Check if we don't get NaNs sampling the full digits dataset.
    # Also check that sampling again will yield different results.
    X = Xdigits
    rbm1 = BinaryRBM(n_components=42, batch_size=40, max_iter=20, random_state=42)
    rbm1.fit(X)
    X_sampled = rbm1.gibbs(X)
    assert_all_finite(X_sampled)
    X_sampled2 = rbm1.gibbs(X)
    assert np.all((X_sampled != X_sampled2).max(axis=1))


def _exact_log_p(rbm, X):
    """log p(v) by enumerating the hidden layer, written out independently."""
    from itertools import product

    from scipy.special import logsumexp

    W, b, c = rbm.components_.T, rbm.intercept_visible_, rbm.intercept_hidden_
    hs = np.array(list(product([0.0, 1.0], repeat=W.shape[1])))
    log_z = logsumexp(hs @ c + np.logaddexp(0, hs @ W.T + b).sum(axis=1))
    log_f = X @ b + np.logaddexp(0, X @ W + c).sum(axis=1)
    return log_f - log_z


@pytest.mark.parametrize("container", [sparse.lil_matrix, sparse.lil_array])
def test_score_samples(container):
    # sklearn: the pseudo-likelihood of two 1000-pixel images is below -300,
    # i.e. computed without clipping.  BinaryRBM's score is the exact
    # log-likelihood (10 hidden units are enumerated): values of hundreds of
    # nats agree with an independent enumeration to 1e-9, so nothing is
    # clipped, and the trained model beats the factorized one (-693.1).
    X = np.vstack([np.zeros(1000), np.ones(1000)])
    # plain SGD, as sklearn's test: with momentum (BinaryRBM's default) the
    # PCD chains of this two-image toy lose the all-ones mode
    rbm1 = BinaryRBM(
        n_components=10,
        batch_size=2,
        max_iter=100,
        learning_rate=0.1,
        momentum=0.0,
        random_state=42,
    )
    rbm1.fit(X)
    scores = rbm1.score_samples(X)
    assert_allclose(scores, _exact_log_p(rbm1, X), rtol=0, atol=1e-9)
    assert np.all(scores > factorized_log_likelihood(X, X) + 100)
    # sparse vs dense does not affect the output (and sparse input is checked)
    assert_almost_equal(scores, rbm1.score_samples(container(X)))
    # numerical stability (sklearn #2785): huge values no longer crash deep
    # inside; they are not states, so BinaryRBM says so
    with pytest.raises(ValueError, match="binary"):
        rbm1.score_samples([np.arange(1000) * 100])


def test_rbm_verbose(capsys):
    rbm = BinaryRBM(max_iter=2, verbose=10)
    rbm.fit(Xdigits)
    assert capsys.readouterr().out.count("[BinaryRBM] epoch") == 2


@pytest.mark.parametrize("container", [sparse.csc_matrix, sparse.csc_array])
def test_sparse_and_verbose(container, capsys):
    # Make sure the RBM works with sparse input when verbose=True
    X = container([[0.0], [1.0]])
    rbm = BinaryRBM(
        n_components=2, batch_size=2, max_iter=1, random_state=42, verbose=True
    )
    rbm.fit(X)
    # a sound line: the epoch, the time and the exact log-likelihood (V = 1)
    out = capsys.readouterr().out
    assert re.match(r"\[BinaryRBM\] epoch 1\b", out)
    assert re.search(r"time (\d|\.)+\s?s", out)
    assert re.search(r"log likelihood -?\d+\.\d+", out)


@pytest.mark.parametrize(
    "dtype_in, dtype_out",
    [(np.float32, np.float32), (np.float64, np.float64), (int, np.float64)],
)
def test_transformer_dtypes_casting(dtype_in, dtype_out):
    X = Xdigits[:100].astype(dtype_in)
    rbm = BinaryRBM(n_components=16, batch_size=5, max_iter=5, random_state=42)
    Xt = rbm.fit_transform(X)
    assert Xt.dtype == dtype_out


def test_convergence_dtype_consistency():
    # sklearn draws its random numbers in float64 whatever the data, so its
    # float32 and float64 fits follow one stream and agree to 1e-6.  BinaryRBM
    # draws them in the compute dtype (half the memory traffic), so the two
    # fits are different draws of the same algorithm: deliberate.  What must
    # hold: float32 stays float32, and the float32 fit is as good as a float64
    # one -- its exact log-likelihood lies within the seed-to-seed spread.
    X_64 = Xdigits[:100].astype(np.float64)
    X_32 = X_64.astype(np.float32)
    B = Bdigits[:100]
    kw = dict(n_components=16, batch_size=5, max_iter=5)
    rbm_32 = BinaryRBM(**kw, random_state=42).fit(X_32)
    assert rbm_32.transform(X_32).dtype == np.float32
    assert rbm_32.components_.dtype == np.float32
    assert rbm_32.persistent_hidden_.dtype == np.float32
    ll_64 = [BinaryRBM(**kw, random_state=s).fit(X_64).score(B) for s in (42, 0, 1, 2)]
    ll_32 = rbm_32.score(B)
    assert abs(ll_32 - np.mean(ll_64)) < 5 * max(np.std(ll_64, ddof=1), 0.05)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_feature_names_out(method):
    """Check `get_feature_names_out` for `BinaryRBM`."""
    n_components = 10
    rbm = BinaryRBM(n_components=n_components)
    getattr(rbm, method)(Xdigits)
    names = rbm.get_feature_names_out()
    expected_names = [f"binaryrbm{i}" for i in range(n_components)]
    assert_array_equal(expected_names, names)


def test_bernoullirbm_converts_with_its_true_log_likelihood():
    # not in sklearn's file: the BernoulliRBM these tests were written for,
    # converted, gets a true log-likelihood below its pseudo-likelihood's
    # optimism and a finite, normalized p(x)
    sk = BernoulliRBM(n_components=8, n_iter=5, random_state=0).fit(Bdigits)
    rbm = BinaryRBM.from_sklearn(sk)
    assert np.isfinite(rbm.score(Bdigits))
