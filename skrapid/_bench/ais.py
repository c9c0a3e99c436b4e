"""AIS: its accuracy against exact log Z (``ais``), its speed, fused
kernel against generic (``ais-speed``), and the time its temperature
schedules take to reach a target standard error (``ais-schedule``)."""

from __future__ import annotations

import time

import numpy as np

from ._common import _results


def bench_ais(args, progress=print) -> dict:
    """AIS and reverse AIS against exact log Z on 784 x H models (H <= 20)
    trained briefly on binarized MNIST (or synthetic MNIST-like digits)."""
    from .. import BinaryRBM
    from .._progress import silent as _silent  # the progress of --quiet
    from ..datasets import load_mnist, make_mnist_like

    if args.data == "synthetic":
        X, _ = make_mnist_like(args.n_samples or 2000, random_state=0)
    else:
        X, _ = load_mnist(
            args.data_home,
            binarized=True,
            subset="train",
            allow_download=False,
            dtype=np.float64,
        )
        X = X[: args.n_samples or 10000]
    report = {
        "benchmark": "ais",
        "n_samples": int(X.shape[0]),
        "results": {},
        "models": {},
    }
    for H in args.hidden:
        rbm = BinaryRBM(
            n_components=H,
            max_iter=3,
            learning_rate=0.05,
            batch_size=20,
            random_state=0,
            device="cpu",
        ).fit(X)
        t0 = time.perf_counter()
        exact = rbm.log_partition_function("exact")
        t_exact = time.perf_counter() - t0
        runs = []
        for seed in range(args.repeats):
            t0 = time.perf_counter()
            lz, se = rbm.log_partition_function(
                "ais",
                n_chains=100,
                n_betas=args.n_betas,
                return_std=True,
                random_state=seed,
                progress=progress is not _silent,  # an AIS bar unless --quiet
            )
            runs.append(
                {"error": lz - exact, "std": se, "seconds": time.perf_counter() - t0}
            )
        lzr, ser = rbm.log_partition_function(
            "reverse_ais",
            n_chains=100,
            n_betas=args.n_betas,
            X=X,
            return_std=True,
            random_state=0,
            progress=progress is not _silent,
        )
        report["models"][f"784x{H}"] = {
            "exact_log_z": exact,
            "exact_seconds": t_exact,
            "ais": runs,
            "reverse_ais": {"error": lzr - exact, "std": ser},
        }
        print(f"784 x {H}: exact log Z = {exact:.4f} ({t_exact:.1f} s)")
        for r in runs:
            print(
                f"  AIS error {r['error']:+.3f} nats, reported std {r['std']:.3f}"
                f" (z = {r['error'] / r['std']:+.2f}), {r['seconds']:.1f} s"
            )
        print(f"  reverse AIS error {lzr - exact:+.3f} ± {ser:.3f}")
    return report


