"""Array backend: the one module that knows which array libraries exist.

Everything else in skrapid is written once against a compute namespace ``xp``
with NumPy's API (``numpy``, ``cupy``, or a namespace of the façade
:mod:`skrapid._xpnp`) obtained from here.  CuPy is imported lazily, so the
package imports and runs without it.  All host <-> device crossings go through
:func:`to_numpy` and :func:`to_device`, and random numbers are drawn natively on
the device from a generator made by :func:`make_generator`.

**The input decides** (scikit-learn's Array API convention).  NumPy input is
computed with NumPy whatever is installed; a CuPy array with CuPy.  Arrays of
other Array API libraries (PyTorch tensors, ``array_api_strict`` arrays, ...)
are *foreign* here: under ``sklearn.set_config(array_api_dispatch=True)`` they
are computed by their own library on the device they live on
(:func:`from_foreign`), wrapped without a copy by the façade
:mod:`skrapid._xpnp`: a PyTorch tensor by PyTorch, an ``array_api_strict``
array by ``array_api_strict``.  Other libraries are read without a copy
through DLPack, a CPU array as NumPy and a CUDA array as CuPy.  The outputs
and fitted attributes go back to their namespace and device
(:func:`space_of`, :func:`to_space`).  Without dispatch they are converted to
NumPy (their float dtype kept) and the outputs are NumPy, as scikit-learn
does.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from typing import Any

import numpy as np
from scipy import sparse as _sparse

from . import _xpnp

__all__ = [
    "gpu_available",
    "get_namespace",
    "resolve_namespace",
    "to_device",
    "to_numpy",
    "like_input",
    "make_generator",
    "is_cupy_array",
    "is_foreign_array",
    "dispatch_enabled",
    "space_of",
    "space_key",
    "to_space",
    "from_foreign",
    "numpy_dtype",
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


def is_facade_array(a: Any) -> bool:
    """True for an array computed through the façade (:class:`skrapid._xpnp.
    XArray`: a PyTorch tensor or an ``array_api_strict`` array under
    dispatch)."""
    return isinstance(a, _xpnp.XArray) and not is_cupy_array(a)


def is_facade_namespace(xp) -> bool:
    """True for a namespace of the façade (not CuPy's own module)."""
    return isinstance(xp, _xpnp.Namespace) and xp.__name__ != "cupy"


def is_device_array(a: Any) -> bool:
    """Return True for an array computed by another library than NumPy (CuPy,
    or another library through :mod:`skrapid._xpnp`): it is never converted
    with ``np.asarray`` (each crossing to the host goes through
    :func:`to_numpy`)."""
    return is_cupy_array(a) or is_facade_array(a)


def get_namespace(*arrays: Any):
    """Return the compute namespace of ``arrays``: ``cupy`` for a CuPy array,
    the façade's namespace of its library and device for a façade array, else
    ``numpy``."""
    for a in arrays:
        if is_facade_array(a):
            return _xpnp.namespace_of(a.a)
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
        raises otherwise.  ``"auto"`` (the default) lets the input decide:
        CuPy for CuPy input, the façade's namespace for a façade array (a
        PyTorch tensor or an array_api_strict array under dispatch,
        :func:`from_foreign`), NumPy for everything else -- NumPy input never
        moves.
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
    if device == "gpu":
        cp = _import_cupy()
        if cp is None:
            raise RuntimeError(
                "device='gpu' was requested but no CUDA GPU is usable: "
                + _why_no_gpu()
                + " Install the extra with `pip install skrapid[gpu]` on a machine "
                "with an NVIDIA GPU, or use device='cpu' or device='auto'."
            )
        return cp
    if device == "auto":
        return get_namespace(*arrays)
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
    """Copy an array to host memory as a NumPy array (no-op for NumPy; a
    foreign array on the CPU is read without a copy)."""
    if isinstance(a, np.ndarray):
        return a
    if is_cupy_array(a):
        return a.get()
    if is_facade_array(a):
        return _xpnp.to_numpy(a)
    if is_foreign_array(a):
        return to_numpy(from_foreign(a))
    return np.asarray(a)


