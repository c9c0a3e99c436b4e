"""A strict stand-in for CuPy, so that the device code path runs without a GPU.

This module plays CuPy's part for :mod:`skrapid._backend` in the test suite
(``tests/conftest.py`` installs it with the ``device`` fixture).  It is built to
fail wherever real CuPy would fail, not to be convenient:

- its array, :class:`ndarray`, is **not** a subclass of :class:`numpy.ndarray`
  and says it lives in ``cupy._core.core``;
- ``numpy.asarray(device_array)`` (``__array__``) raises :class:`TypeError`, as
  CuPy does: the only way to the host is ``.get()`` or ``asnumpy``;
- mixing a device array with a host :class:`numpy.ndarray` in one operation
  (arithmetic, a ufunc, a function of this module, an ``out=`` argument)
  raises :class:`TypeError`; NumPy and Python *scalars* are allowed, as in
  CuPy;
- reductions and scalar indexing return 0-d device arrays, never host numbers;
- ``linalg.cholesky`` does not raise on a matrix that is not positive definite
  (CuPy's default ``linalg`` error mode is ``"ignore"``): it returns a finite,
  wrong factor;
- ``random.default_rng`` gives a generator with only the methods of
  ``cupy.random.Generator`` that skrapid calls (``random``,
  ``standard_normal``, ``integers``), with CuPy's semantics
  (``random(out=buf)`` without ``size`` fills the whole buffer with one
  value; there is no ``normal``, ``choice`` or ``permutation``): a method
  skrapid starts to call must be added here deliberately;
- only the names of CuPy's namespace that exist in CuPy are provided (there is
  no ``errstate``, for instance).

Every device→host transfer (``.get()``, ``asnumpy``, ``float(x)``,
``int(x)``, ``bool(x)``, ``.item()``, ``.tolist()``, printing) and every
explicit ``cuda.Device().synchronize()`` is counted in ``counts["d2h"]``;
every host→device copy (``asarray``/``array`` of host data, a host array
assigned into or used to index a device array) in ``counts["h2d"]``.  The
tests use :func:`counting` to set budgets: zero syncs per minibatch, per AIS
temperature, and so on.

Computation is NumPy's underneath, so results equal the CPU path's up to the
random streams.
"""

from __future__ import annotations

import contextlib
import operator
import types

import numpy as np

counts = {"d2h": 0, "h2d": 0}


@contextlib.contextmanager
def counting():
    """Count transfers inside the block: ``with counting() as c: ...``.

    ``c`` is a dict with keys ``"d2h"`` and ``"h2d"``, filled in as the block
    runs (and final when it ends)."""
    start = dict(counts)
    result = {"d2h": 0, "h2d": 0}
    try:
        yield result
    finally:
        for k in result:
            result[k] = counts[k] - start[k]


def _count(kind):
    counts[kind] += 1


