"""NumPy's API on any Array API library: the compute namespace of foreign input.

skrapid's compute code is written once against a namespace ``xp`` with
NumPy's API (``numpy``, or ``cupy`` on a GPU).  Under scikit-learn's Array API
dispatch an array of another library -- a PyTorch tensor, an
``array_api_strict`` array -- is computed by its own library, on its own
device, through the small façade here: :class:`XArray` wraps the library's
array and speaks NumPy (``.dtype`` is a NumPy dtype, ``astype``, ``axis=``,
``out=``, NumPy's promotion and indexing), and :func:`namespace` returns, per
library and device, the module-like object whose functions the compute code
calls.

The façade is written against the Array API standard (through
``array_api_compat``).  What the standard lacks comes from a per-library
:class:`Lib`: random numbers, special functions, ``cholesky`` that returns
NaN for a matrix that is not positive definite, and a few kernels.  PyTorch
has all of them on its device (:class:`TorchLib`, with a ``torch.Generator``);
a library without them (:class:`Lib` itself, e.g. ``array_api_strict``)
computes them with NumPy and SciPy on a host copy -- for ``array_api_strict``'s
simulated devices that is the device's kernel.

It behaves as CuPy does where CuPy and NumPy differ: a NumPy array never mixes
with a device array (TypeError), an implicit conversion to NumPy is refused,
and ``linalg.cholesky`` of a matrix that is not positive definite returns NaN
rather than raising.  Random streams differ from NumPy's, so results agree
statistically, not bit for bit.  ``out=`` is honoured by copying into
``out``: the generic path allocates more than NumPy's.

Every crossing between the host and the device is counted in
:data:`crossings` (``"d2h"``: ``float(x)``, ``bool(x)``, ``.item()``,
``.tolist()``, :func:`to_numpy`, a synchronisation; ``"h2d"``: host data given
to the namespace or used as an index); :func:`counting` reads them for the
tests' sync budgets.  A library's own kernels run on a host copy without
counting: they stand for device kernels.
"""

from __future__ import annotations

import contextlib
import functools
import math
import operator

import numpy as np

__all__ = [
    "XArray",
    "Namespace",
    "Lib",
    "TorchLib",
    "namespace",
    "is_torch_tensor",
    "computable",
    "wrap",
    "to_numpy",
    "crossings",
    "counting",
]

#: Host↔device crossings through the façade (see the module docstring).
crossings = {"d2h": 0, "h2d": 0}


@contextlib.contextmanager
def counting():
    """Count crossings inside the block: ``with counting() as c: ...``; ``c``
    has keys ``"d2h"`` and ``"h2d"``, final when the block ends."""
    start = dict(crossings)
    result = dict.fromkeys(crossings, 0)
    try:
        yield result
    finally:
        for k in result:
            result[k] = crossings[k] - start[k]


def _cross(kind):
    crossings[kind] += 1


def is_torch_tensor(a) -> bool:
    """True for a ``torch.Tensor`` (without importing PyTorch)."""
    return type(a).__module__.split(".")[0] == "torch" and hasattr(a, "is_leaf")


# ---------------------------------------------------------------------------
# the libraries
# ---------------------------------------------------------------------------
class Lib:
    """An Array API library behind the façade: its standard namespace, its
    dtypes, and the kernels the standard lacks.  This base class computes
    those on a host copy with NumPy/SciPy (uncounted: they stand for device
    kernels); :class:`TorchLib` runs PyTorch's own."""

    def __init__(self, xp, name=None):
        self.xp = xp
        self.name = name or xp.__name__.replace("array_api_compat.", "")
        names = xp.__array_namespace_info__().dtypes()
        self._to_np = {v: np.dtype(k) for k, v in names.items()}
        self._from_np = {np.dtype(k): v for k, v in names.items()}

    def __repr__(self):
        return f"<Lib {self.name}>"

    # --- dtypes -----------------------------------------------------------
    def np_dtype(self, ldt) -> np.dtype:
        try:
            return self._to_np[ldt]
        except KeyError:
            raise TypeError(
                f"skrapid computes on float32 and float64 arrays, not {ldt}: "
                "convert it first (e.g. `X.float()` for a PyTorch tensor)."
            ) from None

    def dtype(self, dtype):
        """The library's dtype of a NumPy dtype (or scalar type, or name)."""
        if dtype is None:
            return None
        if not isinstance(dtype, np.dtype | type | str):
            if dtype in self._to_np:  # the library's own
                return dtype
            dtype = self.np_dtype(dtype)
        dtype = np.dtype(float if dtype is float else dtype)
        try:
            return self._from_np[dtype]
        except KeyError:
            raise TypeError(f"{self.name} has no dtype {dtype}") from None

    def is_float(self, a) -> bool:
        return self.xp.isdtype(a.dtype, "real floating")

    def device(self, a):
        return a.device

    def computable(self, a) -> bool:
        return a.dtype in self._to_np

    # --- host crossings (the callers count them) ----------------------------
    def to_host(self, a) -> np.ndarray:
        return np.from_dlpack(a)

    def from_host(self, arr, dtype, device):
        return self.xp.asarray(arr, dtype=dtype, device=device)

    def to_device(self, a, device):
        return a if a.device == device else a.to_device(device)

    def _host_kernel(self, fn, *arrays, device=None):
        """``fn`` of host copies of ``arrays``, the result(s) on ``device``
        (by default the first array's)."""
        device = arrays[0].device if device is None else device
        res = fn(*(np.array(self.to_host(a)) for a in arrays))
        if isinstance(res, tuple):
            return tuple(self.from_host(np.asarray(r), None, device) for r in res)
        return self.from_host(np.asarray(res), None, device)

    # --- indexing -----------------------------------------------------------
    @staticmethod
    def _full_key(a, key):
        """A basic index that names every axis (the standard asks for it)."""
        parts = key if isinstance(key, tuple) else (key,)
        if any(p is Ellipsis for p in parts):
            return parts
        named = sum(p is not None for p in parts)
        if len(parts) == 1 and hasattr(parts[0], "dtype"):  # one mask or index
            return parts
        return parts + (Ellipsis,) if named < a.ndim else parts

    def _host_key(self, key):
        parts = key if isinstance(key, tuple) else (key,)
        return tuple(
            np.asarray(self.to_host(p)) if hasattr(p, "__dlpack__") else p
            for p in parts
        )

    def getitem(self, a, key):
        try:
            return a[self._full_key(a, key)]
        except IndexError:  # integer-array indices, negative steps: on a copy
            key = self._host_key(key)
            return self._host_kernel(lambda h: np.ascontiguousarray(h[key]), a)

    def setitem(self, a, key, value):
        try:
            a[self._full_key(a, key)] = value
        except (IndexError, TypeError):
            key = self._host_key(key)

            def put(h, *v):
                h[key] = v[0] if v else value
                return h

            vals = (value,) if hasattr(value, "__dlpack__") else ()
            a[...] = self._host_kernel(put, a, *vals)

    # --- kernels the standard lacks -------------------------------------------
    def special(self, name):
        import scipy.special

        fn = getattr(scipy.special, name)
        return lambda a: self._host_kernel(fn, a)

    def logsumexp(self, a, axis, keepdims):
        import scipy.special

        return self._host_kernel(
            lambda h: scipy.special.logsumexp(h, axis=axis, keepdims=keepdims), a
        )

    def cholesky(self, a):
        """NaN, not an exception, for a matrix that is not positive definite."""

        def chol(h):
            try:
                return np.linalg.cholesky(h)
            except np.linalg.LinAlgError:
                return np.full_like(h, np.nan)

        return self._host_kernel(chol, a)

    def solve_triangular(self, a, b, lower):
        import scipy.linalg

        return self._host_kernel(
            lambda x, y: scipy.linalg.solve_triangular(x, y, lower=lower), a, b
        )

    def einsum(self, spec, *arrays):
        return self._host_kernel(lambda *h: np.einsum(spec, *h), *arrays)

    def diag(self, a, k):
        return self._host_kernel(lambda h: np.diag(h, k), a)

    def put_along_axis(self, a, idx, values, axis):
        def put(h, i, *v):
            np.put_along_axis(h, i, v[0] if v else values, axis)
            return h

        vals = (values,) if hasattr(values, "__dlpack__") else ()
        a[...] = self._host_kernel(put, a, idx, *vals)

    def matmul_into(self, out, a, b):
        """``a @ b`` written into ``out`` (False: not done, copy instead)."""
        return False

    def generator(self, seed, ns):
        return HostGenerator(seed, ns)

    def synchronize(self, device):
        return None


