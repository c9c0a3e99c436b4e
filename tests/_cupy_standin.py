"""A strict stand-in for CuPy, so that the device code path runs without a GPU.

This module plays CuPy's part for :mod:`skrapid._backend` in the test suite
(``tests/conftest.py`` installs it with the ``strict_gpu`` fixture).  It is not
an imitation of CuPy's arrays: those are ``array_api_strict`` arrays on its
simulated device ``device1``, given NumPy's API by skrapid's own façade
(:mod:`skrapid._xpnp`, the code that computes PyTorch and ``array_api_strict``
input).  So the restrictions come from well-kept tools:

- ``array_api_strict`` refuses ``numpy.asarray`` of a device array and any
  mixing of devices; the façade refuses a host array in device arithmetic,
  in a function or as ``out=`` (TypeError), as CuPy does, and NumPy defers to
  it (``__array_ufunc__ = None``), so ``np.add(a, 1, out=host)`` raises;
- reductions and scalar indexing give 0-d device arrays;
- every crossing is counted by the façade (:func:`skrapid._xpnp.counting`):
  ``"d2h"`` for ``.get()``, ``asnumpy``, ``float``/``int``/``bool``,
  ``.item()``, ``.tolist()``, printing and ``cuda.Device().synchronize()``;
  ``"h2d"`` for host data given to ``asarray``/``array``, assigned into a
  device array or used to index one.

What is left here is CuPy's own behaviour, which no Array API tool shows:

- the names: the module ``cupy``, whose arrays say they are
  ``cupy._core.core.ndarray``, ``asnumpy``, ``get_default_memory_pool``,
  ``cuda.Device`` and ``cuda.runtime``, ``cupyx.scipy.special``, and no
  ``cupy.special``;
- ``linalg.cholesky`` does not raise on a matrix that is not positive definite
  (CuPy's default ``linalg`` error mode is ``"ignore"``): it returns a finite,
  wrong factor;
- ``random.default_rng`` gives a generator with only the methods of
  ``cupy.random.Generator`` that skrapid calls (``random``,
  ``standard_normal``, ``integers``), with CuPy's semantics
  (``random(out=buf)`` without ``size`` fills the whole buffer with one
  value; there is no ``normal``, ``choice`` or ``permutation``): a method
  skrapid starts to call must be added here deliberately;
- a device array pickles as a host copy.

Computation is ``array_api_strict``'s (NumPy underneath), and the
generator's stream is NumPy's, so results equal the CPU path's up to
rounding.
"""

from __future__ import annotations

import types

import array_api_strict
import numpy as np

from skrapid import _xpnp

counting = _xpnp.counting  # the façade's crossing counts
DEVICE = array_api_strict.Device("device1")


class ndarray(_xpnp.XArray):  # noqa: N801 -- the name CuPy uses
    """A CuPy array: an ``array_api_strict`` array on ``device1``."""

    __slots__ = ("_base",)

    def _ns(self):
        return _module

    @property
    def base(self):
        """The array a view was taken from (CuPy keeps it, as NumPy does)."""
        return getattr(self, "_base", None)

    def __getitem__(self, key):
        out = super().__getitem__(key)
        parts = key if isinstance(key, tuple) else (key,)
        if all(p is None or p is Ellipsis or isinstance(p, int | slice) for p in parts):
            out._base = self if self.base is None else self.base  # a view
        return out

    def __repr__(self):  # printing copies to the host, as in CuPy
        return f"array({_xpnp.to_numpy(self)!r})"

    def __reduce__(self):  # pickling copies to the host, as in CuPy
        return (_from_host, (_xpnp.to_numpy(self),))


ndarray.__module__ = "cupy._core.core"


def _from_host(a):
    return _module.asarray(a)


def _host(fn, *arrays):
    """``fn`` of host copies of device arrays, the result on the device: a
    device kernel of this stand-in (not a counted crossing)."""
    return ndarray(_module.lib._host_kernel(fn, *(_module._t(a) for a in arrays)))


# --- linalg.cholesky: CuPy's "ignore" mode ---------------------------------
def _cholesky(a):
    def chol(h):
        try:
            return np.linalg.cholesky(h)
        except np.linalg.LinAlgError:
            # potrf's failure is not reported and the factor is garbage
            # (finite here, to be strict)
            return np.tril(h)

    return _host(chol, a)


# --- random: cupy.random.Generator's methods and semantics -------------------
def _size_tuple(size):
    if size is None:
        return ()
    return tuple(size) if isinstance(size, (tuple, list)) else (int(size),)


