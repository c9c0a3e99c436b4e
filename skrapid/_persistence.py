"""Pickling of the skrapid estimators: the version a pickle was written with.

:class:`_PersistenceMixin` records the installed skrapid version in an
estimator's pickled state and warns with :class:`InconsistentVersionWarning`
when a pickle written by another version is loaded, as scikit-learn does for
its own estimators.
"""

from __future__ import annotations

import warnings

import numpy as np


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


class _PersistenceMixin:
    """``__getstate__`` / ``__setstate__``: the skrapid version travels with
    the pickled state, and unpickling with another version warns.

    Goes before :class:`sklearn.base.BaseEstimator` in the MRO: both methods
    extend BaseEstimator's (which records the scikit-learn version).
    """

    def __getstate__(self):
        state = super().__getstate__()
        if isinstance(state, dict):
            state = dict(state, _skrapid_version=_skrapid_version())
            state.pop("_trainer", None)  # the training thread: not a model state
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


def to_numpy(estimator):
    """A copy of a fitted estimator whose arrays are all NumPy arrays.

    Under ``sklearn.set_config(array_api_dispatch=True)`` an estimator fitted
    on a PyTorch tensor or a CuPy array keeps its fitted attributes there
    (scikit-learn's Array API rule), so its pickle needs that library, and a
    GPU for GPU arrays, to load.  ``to_numpy`` brings every array attribute
    to host memory as NumPy; the copy takes NumPy input, pickles for a
    machine with neither, and gives the same results.  The estimator itself
    is not changed; a NumPy-fitted estimator comes back as an equal copy.

    Parameters
    ----------
    estimator : BinaryRBM, RARBM, GaussianRBM or RBM
        A fitted (or unfitted) skrapid estimator.

    Returns
    -------
    estimator : same type
        The copy, with NumPy array attributes.

    Examples
    --------
    >>> import pickle
    >>> import numpy as np
    >>> import skrapid
    >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=np.float32)
    >>> rbm = skrapid.BinaryRBM(n_components=2, max_iter=2, random_state=0).fit(X)
    >>> host = skrapid.to_numpy(rbm)
    >>> type(host.components_).__module__, host.components_.dtype
    ('numpy', dtype('float32'))
    >>> clone = pickle.loads(pickle.dumps(host))
    """
    import copy

    from . import _backend as B
    from ._validation import _is_fitted_array

    if not hasattr(estimator, "get_params") or not hasattr(estimator, "__dict__"):
        raise TypeError(
            "to_numpy takes a fitted skrapid estimator (a scikit-learn "
            f"estimator); got {type(estimator).__name__}."
        )
    state = {}
    for key, value in vars(estimator).items():
        if key == "_input_space":
            state[key] = None
        elif (
            _is_fitted_array(key, value)
            or B.is_cupy_array(value)
            or (B.is_foreign_array(value))
        ):  # public or private, every array comes home
            state[key] = np.array(B.to_numpy(value), copy=True)
        else:
            state[key] = copy.deepcopy(value)
    new = copy.copy(estimator)
    new.__dict__ = state
    return new