class TorchLib(Lib):
    """PyTorch: its own kernels on the tensor's device and a
    ``torch.Generator``."""

    def __init__(self):
        import array_api_compat.torch as xp
        import torch

        self.torch = torch
        super().__init__(xp, "torch")

    def is_float(self, a):
        return a.is_floating_point()

    def computable(self, t):
        """Dense (strided), of a dtype skrapid takes, on the CPU or a CUDA
        device (the compute code needs float64, which MPS lacks; other
        devices are untested)."""
        return (
            t.layout == self.torch.strided
            and t.dtype in self._to_np
            and t.device.type in ("cpu", "cuda")
        )

    def to_host(self, t):
        return t.detach().cpu().resolve_conj().numpy()

    def from_host(self, arr, dtype, device):
        if isinstance(arr, np.ndarray) and any(s < 0 for s in arr.strides):
            arr = np.ascontiguousarray(arr)  # PyTorch takes no negative strides
        return self.torch.as_tensor(arr, dtype=dtype, device=device)

    def to_device(self, t, device):
        return t if t.device == device else t.to(device)

    def getitem(self, t, key):
        if _reverses(key):
            return _getitem_reversing(self, t, key)
        return t[key]

    def setitem(self, t, key, value):
        if _reverses(key):  # write through the positions the key reads
            torch = self.torch
            where = torch.arange(t.numel(), device=t.device).reshape(t.shape)
            pos = _getitem_reversing(self, where, key)
            t[torch.unravel_index(pos, t.shape)] = value
            return
        t[key] = value

    def special(self, name):
        torch = self.torch
        if name == "log_expit":
            return torch.nn.functional.logsigmoid
        return getattr(torch.special, name)

    def logsumexp(self, t, axis, keepdims):
        if axis is None:
            res = self.torch.logsumexp(t.reshape(-1), dim=0)
            return res.reshape((1,) * t.dim()) if keepdims else res
        return self.torch.logsumexp(t, dim=axis, keepdim=keepdims)

    def cholesky(self, t):
        torch = self.torch
        L, info = torch.linalg.cholesky_ex(t)
        failed = (info != 0)[..., None, None]  # branch-free: no device read
        return torch.where(failed, torch.full_like(L, math.nan), L)

    def solve_triangular(self, a, b, lower):
        return self.torch.linalg.solve_triangular(a, b, upper=not lower)

    def einsum(self, spec, *tensors):
        return self.torch.einsum(spec, *tensors)

    def diag(self, t, k):
        return self.torch.diag(t, k)

    def put_along_axis(self, t, idx, values, axis):
        if isinstance(values, self.torch.Tensor):
            t.scatter_(axis, idx, values.expand(idx.shape).to(t.dtype))
        else:
            t.scatter_(axis, idx, values)

    def matmul_into(self, out, a, b):
        if out.dtype == a.dtype == b.dtype and out.is_contiguous():
            self.torch.matmul(a, b, out=out)
            return True
        return False

    def generator(self, seed, ns):
        return TorchGenerator(seed, ns)

    def synchronize(self, device):
        if device.type == "cuda":
            self.torch.cuda.synchronize(device)


def _reverses(key) -> bool:
    """Whether a key has a slice with a negative step, which PyTorch's
    indexing refuses."""
    parts = key if isinstance(key, tuple) else (key,)
    return any(
        isinstance(k, slice) and k.step is not None and k.step < 0 for k in parts
    )


def _getitem_reversing(lib, t, key):
    """``t[key]`` with NumPy's negative-step slices: each such slice's axis
    is flipped and the slice read forwards on the flipped array."""
    parts = list(key) if isinstance(key, tuple) else [key]

    def width(k):  # axes an index part uses
        return k.ndim if hasattr(k, "dtype") and lib.xp.isdtype(k.dtype, "bool") else 1

    used = sum(width(k) for k in parts if k is not None and k is not Ellipsis)
    dim, flips = 0, []
    for i, k in enumerate(parts):
        if k is None:
            continue
        if k is Ellipsis:
            dim += t.ndim - used
            continue
        if isinstance(k, slice) and k.step is not None and k.step < 0:
            n = t.shape[dim]
            start, stop, step = k.indices(n)  # stop may be -1: past the front
            parts[i] = slice(n - 1 - start, n - 1 - stop, -step)
            flips.append(dim)
        dim += width(k)
    if flips:
        t = lib.xp.flip(t, axis=tuple(flips))
    return t[tuple(parts)]