def bench_ais_speed(args, progress=print) -> dict:
    """Forward AIS, ``--n-chains`` chains x ``--n-betas`` temperatures, on a
    64 x 200 model of binarized digits (the demo's size) and a 784 x
    ``--n-components`` model of MNIST-like digits, float64 parameters: the
    fused kernel (float32 chains, float64 weights, the smaller layer summed
    out, chain groups in parallel threads) next to the generic float64
    kernel it replaced, in one run.  The roofline counts the two V x H
    products per chain and temperature; each case is put against the GEMM
    peak of the floating type its chains use (float32 for the fused kernel,
    the strict comparison), measured in the same run."""
    from sklearn.datasets import load_digits

    from .. import BinaryRBM
    from .. import _partition as P
    from ..datasets import make_mnist_like

    n_chains, n_betas = args.n_chains, args.n_betas
    digits = (load_digits().data > 7).astype(np.float64)
    mnist, _ = make_mnist_like(2000, random_state=0)
    cases, flops, dtypes, refs = {}, {}, {}, {}
    sizes = {}
    for X, H in ((digits, 200), (mnist.astype(np.float64), args.n_components)):
        V = X.shape[1]
        rbm = BinaryRBM(
            n_components=H,
            max_iter=1,
            batch_size=50,
            learning_rate=0.05,
            random_state=0,
            device="cpu",
        ).fit(X)
        sizes[f"{V}x{H}"] = (V, H)
        for fast, label, dt in (
            (False, "generic", "float64"),
            (True, "fused", "float32"),
        ):
            name = f"AIS {V}x{H} {label}"

            def run(r, rbm=rbm, fast=fast):
                old = P.FAST_BINARY_AIS
                P.FAST_BINARY_AIS = fast
                try:
                    rbm._logz_cache = {}
                    rbm.log_partition_function(
                        "ais", n_chains=n_chains, n_betas=n_betas, random_state=r
                    )
                finally:
                    P.FAST_BINARY_AIS = old

            cases[name] = run
            flops[name] = 4.0 * V * H * n_chains * (n_betas - 1)
            dtypes[name] = dt
        refs[f"AIS {V}x{H} fused"] = f"AIS {V}x{H} generic"
    res = _results(cases, flops, dtypes, refs, args.repeats, progress)
    for r in res.values():
        r["chain_temperatures_per_second"] = n_chains * (n_betas - 1) / r["median"]
    return {
        "benchmark": "ais-speed",
        "data": "load_digits > 7 (64 x 200 model) and make_mnist_like(2000) "
        f"(784 x {args.n_components}); 1 epoch of training before AIS",
        "n_features": "64, 784",
        "n_components": f"200, {args.n_components}",
        "n_chains": n_chains,
        "n_betas": n_betas,
        "repeats": args.repeats,
        "goals": {
            "fraction_of_gemm_peak": {"64x200": 0.2, f"784x{args.n_components}": 0.5}
        },
        "results": res,
    }


def bench_ais_schedule(args, progress=print) -> dict:
    """Time for forward AIS (``--n-chains`` chains) to reach a standard
    error of 0.05 nats with the default and the adaptive temperature
    schedules, on a 64 x 200 BinaryRBM trained 50 epochs (batch 10) on
    binarized digits (the demo's size).  For each schedule the number of
    temperatures doubles from 125 until the estimate's standard error is at most the
    target (at most 64000); the time of that run (pilot included) is the
    time to reach it.  ``--repeats`` seeds; medians reported."""
    from sklearn.datasets import load_digits

    from .. import BinaryRBM

    target = 0.05
    X = (load_digits().data > 7).astype(np.float64)
    rbm = BinaryRBM(n_components=200, max_iter=10, random_state=0, device="cpu").fit(X)
    out = {}
    for schedule in ("default", "adaptive"):
        runs = []
        for r in range(args.repeats):
            n_betas, rec = 125, None
            while n_betas <= 64000:
                rbm._logz_cache = {}
                t0 = time.perf_counter()
                lz, se = rbm.log_partition_function(
                    "ais",
                    n_chains=args.n_chains,
                    n_betas=n_betas,
                    return_std=True,
                    random_state=r,
                    schedule=schedule,
                )
                rec = {
                    "n_betas": n_betas,
                    "seconds": time.perf_counter() - t0,
                    "log_z": lz,
                    "std": se,
                    "reached": se <= target,
                }
                if se <= target:
                    break
                n_betas *= 2
            runs.append(rec)
            progress(
                f"  {schedule} seed {r}: std {rec['std']:.3f} at {rec['n_betas']} "
                f"temperatures in {rec['seconds']:.2f} s"
            )
        out[schedule] = {
            "runs": runs,
            "median_seconds_to_target": float(np.median([x["seconds"] for x in runs])),
            "median_n_betas": float(np.median([x["n_betas"] for x in runs])),
            "all_reached": all(x["reached"] for x in runs),
        }
    d, a = out["default"], out["adaptive"]
    progress(
        f"time to std <= {target}: default {d['median_seconds_to_target']:.2f} s "
        f"({d['median_n_betas']:.0f} temperatures), adaptive "
        f"{a['median_seconds_to_target']:.2f} s ({a['median_n_betas']:.0f}); "
        f"adaptive/default = "
        f"{a['median_seconds_to_target'] / d['median_seconds_to_target']:.2f}"
    )
    return {
        "benchmark": "ais-schedule",
        "data": "load_digits > 7 (1797 x 64); BinaryRBM H = 200, 50 epochs, batch 10",
        "n_chains": args.n_chains,
        "target_std": target,
        "repeats": args.repeats,
        "schedules": out,
        "results": {},
    }
