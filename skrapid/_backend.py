"""Array backend: the one module that knows CuPy exists.

Everything else in skrapid is written once against an array namespace ``xp``
(``numpy`` or ``cupy``) obtained from here.  CuPy is imported lazily, so the
package imports and runs without it.  All host <-> device crossings go through
:func:`to_numpy` and :func:`to_device`, and random numbers are drawn natively on
the device from a generator made by :func:`make_generator`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy import sparse as _sparse

__all__ = [
    "gpu_available",
    "get_namespace",
    "resolve_namespace",
    "to_device",
    "to_numpy",
    "like_input",
    "make_generator",
    "is_cupy_array",
]


@functools.lru_cache(maxsize=1)
def _import_cupy():
    """Import CuPy if it is installed and can see a CUDA device, else None."""
    try:
        import cupy  # noqa: F401
    except Exception:  # ImportError, or a broken CUDA install
        return None
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None
    except Exception:
        return None
    return cupy


def gpu_available() -> bool:
    """Return True when CuPy is importable and a CUDA GPU is visible."""
    return _import_cupy() is not None


def is_cupy_array(a: Any) -> bool:
    """Return True for a CuPy ndarray (without importing CuPy)."""
    return type(a).__module__.split(".")[0] == "cupy"


def get_namespace(*arrays: Any):
    """Return ``cupy`` if any of ``arrays`` is a CuPy array, else ``numpy``."""
    if any(is_cupy_array(a) for a in arrays):
        cp = _import_cupy()
        if cp is None:
            raise RuntimeError(
                "a CuPy array was given but CuPy cannot use a GPU here: "
                + _why_no_gpu()
            )
        return cp
    return np


def resolve_namespace(device: str, *arrays: Any):
    """Choose the array namespace that computation runs on.

    Parameters
    ----------
    device : {"auto", "cpu", "gpu"}
        ``"cpu"`` always uses NumPy.  ``"gpu"`` requires CuPy and a CUDA GPU and
        raises otherwise.  ``"auto"`` uses CuPy when the inputs already live on
        the GPU, or when CuPy and a GPU are present, else NumPy.
    *arrays : array-like
        Inputs of the call; CuPy inputs make ``"auto"`` pick CuPy.  SciPy
        sparse inputs make ``"auto"`` pick NumPy, and ``"gpu"`` raise a
        ValueError (the GPU path takes dense arrays only).

    Returns
    -------
    xp : module
        ``numpy`` or ``cupy``.
    """
    if device == "cpu":
        return np
    if any(issparse(a) for a in arrays):
        # SciPy sparse input is computed on the host, a minibatch or a chunk
        # of rows made dense at a time; the GPU path takes dense arrays only
        if device == "gpu":
            raise ValueError(
                "device='gpu' does not take SciPy sparse input: use "
                "device='cpu' (or 'auto', which computes sparse input on the "
                "CPU), or pass dense data (X.toarray()) to compute on the GPU."
            )
        if device == "auto":
            return np
    cp = _import_cupy()
    if device == "gpu":
        if cp is None:
            raise RuntimeError(
                "device='gpu' was requested but no CUDA GPU is usable: "
                + _why_no_gpu()
                + " Install the extra with `pip install skrapid[gpu]` on a machine "
                "with an NVIDIA GPU, or use device='cpu' or device='auto'."
            )
        return cp
    if device == "auto":
        if any(is_cupy_array(a) for a in arrays):
            return get_namespace(*arrays)
        return cp if cp is not None else np
    raise ValueError(f"device must be 'auto', 'cpu' or 'gpu'; got {device!r}.")


def _why_no_gpu() -> str:
    try:
        import cupy
    except Exception as exc:
        return f"CuPy is not importable ({type(exc).__name__}: {exc})."
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        return f"CuPy is installed but CUDA failed ({type(exc).__name__}: {exc})."
    return f"CuPy is installed but sees {n} CUDA devices."


def issparse(a: Any) -> bool:
    """Return True for a SciPy sparse matrix or array."""
    return _sparse.issparse(a)


def column_mean(X: Any, xp) -> np.ndarray:
    """Column means of X in float64, as a NumPy array.

    A SciPy sparse X is never made dense (its mean comes from the stored
    values)."""
    if issparse(X):
        return np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
    return to_numpy(xp.mean(X, axis=0, dtype=xp.float64))


def dense_rows(X: Any, stop: int):
    """The rows ``X[:stop]``, made dense when X is SciPy sparse."""
    rows = X[:stop]
    return rows.toarray() if issparse(rows) else rows


def to_numpy(a: Any) -> np.ndarray:
    """Copy an array to host memory as a NumPy array (no-op for NumPy)."""
    if is_cupy_array(a):
        return a.get()
    return np.asarray(a)


def to_device(a: Any, xp, dtype=None):
    """Move ``a`` to the namespace ``xp`` (host->device or device->host)."""
    if xp is np:
        out = to_numpy(a)
        return out if dtype is None else out.astype(dtype, copy=False)
    if is_cupy_array(a):
        return a if dtype is None else a.astype(dtype, copy=False)
    return xp.asarray(np.asarray(a), dtype=dtype)


def like_input(result: Any, reference: Any):
    """Return ``result`` in the array type of ``reference`` (NumPy or CuPy)."""
    if is_cupy_array(reference):
        return to_device(result, get_namespace(reference))
    return to_numpy(result)


def make_generator(xp, seed: int):
    """Return a native random generator for ``xp`` seeded with ``seed``.

    NumPy gets :class:`numpy.random.Generator` (PCG64); CuPy gets
    ``cupy.random.Generator`` so random numbers are made on the device.  The two
    streams differ for the same seed: compare backends statistically.
    """
    if xp is np:
        return np.random.default_rng(seed)
    return xp.random.default_rng(seed)


class Workspace:
    """Buffers reused by every update of a training loop, so the hot loop
    allocates nothing per step.  ``get(tag, shape, dtype)`` returns the
    buffer of that tag, (re)allocated only when the shape or dtype changes
    (the last, shorter minibatch of an epoch has its own).

    The buffers are arrays of ``xp``.  Training uses a workspace on NumPy
    only (CuPy's memory pool makes device allocations cheap); the code that
    fills the buffers is written for either namespace and is tested on the
    strict CuPy stand-in."""

    def __init__(self, xp=np):
        self.xp = xp
        self._buffers = {}

    def get(self, tag, shape, dtype):
        key = (tag, tuple(shape))
        buf = self._buffers.get(key)
        if buf is None or buf.dtype != dtype:
            buf = self._buffers[key] = self.xp.empty(shape, dtype=dtype)
        return buf


def buffer(ws, tag, shape, dtype):
    """``ws.get(...)``, or None (allocate as usual) without a workspace."""
    return None if ws is None else ws.get(tag, shape, dtype)


def synchronize(xp) -> None:
    """Block until queued device work is done (no-op on NumPy)."""
    if xp is not np:
        xp.cuda.Device().synchronize()


def seed_from(random_state) -> int:
    """Draw a 63-bit seed from a NumPy RandomState (advances its stream)."""
    return int(random_state.randint(0, 2**63 - 1, dtype=np.int64))


def blas_threads() -> int:
    """Threads the host BLAS uses now (the largest over loaded BLAS libraries;
    1 when none is found), as :mod:`threadpoolctl` reports them."""
    from threadpoolctl import threadpool_info

    n = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    return max(n, default=1)
