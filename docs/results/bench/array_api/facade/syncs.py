"""Device reads and host copies of the façade's path (its own counters,
``skrapid._xpnp.crossings``, as ``tests/test_facade.py`` reads them), per fit,
AIS call and ``sample`` call, for array_api_strict's ``device1`` and, where
PyTorch is installed, PyTorch's CPU.

Run from the repository root: ``python docs/results/bench/array_api/facade/
syncs.py``."""

import os
import sys
import warnings

os.environ["SCIPY_ARRAY_API"] = "1"
sys.path.insert(0, "tests")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from test_facade import LIBRARIES, _asarray, _Syncs  # noqa: E402

from skrapid import RARBM, BinaryRBM, GaussianRBM  # noqa: E402

warnings.simplefilter("ignore")
count = _Syncs()
rng = np.random.default_rng(0)
xb = (rng.random((200, 6)) < 0.4).astype(float)
xg = rng.normal(size=(200, 6))
CASES = {
    "BinaryRBM pcd": (lambda **k: BinaryRBM(method="pcd", **k), xb),
    "BinaryRBM pt": (lambda **k: BinaryRBM(method="pt", **k), xb),
    "RARBM pid": (lambda **k: RARBM(n_patterns=2, **k), xb),
    "GaussianRBM pcd": (lambda **k: GaussianRBM(method="pcd", **k), xg),
    "GaussianRBM exact": (lambda **k: GaussianRBM(method="exact", **k), xg),
}
for (name, (make, x)), library in (
    (case, lib) for lib in LIBRARIES for case in CASES.items()
):
    X = _asarray(library, x)
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
    print(library, name, "fit 2 epochs b100 / b5, 4 epochs b5:", fits)
    print("   AIS 50 / 200 temperatures:", ais, "sample 10 / 500 sweeps:", draws)