class ndarray:  # noqa: N801 -- the name CuPy uses
    """A device array: a NumPy array that refuses to leave the 'device'."""

    __slots__ = ("_a", "_base")
    __array_priority__ = 100.0

    def __init__(self, a, base=None):
        assert isinstance(a, np.ndarray), type(a)
        self._a = a
        self._base = base

    @property
    def base(self):
        """The array this one is a view of (None for an owner), as in CuPy."""
        return self._base

    # --- metadata (host-side in CuPy too) ---------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: _wrap(self._a.T))
    real = property(lambda self: _wrap(self._a.real))
    imag = property(lambda self: _wrap(self._a.imag))

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        for row in self._a:
            yield _wrap(row)

    # --- the ways to the host ---------------------------------------------
    def __array__(self, *args, **kwargs):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. "
            "Please use `.get()` to construct a NumPy array explicitly."
        )

    def get(self, stream=None, order="C", out=None, blocking=True):
        _count("d2h")
        return np.array(self._a, order=order)

    def item(self):
        _count("d2h")
        return self._a.item()

    def tolist(self):
        _count("d2h")
        return self._a.tolist()

    def _scalar(self, kind):
        if self._a.size != 1:
            raise TypeError(
                f"only size-1 device arrays can be converted to Python {kind}"
            )
        _count("d2h")
        return self._a.item()

    def __float__(self):
        return float(self._scalar("scalars"))

    def __int__(self):
        return int(self._scalar("scalars"))

    def __complex__(self):
        return complex(self._scalar("scalars"))

    def __bool__(self):
        return bool(self._scalar("bool"))

    def __index__(self):
        if self._a.ndim != 0 or self._a.dtype.kind not in "iub":
            raise TypeError("only integer scalar arrays can be converted to an index")
        return operator.index(self._scalar("int"))

    def __repr__(self):
        _count("d2h")
        return "array(" + repr(self._a)[6:]

    def __str__(self):
        _count("d2h")
        return str(self._a)

    def __format__(self, spec):
        return format(self._scalar("format") if self._a.ndim == 0 else str(self), spec)

    def __reduce__(self):  # pickling copies to the host, as in CuPy
        _count("d2h")
        return (_from_host_pickle, (np.array(self._a),))

    def __copy__(self):
        return _wrap(self._a.copy())

    def __deepcopy__(self, memo):
        return _wrap(self._a.copy())

    # --- NumPy protocols: dispatch to this module, refuse host arrays --------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        func = getattr(ufunc, method)
        return _call(func, inputs, kwargs)

    def __array_function__(self, func, types_, args, kwargs):
        impl = getattr(_module, func.__name__, None)
        if impl is None or not callable(impl):
            return NotImplemented  # CuPy has no such function: TypeError
        return impl(*args, **kwargs)

    # --- indexing ----------------------------------------------------------
    def __getitem__(self, key):
        r = self._a[_index(key)]
        if (
            isinstance(r, np.ndarray)
            and r.base is not None
            and np.shares_memory(r, self._a)
        ):
            return ndarray(r, self._base if self._base is not None else self)
        return _wrap(r)

    def __setitem__(self, key, value):
        if isinstance(value, np.ndarray):
            _count("h2d")
        elif isinstance(value, (list, tuple)):
            _check_no_host(value)
            value = _unwrap(value)
        self._a[_index(key)] = value._a if isinstance(value, ndarray) else value

    # --- methods -----------------------------------------------------------
    def astype(self, dtype, order="K", casting=None, subok=None, copy=True):
        return _wrap(self._a.astype(dtype, order=order, copy=copy))

    def copy(self, order="C"):
        return _wrap(self._a.copy(order=order))

    def fill(self, value):
        _check_no_host((value,))
        self._a.fill(_unwrap(value))

    def view(self, dtype=None):
        return _wrap(self._a.view() if dtype is None else self._a.view(dtype))

    def __getattr__(self, name):
        if name not in _METHODS:
            raise AttributeError(f"'cupy.ndarray' object has no attribute {name!r}")
        meth = getattr(self._a, name)

        def bound(*args, **kwargs):
            return _call(meth, args, kwargs)

        return bound


def _binary(ufunc, reflected=False, inplace=False):
    def op(self, other):
        if isinstance(other, np.ndarray):
            raise _host_error(other)
        o = other._a if isinstance(other, ndarray) else other
        if inplace:
            ufunc(self._a, o, out=self._a)
            return self
        return _wrap(ufunc(o, self._a) if reflected else ufunc(self._a, o))

    return op


for _name, _uf in {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "truediv": np.true_divide,
    "floordiv": np.floor_divide,
    "mod": np.mod,
    "pow": np.power,
    "matmul": np.matmul,
    "and": np.bitwise_and,
    "or": np.bitwise_or,
    "xor": np.bitwise_xor,
    "lshift": np.left_shift,
    "rshift": np.right_shift,
}.items():
    setattr(ndarray, f"__{_name}__", _binary(_uf))
    setattr(ndarray, f"__r{_name}__", _binary(_uf, reflected=True))
    setattr(ndarray, f"__i{_name}__", _binary(_uf, inplace=True))
for _name, _uf in {
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "eq": np.equal,
    "ne": np.not_equal,
}.items():
    setattr(ndarray, f"__{_name}__", _binary(_uf))
for _name, _uf in {
    "neg": np.negative,
    "pos": np.positive,
    "abs": np.abs,
    "invert": np.invert,
}.items():
    setattr(ndarray, f"__{_name}__", (lambda u: lambda self: _wrap(u(self._a)))(_uf))
ndarray.__hash__ = None

ndarray.__module__ = "cupy._core.core"
ndarray.__qualname__ = "ndarray"

_METHODS = frozenset(
    "all any argmax argmin clip conj cumsum diagonal dot flatten max mean min "
    "nonzero prod ravel repeat reshape round squeeze std sum swapaxes take "
    "transpose var".split()
)


