"""``skrapid bench``: the same work timed side by side, medians and ratios.

Every benchmark times its cases ``repeats`` times in one process (repeats
interleaved, so a drifting machine affects all cases alike), reports the
median, the ratio to the reference case, the fraction of this machine's
measured GEMM throughput the case reaches (from a count of its matrix-product
flops), and the peak memory of one run of the case measured by
:mod:`tracemalloc` (NumPy reports its array allocations there) in a separate,
untimed run.  Reports are JSON; ``--compare OLD.json`` prints the ratio of
each median to the same case in an earlier report.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import numpy as np

__all__ = ["BENCHMARKS", "compare_reports", "gemm_peak", "print_table"]


#: Matrix size of the GEMM peak measurement, by device (a GPU needs larger
#: products than a CPU to reach its peak).
GEMM_SIZE = {"cpu": 2000, "gpu": 4096}


def gemm_peak(dtype, n=2000, repeats=5, xp=np) -> float:
    """Measured GEMM throughput (FLOP/s) for ``dtype``: the median over
    ``repeats`` products of two n x n matrices, on this machine's BLAS
    (``xp=numpy``) or on the GPU (``xp=cupy``, synchronized around each
    product so the time is the device's)."""
    from ._backend import synchronize

    rng = np.random.default_rng(0)
    a = xp.asarray(rng.random((n, n)).astype(dtype))
    b = xp.asarray(rng.random((n, n)).astype(dtype))
    a @ b
    synchronize(xp)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        synchronize(xp)
        times.append(time.perf_counter() - t0)
    return 2 * n**3 / float(np.median(times))


def _peak_mib(fn) -> float:
    """Peak traced host memory (MiB) of one call of ``fn``."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _device_peak_mib(fn, cp) -> float:
    """Device memory (MiB) that CuPy's memory pool holds after one call of
    ``fn`` started from an emptied pool: the pool keeps freed blocks until
    ``free_all_blocks``, so this is the high-water mark of the case's device
    allocations (plus whatever was already in use, such as the data)."""
    from ._backend import synchronize

    pool = cp.get_default_memory_pool()
    synchronize(cp)
    pool.free_all_blocks()
    fn()
    synchronize(cp)
    return pool.total_bytes() / 2**20


def _time_cases(cases, repeats, progress=print):
    """Median-ready timings of ``{name: fn(repeat)}``, repeats interleaved."""
    times = {name: [] for name in cases}
    for r in range(repeats):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn(r)
            times[name].append(time.perf_counter() - t0)
        progress(
            f"  repeat {r + 1}/{repeats}: "
            + ", ".join(f"{n} {t[-1]:.3f} s" for n, t in times.items())
        )
    return times


def _results(cases, flops, dtypes, reference, repeats, progress, devices=None):
    """Time, measure memory and put each case against the GEMM peak of its
    dtype on its device and against the reference case.

    ``devices`` maps a case to ``cupy`` for cases that run on the GPU: their
    GEMM peak is the GPU's, measured here, and their memory is the device
    memory of CuPy's pool (host cases: this machine's BLAS and
    :mod:`tracemalloc`)."""
    devices = devices or {}
    peaks = {}
    for name, dt in dtypes.items():
        xp = devices.get(name, np)
        if (dt, xp) not in peaks:
            n = GEMM_SIZE["gpu" if xp is not np else "cpu"]
            peaks[dt, xp] = gemm_peak(dt, n=n, xp=xp)
    times = _time_cases(cases, repeats, progress)
    memory = {
        name: (
            _device_peak_mib(lambda f=fn: f(0), devices[name])
            if name in devices
            else _peak_mib(lambda f=fn: f(0))
        )
        for name, fn in cases.items()
    }
    out = {}
    for name, t in times.items():
        med = float(np.median(t))
        ref = reference.get(name)
        peak = peaks[dtypes[name], devices.get(name, np)]
        out[name] = {
            "device": "gpu" if name in devices else "cpu",
            "dtype": dtypes[name],
            "seconds": t,
            "median": med,
            "reference": ref,
            "speedup_vs_reference": (
                float(np.median(times[ref])) / med if ref is not None else None
            ),
            "gflop": flops[name] / 1e9,
            "gemm_peak_gflops": peak / 1e9,
            "fraction_of_gemm_peak": flops[name] / med / peak,
            "peak_memory_mib": memory[name],
            "memory_kind": (
                "device (CuPy pool)" if name in devices else "host (tracemalloc)"
            ),
        }
    return out


def _mnist_or_synthetic(args, n_default=60000):
    if args.data == "synthetic":
        from .datasets import make_mnist_like

        n = args.n_samples or n_default
        X, _ = make_mnist_like(n, random_state=0)
        return X, f"make_mnist_like({n}) (synthetic, binary)"
    from .datasets import load_mnist

    X, _ = load_mnist(args.data_home, subset="train", allow_download=False)
    if args.n_samples:
        X = X[: args.n_samples]
    return X, f"MNIST train ({X.shape[0]} x 784, pixels/255)"


# --------------------------------------------------------------------------
# benchmarks
# --------------------------------------------------------------------------
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
    from . import BinaryRBM

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
    from . import RARBM, BinaryRBM
    from .datasets import make_mnist_like

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
        f"BinaryRBM CD-{k}": lambda r: BinaryRBM(
            units="spin",
            fit_intercept=False,
            method="cd",
            n_gibbs_steps=k,
            random_state=r,
            **common,
        ).fit(X),
        # the density models: RARBM's defaults (centred PCD-1, chains started
        # at the patterns) against BinaryRBM's (centred PCD-1), same chains
        "RARBM defaults PCD-1": lambda r: RARBM(
            n_patterns=K, random_state=r, **common
        ).fit(X),
        "BinaryRBM PCD-1": lambda r: BinaryRBM(
            units="spin", random_state=r, **common
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


def bench_ais_speed(args, progress=print) -> dict:
    """Throughput of forward AIS on a 784 x H model: chains x temperatures per
    second, float32 and float64 (two products of V x H per chain and
    temperature)."""
    from . import BinaryRBM
    from .datasets import make_mnist_like

    H, n_chains, n_betas = args.n_components, args.n_chains, args.n_betas
    X, _ = make_mnist_like(2000, random_state=0)
    V = X.shape[1]
    cases, flops, dtypes = {}, {}, {}
    for dt in args.dtypes:
        rbm = BinaryRBM(
            n_components=H,
            max_iter=1,
            batch_size=50,
            learning_rate=0.05,
            random_state=0,
            device="cpu",
        ).fit(X.astype(dt))
        name = f"AIS {np.dtype(dt).name}"

        def run(r, rbm=rbm):
            rbm.log_partition_function(
                "ais", n_chains=n_chains, n_betas=n_betas, random_state=r
            )

        cases[name] = run
        flops[name] = 4.0 * V * H * n_chains * (n_betas - 1)
        dtypes[name] = np.dtype(dt).name
    res = _results(cases, flops, dtypes, {}, args.repeats, progress)
    for r in res.values():
        r["chain_temperatures_per_second"] = n_chains * (n_betas - 1) / r["median"]
    return {
        "benchmark": "ais-speed",
        "data": "make_mnist_like(2000) (synthetic, binary; 1 epoch before AIS)",
        "n_samples": int(X.shape[0]),
        "n_features": V,
        "n_components": H,
        "n_chains": n_chains,
        "n_betas": n_betas,
        "repeats": args.repeats,
        "results": res,
    }


def bench_gaussian(args, progress=print) -> dict:
    """One PCD-1 epoch of GaussianRBM (Gaussian visible and hidden fields) on
    continuous MNIST pixels, next to one BinaryRBM PCD-1 epoch at the same
    sizes (the same five products per update), float32 and float64."""
    from . import GaussianRBM

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


def bench_gpu(args, progress=print) -> dict:
    """The CuPy path against the NumPy path in one process: one BinaryRBM
    PCD-1 epoch at H = ``--n-components`` (500) and batch ``--batch-size``
    (default 1000 here), float32, on each device, each against the GEMM peak
    of its own device measured in the same run (memory: host tracemalloc
    for the CPU case, CuPy's device memory pool for the GPU case); then the
    paper's MNIST RAPID run (H = 3000, K = 200, PID + 10 Gibbs steps,
    ``--epochs`` epochs, default 500) on the GPU alone, timed as one
    ``fit``.  Needs CuPy and a CUDA GPU."""
    from . import BinaryRBM
    from . import _backend as Bk
    from .experiments import mnist_estimator

    if not Bk.gpu_available():
        raise RuntimeError(
            "skrapid bench gpu needs CuPy and a CUDA GPU: "
            + Bk._why_no_gpu().rstrip(".")
            + ". Install the extra with python -m pip install '.[gpu]'."
        )
    X, source = _mnist_or_synthetic(args)
    X = np.ascontiguousarray(X, dtype=np.float32)
    n, V = X.shape
    H = args.n_components
    Bs = args.batch_size or 1000
    cp = Bk._import_cupy()
    Xg = cp.asarray(X)

    def epoch(device, data):
        def run(r):
            BinaryRBM(
                n_components=H,
                batch_size=Bs,
                max_iter=1,
                learning_rate=0.01,
                method="pcd",
                random_state=r,
                device=device,
            ).fit(data)
            Bk.synchronize(cp)

        return run

    cases = {"cpu epoch": epoch("cpu", X), "gpu epoch": epoch("gpu", Xg)}
    epoch("gpu", Xg)(0)  # warm-up: CUDA context, kernels, memory pool
    flops = dict.fromkeys(cases, 10.0 * Bs * V * H * -(-n // Bs))
    res = _results(
        cases,
        flops,
        dict.fromkeys(cases, "float32"),
        {"gpu epoch": "cpu epoch"},
        args.repeats,
        progress,
        devices={"gpu epoch": cp},
    )
    report = {
        "benchmark": "gpu",
        "device": _gpu_name(cp),
        "data": source,
        "n_samples": n,
        "n_features": V,
        "n_components": H,
        "batch_size": Bs,
        "epochs": 1,
        "repeats": args.repeats,
        "results": res,
        "goal_speedup": 30,
    }
    if args.epochs:
        from .experiments import load_binarized_mnist

        if args.data == "synthetic":
            Xb = (X > 0.3).astype(np.float32)
        else:
            Xb = load_binarized_mnist(args.data_home)[0]
        Hr = getattr(args, "rapid_n_components", None) or 3000
        Kr = getattr(args, "rapid_n_patterns", None) or 200
        est = mnist_estimator(
            "rapid", 0, n_components=Hr, n_patterns=Kr, device="gpu"
        ).set_params(max_iter=args.epochs)
        Xbg = cp.asarray(Xb)
        Bk.synchronize(cp)
        progress(f"  RAPID MNIST (H={Hr}, K={Kr}): fit(max_iter={args.epochs}) ...")
        t0 = time.perf_counter()
        est.fit(Xbg)  # one fit: no per-epoch validation or round trips
        Bk.synchronize(cp)
        seconds = time.perf_counter() - t0
        report["rapid_mnist"] = {
            "H": Hr,
            "K": Kr,
            "epochs": args.epochs,
            "epochs_run": int(est.n_iter_),
            "seconds": seconds,
            "seconds_per_epoch": seconds / max(1, est.n_iter_),
            "goal_seconds_for_500_epochs": 600,
        }
        progress(
            f"RAPID MNIST (H={Hr}, K={Kr}), {est.n_iter_} epochs on the GPU "
            f"in one fit: {seconds:.0f} s"
        )
    return report


def _gpu_name(cp) -> str:
    try:
        name = cp.cuda.runtime.getDeviceProperties(0)["name"]
        return name.decode() if isinstance(name, bytes) else str(name)
    except Exception:  # pragma: no cover - informational only
        return "unknown GPU"


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
    from . import RARBM, BinaryRBM

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


def print_table(results, print=print):
    """The table of one report's ``results``."""
    print(
        f"\n{'case':26} {'median s':>9} {'vs ref':>7} {'%GEMM peak':>10} "
        f"{'peak GFLOP/s':>12} {'peak MiB':>9}"
    )
    for name, r in results.items():
        ratio = r.get("speedup_vs_reference")
        print(
            f"{name:26} {r['median']:9.3f} "
            f"{(f'{ratio:7.2f}' if ratio is not None else '      -')} "
            f"{100 * r['fraction_of_gemm_peak']:9.1f}% "
            f"{r['gemm_peak_gflops']:12.1f} {r['peak_memory_mib']:9.1f}"
        )
        if "chain_temperatures_per_second" in r:
            print(
                f"{'':26} {r['chain_temperatures_per_second']:.4g} chain-temperatures/s"
            )


def compare_reports(new, old, print=print):
    """Ratios old median / new median (> 1: faster now) for the cases the two
    reports share, benchmark by benchmark."""
    reports_new = new.get("reports", {new.get("benchmark"): new})
    reports_old = old.get("reports", {old.get("benchmark"): old})
    out = {}
    for bench, rep in reports_new.items():
        prev = reports_old.get(bench)
        if not prev:
            continue
        for case, r in rep.get("results", {}).items():
            p = prev.get("results", {}).get(case)
            if p and "median" in p and "median" in r:
                out[f"{bench}: {case}"] = p["median"] / r["median"]
    if out:
        print("\nagainst the earlier report (earlier median / this median):")
        for k, v in out.items():
            print(f"  {k:40s} {v:6.2f}")
    return out


BENCHMARKS = {
    "pcd": bench_pcd,
    "pid": bench_pid,
    "ais-speed": bench_ais_speed,
    "gaussian": bench_gaussian,
}