def to_device(a: Any, xp, dtype=None):
    """Move ``a`` to the namespace ``xp`` (host->device or device->host)."""
    if is_foreign_array(a):
        a = from_foreign(a, facade=is_facade_namespace(xp))
    if xp is np:
        out = to_numpy(a)
        return out if dtype is None else out.astype(dtype, copy=False)
    if is_facade_namespace(xp):
        if is_cupy_array(a) and xp.lib.name == "torch":
            a = xp.from_dlpack(a)  # the same memory
        if is_facade_array(a) and _xpnp.lib_of(a.a) is xp.lib:
            return xp.asarray(a, dtype=dtype)
        return xp.asarray(to_numpy(a), dtype=dtype)
    if is_cupy_array(a):
        return a if dtype is None else a.astype(dtype, copy=False)
    if is_facade_array(a):  # device="gpu": to CuPy
        if _cuda_tensor(a):  # the same memory, through DLPack
            a = xp.from_dlpack(a.a)
            return a if dtype is None else a.astype(dtype, copy=False)
        a = to_numpy(a)
    return xp.asarray(np.asarray(a), dtype=dtype)


def numpy_dtype(a: Any):
    """The NumPy dtype of an array of any of the namespaces skrapid meets."""
    dt = a.dtype
    if isinstance(dt, np.dtype):
        return dt
    name = str(dt).rpartition(".")[2]  # torch.float32, array_api_strict's
    return np.dtype(name)


def like_input(result: Any, reference: Any):
    """Return ``result`` in the array type of ``reference``: NumPy or CuPy;
    a foreign reference's own namespace and device under Array API
    dispatch, NumPy without it."""
    if is_cupy_array(reference):
        return to_device(result, get_namespace(reference))
    if is_foreign_array(reference) and dispatch_enabled():
        return to_space(result, space_of(reference))
    return to_numpy(result)


# ---------------------------------------------------------------------------
# Foreign arrays: PyTorch, array_api_strict and the other Array API libraries
# ---------------------------------------------------------------------------
def dispatch_enabled() -> bool:
    """Whether ``sklearn.set_config(array_api_dispatch=True)`` is in force."""
    from sklearn import get_config

    return bool(get_config().get("array_api_dispatch", False))


def is_foreign_array(a: Any) -> bool:
    """True for an array of an Array API library other than NumPy and CuPy
    (a PyTorch tensor, an ``array_api_strict`` array, ...)."""
    if isinstance(a, np.ndarray | np.generic) or a is None or is_device_array(a):
        return False
    if issparse(a) or isinstance(a, list | tuple | int | float | str):
        return False
    module = type(a).__module__.split(".")[0]
    if module in ("pandas", "polars", "pyarrow", "builtins", "scipy"):
        return False
    import array_api_compat

    return bool(array_api_compat.is_array_api_obj(a))


class Space(tuple):
    """An input's Array API namespace (``array_api_compat``'s) and device."""

    __slots__ = ()

    def __new__(cls, xp, device):
        return super().__new__(cls, (xp, device))

    xp = property(lambda self: self[0])
    device = property(lambda self: self[1])

    def __reduce__(self):  # a module does not pickle: its name does
        return (_space_named, (self.xp.__name__, self.device))

    @property
    def name(self):
        return self.xp.__name__.replace("array_api_compat.", "")


def _space_named(name, device):
    import importlib

    return Space(importlib.import_module(name), device)


def space_of(a: Any) -> Space:
    """The namespace and device of an array (CuPy's module itself for CuPy,
    whose arrays skrapid computes on directly)."""
    if is_cupy_array(a):
        return Space(get_namespace(a), None)
    import array_api_compat

    return Space(array_api_compat.array_namespace(a), array_api_compat.device(a))


