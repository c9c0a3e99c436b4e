"""``skrapid bench density``: held-out log-likelihood next to its baseline.

The workflow skrapid exists for -- pick a model by held-out log-likelihood --
only makes sense if the models beat the factorized model (independent
pixels), which an RBM with W = 0 is.  This benchmark fits the estimators on
scikit-learn's digits binarized at ``> 7`` (a 75/25 split,
``train_test_split(..., test_size=0.25, random_state=0)``) and reports for
each model the held-out log-likelihood by forward AIS (± its standard
error), the forward/reverse AIS bracket and the fit time, with the
factorized baseline in the first row.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

#: Settings compared, by name: (estimator class name, parameters, data units).
#: "defaults" rows use the estimator exactly as it comes; the others are the
#: best settings found on this split (see docs/guide/choosing.rst) and the
#: RAPID paper's recipe for contrast.
DENSITY_MODELS = {
    "BinaryRBM() defaults": ("BinaryRBM", {}, "bernoulli"),
    "RARBM() defaults (data as ±1)": ("RARBM", {}, "spin"),
    "BinaryRBM best: H=64, PT, 100 epochs": (
        "BinaryRBM",
        dict(
            n_components=64,
            method="pt",
            learning_rate=0.05,
            batch_size=20,
            n_chains=100,
            max_iter=100,
        ),
        "bernoulli",
    ),
    "RARBM best: K=20, lr 0.03, decay 0.9": (
        "RARBM",
        dict(learning_rate=0.03, lr_decay=0.9),
        "spin",
    ),
    "RARBM paper recipe (pure PID)": ("RARBM", "paper", "spin"),
    "BinaryRBM uncentred (centering=False)": (
        "BinaryRBM",
        dict(centering=False),
        "bernoulli",
    ),
}


def digits_split():
    """Digits binarized at > 7, split 75/25 with random_state=0 (0/1 data)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X = (load_digits().data > 7).astype(np.float64)
    return train_test_split(X, test_size=0.25, random_state=0)


def make_model(cls_name, params, random_state=0):
    from . import RARBM, BinaryRBM

    cls = {"BinaryRBM": BinaryRBM, "RARBM": RARBM}[cls_name]
    if params == "paper":
        params = {**RARBM.PAPER_RECIPE, "n_components": 256, "n_patterns": 20}
    return cls(**params, random_state=random_state, device="cpu")


def evaluate(est, X_train, X_test, *, n_betas, n_chains=100, random_state=0):
    """Fit, then score: forward AIS ± σ, reverse AIS, and their bracket."""
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SpinGlassWarning of the paper recipe
        est.fit(X_train)
    fit_s = time.perf_counter() - t0
    kw = dict(n_chains=n_chains, n_betas=n_betas, return_std=True)
    t0 = time.perf_counter()
    lz, se = est.log_partition_function("ais", random_state=random_state, **kw)
    lz_rev, se_rev = est.log_partition_function(
        "reverse_ais", X=X_train, random_state=random_state, **kw
    )
    score_s = time.perf_counter() - t0
    fe = float(np.mean(est.free_energy(X_test)))
    ll, ll_rev = -fe - lz, -fe - lz_rev
    return {
        "log_likelihood": ll,
        "ais_std": se,
        "log_likelihood_reverse_ais": ll_rev,
        "reverse_ais_std": se_rev,
        "bracket": sorted([ll, ll_rev]),
        "fit_seconds": fit_s,
        "score_seconds": score_s,
        "epochs": int(est.n_iter_),
    }


def bench_density(args, progress=print) -> dict:
    """The digits density table (see the module docstring)."""
    from .metrics import factorized_log_likelihood

    Xtr, Xte = digits_split()
    base = factorized_log_likelihood(Xtr, Xte)
    n_betas = args.n_betas
    progress(
        f"digits > 7: {len(Xtr)} train / {len(Xte)} test images, 64 pixels; "
        f"AIS with {args.n_chains} chains x {n_betas} temperatures, reverse AIS "
        "from 1000 Gibbs sweeps seeded at the training data"
    )
    rows = {"independent pixels (factorized baseline)": {"log_likelihood": base}}
    progress(f"  {'independent pixels (factorized baseline)':44} {base:9.2f}")
    for name, (cls_name, params, units) in DENSITY_MODELS.items():
        est = make_model(cls_name, params)
        tr, te = (2 * Xtr - 1, 2 * Xte - 1) if units == "spin" else (Xtr, Xte)
        r = evaluate(est, tr, te, n_betas=n_betas, n_chains=args.n_chains)
        r["vs_baseline"] = r["log_likelihood"] - base
        r["settings"] = params if isinstance(params, dict) else "RARBM.PAPER_RECIPE"
        rows[name] = r
        lo, hi = r["bracket"]
        progress(
            f"  {name:44} {r['log_likelihood']:9.2f} ± {r['ais_std']:.2f} "
            f"[{lo:.2f}, {hi:.2f}]  {r['vs_baseline']:+7.2f} vs baseline, "
            f"fit {r['fit_seconds']:.1f} s"
        )
    return {
        "benchmark": "density",
        "data": "sklearn digits > 7, 75/25 split (random_state=0)",
        "baseline": base,
        "models": rows,
        "results": {},
    }


def bench_bars(args, progress=print) -> dict:
    """Pure PID with RARBM's default learning rate and batch on the paper's
    4x4 bars: ``RARBM(n_components=1000, n_patterns=8, negative_phase="pid",
    n_gibbs_steps=0)``, test Hamming distance (App. C, 20 repeats) after
    every epoch up to 30, for ``args.repeats`` seeds (5 by default)."""
    from . import RARBM
    from .datasets import bars_4x4_split
    from .metrics import reconstruction_hamming

    X_train, X_test = bars_4x4_split()  # spins, the paper's split
    seeds = range(max(args.repeats, 5))
    rows = {}
    for seed in seeds:
        est = RARBM(
            n_components=1000,
            n_patterns=8,
            negative_phase="pid",
            n_gibbs_steps=0,
            max_iter=0,
            random_state=seed,
            device="cpu",
        ).fit(X_train)
        curve = []
        for _ in range(30):
            est.partial_fit(X_train)
            curve.append(
                reconstruction_hamming(est, X_test, n_repeats=20, random_state=seed)
            )
        first = next((e + 1 for e, h in enumerate(curve) if h <= 0.05), None)
        rows[seed] = {"hamming": curve, "first_epoch_le_0.05": first}
        progress(
            f"  seed {seed}: Hamming at epoch 30 {curve[-1]:.3f}, best "
            f"{min(curve):.3f}, first epoch <= 0.05: {first}"
        )
    n_ok = sum(r["first_epoch_le_0.05"] is not None for r in rows.values())
    progress(f"  {n_ok}/{len(rows)} seeds reach mean test Hamming <= 0.05 by epoch 30")
    return {"benchmark": "bars", "seeds": rows, "n_reached": n_ok, "results": {}}
