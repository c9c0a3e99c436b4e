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
    "RARBM() defaults (0/1 data)": ("RARBM", {}, "bernoulli"),
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
        "bernoulli",
    ),
    "RARBM paper recipe (pure PID, ±1 data)": ("RARBM", "paper", "spin"),
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
    from .. import RARBM, BinaryRBM

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
    kw = dict(n_chains=n_chains, n_betas=n_betas, diagnostics=True)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fwd = est.log_partition_function("ais", random_state=random_state, **kw)
        # reverse AIS from model samples (parallel tempering), not the data
        rev = est.log_partition_function("reverse_ais", random_state=random_state, **kw)
    score_s = time.perf_counter() - t0
    fe = float(np.mean(est.free_energy(X_test)))
    ll, ll_rev = -fe - fwd.log_z, -fe - rev.log_z
    return {
        "log_likelihood": ll,
        "ais_std": fwd.std,
        "log_likelihood_reverse_ais": ll_rev,
        "reverse_ais_std": rev.std,
        "bracket": sorted([ll, ll_rev]),
        "ess": fwd.ess,
        "reverse_ess": rev.ess,
        "log_z_lower_bound": rev.lower_bound,
        "ais_estimate_below_bound": bool(fwd.used_bound),
        "warnings": [str(w.message) for w in caught if "log Z" in str(w.message)],
        "fit_seconds": fit_s,
        "score_seconds": score_s,
        "epochs": int(est.n_iter_),
    }


