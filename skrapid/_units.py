"""Unit types of a binary layer: Bernoulli {0, 1} and spin {-1, +1}.

A layer of independent binary units coupled to a local field ``x`` (the input
W h + b or Wᵀ v + c) has the single-unit distribution
``P(s | x) ∝ exp(s·x)`` over its two states.  Everything an RBM needs from a
unit type follows from that:

========================  =====================  ===========================
quantity                  bernoulli, s ∈ {0,1}   spin, s ∈ {-1,+1}
========================  =====================  ===========================
``mean(x)``  E[s | x]      sigmoid(x)             tanh(x)
``P(s=1 | x)``            sigmoid(x)             sigmoid(2x)
``log_partition(x)``      log(1 + e^x)           log(2 cosh x)
========================  =====================  ===========================

The log-partition is what remains of a layer after summing it out, so the free
energy of either layer is ``-bias·s - Σ log_partition(field)``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._backend import buffer, is_cupy_array, issparse, to_numpy


class _Units(ABC):
    name: str = ""
    low: float = 0.0
    high: float = 1.0
    #: States are a finite set (exact enumeration is possible).
    discrete: bool = True

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

    @abstractmethod
    def prob_high(self, xp, field, out=None):
        """P(s = high | field), elementwise (into ``out`` when given)."""

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
            X = X if is_cupy_array(X) else np.asarray(X)
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


class Bernoulli(_Units):
    """Units with states {0, 1}: E[s|x] = sigmoid(x), A(x) = log(1 + e^x)."""

    name = "bernoulli"
    low, high = 0.0, 1.0

    def mean(self, xp, field, out=None):
        return _sigmoid(xp, field, out=out)

    def prob_high(self, xp, field, out=None):
        return _sigmoid(xp, field, out=out)

    def log_partition(self, xp, field):
        # softplus(x) = max(x, 0) + log1p(exp(-|x|)); ~3x faster than
        # logaddexp(0, x) on NumPy and exact to the last bit in float64.
        out = _log1p_exp_neg(xp, field, 1)
        out += xp.maximum(field, 0)
        return out


class Spin(_Units):
    """Units with states {-1, +1}: E[s|x] = tanh(x), A(x) = log(2 cosh x)."""

    name = "spin"
    low, high = -1.0, 1.0

    def mean(self, xp, field, out=None):
        return xp.tanh(field, out=out)

    def prob_high(self, xp, field, out=None):
        return _sigmoid(xp, field, out=out, scale=2)  # (1 + tanh x) / 2

    def log_partition(self, xp, field):
        # log 2cosh(x) = |x| + log1p(exp(-2|x|)), overflow-free.
        out = _log1p_exp_neg(xp, field, 2)
        out += xp.abs(field)
        return out


class Gaussian(_Units):
    """Real-valued units with precision p: P(s | x) ∝ exp(-p s²/2 + s x).

    E[s | x] = x / p, Var[s | x] = 1 / p, and
    A(x) = log ∫ exp(-p s²/2 + s x) ds = x² / (2p) + ½ log(2π / p).
    The precision is the visible mass μ² of the scalar-field RBM, or
    1/σ_h² on its hidden layer; a scalar or one value per unit.
    """

    name = "gaussian"
    low, high = -np.inf, np.inf
    discrete = False

    def __init__(self, precision):
        self.precision = precision

    def mean(self, xp, field, out=None):
        return xp.divide(field, self.precision, out=out)

    def prob_high(self, xp, field, out=None):  # pragma: no cover - not binary
        raise TypeError("Gaussian units have no 'high' state.")

    def sample(self, xp, field, rng, out=None, ws=None):
        return self.sample_given_mean(xp, field / self.precision, rng)

    def sample_given_mean(self, xp, mean, rng, out=None, ws=None):
        out = rng.standard_normal(mean.shape, dtype=mean.dtype)
        out /= xp.sqrt(self.precision)
        out += mean
        return out

    def log_partition(self, xp, field):
        p = self.precision
        return field * field / (2 * p) + 0.5 * xp.log(2 * math.pi / p)

    def self_energy(self, xp, s):
        return 0.5 * xp.sum(self.precision * (s * s), axis=-1)

    def bias_for_mean(self, mean):
        return np.asarray(mean, dtype=np.float64) * to_numpy(self.precision)

    def from_bits(self, bits, dtype):  # pragma: no cover - not a binary unit
        raise TypeError("Gaussian units have no binary states.")

    def check_values(self, X, *, allow_fractional=True, what="X", reason=None):
        """Every finite real value is a state (finiteness is checked upstream)."""


UNITS = {"bernoulli": Bernoulli(), "spin": Spin()}


def get_units(name: str) -> _Units:
    """Return the unit object for ``"bernoulli"`` or ``"spin"``."""
    return UNITS[name]


@dataclass
class Bipartite:
    """The energy of a two-layer model, in the array namespace ``xp``.

    ``E(v, h) = -vᵀ W h - bᵀ v - cᵀ h`` with visible units ``vis`` and hidden
    units ``hid``.  Every estimator hands one of these to the samplers and the
    partition-function estimators, which therefore never depend on how a model
    family parametrizes its weights (plain W, patterns, ...).

    Attributes
    ----------
    W : array of shape (n_visible, n_hidden)
    b : array of shape (n_visible,)
    c : array of shape (n_hidden,)
    vis, hid : unit objects
    xp : module
    """

    W: Any
    b: Any
    c: Any
    vis: _Units
    hid: _Units
    xp: Any

    @property
    def n_visible(self) -> int:
        return int(self.W.shape[0])

    @property
    def n_hidden(self) -> int:
        return int(self.W.shape[1])

    @property
    def dtype(self):
        return self.W.dtype

    def hidden_field(self, v, out=None):
        """Field on the hidden units, ``v W + c`` (into ``out`` when given).

        ``v`` may be SciPy sparse rows (NumPy models): a sparse-dense product.
        """
        if issparse(v):
            return np.add(v @ self.W, self.c, out=out)
        out = self.xp.matmul(v, self.W, out=out)
        out += self.c
        return out

    def visible_field(self, h, ws=None):
        """Field on the visible units, ``h Wᵀ + b``.

        Computed as ``(W hᵀ)ᵀ``: with W stored (V, H) row-major this product
        runs about 25% faster than ``h @ W.T`` on OpenBLAS for minibatch shapes.
        With a workspace the product goes to a reused (V, n) buffer.
        """
        out_t = buffer(ws, "visible_field", (self.W.shape[0], h.shape[0]), self.W.dtype)
        out = self.xp.matmul(self.W, h.T, out=out_t).T
        out += self.b
        return out

    def mean_hiddens(self, v):
        """E[h | v] = mean(Wᵀ v + c)."""
        return self.hid.mean(self.xp, self.hidden_field(v))

    def mean_visibles(self, h):
        """E[v | h] = mean(W h + b)."""
        return self.vis.mean(self.xp, self.visible_field(h))

    def free_energy(self, v):
        """F(v) = U_vis(v) - bᵀv - Σ_a A_hid((Wᵀv + c)_a), so p(v) = exp(-F(v)) / Z.

        U is the units' own energy (zero for binary units, ½μ²v² for Gaussian).
        """
        xp = self.xp
        out = -(v @ self.b) - xp.sum(
            self.hid.log_partition(xp, self.hidden_field(v)), axis=1
        )
        u = self.vis.self_energy(xp, v)
        return out if u is None else out + u

    def free_energy_hidden(self, h):
        """F(h) = U_hid(h) - cᵀh - Σ_i A_vis((W h + b)_i), so p(h) = exp(-F(h)) / Z."""
        xp = self.xp
        out = -(h @ self.c) - xp.sum(
            self.vis.log_partition(xp, self.visible_field(h)), axis=1
        )
        u = self.hid.self_energy(xp, h)
        return out if u is None else out + u

    def energy(self, v, h):
        """E(v, h) = U_vis(v) + U_hid(h) - vᵀ W h - bᵀ v - cᵀ h, one per row."""
        xp = self.xp
        out = -xp.sum((v @ self.W) * h, axis=1) - v @ self.b - h @ self.c
        for units, s in ((self.vis, v), (self.hid, h)):
            u = units.self_energy(xp, s)
            if u is not None:
                out = out + u
        return out

    def swapped(self) -> Bipartite:
        """The same model with the roles of the layers exchanged."""
        return Bipartite(self.W.T, self.c, self.b, self.hid, self.vis, self.xp)
