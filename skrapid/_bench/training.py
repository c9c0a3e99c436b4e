"""Training speed: one epoch of PCD-1 (against scikit-learn's
BernoulliRBM), of PID (against CD-10), of GaussianRBM (against BinaryRBM),
and how an update's cost scales with H, V, the batch and K."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ._common import _mnist_or_synthetic, _results


def _epoch_pair(args, X, source, benchmark, case, reference, progress):
    """One epoch of ``case = (label, make)`` against ``reference = (label,
    make)`` for each dtype of ``args.dtypes``; ``make(Xd)`` returns the timed
    function of the repeat index.  Both do five B x V x H products per update."""
    n, V = X.shape
    H, B = args.n_components, args.batch_size
    cases, flops, dtypes, refs = {}, {}, {}, {}
    for dt in args.dtypes:
        Xd = np.ascontiguousarray(X, dtype=dt)
        name = np.dtype(dt).name
        for label, make in (reference, case):
            cases[f"{label} {name}"] = make(Xd)
            flops[f"{label} {name}"] = 10.0 * B * V * H * -(-n // B)
            dtypes[f"{label} {name}"] = name
        refs[f"{case[0]} {name}"] = f"{reference[0]} {name}"
    return {
        "benchmark": benchmark,
        "data": source,
        "n_samples": n,
        "n_features": V,
        "n_components": H,
        "batch_size": B,
        "epochs": 1,
        "repeats": args.repeats,
        "results": _results(cases, flops, dtypes, refs, args.repeats, progress),
    }


def _binary_pcd(args):
    """The timed BinaryRBM PCD-1 epoch of the pcd and gaussian benchmarks."""
    from .. import BinaryRBM

    def make(Xd):
        return lambda r: BinaryRBM(
            n_components=args.n_components,
            batch_size=args.batch_size,
            max_iter=1,
            learning_rate=0.01,
            method="pcd",
            n_gibbs_steps=1,
            random_state=r,
            device="cpu",
        ).fit(Xd)

    return make


def bench_pcd(args, progress=print) -> dict:
    """One PCD-1 epoch of BinaryRBM vs scikit-learn's BernoulliRBM (same data,
    H, batch, learning rate), float32 and float64."""
    from sklearn.neural_network import BernoulliRBM

    def sk(Xd):
        return lambda r: BernoulliRBM(
            n_components=args.n_components,
            batch_size=args.batch_size,
            n_iter=1,
            learning_rate=0.01,
            random_state=r,
        ).fit(Xd)

    X, source = _mnist_or_synthetic(args)
    return _epoch_pair(
        args,
        X,
        source,
        "pcd",
        ("skrapid", _binary_pcd(args)),
        ("sklearn", sk),
        progress,
    )


def bench_pid(args, progress=print) -> dict:
    """One epoch of RARBM with pure PID and with PID + 10 Gibbs steps from the
    patterns, against one epoch of BinaryRBM CD-10 at equal V, H and batch
    (App. D: O(K V H) per update against O(2 k V H) per sample); and RARBM's
    default density phase (centred PCD-1 from the patterns) against
    BinaryRBM's (centred PCD-1)."""
    from .. import RARBM, BinaryRBM
    from ..datasets import make_mnist_like

    H, B, K, k = args.n_components, args.batch_size, args.n_patterns, 10
    n = args.n_samples or 20 * B
    X, _ = make_mnist_like(n, random_state=0, dtype=np.float32)
    X = 2 * X - 1  # spins, no biases: the paper's bars/MNIST RAPID units
    V = X.shape[1]
    nb = -(-n // B)
    common = dict(n_components=H, batch_size=B, max_iter=1, device="cpu")
    models = {
        "RARBM PID k=0": lambda r: RARBM(
            **RARBM.PAPER_RECIPE, n_patterns=K, random_state=r, **common
        ).fit(X),
        f"RARBM PID k={k}": lambda r: RARBM(
            **{**RARBM.PAPER_RECIPE, "n_gibbs_steps": k},
            n_patterns=K,
            random_state=r,
            **common,
        ).fit(X),
        # a timing: the paper's units at a step they survive (at the default
        # 0.1 with momentum 0.5 the spins without biases collapse in one
        # epoch, which the divergence check then stops)
        f"BinaryRBM CD-{k}": lambda r: BinaryRBM(
            units="spin",
            fit_intercept=False,
            method="cd",
            n_gibbs_steps=k,
            learning_rate=0.01,
            random_state=r,
            **common,
        ).fit(X),
        # the density models: RARBM's defaults (centred PCD-1, chains started
        # at the patterns) against BinaryRBM's (centred PCD-1), same chains
        "RARBM defaults PCD-1": lambda r: RARBM(
            n_patterns=K, random_state=r, **common
        ).fit(X),
        "BinaryRBM PCD-1": lambda r: BinaryRBM(
            units="spin", learning_rate=0.01, random_state=r, **common
        ).fit(X),
    }
    # per update: W = ξ_vᵀ ξ_h / √K (K V H), the fields of [X; ξ_v] ((B + K) V H),
    # the factored gradient (2 K (V + H) (B + K)); k sweeps of K chains
    # (2 k K V H).  CD-k: positive field, k sweeps of B chains, the gradient.
    pid0 = K * V * H + (B + K) * V * H + 2 * K * (V + H) * (B + K)
    # PCD-1 with m = B chains: fields of [X; v] (2B V H), the chains' visible
    # field (B V H); RARBM adds W (K V H) and the factored gradient, BinaryRBM
    # the gradient G = Lᵀ R (2B V H)
    ra_pcd = K * V * H + 3 * B * V * H + 2 * K * (V + H) * 2 * B
    flops = {
        "RARBM PID k=0": 2.0 * nb * pid0,
        f"RARBM PID k={k}": 2.0 * nb * (pid0 + 2 * k * K * V * H),
        f"BinaryRBM CD-{k}": 2.0 * nb * (3 + 2 * k) * B * V * H,
        "RARBM defaults PCD-1": 2.0 * nb * ra_pcd,
        "BinaryRBM PCD-1": 2.0 * nb * 5 * B * V * H,
    }
    dtypes = dict.fromkeys(models, "float32")
    reference = {m: f"BinaryRBM CD-{k}" for m in models if m.startswith("RARBM PID")}
    reference["RARBM defaults PCD-1"] = "BinaryRBM PCD-1"
    return {
        "benchmark": "pid",
        "data": f"make_mnist_like({n}) (synthetic, as ±1 spins)",
        "n_samples": n,
        "n_features": V,
        "n_components": H,
        "n_patterns": K,
        "batch_size": B,
        "epochs": 1,
        "k": k,
        "repeats": args.repeats,
        "results": _results(models, flops, dtypes, reference, args.repeats, progress),
    }


def bench_gaussian(args, progress=print) -> dict:
    """One PCD-1 epoch of GaussianRBM (Gaussian visible and hidden fields) on
    continuous MNIST pixels, next to one BinaryRBM PCD-1 epoch at the same
    sizes (the same five products per update), float32 and float64."""
    from .. import GaussianRBM

    def g(Xd):
        return lambda r: GaussianRBM(
            n_components=args.n_components,
            mu2=100.0,
            method="pcd",
            batch_size=args.batch_size,
            max_iter=1,
            learning_rate=1e-4,
            n_chains=args.batch_size,
            spectrum_every=10**9,
            random_state=r,
            device="cpu",
        ).fit(Xd)

    X, source = _mnist_or_synthetic(args, n_default=20000)
    return _epoch_pair(
        args,
        X,
        source,
        "gaussian",
        ("GaussianRBM", g),
        ("BinaryRBM", _binary_pcd(args)),
        progress,
    )


def _update_seconds(make, X, B, repeats):
    """Median seconds per update of one epoch of ``make(seed)`` on X."""
    times = []
    for r in range(repeats):
        est = make(r)
        t0 = time.perf_counter()
        est.fit(X)
        times.append((time.perf_counter() - t0) / (-(-X.shape[0] // B)))
    return float(np.median(times))


def bench_scaling(args, progress=print) -> dict:
    """How the cost of one update grows with H, V and the batch size f
    (CD-1, BinaryRBM), and the cost of a pure-PID update with K at fixed V,
    H, f next to CD-10 (App. D: O(K V H) against O(2 k f V H)).  Log-log
    slopes are fitted; the figure goes to ``--out`` (default
    ``skrapid_out/bench_scaling.png``) when matplotlib is installed."""
    from .. import RARBM, BinaryRBM

    rng = np.random.default_rng(0)
    n_up = 8  # updates per timed epoch
    rep = args.repeats

    def data(V, B, spins=False):
        X = (rng.random((n_up * B, V)) < 0.3).astype(np.float32)
        return 2 * X - 1 if spins else X

    def cd(k, H, B, units="bernoulli"):
        return lambda r: BinaryRBM(
            n_components=H,
            units=units,
            method="cd",
            n_gibbs_steps=k,
            batch_size=B,
            max_iter=1,
            random_state=r,
            device="cpu",
        )

    series = {}
    grids = {
        "H": ([100, 250, 500, 1000, 2000], lambda H: (784, H, 100)),
        "V": ([100, 196, 400, 784, 1600], lambda V: (V, 500, 100)),
        "f": ([10, 50, 100, 500, 1000], lambda f: (784, 500, f)),
    }
    for name, (values, sizes) in grids.items():
        pts = []
        for x in values:
            V, H, B = sizes(x)
            pts.append(_update_seconds(cd(1, H, B), data(V, B), B, rep))
            progress(f"  CD-1, {name} = {x}: {1e3 * pts[-1]:.2f} ms per update")
        series[f"CD-1 vs {name}"] = {"x": values, "seconds": pts}
    Ks = [10, 25, 50, 100, 200, 400]
    V, H, B = 784, 1000, 100
    Xs = data(V, B, spins=True)
    pid = []
    for K in Ks:
        make = lambda r, K=K: RARBM(  # noqa: E731
            **RARBM.PAPER_RECIPE,
            n_components=H,
            n_patterns=K,
            batch_size=B,
            max_iter=1,
            random_state=r,
            device="cpu",
        )
        pid.append(_update_seconds(make, Xs, B, rep))
        progress(f"  pure PID, K = {K}: {1e3 * pid[-1]:.2f} ms per update")
    series["PID vs K"] = {"x": Ks, "seconds": pid}
    ref = _update_seconds(cd(10, H, B, "spin"), Xs, B, rep)
    series["CD-10 at the PID sizes"] = {"x": Ks, "seconds": [ref] * len(Ks)}
    for sr in series.values():
        x, t = np.log(sr["x"]), np.log(sr["seconds"])
        sr["loglog_slope"] = float(np.polyfit(x, t, 1)[0]) if np.ptp(t) > 0 else 0.0
    report = {
        "benchmark": "scaling",
        "sizes": {
            "H": "V=784, f=100",
            "V": "H=500, f=100",
            "f": "V=784, H=500",
            "PID": f"V={V}, H={H}, f={B}, spins",
        },
        "series": series,
        "results": {},
    }
    try:
        _plot_scaling(report, Path(args.out) / "bench_scaling.png")
        report["figure"] = str(Path(args.out) / "bench_scaling.png")
    except ImportError:
        progress("matplotlib is not installed: no figure")
    for k, sr in series.items():
        progress(f"  {k}: log-log slope {sr['loglog_slope']:.2f}")
    return report


def _plot_scaling(report, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = report["series"]
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.4))
    for ax, key, label in zip(
        axes[:3],
        ("CD-1 vs H", "CD-1 vs V", "CD-1 vs f"),
        ("H", "V", "f (batch)"),
        strict=True,
    ):
        x, t = np.asarray(s[key]["x"], float), np.asarray(s[key]["seconds"])
        ax.loglog(
            x, 1e3 * t, "o-", label=f"measured (slope {s[key]['loglog_slope']:.2f})"
        )
        ax.loglog(x, 1e3 * t[-1] * x / x[-1], "k--", lw=0.8, label="O(2kfVH): slope 1")
        ax.set_xlabel(label)
        ax.set_ylabel("ms per update")
        ax.set_title(f"CD-1 update, {report['sizes'][label[0]]}", fontsize=9)
        ax.legend(fontsize=7)
    ax = axes[3]
    x = np.asarray(s["PID vs K"]["x"], float)
    t = np.asarray(s["PID vs K"]["seconds"])
    ax.loglog(
        x, 1e3 * t, "o-", label=f"pure PID (slope {s['PID vs K']['loglog_slope']:.2f})"
    )
    ax.loglog(x, 1e3 * t[-1] * x / x[-1], "k--", lw=0.8, label="O(KVH): slope 1")
    ax.axhline(
        1e3 * s["CD-10 at the PID sizes"]["seconds"][0],
        color="C3",
        label="CD-10 (O(2kfVH), k=10)",
    )
    ax.set_xlabel("K (patterns)")
    ax.set_ylabel("ms per update")
    ax.set_title(f"PID vs K, {report['sizes']['PID']}", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
