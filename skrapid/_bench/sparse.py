"""``skrapid bench sparse``: dense against SciPy CSR input, side by side.

BinaryRBM (PCD-1, ``units="bernoulli"``) fitted for one epoch on binarized
MNIST (pixels > 0.5; ``--data synthetic``: :func:`skrapid.datasets.make_mnist_like`)
given as a dense array and as a CSR matrix of the same values, then
``transform`` and ``score_samples`` of the same fitted model on both.  Each
case is timed ``repeats`` times (interleaved; medians), its peak memory is
measured by :mod:`tracemalloc` in one more, untimed run, and the input's own
size (dense array, or CSR data, indices and indptr) is reported next to it:
a fit from CSR makes only one minibatch dense at a time, so the data never
needs its dense form in memory.
"""

from __future__ import annotations

import numpy as np

from ._common import _mnist_or_synthetic, _results
from .training import _binary_pcd


def _binary_data(args, n_default=10000):
    """(X in {0, 1} float64, description) of ``args.n_samples`` rows."""
    if args.data == "synthetic":
        return _mnist_or_synthetic(args, n_default)
    from ..datasets import load_mnist

    n = args.n_samples or n_default
    X, _ = load_mnist(args.data_home, subset="train", allow_download=False)
    X = (X[:n] > 0.5).astype(np.float64)
    return X, f"MNIST train ({X.shape[0]} x 784), binarized at pixel/255 > 0.5"


def _csr_mib(X):
    return (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20


def bench_sparse(args, progress=print) -> dict:
    """One PCD-1 epoch, ``transform`` and ``score_samples`` from dense and
    from CSR input (see the module docstring)."""
    from scipy import sparse

    X, source = _binary_data(args)
    n, V = X.shape
    H, B = args.n_components, args.batch_size
    density = float(np.count_nonzero(X)) / X.size
    progress(f"{source}: density {density:.3f} (non-zero pixels)")

    fit = _binary_pcd(args)  # the timed PCD-1 epoch of the pcd benchmark

    cases, flops, dtypes, refs, inputs = {}, {}, {}, {}, {}
    for dt in args.dtypes:
        name = np.dtype(dt).name
        Xd = np.ascontiguousarray(X, dtype=dt)
        Xs = sparse.csr_matrix(Xd)
        model = fit(Xd)(0)
        # log Z once, cheaply and untimed: score_samples then times -F(x) - log Z
        model.log_partition_function("ais", n_chains=10, n_betas=100, random_state=0)
        for task, make, fl in (
            ("fit", fit, 10.0 * B * V * H * -(-n // B)),
            (
                "transform",
                lambda Xin, m=model: lambda r: m.transform(Xin),
                2.0 * n * V * H,
            ),
            (
                "score_samples",
                lambda Xin, m=model: lambda r: m.score_samples(Xin),
                2.0 * n * V * H,
            ),
        ):
            for kind, Xin, mib in (
                ("dense", Xd, Xd.nbytes / 2**20),
                ("CSR", Xs, _csr_mib(Xs)),
            ):
                key = f"{task} {kind} {name}"
                cases[key], flops[key], dtypes[key] = make(Xin), fl, name
                inputs[key] = mib
            refs[f"{task} CSR {name}"] = f"{task} dense {name}"
    results = _results(cases, flops, dtypes, refs, args.repeats, progress)
    for key, r in results.items():
        r["input_mib"] = inputs[key]
    _print_sparse_table(results, density)
    return {
        "benchmark": "sparse",
        "data": source,
        "density": density,
        "n_samples": n,
        "n_features": V,
        "n_components": H,
        "batch_size": B,
        "epochs": 1,
        "repeats": args.repeats,
        "results": results,
    }


def _print_sparse_table(results, density):
    """Dense and CSR next to each other, and which is faster."""
    print(
        f"\ndense vs CSR input (density {density:.3f}); peak MiB: tracemalloc "
        "peak of one call; input MiB: the data passed in"
    )
    print(
        f"{'task':22} {'dense s':>9} {'CSR s':>9} {'CSR/dense':>9} "
        f"{'dense peak':>10} {'CSR peak':>9} {'dense in':>9} {'CSR in':>8}  faster"
    )
    for key, r in results.items():
        if r["reference"] is None:  # the dense row, printed with its CSR row
            continue
        d = results[r["reference"]]
        task = key.replace(" CSR", "")
        ratio = r["median"] / d["median"]
        faster = (
            "about equal (within 5%)"
            if abs(ratio - 1) < 0.05
            else f"{'CSR' if ratio < 1 else 'dense'} by {max(ratio, 1 / ratio):.2f}x"
        )
        print(
            f"{task:22} {d['median']:9.3f} {r['median']:9.3f} {ratio:9.2f} "
            f"{d['peak_memory_mib']:10.1f} {r['peak_memory_mib']:9.1f} "
            f"{d['input_mib']:9.1f} {r['input_mib']:8.1f}  {faster}"
        )
