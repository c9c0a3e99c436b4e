"""NumPy's API on PyTorch tensors: the compute namespace of PyTorch input.

skrapid's compute code is written once against a namespace ``xp`` with
NumPy's API (``numpy``, or ``cupy`` on a GPU).  Under scikit-learn's Array API
dispatch a PyTorch tensor is computed by PyTorch, on its own device, through
the small façade here: :class:`TorchArray` wraps a tensor and speaks NumPy
(``.dtype`` is a NumPy dtype, ``astype``, ``axis=``, ``out=``), and
:func:`namespace` returns, per device, the module-like object whose functions
the compute code calls.  Every function runs PyTorch kernels on the tensor's
device; nothing here copies data to the host except :func:`to_numpy`.

It is the one place that knows PyTorch, and it covers exactly what skrapid's
compute code uses (a missing name is an AttributeError naming it).  It
behaves as CuPy does where CuPy and NumPy differ: a NumPy array never mixes
with a device array (TypeError), an implicit conversion to NumPy is refused,
and ``linalg.cholesky`` of a matrix that is not positive definite returns
NaN rather than raising.  Random numbers come from a ``torch.Generator`` on
the device, seeded from ``random_state`` (:class:`Generator`): the streams
differ from NumPy's, so results agree statistically, not bit for bit.

The generic path allocates more than NumPy's: ``out=`` is honoured by copying
into ``out``.
"""

from __future__ import annotations

import functools
import math
import operator

import numpy as np

__all__ = [
    "TorchArray",
    "Namespace",
    "namespace",
    "is_torch_tensor",
    "computable",
    "wrap",
    "to_numpy",
]


_TORCH = []  # the torch module, once imported (a list: no global statement)


def _torch():
    if not _TORCH:
        import torch

        _TORCH.append(torch)
    return _TORCH[0]


def is_torch_tensor(a) -> bool:
    """True for a ``torch.Tensor`` (without importing PyTorch)."""
    return type(a).__module__.split(".")[0] == "torch" and hasattr(a, "is_leaf")


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------
_NAMES = (
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
    "complex64",
    "complex128",
)


@functools.lru_cache(maxsize=1)
def _dtype_maps():
    torch = _torch()
    to_np = {getattr(torch, n): np.dtype(n) for n in _NAMES}
    to_torch = {v: k for k, v in to_np.items()}
    return to_np, to_torch


def torch_dtype(dtype):
    """The ``torch.dtype`` of a NumPy dtype (or scalar type, or name)."""
    if dtype is None:
        return None
    if not isinstance(dtype, np.dtype):
        if type(dtype).__module__ == "torch":
            return dtype
        dtype = np.dtype(float if dtype is float else dtype)
    try:
        return _dtype_maps()[1][dtype]
    except KeyError:
        raise TypeError(f"PyTorch has no dtype {dtype}") from None


def numpy_dtype(tdtype) -> np.dtype:
    try:
        return _dtype_maps()[0][tdtype]
    except KeyError:
        raise TypeError(
            f"skrapid computes on float32 and float64 tensors, not {tdtype}: "
            "convert it first (e.g. `X.float()`)."
        ) from None


# ---------------------------------------------------------------------------
# the array
# ---------------------------------------------------------------------------
def _raw(x):
    """The tensor or Python scalar behind an operand; a NumPy array (a host
    array in device arithmetic) is refused, as CuPy refuses it."""
    if type(x) is TorchArray:
        return x.t
    if isinstance(x, int | float) or isinstance(x, _torch().Tensor):
        return x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        raise TypeError(
            "a NumPy array cannot mix with a PyTorch-computed array "
            f"(shape {x.shape}); move it with the namespace's asarray"
        )
    return x


def _index(key, device):
    torch = _torch()
    if isinstance(key, tuple):
        return tuple(_index(k, device) for k in key)
    if isinstance(key, TorchArray):
        return key.t
    if isinstance(key, np.ndarray):
        return torch.as_tensor(key, device=device)
    if isinstance(key, list):
        return torch.as_tensor(np.asarray(key), device=device)
    if isinstance(key, np.integer):
        return int(key)
    return key


def _reverses(key) -> bool:
    """Whether an (already converted) key has a slice with a negative step,
    which PyTorch's indexing refuses."""
    parts = key if isinstance(key, tuple) else (key,)
    return any(
        isinstance(k, slice) and k.step is not None and k.step < 0 for k in parts
    )


