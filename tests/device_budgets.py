"""Transfers of the device path, counted on the strict CuPy stand-in.

Run ``python tests/device_budgets.py``.  For each estimator and training
method it prints the device->host syncs and host->device copies per minibatch
(fits of 2 epochs with 8 and 16 minibatches), per epoch (2 and 3 epochs), for
a whole fit (2 epochs of 8 minibatches), and per AIS / reverse-AIS temperature
(50 and 100 temperatures) with the per-call totals.  The budgets themselves
are asserted in ``test_device_plumbing.py``.
"""

import _cupy_standin as S
import numpy as np

from skrapid import RARBM, BinaryRBM, GaussianRBM
from skrapid import _backend as B
from skrapid.datasets import lattice_kernel, sample_gaussian_field


def main():
    B._import_cupy = S.module
    cp = S.module()
    rng = np.random.default_rng(0)
    X = (rng.random((80, 10)) < 0.3).astype(np.float32)
    G = sample_gaussian_field(lattice_kernel(6), 80, random_state=0)
    G = G.astype(np.float32) + 1.0

    def binary(m):
        return lambda **kw: BinaryRBM(4, method=m, device="gpu", random_state=0, **kw)

    def rapid(m):
        return lambda **kw: RARBM(
            20, n_patterns=2, negative_phase=m, device="gpu", random_state=0, **kw
        )

    def gauss(m, hidden="gaussian"):
        return lambda **kw: GaussianRBM(
            6, mu2=7.0, method=m, hidden=hidden, device="gpu", random_state=0, **kw
        )

    cases = [("BinaryRBM", m, binary(m), X) for m in ("cd", "pcd", "pt", "exact")]
    cases += [
        ("RARBM", m, rapid(m), 2 * X - 1) for m in ("pid", "cd", "pcd", "pt", "exact")
    ]
    cases += [
        ("GaussianRBM", m, gauss(m), G)
        for m in ("pcd", "cd", "exact", "natural", "eigen")
    ]
    cases += [("GaussianRBM spin", m, gauss(m, "spin"), G) for m in ("pcd", "cd")]

    def fit(make, Xd, **kw):
        est = make(**kw)
        with S.counting() as c:
            est.fit(Xd)
        return c, est

    def ais(est, method):
        out = []
        for n_betas in (50, 100):
            with S.counting() as c:
                est.log_partition_function(
                    method, n_betas=n_betas, n_chains=10, n_burn_in=5, random_state=0
                )
            out.append(c)
        per = tuple((out[1][k] - out[0][k]) / 50 for k in ("d2h", "h2d"))
        return per, (out[0]["d2h"], out[0]["h2d"])

    print(
        "estimator          method   | per minibatch | per epoch | fit (2x8) "
        "| AIS per temp | AIS call | rev-AIS per temp | rev-AIS call"
    )
    print("  (each cell: device->host syncs, host->device copies)")
    for name, m, make, data in cases:
        Xd = cp.asarray(data)
        few, _ = fit(make, Xd, batch_size=20, max_iter=2)
        many, _ = fit(make, Xd, batch_size=10, max_iter=2)
        more, est = fit(make, Xd, batch_size=10, max_iter=3)
        per_batch = tuple((many[k] - few[k]) / 8 for k in ("d2h", "h2d"))
        per_epoch = tuple(more[k] - many[k] for k in ("d2h", "h2d"))
        a_per, a_call = ais(est, "ais")
        r_per, r_call = ais(est, "reverse_ais")
        print(
            f"{name:18s} {m:8s} | {per_batch} | {per_epoch} | "
            f"{(many['d2h'], many['h2d'])} | {a_per} | {a_call} | {r_per} | {r_call}"
        )


if __name__ == "__main__":
    main()
