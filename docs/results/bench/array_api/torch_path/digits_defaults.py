"""Defaults against baselines on scikit-learn's nudged digits (the RBM
example's data), binarized at 0.5, 7000 rows to train and the rest held out:
the factorized baseline, ``BernoulliRBM()`` scored exactly, and
``BinaryRBM()`` on NumPy and on a PyTorch CPU tensor.

Run from the repository root: ``python docs/results/bench/array_api/torch_path/
digits_defaults.py`` (needs PyTorch)."""

import os

os.environ["SCIPY_ARRAY_API"] = "1"

import time  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
from scipy.ndimage import convolve  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402

from skrapid import BinaryRBM  # noqa: E402
from skrapid.metrics import factorized_log_likelihood  # noqa: E402

SHIFTS = [
    [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
]


def nudge(X):
    """The images and their four one-pixel shifts (scikit-learn's example)."""

    def shift(x, w):
        return convolve(x.reshape((8, 8)), mode="constant", weights=w).ravel()

    return np.concatenate([X] + [np.apply_along_axis(shift, 1, X, w) for w in SHIFTS])


def timed(fit):
    t0 = time.perf_counter()
    est = fit()
    return est, time.perf_counter() - t0


X = nudge(load_digits().data / 16.0)
X = X[np.random.default_rng(0).permutation(len(X))]
X = (X > 0.5).astype(np.float64)
train, test = X[:7000], X[7000:]
print("rows", train.shape, test.shape)
print("factorized", round(float(factorized_log_likelihood(train, test)), 3))
sk, t = timed(lambda: BernoulliRBM(random_state=0).fit(train))
print(
    "BernoulliRBM", round(BinaryRBM.from_sklearn(sk).score(test), 3), f"fit {t:.2f} s"
)
est, t = timed(lambda: BinaryRBM(random_state=0).fit(train))
print("BinaryRBM numpy", round(est.score(test), 3), f"fit {t:.2f} s")
with sklearn.config_context(array_api_dispatch=True):
    est, t = timed(lambda: BinaryRBM(random_state=0).fit(torch.asarray(train)))
    score = float(est.score(torch.asarray(test)))
print("BinaryRBM torch", round(score, 3), f"fit {t:.2f} s", est.log_z_diagnostics_)
