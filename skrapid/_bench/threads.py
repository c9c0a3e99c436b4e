"""``skrapid bench threads``: the estimators' BLAS thread policy against fixed
thread counts, on an idle machine and beside one busy process.

The estimators choose the BLAS threads of their own products from the sizes
(:func:`skrapid._backend.policy_threads`): one thread for small products,
where waking and joining threads costs more than it saves, and for large ones
as many as the cores other processes leave free.  This benchmark times the
same work three ways in one run -- the default (the policy), one BLAS thread
and all of them (the BLAS default, the behaviour before the policy) -- first
on the machine as it is, then beside one busy process that the benchmark
starts (a Python loop that keeps one core busy) and stops itself.  Each case
is what a user runs, with defaults:

* the README's RAPID pipeline quick start (a grid search of RARBM +
  LogisticRegression on the nudged digits, 5 epochs, 3 folds);
* scikit-learn's example "RBM features for digit classification" with
  BinaryRBM (H = 100, lr 0.06, 10 epochs, LogisticRegression(C=6000));
* one PCD-1 epoch of BinaryRBM at 64 x 200, batch 10 (the digits);
* one PCD-1 epoch at MNIST size, 784 x 500, batch 100 (3000 synthetic
  images).

The two pipelines also run scikit-learn's LogisticRegression, whose BLAS
calls skrapid does not choose: its time is reported separately so the
policy's share is visible.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time

import numpy as np

from .._backend import _DEFAULT_BLAS_THREADS, fixed_blas_threads
from ._common import _plain_row

_BUSY_LOOP = "while True:\n    pass\n"

#: Seconds above which a case (the quick start's grid search) is timed once
#: per setting instead of ``--repeats`` times.
LONG_CASE = 20.0

#: Seconds of rest before each timed run.
SETTLE = 0.5


@contextlib.contextmanager
def busy_process():
    """One process that keeps a core busy for the duration of the block."""
    proc = subprocess.Popen([sys.executable, "-c", _BUSY_LOOP])
    try:
        time.sleep(0.5)  # let it start
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _modes(n_all):
    """(label, context factory) of the three settings timed: the policy, one
    thread and all threads (for skrapid's calls and everything else)."""
    from threadpoolctl import threadpool_limits

    @contextlib.contextmanager
    def fixed(n):
        with threadpool_limits(limits=n, user_api="blas"), fixed_blas_threads(n):
            yield

    return [
        ("default", contextlib.nullcontext),
        ("1 thread", lambda: fixed(1)),
        (f"all ({n_all}) threads", lambda: fixed(n_all)),
    ]


def quickstart_pipeline(X, y, epochs=5):
    """The README's RAPID quick start: GridSearchCV over RARBM's sizes in a
    Pipeline with LogisticRegression; returns (grid, test accuracy, raw-pixel
    logistic-regression accuracy)."""
    import warnings

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, train_test_split
    from sklearn.pipeline import make_pipeline

    from .. import RARBM

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=0
    )
    pipe = make_pipeline(
        RARBM(max_iter=epochs, random_state=0),
        LogisticRegression(C=10, max_iter=1000),
    )
    grid = GridSearchCV(
        pipe,
        {"rarbm__n_patterns": [10, 20], "rarbm__n_components": [200, 300]},
        cv=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        grid.fit(X_train, y_train)
    raw = LogisticRegression(C=10, max_iter=1000).fit(X_train, y_train)
    return grid, grid.score(X_test, y_test), raw.score(X_test, y_test)


def sklearn_example(X, y):
    """scikit-learn's RBM example with BinaryRBM in BernoulliRBM's place;
    returns the test accuracy."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline

    from .. import BinaryRBM

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=0
    )
    rbm = BinaryRBM(n_components=100, learning_rate=0.06, max_iter=10, random_state=0)
    pipe = Pipeline(
        [("rbm", rbm), ("logistic", LogisticRegression(C=6000, max_iter=2000))]
    )
    return pipe.fit(X_train, y_train).score(X_test, y_test)


def _cases():
    from .. import BinaryRBM
    from ..datasets import binarize, load_digits_nudged

    Xn, yn = load_digits_nudged()
    Xb = binarize(Xn, threshold=0.5)
    Xs = Xn.astype(np.float32)
    rng = np.random.default_rng(0)
    Xd = (rng.random((1797, 64)) < 0.3).astype(np.float64)
    Xm = (rng.random((3000, 784)) < 0.13).astype(np.float32)

    def pcd_small():
        BinaryRBM(n_components=200, max_iter=1, random_state=0).fit(Xd)

    def pcd_mnist():
        BinaryRBM(n_components=500, batch_size=100, max_iter=1, random_state=0).fit(Xm)

    from sklearn.linear_model import LogisticRegression

    Xf = (rng.random((4792, 300)) < 0.3).astype(np.float64)
    yf = rng.integers(0, 10, 4792)

    def probe_only():  # scikit-learn's own work, which skrapid does not steer
        LogisticRegression(C=10, max_iter=1000).fit(Xf, yf)

    return {
        "digits quick start (README)": lambda: quickstart_pipeline(Xb, yn),
        "sklearn RBM example": lambda: sklearn_example(Xs, yn),
        "PCD-1 epoch 64x200, batch 10": pcd_small,
        "PCD-1 epoch 784x500, batch 100": pcd_mnist,
        "LogisticRegression alone (sklearn's, 4792x300)": probe_only,
    }


def bench_threads(args, progress=print) -> dict:
    """Median seconds of each case under the policy (default), one BLAS
    thread and all threads, idle and beside one busy process; ``vs best`` is
    the default's time over the faster fixed setting's (1.10 = 10% slower)."""
    n_all = _DEFAULT_BLAS_THREADS
    cases = _cases()
    modes = _modes(n_all)
    results, summary = {}, {}
    for load in ("idle", "busy"):
        ctx = busy_process() if load == "busy" else contextlib.nullcontext()
        with ctx:
            for name, fn in cases.items():
                t0 = time.perf_counter()
                fn()  # warm-up: imports, caches, thread pools
                # a case of more than LONG_CASE seconds runs once per setting
                long = time.perf_counter() - t0 > LONG_CASE
                repeats = 1 if long else args.repeats
                times = {label: [] for label, _ in modes}
                for _ in range(repeats):  # interleaved
                    for label, mode in modes:
                        # let the BLAS threads of the run before stop spinning
                        # (OpenBLAS's workers busy-wait for a while after a
                        # product, and beside a busy process that wait would
                        # be charged to the next run)
                        time.sleep(SETTLE)
                        with mode():
                            t0 = time.perf_counter()
                            fn()
                            times[label].append(time.perf_counter() - t0)
                med = {k: float(np.median(v)) for k, v in times.items()}
                best = min(v for k, v in med.items() if k != "default")
                ratio = med["default"] / best
                summary[f"{name}, {load}"] = {"median_seconds": med, "vs_best": ratio}
                progress(
                    f"  {name}, {load}: "
                    + ", ".join(f"{k} {v:.3f} s" for k, v in med.items())
                    + f"; default / best fixed = {ratio:.2f}",
                    flush=True,
                )
                ref = f"{name}, {load}, 1 thread"
                for label, _ in modes:
                    row = _plain_row(times[label], unit="per run", per=1)
                    if label != "1 thread":
                        row.update(
                            reference=ref,
                            speedup_vs_reference=med["1 thread"] / med[label],
                        )
                    results[f"{name}, {load}, {label}"] = row
    return {
        "benchmark": "threads",
        "blas_threads": n_all,
        "summary": summary,
        "results": results,
    }


def bench_blas_threads(args, progress=print) -> dict:
    """``skrapid bench blas-threads``: the older name of ``bench threads``."""
    return bench_threads(args, progress)
