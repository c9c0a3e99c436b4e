"""
One grid search over BinaryRBM and RARBM on the same 0/1 data
=============================================================

Both binary estimators take the same X: ordinary {0, 1} pixels.  (RAPID's
model is written in spins; :class:`~skrapid.RARBM` reads {0, 1} data as
s = 2x - 1 and returns states as 0/1, its ``visible_values_``.)  So one
``GridSearchCV`` over a one-step ``Pipeline`` can put the estimator itself
in the grid, next to its sizes, and rank every candidate by the same
quantity: the mean held-out log-likelihood ``score`` (nats per image), with
no scorer to write.  The hidden layers here have at most 16 units, so log Z
is exact (enumeration) and the ranking carries no sampling error.

Every log-likelihood is drawn next to its baseline, the factorized model
(independent pixels, Laplace-smoothed).  Runs in well under a minute on a
laptop CPU, on embedded data.
"""

# %%
# Data: sklearn's digits, binarized at > 7 (0/1), a 75/25 split
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline

from skrapid import RARBM, BinaryRBM, SpinGlassWarning
from skrapid.metrics import factorized_log_likelihood

X = (load_digits().data > 7).astype(float)
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
baseline = factorized_log_likelihood(X_train, X_test)
print(f"factorized baseline: {baseline:.2f} nats/image")

# %%
# One grid: the estimator is a parameter of the pipeline.  Both run with
# their defaults apart from the sizes searched and 60 epochs: RARBM's default
# step (0.003) suits its default H = 256, and with 16 hidden units it needs
# more epochs to leave the factorized model (20 epochs: +1.0 nats at most).
common = dict(max_iter=60, random_state=0, device="cpu")
pipe = Pipeline([("rbm", BinaryRBM())])
grid = [
    {"rbm": [BinaryRBM(**common)], "rbm__n_components": [8, 16]},
    {
        "rbm": [RARBM(**common)],
        "rbm__n_components": [8, 16],
        "rbm__n_patterns": [4, 8],
    },
]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SpinGlassWarning)  # K / (V + H) at 8 / 72
    search = GridSearchCV(pipe, grid, cv=3).fit(X_train)

res = search.cv_results_
labels = []
for p in res["params"]:
    est = type(p["rbm"]).__name__
    k = f", K={p['rbm__n_patterns']}" if "rbm__n_patterns" in p else ""
    labels.append(f"{est} H={p['rbm__n_components']}{k}")
for label, s in zip(labels, res["mean_test_score"], strict=True):
    print(f"{label:24s} {s:8.2f} nats/image ({s - baseline:+.2f} vs the baseline)")
best = search.best_estimator_
print(f"best: {labels[search.best_index_]}; held-out {search.score(X_test):.2f}")

# %%
# Every candidate against the baseline
order = np.argsort(res["mean_test_score"])
fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.barh(
    [labels[i] for i in order],
    res["mean_test_score"][order] - baseline,
    color=["C1" if "RARBM" in labels[i] else "C0" for i in order],
)
ax.axvline(0, color="k", lw=1)
ax.set_xlabel("cross-validated log-likelihood − factorized baseline (nats/image)")
ax.set_title("BinaryRBM (blue) and RARBM (orange), one grid search")
fig.tight_layout()
plt.show()