class Generator:
    """``cupy.random.Generator``: only its methods, with its semantics."""

    def __init__(self, seed=None):
        self._g = np.random.default_rng(seed)

    @staticmethod
    def _check(dtype, size, out, method):
        if np.dtype(dtype).char not in "fd":
            raise TypeError(f"Unsupported dtype {np.dtype(dtype).name} for {method}")
        if out is None:
            return
        if not isinstance(out, ndarray):
            raise TypeError(f"out must be a cupy.ndarray, not {type(out)}")
        if out.dtype.char != np.dtype(dtype).char:
            raise TypeError(
                "Supplied output array has the wrong type. "
                f"Expected {np.dtype(dtype).name}, got {out.dtype.name}"
            )
        if size is not None and _size_tuple(size) != out.shape:
            raise ValueError("size must match out.shape when used together")

    @staticmethod
    def _put(y, out):
        y = _module.lib.from_host(np.asarray(y), None, DEVICE)  # made on the device
        if out is None:
            return ndarray(y)
        out.a[...] = y  # broadcast: ONE value without size, as in CuPy
        return out

    def random(self, size=None, dtype=np.float64, out=None):
        self._check(dtype, size, out, "random")
        return self._put(self._g.random(_size_tuple(size), dtype=np.dtype(dtype)), out)

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        self._check(dtype, size, out, "standard_normal")
        shape = out.shape if out is not None else _size_tuple(size)
        return self._put(self._g.standard_normal(shape, dtype=np.dtype(dtype)), out)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        lo, hi = (0, int(low)) if high is None else (int(low), int(high))
        y = self._g.integers(lo, hi, size=size, dtype=dtype, endpoint=endpoint)
        return self._put(y, None)


Generator.__module__ = "cupy.random._generator_api"


# --- the module ---------------------------------------------------------------
class _CuPy(_xpnp.Namespace):
    """The stand-in ``cupy`` module."""

    array_type = ndarray
    ndarray = ndarray
    # names CuPy takes from NumPy unchanged
    dtype, iinfo, can_cast, issubdtype = np.dtype, np.iinfo, np.can_cast, np.issubdtype
    integer, floating, number, isscalar = (
        np.integer,
        np.floating,
        np.number,
        np.isscalar,
    )

    def __init__(self):
        super().__init__(_xpnp.lib_of(array_api_strict.asarray(0.0)), DEVICE)
        self.__name__ = "cupy"
        self.__file__ = __file__
        del self.special  # CuPy's special functions live in cupyx
        self.linalg.cholesky = _cholesky
        self.random = types.SimpleNamespace(Generator=Generator, default_rng=Generator)
        self.cuda = types.SimpleNamespace(
            Device=lambda device=None: self._device,
            runtime=types.SimpleNamespace(
                getDeviceCount=lambda: 1,
                getDeviceProperties=lambda i: {
                    "name": b"CuPy stand-in (array_api_strict)"
                },
            ),
        )
        self._device = _xpnp._Cuda(self)

    def asnumpy(self, a, stream=None, order="C", out=None, blocking=True):
        return np.asarray(a) if isinstance(a, np.ndarray) else _xpnp.to_numpy(a)

    @staticmethod
    def get_default_memory_pool():
        return _POOL


_POOL = types.SimpleNamespace(total_bytes=lambda: 0, free_all_blocks=lambda: None)
_module = _CuPy()


def module():
    """The stand-in ``cupy`` namespace."""
    return _module


# --- cupyx.scipy.special: the special functions the ReLU layers use -------
_cupyx = types.ModuleType("cupyx")
_cupyx_scipy = types.ModuleType("cupyx.scipy")
_cupyx_special = types.ModuleType("cupyx.scipy.special")
_cupyx.scipy = _cupyx_scipy
_cupyx_scipy.special = _cupyx_special
for _n in ("erfcx", "erfc", "log_ndtr", "ndtri"):  # not ndtri_exp: may be absent
    setattr(_cupyx_special, _n, _xpnp._Special(_module).__getattribute__(_n))


def cupyx_modules():
    """``{name: module}`` of the stand-in ``cupyx.scipy.special`` (device
    arrays in and out, host arrays refused), for ``sys.modules``."""
    return {
        "cupyx": _cupyx,
        "cupyx.scipy": _cupyx_scipy,
        "cupyx.scipy.special": _cupyx_special,
    }
