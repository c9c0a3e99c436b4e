"""BernoulliRBM's own turf: probe accuracies of BinaryRBM and RARBM with
their defaults next to scikit-learn's BernoulliRBM, seed by seed.

Rows (each a setting a new user runs, all models in one run):

* ``example``: scikit-learn's "RBM features for digit classification"
  (nudged digits in [0, 1], H = 100, lr 0.06, 10 epochs,
  LogisticRegression(C=6000)), test accuracy;
* ``cv``: digits binarized at > 7, H = 200, 20 epochs,
  LogisticRegression(max_iter=1000), 3-fold cross-validated accuracy;
* ``demo``: the probe of ``skrapid demo`` (nudged digits binarized at 0.5,
  H = 200, 20 epochs, LogisticRegression(C=10)), test accuracy.

Run: ``OMP_NUM_THREADS=1 python docs/results/turf/turf.py [--seeds 3]``; writes
``docs/results/turf/turf.json`` (resumable: finished (row, model, seed)
entries are kept).
"""

import argparse
import json
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import Pipeline

from skrapid import RARBM, BinaryRBM
from skrapid.datasets import binarize, load_digits_nudged

OUT = Path(__file__).with_suffix(".json")


def model(name, H, epochs, seed, lr=None):
    kw = {} if lr is None else {"learning_rate": lr}
    if name == "BernoulliRBM":
        return BernoulliRBM(n_components=H, n_iter=epochs, random_state=seed, **kw)
    cls = {"BinaryRBM": BinaryRBM, "RARBM": RARBM}[name]
    return cls(n_components=H, max_iter=epochs, random_state=seed, **kw)


def row_example(name, seed):
    X, y = load_digits_nudged()
    Xtr, Xte, ytr, yte = train_test_split(
        X.astype(np.float32), y, test_size=0.2, random_state=0
    )
    pipe = Pipeline(
        [
            ("rbm", model(name, 100, 10, seed, lr=0.06)),
            ("lr", LogisticRegression(C=6000, max_iter=2000)),
        ]
    )
    return float(pipe.fit(Xtr, ytr).score(Xte, yte))


def row_cv(name, seed):
    X, y = load_digits(return_X_y=True)
    X = (X > 7).astype(float)
    pipe = Pipeline(
        [("rbm", model(name, 200, 20, seed)), ("lr", LogisticRegression(max_iter=1000))]
    )
    return float(np.mean(cross_val_score(pipe, X, y, cv=3)))


def row_demo(name, seed):
    X, y = load_digits_nudged()
    X = binarize(X, threshold=0.5)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    pipe = Pipeline(
        [
            ("rbm", model(name, 200, 20, seed)),
            ("lr", LogisticRegression(C=10, max_iter=2000)),
        ]
    )
    return float(pipe.fit(Xtr, ytr).score(Xte, yte))


ROWS = {
    "example": (row_example, ["BernoulliRBM", "BinaryRBM"]),
    "cv": (row_cv, ["BernoulliRBM", "BinaryRBM", "RARBM"]),
    "demo": (row_demo, ["BernoulliRBM", "BinaryRBM", "RARBM"]),
}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    done = json.loads(OUT.read_text()) if OUT.exists() else {}
    for row, (fn, names) in ROWS.items():
        for seed in range(args.seeds):
            for name in names:
                key = f"{row}/{name}/{seed}"
                if key in done:
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    done[key] = fn(name, seed)
                print(key, round(done[key], 4), flush=True)
                OUT.write_text(json.dumps(done, indent=1))
    for row, (_, names) in ROWS.items():
        med = {
            n: float(np.median([done[f"{row}/{n}/{s}"] for s in range(args.seeds)]))
            for n in names
        }
        print(row, {n: round(v, 4) for n, v in med.items()})


if __name__ == "__main__":
    main()
