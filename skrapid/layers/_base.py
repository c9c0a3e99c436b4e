"""The layer interface, and the helpers of the binary layers.

Every unit type is a :class:`Layer`; one private module per type defines it
(:mod:`~skrapid.layers._bernoulli`, :mod:`~skrapid.layers._spin`,
:mod:`~skrapid.layers._potts`, :mod:`~skrapid.layers._gaussian`,
:mod:`~skrapid.layers._relu`, :mod:`~skrapid.layers._drelu`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .._backend import is_device_array, issparse


class Layer(ABC):
    """A layer of units: what training, enumeration, sampling, AIS and
    scoring need from a unit type (RestrictedBoltzmannMachines.jl's design).

    A layer of ``n`` units coupled to an input ``field`` (``W h + b`` or
    ``Wᵀ v + c``: the linear bias is the estimator's, not the layer's) has
    the factorized conditional ``P(s | field) ∝ exp(-U(s) + s·field)``, with
    ``U`` the layer's own energy (none for binary units, ``p s²/2`` for
    Gaussian units, a truncated parabola for ReLU...).  Everything follows
    from the cumulant generating function ``log_partition(field)``
    ``= log ∫ exp(-U(s) + s·field) ds`` of each unit: its derivative is the
    conditional mean, and its derivatives with respect to the layer's own
    parameters are the moments their gradient needs.

    An instance made by the user holds the layer's options only (a *spec*,
    as sklearn's kernels: cloned, compared and shown in ``get_params``);
    :meth:`bind` returns a copy holding the learnt parameter arrays, which
    is what the samplers and estimators compute with.

    States are encoded as real rows: one column per unit, or ``n_states``
    one-hot columns per unit (:class:`~skrapid.layers.Potts`); ``columns``
    gives that width.
    """

    #: Learnt parameters of the layer itself (besides the linear bias), as
    #: keys of :meth:`init_params` and :meth:`bind`.
    param_names: tuple = ()
    #: Options of the spec (shown by repr, compared by ==).
    _options: tuple = ()
    #: Two states per unit ({0, 1} or ±1): the fused AIS kernel applies.
    binary: bool = False
    #: Sampling and the moments need the field, not only the mean (the
    #: negative phases then keep the fields).
    needs_field: bool = False
    #: May be a hidden layer only (its base-rate model is not defined).
    hidden_only: bool = False
    #: The states and the layer's own energy are symmetric under s → −s
    #: (the global flip move of ``sample(z2_flips=True)`` applies).
    symmetric: bool = False
    name: str = ""
    low: float = 0.0
    high: float = 1.0
    #: States are a finite set (exact enumeration is possible).
    discrete: bool = True

    # -- spec and binding ------------------------------------------------------
    def __repr__(self):
        opts = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._options)
        return f"{type(self).__name__}({opts})"

    def __eq__(self, other):
        return type(other) is type(self) and all(
            getattr(self, k) == getattr(other, k) for k in self._options
        )

    def __hash__(self):
        return hash(
            (type(self).__name__,) + tuple(getattr(self, k) for k in self._options)
        )

    def columns(self, n_units: int) -> int:
        """Columns of the encoded states of ``n_units`` units."""
        return n_units

    def init_params(self, n_units: int, xp, dtype, X=None) -> dict:
        """Initial values of the learnt parameters (:attr:`param_names`),
        from the encoded data X of a visible layer when given."""
        return {}

    def bind(self, **params):
        """A copy of the layer holding the parameter arrays ``params``."""
        import copy

        out = copy.copy(self)
        for k, v in params.items():
            setattr(out, k, v)
        return out

    def param_moments(self, xp, field) -> dict:
        """∂ log_partition(field) / ∂θ for each learnt parameter θ, per row
        and unit: the gradient of log p with respect to θ when the layer is
        summed out (it is E[-∂U/∂θ | field])."""
        return {}

    def state_moments(self, xp, s) -> dict:
        """-∂U(s)/∂θ for each learnt parameter θ, per row and unit: the
        gradient of log p with respect to θ at the states ``s``."""
        return {}

    @abstractmethod
    def var(self, xp, field):
        """Var[s | field], elementwise."""

    def log_partition_zero(self, xp, n_columns: int, dtype=np.float64) -> float:
        """Σ log_partition(0) over a layer of ``n_columns`` encoded columns
        (the hidden layer of the base model of AIS)."""
        return n_columns * float(self.log_partition(np, np.zeros(1))[0])

    def n_joint_states(self, n_units: int) -> int:
        """Number of joint states of ``n_units`` discrete units."""
        return 2**n_units

    def enumerate_states(self, xp, start: int, stop: int, n_units: int, dtype):
        """Encoded joint states number ``start`` to ``stop - 1`` of ``n_units``
        discrete units (binary expansion for two-state units)."""
        idx = xp.arange(start, stop, dtype=xp.int64)
        shifts = xp.arange(n_units, dtype=xp.int64)
        return self.from_bits((idx[:, None] >> shifts[None, :]) & 1, dtype)

    def self_energy(self, xp, s):
        """Σ of the single-unit energy terms of the rows of ``s`` (none for
        binary units; ½·precision·s² for Gaussian units)."""
        return None

    def bias_for_mean(self, mean):
        """Bias of an uncoupled unit whose mean is ``mean`` (NumPy, float64)."""
        m = np.asarray(mean, dtype=np.float64)
        if self.low == 0.0:
            return np.log(m) - np.log1p(-m)
        return np.arctanh(m)

    @abstractmethod
    def mean(self, xp, field, out=None):
        """E[s | field], elementwise (into ``out`` when given)."""

    def prob_high(self, xp, field, out=None):
        """P(s = high | field), elementwise (into ``out`` when given); binary
        layers only."""
        raise TypeError(f"{type(self).__name__} units have no 'high' state.")

    @abstractmethod
    def log_partition(self, xp, field):
        """log Σ_s exp(s·field), elementwise."""

    def sample(self, xp, field, rng, out=None, ws=None):
        """Draw states given the field: ``high`` with P(high | field).

        With a workspace ``ws`` (NumPy) the uniforms, probabilities and bits
        go to reused buffers and the states to ``out``; the draws are the
        same as without."""
        if ws is None:
            u = rng.random(field.shape, dtype=field.dtype)
            s = u < self.prob_high(xp, field)
            if self.low == 0.0:
                return s.astype(field.dtype)
            return s.astype(field.dtype) * 2 - 1
        p = self.prob_high(xp, field, out=ws.get("p", field.shape, field.dtype))
        return self._draw(xp, p, rng, out, ws)

    def sample_given_mean(self, xp, mean, rng, out=None, ws=None):
        """:meth:`sample` from the conditional mean instead of the field (the
        same draws, without evaluating the sigmoid twice when the mean is
        already known)."""
        if ws is None:
            u = rng.random(mean.shape, dtype=mean.dtype)
            if self.low == 0.0:
                return (u < mean).astype(mean.dtype)
            p = mean + mean.dtype.type(1)
            p *= mean.dtype.type(0.5)
            return (u < p).astype(mean.dtype) * 2 - 1
        if self.low == 0.0:
            p = mean
        else:
            p = xp.add(
                mean, mean.dtype.type(1), out=ws.get("p", mean.shape, mean.dtype)
            )
            p *= mean.dtype.type(0.5)
        return self._draw(xp, p, rng, out, ws)

    def _draw(self, xp, p, rng, out, ws):
        """States with P(high) = p, through the workspace's buffers."""
        # size is given with out: CuPy's Generator.random(out=buf) without size
        # fills the whole buffer with ONE value
        u = rng.random(p.shape, dtype=p.dtype, out=ws.get("u", p.shape, p.dtype))
        bits = xp.less(u, p, out=ws.get("bits", p.shape, bool))
        if out is None:
            out = xp.empty(p.shape, dtype=p.dtype)
        xp.copyto(out, bits)
        if self.low != 0.0:
            out *= p.dtype.type(2)
            out -= p.dtype.type(1)
        return out

    def from_bits(self, bits, dtype):
        """Map {0,1} bit arrays to this unit type's states."""
        if self.low == 0.0:
            return bits.astype(dtype)
        return bits.astype(dtype) * 2 - 1

    def check_values(
        self, X, *, allow_fractional: bool, what: str = "X", reason=None
    ) -> None:
        """Raise ValueError unless X holds valid states (or means, if allowed).

        A SciPy sparse X (in canonical format) is checked on its stored
        values, its implicit zeros being the value 0."""
        n_zeros, note = 0, ""
        if issparse(X):  # the stored values, plus the implicit zeros
            n_zeros = X.shape[0] * X.shape[1] - X.nnz
            note = " (sparse input: stored values and implicit zeros)"
            X = X.data
        else:
            X = X if is_device_array(X) else np.asarray(X)
        lo, hi = self.low, self.high
        if X.size == 0 and not n_zeros:
            return
        if allow_fractional:
            vmin, vmax = (float(X.min()), float(X.max())) if X.size else (0.0, 0.0)
            if n_zeros:
                vmin, vmax = min(vmin, 0.0), max(vmax, 0.0)
            if vmin < lo or vmax > hi:
                raise ValueError(
                    f"{what} must lie in [{lo:g}, {hi:g}] for units='{self.name}' "
                    f"(values are read as E[s]); found values in "
                    f"[{vmin:g}, {vmax:g}]{note}. Rescale the data, e.g. with "
                    "sklearn.preprocessing.MinMaxScaler"
                    + (
                        "(feature_range=(-1, 1))"
                        if self.name == "spin"
                        else "(clip=True)"
                    )
                    + "."
                )
        else:
            bad = (X != lo) & (X != hi)
            zeros_bad = n_zeros if 0.0 not in (lo, hi) else 0
            if zeros_bad or bool(bad.any()):
                why = reason or "log p(x) is only defined on the model's states"
                raise ValueError(
                    f"{what} must be binary with values in {{{lo:g}, {hi:g}}} for "
                    f"units='{self.name}': {why}; found {int(bad.sum()) + zeros_bad} "
                    f"entries{note} that are neither. "
                    + (
                        "Binarize the stored values first, e.g. X.data = "
                        "(X.data > 0.5).astype(X.dtype)."
                        if note
                        else "Binarize first, e.g. with skrapid.datasets.binarize("
                        f"X, units='{self.name}')."
                    )
                )


