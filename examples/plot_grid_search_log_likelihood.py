"""
Choosing K and H by held-out log-likelihood
===========================================

The workflow skrapid is built for: ``GridSearchCV`` over the number of
patterns K of :class:`~skrapid.RARBM` and the number of hidden units H of
both binary estimators, with no scorer, so every candidate is ranked by its
mean held-out log-likelihood ``score`` (nats per image).  The hidden layers
here have at most 16 units, so ``score`` computes log Z exactly by
enumeration and the ranking has no sampling error.

Every log-likelihood is drawn next to its baseline, the factorized model
(independent pixels, Laplace-smoothed), which any RBM with W = 0 is: a model
below that line has learnt nothing about the pixels' correlations.
Runs in about half a minute on a laptop CPU, on embedded data.
"""

# %%
# Data: sklearn's digits, binarized at > 7, a 75/25 split
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split

from skrapid import RARBM, BinaryRBM, SpinGlassWarning
from skrapid.metrics import factorized_log_likelihood

X = (load_digits().data > 7).astype(float)
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
baseline = factorized_log_likelihood(X_train, X_test)
print(f"factorized baseline: {baseline:.2f} nats/image")

# %%
# Grid searches: H for BinaryRBM, K and H for RARBM (on ±1 data, its
# default units).  Three-fold cross-validation on the training set.
H_grid = [4, 8, 16]
K_grid = [2, 4, 8]
common = dict(max_iter=20, random_state=0, device="cpu")
binary = GridSearchCV(
    BinaryRBM(learning_rate=0.05, **common), {"n_components": H_grid}, cv=3
).fit(X_train)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SpinGlassWarning)  # K = 8 with H = 4
    rapid = GridSearchCV(
        RARBM(**common), {"n_patterns": K_grid, "n_components": H_grid}, cv=3
    ).fit(2 * X_train - 1)
print(f"BinaryRBM best {binary.best_params_}: CV {binary.best_score_:.2f}")
print(f"RARBM best {rapid.best_params_}: CV {rapid.best_score_:.2f}")
print(
    f"held-out test: BinaryRBM {binary.score(X_test):.2f}, "
    f"RARBM {rapid.score(2 * X_test - 1):.2f}, baseline {baseline:.2f}"
)

# %%
# The cross-validated log-likelihood of every candidate, with the baseline
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(H_grid, binary.cv_results_["mean_test_score"], "o-k", label="BinaryRBM")
res = rapid.cv_results_
for K in K_grid:
    sel = np.asarray(res["param_n_patterns"]) == K
    H = np.asarray(res["param_n_components"])[sel]
    ax.plot(H, res["mean_test_score"][sel], "s--", label=f"RARBM, K = {K}")
ax.axhline(baseline, color="tab:red", label="factorized baseline")
ax.set_xscale("log", base=2)
ax.set_xticks(H_grid, [str(h) for h in H_grid])
ax.set_xlabel("hidden units H")
ax.set_ylabel("3-fold CV log-likelihood (nats/image)")
ax.set_title("GridSearchCV on digits > 7, scored by log-likelihood")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
