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

    from . import BinaryRBM
    from . import _partition as P
    from .datasets import make_mnist_like

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

    from . import BinaryRBM

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


#: Default settings of ``skrapid bench gridsearch``: a small grid, each fit
#: at RARBM's default 30 epochs (the grid a user runs; about 12 minutes for
#: 3 repeats on two cores; ``--grid-max-iter`` shortens it).
GRIDSEARCH_DEFAULTS = {
    "patterns": [5, 10],
    "hidden": [50, 100],
    "estimators": ["rarbm"],
    "folds": 3,
    "max_iter": 30,  # RARBM's default number of epochs
}

#: The share of a grid search's fit + score time that scoring should stay at
#: or below (issue 19).
GRIDSEARCH_SCORE_SHARE_GOAL = 0.5


def _digits_binarized(n_samples=None):
    """(X in {0, 1} float64, description): the digits of ``skrapid demo``
    (scikit-learn's digits nudged five times, binarized at 0.5), all 8985
    rows or ``n_samples`` of them drawn at random (seed 0)."""
    from .datasets import binarize, load_digits_nudged

    X, _ = load_digits_nudged()
    X = binarize(X, threshold=0.5)
    source = "sklearn digits nudged x5, binarized at 0.5 (as skrapid demo)"
    if n_samples and n_samples < X.shape[0]:
        rows = np.random.default_rng(0).choice(X.shape[0], n_samples, replace=False)
        X = X[np.sort(rows)]
        source += f", {n_samples} random rows"
    return X, source


def _gridsearch_row(seconds, share=None, **extra):
    """A results row in the shape of :func:`_results`' rows; a grid search
    has no GEMM flop count and is not traced for memory (fields None)."""
    row = {
        "device": "cpu",
        "dtype": "float64",
        "seconds": seconds,
        "median": float(np.median(seconds)),
        "reference": None,
        "speedup_vs_reference": None,
        "gflop": None,
        "gemm_peak_gflops": None,
        "fraction_of_gemm_peak": None,
        "peak_memory_mib": None,
        "memory_kind": None,
    }
    if share is not None:
        row["share"] = share
    row.update(extra)
    return row