def _getitem_reversing(t, key):
    """``t[key]`` with NumPy's negative-step slices: each such slice's axis
    is flipped and the slice read forwards on the flipped tensor."""
    torch = _torch()
    parts = list(key) if isinstance(key, tuple) else [key]
    used = sum(
        k.dim() if isinstance(k, torch.Tensor) and k.dtype == torch.bool else 1
        for k in parts
        if k is not None and k is not Ellipsis
    )
    dim, flips = 0, []
    for i, k in enumerate(parts):
        if k is None:
            continue
        if k is Ellipsis:
            dim += t.dim() - used
            continue
        if isinstance(k, slice) and k.step is not None and k.step < 0:
            n = t.shape[dim]
            start, stop, step = k.indices(n)  # stop may be -1: past the front
            parts[i] = slice(n - 1 - start, n - 1 - stop, -step)
            flips.append(dim)
        bool_mask = isinstance(k, torch.Tensor) and k.dtype == torch.bool
        dim += k.dim() if bool_mask else 1
    if flips:
        t = t.flip(flips)
    return t[tuple(parts)]


def _wrap(x):
    torch = _torch()
    if isinstance(x, torch.Tensor):
        return TorchArray(x)
    if isinstance(x, tuple):
        return tuple(_wrap(v) for v in x)
    return x


def computable(t) -> bool:
    """Whether skrapid computes this tensor with PyTorch: dense (strided), of
    a dtype skrapid takes, on the CPU or a CUDA device (the compute code
    needs float64, which MPS lacks; other devices are untested)."""
    torch = _torch()
    return (
        t.layout == torch.strided
        and t.dtype in _dtype_maps()[0]
        and t.device.type in ("cpu", "cuda")
    )


def wrap(t):
    """A tensor as a :class:`TorchArray` (no copy; detached from autograd)."""
    return TorchArray(t.detach())


def _numpy_kinds(a, b, op):
    """NumPy's promotion where PyTorch's differs: an integer or boolean
    tensor with a Python float, or divided by an integer, gives float64
    (PyTorch would give its default float32)."""
    torch = _torch()
    a_float = not isinstance(a, torch.Tensor) or a.is_floating_point()
    b_float = not isinstance(b, torch.Tensor) or b.is_floating_point()
    if a_float and b_float:  # the common case: nothing to change
        return a, b

    def promoted(x, y):
        if isinstance(x, torch.Tensor) and not x.is_floating_point():
            y_float_tensor = isinstance(y, torch.Tensor) and y.is_floating_point()
            if not y_float_tensor and (isinstance(y, float) or op is operator.truediv):
                return x.to(torch.float64)
        return x

    return promoted(a, b), promoted(b, a)


def _binary(name, reflected=False):
    op = getattr(operator, name)

    def method(self, other):
        a, b = (_raw(other), self.t) if reflected else (self.t, _raw(other))
        return TorchArray(op(*_numpy_kinds(a, b, op)))

    return method


def _inplace(name):
    op = getattr(operator, name)

    def method(self, other):
        op(self.t, _raw(other))  # the tensor is changed in place
        return self

    return method


