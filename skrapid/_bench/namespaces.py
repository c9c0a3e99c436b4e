"""``skrapid bench namespaces``: the same fit and score on NumPy input and on
the other array types the input can be (a PyTorch CPU tensor; a CuPy array
and a PyTorch CUDA tensor where there is a GPU), side by side in one run."""

from __future__ import annotations

import os

import numpy as np

from ._common import _mnist_or_synthetic, _time_cases


def _inputs(X):
    """{name: (array, namespace-for-sync or None)} for the array types
    available here, NumPy first."""
    from .. import _backend as Bk

    inputs = {"numpy": (X, None)}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        inputs["torch-cpu"] = (torch.asarray(X), None)
    if Bk.gpu_available():
        cp = Bk._import_cupy()
        inputs["cupy"] = (cp.asarray(X), cp)
        if torch is not None and torch.cuda.is_available():
            inputs["torch-cuda"] = (torch.asarray(X, device="cuda"), cp)
    return inputs


def bench_namespaces(args, progress=print) -> dict:
    """One PCD-1 epoch (``fit``, ``max_iter=1``) and one ``score_samples`` of
    the training rows, binarized at 0.5 (log Z cached beforehand, so the
    rows' cost is timed), of a default
    ``BinaryRBM(n_components=--n-components)`` in float32, for each input
    type, under ``sklearn.config_context(array_api_dispatch=True)``
    for all but NumPy; ratios against NumPy input.  The cases absent here
    (no PyTorch, no GPU) are listed as skipped."""
    import sklearn

    from .. import BinaryRBM
    from .. import _backend as Bk

    if not os.environ.get("SCIPY_ARRAY_API"):
        raise RuntimeError(
            "skrapid bench namespaces uses scikit-learn's Array API dispatch, "
            "which needs SciPy's: run it as SCIPY_ARRAY_API=1 skrapid bench "
            "namespaces ..."
        )
    X, source = _mnist_or_synthetic(args)
    X = np.ascontiguousarray(X > 0.5, dtype=np.float32)  # score_samples: states
    source += ", binarized at 0.5"
    H, Bs = args.n_components, args.batch_size or 100
    inputs = _inputs(X)
    skipped = [n for n in ("torch-cpu", "cupy", "torch-cuda") if n not in inputs]
    none = ", ".join(skipped) or "-"
    progress(f"  input types: {', '.join(inputs)}; skipped: {none}")
    scored = {}  # the models the score cases use (the fit cases refit theirs)

    def config(name):
        return sklearn.config_context(array_api_dispatch=name != "numpy")

    def fit_case(name, data, sync):
        def run(r):
            with config(name):
                est = BinaryRBM(n_components=H, batch_size=Bs, max_iter=1,
                                random_state=r)  # fmt: skip
                est.fit(data)
            if sync is not None:
                Bk.synchronize(sync)

        return run

    def score_case(name, data, sync):
        def run(r):
            with config(name):
                scored[name].score_samples(data)
            if sync is not None:
                Bk.synchronize(sync)

        return run

    cases = {}
    for name, (data, sync) in inputs.items():
        cases[f"fit {name}"] = fit_case(name, data, sync)
    for name, (data, sync) in inputs.items():
        with config(name):  # log Z once, cached for the timed scores
            scored[name] = BinaryRBM(n_components=H, batch_size=Bs, max_iter=1,
                                     random_state=0).fit(data)  # fmt: skip
            scored[name].score_samples(data[:10])
        cases[f"score {name}"] = score_case(name, data, sync)
    # a pause before each case: right after a NumPy case, OpenBLAS's threads
    # still spin and slow a PyTorch case down (0.13-0.16 s against 0.08 s for
    # a score at MNIST size on 2 cores), and the other way round
    times = _time_cases(cases, args.repeats, progress, pause=0.5)
    results = {}
    for case, t in times.items():
        kind = case.split()[0]
        ref = f"{kind} numpy"
        med = float(np.median(t))
        results[case] = {
            "device": "gpu" if ("cuda" in case or "cupy" in case) else "cpu",
            "dtype": "float32",
            "seconds": t,
            "median": med,
            "reference": ref if case != ref else None,
            "speedup_vs_reference": (
                float(np.median(times[ref])) / med if case != ref else None
            ),
        }
    return {
        "benchmark": "namespaces",
        "data": source,
        "n_samples": X.shape[0],
        "n_features": X.shape[1],
        "n_components": H,
        "batch_size": Bs,
        "repeats": args.repeats,
        "skipped": skipped,
        "results": results,
    }
