"""``skrapid bench blas-threads``: one BLAS thread against all of them, by size.

Small models multiply small matrices; there a multi-threaded BLAS spends more
time waking and joining its threads than it saves.  This benchmark times one
PCD-1 update of :class:`~skrapid.BinaryRBM`, one AIS temperature and scikit-
learn's ``LogisticRegression`` probe (the work of ``skrapid demo``) at the
machine's default number of BLAS threads and at one thread, in one run, so a
user can see where :func:`threadpoolctl.threadpool_limits` pays on their
machine.
"""

from __future__ import annotations

import time

import numpy as np

from .._backend import blas_threads
from ._common import _plain_row

#: (batch, V, H) of the PCD-1 cases: the demo's digits, then MNIST sizes.
PCD_SIZES = [(10, 64, 200), (100, 64, 200), (10, 784, 500), (100, 784, 500)]
#: (V, H) of the AIS cases (100 chains).
AIS_SIZES = [(64, 200), (784, 500)]


def _median_seconds(fn, threads, repeats):
    from threadpoolctl import threadpool_limits

    times = []
    with threadpool_limits(limits=threads, user_api="blas"):
        for r in range(repeats):
            t0 = time.perf_counter()
            fn(r)
            times.append(time.perf_counter() - t0)
    return times


def bench_blas_threads(args, progress=print) -> dict:
    """Seconds per PCD-1 update, per AIS temperature (100 chains) and per
    logistic-regression probe, at all BLAS threads (the reference) and at
    one; ``vs ref`` > 1 means one thread is faster."""
    from sklearn.linear_model import LogisticRegression

    from .. import BinaryRBM

    n_all = blas_threads()
    rng = np.random.default_rng(0)
    cases = {}
    for b, V, H in PCD_SIZES:
        n_updates = 200 if V * H < 50_000 else 40
        X = (rng.random((n_updates * b, V)) < 0.3).astype(np.float32)

        def fit(r, X=X, b=b, H=H):
            BinaryRBM(n_components=H, batch_size=b, max_iter=1, random_state=r).fit(X)

        cases[f"PCD-1 {b}x{V}x{H}"] = (fit, n_updates, "per update")
    for V, H in AIS_SIZES:
        X = (rng.random((200, V)) < 0.3).astype(np.float32)
        rbm = BinaryRBM(n_components=H, max_iter=1, random_state=0).fit(X)
        n_betas = 2000 if V * H < 50_000 else 500

        def ais(r, rbm=rbm, n_betas=n_betas, X=X):
            rbm.log_partition_function(
                "ais", X=X, n_chains=100, n_betas=n_betas, random_state=r
            )

        cases[f"AIS {V}x{H}"] = (ais, n_betas, "per temperature")
    Xd = rng.random((2000, 200))
    yd = rng.integers(0, 10, 2000)

    def probe(r):
        LogisticRegression(C=10, max_iter=300).fit(Xd, yd)

    cases["LogisticRegression 2000x200"] = (probe, 1, "per fit")
    results = {}
    for name, (fn, per, unit) in cases.items():
        fn(0)  # warm-up: imports, caches, thread pools
        t_all = _median_seconds(fn, n_all, args.repeats)
        t_one = _median_seconds(fn, 1, args.repeats)
        ratio = float(np.median(t_all) / np.median(t_one))
        progress(
            f"  {name}: {1e3 * np.median(t_all) / per:.3f} ms {unit} at "
            f"{n_all} BLAS threads, {1e3 * np.median(t_one) / per:.3f} ms at one "
            f"(one thread {ratio:.2f}x as fast)"
        )
        ref = f"{name}, {n_all} threads"
        results[ref] = _plain_row(t_all, blas_threads=n_all, unit=unit, per=per)
        results[f"{name}, 1 thread"] = _plain_row(
            t_one, blas_threads=1, unit=unit, per=per
        )
        results[f"{name}, 1 thread"].update(
            reference=ref, speedup_vs_reference=ratio, dtype="float32"
        )
    return {"benchmark": "blas-threads", "blas_threads": n_all, "results": results}