@functools.cache
def _torch_lib():
    return TorchLib()


_LIBS = {}  # array type: its Lib


def _is_library_array(x) -> bool:
    """An array of an Array API library (not NumPy's, not a Python scalar)."""
    if type(x) in _LIBS or is_torch_tensor(x):
        return True
    return not isinstance(x, np.ndarray | np.generic) and hasattr(
        x, "__array_namespace__"
    )


def lib_of(a) -> Lib:
    """The :class:`Lib` of a library's array (one per library)."""
    lib = _LIBS.get(type(a))
    if lib is None:
        if is_torch_tensor(a):
            lib = _torch_lib()
        else:
            import array_api_compat

            xp = array_api_compat.get_namespace(a)
            lib = next((k for k in _LIBS.values() if k.xp is xp), None) or Lib(xp)
        _LIBS[type(a)] = lib
    return lib


def computable(a) -> bool:
    """Whether skrapid computes this array with its own library (see
    :meth:`TorchLib.computable`; another library: a dtype skrapid takes)."""
    return lib_of(a).computable(a)


def wrap(a):
    """A library's array as an :class:`XArray` (no copy; a PyTorch tensor is
    detached from autograd)."""
    if is_torch_tensor(a):
        a = a.detach()
    return namespace_of(a).array_type(a)


def to_numpy(a) -> np.ndarray:
    """An :class:`XArray` (or a library's array) copied to the host as NumPy:
    a counted crossing."""
    raw = a.a if isinstance(a, XArray) else a
    _cross("d2h")
    return lib_of(raw).to_host(raw)


# ---------------------------------------------------------------------------
# the array
# ---------------------------------------------------------------------------
def _raw(x):
    """The library's array or Python scalar behind an operand; a NumPy array
    (a host array in device arithmetic) is refused, as CuPy refuses it."""
    if isinstance(x, XArray):
        return x.a
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        raise TypeError(
            "a NumPy array cannot mix with a device array (here of "
            f"shape {x.shape}); move it with the namespace's asarray"
        )
    return x


def _promote(lib, a, b, op=None):
    """NumPy's promotion of two operands (arrays of ``lib`` or Python
    scalars), where the library's differs or is stricter: mixed kinds,
    an integer array with a Python float, true division of integers."""
    a_arr, b_arr = hasattr(a, "dtype"), hasattr(b, "dtype")
    if a_arr and b_arr:
        if a.dtype == b.dtype and (op is not operator.truediv or lib.is_float(a)):
            return a, b  # the common case
        target = np.result_type(lib.np_dtype(a.dtype), lib.np_dtype(b.dtype))
    elif a_arr or b_arr:
        arr, s = (a, b) if a_arr else (b, a)
        if lib.is_float(arr) or isinstance(s, bool) or not isinstance(s, int | float):
            if op is not operator.truediv or lib.is_float(arr):
                return a, b
        target = np.result_type(lib.np_dtype(arr.dtype), s)
    else:
        return a, b
    if op is operator.truediv and target.kind not in "fc":
        target = np.dtype(np.float64)
    t = lib.dtype(target)
    xp = lib.xp
    if a_arr and a.dtype != t:
        a = xp.astype(a, t)
    if b_arr and b.dtype != t:
        b = xp.astype(b, t)
    return a, b


def _binary(name, reflected=False):
    op = getattr(operator, name)

    def method(self, other):
        lib = self.lib
        a, b = (_raw(other), self.a) if reflected else (self.a, _raw(other))
        return self._new(op(*_promote(lib, a, b, op)))

    return method


def _inplace(name):
    op = getattr(operator, name)

    def method(self, other):
        b = _raw(other)
        if hasattr(b, "dtype") and b.dtype != self.a.dtype:
            b = self.lib.xp.astype(b, self.a.dtype)  # NumPy's same-kind cast
        op(self.a, b)  # the array is changed in place
        return self

    return method


