"""AIS accuracy and cost against the number of temperatures (n_betas).

The table of docs/guide/choosing.rst ("What AIS costs"): a BinaryRBM with 24
hidden units on sklearn's digits binarized at > 7 (75/25 split), small enough
that log Z is still exact by enumeration (2^24 states) but past the 20 units
where ``score`` switches to AIS.  Forward AIS with 100 chains, 5 seeds per
n_betas.  Run from the repository root (about two minutes on a 2-core CPU)::

    OMP_NUM_THREADS=1 python docs/results/ais_nbetas/ais_nbetas.py

It writes ais_nbetas.json next to this file.
"""

import json
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skrapid import BinaryRBM
from skrapid.datasets import binarize

X = binarize(load_digits().data, threshold=7)
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
rbm = BinaryRBM(n_components=24, max_iter=20, random_state=0, device="cpu")
rbm.fit(X_train)
t = time.perf_counter()
exact = rbm.log_partition_function("exact")
exact_s = time.perf_counter() - t
print(f"exact log Z {exact:.4f} ({exact_s:.1f} s), held-out {rbm.score(X_test):.3f}")
out = {"exact_log_z": exact, "exact_s": exact_s, "n_chains": 100, "rows": []}
for n_betas in [100, 300, 1000, 3000, 10000]:
    errors, stds, seconds = [], [], []
    for seed in range(5):
        t = time.perf_counter()
        log_z, std = rbm.log_partition_function(
            "ais", n_betas=n_betas, return_std=True, random_state=seed
        )
        seconds.append(time.perf_counter() - t)
        errors.append(log_z - exact)
        stds.append(std)
    row = {
        "n_betas": n_betas,
        "mean_error": float(np.mean(errors)),
        "max_abs_error": float(np.max(np.abs(errors))),
        "mean_std": float(np.mean(stds)),
        "median_s": float(np.median(seconds)),
    }
    print(row)
    out["rows"].append(row)
(Path(__file__).parent / "ais_nbetas.json").write_text(json.dumps(out, indent=1) + "\n")
