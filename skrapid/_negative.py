"""Negative phases of the log-likelihood gradient, one small class each.

The gradient of the mean log-likelihood of an RBM is a difference of two
averages of the sufficient statistics (v, h, v hᵀ):

    ∂⟨log p(v)⟩/∂θ = ⟨·⟩_data − ⟨·⟩_model.

The *positive phase* ⟨·⟩_data is exact (E[h | v] is a sigmoid or tanh of
the field).  The *negative phase* ⟨·⟩_model is where the methods differ:

==================  ==========================================================
:class:`Exact`      enumerate the smaller layer (small models only)
:class:`CD`         k Gibbs sweeps restarted at the data (Hinton 2002)
:class:`PCD`        k sweeps of persistent chains (Tieleman 2008)
:class:`PT`         persistent chains on a ladder of temperatures with swap
                    moves (parallel tempering; Desjardins et al. 2010)
:class:`PID`        the K pattern states of a RAPID model (eq. 6), or k sweeps
                    seeded at them
==================  ==========================================================

Every phase has the same interface: ``phase(model, X, params, rng, ws)``
returns the :class:`Phases` of a minibatch X -- E[h | X] and the negative
samples (or exact statistics) -- and keeps whatever chain state it needs
between calls.  ``save(est)`` / ``restore(est, xp, dtype)`` move that state
to the estimator's fitted attributes (NumPy arrays) and back, so training
continues where it stopped across ``partial_fit`` calls, pickling and
devices.

The positive phase is computed inside the phase because the persistent
phases compute the hidden fields of the data and of the chains with one
product of the stacked batch ``[X; v_neg] W``.  With a workspace ``ws``
(NumPy training loops) every array goes to a reused buffer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _backend as B
from ._backend import buffer
from ._partition import ModelStatistics, base_rate_bias, exact_statistics
from ._sampling import TemperedChains, gibbs_chain, gibbs_from_hidden


@dataclass
class Phases:
    """What the likelihood gradient of a minibatch needs.

    Attributes
    ----------
    h_pos : array of shape (n, n_hidden)
        E[h | v] of the data rows.
    v_neg : array of shape (m, n_visible) or None
        Negative-phase visible states (None with exact statistics).
    h_neg : array of shape (m, n_hidden) or None
        E[h | v_neg] (or the hidden states of the negative phase).
    stats : ModelStatistics or None
        Exact model expectations (:class:`Exact`).
    """

    h_pos: Any
    v_neg: Any = None
    h_neg: Any = None
    stats: ModelStatistics | None = None
    field_pos: Any = None
    field_neg: Any = None


def keeps_fields(units) -> bool:
    """Whether a hidden layer's sampler or parameter moments need its field
    (ReLU, dReLU, learnt Gaussian precisions): the phases then keep the
    fields of the data and of the negative states, and sample from them."""
    return bool(units.needs_field or units.param_names)


def _inplace(ws, a):
    """``a`` itself as the output of an elementwise map when buffers are
    reused (``ws``), else None (a new array)."""
    return None if ws is None else a


def positive_phase(model, X, ws=None):
    """E[h | v] of the data rows: mean((X W + c))."""
    n, H = X.shape[0], model.n_hidden
    f = model.hidden_field(X, out=buffer(ws, "field_pos", (n, H), model.dtype))
    return model.hid.mean(model.xp, f, out=_inplace(ws, f))


def _stacked_means(model, X, fill_negative, m, ws):
    """E[h | ·] of the data and of m negative states, in one product.

    ``fill_negative(out)`` writes the m negative visible states into ``out``
    (a view of the stacked buffer) and returns them.
    """
    xp, dt = model.xp, model.dtype
    n, V, H = X.shape[0], model.n_visible, model.n_hidden
    stacked = buffer(ws, "stacked", (n + m, V), dt)
    if stacked is None:
        v_neg = fill_negative(None)
        stacked = xp.concatenate([X, v_neg])
    else:
        stacked[:n] = X
        v_neg = fill_negative(stacked[n:])
    fields = model.hidden_field(stacked, out=buffer(ws, "fields", (n + m, H), dt))
    means = model.hid.mean(xp, fields, out=_inplace(ws, fields))
    return means[:n], v_neg, means[n:]


class NegativePhase(ABC):
    """Base class: a negative phase without chain state."""

    #: Short name, as in the estimators' ``method`` parameter.
    name = ""

    @abstractmethod
    def __call__(self, model, X, params, rng, ws=None) -> Phases:
        """The :class:`Phases` of the minibatch X under ``model``."""

    def restore(self, est, xp, dtype):  # noqa: B027 - stateless by default
        """Load the chain state saved in the estimator's fitted attributes."""

    def save(self, est):  # noqa: B027 - stateless by default
        """Write the chain state to the estimator's fitted attributes."""

    def monitor(self):
        """Per-epoch diagnostics of the phase (a dict of floats)."""
        return {}