class TorchArray:
    """A ``torch.Tensor`` behind NumPy's array interface (attribute ``t``)."""

    __slots__ = ("t",)
    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy defers to the reflected operators

    def __init__(self, t):
        self.t = t

    # --- attributes -------------------------------------------------------
    dtype = property(lambda self: numpy_dtype(self.t.dtype))
    shape = property(lambda self: tuple(self.t.shape))
    ndim = property(lambda self: self.t.dim())
    size = property(lambda self: self.t.numel())
    itemsize = property(lambda self: self.t.element_size())
    nbytes = property(lambda self: self.t.numel() * self.t.element_size())
    device = property(lambda self: self.t.device)

    @property
    def T(self):  # noqa: N802
        return TorchArray(self.t.permute(*range(self.t.dim() - 1, -1, -1)))

    def __len__(self):
        return len(self.t)

    def __iter__(self):
        return (TorchArray(r) for r in self.t)

    def __repr__(self):
        return f"TorchArray({self.t!r})"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed: use "
            "skrapid._backend.to_numpy (a PyTorch-computed array, as CuPy's)"
        )

    def __dlpack__(self, *args, **kwargs):
        return self.t.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self.t.__dlpack_device__()

    # --- scalars ----------------------------------------------------------
    def item(self):
        return self.t.item()

    def tolist(self):
        return self.t.tolist()

    def get(self):  # CuPy's name for the host copy
        return to_numpy(self)

    def __float__(self):
        return float(self.t)

    def __int__(self):
        return int(self.t)

    def __bool__(self):
        return bool(self.t)

    def __index__(self):
        return operator.index(self.t.item())

    def __format__(self, spec):
        return format(self.t.item(), spec) if self.t.dim() == 0 else repr(self)

    # --- indexing ---------------------------------------------------------
    def __getitem__(self, key):
        key = _index(key, self.t.device)
        if _reverses(key):
            return TorchArray(_getitem_reversing(self.t, key))
        return TorchArray(self.t[key])

    def __setitem__(self, key, value):
        key = _index(key, self.t.device)
        if _reverses(key):  # write through the positions the key reads
            torch = _torch()
            t = self.t
            where = torch.arange(t.numel(), device=t.device).reshape(t.shape)
            pos = _getitem_reversing(where, key)
            t[torch.unravel_index(pos, t.shape)] = _raw(value)
            return
        self.t[key] = _raw(value)

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
        return TorchArray(-self.t)

    def __pos__(self):
        return self

    def __abs__(self):
        return TorchArray(self.t.abs())

    def __invert__(self):
        return TorchArray(~self.t)

    # --- methods ----------------------------------------------------------
    def astype(self, dtype, copy=True, **_):
        t = self.t.to(torch_dtype(dtype))
        if copy and t is self.t:
            t = t.clone()
        return TorchArray(t)

    def copy(self, order="C"):
        return TorchArray(self.t.clone())

    def fill(self, value):
        self.t.fill_(_raw(value))

    def ravel(self):
        return TorchArray(self.t.reshape(-1))

    flatten = ravel

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return TorchArray(self.t.reshape(shape))

    def transpose(self, *axes):
        if not axes:
            return self.T
        if len(axes) == 1 and isinstance(axes[0], tuple | list):
            axes = tuple(axes[0])
        return TorchArray(self.t.permute(axes))

    def squeeze(self, axis=None):
        return TorchArray(self.t.squeeze() if axis is None else self.t.squeeze(axis))

    def dot(self, other):
        return TorchArray(self.t @ _raw(other))

    def clip(self, a_min=None, a_max=None, out=None):
        return _ns_of(self).clip(self, a_min, a_max, out=out)

    def nonzero(self):
        return _wrap(tuple(self.t.nonzero(as_tuple=True)))

    def argmax(self, axis=None):
        return _ns_of(self).argmax(self, axis)

    def argmin(self, axis=None):
        return _ns_of(self).argmin(self, axis)


