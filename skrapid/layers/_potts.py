"""Potts units: categorical, q states each, encoded one-hot."""

from __future__ import annotations

import numpy as np

from .._backend import is_device_array, issparse
from ._base import Layer, _into


class Potts(Layer):
    """Categorical units with ``n_states`` = q states each.

    A unit's state is one of q categories, encoded as q one-hot columns (unit
    i, state k is column i·q + k); the field has one entry per column, and
    P(s_i = k | field) = softmax_k(field_{i,·}).  So
    A(field_i) = log Σ_k exp(field_{ik}), the mean is the softmax (the
    one-hot probabilities), and samples are one-hot rows.

    As a visible layer of :class:`~skrapid.RBM` the data come as integer
    codes 0..q−1, one column per unit (what
    :class:`~sklearn.preprocessing.OrdinalEncoder` gives), or as their
    one-hot encoding (dense or SciPy sparse, q columns per unit, as
    ``OneHotEncoder(categories=[range(q)] * n)`` gives).  The weights and
    biases are kept in the *zero-sum gauge*: for every unit and every unit
    of the other layer, the couplings sum to zero over the q states (the
    gauge freedom is moved into the other layer's bias, so the distribution
    is unchanged).

    Parameters
    ----------
    n_states : int or None, default=None
        q.  None: inferred from the training codes (largest code + 1) of a
        visible layer; a hidden Potts layer needs it.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.layers import Potts
    >>> p = Potts(n_states=3)
    >>> p.mean(np, np.array([[0.0, 0.0, np.log(2.0)]])).round(2)
    array([[0.25, 0.25, 0.5 ]])
    """

    name = "potts"
    low, high = 0.0, 1.0
    _options = ("n_states",)

    def __init__(self, n_states=None):
        self.n_states = n_states

    @property
    def q(self) -> int:
        if self.n_states is None:
            raise ValueError(
                "the Potts layer's n_states is not known yet: give "
                "Potts(n_states=q), or fit the model first."
            )
        return int(self.n_states)

    def columns(self, n_units):
        return n_units * self.q

    def _groups(self, a):
        return a.reshape(a.shape[:-1] + (a.shape[-1] // self.q, self.q))

    def log_partition(self, xp, field):
        g = self._groups(field)
        mx = g.max(axis=-1, keepdims=True)
        return (mx + xp.log(xp.exp(g - mx).sum(axis=-1, keepdims=True)))[..., 0]

    def log_partition_zero(self, xp, n_columns, dtype=np.float64):
        return n_columns // self.q * float(np.log(self.q))

    def mean(self, xp, field, out=None):
        g = self._groups(field)
        e = xp.exp(g - g.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        m = e.reshape(field.shape)
        return _into(out, m)

    def var(self, xp, field):
        m = self.mean(xp, field)
        return m * (1 - m)

    def prob_high(self, xp, field, out=None):  # pragma: no cover - not binary
        raise TypeError("Potts units have no 'high' state.")

    def sample(self, xp, field, rng, out=None, ws=None):
        p = self._groups(self.mean(xp, field))
        cum = xp.cumsum(p, axis=-1)
        u = rng.random(cum.shape[:-1] + (1,), dtype=field.dtype)
        k = xp.minimum((cum < u * cum[..., -1:]).sum(axis=-1), self.q - 1)
        s = self.one_hot(xp, k, field.dtype)
        return _into(out, s)

    def sample_given_mean(self, xp, mean, rng, out=None, ws=None):
        return self.sample(xp, xp.log(xp.maximum(mean, 1e-30)), rng, out=out)

    def one_hot(self, xp, codes, dtype):
        """One-hot rows (n, units·q) of integer codes (n, units)."""
        codes = xp.asarray(codes)
        n, units = codes.shape
        out = xp.zeros((n, units, self.q), dtype=dtype)
        xp.put_along_axis(out, codes[..., None].astype(xp.int64), 1, axis=-1)
        return out.reshape(n, units * self.q)

    def codes(self, xp, S):
        """Integer codes (n, units) of one-hot rows or probabilities (the
        most probable state)."""
        return self._groups(S).argmax(axis=-1)

    def n_joint_states(self, n_units):
        return self.q**n_units

    def enumerate_states(self, xp, start, stop, n_units, dtype):
        idx = xp.arange(start, stop, dtype=xp.int64)
        powers = xp.asarray(self.q ** np.arange(n_units, dtype=np.int64))
        codes = (idx[:, None] // powers[None, :]) % self.q
        return self.one_hot(xp, codes, dtype)

    def from_bits(self, bits, dtype):  # pragma: no cover - not binary
        raise TypeError("Potts units have no binary states.")

    def bias_for_mean(self, mean):
        return np.log(np.asarray(mean, dtype=np.float64))

    def check_values(self, X, *, allow_fractional, what="X", reason=None):
        """One-hot rows (or, with ``allow_fractional``, rows of probabilities):
        each unit's q columns are in [0, 1] and sum to 1."""
        if issparse(X):
            X = X.toarray()
        elif not is_device_array(X):
            X = np.asarray(X)
        if not X.size:
            return
        g = self._groups(X)
        sums = g.sum(axis=-1)
        if allow_fractional:
            ok = bool(((g >= 0) & (g <= 1)).all()) and bool(
                (abs(sums - 1) < 1e-4).all()
            )
        else:
            ok = bool(((g == 0) | (g == 1)).all()) and bool((sums == 1).all())
        if not ok:
            raise ValueError(
                f"{what} must hold one state per Potts unit: "
                + ("probabilities summing to 1" if allow_fractional else "one-hot")
                + f" over each unit's {self.q} columns. Pass integer codes "
                "0..q-1 (one column per unit, as OrdinalEncoder gives) instead."
            )


def check_codes(X, q, what="X"):
    """Integer codes 0..q−1 as an int array; a clear error otherwise."""
    A = np.asarray(X)
    if A.size and not np.all(A == np.round(A)):
        raise ValueError(
            f"{what} must hold integer category codes 0..q-1 for a Potts visible "
            "layer (one column per unit, as sklearn.preprocessing.OrdinalEncoder "
            "gives); found non-integer values."
        )
    if A.size and (A.min() < 0 or (q is not None and A.max() > q - 1)):
        raise ValueError(
            f"{what} holds codes in [{int(A.min())}, {int(A.max())}], but a Potts "
            f"layer with n_states={q} takes codes 0..{q - 1 if q else 'q-1'}. "
            + (
                f"Set Potts(n_states={int(A.max()) + 1}) or larger."
                if A.size and A.max() > (q or 0) - 1 and A.min() >= 0
                else "Encode the categories as 0..q-1, e.g. with OrdinalEncoder."
            )
        )
    return A.astype(np.int64)