class Exact(NegativePhase):
    """Exact model expectations by enumerating the smaller layer."""

    name = "exact"

    def __call__(self, model, X, params, rng, ws=None):
        f_pos = model.hidden_field(X)
        return Phases(
            model.hid.mean(model.xp, f_pos), stats=exact_statistics(model),
            field_pos=f_pos if keeps_fields(model.hid) else None,
        )  # fmt: skip


class CD(NegativePhase):
    """CD-k: k Gibbs sweeps from a hidden sample drawn given the data."""

    name = "cd"

    def __init__(self, n_steps=1):
        self.n_steps = n_steps

    def __call__(self, model, X, params, rng, ws=None):
        xp, hid, dt = model.xp, model.hid, model.dtype
        n, H = X.shape[0], model.n_hidden
        if keeps_fields(hid):
            f_pos = model.hidden_field(X)
            h0 = hid.sample(xp, f_pos, rng)
            v_neg, f_neg = gibbs_from_hidden(model, h0, self.n_steps, rng)
            return Phases(
                hid.mean(xp, f_pos), v_neg, hid.mean(xp, f_neg),
                field_pos=f_pos, field_neg=f_neg,
            )  # fmt: skip
        h_pos = positive_phase(model, X, ws)
        h0 = hid.sample_given_mean(
            xp, h_pos, rng, out=buffer(ws, "gibbs_h", (n, H), dt), ws=ws
        )
        v_neg, field_neg = gibbs_from_hidden(model, h0, self.n_steps, rng, ws)
        h_neg = hid.mean(xp, field_neg, out=_inplace(ws, field_neg))
        return Phases(h_pos, v_neg, h_neg)


class PCD(NegativePhase):
    """PCD-k: persistent chains, each continued by k sweeps per update.

    The chain state is the last hidden sample (what the next sweep starts
    from) and the visible states of the last sweep.  Chains start from
    random hidden states, or, with ``init``, from given visible states
    (RAPID seeds them at the patterns).
    """

    name = "pcd"

    def __init__(self, n_steps=1, n_chains=10, init=None):
        self.n_steps, self.n_chains, self.init = n_steps, n_chains, init
        self.h = self.v = None

    def restore(self, est, xp, dtype):
        self.h = self.v = None
        if getattr(est, "persistent_hidden_", None) is not None:
            # copies: the chains are updated in place during training
            self.h = xp.array(B.to_device(est.persistent_hidden_, xp, dtype))
            self.v = B.to_device(est.persistent_chains_, xp, dtype)

    def save(self, est):
        if self.h is not None:  # copies: not views of the workspace
            est.persistent_hidden_ = np.array(B.to_numpy(self.h))
            est.persistent_chains_ = np.array(B.to_numpy(self.v))

    def _start(self, model, params, rng):
        xp, m = model.xp, self.n_chains
        if self.init is not None:
            v0 = self.init(model, params, m)
            return model.hid.sample(xp, model.hidden_field(v0), rng)
        return model.hid.sample(xp, xp.zeros((m, model.n_hidden), model.dtype), rng)

    def __call__(self, model, X, params, rng, ws=None):
        xp, hid, dt = model.xp, model.hid, model.dtype
        H = model.n_hidden
        if self.h is None:
            self.h = self._start(model, params, rng)
        h, m = self.h, self.h.shape[0]
        if self.n_steps > 1:
            _, field = gibbs_from_hidden(model, h, self.n_steps - 1, rng, ws)
            h = hid.sample(xp, field, rng, out=buffer(ws, "gibbs_h", (m, H), dt), ws=ws)

        if keeps_fields(hid):
            v_neg = model.vis.sample(xp, model.visible_field(h), rng)
            f_pos, f_neg = model.hidden_field(X), model.hidden_field(v_neg)
            self.h, self.v = hid.sample(xp, f_neg, rng), v_neg
            return Phases(
                hid.mean(xp, f_pos), v_neg, hid.mean(xp, f_neg),
                field_pos=f_pos, field_neg=f_neg,
            )  # fmt: skip

        def fill(out):
            return model.vis.sample(xp, model.visible_field(h, ws), rng, out=out, ws=ws)

        h_pos, v_neg, h_neg = _stacked_means(model, X, fill, m, ws)
        if ws is None or self.h.shape != (m, H):
            self.h = hid.sample_given_mean(xp, h_neg, rng)
        else:  # the previous chain state is no longer needed: overwrite it
            hid.sample_given_mean(xp, h_neg, rng, out=self.h, ws=ws)
        self.v = v_neg
        return Phases(h_pos, v_neg, h_neg)