def space_key(a: Any) -> tuple:
    """(namespace name, device) of an input or fitted attribute, for
    comparing them: ("numpy", None) for NumPy, SciPy sparse and array-likes."""
    if is_cupy_array(a):
        return ("cupy", None)
    if is_foreign_array(a):
        space = space_of(a)
        return (space.name, str(space.device))
    return ("numpy", None)


def to_space(a: Any, space: Space):
    """A NumPy, CuPy or façade result in ``space``'s namespace, on its
    device."""
    if a is None or isinstance(a, int | float):
        return a
    if is_facade_array(a):
        lib = _xpnp.lib_of(a.a)
        if lib.name == space.name:  # computed by that library already
            return lib.to_device(a.a, space.device)
        a = _xpnp.to_numpy(a)
    if space.device is None and space.xp is _import_cupy():
        return to_device(a, space.xp)  # CuPy itself
    if is_cupy_array(a):  # device="gpu" computed it for a foreign input
        if getattr(space.device, "type", None) == "cuda":
            return space.xp.from_dlpack(a)  # the same memory
        a = to_numpy(a)
    return space.xp.asarray(a, device=space.device)


#: Libraries whose arrays skrapid computes with the library itself, through
#: the façade :mod:`skrapid._xpnp` (a module name: the first part of the
#: array type's module).
FACADE_LIBRARIES = ("torch", "array_api_strict")


def _facade_library(a) -> bool:
    return type(a).__module__.split(".")[0] in FACADE_LIBRARIES


def _cuda_tensor(a) -> bool:
    """A façade array on a CUDA device (PyTorch's)."""
    return getattr(getattr(a.a, "device", None), "type", None) == "cuda"


def from_foreign(a: Any, *, host: bool = False, facade: bool | None = None):
    """A foreign array where skrapid computes on it, without a copy where the
    library allows one: under Array API dispatch a PyTorch tensor or an
    ``array_api_strict`` array as a :class:`~skrapid._xpnp.XArray` (computed
    by its own library on its own device); otherwise through DLPack as NumPy
    (on the CPU) or CuPy (on a CUDA device).  Its dtype is kept; a device
    skrapid cannot compute on is a clear error.

    ``host=True`` (``device="cpu"``): an array on another device is first
    copied to the CPU by its own library, then read as NumPy.  ``facade``
    forces (True) or refuses (False) the façade; None: dispatch decides.
    """
    if getattr(a, "requires_grad", False):  # PyTorch refuses to export those
        a = a.detach()
    try:
        complex_input = numpy_dtype(a).kind == "c"
    except TypeError:  # a dtype NumPy does not know (bfloat16): refused below
        complex_input = False
    if complex_input:  # scikit-learn's words for NumPy input
        raise ValueError("Complex data not supported")
    if facade is None:
        facade = not host and dispatch_enabled()
    if facade and _facade_library(a) and _xpnp.computable(a):
        return _xpnp.wrap(a)
    try:
        return np.from_dlpack(a)
    except Exception as host_exc:
        if not hasattr(a, "__dlpack__") and hasattr(a, "__array__"):
            try:  # no DLPack (a dask array): NumPy's own conversion
                return np.asarray(a)
            except Exception:
                pass
        if host:
            try:
                import array_api_compat

                return np.from_dlpack(array_api_compat.to_device(a, "cpu"))
            except Exception:
                pass
        cp = _import_cupy()
        if cp is not None:
            try:
                return cp.from_dlpack(a)
            except Exception:
                pass
        kind = f"{type(a).__module__}.{type(a).__name__}"
        try:
            import array_api_compat

            where = f" on device {array_api_compat.device(a)!r}"
        except Exception:
            where = ""
        if getattr(a, "is_sparse", False) or "sparse" in str(getattr(a, "layout", "")):
            raise ValueError(
                f"skrapid takes this sparse {kind} as a dense array only: pass "
                "X.to_dense() (or a SciPy sparse matrix, which the binary "
                "estimators take without making it dense)."
            ) from None
        raise ValueError(
            f"skrapid cannot compute on this {kind}{where} "
            f"({type(host_exc).__name__}: {host_exc}). It computes on the CPU "
            "with NumPy, on CUDA devices with CuPy (`pip install "
            "skrapid[gpu]`), and PyTorch tensors on the CPU or CUDA with "
            "PyTorch under sklearn.set_config(array_api_dispatch=True); move "
            "the data to the CPU first (e.g. `X.cpu()` for a PyTorch "
            "tensor), or convert it to float32 or float64 (e.g. `X.float()`)."
        ) from None


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
    return max((c.num_threads for c in _blas_controllers()), default=1)


