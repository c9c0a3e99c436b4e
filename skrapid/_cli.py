"""Command line: ``skrapid demo``, ``skrapid bench NAME`` and
``skrapid reproduce NAME``.

The long commands show their progress by default (epoch lines, AIS progress,
per-repeat timings); ``--quiet`` keeps only the results.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from ._progress import natural_key
from ._progress import silent as _silent

#: The settings of ``skrapid demo`` (``--quick``: seconds; full: minutes).
DEMO_SETTINGS = {
    "quick": {"epochs": 5, "n_betas": 500},
    "full": {"epochs": 20, "n_betas": 10000},
}


class _HelpFormatter(
    argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter
):
    """Every option's help ends with its default (unless it says its default
    in words already); epilogs keep their lines."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "(default" in text or (action.nargs == 0 and action.default is False):
            return text  # a flag's default is "off"
        return super()._get_help_string(action)


def _demo(args) -> int:
    """Fit RAPID on embedded digits and compare it with a standard RBM and
    scikit-learn's BernoulliRBM: held-out log-likelihood (AIS, bracketed by
    reverse AIS), logistic-regression probe accuracy, time, and a figure.

    Everything runs under ``args.blas_threads`` BLAS threads (0: the BLAS
    default): the demo's products are small, and there a multi-threaded BLAS
    costs more in waking its threads than it saves."""
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    n = getattr(args, "blas_threads", 0)
    with threadpool_limits(limits=n, user_api="blas") if n else nullcontext():
        return _run_demo(args)


def _run_demo(args) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import BernoulliRBM
    from sklearn.pipeline import Pipeline

    from . import RARBM, BinaryRBM
    from .datasets import binarize, load_digits_nudged
    from .metrics import factorized_log_likelihood

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    settings = DEMO_SETTINGS["quick" if args.quick else "full"]
    epochs, n_betas = settings["epochs"], settings["n_betas"]
    # progress by default: epoch lines (with ETA) and the AIS progress
    verbose = 0 if args.quiet else args.verbose
    H, K = 200, 20
    X, y = load_digits_nudged()
    X = binarize(X, threshold=0.5)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    print(
        f"skrapid demo: sklearn digits nudged x5, binarized at 0.5: "
        f"{len(Xtr)} train / {len(Xte)} test images of 8x8 pixels; "
        f"H={H} hidden units, {epochs} epochs, batch 10; "
        + (
            f"{args.blas_threads} BLAS thread{'s' * (args.blas_threads > 1)}"
            if getattr(args, "blas_threads", 0)
            else "the BLAS's default threads"
        )
    )
    common = dict(max_iter=epochs, random_state=0, verbose=verbose)
    models = {
        f"RARBM (RAPID: K={K} patterns, H={H}, defaults)": RARBM(
            n_components=H, n_patterns=K, device=args.device, **common
        ),
        f"BinaryRBM (H={H}, defaults: centred PCD-1)": BinaryRBM(
            n_components=H, device=args.device, **common
        ),
        f"sklearn BernoulliRBM (H={H}, PCD-1, its defaults)": BernoulliRBM(
            n_components=H, n_iter=epochs, random_state=0, verbose=verbose
        ),
    }
    base = factorized_log_likelihood(Xtr, Xte)
    print(
        f"factorized baseline (independent pixels, Laplace-smoothed): held-out "
        f"log-likelihood {base:.2f} nats/image"
    )
    ais = dict(
        n_chains=100,
        n_betas=n_betas,
        return_std=True,
        random_state=0,
        progress=verbose > 0,
    )
    result, fitted = {}, {}
    for name, rbm in models.items():
        tr, te = Xtr, Xte  # 0/1 pixels for all three (RARBM reads them as spins)
        t0 = time.perf_counter()
        pipe = Pipeline(
            [("rbm", rbm), ("logistic", LogisticRegression(C=10, max_iter=2000))]
        ).fit(tr, ytr)
        t_fit = time.perf_counter() - t0
        acc = pipe.score(te, yte)
        est = pipe.named_steps["rbm"]
        if isinstance(est, BernoulliRBM):
            est = BinaryRBM.from_sklearn(est, device=args.device)
        t0 = time.perf_counter()
        lz, se = est.log_partition_function("ais", X=tr, **ais)
        # reverse AIS from model samples (parallel tempering), not the data
        lz_rev, _ = est.log_partition_function("reverse_ais", **ais)
        t_ais = time.perf_counter() - t0
        fe = float(np.mean(est.free_energy(te)))
        ll, lo, hi = -fe - lz, *sorted([-fe - lz, -fe - lz_rev])
        fitted[name] = est
        result[name] = {
            "held_out_log_likelihood": ll,
            "vs_factorized_baseline": ll - base,
            "ais_std": se,
            "bracket": [lo, hi],
            "probe_accuracy": acc,
            "fit_and_probe_seconds": t_fit,
            "ais_seconds": t_ais,
        }
        print(
            f"{name}\n  held-out log-likelihood {ll:.2f} nats/image "
            f"(AIS ± {se:.2f}; forward/reverse AIS [{lo:.2f}, {hi:.2f}]; "
            f"{ll - base:+.2f} vs the baseline), "
            f"probe accuracy {acc:.4f}, fit + probe {t_fit:.1f} s, "
            f"log Z {t_ais:.1f} s"
        )
    t0 = time.perf_counter()
    acc_raw = LogisticRegression(C=10, max_iter=2000).fit(Xtr, ytr).score(Xte, yte)
    print(
        f"logistic regression on the raw pixels: accuracy {acc_raw:.4f} "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    result["raw_pixels_probe_accuracy"] = acc_raw
    result["factorized_baseline"] = base
    result["settings"] = {"epochs": epochs, "n_betas": n_betas, "H": H, "K": K}
    _atomic_write_text(out / "demo.json", json.dumps(result, indent=2))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure (pip install skrapid[plot]).")
        return 0
    rapid = next(iter(fitted.values()))
    samples = rapid.sample(16, n_steps=1000, random_state=0)
    fig, axes = plt.subplots(4, 8, figsize=(8, 4.4))
    for i, ax in enumerate(axes[:, :4].ravel()):
        ax.imshow(
            rapid.patterns_visible_[i].reshape(8, 8), cmap="RdBu_r", vmin=-1, vmax=1
        )
    for i, ax in enumerate(axes[:, 4:].ravel()):
        ax.imshow(samples[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    r = result[next(iter(fitted))]
    fig.suptitle(
        f"RAPID on digits: 16 of {K} patterns ξ_v (left), 16 Gibbs samples "
        f"(right)\nheld-out log-likelihood {r['held_out_log_likelihood']:.2f} "
        f"nats, probe accuracy {r['probe_accuracy']:.3f}"
    )
    fig.tight_layout()
    path = out / "demo.png"
    fig.savefig(path, dpi=100)
    print(f"figure: {path}; numbers: {out / 'demo.json'}")
    return 0


def _bench_all(args, progress=print) -> dict:
    """pcd, pid, ais-speed and gaussian in one report."""
    from ._bench import BENCHMARKS as SPEED

    reports = {}
    for name, fn in SPEED.items():
        print(f"== {name}", flush=True)
        reports[name] = fn(args, progress=progress)
        print_table(reports[name]["results"], table_header(reports[name], args))
    return {"benchmark": "all", "reports": reports, "results": {}}


def _benchmarks():
    from ._bench import BENCHMARKS as SPEED
    from ._bench.ais import bench_ais, bench_ais_schedule
    from ._bench.density import bench_bars, bench_density, bench_gaussian_density
    from ._bench.gpu import bench_gpu
    from ._bench.gridsearch import bench_gridsearch
    from ._bench.layers import bench_layers
    from ._bench.namespaces import bench_namespaces
    from ._bench.probe import bench_digits_probe
    from ._bench.sparse import bench_sparse
    from ._bench.threads import bench_blas_threads, bench_threads
    from ._bench.training import bench_scaling

    return {
        "density": bench_density,
        "gaussian-density": bench_gaussian_density,
        "bars": bench_bars,
        **SPEED,
        "scaling": bench_scaling,
        "gpu": bench_gpu,
        "namespaces": bench_namespaces,
        "ais": bench_ais,
        "digits-probe": bench_digits_probe,
        "gridsearch": bench_gridsearch,
        "ais-schedule": bench_ais_schedule,
        "sparse": bench_sparse,
        "threads": bench_threads,
        "blas-threads": bench_blas_threads,
        "layers": bench_layers,
        "all": _bench_all,
    }


def _bench(args) -> int:
    from ._bench import compare_reports

    # what is only used after the benchmark is checked before it runs
    if args.json:
        _check_writable(args.json, "--json")
    earlier = _read_report(args.compare) if args.compare else None
    if args.batch_size is None:  # the GPU needs large minibatches to be busy
        args.batch_size = 1000 if args.name == "gpu" else 100
    report = _run_benchmark(_benchmarks()[args.name], args)
    report["machine"] = {
        "platform": platform.platform(),
        "processor": platform.processor(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": _blas_name(),
    }
    report["date"] = time.strftime("%Y-%m-%d %H:%M:%S")
    if report["results"]:
        print_table(report["results"], table_header(report, args))
    if earlier is not None:
        compare_reports(report, earlier)
    if args.json:
        _atomic_write_text(args.json, json.dumps(report, indent=2))
        print(f"written: {args.json}")
    return 0


def _check_writable(path, option):
    """A file can be written at ``path``: its folder exists and is writable,
    and it is not a folder (FileNotFoundError, PermissionError or
    IsADirectoryError naming the option otherwise)."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{option} {path}: the folder {folder} does not exist; create it "
            "first (nothing was run)"
        )
    if path.is_dir():
        raise IsADirectoryError(f"{option} {path} is a folder; give a file name")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"{option} {path}: the folder {folder} is not writable")


def _read_report(path):
    """An earlier ``--json`` report, for ``--compare``."""
    try:
        report = json.loads(Path(path).read_text())
    except OSError as exc:
        raise type(exc)(f"--compare {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ValueError(f"--compare {path} is not a JSON report ({exc})") from None
    if not isinstance(report, dict):
        raise ValueError(f"--compare {path} is not a JSON report (not an object)")
    return report


def _atomic_write_text(path, text):
    from .experiments._records import _atomic_write_text as write

    write(path, text)


def _int_at_least(low, what="an integer"):
    """An argparse ``type``: an integer >= ``low``."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
        return value

    return parse


_positive = _int_at_least(1, "a positive integer")
_non_negative = _int_at_least(0, "an integer >= 0")


def _blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        return cfg["Build Dependencies"]["blas"]["name"]
    except Exception:  # pragma: no cover - depends on the NumPy build
        return "unknown"


def print_table(results, header=None):
    """The table of a report's results, after its ``header`` line."""
    from ._bench import print_table as _print

    if header:
        print(f"\n{header}", end="")  # the table starts with a line break
    _print(results)


def _run_benchmark(fn, args):
    """``fn(args)``, without its progress lines under ``--quiet``; a missing
    MNIST says how to run on synthetic data instead."""
    kwargs = {}
    if getattr(args, "quiet", False):
        try:
            takes_progress = "progress" in inspect.signature(fn).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins
            takes_progress = False
        if takes_progress:
            kwargs["progress"] = _silent
    try:
        return fn(args, **kwargs)
    except FileNotFoundError as exc:
        if getattr(args, "data", None) != "mnist" or "MNIST" not in str(exc):
            raise
        detail = str(exc).replace(
            "pass data_home=<folder containing them>", "pass --data-home FOLDER"
        )
        raise FileNotFoundError(
            f"bench {args.name} reads MNIST (--data mnist, the default), which "
            f"is missing. {detail} Or run the benchmark on synthetic MNIST-like "
            "digits, with nothing to download: --data synthetic."
        ) from None


def table_header(report, args=None):
    """One line saying what a bench table measured: the data and its size,
    the model's size, batch, epochs per timed run and dtypes."""
    get = report.get
    parts = []
    data = get("data")
    if data is None and args is not None and getattr(args, "data", None):
        data = "make_mnist_like (synthetic)" if args.data == "synthetic" else args.data
    if data:
        parts.append(f"data: {data};")
    for key, fmt in (
        ("n_samples", "n = {} rows"),
        ("n_features", "V = {}"),
        ("n_components", "H = {}"),
        ("n_patterns", "K = {}"),
        ("batch_size", "batch {}"),
        ("epochs", "epochs {} per timed run"),
        ("n_chains", "AIS chains {}"),
        ("n_betas", "temperatures {}"),
    ):
        if get(key) is not None:
            parts.append(fmt.format(get(key)) + ",")
    results = get("results") or {}
    dtypes = sorted(
        {r.get("dtype") for r in results.values() if isinstance(r, dict)} - {None}
    )
    if dtypes:
        parts.append(f"dtype {'/'.join(dtypes)},")
    if get("repeats") is not None:
        n = get("repeats")
        parts.append(f"{n} timed run{'s' if n != 1 else ''} per case")
    return " ".join(parts).rstrip(",;")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="skrapid",
        description="Restricted Boltzmann machines for scikit-learn (RAPID, "
        "binary and scalar-field RBMs).",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help="print the version of skrapid and exit",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="fit an RBM on embedded digits; print "
        "held-out log-likelihood, probe accuracy and time",
        formatter_class=_HelpFormatter,
    )
    demo.add_argument(
        "--out",
        default="skrapid_out",
        help="folder for the figure and JSON",
    )
    quick, full = DEMO_SETTINGS["quick"], DEMO_SETTINGS["full"]
    demo.add_argument(
        "--quick",
        action="store_true",
        help=f"{quick['epochs']} epochs and {quick['n_betas']} AIS temperatures "
        f"(seconds) instead of {full['epochs']} epochs and {full['n_betas']} "
        "temperatures (minutes)",
    )
    demo.add_argument(
        "--device",
        default="auto",
        choices=["auto", "cpu", "gpu"],
        help="where the skrapid models train: auto follows the data, which "
        "the demo loads as NumPy arrays (the CPU); gpu moves them to CuPy",
    )
    demo.add_argument(
        "--blas-threads",
        type=_non_negative,
        default=1,
        help="BLAS threads for the whole demo (0: the BLAS default). skrapid's "
        "estimators pick one thread at these sizes by themselves; the default "
        "also puts scikit-learn's LogisticRegression and BernoulliRBM on one, "
        "which is faster for their small products (the demo took 54 s on a "
        "2-core machine); `skrapid bench threads` measures yours",
    )
    demo.add_argument(
        "--verbose",
        type=_non_negative,
        default=1,
        help="0: results only; 1: also a line per epoch (elapsed time, ETA) "
        "and the progress of AIS; 2: also gradient norms and chain statistics",
    )
    demo.add_argument(
        "--quiet",
        action="store_true",
        help="print the results only (the same as --verbose 0)",
    )
    demo.set_defaults(func=_demo)
    bench = sub.add_parser(
        "bench",
        help="performance benchmarks (side by side "
        "with the reference, medians and ratios)",
        formatter_class=_HelpFormatter,
    )
    bench.add_argument(
        "name",
        choices=sorted(_benchmarks(), key=natural_key),
        help="pcd: one PCD-1 epoch vs sklearn BernoulliRBM (float32, float64); "
        "pid: one RAPID epoch (pure PID, PID + 10 Gibbs) vs one CD-10 epoch; "
        "ais-speed: AIS chains x temperatures per second on 784 x H; "
        "gaussian: one GaussianRBM epoch vs one BinaryRBM epoch; all: these "
        "four; scaling: update cost vs H, V, batch and PID cost vs K (App. "
        "D), with a figure; gpu: a PCD-1 epoch on the GPU vs the CPU and the "
        "paper's MNIST RAPID run on the GPU (--epochs), from CuPy and from "
        "PyTorch tensors; namespaces: a PCD-1 epoch and a score_samples from "
        "NumPy input vs a PyTorch CPU tensor (and CuPy arrays and CUDA "
        "tensors on a GPU), under Array API dispatch (needs "
        "SCIPY_ARRAY_API=1); ais: AIS and reverse "
        "AIS vs exact log Z on 784 x H (accuracy); "
        "digits-probe: probe accuracy vs BernoulliRBM over seeds; "
        "sparse: a PCD-1 epoch, transform and score_samples from dense vs "
        "CSR input (binarized MNIST; time and peak memory); "
        "gridsearch: GridSearchCV over RARBM's K x H (and/or BinaryRBM's H) "
        "on the demo's digits, scored by held-out log-likelihood: fit and "
        "score seconds and scoring's share",
    )
    bench.add_argument(
        "--data",
        choices=["mnist", "synthetic"],
        default="mnist",
        help="the data of the benchmarks that read MNIST (pcd, gaussian, gpu, "
        "namespaces, ais, sparse, all): the MNIST files in --data-home, or "
        "synthetic MNIST-like "
        "digits (skrapid.datasets.make_mnist_like; nothing to download)",
    )
    bench.add_argument(
        "--data-home",
        default=None,
        help="folder with the MNIST "
        "IDX files (default: $SKRAPID_DATA or ~/skrapid_data)",
    )
    bench.add_argument(
        "--n-samples",
        type=_positive,
        default=None,
        help="rows of data (default: all of MNIST's 60000 training images, "
        "or the benchmark's own size)",
    )
    bench.add_argument(
        "--n-components", type=_positive, default=500, help="hidden units H"
    )
    bench.add_argument(
        "--n-patterns", type=_positive, default=50, help="patterns K (pid)"
    )
    bench.add_argument(
        "--hidden",
        type=_positive,
        nargs="+",
        default=[15, 20],
        help="hidden sizes (ais)",
    )
    bench.add_argument(
        "--n-betas",
        type=_int_at_least(3, "an integer >= 3"),
        default=10000,
        help="AIS temperatures (at least 3)",
    )
    bench.add_argument("--n-chains", type=_positive, default=100, help="AIS chains")
    bench.add_argument(
        "--epochs",
        type=_non_negative,
        default=500,
        help="epochs of the MNIST RAPID run (gpu; 0 skips it)",
    )
    bench.add_argument(
        "--batch-size",
        type=_positive,
        default=None,
        help="minibatch rows (default: 1000 for gpu, 100 otherwise)",
    )
    bench.add_argument(
        "--rapid-n-components",
        type=_positive,
        default=3000,
        help="hidden units of the MNIST RAPID run (gpu)",
    )
    bench.add_argument(
        "--rapid-n-patterns",
        type=_positive,
        default=200,
        help="patterns of the MNIST RAPID run (gpu)",
    )
    bench.add_argument(
        "--repeats", type=_positive, default=3, help="timed runs per case (>= 1)"
    )
    from ._bench import GRIDSEARCH_DEFAULTS as GRID

    bench.add_argument(
        "--grid-patterns",
        type=_positive,
        nargs="+",
        default=GRID["patterns"],
        help="RARBM's K values in the grid (gridsearch)",
    )
    bench.add_argument(
        "--grid-hidden",
        type=_positive,
        nargs="+",
        default=GRID["hidden"],
        help="H values in the grid (gridsearch)",
    )
    bench.add_argument(
        "--grid-estimators",
        nargs="+",
        choices=["rarbm", "binary"],
        default=GRID["estimators"],
        help="grids to search: rarbm (K x H) and/or binary (BinaryRBM, H) (gridsearch)",
    )
    bench.add_argument(
        "--grid-folds",
        type=_int_at_least(2, "an integer >= 2"),
        default=GRID["folds"],
        help="cross-validation folds (gridsearch)",
    )
    bench.add_argument(
        "--grid-max-iter",
        type=_positive,
        default=GRID["max_iter"],
        help="epochs of each fit (gridsearch; the estimators' own defaults are "
        "30 for RARBM and 10 for BinaryRBM)",
    )
    bench.add_argument(
        "--dtypes",
        nargs="+",
        choices=["float32", "float64"],
        default=["float32", "float64"],
        help="floating types to time",
    )
    bench.add_argument(
        "--json",
        default=None,
        help="write the results here (its folder must exist; checked before "
        "the benchmark runs)",
    )
    bench.add_argument(
        "--out", default="skrapid_out", help="folder for figures (scaling)"
    )
    bench.add_argument(
        "--compare",
        default=None,
        help="an earlier --json report: print the ratio of each median to it",
    )
    bench.add_argument(
        "--quiet",
        action="store_true",
        help="no progress lines (per-repeat timings, AIS progress): only the "
        "table and the results",
    )
    bench.set_defaults(func=_bench)
    from .reproduce import REPRODUCTIONS

    rep = sub.add_parser(
        "reproduce",
        help="re-run one experiment of the papers: a PNG figure and a JSON file "
        "with our numbers next to the paper's",
        formatter_class=_HelpFormatter,
        epilog="experiments (full mode; --quick):\n"
        + "\n".join(
            f"  {n}: {REPRODUCTIONS[n].what}.\n    --quick: {REPRODUCTIONS[n].quick}."
            for n in sorted(REPRODUCTIONS, key=natural_key)
        ),
    )
    rep.add_argument(
        "name",
        choices=sorted(REPRODUCTIONS, key=natural_key),
        help="the experiment (listed below)",
    )
    rep.add_argument(
        "--quick",
        action="store_true",
        help="the experiment's reduced setting (fewer epochs, seeds and AIS "
        "temperatures; each experiment's is listed below)",
    )
    rep.add_argument(
        "--quiet",
        action="store_true",
        help="no progress lines: only the paths of the figure and JSON",
    )
    rep.add_argument(
        "--seeds",
        type=_positive,
        default=None,
        help="seeds (independent runs) per method, a positive integer, where "
        "the experiment averages over seeds (default: the experiment's own)",
    )
    rep.add_argument(
        "--out",
        default="skrapid_out",
        help="folder for the results (default: skrapid_out). Finished seeds "
        "are kept in OUT/NAME/ with the settings that produced them, and a "
        "rerun with the same settings resumes from them (records of other "
        "settings are computed again). One run at a time per folder: a "
        "second run into the same OUT/NAME stops with an error",
    )
    rep.add_argument(
        "--data-home",
        default=None,
        help="folder with the MNIST files (full mode of the MNIST experiments)",
    )
    rep.set_defaults(func=_reproduce)
    return parser


def _reproduce(args) -> int:
    from .reproduce import reproduce

    result = reproduce(
        args.name,
        quick=args.quick,
        seeds=args.seeds,
        out=args.out,
        data_home=args.data_home,
        progress=_silent if args.quiet else print,
    )
    if args.quiet:  # the progress lines named the files; say where they are
        for c in result.get("comparisons", []):
            print(
                f"{c['quantity']}: paper {c['paper']}, ours {c['ours']} "
                f"-> {c['verdict']}"
            )
        print(f"wrote {', '.join(result.get('files', []))}")
    return 0


def main(argv=None) -> int:
    """Run one command; errors propagate (for use from Python and tests)."""
    args = build_parser().parse_args(argv)
    return args.func(args)


#: What a user can fix from the command line: bad arguments or data, missing
#: files, no GPU, a diverged fit.  These print one message, not a traceback.
_USER_ERRORS = (ValueError, RuntimeError, OSError, FloatingPointError)


def cli(argv=None) -> int:
    """The ``skrapid`` command: like :func:`main`, but a user error prints
    ``skrapid: error: MESSAGE`` on stderr and exits with status 2, and Ctrl-C
    prints ``skrapid: interrupted`` (with what was kept, for ``reproduce``)
    and exits with status 130 (set ``SKRAPID_TRACEBACK=1`` to see the
    traceback)."""
    out = sys.stdout
    sys.stdout = _PipeSafe(out)
    try:
        return main(argv)
    except _USER_ERRORS as exc:
        if os.environ.get("SKRAPID_TRACEBACK"):
            raise
        print(f"skrapid: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        if os.environ.get("SKRAPID_TRACEBACK"):
            raise
        print(
            "skrapid: interrupted" + (f"; {exc}" if str(exc) else ""),
            file=sys.stderr,
        )
        return 130
    finally:
        sys.stdout = out


class _PipeSafe:
    """stdout that survives its reader going away (``skrapid reproduce ... |
    head``): the first write to a closed pipe switches output off, and the
    work goes on (a reproduction keeps running and writes its result files)
    instead of dying with BrokenPipeError."""

    def __init__(self, stream):
        self._stream = stream
        self._closed = False

    def write(self, text):
        if self._closed:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._close()
            return len(text)

    def flush(self):
        if self._closed:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._close()

    def _close(self):
        self._closed = True
        # the interpreter flushes stdout at exit: point its descriptor at
        # /dev/null so that flush cannot fail again
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def __getattr__(self, name):
        return getattr(self._stream, name)