class PT(NegativePhase):
    """Parallel tempering: persistent chains at R inverse temperatures.

    Replica r samples the model on the AIS path
    p_β(v) ∝ exp(β (bᵀv) + (1 − β) b_Aᵀv) Π_a exp(A_h(β (vW + c)_a)),
    with β_0 = 1 (the model) > ... > β_{R−1} = 0 (the base-rate model b_A
    matched to the data's marginals, which mixes in one sweep).  Every update
    makes ``n_steps`` Gibbs sweeps of all replicas and one round of swap
    moves between neighbouring temperatures (even pairs, then odd pairs on
    the next update), accepted with the Metropolis probability
    min(1, f_βi(v_j) f_βj(v_i) / (f_βi(v_i) f_βj(v_j))).  The negative phase
    is the β = 1 replica.  See :class:`~skrapid._sampling.TemperedChains`.
    """

    name = "pt"

    def __init__(self, n_steps=1, n_chains=10, n_temperatures=10):
        self.n_steps, self.n_chains = n_steps, n_chains
        self.n_temperatures = n_temperatures
        self.chains = None

    def restore(self, est, xp, dtype):
        self.chains = None
        self.last_acceptance = getattr(est, "swap_acceptance_", None)
        self._saved = getattr(est, "tempered_chains_", None)
        self._data_mean = getattr(est, "visible_mean_", None)

    def save(self, est):
        if self.chains is not None:
            est.tempered_chains_ = np.array(B.to_numpy(self.chains.v))
            est.persistent_chains_ = est.tempered_chains_[0].copy()
            est.persistent_hidden_ = None
            est.swap_acceptance_ = self.last_acceptance

    def monitor(self):
        if self.chains is None:
            return {}
        rate = self.last_acceptance = np.asarray(self.chains.acceptance(), float)
        self.chains.reset_counts()
        return {"swap_acceptance": float(np.min(rate)) if len(rate) else 1.0}

    def __call__(self, model, X, params, rng, ws=None):
        xp, dt = model.xp, model.dtype
        if self.chains is None:
            base = base_rate_bias(model.vis, self._data_mean, model.n_visible, dt)
            v0 = None
            saved = self._saved
            if saved is not None and saved.shape[0] == self.n_temperatures:
                v0 = B.to_device(saved, xp, dt)
            self.chains = TemperedChains(
                model.vis,
                B.to_device(base, xp, dt),
                self.n_temperatures,
                self.n_chains,
                xp,
                dt,
                rng,
                v0=v0,
            )
        v_neg, field = self.chains.step(model, self.n_steps, rng)
        if keeps_fields(model.hid):
            f_pos = model.hidden_field(X)
            return Phases(
                model.hid.mean(xp, f_pos), v_neg, model.hid.mean(xp, field),
                field_pos=f_pos, field_neg=field,
            )  # fmt: skip
        h_pos = positive_phase(model, X, ws)
        return Phases(h_pos, v_neg, model.hid.mean(xp, field))


def pattern_states(units, xi, out=None, ws=None):
    """Binary states of (possibly continuous) patterns: sign, with sign(0) = +1.

    Returns ±1 for spin units and {0, 1} for Bernoulli units (into ``out``
    with a workspace ``ws``).
    """
    if ws is None:
        return units.from_bits(xi >= 0, xi.dtype)
    xp = B.get_namespace(xi)
    bits = xp.greater_equal(xi, 0, out=ws.get("pattern_bits", xi.shape, bool))
    xp.copyto(out, bits)
    if units.low != 0.0:
        out *= xi.dtype.type(2)
        out -= xi.dtype.type(1)
    return out


class PID(NegativePhase):
    """Pattern-InDuced correlations (RAPID, eq. 6 and Alg. 1).

    The model average is replaced by the average over the K pattern states
    ξ_v.  With ``hidden="mean"`` (eqs. A7a/A7b) the hidden layer enters
    through E[h | v = ξ_v], the free-energy gradient at the patterns; with
    ``hidden="pattern"`` the patterns' own hidden parts ξ_h are used (Alg. 1
    read literally).  With ``n_steps = k > 0`` the patterns seed k Gibbs
    sweeps and the chains' end states form the negative phase (Sec. 5.2).
    No state is kept between updates: the patterns are the state.
    """

    name = "pid"

    def __init__(self, n_steps=0, hidden="mean"):
        self.n_steps, self.hidden = n_steps, hidden

    def __call__(self, model, X, params, rng, ws=None):
        xp, dt = model.xp, model.dtype
        xi_v, xi_h = params["xi_v"], params["xi_h"]
        K, V, H = xi_v.shape[0], model.n_visible, model.n_hidden
        if self.n_steps > 0 or self.hidden == "pattern":
            v_neg = pattern_states(
                model.vis, xi_v, out=buffer(ws, "patterns_v", (K, V), dt), ws=ws
            )
            if self.n_steps > 0:
                v_neg, field_neg = gibbs_chain(model, v_neg, self.n_steps, rng, ws)
                h_neg = model.hid.mean(xp, field_neg, out=_inplace(ws, field_neg))
            else:
                h_neg = pattern_states(
                    model.hid, xi_h, out=buffer(ws, "patterns_h", (K, H), dt), ws=ws
                )
            return Phases(positive_phase(model, X, ws), v_neg, h_neg)

        def fill(out):
            return pattern_states(model.vis, xi_v, out=out, ws=ws)

        h_pos, v_neg, h_neg = _stacked_means(model, X, fill, K, ws)
        return Phases(h_pos, v_neg, h_neg)


def seed_at_patterns(model, params, m):
    """m visible states: the K pattern states repeated (RAPID's chain seeds)."""
    xp = model.xp
    states = pattern_states(model.vis, params["xi_v"])
    return states[xp.arange(m) % states.shape[0]]