def _reduction(fname):
    def method(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return getattr(_ns_of(self), fname)(
            self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw
        )

    method.__name__ = fname
    return method


for _name in ("sum", "mean", "max", "min", "std", "var", "prod"):
    setattr(TorchArray, _name, _reduction(_name))


def _logical_reduction(fname):
    def method(self, axis=None, out=None, keepdims=False):
        return getattr(_ns_of(self), fname)(self, axis=axis, out=out, keepdims=keepdims)

    return method


TorchArray.any = _logical_reduction("any")
TorchArray.all = _logical_reduction("all")


def _cumsum(self, axis=None, dtype=None, out=None):
    return _ns_of(self).cumsum(self, axis=axis, dtype=dtype, out=out)


TorchArray.cumsum = _cumsum


def to_numpy(a) -> np.ndarray:
    """A :class:`TorchArray` or tensor copied to the host as NumPy."""
    t = a.t if isinstance(a, TorchArray) else a
    return t.detach().cpu().resolve_conj().numpy()


# ---------------------------------------------------------------------------
# the namespace, one per device
# ---------------------------------------------------------------------------
def _ns_of(a):
    return namespace(a.t.device)


@functools.cache
def namespace(device):
    """The NumPy-like namespace that computes on ``device`` with PyTorch."""
    return Namespace(_torch().device(device))


def _into(res, out):
    """``res`` as the result of a NumPy function called with ``out``."""
    if out is None:
        return TorchArray(res)
    out.t.copy_(res)
    return out


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


class Namespace:
    """Module-like: ``xp.exp``, ``xp.float32``, ``xp.linalg.cholesky``, ..."""

    float16, float32, float64 = np.float16, np.float32, np.float64
    int8, int16, int32, int64, intp = np.int8, np.int16, np.int32, np.int64, np.intp
    uint8, bool_ = np.uint8, np.bool_
    inf, nan, pi, e, newaxis = np.inf, np.nan, np.pi, np.e, None
    ndarray = TorchArray

    def __init__(self, device):
        self.device = device
        self.__name__ = "torch"
        self.linalg = _Linalg(self)
        self.special = _Special(self)
        self.random = _Random(self)
        self.cuda = _Cuda(device)

    def __repr__(self):
        return f"<skrapid's NumPy-on-PyTorch namespace, device {self.device}>"

    def __reduce__(self):
        return (namespace, (str(self.device),))

    def __getattr__(self, name):
        raise AttributeError(
            f"skrapid's PyTorch namespace has no {name!r} (the compute code "
            "used a NumPy function the PyTorch façade does not cover)"
        )

    # --- conversion -------------------------------------------------------
    def _t(self, x, dtype=None):
        """Any operand as a tensor on this device (a host array is copied)."""
        if dtype is None and type(x) is TorchArray and x.t.device == self.device:
            return x.t  # the common case, first
        torch = _torch()
        td = torch_dtype(dtype)
        if isinstance(x, TorchArray):
            x = x.t
        if isinstance(x, torch.Tensor):
            if x.device != self.device:
                x = x.to(self.device)
            return x if td is None else x.to(td)
        if isinstance(x, np.ndarray | np.generic):
            if isinstance(x, np.ndarray) and any(st < 0 for st in x.strides):
                x = np.ascontiguousarray(x)  # PyTorch takes no negative strides
            return torch.as_tensor(x, dtype=td, device=self.device)
        arr = np.asarray(x)
        if td is None and arr.dtype.kind == "f":
            td = torch.float64  # NumPy's default float
        return torch.as_tensor(arr, dtype=td, device=self.device)

    def asarray(self, a, dtype=None, order=None, copy=None):
        t = self._t(a, dtype)
        if copy and isinstance(a, TorchArray) and t is a.t:
            t = t.clone()
        return TorchArray(t)

    def array(self, a, dtype=None, copy=True, ndmin=0):
        t = self._t(a, dtype)
        if copy:
            t = t.clone()
        while t.dim() < ndmin:
            t = t.unsqueeze(0)
        return TorchArray(t)

    def ascontiguousarray(self, a, dtype=None):
        return TorchArray(self._t(a, dtype).contiguous())

    def asnumpy(self, a):
        return to_numpy(a)

    def from_dlpack(self, a):
        """A CuPy array (or any DLPack exporter) on this device, no copy."""
        return TorchArray(_torch().from_dlpack(a).to(self.device))

    # --- factories (always on this device) --------------------------------
    def _dt(self, dtype):
        return torch_dtype(np.float64 if dtype is None else dtype)

    def empty(self, shape, dtype=None, order="C"):
        return TorchArray(
            _torch().empty(shape, dtype=self._dt(dtype), device=self.device)
        )

    def zeros(self, shape, dtype=None, order="C"):
        return TorchArray(
            _torch().zeros(shape, dtype=self._dt(dtype), device=self.device)
        )

    def ones(self, shape, dtype=None, order="C"):
        return TorchArray(
            _torch().ones(shape, dtype=self._dt(dtype), device=self.device)
        )

    def full(self, shape, fill_value, dtype=None, order="C"):
        fill_value = _raw(fill_value)
        if dtype is None:
            dtype = np.asarray(fill_value).dtype
        return TorchArray(
            _torch().full(
                shape if isinstance(shape, tuple | list) else (shape,),
                fill_value,
                dtype=torch_dtype(dtype),
                device=self.device,
            )
        )

    def eye(self, n, m=None, dtype=None):
        return TorchArray(
            _torch().eye(
                n, n if m is None else m, dtype=self._dt(dtype), device=self.device
            )
        )

    def _like(self, a, dtype):
        return torch_dtype(a.dtype if dtype is None else dtype)

    def empty_like(self, a, dtype=None):
        return TorchArray(
            _torch().empty(a.shape, dtype=self._like(a, dtype), device=self.device)
        )

    def zeros_like(self, a, dtype=None):
        return TorchArray(
            _torch().zeros(a.shape, dtype=self._like(a, dtype), device=self.device)
        )

    def ones_like(self, a, dtype=None):
        return TorchArray(
            _torch().ones(a.shape, dtype=self._like(a, dtype), device=self.device)
        )

    def full_like(self, a, fill_value, dtype=None):
        return self.full(a.shape, fill_value, dtype=a.dtype if dtype is None else dtype)

    def arange(self, start, stop=None, step=1, dtype=None):
        if stop is None:
            start, stop = 0, start
        if dtype is None:
            floats = any(isinstance(v, float) for v in (start, stop, step))
            dtype = np.float64 if floats else np.int64
        return TorchArray(
            _torch().arange(
                start, stop, step, dtype=torch_dtype(dtype), device=self.device
            )
        )

    def linspace(self, start, stop, num=50, endpoint=True, dtype=None):
        torch = _torch()
        if not endpoint:
            stop = start + (stop - start) * (num - 1) / num if num > 1 else stop
        return TorchArray(
            torch.linspace(
                float(start),
                float(stop),
                num,
                dtype=self._dt(dtype),
                device=self.device,
            )
        )

    # --- elementwise --------------------------------------------------------
    def _unary(self, fn, x, out=None, dtype=None):
        t = self._t(x)
        if dtype is not None:
            t = t.to(torch_dtype(dtype))
        return _into(fn(t), out)

    def cbrt(self, x, out=None, dtype=None):
        torch = _torch()
        return self._unary(
            lambda t: torch.sign(t) * t.abs().pow(1.0 / 3.0), x, out, dtype
        )

    def _scalar(self, v, like=None):
        """A Python scalar as a 0-d tensor on this device: a float takes the
        float dtype of ``like`` (NumPy keeps the array's precision), else
        float64; an int or a bool its own kind."""
        torch = _torch()
        dtype = None
        if isinstance(v, float):
            floating = like is not None and like.is_floating_point()
            dtype = like.dtype if floating else torch.float64
        return torch.as_tensor(v, dtype=dtype, device=self.device)

    def _pair(self, a, b):
        """Two operands as tensors, except a Python scalar ``b``, which
        PyTorch's operators take as it is (its promotion then keeps the
        tensor's precision, as NumPy's does)."""
        torch = _torch()
        a, b = _raw(a), _raw(b)
        if not isinstance(b, torch.Tensor | int | float | bool):
            b = self._t(b)
        if not isinstance(a, torch.Tensor):
            if isinstance(a, int | float | bool):
                a = self._scalar(a, b if isinstance(b, torch.Tensor) else None)
            else:
                a = self._t(a)
        return a, b

    def _binop(self, fn, a, b, out=None, dtype=None):
        a, b = self._pair(a, b)
        res = fn(*_numpy_kinds(a, b, fn))
        if dtype is not None:
            res = res.to(torch_dtype(dtype))
        return _into(res, out)

    def _scalar_ok(self, fn):
        """``fn`` of two tensors, called with a Python scalar second operand."""

        def call(a, b):
            if not isinstance(b, _torch().Tensor):
                b = self._scalar(b, a)
            return fn(a, b)

        return call

    def clip(self, a, a_min=None, a_max=None, out=None):
        return _into(_torch().clamp(self._t(a), _raw(a_min), _raw(a_max)), out)

    def where(self, cond, x=None, y=None):
        torch = _torch()
        c = self._t(cond)
        if x is None and y is None:
            return _wrap(tuple(torch.nonzero(c, as_tuple=True)))
        x, y = _raw(x), _raw(y)
        if not isinstance(x, torch.Tensor):
            x = self._scalar(x, y if isinstance(y, torch.Tensor) else None)
        if not isinstance(y, torch.Tensor):
            y = self._scalar(y, x)
        if x.dtype != y.dtype:
            common = torch.promote_types(x.dtype, y.dtype)
            x, y = x.to(common), y.to(common)
        return TorchArray(torch.where(c, x, y))

    # --- reductions -------------------------------------------------------
    def _reduce(self, fn, a, axis, dtype, out, keepdims):
        t = self._t(a)
        if dtype is not None:
            t = t.to(torch_dtype(dtype))
        axis = _axis(axis)
        if axis is None:
            res = fn(t)
            if keepdims:
                res = res.reshape((1,) * t.dim())
        else:
            res = fn(t, dim=axis, keepdim=keepdims)
        return _into(res, out)

    def sum(self, a, axis=None, dtype=None, out=None, keepdims=False):
        torch = _torch()
        t = self._t(a)
        if dtype is None and t.dtype == torch.bool:
            dtype = np.int64
        return self._reduce(torch.sum, t, axis, dtype, out, keepdims)

    def prod(self, a, axis=None, dtype=None, out=None, keepdims=False):
        torch = _torch()

        def prod(t, dim=None, keepdim=False):
            if dim is None:
                return torch.prod(t)
            for d in sorted((dim,) if isinstance(dim, int) else dim, reverse=True):
                t = torch.prod(t, dim=d, keepdim=keepdim)
            return t

        return self._reduce(prod, a, axis, dtype, out, keepdims)

    def mean(self, a, axis=None, dtype=None, out=None, keepdims=False):
        torch = _torch()
        t = self._t(a)
        if dtype is None and not t.is_floating_point():
            dtype = np.float64
        return self._reduce(torch.mean, t, axis, dtype, out, keepdims)

    def max(self, a, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce(_torch().amax, a, axis, dtype, out, keepdims)

    amax = max

    def min(self, a, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce(_torch().amin, a, axis, dtype, out, keepdims)

    amin = min

    def var(self, a, axis=None, dtype=None, out=None, keepdims=False, ddof=0):
        torch = _torch()
        return self._reduce(
            functools.partial(torch.var, correction=ddof), a, axis, dtype, out, keepdims
        )

    def std(self, a, axis=None, dtype=None, out=None, keepdims=False, ddof=0):
        torch = _torch()
        return self._reduce(
            functools.partial(torch.std, correction=ddof), a, axis, dtype, out, keepdims
        )

    def any(self, a, axis=None, out=None, keepdims=False):
        return self._reduce(_torch().any, a, axis, None, out, keepdims)

    def all(self, a, axis=None, out=None, keepdims=False):
        return self._reduce(_torch().all, a, axis, None, out, keepdims)

    def count_nonzero(self, a, axis=None):
        return TorchArray(_torch().count_nonzero(self._t(a), dim=axis))

    def argmax(self, a, axis=None):
        return TorchArray(_torch().argmax(self._t(a), dim=axis))

    def argmin(self, a, axis=None):
        return TorchArray(_torch().argmin(self._t(a), dim=axis))

    def cumsum(self, a, axis=None, dtype=None, out=None):
        t = self._t(a, dtype)
        if axis is None:
            t, axis = t.reshape(-1), 0
        return _into(_torch().cumsum(t, dim=axis), out)

    # --- shapes and linear algebra ------------------------------------------
    def matmul(self, a, b, out=None):
        a, b = self._t(a), self._t(b)
        if (
            out is not None
            and out.t.dtype == a.dtype == b.dtype
            and out.t.is_contiguous()
        ):
            _torch().matmul(a, b, out=out.t)
            return out
        return _into(a @ b, out)

    def dot(self, a, b, out=None):
        return self.matmul(a, b, out=out)

    def outer(self, a, b):
        return TorchArray(
            _torch().outer(self._t(a).reshape(-1), self._t(b).reshape(-1))
        )

    def einsum(self, spec, *operands):
        return TorchArray(_torch().einsum(spec, *(self._t(o) for o in operands)))

    def concatenate(self, arrays, axis=0):
        return TorchArray(_torch().cat([self._t(a) for a in arrays], dim=axis))

    def stack(self, arrays, axis=0):
        return TorchArray(_torch().stack([self._t(a) for a in arrays], dim=axis))

    def broadcast_to(self, a, shape):
        return TorchArray(self._t(a).expand(shape))

    def reshape(self, a, shape):
        return TorchArray(self._t(a).reshape(shape))

    def transpose(self, a, axes=None):
        return TorchArray(self._t(a)).transpose(*(axes or ()))

    def expand_dims(self, a, axis):
        return TorchArray(self._t(a).unsqueeze(axis))

    def diagonal(self, a, offset=0, axis1=0, axis2=1):
        return TorchArray(_torch().diagonal(self._t(a), offset, axis1, axis2))

    def diag(self, v, k=0):
        return TorchArray(_torch().diag(self._t(v), k))

    def take(self, a, indices, axis=None):
        t = self._t(a)
        idx = self._t(indices)
        if axis is None:
            return TorchArray(t.reshape(-1)[idx])
        return TorchArray(
            _torch()
            .index_select(t, axis, idx.reshape(-1))
            .reshape(t.shape[:axis] + idx.shape + t.shape[axis + 1 :])
        )

    def take_along_axis(self, a, indices, axis):
        return TorchArray(
            _torch().take_along_dim(self._t(a), self._t(indices), dim=axis)
        )

    def put_along_axis(self, a, indices, values, axis):
        idx = self._t(indices)
        values = _raw(values)
        if isinstance(values, _torch().Tensor):
            a.t.scatter_(axis, idx, values.expand(idx.shape).to(a.t.dtype))
        else:
            a.t.scatter_(axis, idx, values)

    def copyto(self, dst, src, **_):
        src = _raw(src)
        if isinstance(src, np.ndarray):
            raise TypeError("copyto from a NumPy array to a PyTorch-computed array")
        if not isinstance(src, _torch().Tensor):
            src = _torch().as_tensor(src, device=dst.t.device)
        dst.t.copy_(src)

    def searchsorted(self, a, v, side="left"):
        return TorchArray(
            _torch().searchsorted(self._t(a), self._t(v), right=side == "right")
        )

    def sort(self, a, axis=-1):
        return TorchArray(_torch().sort(self._t(a), dim=axis).values)

    def argsort(self, a, axis=-1):
        return TorchArray(_torch().argsort(self._t(a), dim=axis))

    def round(self, a, decimals=0, out=None):
        return _into(_torch().round(self._t(a), decimals=decimals), out)

    def nan_to_num(self, a, nan=0.0, posinf=None, neginf=None):
        return TorchArray(
            _torch().nan_to_num(self._t(a), nan=nan, posinf=posinf, neginf=neginf)
        )

    def result_type(self, *args):
        return np.result_type(
            *(a.dtype if isinstance(a, TorchArray) else a for a in args)
        )

    def finfo(self, dtype):
        return np.finfo(dtype)


def _unary_function(name, torch_name):
    def function(self, x, out=None, dtype=None):
        return self._unary(getattr(_torch(), torch_name), x, out, dtype)

    function.__name__ = name
    return function


def _binary_function(name, op):
    """NumPy's binary function ``name``: an operator, or the name of a
    PyTorch function (which needs a tensor for a Python scalar operand)."""

    def function(self, a, b, out=None, dtype=None):
        fn = self._scalar_ok(getattr(_torch(), op)) if isinstance(op, str) else op
        return self._binop(fn, a, b, out, dtype)

    function.__name__ = name
    return function


# NumPy's name: PyTorch's
for _np_name, _torch_name in {
    "exp": "exp",
    "expm1": "expm1",
    "log": "log",
    "log1p": "log1p",
    "sqrt": "sqrt",
    "abs": "abs",
    "absolute": "abs",
    "tanh": "tanh",
    "sign": "sign",
    "square": "square",
    "floor": "floor",
    "ceil": "ceil",
    "negative": "neg",
    "isfinite": "isfinite",
    "isnan": "isnan",
    "isinf": "isinf",
    "logical_not": "logical_not",
}.items():
    setattr(Namespace, _np_name, _unary_function(_np_name, _torch_name))
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
    setattr(Namespace, _np_name, _binary_function(_np_name, _np_name))


class _Linalg:
    def __init__(self, ns):
        self._ns = ns

    def norm(self, x, ord=None, axis=None, keepdims=False):
        return TorchArray(
            _torch().linalg.norm(
                self._ns._t(x), ord=ord, dim=_axis(axis), keepdim=keepdims
            )
        )

    def inv(self, a):
        return TorchArray(_torch().linalg.inv(self._ns._t(a)))

    def cholesky(self, a):
        """As CuPy: NaN (not an exception) for a matrix that is not positive
        definite."""
        torch = _torch()
        L, info = torch.linalg.cholesky_ex(self._ns._t(a))
        failed = (info != 0)[..., None, None]  # no device-to-host read
        return TorchArray(torch.where(failed, torch.full_like(L, math.nan), L))

    def eigh(self, a):
        w, v = _torch().linalg.eigh(self._ns._t(a))
        return TorchArray(w), TorchArray(v)

    def eigvalsh(self, a):
        return TorchArray(_torch().linalg.eigvalsh(self._ns._t(a)))

    def slogdet(self, a):
        s, ld = _torch().linalg.slogdet(self._ns._t(a))
        return TorchArray(s), TorchArray(ld)

    def solve(self, a, b):
        return TorchArray(_torch().linalg.solve(self._ns._t(a), self._ns._t(b)))

    def solve_triangular(self, a, b, lower=True):
        return TorchArray(
            _torch().linalg.solve_triangular(
                self._ns._t(a), self._ns._t(b), upper=not lower
            )
        )


class _Special:
    """The special functions skrapid uses (SciPy's names), on the device."""

    def __init__(self, ns):
        self._ns = ns

    def _f(self, fn, x):
        return TorchArray(fn(self._ns._t(x)))

    def expit(self, x):
        return self._f(_torch().special.expit, x)

    def log_expit(self, x):
        return self._f(_torch().nn.functional.logsigmoid, x)

    def erfc(self, x):
        return self._f(_torch().special.erfc, x)

    def erfcx(self, x):
        return self._f(_torch().special.erfcx, x)

    def log_ndtr(self, x):
        return self._f(_torch().special.log_ndtr, x)

    def ndtr(self, x):
        return self._f(_torch().special.ndtr, x)

    def ndtri(self, x):
        return self._f(_torch().special.ndtri, x)

    def ndtri_exp(self, y):
        """Φ⁻¹(exp(y)) for y ≤ 0, down the far tail where exp(y) underflows:
        Φ⁻¹(e^y) directly where e^y is representable, else the tail's
        asymptotic start and Newton steps on log Φ(x) = y."""
        torch = _torch()
        y = self._ns._t(y)
        direct = torch.special.ndtri(torch.exp(y))
        # both branches everywhere: no device-to-host read to choose
        yy = torch.clamp(y, min=-1e300, max=-20.0)
        x = -torch.sqrt(-2 * yy - torch.log(-2 * yy) - math.log(2 * math.pi))
        for _ in range(6):  # d/dx log Φ(x) = φ(x)/Φ(x)
            lp = torch.special.log_ndtr(x)
            logphi = -0.5 * x * x - 0.5 * math.log(2 * math.pi)
            x = x - (lp - yy) / torch.exp(logphi - lp)
        x = torch.where(y == -math.inf, torch.full_like(x, -math.inf), x)
        return TorchArray(torch.where(y < -20.0, x, direct))

    def logsumexp(self, a, axis=None, keepdims=False):
        t = self._ns._t(a)
        if axis is None:
            res = _torch().logsumexp(t.reshape(-1), dim=0)
            return TorchArray(res.reshape((1,) * t.dim()) if keepdims else res)
        return TorchArray(_torch().logsumexp(t, dim=_axis(axis), keepdim=keepdims))

    def gammaln(self, x):
        return self._f(_torch().special.gammaln, x)


class _Cuda:
    def __init__(self, device):
        self._device = device

    def Device(self, *_):  # noqa: N802 -- CuPy's spelling
        return self

    def synchronize(self):
        torch = _torch()
        if self._device.type == "cuda":
            torch.cuda.synchronize(self._device)


# ---------------------------------------------------------------------------
# random numbers: a torch.Generator on the device
# ---------------------------------------------------------------------------
class _Random:
    def __init__(self, ns):
        self._ns = ns

    def default_rng(self, seed=None):
        return Generator(seed, self._ns)


def _size(size):
    if size is None:
        return ()
    return (size,) if isinstance(size, int | np.integer) else tuple(size)


class Generator:
    """NumPy's ``Generator`` methods that skrapid uses, drawn by a
    ``torch.Generator`` on the namespace's device, seeded from ``seed``."""

    def __init__(self, seed, ns):
        torch = _torch()
        self._ns = ns
        self._gen = torch.Generator(device=ns.device)
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self._gen.manual_seed(int(seed) % (2**63))

    def _fill(self, draw, size, dtype, out):
        torch = _torch()
        if out is not None:
            draw(out.t)
            return out
        t = torch.empty(
            _size(size), dtype=torch_dtype(dtype or np.float64), device=self._ns.device
        )
        draw(t)
        return TorchArray(t)

    def random(self, size=None, dtype=np.float64, out=None):
        return self._fill(
            lambda t: t.uniform_(0.0, 1.0, generator=self._gen), size, dtype, out
        )

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        return self._fill(
            lambda t: t.normal_(0.0, 1.0, generator=self._gen), size, dtype, out
        )

    def normal(self, loc=0.0, scale=1.0, size=None):
        z = self.standard_normal(size)
        return z * _raw(scale) + _raw(loc)

    def uniform(self, low=0.0, high=1.0, size=None, dtype=np.float64):
        return self._fill(
            lambda t: t.uniform_(float(low), float(high), generator=self._gen),
            size,
            dtype,
            None,
        )

    def standard_exponential(self, size=None, dtype=np.float64, out=None):
        return self._fill(
            lambda t: t.exponential_(1.0, generator=self._gen), size, dtype, out
        )

    def exponential(self, scale=1.0, size=None):
        return self.standard_exponential(size) * _raw(scale)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        torch = _torch()
        if high is None:
            low, high = 0, low
        high = int(high) + (1 if endpoint else 0)
        t = torch.randint(
            int(low),
            high,
            _size(size),
            generator=self._gen,
            dtype=torch_dtype(dtype),
            device=self._ns.device,
        )
        return TorchArray(t)

    def permutation(self, n):
        torch = _torch()
        return TorchArray(
            torch.randperm(int(n), generator=self._gen, device=self._ns.device)
        )

    def __getattr__(self, name):
        raise AttributeError(
            f"skrapid's PyTorch generator has no {name!r} (a NumPy Generator "
            "method the PyTorch façade does not cover)"
        )