class XArray:
    """A library's array behind NumPy's array interface (attribute ``a``)."""

    __slots__ = ("a",)
    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy defers to the reflected operators

    def __init__(self, a):
        self.a = a

    def _new(self, a):
        return type(self)(a)

    lib = property(lambda self: lib_of(self.a))
    dtype = property(lambda self: self.lib.np_dtype(self.a.dtype))
    shape = property(lambda self: tuple(self.a.shape))
    ndim = property(lambda self: self.a.ndim)
    size = property(lambda self: math.prod(self.a.shape))
    itemsize = property(lambda self: self.dtype.itemsize)
    nbytes = property(lambda self: self.size * self.dtype.itemsize)
    device = property(lambda self: self.a.device)

    @property
    def T(self):  # noqa: N802
        a = self.a
        if a.ndim == 2:
            return self._new(a.T)
        return self._new(self.lib.xp.permute_dims(a, tuple(range(a.ndim - 1, -1, -1))))

    def __len__(self):
        return self.a.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self):
        return f"{type(self).__name__}({self.a!r})"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed: use "
            "skrapid._backend.to_numpy (a device array, as CuPy's)"
        )

    def __dlpack__(self, *args, **kwargs):
        return self.a.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self.a.__dlpack_device__()

    # --- scalars: each a device-to-host read ------------------------------
    def item(self):
        return to_numpy(self).item()

    def tolist(self):
        return to_numpy(self).tolist()

    def get(self):  # CuPy's name for the host copy
        return to_numpy(self)

    def __float__(self):
        _cross("d2h")
        return float(self.a)

    def __int__(self):
        _cross("d2h")
        return int(self.a)

    def __bool__(self):
        _cross("d2h")
        return bool(self.a)

    def __index__(self):
        return operator.index(self.item())

    def __format__(self, spec):
        return format(self.item(), spec) if self.ndim == 0 else repr(self)

    # --- indexing ---------------------------------------------------------
    def _key(self, key):
        if isinstance(key, tuple):
            return tuple(self._key(k) for k in key)
        if isinstance(key, XArray):
            return key.a
        if isinstance(key, np.ndarray | list):
            _cross("h2d")
            return self.lib.from_host(np.asarray(key), None, self.a.device)
        if isinstance(key, np.integer):
            return int(key)
        return key

    def __getitem__(self, key):
        return self._new(self.lib.getitem(self.a, self._key(key)))

    def __setitem__(self, key, value):
        if isinstance(value, np.ndarray | list):  # CuPy copies it over
            value = self._ns()._t(value, host=True)
        value = _raw(value)
        if hasattr(value, "dtype") and value.dtype != self.a.dtype:
            value = self.lib.xp.astype(value, self.a.dtype)
        self.lib.setitem(self.a, self._key(key), value)

    # --- operators --------------------------------------------------------
    __add__, __radd__, __iadd__ = _binary("add"), _binary("add", True), _inplace("iadd")
    __sub__, __rsub__, __isub__ = _binary("sub"), _binary("sub", True), _inplace("isub")
    __mul__, __rmul__, __imul__ = _binary("mul"), _binary("mul", True), _inplace("imul")
    __truediv__ = _binary("truediv")
    __rtruediv__, __itruediv__ = _binary("truediv", True), _inplace("itruediv")
    __floordiv__, __rfloordiv__ = _binary("floordiv"), _binary("floordiv", True)
    __mod__, __rmod__ = _binary("mod"), _binary("mod", True)
    __pow__, __rpow__, __ipow__ = _binary("pow"), _binary("pow", True), _inplace("ipow")
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", True)
    __and__, __rand__, __iand__ = (
        _binary("and_"),
        _binary("and_", True),
        _inplace("iand"),
    )
    __or__, __ror__, __ior__ = _binary("or_"), _binary("or_", True), _inplace("ior")
    __xor__, __rxor__ = _binary("xor"), _binary("xor", True)
    __rshift__, __lshift__ = _binary("rshift"), _binary("lshift")
    __lt__, __le__ = _binary("lt"), _binary("le")
    __gt__, __ge__ = _binary("gt"), _binary("ge")
    __eq__, __ne__ = _binary("eq"), _binary("ne")
    __hash__ = None

    def __neg__(self):
        return self._new(-self.a)

    def __pos__(self):
        return self

    def __abs__(self):
        return self._new(self.lib.xp.abs(self.a))

    def __invert__(self):
        return self._new(~self.a)

    # --- methods ----------------------------------------------------------
    def astype(self, dtype, copy=True, **_):
        return self._new(self.lib.xp.astype(self.a, self.lib.dtype(dtype), copy=copy))

    def copy(self, order="C"):
        return self._new(self.lib.xp.asarray(self.a, copy=True))

    def fill(self, value):
        self.lib.setitem(self.a, Ellipsis, _raw(value))

    def ravel(self):
        return self._new(self.lib.xp.reshape(self.a, (-1,)))

    flatten = ravel

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return self._new(self.lib.xp.reshape(self.a, shape))

    def transpose(self, *axes):
        if not axes:
            return self.T
        if len(axes) == 1 and isinstance(axes[0], tuple | list):
            axes = tuple(axes[0])
        return self._new(self.lib.xp.permute_dims(self.a, axes))

    def squeeze(self, axis=None):
        if axis is None:
            axis = tuple(i for i, n in enumerate(self.shape) if n == 1)
        return self._new(self.lib.xp.squeeze(self.a, axis=axis))

    def dot(self, other):
        return self @ other

    def _ns(self):
        return namespace_of(self.a)

    def clip(self, a_min=None, a_max=None, out=None):
        return self._ns().clip(self, a_min, a_max, out=out)

    def nonzero(self):
        return self._ns().nonzero(self)

    def argmax(self, axis=None):
        return self._ns().argmax(self, axis)

    def argmin(self, axis=None):
        return self._ns().argmin(self, axis)

    def any(self, axis=None, out=None, keepdims=False):
        return self._ns().any(self, axis=axis, out=out, keepdims=keepdims)

    def all(self, axis=None, out=None, keepdims=False):
        return self._ns().all(self, axis=axis, out=out, keepdims=keepdims)

    def cumsum(self, axis=None, dtype=None, out=None):
        return self._ns().cumsum(self, axis=axis, dtype=dtype, out=out)


