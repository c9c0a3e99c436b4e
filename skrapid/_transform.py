"""The scikit-learn transformer face of the skrapid estimators:
``transform`` (hidden conditional means), ``inverse_transform`` (visible
conditional means) and the output feature names."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from . import _backend as B
from ._validation import _by_rows, _check_device_array


class _TransformMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """``transform`` and ``inverse_transform`` through the fitted model, and
    ``get_feature_names_out`` (one name per hidden unit).

    A subclass of :class:`~sklearn.base.TransformerMixin`, so that
    ``transform`` defined here is wrapped for ``set_output`` (scikit-learn
    wraps only the methods a subclass of it defines itself).  Needs
    ``_prepare``, ``_fitted_model`` (:class:`~skrapid._validation._ValidationMixin`)
    and ``_from_model_space``.
    """

    @property
    def _n_features_out(self):
        """Number of transformed output features: the hidden units."""
        return self.components_.shape[0]

    @B.with_blas_policy
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

    @B.with_blas_policy
    def inverse_transform(self, X=None, **kwargs):
        """Visible conditional means E[v | h]: back from the hidden layer.

        ``inverse_transform(transform(X))`` is one deterministic pass forward
        and backward through the model, the *regenerated* data of the
        scalar-field paper (Sec. VI, Fig. 16).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Hidden states or conditional means (the output of
            :meth:`transform`).
        **kwargs
            ``H=``: the old name of ``X``, deprecated in 0.1 and removed in
            0.3 (a ``FutureWarning``).  Metadata routing treats every named
            argument but ``X`` as metadata, so the hidden states are ``X``.

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
        H = H_in = _renamed_argument(X, kwargs)
        check_is_fitted(self, "components_")
        H = self._from_input_space(H, reset=False)
        if B.is_device_array(H):  # checked on the device, as X is
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
        return B.like_input(self._from_model_space(V, xp), H_in)


def _renamed_argument(X, kwargs):
    """``inverse_transform``'s hidden states: ``X``, or the deprecated ``H=``."""
    if "H" in kwargs:
        H = kwargs.pop("H")
        if X is not None:
            raise TypeError(
                "inverse_transform got both X and H (the old name of X); pass X only."
            )
        warnings.warn(
            "inverse_transform(H=...) is deprecated since skrapid 0.1 and will be "
            "removed in 0.3: pass the hidden states as X (inverse_transform(X=...) "
            "or positionally).",
            FutureWarning,
            stacklevel=3,
        )
        X = H
    if kwargs:
        raise TypeError(
            f"inverse_transform got unexpected keyword arguments {sorted(kwargs)}."
        )
    if X is None:
        raise TypeError("inverse_transform needs the hidden states X.")
    return X
