"""The base class of every skrapid estimator: the training loop and its hooks.

A model family subclasses :class:`BaseRBM` and defines a handful of private
methods -- how its parameters are initialized and stored, the
:class:`~skrapid._units.Bipartite` energy they define, and the gradient of the
log-likelihood for a minibatch.  Everything else (epochs, minibatches,
shuffling, optimizers, weight decay, learning-rate decay, ``history_``,
``verbose`` lines, divergence checks, ``partial_fit``) lives here once; what
a fitted model offers (scoring and log Z, sampling, ``transform``, input
validation, pickling) comes from the mixins of :class:`BaseRBM`.
"""

from __future__ import annotations

import functools
import threading
import time
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from . import _backend as B
from ._generate import _SamplingMixin
from ._optim import learning_rate_at, make_optimizer
from ._persistence import InconsistentVersionWarning as InconsistentVersionWarning
from ._persistence import _PersistenceMixin
from ._progress import ProgressReporter, _tqdm, format_duration
from ._scoring import _ScoringMixin
from ._sklearn_private import Interval, StrOptions, _fit_context
from ._transform import _TransformMixin
from ._validation import _check_device_array as _check_device_array
from ._validation import _ValidationMixin


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


#: Guards the check-and-set of the thread that trains an estimator.
_TRAINER_LOCK = threading.Lock()


