"""The base class of every skrapid estimator: validation, training loop, scoring.

A model family subclasses :class:`BaseRBM` and defines a handful of private
methods -- how its parameters are initialized and stored, the
:class:`~skrapid._units.Bipartite` energy they define, and the gradient of the
log-likelihood for a minibatch.  Everything else (epochs, minibatches,
shuffling, optimizers, weight decay, learning-rate decay, ``history_``,
``verbose`` lines, divergence checks, ``partial_fit``, the scikit-learn methods,
log Z with its cache, sampling) lives here once.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _backend as B
from ._optim import learning_rate_at, make_optimizer
from ._partition import (
    AUTO_EXACT_UNITS,
    adaptive_betas,
    ais_log_partition,
    base_rate_bias,
    default_betas,
    enumerable_units,
    exact_log_partition,
)
from ._progress import ProgressReporter, _tqdm, format_duration
from ._sampling import (
    TemperedChains,
    gibbs_chain,
    gibbs_from_hidden_field,
    random_states,
)


def _skrapid_version():
    from . import __version__

    return __version__


class InconsistentVersionWarning(UserWarning):
    """Warning raised when a skrapid estimator is unpickled with a skrapid
    version other than the one that pickled it.

    As with scikit-learn's own estimators, such a model may give wrong
    results or fail: refit it with the installed version, or install the
    version that wrote it.

    Parameters
    ----------
    estimator_name : str
        Class name of the unpickled estimator.
    original_version : str
        The skrapid version that wrote the pickle (``"unknown"`` for pickles
        written before versions were recorded).
    current_version : str
        The installed skrapid version.

    Examples
    --------
    >>> import pickle, warnings
    >>> import numpy as np
    >>> from skrapid import BinaryRBM, InconsistentVersionWarning
    >>> rbm = BinaryRBM(n_components=2, max_iter=1).fit(np.eye(3))
    >>> state = dict(rbm.__getstate__(), _skrapid_version="0.0.1")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     BinaryRBM.__new__(BinaryRBM).__setstate__(state)
    >>> caught[0].category is InconsistentVersionWarning
    True
    >>> caught[0].message.original_version
    '0.0.1'
    """

    def __init__(self, *, estimator_name, original_version, current_version):
        self.estimator_name = estimator_name
        self.original_version = original_version
        self.current_version = current_version

    def __str__(self):
        return (
            f"Trying to unpickle estimator {self.estimator_name} from skrapid "
            f"version {self.original_version} when using version "
            f"{self.current_version}. This might lead to breaking code or invalid "
            "results. Use at your own risk: refit the model with this version, or "
            "install the version that wrote it."
        )


class TrainingDivergedError(FloatingPointError):
    """Raised when training diverges: non-finite parameters, or a collapse
    while the numbers stay finite (the pseudo-log-likelihood of the training
    data worse than twice a uniform model's).

    The message says at which epoch it happened and what to change (a
    learning rate that works, some ``weight_decay``, ...).  The estimator
    keeps the model of the last epoch that finished without diverging (it is
    left unfitted when the first epoch of a fresh fit diverged).


    Examples
    --------
    >>> from skrapid import GaussianRBM, TrainingDivergedError
    >>> from skrapid.datasets import lattice_kernel
    >>> rbm = GaussianRBM(n_components=10, mu2=9.0, method="exact",
    ...                   learning_rate=200.0, max_iter=50)
    >>> try:
    ...     rbm.fit_covariance(kernel=lattice_kernel(10, m2=0.05))
    ... except TrainingDivergedError as err:
    ...     print(type(err).__name__, "lower learning_rate" in str(err))
    KernelNotPositiveDefiniteError True
    """


def _add_gradient_norms(acc, grads, xp):
    """verbose >= 2: add each gradient's norm to ``acc["sums"]`` (device
    scalars: no host synchronization per update) and count the update."""
    sums = acc.setdefault("sums", {})
    for k, g in grads.items():
        if getattr(g, "ndim", 0):
            norm = xp.linalg.norm(g)
            sums[k] = norm if k not in sums else sums[k] + norm
    acc["updates"] = acc.get("updates", 0) + 1


def _format_monitored(name, value):
    """One monitored quantity for a verbose line (arrays as their range)."""
    label = name.replace("_", " ")
    if np.ndim(value):
        a = np.asarray(value)
        return f"{label} [{a.min():.4g} .. {a.max():.4g}]"
    return f"{label} {value:.4f}"


#: Rows of a SciPy sparse X made dense at a time by the predictions.
SPARSE_CHUNK_ROWS = 1000
#: Density (stored values / entries) up to which the predictions multiply a
#: sparse X directly (sparse-dense products); above it they densify chunks of
#: rows for BLAS, which is faster there (measured crossover 0.1-0.15 with
#: 784 visible and 100-500 hidden units, float32 and float64).
SPARSE_PRODUCT_DENSITY = 0.1


def _by_rows(fn, X):
    """``fn(X)``, a function of the rows of X with one result per row.

    For a SciPy sparse X: ``fn`` of X itself when X is sparse enough for
    sparse-dense products to pay, else of dense chunks of
    ``SPARSE_CHUNK_ROWS`` rows, written into one output; X is never made
    dense as a whole."""
    if not B.issparse(X):
        return fn(X)
    n, V = X.shape
    if X.nnz <= SPARSE_PRODUCT_DENSITY * n * V:
        return fn(X)
    if n <= SPARSE_CHUNK_ROWS:
        return fn(X.toarray())
    out = buf = None
    for start in range(0, n, SPARSE_CHUNK_ROWS):
        rows = X[start : start + SPARSE_CHUNK_ROWS]
        if buf is None or buf.shape[0] != rows.shape[0]:
            buf = np.empty(rows.shape, dtype=X.dtype)
        part = fn(rows.toarray(out=buf))
        if out is None:
            out = np.empty((n,) + part.shape[1:], dtype=part.dtype)
        out[start : start + rows.shape[0]] = part
    return out


class _Minibatches:
    """An epoch over data X: shuffled minibatches of ``batch_size`` rows (the
    last one shorter when the size does not divide).  A SciPy sparse (CSR) X
    stays sparse: each minibatch is made dense on its own."""

    def __init__(self, X, batch_size, xp):
        self.X, self.xp = X, xp
        self.n_features = X.shape[1]
        self.batch = min(batch_size, X.shape[0])

    def batches(self, host_rs, ws=None):
        X, xp = self.X, self.xp
        n = X.shape[0]
        order = host_rs.permutation(n)
        if xp is not np:  # one host-to-device copy per epoch, not per batch
            order = B.to_device(order, xp)
        for start in range(0, n, self.batch):
            idx = order[start : start + self.batch]
            if B.issparse(X):  # CSR rows: only this minibatch is made dense
                out = (
                    None
                    if ws is None
                    else ws.get("batch", (len(idx), X.shape[1]), X.dtype)
                )
                yield X[idx].toarray(out=out)
            elif ws is None:
                yield X[idx]
            else:  # gathered into a reused buffer
                yield xp.take(  # xp: np.take with a device buffer raises
                    X, idx, axis=0, out=ws.get("batch", (len(idx), X.shape[1]), X.dtype)
                )


#: Where the documentation lives: the estimators' HTML repr links to their
#: API pages under it, as scikit-learn's estimators do.
DOCS_URL = "https://skrapid.readthedocs.io/en/latest/"


class BaseRBM(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator, metaclass=ABCMeta
):
    """Shared machinery of the skrapid estimators (not for direct use).

    ``transform`` outputs one column per hidden unit, named
    ``<classname><i>`` by :meth:`get_feature_names_out` (``binaryrbm0``, ...),
    so ``set_output(transform="pandas")`` and pipelines' feature names work.
    """

    _doc_link_module = "skrapid"
    _doc_link_template = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"

    @property
    def _n_features_out(self):
        """Number of transformed output features: the hidden units."""
        return self.components_.shape[0]

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "optimizer": [StrOptions({"sgd", "adam"})],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_decay": [Interval(Real, 0, 1, closed="right")],
        "lr_decay_every": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "device": [StrOptions({"auto", "cpu", "gpu"})],
    }

    # ------------------------------------------------------------------
    # what a model family provides
    # ------------------------------------------------------------------
    @abstractmethod
    def _init_parameters(self, n_features, xp, dtype, rng, X):
        """Return the dict of trainable parameter arrays on ``xp``."""

    @abstractmethod
    def _store_parameters(self, params):
        """Write the fitted (NumPy) attributes from the parameter dict."""

    @abstractmethod
    def _load_parameters(self, xp, dtype):
        """Rebuild the parameter dict on ``xp`` from the fitted attributes."""

    @abstractmethod
    def _model(self, params, xp):
        """The :class:`Bipartite` energy defined by the parameters."""

    @abstractmethod
    def _gradient(self, params, X, xp, rng):
        """Log-likelihood gradient (ascent direction) for the minibatch X."""

    @abstractmethod
    def _check_values(self, X, *, likelihood: bool, training=False, what="X"):
        """Raise ValueError if X is outside the support of the model.

        ``likelihood``: X must be states (log p(x) is evaluated);
        ``training``: X is training data (fit / partial_fit).
        """

    def _decayed_keys(self):
        """Parameters that weight decay shrinks (weights, not biases)."""
        return ("W",)

    def _validate_model_size(self, n_features):
        """Hook: raise early when the chosen method cannot handle the size."""

    def _after_update(self, params):
        """Hook applied after every parameter update (constraints)."""

    def _after_epoch(self, params, xp, rng):
        """Hook applied after every epoch (e.g. binarizing patterns)."""

    def _monitor(self, model, X, xp):
        """Per-epoch monitored quantities, as a dict of floats."""
        return {}

    def _training_state_to_host(self, state):
        return state

    def _begin_training(self, xp, dtype):
        """Hook: set up per-training state (e.g. centring offsets)."""

    def _end_training(self):
        """Hook: store per-training state as fitted attributes."""

    def _make_negative_phase(self, covariance=False):
        """The :class:`~skrapid._negative.NegativePhase` of training (None
        when the family computes its negative phase otherwise)."""
        return None

    def _current_phase(self, covariance=False):
        """The negative phase of the running training (made on first use, so
        the gradient can also be evaluated outside :meth:`fit`)."""
        phase = getattr(self, "_phase", None)
        if phase is None:
            phase = self._phase = self._make_negative_phase(covariance=covariance)
        return phase

    # ------------------------------------------------------------------
    # input handling
    # ------------------------------------------------------------------
    _fingerprint_attrs = ("components_", "intercept_visible_", "intercept_hidden_")

    def _validate_X(self, X, *, reset: bool, likelihood=False, training=False):
        """Check X at the boundary: shape, finiteness, dtype, value range.

        NumPy inputs go through :func:`sklearn.utils.validation.validate_data`;
        CuPy inputs are checked on the device with the same messages.  SciPy
        sparse inputs, where :meth:`_accepts_sparse` allows them, come back
        as CSR in canonical format (finiteness and values checked on the
        stored values); otherwise validate_data refuses them.
        """
        if B.is_cupy_array(X):
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

    def _accepts_sparse(self):
        """Hook: whether this estimator takes SciPy sparse X (converted to
        CSR).  A configuration that cannot raises a ValueError saying why;
        False lets validate_data refuse it."""
        return False

    def _dtype_for(self, X):
        return np.float32 if X.dtype == np.float32 else np.float64

    # ------------------------------------------------------------------
    # randomness
    # ------------------------------------------------------------------
    def _host_random_state(self, random_state=None):
        """``random_state`` as a RandomState, or the persistent
        ``random_state_`` (whose stream then advances)."""
        if random_state is not None:
            return check_random_state(random_state)
        if not hasattr(self, "random_state_"):
            self.random_state_ = check_random_state(self.random_state)
        return self.random_state_

    def _device_rng(self, xp, random_state=None):
        """A native generator seeded from ``random_state`` or the persistent
        ``random_state_``."""
        return B.make_generator(xp, B.seed_from(self._host_random_state(random_state)))

    def _n_chains(self):
        """Persistent chains: ``n_chains``, or one per minibatch row."""
        n = getattr(self, "n_chains", None)
        return n if n is not None else self.batch_size

    # ------------------------------------------------------------------
    # training
    # ------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to X by ``max_iter`` epochs of minibatch training.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (NumPy or CuPy).  Sparse input (SciPy, converted to
            CSR) is taken by the binary estimators with
            ``units="bernoulli"``: only one minibatch at a time is made dense.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, max_iter=5, random_state=0).fit(X)
        >>> rbm.components_.shape, rbm.n_iter_
        ((2, 3), 5)
        """
        X = self._validate_X(X, reset=True, training=True)
        self.random_state_ = check_random_state(self.random_state)
        self._reset_fit_state()
        self._fit_signature = self._signature()
        self._guarded_train(X, self.max_iter, first=True)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Continue training with one pass (epoch) over X.

        The first call initializes the model; later calls keep the parameters,
        the optimizer state and any persistent chains, and advance the
        persistent random stream ``random_state_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (sparse as in :meth:`fit`).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The updated estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, random_state=0)
        >>> for chunk in (X[:10], X[10:]):
        ...     rbm = rbm.partial_fit(chunk)
        >>> rbm.n_iter_
        2
        """
        first = not hasattr(self, "components_")
        if not first:
            self._check_signature()
        X = self._validate_X(X, reset=first, training=True)
        if first:
            self._reset_fit_state()
            self._fit_signature = self._signature()
        self._guarded_train(X, 1, first=first, open_ended=True)
        return self

    def _guarded_train(self, X, n_epochs, *, first, open_ended=False):
        """:meth:`_train`, leaving a consistent estimator when it stops early.

        Every finished epoch is committed to the fitted attributes, so on an
        exception (a divergence) or ``KeyboardInterrupt`` the estimator holds
        the model of the last finished epoch, with its ``n_iter_`` and
        ``history_``.  A fresh fit stopped before its first epoch finished
        leaves the estimator unfitted (no stale parameters of an earlier fit).
        ``KeyboardInterrupt`` warns which epoch was kept and is re-raised.

        ``open_ended``: the number of epochs to come is unknown
        (``partial_fit``), so verbose lines give no ``/N`` and no ETA.
        """
        # the clock of the verbose lines: epochs of this call, out of n_epochs
        self._epoch_clock = (
            time.perf_counter(),
            getattr(self, "n_iter_", 0),
            None if open_ended else n_epochs,
        )
        try:
            self._train(X, n_epochs, first=first)
        except BaseException as exc:
            fresh = first and getattr(self, "n_iter_", 0) == 0
            if fresh:
                self._forget_fit()
            if isinstance(exc, KeyboardInterrupt):
                name = type(self).__name__
                if fresh:
                    msg = (
                        f"{name}.fit interrupted before its first epoch finished; "
                        "the estimator is not fitted."
                    )
                else:
                    msg = (
                        f"{name} training interrupted during epoch "
                        f"{self.n_iter_ + 1}; the estimator keeps the model of "
                        f"epoch {self.n_iter_} (continue with partial_fit)."
                    )
                warnings.warn(msg, UserWarning, stacklevel=3)
            raise
        finally:
            self.__dict__.pop("_epoch_clock", None)

    def _forget_fit(self):
        """Remove every fitted attribute (the estimator is unfitted again)."""
        for name in list(vars(self)):
            if name.endswith("_") and not name.startswith("__"):
                delattr(self, name)
        for name in ("_optimizer_state", "_logz_cache", "_moments", "_fit_signature"):
            self.__dict__.pop(name, None)

    # -- parameters that define the fitted model -----------------------------
    #: Constructor parameters that the fitted attributes depend on: changing
    #: one after fit (``set_params``) would silently change what the fitted
    #: model computes, so predictions and partial_fit refuse instead.
    _structural_params = ("n_components",)

    def _signature(self):
        return {p: getattr(self, p) for p in self._structural_params}

    def _check_signature(self):
        """Raise if a structural parameter changed since fit."""
        fitted = getattr(self, "_fit_signature", None)
        if fitted is None:  # fitted outside fit (from_sklearn), or an old pickle
            return
        for p, old in fitted.items():
            new = getattr(self, p)
            try:
                same = isinstance(new, str) == isinstance(old, str) and bool(new == old)
            except (TypeError, ValueError):
                same = new is old
            if not same:
                raise ValueError(
                    f"{type(self).__name__} was fitted with {p}={old!r}, but {p} "
                    f"is now {new!r} (set_params after fit): the fitted parameters "
                    f"belong to {p}={old!r}. Set it back with set_params({p}="
                    f"{old!r}), or refit with fit()."
                )

    def _reset_fit_state(self):
        self.n_iter_ = 0
        self.history_ = {"epoch": [], "time": [], "learning_rate": []}
        self._optimizer_state = None
        self._logz_cache = {}
        for attr in (
            "persistent_chains_",
            "persistent_hidden_",
            "tempered_chains_",
            "swap_acceptance_",
            "hidden_offset_",
            "visible_mean_",
            "n_samples_seen_",
        ):
            if hasattr(self, attr):
                delattr(self, attr)

    def _to_model_space(self, X, xp, *, fitting=False):
        """Hook: map input data to the model's variables (GaussianRBM centres)."""
        return X

    def _from_model_space(self, V, xp):
        """Hook: inverse of :meth:`_to_model_space` for visible states."""
        return V

    def _training_source(self, X, xp, dtype):
        """What an epoch iterates over: minibatches of the (device) data."""
        if B.issparse(X):  # stays sparse on the host (binary units only)
            return _Minibatches(X.astype(dtype, copy=False), self.batch_size, xp)
        X = self._to_model_space(B.to_device(X, xp, dtype), xp, fitting=True)
        return _Minibatches(X, self.batch_size, xp)

    def _train(self, X, n_epochs: int, *, first: bool):
        xp = B.resolve_namespace(self.device, X)
        dtype = self._dtype_for(X)
        source = self._training_source(X, xp, dtype)
        n_features = source.n_features
        self._validate_model_size(n_features)
        rng = self._device_rng(xp)
        if first:
            params = self._init_parameters(n_features, xp, dtype, rng, source.X)
        else:  # copies: training must not write into the fitted attributes
            params = {k: v.copy() for k, v in self._load_parameters(xp, dtype).items()}
        if source.X is not None:
            self._update_data_mean(source.X, xp)
        opt = make_optimizer(self.optimizer, self.momentum)
        if self._optimizer_state is None:
            state = opt.init_state(params, xp)
        else:
            state = {
                k: (B.to_device(v, xp) if isinstance(v, np.ndarray) else v)
                for k, v in self._optimizer_state.items()
            }
        # the negative phase, with its chain state from the fitted attributes
        self._phase = self._make_negative_phase(
            covariance=getattr(source, "is_covariance", False)
        )
        if self._phase is not None:
            self._phase.restore(self, xp, dtype)
        self._begin_training(xp, dtype)
        # NumPy: every update reuses the same host buffers
        use_ws = xp is np or self._DEVICE_WORKSPACE
        self._ws = B.Workspace(xp) if use_ws else None
        decayed = self._decayed_keys()
        host_rs = self.random_state_
        if first:  # the initial model is the fitted one until an epoch ends
            self._commit(params, state)
            self._start_monitor(params, self._model(params, xp), source.X, xp)
        # verbose >= 2: gradient norms summed on the device over the epoch
        # (one host transfer per epoch; nothing is computed otherwise)
        detailed = self.verbose >= 2
        try:
            for _ in range(n_epochs):
                t0 = time.perf_counter()
                lr = learning_rate_at(
                    self._learning_rate(),
                    self.lr_decay,
                    self.lr_decay_every,
                    self.n_iter_,
                )
                grad_norms = {} if detailed else None
                bar, n_batches, every = self._minibatch_bar(source)
                for i, Xb in enumerate(source.batches(host_rs, self._ws), 1):
                    if bar is not None and (i % every == 0 or i == n_batches):
                        bar(i, n_batches)
                    grads = self._gradient(params, Xb, xp, rng)
                    if detailed:
                        _add_gradient_norms(grad_norms, grads, xp)
                    if self.weight_decay:
                        for k in decayed:
                            grads[k] -= (
                                params[k].dtype.type(self.weight_decay) * params[k]
                            )
                    opt.step(params, grads, lr, state)
                    self._after_update(params)
                # check before the epoch hook: binarizing or resampling the
                # patterns would hide non-finite values
                self._check_finite(params, xp, lr)
                self._after_epoch(params, xp, rng)
                model = self._model(params, xp)
                self._check_collapse(params, model, source.X, xp, lr)
                record = {"epoch": self.n_iter_ + 1, "learning_rate": lr}
                record.update(self._monitor(model, source.X, xp))
                if self._phase is not None:
                    record.update(self._phase.monitor())
                detail = self._epoch_detail(grad_norms, model, xp) if detailed else None
                B.synchronize(xp)
                record["time"] = time.perf_counter() - t0
                # the finished epoch becomes the fitted model (what an
                # interruption or a later divergence leaves behind)
                self._commit(params, state)
                self.n_iter_ += 1
                self._record(record, detail)
        finally:
            self._materialize()
            self._end_training()
            del self._phase, self._ws  # no device arrays

    #: Reuse buffers on a device too (off: CuPy's memory pool makes device
    #: allocations cheap; the tests turn it on to keep that path working).
    _DEVICE_WORKSPACE = False

    #: Minibatches an epoch needs before ``verbose`` adds a progress bar.
    _BAR_MIN_BATCHES = 50

    def _minibatch_bar(self, source):
        """(bar, n_batches, every): a ``tqdm.auto`` bar over the minibatches of
        one epoch (standard error; gone when the epoch ends, whose line then
        follows) when ``verbose >= 1``, tqdm is installed and the epoch has at
        least ``_BAR_MIN_BATCHES`` minibatches -- a long fit (MNIST: 500
        minibatches an epoch) shows where it is between the epoch lines.
        Without tqdm the epoch lines are the progress.  Updated about 100
        times an epoch."""
        X = getattr(source, "X", None)
        if not self.verbose or X is None or _tqdm() is None:
            return None, 0, 1
        n_batches = -(-X.shape[0] // source.batch)
        if n_batches < self._BAR_MIN_BATCHES:
            return None, n_batches, 1
        bar = ProgressReporter(
            f"[{type(self).__name__}] epoch {self.n_iter_ + 1}",
            unit="minibatch",
            bar_unit="batch",
        )
        return bar, n_batches, max(1, n_batches // 100)

    def _commit(self, params, state):
        """Keep copies of the parameters and optimizer state of a finished
        epoch (on the device: no host transfer per epoch) and save the chains;
        :meth:`_materialize` turns them into the fitted attributes when
        training stops, normally or not."""
        copy = {k: v.copy() for k, v in params.items()}
        opt = {
            k: (v if isinstance(v, int | float) else v.copy()) for k, v in state.items()
        }
        self._snapshot = (copy, opt)
        if self._phase is not None:
            self._phase.save(self)
        self._logz_cache = {}

    def _materialize(self):
        """Store the last committed epoch as the fitted attributes."""
        snapshot = self.__dict__.pop("_snapshot", None)
        if snapshot is None:
            return
        params, state = snapshot
        self._store_parameters(params)
        self._optimizer_state = {
            k: (v if isinstance(v, int | float) else np.array(B.to_numpy(v)))
            for k, v in state.items()
        }
        self._logz_cache = {}

    def _learning_rate(self):
        """The base learning rate (GaussianRBM resolves ``"auto"``)."""
        return self.learning_rate

    def _update_data_mean(self, X, xp):
        """Running mean of the training data (base rate for AIS)."""
        n = X.shape[0]
        mean = B.column_mean(X, xp)
        if getattr(self, "visible_mean_", None) is None:
            self.visible_mean_, self.n_samples_seen_ = mean, n
        else:
            tot = self.n_samples_seen_ + n
            self.visible_mean_ = (
                self.visible_mean_ * self.n_samples_seen_ + mean * n
            ) / tot
            self.n_samples_seen_ = tot

    def _suggested_learning_rate(self, lr):
        """A learning rate to advise after a divergence at ``lr``."""
        return lr / 10

    def _kept_model_note(self):
        if self.n_iter_ > 0:
            return f" The estimator keeps the model of epoch {self.n_iter_}."
        return ""

    def _check_finite(self, params, xp, lr):
        for k, p in params.items():
            if not bool(xp.isfinite(p).all()):
                raise TrainingDivergedError(
                    f"{type(self).__name__} training diverged at epoch "
                    f"{self.n_iter_ + 1}: parameter '{k}' became NaN or infinite "
                    f"(learning rate {lr:.3g}). Use learning_rate="
                    f"{self._suggested_learning_rate(lr):.3g} or lower; some "
                    "weight_decay also helps." + self._kept_model_note()
                )

    def _start_monitor(self, params, model, X, xp):
        """Hook: record what :meth:`_check_collapse` compares against, from
        the initial model of a fit."""

    def _check_collapse(self, params, model, X, xp, lr):
        """Hook: raise :class:`TrainingDivergedError` when the model has
        collapsed although its parameters are finite."""

    def _epoch_detail(self, grad_norms, model, xp):
        """The ``verbose >= 2`` line of an epoch (computed only then): mean
        norm of each gradient over the epoch's updates, |W| max and Frobenius
        norm, the mean state of the persistent chains, PT swap acceptance."""
        parts = []
        n = grad_norms.get("updates", 0) if grad_norms else 0
        for k, s in (grad_norms or {}).get("sums", {}).items():
            parts.append(f"mean |grad {k}| {float(s) / n:.4g}")
        if n and parts:
            parts[-1] += f" (over {n} update{'s' if n > 1 else ''})"
        W = model.W
        parts.append(
            f"|W| max {float(xp.abs(W).max()):.4g}, "
            f"|W|_F {float(xp.linalg.norm(W)):.4g}"
        )
        phase = getattr(self, "_phase", None)
        chains = getattr(phase, "chains", None)  # PT: the β = 1 replica
        v = chains.v[0] if chains is not None else getattr(phase, "v", None)
        if v is not None:
            parts.append(f"chains mean v {float(xp.mean(v)):.4g}")
        h = getattr(phase, "h", None)
        if h is not None:
            parts.append(f"mean h {float(xp.mean(h)):.4g}")
        rate = getattr(phase, "last_acceptance", None)
        if rate is not None and np.size(rate):
            rate = np.asarray(rate, dtype=float)
            parts.append(
                f"swap acceptance per pair [{rate.min():.3f} .. {rate.max():.3f}]"
            )
        return ", ".join(parts)

    def _record(self, record, detail=None):
        for k in record:
            self.history_.setdefault(k, [None] * (len(self.history_["epoch"])))
        for k in self.history_:
            self.history_[k].append(record.get(k))
        if self.verbose:
            extras = ", ".join(
                _format_monitored(k, v)
                for k, v in record.items()
                if k not in ("epoch", "time", "learning_rate") and v is not None
            )
            lr = record.get("learning_rate")
            rate = f", learning rate {lr:.3g}" if lr is not None else ""
            print(
                f"[{type(self).__name__}] {self._epoch_progress(record['epoch'])}: "
                f"epoch time {format_duration(record['time'])}{rate}"
                + (f", {extras}" if extras else ""),
                flush=True,
            )
            if detail and self.verbose >= 2:
                print(f"    {detail}", flush=True)

    def _epoch_progress(self, epoch):
        """``epoch k/N, elapsed T, ETA T`` in a fit (k counts the epochs of
        this call, N its epochs); ``epoch k`` in ``partial_fit`` (k is
        ``n_iter_``: how many epochs are to come is unknown)."""
        clock = getattr(self, "_epoch_clock", None)
        if clock is None or clock[2] is None:
            return f"epoch {epoch}"
        t_start, start_iter, total = clock
        k = epoch - start_iter
        elapsed = time.perf_counter() - t_start
        eta = elapsed / k * max(total - k, 0) if k > 0 else float("nan")
        return (
            f"epoch {k}/{total}, elapsed {format_duration(elapsed)}, "
            f"ETA {format_duration(eta)}"
        )

    # ------------------------------------------------------------------
    # the fitted model on a device
    # ------------------------------------------------------------------
    def _fitted_model(self, X=None):
        """(model, xp) for the fitted parameters, on the device chosen for X."""
        check_is_fitted(self, "components_")
        self._check_signature()
        xp = B.resolve_namespace(self.device, *(() if X is None else (X,)))
        dtype = self.components_.dtype
        return self._model(self._load_parameters(xp, dtype), xp), xp

    def _prepare(self, X, *, likelihood=False):
        check_is_fitted(self, "components_")
        self._check_signature()  # before X is checked against the current units
        Xv = self._validate_X(X, reset=False, likelihood=likelihood)
        model, xp = self._fitted_model(Xv)
        if B.issparse(Xv):  # stays sparse on the host: see _by_rows
            return Xv.astype(model.dtype, copy=False), model, xp
        return self._to_model_space(B.to_device(Xv, xp, model.dtype), xp), model, xp

    def transform(self, X):
        """Hidden conditional means E[h | v].

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Visible data (sparse as in :meth:`fit`).

        Returns
        -------
        H : ndarray of shape (n_samples, n_components)
            E[h_a | v] = sigmoid(field) for {0,1} units, tanh(field) for spins.

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=4, max_iter=5, random_state=0).fit(X)
        >>> H = rbm.transform(X)
        >>> H.shape, bool(((H > 0) & (H < 1)).all())
        ((20, 4), True)
        """
        Xd, model, xp = self._prepare(X)
        return B.like_input(_by_rows(model.mean_hiddens, Xd), X)

    def inverse_transform(self, H):
        """Visible conditional means E[v | h]: back from the hidden layer.

        ``inverse_transform(transform(X))`` is one deterministic pass forward
        and backward through the model, the *regenerated* data of the
        scalar-field paper (Sec. VI, Fig. 16).

        Parameters
        ----------
        H : array-like of shape (n_samples, n_components)
            Hidden states or conditional means.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            E[v_i | h]: sigmoid of the visible field for {0, 1} units, tanh
            for spins, field / μ² (plus ``mean_``) for Gaussian units.


        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 5, dtype=float)
        >>> rbm = BinaryRBM(4, learning_rate=0.5, max_iter=200, random_state=0)
        >>> rbm = rbm.fit(X)
        >>> np.round(rbm.inverse_transform(rbm.transform(X[:2])), 1)
        array([[0., 1., 1.],
               [1., 0., 0.]])
        """
        check_is_fitted(self, "components_")
        if B.is_cupy_array(H):  # checked on the device, as X is
            H = _check_device_array(H, "H")
        else:
            H = check_array(H, dtype=[np.float64, np.float32], input_name="H")
        if H.shape[1] != self.components_.shape[0]:
            raise ValueError(
                f"H has {H.shape[1]} columns, but this model has "
                f"n_components={self.components_.shape[0]} hidden units."
            )
        model, xp = self._fitted_model(H)
        Hd = B.to_device(H, xp, model.dtype)
        V = model.vis.mean(xp, model.visible_field(Hd))
        return B.like_input(self._from_model_space(V, xp), H)

    def sample_hidden(self, X, *, random_state=None):
        """Hidden states drawn from P(h | v), one per row of X.

        The RAPID paper's probe (Sec. 5.2) fits a classifier on such samples
        rather than on the conditional means that :meth:`transform` returns.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Visible data (sparse as in :meth:`fit`).
        random_state : int, RandomState instance or None, default=None
            Seed of the draws; None continues the estimator's own stream.

        Returns
        -------
        H : ndarray of shape (n_samples, n_components)
            Hidden states ({0, 1} or ±1, as the hidden units).


        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 5, dtype=float)
        >>> rbm = BinaryRBM(n_components=4, max_iter=2, random_state=0).fit(X)
        >>> h = rbm.sample_hidden(X, random_state=0)
        >>> h.shape, np.unique(h).tolist()
        ((10, 4), [0.0, 1.0])
        """
        Xd, model, xp = self._prepare(X)
        rng = self._device_rng(xp, random_state)
        h = model.hid.sample(xp, _by_rows(model.hidden_field, Xd), rng)
        return B.like_input(h, X)

    def free_energy(self, X):
        """Free energy F(v), with p(v) = exp(-F(v)) / Z.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Visible data (sparse as in :meth:`fit`).

        Returns
        -------
        F : ndarray of shape (n_samples,)

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, max_iter=5, random_state=0).fit(X)
        >>> log_z = rbm.log_partition_function("exact")
        >>> bool(np.allclose(-rbm.free_energy(X) - log_z, rbm.score_samples(X)))
        True
        """
        Xd, model, xp = self._prepare(X)
        return B.like_input(_by_rows(model.free_energy, Xd), X)

    def score_samples(self, X):
        """Normalized log-likelihood log p(x) in nats, one value per sample.

        log p(x) = -F(x) - log Z, with log Z from :meth:`log_partition_function`:
        the most recent value computed for the current parameters is reused
        (so calling ``log_partition_function(method="ais", n_betas=...)`` first
        chooses the estimator), otherwise ``method="auto"``.  When that runs
        AIS (tens of seconds on MNIST-sized models), ``verbose >= 1`` shows
        its progress (a tqdm bar when tqdm is installed); ``verbose=0``
        prints nothing.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            States of the visible units (binary for binary units; sparse as
            in :meth:`fit`).

        Returns
        -------
        log_p : ndarray of shape (n_samples,)

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, method="exact", learning_rate=0.5,
        ...                 max_iter=200, random_state=0).fit(X)
        >>> p = np.exp(rbm.score_samples(np.array([[0, 1, 1], [1, 0, 0], [1, 1, 1.0]])))
        >>> bool(p[0] + p[1] > 0.9 and p[2] < 0.01)   # the mass is on the data
        True
        """
        Xd, model, xp = self._prepare(X, likelihood=True)
        log_z = self._cached_log_z(model)
        fe = _by_rows(model.free_energy, Xd).astype(xp.float64)
        log_p = -fe - log_z
        if not bool(xp.isfinite(log_p).all()):
            raise ValueError(
                "log p(x) is not finite for some rows of X: they lie so far from "
                "the training data that their energy overflows. Check that X is "
                "scaled and encoded as the training data were."
            )
        return B.like_input(log_p, X)

    def score(self, X, y=None):
        """Mean log-likelihood per sample (nats), the mean of :meth:`score_samples`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            States of the visible units (sparse as in :meth:`fit`).
        y : None
            Ignored.

        Returns
        -------
        score : float

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, method="exact", learning_rate=0.5,
        ...                 max_iter=200, random_state=0).fit(X)
        >>> bool(rbm.score(X) > 3 * np.log(0.5))   # beats a uniform model
        True
        """
        return float(B.to_numpy(self.score_samples(X)).mean())

    # ------------------------------------------------------------------
    # partition function
    # ------------------------------------------------------------------
    def _param_fingerprint(self):
        h = hashlib.blake2b(digest_size=16)
        h.update(repr(sorted(self._signature().items())).encode())
        for name in self._fingerprint_attrs:
            a = np.ascontiguousarray(getattr(self, name))
            h.update(a.dtype.str.encode())
            h.update(a.tobytes())
        return h.hexdigest()

    def _cached_log_z(self, model):
        cache = getattr(self, "_logz_cache", None)
        fp = self._param_fingerprint()
        if cache and cache.get("fingerprint") == fp:
            return cache["log_z"]
        return self._compute_log_z(model, "auto", {}, None)[0]

    def _ais_progress(self, progress, method):
        """The ``progress(done, total)`` callback of an AIS run: None (no
        output) unless ``progress`` is true, or None and ``verbose >= 1``; a
        callable is used as it is; otherwise a :class:`ProgressReporter`
        (a tqdm bar, or plain lines without tqdm)."""
        if progress is None:
            progress = bool(self.verbose)
        if callable(progress):
            return progress
        if not progress:
            return None
        what = "reverse AIS" if method == "reverse_ais" else "AIS"
        return ProgressReporter(f"[{type(self).__name__}] {what} log Z")

    def _exact_log_z(self, model):
        """log Z without sampling (enumeration; closed form where one exists)."""
        return exact_log_partition(model)

    def _compute_log_z(self, model, method, ais_kwargs, random_state):
        if method == "auto":
            m = enumerable_units(model)
            method = "exact" if m is not None and m <= AUTO_EXACT_UNITS else "ais"
        if method == "exact":
            log_z, std = self._exact_log_z(model), 0.0
            result = None
        else:
            n_chains = ais_kwargs.get("n_chains", 100)
            n_betas = ais_kwargs.get("n_betas", 10000)
            rng = self._device_rng(model.xp, random_state)
            base = base_rate_bias(
                model.vis,
                ais_kwargs.get("data_mean", getattr(self, "visible_mean_", None)),
                model.n_visible,
                model.dtype,
            )
            v_init = None
            if method == "reverse_ais":
                v_init = self._reverse_ais_start(model, n_chains, ais_kwargs, rng)
            progress = self._ais_progress(ais_kwargs.get("progress"), method)
            if ais_kwargs.get("schedule", "default") == "adaptive":
                betas = adaptive_betas(model, base, n_betas, rng)
            else:
                betas = default_betas(n_betas)
            try:
                result = ais_log_partition(
                    model,
                    base_bias=base,
                    n_chains=n_chains,
                    betas=betas,
                    rng=rng,
                    reverse=method == "reverse_ais",
                    v_init=v_init,
                    progress=progress,
                )
            finally:
                if isinstance(progress, ProgressReporter):
                    progress.close()
            log_z, std = result.log_z, result.std
        self._logz_cache = {
            "fingerprint": self._param_fingerprint(),
            "log_z": log_z,
            "std": std,
            "method": method,
            "result": result,
        }
        return log_z, std, result

    def _reverse_ais_start(self, model, n_chains, kw, rng):
        """Start states of reverse AIS, as a function of a chunk of chains:
        ``n_burn_in`` Gibbs sweeps from data rows, the persistent chains or
        random states, run chunk by chunk inside the annealing so memory stays
        bounded whatever ``n_chains`` is."""
        xp = model.xp
        X = kw.get("X")
        if X is not None:
            X = self._validate_X(X, reset=False)
            idx = check_random_state(0).randint(0, X.shape[0], n_chains)
            if B.issparse(X):  # one chunk of rows made dense at a time

                def seeds(start, stop):
                    return B.to_device(X[idx[start:stop]].toarray(), xp, model.dtype)

            else:
                X = self._to_model_space(B.to_device(X, xp, model.dtype), xp)

                def seeds(start, stop):
                    return X[B.to_device(idx[start:stop], xp)]

        elif getattr(self, "persistent_chains_", None) is not None:
            pc = self.persistent_chains_

            def seeds(start, stop):
                rows = np.arange(start, stop) % pc.shape[0]
                return B.to_device(pc[rows], xp, model.dtype)

        else:

            def seeds(start, stop):
                return random_states(
                    model.vis, xp, (stop - start, model.n_visible), model.dtype, rng
                )

        n_burn_in = kw.get("n_burn_in", 1000)

        def start_states(start, stop):
            v, _ = gibbs_chain(model, seeds(start, stop), n_burn_in, rng)
            return v

        return start_states

    def log_partition_function(
        self,
        method="auto",
        *,
        n_chains=100,
        n_betas=10000,
        X=None,
        n_burn_in=1000,
        return_std=False,
        random_state=None,
        progress=None,
        schedule="default",
    ):
        """Log partition function log Z of the fitted model.

        Parameters
        ----------
        method : {"auto", "exact", "ais", "reverse_ais"}, default="auto"
            ``"exact"`` enumerates the smaller layer (at most 25 units; chunked
            so memory stays bounded).  ``"ais"`` is annealed importance sampling
            from a base-rate model matched to the training data's marginals
            (Salakhutdinov & Murray 2008): its estimate errs *low* on average,
            so log-likelihoods computed with it err high.  ``"reverse_ais"``
            anneals from model samples back to the base rate (Burda et al.
            2015): it errs *high* when the starting samples are good, so the
            two bracket log Z.  ``"auto"`` is exact when the smaller layer has
            at most 20 units and AIS otherwise.
        n_chains : int, default=100
            AIS runs (importance weights).
        n_betas : int, default=10000
            Number of intermediate inverse temperatures.
        X : {array-like, sparse matrix} of shape (n_samples, n_features), \
                default=None
            For ``"ais"``: data whose marginals define the base-rate model
            (default: the training data's, stored as ``visible_mean_``).  For
            ``"reverse_ais"``: states that seed the Gibbs chains whose end
            points start the reverse annealing (default: the persistent chains,
            or random states).
        n_burn_in : int, default=1000
            Gibbs sweeps before reverse AIS starts.
        return_std : bool, default=False
            Also return the standard error of the estimate (0 for exact).
        random_state : int, RandomState instance or None, default=None
            Seed of the AIS chains; None uses the estimator's ``random_state_``.
        progress : bool or callable, default=None
            Show how far AIS got (it takes seconds to minutes): a ``tqdm.auto``
            bar on standard error when tqdm is installed (``pip install
            skrapid[progress]``), plain lines every 10 % of the temperatures
            otherwise.  None: on when the estimator's ``verbose >= 1`` (so
            nothing is printed by default; ``score`` and ``score_samples``,
            which compute log Z on first use, follow ``verbose`` too).  A
            callable is called as ``progress(done, total)`` every few hundred
            temperatures and at the end (``done == total``).  Exact
            enumeration reports nothing.
        schedule : {"default", "adaptive"}, default="default"
            Spacing of the AIS temperatures.  ``"default"``: Salakhutdinov &
            Murray's fixed proportions (finer near β = 1).  ``"adaptive"``
            (binary units): placed by a short pilot run, dense where the
            importance weights change fast (see
            :func:`skrapid._partition.adaptive_betas`); ``skrapid bench
            ais-schedule`` measures which reaches a given standard error
            sooner.

        Returns
        -------
        log_z : float
        std : float
            Only when ``return_std=True``.

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, max_iter=5, random_state=0).fit(X)
        >>> exact = rbm.log_partition_function("exact")
        >>> lz, se = rbm.log_partition_function("ais", n_betas=500,
        ...                                      return_std=True, random_state=0)
        >>> bool(abs(lz - exact) < max(5 * se, 0.05))
        True
        """
        if method not in ("auto", "exact", "ais", "reverse_ais"):
            raise ValueError(
                "method must be 'auto', 'exact', 'ais' or 'reverse_ais'; "
                f"got {method!r}."
            )
        for name, val, low in (
            ("n_chains", n_chains, 2),
            ("n_betas", n_betas, 3),
            ("n_burn_in", n_burn_in, 0),
        ):
            if not isinstance(val, Integral) or isinstance(val, bool) or val < low:
                raise ValueError(f"{name} must be an integer >= {low}; got {val!r}.")
        if not (
            progress is None
            or callable(progress)
            or isinstance(progress, bool | np.bool_)
        ):
            raise ValueError(
                f"progress must be None, a bool or a callable; got {progress!r}."
            )
        if schedule not in ("default", "adaptive"):
            raise ValueError(
                f"schedule must be 'default' or 'adaptive'; got {schedule!r}."
            )
        check_is_fitted(self, "components_")
        self._check_signature()
        model, xp = self._fitted_model()
        kw = {"n_chains": n_chains, "n_betas": n_betas, "n_burn_in": n_burn_in}
        kw["schedule"] = schedule
        kw["progress"] = progress
        if X is not None and method == "ais":
            Xv = self._validate_X(X, reset=False)
            if B.issparse(Xv):
                kw["data_mean"] = B.column_mean(Xv, np)
            else:  # the mean is taken where X lives: one transfer
                xp_x = B.get_namespace(Xv)
                Xv = self._to_model_space(Xv, xp_x)
                kw["data_mean"] = B.column_mean(Xv, xp_x)
        elif X is not None:
            kw["X"] = X
        log_z, std, _ = self._compute_log_z(model, method, kw, random_state)
        return (log_z, std) if return_std else log_z

    # ------------------------------------------------------------------
    # sampling
    # ------------------------------------------------------------------
    def gibbs(self, v):
        """One Gibbs sweep v -> h -> v from the given visible states.

        Parameters
        ----------
        v : {array-like, sparse matrix} of shape (n_samples, n_features)
            Visible states (sparse as in :meth:`fit`).

        Returns
        -------
        v_new : ndarray of shape (n_samples, n_features)
            Visible states sampled after one sweep.

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, max_iter=5, random_state=0).fit(X)
        >>> v = rbm.gibbs(X[:4])
        >>> v.shape, sorted(np.unique(v).tolist()) in ([0.0], [1.0], [0.0, 1.0])
        ((4, 3), True)
        """
        Xd, model, xp = self._prepare(v)
        rng = self._device_rng(xp)
        if B.issparse(Xd):  # the same draws as gibbs_chain from dense rows
            field_h = _by_rows(model.hidden_field, Xd)
            out, _ = gibbs_from_hidden_field(model, field_h, 1, rng)
        else:
            out, _ = gibbs_chain(model, Xd, 1, rng)
        return B.like_input(self._from_model_space(out, xp), v)

    def sample(
        self,
        n_samples=1,
        *,
        n_steps=1000,
        v_init=None,
        method="gibbs",
        n_temperatures=10,
        random_state=None,
    ):
        """Draw visible samples by block-Gibbs sampling or parallel tempering.

        Parameters
        ----------
        n_samples : int, default=1
            Number of independent chains, one sample each.
        n_steps : int, default=1000
            Gibbs sweeps per chain (with ``method="pt"``: sweeps of every
            replica, each followed by a round of swap moves).
        v_init : {array-like, sparse matrix} of shape (n_samples, n_features), \
                default=None
            Starting states; default uniformly random states (for
            ``method="pt"``, exact samples of the base-rate model).  Sparse
            as in :meth:`fit` (made dense: the chains' states are).
        method : {"gibbs", "pt"}, default="gibbs"
            ``"gibbs"``: independent block-Gibbs chains.  ``"pt"``: parallel
            tempering, ``n_temperatures`` replicas of the chains on the path
            from the base-rate model of the training data (β = 0) to the
            model (β = 1), with swap moves between neighbours; the β = 1
            replica is returned.  PT mixes between modes that Gibbs chains
            of a sharp model never leave.
        n_temperatures : int, default=10
            Replicas of ``method="pt"`` (at least 2).
        random_state : int, RandomState instance or None, default=None
            Seed; None advances the estimator's ``random_state_``.

        Returns
        -------
        V : ndarray of shape (n_samples, n_features)

        Examples
        --------
        >>> import numpy as np
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
        >>> rbm = BinaryRBM(n_components=2, method="exact", learning_rate=0.5,
        ...                 max_iter=200, random_state=0).fit(X)
        >>> S = rbm.sample(200, n_steps=100, random_state=0)
        >>> S.shape, bool(np.mean((S == X[0]).all(1) | (S == X[1]).all(1)) > 0.5)
        ((200, 3), True)
        >>> S = rbm.sample(200, n_steps=100, method="pt", random_state=0)
        >>> bool(np.mean((S == X[0]).all(1) | (S == X[1]).all(1)) > 0.5)
        True
        """
        check_is_fitted(self, "components_")
        if method not in ("gibbs", "pt"):
            raise ValueError(f"method must be 'gibbs' or 'pt'; got {method!r}.")
        if v_init is not None:
            Xd, model, xp = self._prepare(v_init)
            if B.issparse(Xd):  # the chains' states: as large as the output
                Xd = Xd.toarray()
            n_samples = Xd.shape[0]
        else:
            if not isinstance(n_samples, Integral) or n_samples < 1:
                raise ValueError(
                    f"n_samples must be a positive integer; got {n_samples!r}."
                )
            model, xp = self._fitted_model()
        if (
            not isinstance(n_steps, Integral)
            or isinstance(n_steps, bool)
            or n_steps < 0
        ):
            raise ValueError(
                f"n_steps must be a non-negative integer; got {n_steps!r}."
            )
        rng = self._device_rng(xp, random_state)
        if method == "pt":
            if not isinstance(n_temperatures, Integral) or n_temperatures < 2:
                raise ValueError(
                    f"n_temperatures must be an integer >= 2; got {n_temperatures!r}."
                )
            if not model.vis.discrete:
                raise ValueError("method='pt' needs binary visible units.")
            out = self._sample_tempered(
                model,
                xp,
                n_samples,
                n_steps,
                n_temperatures,
                rng,
                None if v_init is None else Xd,
            )
        else:
            if v_init is None:
                Xd = random_states(
                    model.vis, xp, (n_samples, model.n_visible), model.dtype, rng
                )
            out, _ = gibbs_chain(model, Xd, n_steps, rng)
        out = self._from_model_space(out, xp)
        return B.like_input(out, v_init) if v_init is not None else B.to_numpy(out)

    def _sample_tempered(self, model, xp, n, n_steps, n_temperatures, rng, v0):
        """β = 1 replica after ``n_steps`` rounds of parallel tempering."""
        base = base_rate_bias(
            model.vis,
            getattr(self, "visible_mean_", None),
            model.n_visible,
            model.dtype,
        )
        if v0 is not None:
            v0 = xp.broadcast_to(v0, (n_temperatures,) + v0.shape).copy()
        chains = TemperedChains(
            model.vis,
            B.to_device(base, xp, model.dtype),
            n_temperatures,
            n,
            xp,
            model.dtype,
            rng,
            v0=v0,
        )
        v = chains.v[0]
        for _ in range(n_steps):
            v, _ = chains.step(model, 1, rng)
        return v

    # ------------------------------------------------------------------
    # pickling
    # ------------------------------------------------------------------
    def __getstate__(self):
        state = super().__getstate__()
        if isinstance(state, dict):
            state = dict(state, _skrapid_version=_skrapid_version())
        return state

    def __setstate__(self, state):
        if isinstance(state, dict):
            state = dict(state)
            original = state.pop("_skrapid_version", "unknown")
            current = _skrapid_version()
            if original != current:
                warnings.warn(
                    InconsistentVersionWarning(
                        estimator_name=type(self).__name__,
                        original_version=original,
                        current_version=current,
                    ),
                    stacklevel=2,
                )
        super().__setstate__(state)

    # ------------------------------------------------------------------
    # scikit-learn tags
    # ------------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.non_deterministic = False
        return tags


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
    if not bool(xp.isfinite(A).all()):
        raise ValueError(f"Input {name} contains NaN or infinity.")
    return A
