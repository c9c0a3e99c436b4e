"""Device reads and host copies of the PyTorch path (the counters of
``tests/test_torch_path.py``), per fit, AIS call and ``sample`` call.

Run from the repository root: ``python docs/results/bench/array_api/torch_path/
syncs.py`` (needs PyTorch)."""

import os
import sys
import warnings

os.environ["SCIPY_ARRAY_API"] = "1"
sys.path.insert(0, "tests")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
from test_torch_path import _Syncs  # noqa: E402

from skrapid import RARBM, BinaryRBM, GaussianRBM  # noqa: E402

warnings.simplefilter("ignore")
count = _Syncs(pytest.MonkeyPatch())
rng = np.random.default_rng(0)
Xb = torch.asarray((rng.random((200, 6)) < 0.4).astype(float))
Xg = torch.asarray(rng.normal(size=(200, 6)))
CASES = {
    "BinaryRBM pcd": (lambda **k: BinaryRBM(method="pcd", **k), Xb),
    "BinaryRBM pt": (lambda **k: BinaryRBM(method="pt", **k), Xb),
    "RARBM pid": (lambda **k: RARBM(n_patterns=2, **k), Xb),
    "GaussianRBM pcd": (lambda **k: GaussianRBM(method="pcd", **k), Xg),
    "GaussianRBM exact": (lambda **k: GaussianRBM(method="exact", **k), Xg),
}
for name, (make, X) in CASES.items():
    with sklearn.config_context(array_api_dispatch=True):
        fits = []
        for epochs, batch in [(2, 100), (2, 5), (4, 5)]:
            make(n_components=3, max_iter=epochs, batch_size=batch, random_state=0).fit(
                X
            )
            fits.append(count.take())
        est = make(n_components=3, max_iter=2, random_state=0).fit(X)
        count.take()
        ais = []
        for n_betas in (50, 200):
            est.log_partition_function(
                "ais", n_betas=n_betas, n_chains=10, random_state=0
            )
            ais.append(count.take())
        draws = []
        for n_steps in (10, 500):
            est.sample(20, n_steps=n_steps, random_state=0)
            draws.append(count.take())
    print(name, "fit 2 epochs b100 / b5, 4 epochs b5:", fits)
    print("   AIS 50 / 200 temperatures:", ais, "sample 10 / 500 sweeps:", draws)
