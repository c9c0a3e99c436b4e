"""
Grid-searching K and H on a dask cluster, scored by held-out log-likelihood
===========================================================================

:class:`~sklearn.model_selection.GridSearchCV` fans its fits out through
joblib; with joblib's ``"dask"`` backend they run as tasks on a
``dask.distributed`` cluster, one machine or many.  skrapid's estimators are
plain picklable objects holding NumPy arrays only (never device arrays), so
workers with or without GPUs can run them.

Here the cluster is an in-process :class:`~distributed.LocalCluster` with
two single-threaded workers (worker *processes* need the script to be
guarded by ``if __name__ == "__main__":``; the test suite runs that case);
to use a real cluster pass its scheduler address instead, e.g.
``SKRAPID_DASK_SCHEDULER=tcp://10.0.0.1:8786 python plot_dask_grid_search.py``.
The score is :meth:`RARBM.score`, the mean held-out log-likelihood, exact
here (4x4 bars: 16 visible units are enumerated).  Needs
``pip install "dask[distributed]"``.  Runs in under a minute on a laptop.
"""

# %%
import os
import warnings

import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV, KFold

from skrapid import RARBM, SpinGlassWarning
from skrapid.datasets import make_bars

# K = 8 patterns in H = 50 hidden units is near the Hopfield spin-glass load;
# the search is meant to find that out, so the warning is silenced here.
warnings.simplefilter("ignore", SpinGlassWarning)

X = np.tile(make_bars(4), (4, 1))  # the 16 4x4 bar images as spins, x4

search = GridSearchCV(
    RARBM(
        n_components=100,
        negative_phase="pid",
        n_gibbs_steps=10,  # PID seeding 10 Gibbs steps at the patterns
        pattern_constraint="clip",  # continuous patterns: the scale is learnt
        max_iter=30,
        learning_rate=0.05,
        batch_size=4,
        random_state=0,
    ),
    {"n_patterns": [1, 2, 4, 8], "n_components": [50, 100, 200]},
    cv=KFold(4, shuffle=True, random_state=0),
    n_jobs=-1,
)

# %%
# The cluster: a scheduler address from the environment, or a local one
address = os.environ.get("SKRAPID_DASK_SCHEDULER")
cluster = (
    None
    if address
    else LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
)
with Client(address or cluster) as client, joblib.parallel_backend("dask"):
    print(client)
    search.fit(X)
if cluster is not None:
    cluster.close()

print(
    "best:",
    search.best_params_,
    f"held-out log-likelihood {search.best_score_:.3f} nats",
)

# %%
# Held-out log-likelihood over the grid
scores = search.cv_results_["mean_test_score"].reshape(4, 3)
fig, ax = plt.subplots(figsize=(4.5, 3.5))
im = ax.imshow(scores, cmap="viridis")
ax.set_xticks(range(3), [50, 100, 200])
ax.set_yticks(range(4), [1, 2, 4, 8])
ax.set_xlabel("H (n_components)")
ax.set_ylabel("K (n_patterns)")
fig.colorbar(im, label="held-out log-likelihood (nats)")
ax.set_title("RAPID on 4x4 bars, 4-fold CV")
plt.show()
