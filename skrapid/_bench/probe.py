"""``skrapid bench digits-probe``: the logistic-regression probe accuracy
of BinaryRBM features against scikit-learn's BernoulliRBM."""

from __future__ import annotations

import time

import numpy as np


def bench_digits_probe(args, progress=print) -> dict:
    """Probe accuracy of Pipeline(RBM, LogisticRegression) on the nudged digits:
    BinaryRBM vs sklearn's BernoulliRBM at the settings of sklearn's example."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import BernoulliRBM
    from sklearn.pipeline import Pipeline

    from .. import BinaryRBM
    from ..datasets import load_digits_nudged

    X, y = load_digits_nudged()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    acc = {"sklearn": [], "skrapid": []}
    secs = {"sklearn": [], "skrapid": []}
    for seed in range(args.repeats):
        for name, rbm in (
            (
                "sklearn",
                BernoulliRBM(
                    n_components=100, learning_rate=0.06, n_iter=10, random_state=seed
                ),
            ),
            (
                "skrapid",
                BinaryRBM(  # the example's settings, defaults otherwise
                    n_components=100,
                    learning_rate=0.06,
                    max_iter=10,
                    random_state=seed,
                    device="cpu",
                ),
            ),
        ):
            t0 = time.perf_counter()
            pipe = Pipeline(
                [("rbm", rbm), ("logistic", LogisticRegression(C=6000, max_iter=2000))]
            )
            acc[name].append(float(pipe.fit(Xtr, ytr).score(Xte, yte)))
            secs[name].append(time.perf_counter() - t0)
        progress(
            f"  seed {seed}: sklearn {acc['sklearn'][-1]:.4f}, "
            f"skrapid {acc['skrapid'][-1]:.4f}",
            flush=True,
        )
    med = {k: float(np.median(v)) for k, v in acc.items()}
    print(
        f"\nmedian accuracy over {args.repeats} seeds: sklearn BernoulliRBM "
        f"{med['sklearn']:.4f}, skrapid BinaryRBM {med['skrapid']:.4f}; "
        f"skrapid >= sklearn in "
        f"{int(np.sum(np.array(acc['skrapid']) >= np.array(acc['sklearn'])))}"
        f"/{args.repeats} seeds"
    )
    return {
        "benchmark": "digits-probe",
        "accuracy": acc,
        "seconds": secs,
        "median_accuracy": med,
        "results": {},
    }