# ---------------------------------------------------------------------------
# The BLAS thread policy
# ---------------------------------------------------------------------------
#: Products (rows x V x H multiply-adds) below this run on one BLAS thread:
#: waking and joining threads costs more than it saves there (``skrapid bench
#: threads``: a PCD-1 update of 64 x 200 with batch 10 and 100 chains, 1.4
#: million, is as fast or faster on one thread idle, and 3.4x slower on two
#: beside one busy process).
SMALL_PRODUCT = 20_000_000

#: Environment variables by which a user fixes the BLAS threads for a whole
#: process; the policy then leaves the count alone.
_THREAD_ENV_VARS = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
)


@functools.lru_cache(maxsize=1)
def _controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _blas_controllers():
    return [c for c in _controller().lib_controllers if c.user_api == "blas"]


#: The BLAS thread count when skrapid was imported: a different count at a
#: call means the user set one (threadpool_limits), which the policy keeps.
_DEFAULT_BLAS_THREADS = blas_threads()


def _own_running_threads() -> int:
    """Threads of this process that are runnable now (Linux; 1 elsewhere)."""
    n = 0
    try:
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            if stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] == b"R":
                n += 1
    except OSError:
        return 1
    return max(n, 1)


#: Reads of the runnable-task count, and the pause between them (seconds):
#: a task that wakes for a moment is not a busy process.
_LOAD_READS, _LOAD_PAUSE = 5, 0.001


def other_runnable() -> int:
    """Runnable tasks of other processes now: the kernel's count of runnable
    tasks (``/proc/loadavg``) less this process's own, the least of
    ``_LOAD_READS`` reads a millisecond apart, so that a task waking for a
    moment does not count; elsewhere the one-minute load average less one."""
    import time

    try:
        best = None
        for i in range(_LOAD_READS):
            if i:
                time.sleep(_LOAD_PAUSE)
            with open("/proc/loadavg") as f:
                running = int(f.read().split()[3].split("/")[0])
            other = max(0, running - _own_running_threads())
            best = other if best is None else min(best, other)
            if best == 0:
                break
        return best
    except (OSError, ValueError, IndexError):
        try:
            return max(0, round(os.getloadavg()[0]) - 1)
        except (OSError, AttributeError):
            return 0


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where known)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def free_cores() -> int:
    """Cores not taken by other processes' runnable tasks (at least 1)."""
    return max(1, available_cores() - other_runnable())


def user_set_blas_threads() -> bool:
    """True when the user chose the BLAS threads: an environment variable
    (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ...) or a
    ``threadpool_limits`` in force that differs from the count at import."""
    if any(os.environ.get(v) for v in _THREAD_ENV_VARS):
        return True
    return blas_threads() != _DEFAULT_BLAS_THREADS


def policy_threads(macs: float) -> int:
    """BLAS threads the policy picks for products of ``macs`` multiply-adds:
    one for small products; for large ones the BLAS default, but no more
    than the cores that other processes leave free (a thread that shares its
    core with a busy process holds up every product it takes part in: on two
    cores beside one busy process, two threads made a PCD epoch at MNIST
    size 2.1x slower than one)."""
    if macs < SMALL_PRODUCT:
        return 1
    return max(1, min(_DEFAULT_BLAS_THREADS, free_cores()))


_policy_lock = threading.Lock()
_policy_state = {
    "depth": 0,
    "limiter": None,
    "forced": None,
    "user": False,
    "torch": None,
}