def bench_density(args, progress=print) -> dict:
    """The digits density table (see the module docstring)."""
    from ..metrics import factorized_log_likelihood

    Xtr, Xte = digits_split()
    base = factorized_log_likelihood(Xtr, Xte)
    n_betas = args.n_betas
    progress(
        f"digits > 7: {len(Xtr)} train / {len(Xte)} test images, 64 pixels; "
        f"AIS with {args.n_chains} chains x {n_betas} temperatures, reverse AIS "
        "from 1000 rounds of parallel tempering (model samples)"
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
            f"ESS {r['ess']:.0f}/{args.n_chains}, fit {r['fit_seconds']:.1f} s"
            + (f"; WARNING: {r['warnings'][0]}" if r["warnings"] else "")
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
    from .. import RARBM
    from ..datasets import bars_4x4_split
    from ..metrics import reconstruction_hamming

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


def _real_data_sets():
    """(name, X_train, X_test, true log-density of the test set or None)."""
    from sklearn.datasets import load_diabetes, load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X = load_diabetes(scaled=False).data
    a, b = train_test_split(X, test_size=0.25, random_state=0)
    yield "diabetes, raw units", a, b, None
    sc = StandardScaler().fit(a)
    yield "diabetes, standardized", sc.transform(a), sc.transform(b), None
    rng = np.random.default_rng(0)
    A = rng.normal(size=(8, 8))
    C = A @ A.T / 8 + 0.1 * np.eye(8)
    Z = rng.multivariate_normal(np.zeros(8), C, size=4000)
    D = Z[3000:]
    true = -0.5 * np.mean(
        np.sum(D @ np.linalg.inv(C) * D, axis=1)
        + np.linalg.slogdet(C)[1]
        + 8 * np.log(2 * np.pi)
    )
    yield "known 8-d Gaussian (3000 / 1000)", Z[:3000], D, true
    X = load_digits().data
    a, b = train_test_split(X, test_size=0.25, random_state=0)
    yield "digits, grey values 0-16", a, b, None


def _fit_score(make, Xtr, Xte):
    from .._gaussian import KernelNotPositiveDefiniteError

    t0 = time.perf_counter()
    try:
        est = make().fit(Xtr)
    except KernelNotPositiveDefiniteError as err:
        return {"error": str(err), "fit_seconds": time.perf_counter() - t0}
    return {
        "log_likelihood": float(est.score(Xte)),
        "fit_seconds": time.perf_counter() - t0,
        "epochs": int(est.n_iter_),
        "mu2": float(np.max(est.mu2_)),
    }


def bench_gaussian_density(args, progress=print) -> dict:
    """``skrapid bench gaussian-density``: GaussianRBM's held-out
    log-likelihood per sample against the full-covariance Gaussian
    (``GaussianMixture(1, covariance_type="full")``, the baseline), with its
    defaults, the direct solver, the natural step from a random start, and the
    paper's gradient dynamics (which diverge at their default step; the step
    their error message advises is then used); then Gaussian–Bernoulli RBMs
    on standardized digits, scored exactly (H = 16, enumeration) and by AIS
    with a reverse-AIS bracket (H = 64)."""
    import re

    from sklearn.mixture import GaussianMixture

    from .._gaussian import GaussianRBM

    out = {"benchmark": "gaussian-density", "data_sets": {}, "results": {}}
    models = {
        "GaussianRBM() defaults": lambda: GaussianRBM(random_state=0),
        "method='eigen'": lambda: GaussianRBM(method="eigen", random_state=0),
        "method='natural', learning_rate=0.1": lambda: GaussianRBM(
            method="natural", learning_rate=0.1, random_state=0
        ),
        "method='exact' (paper's gradient)": lambda: GaussianRBM(
            method="exact", random_state=0
        ),
    }
    for name, Xtr, Xte, true in _real_data_sets():
        t0 = time.perf_counter()
        gmm = GaussianMixture(1, covariance_type="full", random_state=0).fit(Xtr)
        base = float(gmm.score(Xte))
        rows = {
            "GaussianMixture(1, 'full') (baseline)": {
                "log_likelihood": base,
                "fit_seconds": time.perf_counter() - t0,
            }
        }
        if true is not None:
            rows["true density"] = {"log_likelihood": float(true)}
        progress(f"{name}: {len(Xtr)} train / {len(Xte)} test, V = {Xtr.shape[1]}")
        progress(f"  {'GaussianMixture(1, full) (baseline)':44} {base:10.4f}")
        if true is not None:
            progress(f"  {'true density':44} {true:10.4f}")
        for label, make in models.items():
            r = _fit_score(make, Xtr, Xte)
            rows[label] = r
            if "error" in r:
                m = re.search(r"learning_rate=([0-9.e+-]+) is stable", r["error"])
                cause = re.search(r"The cause is ([^.:;]*)", r["error"])
                progress(f"  {label:44} diverged ({cause.group(1) if cause else '?'})")
                if m:
                    lr = float(m.group(1))
                    label2 = f"method='exact', advised learning_rate={lr:g}"
                    r2 = _fit_score(
                        lambda lr=lr: GaussianRBM(
                            method="exact", learning_rate=lr, random_state=0
                        ),
                        Xtr,
                        Xte,
                    )
                    rows[label2] = r2
                    r, label = r2, label2
                else:
                    continue
            if "error" in r:
                progress(f"  {label:44} diverged")
                continue
            r["vs_baseline"] = r["log_likelihood"] - base
            progress(
                f"  {label:44} {r['log_likelihood']:10.4f} "
                f"{r['vs_baseline']:+9.4f} vs baseline, {r['epochs']} epochs, "
                f"{r['fit_seconds']:.2f} s"
            )
        out["data_sets"][name] = {"baseline": base, "models": rows}
    out["gaussian_bernoulli"] = _gaussian_bernoulli(args, progress)
    return out


def _gaussian_bernoulli(args, progress):
    from sklearn.datasets import load_digits
    from sklearn.feature_selection import VarianceThreshold
    from sklearn.mixture import GaussianMixture
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from .._gaussian import GaussianRBM

    X = load_digits().data
    a, b = train_test_split(X, test_size=0.25, random_state=0)
    vt = VarianceThreshold().fit(a)
    sc = StandardScaler().fit(vt.transform(a))
    Xtr, Xte = sc.transform(vt.transform(a)), sc.transform(vt.transform(b))
    progress(
        f"Gaussian-Bernoulli: digits grey values, {Xtr.shape[1]} non-constant "
        "pixels standardized; spin hidden units, one mass per pixel"
    )
    base = float(GaussianMixture(1, covariance_type="full").fit(Xtr).score(Xte))
    diag = float(GaussianMixture(1, covariance_type="diag").fit(Xtr).score(Xte))
    progress(f"  {'GaussianMixture(1, full) (baseline)':44} {base:10.3f}")
    progress(f"  {'GaussianMixture(1, diag)':44} {diag:10.3f}")
    rows = {"baseline": base, "diagonal Gaussian": diag}
    for H in (16, 64):
        est = GaussianRBM(
            H,
            hidden="spin",
            learn_mu2="local",
            learning_rate=0.01,
            weight_decay=0.01,
            batch_size=20,
            max_iter=200,
            n_chains=100,
            random_state=0,
        )
        t0 = time.perf_counter()
        est.fit(Xtr)
        fit_s = time.perf_counter() - t0
        fe = float(np.mean(est.free_energy(Xte)))
        kw = dict(n_chains=args.n_chains, n_betas=args.n_betas, return_std=True)
        lz, se = est.log_partition_function("ais", random_state=0, **kw)
        lz_r, se_r = est.log_partition_function(
            "reverse_ais", X=Xtr, random_state=0, **kw
        )
        r = {
            "n_components": H,
            "ais": -fe - lz,
            "ais_std": se,
            "reverse_ais": -fe - lz_r,
            "fit_seconds": fit_s,
        }
        exact = ""
        if H <= 20:
            r["exact"] = -fe - est.log_partition_function("exact")
            exact = f"exact {r['exact']:.3f}, "
        r["vs_baseline"] = r.get("exact", r["ais"]) - base
        progress(
            f"  {f'GaussianRBM(hidden=spin, H={H})':44} {exact}AIS {r['ais']:.3f} ± "
            f"{se:.3f}, reverse AIS {r['reverse_ais']:.3f}; "
            f"{r['vs_baseline']:+.3f} vs baseline, fit {fit_s:.0f} s"
        )
        rows[f"H={H}"] = r
    return rows
