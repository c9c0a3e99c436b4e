"""Learning 8x8 φ⁴ ensembles in four phases (issue 30's table).

    OMP_NUM_THREADS=1 python docs/results/phi4/phases.py [--out DIR] [--quick]

For each phase (λ, κ) of the hopping-form action, 20 000 configurations from
``phi4_configurations`` (HMC with Z2 flips; the first 10 000 rows train, the
last 10 000 test) and, per model, the held-out log-likelihood per
configuration, the fit time, observables of the model's own samples (parallel
tempering with global flips) against HMC's with jackknife errors, and the
independence-Metropolis correction against the action (acceptance, ESS).
Models: one and two Gaussians (``GaussianMixture``), ``GaussianRBM``
(N_h = 64, defaults), the Gaussian–Bernoulli model (N_h = 64, spin hidden
units, ``learn_mu2="local"``) and the φ⁴ model (``GaussianRBM`` with
``quartic``, μ² and λ learnt per site, N_h = 64).  Every finished (phase,
model) row is kept in ``DIR/phases.records.json``: a stopped run resumes.
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

PHASES = {
    "symmetric": (0.02, 0.22),
    "near-critical": (0.02, 0.26),
    "broken": (0.02, 0.30),
    "broken, strong": (1.0, 0.35),
}
SHAPE = (8, 8)


def models(quick):
    from skrapid import GaussianRBM

    H = 16 if quick else 64
    epochs = dict(max_iter=5) if quick else {}
    return {
        "GaussianRBM": lambda: GaussianRBM(n_components=H, random_state=0, **epochs),
        "Gaussian-Bernoulli (spin, learn_mu2='local')": lambda: GaussianRBM(
            n_components=H,
            hidden="spin",
            learn_mu2="local",
            random_state=0,
            **epochs,
        ),  # fmt: skip
        # the defaults with a learnt quartic: method "auto" is the
        # pseudo-likelihood solver, μ² per site
        "phi4 (quartic learnt per site)": lambda: GaussianRBM(
            n_components=H, quartic=0.1, learn_quartic="local", random_state=0
        ),
    }


def true_action(kappa, lam, X):
    """A GaussianRBM (N_h = V) whose marginal is the action itself: the
    ceiling of every model's held-out log-likelihood."""
    from skrapid import GaussianRBM
    from skrapid.datasets import lattice_kernel

    V = X.shape[1]
    est = GaussianRBM(n_components=V, quartic=lam, learn_quartic="local",
                      random_state=0).fit(X[:200])  # fmt: skip
    # hopping term −2κ Σ_μ φ_x φ_{x+μ} = −½ φᵀJφ with J = 2κ × adjacency;
    # the local potential φ² + λ(φ² − 1)² has m = 2(1 − 2λ)
    adjacency = -(lattice_kernel(SHAPE, 0.0) - 2 * len(SHAPE) * np.eye(V))
    J = 2 * kappa * adjacency
    params = est._pairwise_params(J, np.full(V, 2 * (1 - 2 * lam)),
                                  np.full(V, np.log(lam)), np, np.float64,
                                  np.random.default_rng(0))  # fmt: skip
    est._store_parameters(params)
    est.mean_ = np.zeros(V)
    est._logz_cache = {}
    return est


def observables_of(phi):
    from skrapid.lattice import observables

    o = observables(phi, SHAPE, n_bins=20)
    keys = ("binder", "chi", "abs_m", "phi2")
    out = {k: list(map(float, o[k])) for k in keys}
    out["C"] = [list(map(float, o["C"][0])), list(map(float, o["C"][1]))]
    return out