def _into(out, a):
    """``a``, written into ``out`` when one is given (the ``out=`` convention
    of the layers' elementwise methods)."""
    if out is None:
        return a
    out[...] = a
    return out


#: The former name of :class:`Layer`.
_Units = Layer


def _sigmoid(xp, field, out=None, scale=1):
    """Logistic sigmoid of ``scale * field``, 1 / (1 + exp(-scale * field)),
    elementwise (into ``out`` when given).

    Four passes (scale, exp, add, divide) with exp as the only
    transcendental: on NumPy about 1.7x faster than the tanh form in float32
    and 3x faster in float64 (NumPy's float64 tanh is slow), and accurate to
    a few ulps relative.  exp overflows to inf for very negative arguments,
    which gives the exact limit 0 (NumPy's overflow warning is silenced).
    """
    dt = field.dtype.type
    out = xp.multiply(field, dt(-scale), out=out)
    with np.errstate(over="ignore"):
        xp.exp(out, out=out)
    out += dt(1)
    return xp.divide(dt(1), out, out=out)


def _log1p_exp_neg(xp, field, scale):
    """log1p(exp(-scale * |field|)), in place on one temporary."""
    out = xp.abs(field)
    out *= field.dtype.type(-scale)
    xp.exp(out, out=out)
    xp.log1p(out, out=out)
    return out
