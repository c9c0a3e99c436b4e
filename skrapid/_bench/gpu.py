"""``skrapid bench gpu``: the CuPy path against the NumPy path, and the
paper's MNIST RAPID run on the GPU."""

from __future__ import annotations

import time

import numpy as np

from ._common import _mnist_or_synthetic, _results


def bench_gpu(args, progress=print) -> dict:
    """The GPU paths against the NumPy path in one process: one BinaryRBM
    PCD-1 epoch at H = ``--n-components`` (500) and batch ``--batch-size``
    (default 1000 here), float32, from NumPy input on the CPU, from a CuPy
    array (where CuPy sees a GPU) and from a PyTorch CUDA tensor under Array
    API dispatch (where PyTorch sees one and ``SCIPY_ARRAY_API=1``), each
    against the GEMM peak of its own device measured in the same run (memory:
    host tracemalloc for the CPU case, CuPy's pool or PyTorch's allocator
    peak for the GPU cases); then the paper's MNIST RAPID run (H = 3000,
    K = 200, PID + 10 Gibbs steps, ``--epochs`` epochs, default 500) on the
    GPU, timed as one ``fit``, from CuPy where it is present, else from the
    PyTorch tensor.  Needs a CUDA GPU with CuPy or PyTorch."""
    from .. import BinaryRBM
    from .. import _backend as Bk

    cp = Bk._import_cupy()
    tdev, torch_note = _torch_gpu()
    if cp is None and tdev is None:
        raise RuntimeError(
            "skrapid bench gpu needs a CUDA GPU with CuPy or PyTorch: "
            + Bk._why_no_gpu().rstrip(".")
            + f"; for PyTorch: {torch_note.removeprefix('skipped: ')}. Install the "
            "extra with python -m pip install '.[gpu]', or PyTorch with CUDA."
        )
    X, source = _mnist_or_synthetic(args)
    X = np.ascontiguousarray(X, dtype=np.float32)
    n, V = X.shape
    H = args.n_components
    Bs = args.batch_size or 1000
    kw = dict(n_components=H, batch_size=Bs, max_iter=1, learning_rate=0.01,
              method="pcd")  # fmt: skip

    def cpu_epoch(r):
        BinaryRBM(random_state=r, device="cpu", **kw).fit(X)

    cases, devices = {"cpu epoch": cpu_epoch}, {}
    if cp is not None:
        Xg = cp.asarray(X)

        def gpu_epoch(r):
            BinaryRBM(random_state=r, device="gpu", **kw).fit(Xg)
            Bk.synchronize(cp)

        gpu_epoch(0)  # warm-up: CUDA context, kernels, memory pool
        cases["gpu epoch"], devices["gpu epoch"] = gpu_epoch, cp
    if tdev is not None:
        import sklearn
        import torch

        from .._xpnp import namespace

        Xt = torch.asarray(X, device=tdev)
        xt = namespace("torch", str(Xt.device))

        def torch_epoch(r):
            with sklearn.config_context(array_api_dispatch=True):
                BinaryRBM(random_state=r, **kw).fit(Xt)
            Bk.synchronize(xt)

        torch_epoch(0)  # warm-up
        name = "gpu epoch (torch tensor)"
        cases[name], devices[name] = torch_epoch, xt
        torch_note = f"timed as {name!r} (computed by PyTorch)"
    progress(f"  PyTorch CUDA tensor: {torch_note}")
    if cp is None:
        progress("  CuPy: skipped: " + Bk._why_no_gpu())
    flops = dict.fromkeys(cases, 10.0 * Bs * V * H * -(-n // Bs))
    res = _results(
        cases,
        flops,
        dict.fromkeys(cases, "float32"),
        {name: "cpu epoch" for name in cases if name != "cpu epoch"},
        args.repeats,
        progress,
        devices=devices,
    )
    report = {
        "benchmark": "gpu",
        "device": _gpu_name(cp, tdev),
        "data": source,
        "n_samples": n,
        "n_features": V,
        "n_components": H,
        "batch_size": Bs,
        "epochs": 1,
        "repeats": args.repeats,
        "results": res,
        "torch": torch_note,
        "cupy": "timed as 'gpu epoch'" if cp is not None else Bk._why_no_gpu(),
        "goal_speedup": 30,
    }
    if args.epochs:
        report["rapid_mnist"] = _rapid_mnist(args, X, cp, tdev, progress)
    return report


def _rapid_mnist(args, X, cp, tdev, progress) -> dict:
    """The paper's MNIST RAPID run on the GPU, timed as one fit (no
    per-epoch validation or round trips): from a CuPy array, or from a
    PyTorch tensor under dispatch where CuPy is missing."""
    import contextlib

    from .. import _backend as Bk
    from ..experiments import load_binarized_mnist, mnist_estimator

    if args.data == "synthetic":
        Xb = (X > 0.3).astype(np.float32)
    else:
        Xb = load_binarized_mnist(args.data_home)[0]
    Hr = getattr(args, "rapid_n_components", None) or 3000
    Kr = getattr(args, "rapid_n_patterns", None) or 200
    est = mnist_estimator("rapid", 0, n_components=Hr, n_patterns=Kr)
    est.set_params(max_iter=args.epochs)
    if cp is not None:
        est.set_params(device="gpu")
        data, xp, via, context = cp.asarray(Xb), cp, "CuPy", contextlib.nullcontext()
    else:
        import sklearn
        import torch

        from .._xpnp import namespace

        data = torch.asarray(Xb, device=tdev)
        xp, via = namespace("torch", str(data.device)), "PyTorch"
        context = sklearn.config_context(array_api_dispatch=True)
    Bk.synchronize(xp)
    progress(
        f"  RAPID MNIST (H={Hr}, K={Kr}) from {via}: fit(max_iter={args.epochs}) ..."
    )
    with context:
        t0 = time.perf_counter()
        est.fit(data)
        Bk.synchronize(xp)
        seconds = time.perf_counter() - t0
    progress(
        f"RAPID MNIST (H={Hr}, K={Kr}), {est.n_iter_} epochs on the GPU "
        f"from {via} in one fit: {seconds:.0f} s"
    )
    return {
        "H": Hr,
        "K": Kr,
        "epochs": args.epochs,
        "epochs_run": int(est.n_iter_),
        "library": via,
        "seconds": seconds,
        "seconds_per_epoch": seconds / max(1, est.n_iter_),
        "goal_seconds_for_500_epochs": 600,
    }


def _torch_gpu():
    """(device, note): "cuda" where PyTorch sees a CUDA device and
    ``SCIPY_ARRAY_API=1`` allows scikit-learn's dispatch, else None and why."""
    import os

    try:
        import torch
    except ImportError:
        return None, "skipped: PyTorch is not installed"
    if not torch.cuda.is_available():
        return None, "skipped: PyTorch sees no CUDA device"
    if not os.environ.get("SCIPY_ARRAY_API"):
        return None, "skipped: set SCIPY_ARRAY_API=1 for scikit-learn's dispatch"
    return "cuda", "available"


def _gpu_name(cp, tdev=None) -> str:
    try:
        if cp is not None:
            name = cp.cuda.runtime.getDeviceProperties(0)["name"]
            return name.decode() if isinstance(name, bytes) else str(name)
        import torch

        return str(torch.cuda.get_device_name(tdev))
    except Exception:  # pragma: no cover - informational only
        return "unknown GPU"
