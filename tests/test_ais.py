"""AIS on an MNIST-sized RBM against exact enumeration of its hidden layer."""

import numpy as np
import pytest

from skrapid import BinaryRBM
from skrapid._partition import default_betas
from skrapid.datasets import make_mnist_like


@pytest.fixture(scope="module")
def mnist_like_rbm():
    """784 visible x 15 hidden, trained briefly on MNIST-shaped binary digits."""
    X, _ = make_mnist_like(1000, random_state=0)
    rbm = BinaryRBM(
        n_components=15,
        max_iter=5,
        learning_rate=0.05,
        batch_size=20,
        random_state=0,
        device="cpu",
    ).fit(X)
    return rbm, X, rbm.log_partition_function("exact")


def test_ais_within_half_a_nat_and_consistent_with_its_error(mnist_like_rbm):
    rbm, X, exact = mnist_like_rbm
    lz, se = rbm.log_partition_function(
        "ais", n_chains=100, n_betas=1500, return_std=True, random_state=1
    )
    assert abs(lz - exact) < 0.5
    assert abs(lz - exact) < 5 * se
    assert 0 < se < 0.5


def test_reverse_ais_within_half_a_nat(mnist_like_rbm):
    rbm, X, exact = mnist_like_rbm
    lz, se = rbm.log_partition_function(
        "reverse_ais",
        n_chains=100,
        n_betas=1500,
        X=X,
        n_burn_in=200,
        return_std=True,
        random_state=1,
    )
    assert abs(lz - exact) < 0.5
    assert abs(lz - exact) < 5 * se + 0.05


def test_ais_standard_error_is_honest(mnist_like_rbm):
    """Over independent runs, the spread of the estimates matches the reported
    standard error, and the errors are consistent with it (chi-square)."""
    rbm, X, exact = mnist_like_rbm
    runs = [
        rbm.log_partition_function(
            "ais", n_chains=40, n_betas=300, return_std=True, random_state=s
        )
        for s in range(12)
    ]
    est = np.array([r[0] for r in runs])
    se = np.array([r[1] for r in runs])
    spread = est.std(ddof=1)
    assert 0.4 < spread / se.mean() < 2.5
    # mean squared z-score of the errors: 1 for honest errors (5 sigma bound
    # of a chi-square with 12 degrees of freedom divided by 12 is ~3.2)
    z2 = np.mean(((est - exact) / se) ** 2)
    assert z2 < 3.5


def test_ais_uses_training_marginals_as_base_rate(mnist_like_rbm):
    """The base-rate start matters: with the data's marginals AIS is tighter
    than from the uniform base (W = 0, b = 0) at the same cost."""
    rbm, X, exact = mnist_like_rbm
    _, se_data = rbm.log_partition_function(
        "ais", n_chains=60, n_betas=300, return_std=True, random_state=3
    )
    uniform = np.full(X.shape[1], 0.5)
    _, se_unif = rbm.log_partition_function(
        "ais",
        n_chains=60,
        n_betas=300,
        X=np.tile(uniform, (2, 1)),
        return_std=True,
        random_state=3,
    )
    assert se_data < se_unif


def test_default_betas_schedule():
    b = default_betas(14500)
    assert b[0] == 0 and b[-1] == 1 and np.all(np.diff(b) > 0)
    assert len(b) == 14501
    with pytest.raises(ValueError, match="n_betas"):
        default_betas(2)


@pytest.mark.parametrize("method", ["ais", "reverse_ais"])
def test_ais_in_bounded_chunks_of_chains(mnist_like_rbm, monkeypatch, method):
    """With chunks of 13 chains (forced), the 100 chains still give one
    estimate, within its error of the exact log Z."""
    import skrapid._partition as P

    rbm, X, exact = mnist_like_rbm
    monkeypatch.setattr(P, "_AIS_CHUNK_ELEMENTS", 13 * 784)
    lz, se = rbm.log_partition_function(
        method, n_chains=100, n_betas=1500, X=X, return_std=True, random_state=2
    )
    assert abs(lz - exact) < max(5 * se, 0.3)