def _from_host_pickle(a):
    return _wrap(a)


def _wrap(x):
    if isinstance(x, ndarray):
        return x
    if isinstance(x, np.ndarray):
        return ndarray(x)
    if isinstance(x, np.generic):
        return ndarray(np.asarray(x))
    if isinstance(x, tuple):
        return tuple(_wrap(e) for e in x)
    if isinstance(x, list):
        return [_wrap(e) for e in x]
    return x


def _unwrap(x):
    if isinstance(x, ndarray):
        return x._a
    if isinstance(x, tuple):
        return tuple(_unwrap(e) for e in x)
    if isinstance(x, list):
        return [_unwrap(e) for e in x]
    return x


def _host_error(x):
    return TypeError(
        f"Unsupported type {type(x)}: a host (NumPy) array was mixed with a "
        "device (CuPy) array; move it with cupy.asarray first"
    )


def _check_no_host(args):
    for x in args:
        if isinstance(x, np.ndarray):
            raise _host_error(x)
        if isinstance(x, (list, tuple)):
            _check_no_host(x)


def _index(key):
    parts = key if isinstance(key, tuple) else (key,)
    for p in parts:
        if isinstance(p, np.ndarray):
            _count("h2d")  # CuPy copies a host index array to the device
        elif isinstance(p, list):
            _count("h2d")
    return _unwrap(key)


def _call(func, args, kwargs):
    _check_no_host(args)
    _check_no_host(
        tuple(v for v in kwargs.values() if isinstance(v, (np.ndarray, list, tuple)))
    )
    out = kwargs.get("out")
    if out is not None and not isinstance(out, (ndarray, tuple)):
        raise TypeError(f"out must be a cupy.ndarray, not {type(out)}")
    return _wrap(func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))


# --- the namespace ----------------------------------------------------------

_module = types.ModuleType("cupy")
_module.__file__ = __file__
_module.ndarray = ndarray

# names CuPy takes from NumPy unchanged (dtypes, constants, type utilities)
_HOST_NAMES = (
    "bool_ int8 int16 int32 int64 uint8 uint16 uint32 uint64 intp uintp "
    "float16 float32 float64 complex64 complex128 inf nan pi e newaxis dtype "
    "finfo iinfo result_type can_cast issubdtype integer floating "
    "number isscalar".split()
)
for _n in _HOST_NAMES:
    setattr(_module, _n, getattr(np, _n))
_module.ndim = lambda a: a.ndim if isinstance(a, ndarray) else np.ndim(a)
_module.shape = lambda a: a.shape if isinstance(a, ndarray) else np.shape(a)
_module.size = lambda a: a.size if isinstance(a, ndarray) else np.size(a)


# functions that take host data and copy it to the device
def _asarray(a, dtype=None, order=None, *, blocking=False):
    if isinstance(a, ndarray):
        return _wrap(np.asarray(a._a, dtype=dtype, order=order))
    if hasattr(a, "__array__") and not isinstance(a, (np.ndarray, np.generic)):
        a = np.asarray(a)  # e.g. a pandas object
    _count("h2d")
    return _wrap(np.array(a, dtype=dtype, order=order or "K"))


def _array(
    obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False
):
    if isinstance(obj, ndarray):
        return _wrap(np.array(obj._a, dtype=dtype, copy=copy, order=order, ndmin=ndmin))
    _count("h2d")
    return _wrap(np.array(obj, dtype=dtype, copy=True, order=order, ndmin=ndmin))


def _asnumpy(a, stream=None, order="C", out=None, blocking=True):
    if isinstance(a, ndarray):
        return a.get(order=order)
    return np.asarray(a, order=order)


_module.asarray = _asarray
_module.array = _array
_module.asnumpy = _asnumpy

# device functions: refuse host arrays, return device arrays
_FUNCTIONS = frozenset(
    """abs absolute add all allclose amax amin any arange argmax argmin argsort
    around asarray ascontiguousarray atleast_1d atleast_2d broadcast_arrays
    broadcast_to ceil clip column_stack concatenate copy copyto cos cosh cumsum
    diag diagonal divide dot einsum empty empty_like equal exp expm1 eye fill_diagonal
    floor full full_like greater greater_equal hstack identity inner isclose
    isfinite isinf isnan less less_equal linspace log log1p log2 log10 logaddexp
    logical_and logical_not logical_or matmul max maximum mean min minimum
    multiply negative nonzero not_equal ones ones_like outer power prod ravel
    reciprocal repeat reshape round sign sin sinh sort sqrt square squeeze stack
    std subtract sum swapaxes take tanh tile trace transpose tril triu true_divide
    var vstack where zeros zeros_like take_along_axis put_along_axis cbrt""".split()
)