def main():
    from sklearn.mixture import GaussianMixture

    from skrapid.datasets import phi4_action, phi4_configurations
    from skrapid.lattice import metropolis

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(Path(__file__).parent))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--phases", nargs="*", default=list(PHASES),
                    help="run only these phases (e.g. to split the run "
                    "between processes with different --out folders)")  # fmt: skip
    args = ap.parse_args()
    n = 2000 if args.quick else 20000
    n_betas = 500 if args.quick else 5000
    name = "phases.quick.json" if args.quick else "phases.records.json"
    path = Path(args.out) / name
    rec = json.loads(path.read_text()) if path.exists() else {}

    def save():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(rec, indent=1))
        tmp.replace(path)

    for p_i, (phase, (lam, kappa)) in enumerate(PHASES.items()):
        if phase not in args.phases:
            continue
        phi, info = phi4_configurations(SHAPE, kappa, lam, n, random_state=p_i)
        tr, te = phi[: n // 2], phi[n // 2 :]
        row = rec.setdefault(phase, {"lam": lam, "kappa": kappa})
        if "hmc" not in row:
            row["hmc"] = {"info": info, "observables": observables_of(te)}
            save()
        for name, n_comp in (("one Gaussian", 1), ("two Gaussians", 2)):
            if name not in row:
                t0 = time.perf_counter()
                gm = GaussianMixture(n_comp, random_state=0).fit(tr)
                row[name] = {"log_likelihood": float(gm.score(te)),
                             "fit_seconds": time.perf_counter() - t0}  # fmt: skip
                save()
        if "true action" not in row:
            est = true_action(kappa, lam, tr)
            kw = dict(n_betas=4 * n_betas, diagnostics=True, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f = est.log_partition_function("ais", **kw)
                r = est.log_partition_function("reverse_ais", **kw)
            fe = float(np.mean(est.free_energy(te)))
            row["true action"] = {"log_likelihood": -fe - f.log_z,
                                  "log_likelihood_reverse_ais": -fe - r.log_z,
                                  "ais_ess": f.ess, "n_betas": 4 * n_betas}  # fmt: skip
            save()
        for name, make in models(args.quick).items():
            if name in row:
                continue
            t0 = time.perf_counter()
            try:
                est = make().fit(tr)
            except Exception as exc:  # noqa: BLE001 - recorded as it came out
                row[name] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
                save()
                continue
            fit_s = time.perf_counter() - t0
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if est.quartic is None and est.hidden == "gaussian":
                    ll, ll_rev, ess = float(est.score(te)), None, None
                else:
                    nb = 4 * n_betas if est.quartic is not None else n_betas
                    kw = dict(n_betas=nb, diagnostics=True, random_state=0)
                    f = est.log_partition_function("ais", **kw)
                    r = est.log_partition_function("reverse_ais", **kw)
                    fe = float(np.mean(est.free_energy(te)))
                    ll, ll_rev, ess = -fe - f.log_z, -fe - r.log_z, f.ess
            S = est.sample(n // 2, n_steps=200, method="pt", z2_flips=True,
                           random_state=0)  # fmt: skip
            met = metropolis(
                est, lambda x, k=kappa, q=lam: phi4_action(x, SHAPE, k, q), n // 2,
                proposals=S, random_state=0,
            )  # fmt: skip
            row[name] = {
                "log_likelihood": ll,
                "log_likelihood_reverse_ais": ll_rev,
                "ais_ess": ess,
                "warnings": sorted({str(w.message)[:160] for w in caught}),
                "fit_seconds": fit_s,
                "observables": observables_of(S),
                "metropolis": {
                    "acceptance": met["acceptance"],
                    "ess_chain": met["ess_chain"],
                    "ess_weights": met["ess_weights"],
                    "observables": observables_of(met["chain"]),
                },
            }
            save()
            print(phase, name, round(ll, 2), f"fit {fit_s:.0f} s",
                  f"MH acceptance {met['acceptance']:.3f}", flush=True)  # fmt: skip
    print(json.dumps({ph: {m: r.get("log_likelihood") for m, r in row.items()
                           if isinstance(r, dict)} for ph, row in rec.items()},
                     indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