def _reduction_method(fname):
    def method(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return getattr(self._ns(), fname)(
            self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw
        )

    method.__name__ = fname
    return method


for _name in ("sum", "mean", "max", "min", "std", "var", "prod"):
    setattr(XArray, _name, _reduction_method(_name))


# ---------------------------------------------------------------------------
# the namespace, one per library and device
# ---------------------------------------------------------------------------
def namespace_of(a):
    """The namespace of a library's array (its library and device)."""
    lib = lib_of(a)
    return namespace(lib, lib.device(a))


_NAMESPACES = {}


def namespace(lib, device):
    """The NumPy-like namespace that computes on ``device`` with ``lib`` (a
    :class:`Lib`, or ``"torch"``; ``device`` may be PyTorch's name)."""
    if lib == "torch":
        lib = _torch_lib()
        device = lib.torch.device(device)
    key = (lib.name, str(device))
    ns = _NAMESPACES.get(key)
    if ns is None:
        ns = _NAMESPACES[key] = Namespace(lib, device)
    return ns


def _into(ns, res, out):
    """``res`` as the result of a NumPy function called with ``out``."""
    if out is None:
        return ns.array_type(res)
    ns.lib.setitem(out.a, Ellipsis, res)
    return out


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


class _Sub:
    """A sub-namespace (``linalg``, ``special``, ``random``, ``cuda``)."""

    def __init__(self, ns):
        self._ns = ns


class Namespace:
    """Module-like: ``xp.exp``, ``xp.float32``, ``xp.linalg.cholesky``, ..."""

    float16, float32, float64 = np.float16, np.float32, np.float64
    int8, int16, int32, int64, intp = np.int8, np.int16, np.int32, np.int64, np.intp
    uint8, bool_ = np.uint8, np.bool_
    inf, nan, pi, e, newaxis = np.inf, np.nan, np.pi, np.e, None
    array_type = XArray
    ndarray = XArray

    def __init__(self, lib, device):
        self.lib = lib
        self.xp = lib.xp
        self.device = device
        self.__name__ = lib.name
        self.linalg = _Linalg(self)
        self.special = _Special(self)
        self.random = _Random(self)
        self.cuda = _Cuda(self)

    def __repr__(self):
        return f"<skrapid's NumPy namespace on {self.lib.name}, device {self.device}>"

    def __reduce__(self):
        if self.lib.name == "torch":
            return (namespace, ("torch", str(self.device)))
        return (_namespace_named, (self.lib.name, self.device))

    def __getattr__(self, name):
        raise AttributeError(
            f"skrapid's {self.__name__} namespace has no {name!r} (the compute "
            "code used a NumPy function the façade does not cover)"
        )

    def _wrap(self, res):
        if isinstance(res, tuple):
            return tuple(self.array_type(r) for r in res)
        return self.array_type(res)

    # --- conversion -------------------------------------------------------
    def _t(self, x, dtype=None, host=False):
        """Any operand as an array on this device.  Host data is copied (a
        counted crossing) where ``host`` (``asarray``, ``array``); elsewhere
        a NumPy array is refused, as CuPy refuses it."""
        if dtype is None and isinstance(x, XArray) and x.a.device == self.device:
            return x.a  # the common case, first
        lib = self.lib
        ld = lib.dtype(dtype)
        if isinstance(x, XArray):
            x = x.a
        if _is_library_array(x):
            if lib_of(x) is not lib:
                raise TypeError(
                    f"a {type(x).__module__} array cannot mix with {lib.name}'s: "
                    f"pass arrays of one library (convert it with {lib.name}'s "
                    "asarray first)"
                )
            x = lib.to_device(x, self.device)
            return x if ld is None or x.dtype == ld else self.xp.astype(x, ld)
        if isinstance(x, np.ndarray) and not host:
            _raw(x)  # the TypeError
        if not isinstance(x, int | float | bool | complex | np.generic):
            _cross("h2d")  # host data: an array, a list, a pandas object...
        return lib.from_host(np.asarray(x), ld, self.device)

    def _scalar(self, v, like=None):
        """A Python scalar as a 0-d array on this device: a float takes the
        float dtype of ``like`` (NumPy keeps the array's precision), else
        float64; an int or a bool its own kind (not a crossing)."""
        lib = self.lib
        if isinstance(v, float):
            floating = like is not None and lib.is_float(like)
            dtype = like.dtype if floating else lib.dtype(np.float64)
        elif like is not None and not isinstance(v, bool):
            dtype = like.dtype
        else:
            dtype = lib.dtype(np.asarray(v).dtype)
        return lib.from_host(np.asarray(v), dtype, self.device)

    def asarray(self, a, dtype=None, order=None, copy=None):
        t = self._t(a, dtype, host=True)
        if copy and isinstance(a, XArray) and t is a.a:
            t = self.xp.asarray(t, copy=True)
        return self.array_type(t)

    def array(self, a, dtype=None, copy=True, ndmin=0):
        t = self._t(a, dtype, host=True)
        if copy and isinstance(a, XArray):
            t = self.xp.asarray(t, copy=True)
        if t.ndim < ndmin:
            t = self.xp.reshape(t, (1,) * (ndmin - t.ndim) + tuple(t.shape))
        return self.array_type(t)

    def ascontiguousarray(self, a, dtype=None):
        t = self._t(a, dtype, host=True)
        if hasattr(t, "contiguous"):
            t = t.contiguous()
        return self.array_type(t)

    def asnumpy(self, a):
        return to_numpy(a)

    def from_dlpack(self, a):
        """A DLPack exporter's array (a CuPy array) on this device, no copy."""
        return self.array_type(self.lib.to_device(self.xp.from_dlpack(a), self.device))

    # --- factories (always on this device) --------------------------------
    def _dt(self, dtype):
        return self.lib.dtype(np.float64 if dtype is None else dtype)

    def empty(self, shape, dtype=None, order="C"):
        return self.array_type(
            self.xp.empty(shape, dtype=self._dt(dtype), device=self.device)
        )

    def zeros(self, shape, dtype=None, order="C"):
        return self.array_type(
            self.xp.zeros(shape, dtype=self._dt(dtype), device=self.device)
        )

    def ones(self, shape, dtype=None, order="C"):
        return self.array_type(
            self.xp.ones(shape, dtype=self._dt(dtype), device=self.device)
        )

    def full(self, shape, fill_value, dtype=None, order="C"):
        fill_value = _raw(fill_value)
        if dtype is None:
            dtype = np.asarray(fill_value).dtype
        if isinstance(fill_value, int | float | bool):
            fill_value = np.asarray(fill_value).astype(dtype).item()
        return self.array_type(
            self.xp.full(
                shape if isinstance(shape, tuple | list) else (shape,),
                fill_value,
                dtype=self.lib.dtype(dtype),
                device=self.device,
            )
        )

    def eye(self, n, m=None, dtype=None):
        return self.array_type(
            self.xp.eye(n, m, dtype=self._dt(dtype), device=self.device)
        )

    def _like(self, a, dtype):
        return self.lib.dtype(a.dtype if dtype is None else dtype)

    def empty_like(self, a, dtype=None):
        return self.array_type(
            self.xp.empty(a.shape, dtype=self._like(a, dtype), device=self.device)
        )

    def zeros_like(self, a, dtype=None):
        return self.array_type(
            self.xp.zeros(a.shape, dtype=self._like(a, dtype), device=self.device)
        )

    def ones_like(self, a, dtype=None):
        return self.array_type(
            self.xp.ones(a.shape, dtype=self._like(a, dtype), device=self.device)
        )

    def full_like(self, a, fill_value, dtype=None):
        return self.full(a.shape, fill_value, dtype=a.dtype if dtype is None else dtype)

    def arange(self, start, stop=None, step=1, dtype=None):
        if stop is None:
            start, stop = 0, start
        if dtype is None:
            floats = any(isinstance(v, float) for v in (start, stop, step))
            dtype = np.float64 if floats else np.int64
        return self.array_type(
            self.xp.arange(
                start, stop, step, dtype=self.lib.dtype(dtype), device=self.device
            )
        )

    def linspace(self, start, stop, num=50, endpoint=True, dtype=None):
        return self.array_type(
            self.xp.linspace(
                float(start),
                float(stop),
                num,
                dtype=self._dt(dtype),
                device=self.device,
                endpoint=endpoint,
            )
        )

    # --- elementwise --------------------------------------------------------
    def _unary(self, fn, x, out=None, dtype=None, floating=False):
        t = self._t(x, dtype)
        if floating and not self.lib.is_float(t):  # NumPy: float64 of an int
            t = self.xp.astype(t, self.lib.dtype(np.float64))
        return _into(self, fn(t), out)

    def cbrt(self, x, out=None, dtype=None):
        xp = self.xp
        return self._unary(
            lambda t: xp.sign(t) * xp.abs(t) ** (1.0 / 3.0), x, out, dtype, True
        )

    def _operand(self, x):
        """An operand as this device's array, or a Python scalar as it is."""
        x = _raw(x)
        if x is None or isinstance(x, int | float | bool):
            return x
        if type(x) in _LIBS and x.device == self.device and lib_of(x) is self.lib:
            return x  # the common case, first
        return self._t(x)

    def _pair(self, a, b):
        """Two operands as arrays of this device or Python scalars (not both
        scalars)."""
        a, b = self._operand(a), self._operand(b)
        if not hasattr(a, "dtype") and not hasattr(b, "dtype"):
            a = self._scalar(a)
        return a, b

    def _binop(self, fn, a, b, out=None, dtype=None, scalars=True):
        a, b = self._pair(a, b)
        a, b = _promote(self.lib, a, b, fn)
        if not scalars:
            if not hasattr(a, "dtype"):
                a = self._scalar(a, b)
            if not hasattr(b, "dtype"):
                b = self._scalar(b, a)
        res = fn(a, b)
        if dtype is not None:
            res = self.xp.astype(res, self.lib.dtype(dtype))
        return _into(self, res, out)

    def clip(self, a, a_min=None, a_max=None, out=None):
        t = self._t(a)
        lo, hi = (self._operand(v) for v in (a_min, a_max))
        if not self.lib.is_float(t) and float in (type(lo), type(hi)):
            t = self.xp.astype(t, self.lib.dtype(np.float64))
        lo, hi = (
            self.xp.astype(v, t.dtype)
            if hasattr(v, "dtype") and v.dtype != t.dtype
            else v
            for v in (lo, hi)
        )
        return _into(self, self.xp.clip(t, min=lo, max=hi), out)

    def where(self, cond, x=None, y=None):
        c = self._t(cond)
        if x is None and y is None:
            return self.nonzero(c)
        x, y = self._pair(x, y)
        x, y = _promote(self.lib, x, y)
        if not hasattr(x, "dtype"):
            x = self._scalar(x, y if hasattr(y, "dtype") else None)
        if not hasattr(y, "dtype"):
            y = self._scalar(y, x)
        return self.array_type(self.xp.where(c, x, y))

    def nonzero(self, a):
        return self._wrap(tuple(self.xp.nonzero(self._t(a))))

    # --- reductions -------------------------------------------------------
    def _reduce(self, fn, a, axis, dtype, out, keepdims, **kw):
        t = self._t(a, dtype)
        return _into(self, fn(t, axis=_axis(axis), keepdims=keepdims, **kw), out)

    def sum(self, a, axis=None, dtype=None, out=None, keepdims=False):
        t = self._t(a)
        if dtype is None and self.xp.isdtype(t.dtype, "bool"):
            dtype = np.int64
        return self._reduce(self.xp.sum, t, axis, dtype, out, keepdims)

    def prod(self, a, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce(self.xp.prod, a, axis, dtype, out, keepdims)

    def mean(self, a, axis=None, dtype=None, out=None, keepdims=False):
        t = self._t(a)
        if dtype is None and not self.lib.is_float(t):
            dtype = np.float64
        return self._reduce(self.xp.mean, t, axis, dtype, out, keepdims)

    def max(self, a, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce(self.xp.max, a, axis, dtype, out, keepdims)

    amax = max

    def min(self, a, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce(self.xp.min, a, axis, dtype, out, keepdims)

    amin = min

    def var(self, a, axis=None, dtype=None, out=None, keepdims=False, ddof=0):
        return self._reduce(self.xp.var, a, axis, dtype, out, keepdims, correction=ddof)

    def std(self, a, axis=None, dtype=None, out=None, keepdims=False, ddof=0):
        return self._reduce(self.xp.std, a, axis, dtype, out, keepdims, correction=ddof)

    def any(self, a, axis=None, out=None, keepdims=False):
        return self._reduce(self.xp.any, a, axis, None, out, keepdims)

    def all(self, a, axis=None, out=None, keepdims=False):
        return self._reduce(self.xp.all, a, axis, None, out, keepdims)

    def count_nonzero(self, a, axis=None):
        return self.array_type(self.xp.count_nonzero(self._t(a), axis=_axis(axis)))

    def argmax(self, a, axis=None):
        return self.array_type(self.xp.argmax(self._t(a), axis=axis))

    def argmin(self, a, axis=None):
        return self.array_type(self.xp.argmin(self._t(a), axis=axis))

    def cumsum(self, a, axis=None, dtype=None, out=None):
        t = self._t(a, dtype)
        if axis is None:
            t, axis = self.xp.reshape(t, (-1,)), 0
        return _into(self, self.xp.cumulative_sum(t, axis=axis), out)

    # --- shapes and linear algebra ------------------------------------------
    def matmul(self, a, b, out=None):
        a, b = _promote(self.lib, self._t(a), self._t(b))
        if out is not None and self.lib.matmul_into(out.a, a, b):
            return out
        return _into(self, a @ b, out)  # promoted already: the operator

    def dot(self, a, b, out=None):
        return self.matmul(a, b, out=out)

    def outer(self, a, b):
        xp = self.xp
        a, b = _promote(self.lib, self._t(a), self._t(b))
        return self.array_type(xp.reshape(a, (-1, 1)) * xp.reshape(b, (1, -1)))

    def einsum(self, spec, *operands):
        return self.array_type(self.lib.einsum(spec, *(self._t(o) for o in operands)))

    def concatenate(self, arrays, axis=0):
        return self.array_type(self.xp.concat([self._t(a) for a in arrays], axis=axis))

    def stack(self, arrays, axis=0):
        return self.array_type(self.xp.stack([self._t(a) for a in arrays], axis=axis))

    def broadcast_to(self, a, shape):
        return self.array_type(self.xp.broadcast_to(self._t(a), tuple(shape)))

    def reshape(self, a, shape):
        return self.array_type(
            self.xp.reshape(self._t(a), shape if isinstance(shape, tuple) else (shape,))
        )

    def transpose(self, a, axes=None):
        return self.array_type(self._t(a)).transpose(*(axes or ()))

    def expand_dims(self, a, axis):
        return self.array_type(self.xp.expand_dims(self._t(a), axis=axis))

    def diagonal(self, a, offset=0, axis1=0, axis2=1):
        t = self._t(a)
        rest = [i for i in range(t.ndim) if i not in (axis1 % t.ndim, axis2 % t.ndim)]
        t = self.xp.permute_dims(t, (*rest, axis1, axis2))
        return self.array_type(self.xp.linalg.diagonal(t, offset=offset))

    def diag(self, v, k=0):
        return self.array_type(self.lib.diag(self._t(v), k))

    def take(self, a, indices, axis=None, out=None):
        t = self._t(a)
        idx = self._t(indices)
        if axis is None:
            t, axis = self.xp.reshape(t, (-1,)), 0
        res = self.xp.take(t, self.xp.reshape(idx, (-1,)), axis=axis)
        shape = tuple(t.shape[:axis]) + tuple(idx.shape) + tuple(t.shape[axis + 1 :])
        return _into(self, self.xp.reshape(res, shape), out)

    def take_along_axis(self, a, indices, axis):
        return self.array_type(
            self.xp.take_along_axis(self._t(a), self._t(indices), axis=axis)
        )

    def put_along_axis(self, a, indices, values, axis):
        values = _raw(values)
        if hasattr(values, "dtype"):
            values = self._t(values)
        self.lib.put_along_axis(a.a, self._t(indices), values, axis)

    def copyto(self, dst, src, **_):
        src = _raw(src)
        if isinstance(src, np.ndarray):
            raise TypeError("copyto from a NumPy array to a device array")
        if hasattr(src, "dtype") and src.dtype != dst.a.dtype:
            src = self.xp.astype(src, dst.a.dtype)
        self.lib.setitem(dst.a, Ellipsis, src)

    def searchsorted(self, a, v, side="left"):
        return self.array_type(self.xp.searchsorted(self._t(a), self._t(v), side=side))

    def sort(self, a, axis=-1):
        return self.array_type(self.xp.sort(self._t(a), axis=axis))

    def argsort(self, a, axis=-1):
        return self.array_type(self.xp.argsort(self._t(a), axis=axis))

    def round(self, a, decimals=0, out=None):
        t = self._t(a)
        if decimals:
            scale = 10.0**decimals
            res = self.xp.round(t * scale) / scale
        else:
            res = self.xp.round(t)
        return _into(self, res, out)

    def nan_to_num(self, a, nan=0.0, posinf=None, neginf=None):
        xp, t = self.xp, self._t(a)
        fi = np.finfo(self.lib.np_dtype(t.dtype))
        posinf = fi.max if posinf is None else posinf
        neginf = fi.min if neginf is None else neginf
        t = xp.where(xp.isnan(t), self._scalar(float(nan), t), t)
        t = xp.where(t == math.inf, self._scalar(float(posinf), t), t)
        return self.array_type(
            xp.where(t == -math.inf, self._scalar(float(neginf), t), t)
        )

    def result_type(self, *args):
        return np.result_type(*(a.dtype if isinstance(a, XArray) else a for a in args))

    def finfo(self, dtype):
        return np.finfo(dtype)


def _unary_function(name, std_name, floating):
    def function(self, x, out=None, dtype=None):
        return self._unary(getattr(self.xp, std_name), x, out, dtype, floating)

    function.__name__ = name
    return function


def _binary_function(name, op, scalars=True):
    """NumPy's binary function ``name``: an operator, or the name of a
    standard function (which takes arrays, not Python scalars)."""

    def function(self, a, b, out=None, dtype=None):
        fn = getattr(self.xp, op) if isinstance(op, str) else op
        return self._binop(fn, a, b, out, dtype, scalars)

    function.__name__ = name
    return function


# NumPy's name: the standard's, and whether an integer argument becomes float64
for _np_name, (_std_name, _floating) in {
    "exp": ("exp", True),
    "expm1": ("expm1", True),
    "log": ("log", True),
    "log1p": ("log1p", True),
    "sqrt": ("sqrt", True),
    "tanh": ("tanh", True),
    "abs": ("abs", False),
    "absolute": ("abs", False),
    "sign": ("sign", False),
    "square": ("square", False),
    "floor": ("floor", False),
    "ceil": ("ceil", False),
    "negative": ("negative", False),
    "isfinite": ("isfinite", False),
    "isnan": ("isnan", False),
    "isinf": ("isinf", False),
    "logical_not": ("logical_not", False),
}.items():
    setattr(Namespace, _np_name, _unary_function(_np_name, _std_name, _floating))
for _np_name, _op in {
    "add": operator.add,
    "subtract": operator.sub,
    "multiply": operator.mul,
    "divide": operator.truediv,
    "true_divide": operator.truediv,
    "power": operator.pow,
    "less": operator.lt,
    "less_equal": operator.le,
    "greater": operator.gt,
    "greater_equal": operator.ge,
    "equal": operator.eq,
}.items():
    setattr(Namespace, _np_name, _binary_function(_np_name, _op))
for _np_name in ("maximum", "minimum", "logaddexp", "logical_and", "logical_or"):
    setattr(Namespace, _np_name, _binary_function(_np_name, _np_name, scalars=False))


def _namespace_named(lib_name, device):
    """A namespace from its pickled form (a library other than PyTorch)."""
    import importlib

    xp = importlib.import_module(lib_name)
    return namespace_of(xp.asarray(0.0, device=device))


class _Linalg(_Sub):
    def norm(self, x, ord=None, axis=None, keepdims=False):
        ns = self._ns
        t = ns._t(x)
        axis = _axis(axis)
        if axis is None and t.ndim == 2 and ord in (None, "fro"):
            res = ns.xp.linalg.matrix_norm(t, keepdims=keepdims)
        else:
            res = ns.xp.linalg.vector_norm(
                t, axis=axis, keepdims=keepdims, ord=2 if ord is None else ord
            )
        return ns.array_type(res)

    def inv(self, a):
        return self._ns.array_type(self._ns.xp.linalg.inv(self._ns._t(a)))

    def cholesky(self, a):
        """As CuPy: NaN (not an exception) for a matrix that is not positive
        definite."""
        return self._ns.array_type(self._ns.lib.cholesky(self._ns._t(a)))

    def eigh(self, a):
        w, v = self._ns.xp.linalg.eigh(self._ns._t(a))
        return self._ns.array_type(w), self._ns.array_type(v)

    def eigvalsh(self, a):
        return self._ns.array_type(self._ns.xp.linalg.eigvalsh(self._ns._t(a)))

    def slogdet(self, a):
        s, ld = self._ns.xp.linalg.slogdet(self._ns._t(a))
        return self._ns.array_type(s), self._ns.array_type(ld)

    def solve(self, a, b):
        return self._ns.array_type(
            self._ns.xp.linalg.solve(self._ns._t(a), self._ns._t(b))
        )

    def solve_triangular(self, a, b, lower=True):
        ns = self._ns
        return ns.array_type(ns.lib.solve_triangular(ns._t(a), ns._t(b), lower))


class _Special(_Sub):
    """The special functions skrapid uses (SciPy's names), on the device."""

    def _f(self, name, x):
        ns = self._ns
        return ns.array_type(ns.lib.special(name)(ns._t(x)))

    def ndtri_exp(self, y):
        """Φ⁻¹(exp(y)) for y ≤ 0, down the far tail where exp(y) underflows:
        Φ⁻¹(e^y) directly where e^y is representable, else the tail's
        asymptotic start and Newton steps on log Φ(x) = y."""
        ns = self._ns
        xp, lib = ns.xp, ns.lib
        ndtri, log_ndtr = lib.special("ndtri"), lib.special("log_ndtr")
        y = ns._t(y)
        direct = ndtri(xp.exp(y))
        # both branches everywhere: no device-to-host read to choose
        yy = xp.clip(y, min=-1e300, max=-20.0)
        x = -xp.sqrt(-2 * yy - xp.log(-2 * yy) - math.log(2 * math.pi))
        for _ in range(6):  # d/dx log Φ(x) = φ(x)/Φ(x)
            lp = log_ndtr(x)
            logphi = -0.5 * x * x - 0.5 * math.log(2 * math.pi)
            x = x - (lp - yy) / xp.exp(logphi - lp)
        x = xp.where(y == -math.inf, ns._scalar(-math.inf, x), x)
        return ns.array_type(xp.where(y < -20.0, x, direct))

    def logsumexp(self, a, axis=None, keepdims=False):
        ns = self._ns
        return ns.array_type(ns.lib.logsumexp(ns._t(a), _axis(axis), keepdims))


def _special_function(name):
    def function(self, x):
        return self._f(name, x)

    function.__name__ = name
    return function


for _name in (
    "expit",
    "log_expit",
    "erfc",
    "erfcx",
    "log_ndtr",
    "ndtr",
    "ndtri",
    "gammaln",
):
    setattr(_Special, _name, _special_function(_name))


class _Cuda(_Sub):
    def Device(self, *_):  # noqa: N802 -- CuPy's spelling
        return self

    def synchronize(self):
        _cross("d2h")
        self._ns.lib.synchronize(self._ns.device)


# ---------------------------------------------------------------------------
# random numbers: the library's generator on the device
# ---------------------------------------------------------------------------
class _Random(_Sub):
    def default_rng(self, seed=None):
        return self._ns.lib.generator(seed, self._ns)


def _size(size):
    if size is None:
        return ()
    return (size,) if isinstance(size, int | np.integer) else tuple(size)


def _seed(seed):
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    return int(seed) % (2**63)


class _Generator:
    """NumPy's ``Generator`` methods that skrapid uses; a subclass draws
    (``_draw(kind, shape, dtype, low, high, into)``: the library's array,
    written into ``into`` when given)."""

    def __init__(self, seed, ns):
        self._ns = ns

    def _fill(self, kind, size, dtype, out, low=0.0, high=1.0):
        ns = self._ns
        if out is not None:
            self._draw(kind, out.shape, out.dtype, low, high, into=out.a)
            return out
        return ns.array_type(
            self._draw(kind, _size(size), np.dtype(dtype or np.float64), low, high)
        )

    def random(self, size=None, dtype=np.float64, out=None):
        return self._fill("uniform", size, dtype, out)

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        return self._fill("normal", size, dtype, out)

    def normal(self, loc=0.0, scale=1.0, size=None):
        return self.standard_normal(size) * _raw(scale) + _raw(loc)

    def uniform(self, low=0.0, high=1.0, size=None, dtype=np.float64):
        return self._fill("uniform", size, dtype, None, float(low), float(high))

    def standard_exponential(self, size=None, dtype=np.float64, out=None):
        return self._fill("exponential", size, dtype, out)

    def exponential(self, scale=1.0, size=None):
        return self.standard_exponential(size) * _raw(scale)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        if high is None:
            low, high = 0, low
        high = int(high) + (1 if endpoint else 0)
        return self._ns.array_type(
            self._draw("integers", _size(size), np.dtype(dtype), int(low), high)
        )

    def permutation(self, n):
        return self._ns.array_type(self._draw("permutation", int(n), None, 0, 0))

    def __getattr__(self, name):
        raise AttributeError(
            f"skrapid's {self._ns.__name__} generator has no {name!r} (a NumPy "
            "Generator method the façade does not cover)"
        )


class TorchGenerator(_Generator):
    """Draws with a ``torch.Generator`` on the namespace's device, seeded
    from ``seed``."""

    def __init__(self, seed, ns):
        super().__init__(seed, ns)
        self._gen = ns.lib.torch.Generator(device=ns.device)
        self._gen.manual_seed(_seed(seed))

    def _draw(self, kind, shape, dtype, low, high, into=None):
        ns, g = self._ns, self._gen
        torch = ns.lib.torch
        if kind == "permutation":
            return torch.randperm(shape, generator=g, device=ns.device)
        if kind == "integers":
            return torch.randint(
                low,
                high,
                shape,
                generator=g,
                dtype=ns.lib.dtype(dtype),
                device=ns.device,
            )
        t = into
        if t is None:
            t = torch.empty(shape, dtype=ns.lib.dtype(dtype), device=ns.device)
        if kind == "uniform":
            return t.uniform_(low, high, generator=g)
        if kind == "normal":
            return t.normal_(0.0, 1.0, generator=g)
        return t.exponential_(1.0, generator=g)


class HostGenerator(_Generator):
    """For a library without random numbers: NumPy's generator (PCG64), its
    draws put on the device (not counted: they stand for a device
    generator).  It makes NumPy's calls with NumPy's arguments, so the stream
    is the NumPy path's for the same seed."""

    def __init__(self, seed, ns):
        super().__init__(seed, ns)
        self._gen = np.random.default_rng(seed)

    def _draw(self, kind, shape, dtype, low, high, into=None):
        g = self._gen
        if kind == "permutation":
            h = g.permutation(shape)
        elif kind == "integers":
            h = g.integers(low, high, size=shape, dtype=dtype)
        elif kind == "uniform" and (low, high) != (0.0, 1.0):
            h = g.uniform(low, high, size=shape).astype(dtype, copy=False)
        elif kind == "uniform":
            h = g.random(shape, dtype=dtype.type)
        elif kind == "normal":
            h = g.standard_normal(shape, dtype=dtype.type)
        else:
            h = g.standard_exponential(shape, dtype=dtype.type)
        res = self._ns.lib.from_host(np.asarray(h), None, self._ns.device)
        if into is not None:
            self._ns.lib.setitem(into, Ellipsis, res)
        return res
