"""What the timing benchmarks share: the GEMM peak, interleaved timing,
memory peaks, the results rows, the MNIST (or synthetic) data, the table and
the comparison with an earlier report."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

#: Matrix size of the GEMM peak measurement, by device (a GPU needs larger
#: products than a CPU to reach its peak).
GEMM_SIZE = {"cpu": 2000, "gpu": 4096}


def gemm_peak(dtype, n=2000, repeats=5, xp=np) -> float:
    """Measured GEMM throughput (FLOP/s) for ``dtype``: the median over
    ``repeats`` products of two n x n matrices, on this machine's BLAS
    (``xp=numpy``) or on the GPU (``xp=cupy``, synchronized around each
    product so the time is the device's)."""
    from .._backend import synchronize

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
    allocations (plus whatever was already in use, such as the data).  For
    PyTorch's namespace: the peak of PyTorch's CUDA allocator during the
    call (NaN, not measured, on a CPU)."""
    from .._backend import is_facade_namespace, synchronize

    if is_facade_namespace(cp):
        import torch

        if cp.device.type != "cuda":
            fn()
            return float("nan")
        synchronize(cp)
        torch.cuda.reset_peak_memory_stats(cp.device)
        fn()
        synchronize(cp)
        return torch.cuda.max_memory_allocated(cp.device) / 2**20
    pool = cp.get_default_memory_pool()
    synchronize(cp)
    pool.free_all_blocks()
    fn()
    synchronize(cp)
    return pool.total_bytes() / 2**20


def _time_cases(cases, repeats, progress=print, pause=0.0):
    """Median-ready timings of ``{name: fn(repeat)}``, repeats interleaved.

    ``pause`` seconds of idle (not timed) before each case: cases that use
    different thread pools (OpenBLAS's, PyTorch's OpenMP) slow each other
    down while the previous pool's threads still spin."""
    times = {name: [] for name in cases}
    for r in range(repeats):
        for name, fn in cases.items():
            if pause:
                time.sleep(pause)
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
            "memory_kind": _memory_kind(devices.get(name)),
        }
    return out


def _memory_kind(xp) -> str:
    if xp is None:
        return "host (tracemalloc)"
    if type(xp).__name__ == "Namespace":  # skrapid._xpnp
        return "device (PyTorch allocator peak)"
    return "device (CuPy pool)"


def _mnist_or_synthetic(args, n_default=60000):
    if args.data == "synthetic":
        from ..datasets import make_mnist_like

        n = args.n_samples or n_default
        X, _ = make_mnist_like(n, random_state=0)
        return X, f"make_mnist_like({n}) (synthetic, binary)"
    from ..datasets import load_mnist

    X, _ = load_mnist(args.data_home, subset="train", allow_download=False)
    if args.n_samples:
        X = X[: args.n_samples]
    return X, f"MNIST train ({X.shape[0]} x 784, pixels/255)"


def _plain_row(seconds, share=None, **extra):
    """A results row in the shape of :func:`_results`' rows for a case with
    no GEMM flop count and no memory trace (those fields None): the grid
    search's parts, the BLAS-threads cases."""
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