def bench_gridsearch(args, progress=print) -> dict:
    """scikit-learn ``GridSearchCV`` over RARBM's K (``n_patterns``) and H
    (``n_components``), and/or BinaryRBM's H, scored by the estimators' own
    ``score`` (held-out log-likelihood: log Z exact when the smaller layer
    has at most 20 units, else AIS at :meth:`log_partition_function`'s
    defaults) on the digits of ``skrapid demo``.

    Each repeat runs the whole search once (``n_jobs=1``, ``refit=False``,
    shuffled K-fold); the time of the fits and of the scoring is read from
    its ``cv_results_`` (``mean_fit_time`` and ``mean_score_time`` times the
    folds, summed over the grid), and the search's wall time is reported
    next to them.  ``share`` is the median over repeats of each part's
    share of fit + score (the two add up to 1); the goal is scoring <= 50%.
    """
    import inspect

    from sklearn.model_selection import GridSearchCV, KFold

    from . import RARBM, BinaryRBM

    d = GRIDSEARCH_DEFAULTS

    def opt(name):
        value = getattr(args, f"grid_{name}", None)
        return d[name] if value is None else value

    Ks, Hs, folds, max_iter = (
        list(opt("patterns")),
        list(opt("hidden")),
        int(opt("folds")),
        int(opt("max_iter")),
    )
    X, source = _digits_binarized(getattr(args, "n_samples", None))
    n, V = X.shape
    cv = KFold(n_splits=folds, shuffle=True, random_state=0)
    searches = {}
    for key in dict.fromkeys(opt("estimators")):
        if key == "rarbm":  # RARBM's units are spins by default: 2x - 1
            est = RARBM(max_iter=max_iter, random_state=0, device="cpu")
            grid = {"n_patterns": Ks, "n_components": Hs}
            searches["RARBM"] = (est, grid, 2 * X - 1)
        elif key == "binary":
            est = BinaryRBM(max_iter=max_iter, random_state=0, device="cpu")
            searches["BinaryRBM"] = (est, {"n_components": Hs}, X)
        else:
            raise ValueError(f"unknown grid estimator {key!r}: 'rarbm' or 'binary'")

    log_z = {name: {} for name in searches}  # how score got log Z, last repeat

    def scorer_for(name):
        def scorer(est, X_test, y=None):
            value = est.score(X_test)  # what GridSearchCV's scoring=None calls
            cache = getattr(est, "_logz_cache", None) or {}
            method = cache.get("method", "unknown")
            seen = log_z[name].setdefault(method, {"scores": 0})
            seen["scores"] += 1
            weights = getattr(cache.get("result"), "log_weights", None)
            if weights is not None:
                seen["n_chains"] = int(len(weights))
            return value

        return scorer

    parts = {name: {"fit": [], "score": [], "cv": None} for name in searches}
    cases = {}
    for name, (est, grid, Xg) in searches.items():

        def run(r, name=name, est=est, grid=grid, Xg=Xg):
            for seen in log_z[name].values():
                seen["scores"] = 0
            search = GridSearchCV(
                est,
                grid,
                scoring=scorer_for(name),
                cv=cv,
                n_jobs=1,
                refit=False,
                error_score="raise",
            ).fit(Xg)
            res = search.cv_results_
            fit = float(np.sum(res["mean_fit_time"]) * folds)
            score = float(np.sum(res["mean_score_time"]) * folds)
            parts[name]["fit"].append(fit)
            parts[name]["score"].append(score)
            parts[name]["cv"] = [
                {
                    "params": {k: int(v) for k, v in p.items()},
                    "mean_test_score": float(s),
                    "mean_fit_time": float(ft),
                    "mean_score_time": float(st),
                }
                for p, s, ft, st in zip(
                    res["params"],
                    res["mean_test_score"],
                    res["mean_fit_time"],
                    res["mean_score_time"],
                    strict=True,
                )
            ]
            progress(
                f"  {name} grid: fit {fit:.2f} s, score {score:.2f} s "
                f"(scoring {100 * score / (fit + score):.1f}%)"
            )

        cases[f"{name} grid"] = run
    progress(
        f"GridSearchCV on {source} ({n} x {V}): "
        + "; ".join(f"{name} {grid}" for name, (_, grid, _) in searches.items())
        + f"; {folds}-fold, max_iter={max_iter}, n_jobs=1"
    )
    times = _time_cases(cases, args.repeats, progress)

    sig = inspect.signature(BinaryRBM.log_partition_function).parameters
    results, shares, grids = {}, {}, {}
    for name, (est, grid, _) in searches.items():
        fit, score = parts[name]["fit"], parts[name]["score"]
        score_share = float(
            np.median([s / (f + s) for f, s in zip(fit, score, strict=True)])
        )
        fit_share = 1.0 - score_share
        total = times[f"{name} grid"]
        results[f"{name} fit"] = _gridsearch_row(fit, fit_share)
        results[f"{name} score"] = _gridsearch_row(score, score_share)
        results[f"{name} total"] = _gridsearch_row(
            total,
            overhead_seconds=[
                t - f - s for t, f, s in zip(total, fit, score, strict=True)
            ],
        )
        shares[name] = {
            "fit": fit_share,
            "score": score_share,
            "goal_score_at_most": GRIDSEARCH_SCORE_SHARE_GOAL,
            "meets_goal": score_share <= GRIDSEARCH_SCORE_SHARE_GOAL,
        }
        params = est.get_params()
        grids[name] = {
            "estimator": type(est).__name__,
            "grid": grid,
            "candidates": int(np.prod([len(v) for v in grid.values()])),
            "settings": {
                k: params[k]
                for k in (
                    "max_iter",
                    "batch_size",
                    "learning_rate",
                    "units",
                    "method",
                    "negative_phase",
                    "n_gibbs_steps",
                )
                if k in params
            },
            "log_z": log_z[name],
            "cv_results": parts[name]["cv"],
        }
    print(
        f"\nGridSearchCV, {folds}-fold, max_iter={max_iter}: median seconds "
        f"over {args.repeats} repeat{'s' if args.repeats != 1 else ''}"
    )
    print(f"{'grid':10} {'fit s':>9} {'score s':>9} {'scoring':>8}  goal <= 50%")
    for name, s in shares.items():
        print(
            f"{name:10} {results[f'{name} fit']['median']:9.3f} "
            f"{results[f'{name} score']['median']:9.3f} "
            f"{100 * s['score']:7.1f}%  {'met' if s['meets_goal'] else 'not met'}"
        )
    return {
        "benchmark": "gridsearch",
        "data": source,
        "n_samples": n,
        "n_features": V,
        "repeats": args.repeats,
        "grids": grids,
        "folds": folds,
        "cv": f"KFold(n_splits={folds}, shuffle=True, random_state=0)",
        "search": "GridSearchCV(n_jobs=1, refit=False); times from cv_results_",
        "max_iter": max_iter,
        "scoring": {
            "what": "the estimator's score: mean held-out log-likelihood per "
            "image (nats), log p(x) = -F(x) - log Z",
            "log_z": "log_partition_function(method='auto'): exact when the "
            "smaller layer has at most 20 units, else forward AIS",
            "ais": {
                "n_chains": sig["n_chains"].default,
                "n_betas": sig["n_betas"].default,
                "base_rate": "the training fold's visible marginals",
                "random_state": "the estimator's (random_state=0)",
            },
        },
        "shares": shares,
        "results": results,
    }


def print_table(results, print=print):
    """The table of one report's ``results``."""
    print(
        f"\n{'case':26} {'median s':>9} {'vs ref':>7} {'%GEMM peak':>10} "
        f"{'peak GFLOP/s':>12} {'peak MiB':>9}"
    )
    for name, r in results.items():
        ratio = r.get("speedup_vs_reference")
        frac, peak, mib = (
            r.get(k)
            for k in ("fraction_of_gemm_peak", "gemm_peak_gflops", "peak_memory_mib")
        )
        # a case without a flop count or a memory trace (gridsearch) shows "-"
        print(
            f"{name:26} {r['median']:9.3f} "
            f"{(f'{ratio:7.2f}' if ratio is not None else '      -')} "
            f"{(f'{100 * frac:9.1f}%' if frac is not None else '         -')} "
            f"{(f'{peak:12.1f}' if peak is not None else '           -')} "
            f"{(f'{mib:9.1f}' if mib is not None else '        -')}"
        )
        if r.get("share") is not None:
            print(f"{'':26} {100 * r['share']:.1f}% of fit + score")
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