def _device_function(name, source=np):
    """``source.name`` on device arrays: host arrays refused, results wrapped."""
    f = getattr(source, name)

    def fn(*args, **kwargs):
        return _call(f, args, kwargs)

    fn.__name__ = name
    return fn


for _n in _FUNCTIONS:
    if _n not in ("asarray",):
        setattr(_module, _n, _device_function(_n))
_module.ascontiguousarray = _device_function("ascontiguousarray")


def _cholesky(a):
    _check_no_host((a,))
    x = a._a
    try:
        return _wrap(np.linalg.cholesky(x))
    except np.linalg.LinAlgError:
        # CuPy's default linalg mode is "ignore": potrf's failure is not
        # reported and the factor is garbage (finite here, to be strict)
        return _wrap(np.tril(x).copy())


_linalg = types.ModuleType("cupy.linalg")


for _n in ("norm", "inv", "eigh", "eigvalsh", "slogdet", "solve", "qr", "svd", "det"):
    setattr(_linalg, _n, _device_function(_n, np.linalg))
_linalg.cholesky = _cholesky
_module.linalg = _linalg


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
    def _check_out(dtype, size, out):
        if not isinstance(out, ndarray):
            raise TypeError(f"out must be a cupy.ndarray, not {type(out)}")
        if out.dtype.char != np.dtype(dtype).char:
            raise TypeError(
                "Supplied output array has the wrong type. "
                f"Expected {np.dtype(dtype).name}, got {out.dtype.name}"
            )
        if size is not None and _size_tuple(size) != out.shape:
            raise ValueError("size must match out.shape when used together")

    def random(self, size=None, dtype=np.float64, out=None):
        if np.dtype(dtype).char not in "fd":
            raise TypeError(f"Unsupported dtype {np.dtype(dtype).name} for random")
        if out is not None:
            self._check_out(dtype, size, out)
        y = self._g.random(_size_tuple(size), dtype=np.dtype(dtype).type)
        if out is not None:
            out._a[...] = y  # without size: ONE value broadcast, as in CuPy
            return out
        return _wrap(np.asarray(y, dtype=dtype))

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        if np.dtype(dtype).char not in "fd":
            raise TypeError(
                f"Unsupported dtype {np.dtype(dtype).name} for standard_normal"
            )
        if out is not None:
            self._check_out(dtype, size, out)
            out._a[...] = self._g.standard_normal(out.shape, dtype=out.dtype.type)
            return out
        return _wrap(
            np.asarray(
                self._g.standard_normal(_size_tuple(size), dtype=np.dtype(dtype).type)
            )
        )

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        lo, hi = (0, int(low)) if high is None else (int(low), int(high))
        y = self._g.integers(lo, hi, size=size, dtype=dtype, endpoint=endpoint)
        return _wrap(np.asarray(y))


Generator.__module__ = "cupy.random._generator_api"

_random = types.ModuleType("cupy.random")
_random.Generator = Generator
_random.default_rng = lambda seed=None: Generator(seed)
_module.random = _random


# --- cuda: one device, a memory pool ---------------------------------------


class _Device:
    def __init__(self, device=None):
        self.id = 0

    def synchronize(self):
        _count("d2h")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _MemoryPool:
    def total_bytes(self):
        return 0

    def free_all_blocks(self):
        pass


_pool = _MemoryPool()
_module.get_default_memory_pool = lambda: _pool
_module.cuda = types.SimpleNamespace(
    Device=_Device,
    runtime=types.SimpleNamespace(
        getDeviceCount=lambda: 1,
        getDeviceProperties=lambda i: {"name": b"strict CuPy stand-in (NumPy)"},
    ),
)


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
    setattr(
        _cupyx_special,
        _n,
        _device_function(_n, source=__import__("scipy.special").special),
    )


def cupyx_modules():
    """``{name: module}`` of the stand-in ``cupyx.scipy.special`` (device
    arrays in and out, host arrays refused), for ``sys.modules``."""
    return {
        "cupyx": _cupyx,
        "cupyx.scipy": _cupyx_scipy,
        "cupyx.scipy.special": _cupyx_special,
    }