def _one_trainer(method):
    """Let one thread at a time train an estimator: a second thread that calls
    ``fit``/``partial_fit`` while the first is in it gets a clear
    ``RuntimeError`` (two threads updating one model in place would corrupt it,
    and died with an AttributeError), not a wait.  The same thread may nest."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        me = threading.get_ident()
        with _TRAINER_LOCK:
            owner, depth = self.__dict__.get("_trainer", (None, 0))
            if owner is not None and owner != me:
                raise RuntimeError(
                    f"{type(self).__name__}.{method.__name__} was called while "
                    "another thread is training this estimator. An estimator is "
                    "not thread-safe: train it from one thread, give each thread "
                    "its own (sklearn.base.clone), or hold a lock around the calls."
                )
            self.__dict__["_trainer"] = (me, depth + 1)
        try:
            return method(self, *args, **kwargs)
        finally:
            with _TRAINER_LOCK:
                owner, depth = self.__dict__.get("_trainer", (me, 1))
                if depth <= 1:
                    self.__dict__.pop("_trainer", None)
                else:
                    self.__dict__["_trainer"] = (owner, depth - 1)

    return wrapper


class BaseRBM(
    _ValidationMixin,
    _ScoringMixin,
    _SamplingMixin,
    _TransformMixin,
    _PersistenceMixin,
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Shared machinery of the skrapid estimators (not for direct use): the
    training loop and its hooks.

    :meth:`fit` (``max_iter`` epochs from a fresh model) and
    :meth:`partial_fit` (one more epoch) validate X and run
    :meth:`_guarded_train`, which runs :meth:`_train`: shuffled minibatches,
    a gradient and an optimizer step per minibatch (weight decay,
    learning-rate decay), divergence checks after each epoch, and every
    finished epoch committed to the fitted attributes and recorded in
    ``history_`` (and the ``verbose`` lines).  An exception or an interrupt
    leaves the model of the last finished epoch.

    A model family subclasses it and defines the abstract hooks

    - ``_init_parameters``, ``_store_parameters``, ``_load_parameters``: the
      dict of trainable parameters, and the fitted attributes it is kept in;
    - ``_model``: the :class:`~skrapid._units.Bipartite` energy of the
      parameters;
    - ``_gradient``: the log-likelihood gradient for a minibatch;
    - ``_check_values``: the values X may hold (the model's support);

    and may override the others, which do nothing by default:
    ``_make_negative_phase``, ``_validate_model_size``, ``_decayed_keys``,
    ``_learning_rate``, ``_begin_training`` / ``_end_training``,
    ``_after_update``, ``_after_epoch``, ``_monitor``, ``_start_monitor`` /
    ``_check_collapse``, ``_suggested_learning_rate``, ``_training_source``,
    ``_to_model_space`` / ``_from_model_space``, ``_reset_fit_state``;
    ``_structural_params`` names the constructor parameters a fit depends
    on.  Hooks of the mixins: ``_accepts_sparse`` (``_ValidationMixin``),
    ``_exact_log_z``, ``_compute_log_z`` and ``_fingerprint_attrs``
    (``_ScoringMixin``).

    What a fitted model offers comes from mixins, one job each:

    - ``_ValidationMixin`` (:mod:`skrapid._validation`): input checks
      (``_validate_X``, ``_accepts_sparse``, ``_dtype_for``) and the fitted
      model on the device chosen for X (``_fitted_model``, ``_prepare``);
    - ``_ScoringMixin`` (:mod:`skrapid._scoring`): ``free_energy``,
      ``score_samples``, ``score``, ``log_partition_function`` and the log Z
      cache;
    - ``_SamplingMixin`` (:mod:`skrapid._generate`): ``sample_hidden``,
      ``gibbs``, ``sample``;
    - ``_TransformMixin`` (:mod:`skrapid._transform`): ``transform``,
      ``inverse_transform``, ``get_feature_names_out``;
    - ``_PersistenceMixin`` (:mod:`skrapid._persistence`): the skrapid
      version in pickles (:class:`InconsistentVersionWarning`).

    ``transform`` outputs one column per hidden unit, named
    ``<classname><i>`` by :meth:`get_feature_names_out` (``binaryrbm0``, ...),
    so ``set_output(transform="pandas")`` and pipelines' feature names work.
    """

    _doc_link_module = "skrapid"
    _doc_link_template = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"

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

    def _n_parameter_values(self, n_features):
        """Values the parameters hold (W and the biases; RARBM adds its
        patterns), before they are allocated."""
        return n_features * self.n_components + n_features + self.n_components

    def _check_parameter_memory(self, n_features, dtype):
        """Refuse a model whose parameters, gradients and optimizer state
        (about 4 copies) cannot fit, before allocating them."""
        from ._validation import check_memory

        values = float(self._n_parameter_values(n_features))
        check_memory(
            4 * values * np.dtype(dtype).itemsize,
            f"{type(self).__name__} with {values:.3g} parameter values "
            "(parameters, gradients and optimizer state)",
            lambda f: (
                "Use fewer hidden units (n_components)"
                + (" or patterns (n_patterns)" if hasattr(self, "n_patterns") else "")
                + f": at most about {f:.2%} of this size fits."
            ),
        )

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
    @_one_trainer
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

    @_one_trainer
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
        space = self._attributes_to_host()  # training reads and writes NumPy/CuPy
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
            self._attributes_to_space(space)

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
        self._fit_quality_warned = False
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
        self._check_parameter_memory(n_features, dtype)
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
            # copies: the optimizer updates its state in place, and a run that
            # stops in its first epoch must leave the fitted state as it was
            state = {
                k: (B.to_device(v, xp).copy() if isinstance(v, np.ndarray) else v)
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
        macs = self._training_macs(source)
        if first:  # the initial model is the fitted one until an epoch ends
            self._commit(params, state)
            with B.blas_policy(macs):
                self._start_monitor(params, self._model(params, xp), source.X, xp)
        # verbose >= 2: gradient norms summed on the device over the epoch
        # (one host transfer per epoch; nothing is computed otherwise)
        detailed = self.verbose >= 2
        try:
            for _ in range(n_epochs):
                with B.blas_policy(macs):  # decided per epoch
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
                    detail = (
                        self._epoch_detail(grad_norms, model, xp) if detailed else None
                    )
                    B.synchronize(xp)
                    record["time"] = time.perf_counter() - t0
                    # the finished epoch becomes the fitted model (what an
                    # interruption or a later divergence leaves behind)
                    self._commit(params, state)
                    self.n_iter_ += 1
                    self._record(record, detail)
            if n_epochs:
                with B.blas_policy(macs):
                    self._check_final_fit(self._model(params, xp), source.X, xp)
        finally:
            self._materialize()
            self._end_training()
            del self._phase, self._ws  # no device arrays

    def _training_macs(self, source):
        """Multiply-adds of a training product (the BLAS thread policy):
        a minibatch and the persistent chains, times V x H."""
        X = getattr(source, "X", None)
        rows = min(self.batch_size, X.shape[0]) if X is not None else self.batch_size
        chains = getattr(self, "n_chains", None)
        rows += chains if isinstance(chains, Integral) else 0
        return rows * source.n_features * self.n_components

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

    def _check_final_fit(self, model, X, xp):
        """Hook: warn, after training, about a model that is finite and
        bounded but fits its training data far worse than a trivial one."""

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
    # scikit-learn tags
    # ------------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.non_deterministic = False
        tags.array_api_support = True
        return tags
