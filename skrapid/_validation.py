"""Input validation of the skrapid estimators, and the fitted model that
validated input meets.

:class:`_ValidationMixin` checks X at the boundary of every public method
(NumPy through scikit-learn's ``validate_data``, CuPy on the device, SciPy
sparse as CSR where the estimator takes it) and builds the fitted model on the
device chosen for X.  :func:`_by_rows` applies a row-wise function to a sparse
X a chunk of rows at a time; :func:`_check_device_array` is ``check_array``
for CuPy arrays.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _backend as B

#: Rows of a SciPy sparse X made dense at a time by the predictions.
SPARSE_CHUNK_ROWS = 1000
#: Density (stored values / entries) up to which the predictions multiply a
#: sparse X directly (sparse-dense products); above it they densify chunks of
#: rows for BLAS, which is faster there (measured crossover 0.1-0.15 with
#: 784 visible and 100-500 hidden units, float32 and float64).
SPARSE_PRODUCT_DENSITY = 0.1


def _total_memory():
    """Physical memory in bytes (None where the platform does not say)."""
    import os

    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(need, what, advice):
    """Refuse an allocation of ``need`` bytes that cannot fit in half the
    machine's memory, before it is attempted: a ``MemoryError`` that says
    what needed it, how much, and ``advice(fraction)`` (what to do, given the
    share of the request that would fit)."""
    total = _total_memory()
    if total is not None and need > total / 2:
        raise MemoryError(
            f"{what} needs {need / 2**30:.3g} GiB, more than half of this "
            f"machine's {total / 2**30:.3g} GiB. " + advice(total / 2 / need)
        )


def _by_rows(fn, X):
    """``fn(X)``, a function of the rows of X with one result per row.

    Computed on blocks of rows written into one output, so that the working
    memory (fields, activations) stays a block's worth whatever the number of
    rows: dense X in views of :func:`_dense_block_rows` rows; SciPy sparse X
    as sparse row blocks when it is sparse enough for sparse-dense products
    to pay, else as dense blocks of ``SPARSE_CHUNK_ROWS`` rows (X is never
    made dense as a whole)."""
    n, V = X.shape
    if not B.issparse(X):
        step = _dense_block_rows(V)
        if n <= step:
            return fn(X)
        return _blocks(fn, X, step, lambda rows: rows)
    if X.nnz <= SPARSE_PRODUCT_DENSITY * n * V:
        # sparse row blocks: a block's dense results (fields: rows x hidden
        # units) stay small next to the sparse input itself
        step = SPARSE_CHUNK_ROWS
        return fn(X) if n <= step else _blocks(fn, X, step, lambda rows: rows)
    if n <= SPARSE_CHUNK_ROWS:
        return fn(X.toarray())
    buf = {}

    def dense(rows):
        if buf.get("a") is None or buf["a"].shape[0] != rows.shape[0]:
            buf["a"] = np.empty(rows.shape, dtype=X.dtype)
        return rows.toarray(out=buf["a"])

    return _blocks(fn, X, SPARSE_CHUNK_ROWS, dense)


#: Values (rows x features) of one block of :func:`_by_rows`.
DENSE_BLOCK_VALUES = 2**20


def _dense_block_rows(n_features):
    return max(1024, DENSE_BLOCK_VALUES // max(1, n_features))


def _blocks(fn, X, step, prepare):
    """``fn`` on blocks of ``step`` rows of X, into one output."""
    n = X.shape[0]
    out = None
    for start in range(0, n, step):
        part = fn(prepare(X[start : start + step]))
        if out is None:
            xp = B.get_namespace(part)
            out = xp.empty((n,) + tuple(part.shape[1:]), dtype=part.dtype)
        out[start : start + part.shape[0]] = part
    return out


def _check_device_array(A, name):
    """The checks ``check_array`` makes, done on the device for a CuPy array
    (``check_array`` would convert it with ``np.asarray``, which CuPy
    refuses): 2-D, floating point (float32 kept, others made float64),
    finite.  One device->host transfer (the finiteness flag)."""
    xp = B.get_namespace(A)
    if A.ndim != 2:
        raise ValueError(f"Expected a 2D array, got an array of shape {A.shape}.")
    if A.dtype not in (xp.float32, xp.float64):
        A = A.astype(xp.float64)
    # scikit-learn's fast check: a finite sum needs no elementwise pass
    if not bool(xp.isfinite(xp.sum(A))) and not bool(xp.isfinite(A).all()):
        raise ValueError(f"Input {name} contains NaN or infinity.")
    return A


def _is_fitted_array(key, value):
    """A public fitted array attribute (``components_``, ...)."""
    if key.startswith("_") or not key.endswith("_"):
        return False
    return (
        isinstance(value, np.ndarray)
        or B.is_cupy_array(value)
        or B.is_foreign_array(value)
    )


def _calling_method(est):
    """The name of the public method of ``est`` this call came through."""
    import sys

    frame = sys._getframe(2)
    name = "fit"
    while frame is not None:
        code = frame.f_code.co_name
        if (
            frame.f_locals.get("self") is est
            and not code.startswith("_")
            and callable(getattr(type(est), code, None))
        ):
            name = code
        frame = frame.f_back
    return name


def _check_same_space(est, X):
    """Under Array API dispatch: X must come from the namespace and device
    the model was fitted in (scikit-learn's ``check_same_namespace``)."""
    fitted, given = B.space_key(est.components_), B.space_key(X)
    if fitted == given:
        return
    if fitted[0] == given[0]:
        what = f"Devices used during fit ({fitted[1]}) and now ({given[1]}) differ."
    else:
        b = "numpy or array-like" if given[0] == "numpy" else given[0]
        what = f"Array namespaces used during fit ({fitted[0]}) and now ({b}) differ."
    method = _calling_method(est)
    raise ValueError(
        f"Inputs passed to {type(est).__name__}.{method}() must use the same "
        f"namespace and the same device as those passed to fit(). {what} Move "
        "the input there, or bring the estimator to NumPy with "
        "skrapid.to_numpy(estimator) and pass NumPy input."
    )


class _ValidationMixin:
    """Input checks and the fitted model on a device.

    Needs from the estimator: ``_check_values`` (the model's support),
    ``_check_signature``, ``_model``, ``_load_parameters`` and
    ``_to_model_space`` (:class:`~skrapid._base.BaseRBM` and its families).
    """

    def _validate_X(self, X, *, reset: bool, likelihood=False, training=False):
        """Check X at the boundary: shape, finiteness, dtype, value range.

        NumPy inputs go through :func:`sklearn.utils.validation.validate_data`;
        CuPy inputs are checked on the device with the same messages.  SciPy
        sparse inputs, where :meth:`_accepts_sparse` allows them, come back
        as CSR in canonical format (finiteness and values checked on the
        stored values); otherwise validate_data refuses them.
        """
        X = self._from_input_space(X, reset=reset)
        return self._check_X(X, reset=reset, likelihood=likelihood, training=training)

    def _check_X(self, X, *, reset, likelihood=False, training=False):
        """:meth:`_validate_X` of an X that is NumPy, CuPy, a façade array
        (:mod:`skrapid._xpnp`), SciPy sparse or array-like (a foreign array
        has been read where skrapid computes on it)."""
        if B.is_device_array(X):
            X = _check_device_array(X, "X")
            if reset:
                self.n_features_in_ = X.shape[1]
            elif X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is "
                    f"expecting {self.n_features_in_} features as input."
                )
        else:
            sparse = B.issparse(X) and self._accepts_sparse()
            X = validate_data(
                self,
                X,
                reset=reset,
                dtype=[np.float64, np.float32],
                accept_sparse=["csr"] if sparse else False,
            )
            if sparse and not X.has_canonical_format:  # sum duplicate entries
                X = X.copy()
                X.sum_duplicates()
        self._check_values(X, likelihood=likelihood, training=training)
        return X

    # ------------------------------------------------------------------
    # the input's array namespace (scikit-learn's Array API convention)
    # ------------------------------------------------------------------
    def _from_input_space(self, X, *, reset):
        """A foreign X (PyTorch, array_api_strict, ...) where skrapid computes
        on it, on its device (:func:`skrapid._backend.from_foreign`: its own
        library for a PyTorch tensor or an array_api_strict array under
        dispatch, NumPy or CuPy otherwise).  Under Array API
        dispatch, a fit remembers its namespace and device (the fitted
        attributes go there, :meth:`_attributes_to_host`) and a fitted
        model refuses input from another namespace or device, as scikit-learn's
        estimators do."""
        if reset:
            self.__dict__.pop("_input_space", None)
            foreign = B.is_foreign_array(X) or B.is_cupy_array(X)
            if foreign and B.dispatch_enabled():
                self._input_space = B.space_of(X)
        elif B.dispatch_enabled() and hasattr(self, "components_"):
            _check_same_space(self, X)
        if not B.is_foreign_array(X):
            return X
        return B.from_foreign(X, host=self.device == "cpu")

    def _attributes_to_host(self):
        """Bring the public array attributes to NumPy for training, and return
        where they must go afterwards: the fit's input space (a fresh fit under
        dispatch, recorded by :meth:`_from_input_space`), else the space the
        attributes were in (a partial fit continues there), else None
        (NumPy)."""
        space = self.__dict__.pop("_input_space", None)
        attr = getattr(self, "components_", None)
        if space is None and attr is not None and not isinstance(attr, np.ndarray):
            space = B.space_of(attr)
        for key, value in list(vars(self).items()):
            if _is_fitted_array(key, value) and not isinstance(value, np.ndarray):
                setattr(self, key, B.to_numpy(value))  # CuPy or foreign
        return space

    def _attributes_to_space(self, space):
        """Move the public array attributes to ``space`` (None: leave them
        NumPy).  Nothing about the space stays on the estimator, so it
        pickles as its arrays do."""
        if space is None:
            return
        for key, value in list(vars(self).items()):
            if _is_fitted_array(key, value):
                setattr(self, key, B.to_space(value, space))

    def _accepts_sparse(self):
        """Hook: whether this estimator takes SciPy sparse X (converted to
        CSR).  A configuration that cannot raises a ValueError saying why;
        False lets validate_data refuse it."""
        return False

    def _dtype_for(self, X):
        return np.float32 if X.dtype == np.float32 else np.float64

    # ------------------------------------------------------------------
    # the fitted model on a device
    # ------------------------------------------------------------------
    def _fitted_model(self, X=None, *, host=False):
        """(model, xp) for the fitted parameters, on the device chosen for X
        (with ``host``: on NumPy, for a computation made on the host)."""
        check_is_fitted(self, "components_")
        self._check_signature()
        if host:
            xp = np
        else:
            ref = self._attribute_reference() if X is None else X
            xp = B.resolve_namespace(self.device, *(() if ref is None else (ref,)))
        dtype = B.numpy_dtype(self.components_)
        return self._model(self._load_parameters(xp, dtype), xp), xp

    def _attribute_reference(self):
        """Without X, work runs where the fitted attributes live: a CuPy array,
        or (under dispatch) a PyTorch tensor or an array_api_strict array as
        its own library computes it (:mod:`skrapid._xpnp`); None (NumPy)
        otherwise."""
        attr = self.components_
        if B.is_cupy_array(attr):
            return attr
        if B.dispatch_enabled() and B.is_foreign_array(attr):
            a = B.from_foreign(attr)
            return a if B.is_device_array(a) else None
        return None

    def _prepare(self, X, *, likelihood=False):
        check_is_fitted(self, "components_")
        self._check_signature()  # before X is checked against the current units
        Xv = self._validate_X(X, reset=False, likelihood=likelihood)
        model, xp = self._fitted_model(Xv)
        if B.issparse(Xv):  # stays sparse on the host: see _by_rows
            return Xv.astype(model.dtype, copy=False), model, xp
        return self._to_model_space(B.to_device(Xv, xp, model.dtype), xp), model, xp
