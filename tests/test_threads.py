"""The estimators' BLAS thread policy (skrapid._backend.blas_policy).

The test workers run with one BLAS thread (conftest), which the policy reads
as the user's choice; these tests make the policy's view of the default
explicit instead, and check what it does, not how fast it is (speed is
``skrapid bench threads``).
"""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import skrapid._backend as B
from skrapid import BinaryRBM


@pytest.fixture
def policy_default(monkeypatch):
    """The policy sees the current count as the BLAS default (no user limit)
    and two free cores; returns the list of counts it set."""
    for var in B._THREAD_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    with threadpool_limits(limits=2, user_api="blas"):
        monkeypatch.setattr(B, "_DEFAULT_BLAS_THREADS", 2)
        monkeypatch.setattr(B, "free_cores", lambda: 2)
        yield


def _seen_threads(est, method, *args):
    seen = []
    orig = type(est)._model

    def spy(self, params, xp):
        seen.append(B.blas_threads())
        return orig(self, params, xp)

    type(est)._model = spy
    try:
        getattr(est, method)(*args)
    finally:
        type(est)._model = orig
    return seen


def test_policy_threads_by_size(monkeypatch):
    monkeypatch.setattr(B, "_DEFAULT_BLAS_THREADS", 4)
    monkeypatch.setattr(B, "free_cores", lambda: 4)
    assert B.policy_threads(B.SMALL_PRODUCT - 1) == 1
    assert B.policy_threads(B.SMALL_PRODUCT) == 4
    monkeypatch.setattr(B, "free_cores", lambda: 1)  # a busy machine
    assert B.policy_threads(10 * B.SMALL_PRODUCT) == 1


def test_small_fit_runs_on_one_thread_and_restores(policy_default):
    X = (np.random.default_rng(0).random((40, 16)) < 0.3).astype(float)
    est = BinaryRBM(8, max_iter=1, random_state=0)
    assert set(_seen_threads(est, "fit", X)) == {1}
    assert B.blas_threads() == 2  # restored
    assert set(_seen_threads(est, "transform", X)) == {1}
    assert B.blas_threads() == 2


def test_large_products_keep_the_default(policy_default, monkeypatch):
    monkeypatch.setattr(B, "SMALL_PRODUCT", 1)
    X = (np.random.default_rng(0).random((40, 16)) < 0.3).astype(float)
    est = BinaryRBM(8, max_iter=1, random_state=0)
    assert set(_seen_threads(est, "fit", X)) == {2}


def test_user_limit_wins(policy_default):
    X = (np.random.default_rng(0).random((40, 16)) < 0.3).astype(float)
    est = BinaryRBM(8, max_iter=1, random_state=0).fit(X)
    with threadpool_limits(limits=1, user_api="blas"):
        assert B.user_set_blas_threads()
    # a user's limit that differs from the default is kept as it is, also
    # when the policy would have chosen otherwise
    B_small = B.SMALL_PRODUCT
    try:
        B.SMALL_PRODUCT = 1  # the policy would keep 2
        with threadpool_limits(limits=1, user_api="blas"):
            assert set(_seen_threads(est, "transform", X)) == {1}
    finally:
        B.SMALL_PRODUCT = B_small


def test_environment_variable_wins(policy_default, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    X = (np.random.default_rng(0).random((40, 16)) < 0.3).astype(float)
    est = BinaryRBM(8, max_iter=1, random_state=0)
    assert set(_seen_threads(est, "fit", X)) == {2}


def test_nested_calls_decide_once_and_restore(policy_default):
    with B.blas_policy(0):
        assert B.blas_threads() == 1
        with B.blas_policy(10**12):  # inner: the outer call decided
            assert B.blas_threads() == 1
        assert B.blas_threads() == 1
    assert B.blas_threads() == 2


def test_fixed_blas_threads_overrides(policy_default):
    with B.fixed_blas_threads(2), B.blas_policy(0):
        assert B.blas_threads() == 2
    with B.fixed_blas_threads(1), B.blas_policy(10**12):
        assert B.blas_threads() == 1
    assert B.blas_threads() == 2


def test_free_cores_reads_this_machine():
    assert 1 <= B.free_cores() <= B.available_cores()
    assert B.other_runnable() >= 0


def test_ais_workers_follow_the_user_limit(monkeypatch):
    monkeypatch.setattr(B, "_DEFAULT_BLAS_THREADS", 2)
    monkeypatch.setattr(B, "free_cores", lambda: 2)
    for var in B._THREAD_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    with threadpool_limits(limits=1, user_api="blas"):  # the user's choice
        assert B.worker_threads() == 1
    with threadpool_limits(limits=2, user_api="blas"):
        assert B.worker_threads() == 2  # free cores
        with B.blas_policy(0):  # the policy's 1 BLAS thread is not the user's
            assert B.worker_threads() == 2


def test_diverged_partial_fit_keeps_the_optimizer_state():
    X = (np.random.default_rng(0).random((40, 6)) < 0.4).astype(float)
    est = BinaryRBM(4, learning_rate=0.05, max_iter=2, random_state=0).fit(X)
    before = {k: np.array(v) for k, v in est._optimizer_state.items()}
    est.set_params(learning_rate=1e6)
    with pytest.raises(FloatingPointError):
        with np.errstate(all="ignore"):
            est.partial_fit(X)
    for k, v in before.items():
        np.testing.assert_array_equal(est._optimizer_state[k], v)


def test_a_second_thread_training_one_estimator_is_refused_clearly(monkeypatch):
    """Thread A is inside partial_fit (held there by an event); thread B's
    partial_fit on the same estimator raises a RuntimeError that says what to
    do; A finishes normally, and afterwards B's call works."""
    import threading

    from skrapid import BinaryRBM
    from skrapid._base import BaseRBM

    X = (np.random.default_rng(0).random((40, 6)) > 0.5).astype(float)
    rbm = BinaryRBM(n_components=3, random_state=0)
    inside, release = threading.Event(), threading.Event()
    original = BaseRBM._guarded_train

    def held(self, *args, **kwargs):
        if threading.current_thread().name == "A":
            inside.set()
            release.wait(10)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(BaseRBM, "_guarded_train", held)
    errors = []
    a = threading.Thread(target=lambda: rbm.partial_fit(X), name="A")
    a.start()
    assert inside.wait(10)
    with pytest.raises(RuntimeError, match="another thread is training this estimator"):
        rbm.partial_fit(X)
    release.set()
    a.join(10)
    assert not errors and rbm.n_iter_ == 1
    rbm.partial_fit(X)  # the same estimator, free again
    assert rbm.n_iter_ == 2
    import pickle

    assert "_trainer" not in pickle.loads(pickle.dumps(rbm)).__dict__


def test_pytorch_threads_follow_the_policy(policy_default):
    """PyTorch's own CPU thread pool (which threadpoolctl does not reach) is
    limited by the same policy for the call and restored after it; a count
    the user lowered with ``torch.set_num_threads`` is never raised."""
    torch = pytest.importorskip("torch")
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with B.blas_policy(0):  # a small product: one thread
            assert torch.get_num_threads() == 1
            with B.blas_policy(10**12):  # nested: the outer call decided
                assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        torch.set_num_threads(1)
        with B.fixed_blas_threads(2), B.blas_policy(0):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(old)
