"""The digits probe of scikit-learn's RBM example, with BinaryRBM.

The side-by-side comparison with BernoulliRBM over seeds is a benchmark
(``skrapid bench digits-probe``); this test guards the accuracy of one seed.
"""

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from skrapid import BinaryRBM
from skrapid.datasets import load_digits_nudged


@pytest.mark.slow
def test_digits_probe_accuracy():
    X, y = load_digits_nudged()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    pipe = Pipeline(
        [
            (
                "rbm",
                # the example's own settings, BinaryRBM's defaults otherwise
                # (centred, sparse hidden start, momentum 0.5; before the
                # sparse start and momentum the defaults scored 0.900 here)
                BinaryRBM(
                    n_components=100,
                    learning_rate=0.06,
                    max_iter=10,
                    random_state=0,
                    device="cpu",
                ),
            ),
            ("logistic", LogisticRegression(C=6000, max_iter=2000)),
        ]
    ).fit(Xtr, ytr)
    # sklearn's BernoulliRBM scores 0.933 here; the raw-pixel logistic
    # regression of the same example about 0.78
    assert pipe.score(Xte, yte) >= 0.925
