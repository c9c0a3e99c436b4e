"""``skrapid bench gpu``: the CuPy path against the NumPy path, and the
paper's MNIST RAPID run on the GPU."""

from __future__ import annotations

import time

import numpy as np

from ._common import _mnist_or_synthetic, _results


def bench_gpu(args, progress=print) -> dict:
    """The CuPy path against the NumPy path in one process: one BinaryRBM
    PCD-1 epoch at H = ``--n-components`` (500) and batch ``--batch-size``
    (default 1000 here), float32, on each device, each against the GEMM peak
    of its own device measured in the same run (memory: host tracemalloc
    for the CPU case, CuPy's device memory pool for the GPU case); then the
    paper's MNIST RAPID run (H = 3000, K = 200, PID + 10 Gibbs steps,
    ``--epochs`` epochs, default 500) on the GPU alone, timed as one
    ``fit``.  Needs CuPy and a CUDA GPU."""
    from .. import BinaryRBM
    from .. import _backend as Bk
    from ..experiments import mnist_estimator

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
    torch_note = _torch_case(cases, X, H, Bs, cp)
    progress(f"  PyTorch CUDA tensor: {torch_note}")
    flops = dict.fromkeys(cases, 10.0 * Bs * V * H * -(-n // Bs))
    res = _results(
        cases,
        flops,
        dict.fromkeys(cases, "float32"),
        {name: "cpu epoch" for name in cases if name != "cpu epoch"},
        args.repeats,
        progress,
        devices={name: cp for name in cases if name != "cpu epoch"},
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
        "torch": torch_note,
        "goal_speedup": 30,
    }
    if args.epochs:
        from ..experiments import load_binarized_mnist

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


def _torch_case(cases, X, H, Bs, cp):
    """Add the epoch from a PyTorch CUDA tensor under Array API dispatch
    (computed by CuPy on the tensor's memory, through DLPack) where PyTorch
    sees a GPU and ``SCIPY_ARRAY_API=1`` allows dispatch; say why not
    otherwise."""
    import os

    try:
        import torch
    except ImportError:
        return "skipped: PyTorch is not installed"
    if not torch.cuda.is_available():
        return "skipped: PyTorch sees no CUDA device"
    if not os.environ.get("SCIPY_ARRAY_API"):
        return "skipped: set SCIPY_ARRAY_API=1 for scikit-learn's dispatch"
    import sklearn

    from .. import BinaryRBM
    from .. import _backend as Bk

    Xt = torch.asarray(X, device="cuda")

    def run(r):
        with sklearn.config_context(array_api_dispatch=True):
            BinaryRBM(n_components=H, batch_size=Bs, max_iter=1, learning_rate=0.01,
                      method="pcd", random_state=r).fit(Xt)  # fmt: skip
        torch.cuda.synchronize()
        Bk.synchronize(cp)

    run(0)  # warm-up
    cases["gpu epoch (torch tensor)"] = run
    return "timed as 'gpu epoch (torch tensor)'"


def _gpu_name(cp) -> str:
    try:
        name = cp.cuda.runtime.getDeviceProperties(0)["name"]
        return name.decode() if isinstance(name, bytes) else str(name)
    except Exception:  # pragma: no cover - informational only
        return "unknown GPU"