def _limit_torch_threads(n: int):
    """PyTorch's CPU threads (its own OpenMP pool, which threadpoolctl does not
    reach) down to ``n`` for the call; returns the count to restore, or None.
    Only when PyTorch is already imported, and never above the user's own
    ``torch.set_num_threads``."""
    torch = sys.modules.get("torch")
    if torch is None or not hasattr(torch, "get_num_threads"):
        return None
    old = torch.get_num_threads()
    if n >= old:
        return None
    torch.set_num_threads(n)
    return old


class blas_policy:
    """Context manager: the BLAS threads of one skrapid call, chosen by
    :func:`policy_threads` from the size of its products.

    The user's choice wins: with an environment variable or a
    ``threadpool_limits`` in force (see :func:`user_set_blas_threads`)
    nothing changes.  Calls nest (``score`` inside a grid search, AIS inside
    ``score``) and may come from several threads: the outermost call decides,
    and the count is restored when the last one leaves.
    :func:`fixed_blas_threads` overrides the policy (benchmarks, the demo's
    ``--blas-threads``)."""

    def __init__(self, macs: float):
        self.macs = macs

    def __enter__(self):
        with _policy_lock:
            st = _policy_state
            st["depth"] += 1
            if st["depth"] > 1:
                return self
            forced = st["forced"]
            st["user"] = forced is None and user_set_blas_threads()
            if forced is not None:
                n = forced
            elif st["user"]:
                n = None
            else:
                n = policy_threads(self.macs)
            if n is not None and n != blas_threads():
                try:
                    st["limiter"] = _controller().limit(limits=n, user_api="blas")
                except Exception:  # a BLAS that refuses: run as it is
                    st["limiter"] = None
            if n is not None:
                st["torch"] = _limit_torch_threads(n)
        return self

    def __exit__(self, *exc):
        with _policy_lock:
            st = _policy_state
            st["depth"] -= 1
            if st["depth"] == 0 and st["limiter"] is not None:
                st["limiter"].restore_original_limits()
                st["limiter"] = None
            if st["depth"] == 0 and st["torch"] is not None:
                sys.modules["torch"].set_num_threads(st["torch"])
                st["torch"] = None
        return False


class fixed_blas_threads:
    """Context manager: skrapid's calls inside run on ``n`` BLAS threads
    (``n = 0``: the BLAS default), whatever the policy would pick."""

    def __init__(self, n: int):
        self.n = n

    def __enter__(self):
        self._old = _policy_state["forced"]
        _policy_state["forced"] = self.n if self.n else _DEFAULT_BLAS_THREADS
        return self

    def __exit__(self, *exc):
        _policy_state["forced"] = self._old
        return False


def worker_threads() -> int:
    """Python worker threads for work that runs its own groups in parallel
    with one BLAS thread each (AIS chain groups): the user's BLAS thread
    count when they set one, else the free cores (at most the BLAS
    default)."""
    st = _policy_state
    if st["forced"] is not None:
        return st["forced"]
    user = st["user"] if st["depth"] > 0 else user_set_blas_threads()
    if user:
        return blas_threads()
    return max(1, min(_DEFAULT_BLAS_THREADS, free_cores()))


def with_blas_policy(method):
    """Decorate an estimator method: run it under :class:`blas_policy`, the
    product size read from the estimator (V x H) and the first argument
    (the rows of X, or a sample count), capped at 1000 rows a product."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if _policy_state["depth"] > 0:  # an outer call decided
            return method(self, *args, **kwargs)
        return _with_policy(method, self, args, kwargs)

    return wrapper


def _with_policy(method, self, args, kwargs):
    first = args[0] if args else None
    shape = getattr(first, "shape", None)
    if shape is not None and len(shape) == 2:
        rows, V = shape[0], shape[1]
    else:
        rows = first if isinstance(first, int) and not isinstance(first, bool) else 100
        V = getattr(self, "n_features_in_", 0)
    H = getattr(self, "n_components", 0) or 0
    macs = min(int(rows), 1000) * int(V or 0) * int(H)
    with blas_policy(macs):
        return method(self, *args, **kwargs)
