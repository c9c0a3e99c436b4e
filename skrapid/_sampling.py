"""Block-Gibbs samplers for bipartite models.

Both layers of an RBM are conditionally independent given the other, so one
Gibbs sweep draws all hidden units from P(h | v) and then all visible units
from P(v | h).  These functions work on a :class:`~skrapid._units.Bipartite`
and a native generator, on NumPy or CuPy alike.
"""

from __future__ import annotations

import numpy as np

from . import _backend as B
from ._backend import buffer


def gibbs_from_hidden(model, h, n_steps: int, rng, ws=None):
    """Run ``n_steps`` sweeps h -> v -> h starting from hidden *states* ``h``.

    This is the persistent-chain (PCD) step: the chain's state is its last
    hidden sample.  With a workspace ``ws`` (NumPy) every sweep reuses the
    same buffers.

    Returns
    -------
    v : array of shape (n_chains, n_visible)
        Visible states of the last sweep.
    field_h : array of shape (n_chains, n_hidden)
        Hidden field ``v W + c`` of those states (E[h | v] follows from it).
    """
    xp, n, dt = model.xp, h.shape[0], model.dtype
    v_buf = buffer(ws, "gibbs_v", (n, model.n_visible), dt)
    f_buf = buffer(ws, "gibbs_field_h", (n, model.n_hidden), dt)
    h_buf = buffer(ws, "gibbs_h", (n, model.n_hidden), dt)
    v = model.vis.sample(xp, model.visible_field(h, ws), rng, out=v_buf, ws=ws)
    field_h = model.hidden_field(v, out=f_buf)
    for _ in range(n_steps - 1):
        h = model.hid.sample(xp, field_h, rng, out=h_buf, ws=ws)
        v = model.vis.sample(xp, model.visible_field(h, ws), rng, out=v_buf, ws=ws)
        field_h = model.hidden_field(v, out=f_buf)
    return v, field_h


def gibbs_from_hidden_field(model, field_h, n_steps: int, rng):
    """Run ``n_steps`` sweeps starting by sampling h from a given hidden field.

    This is the CD-k chain: the positive phase already computed
    ``field_h = v_data W + c``, which is reused for the first hidden sample.

    Parameters
    ----------
    model : Bipartite
    field_h : array of shape (n_chains, n_hidden)
    n_steps : int
        Number of h -> v -> h sweeps (k >= 1).
    rng : generator

    Returns
    -------
    v : array of shape (n_chains, n_visible)
        Visible states after the last sweep.
    field_h : array of shape (n_chains, n_hidden)
        Hidden field ``v W + c`` of the final visible states.
    """
    h = model.hid.sample(model.xp, field_h, rng)
    return gibbs_from_hidden(model, h, n_steps, rng)


def gibbs_chain(model, v, n_steps: int, rng, ws=None):
    """Run ``n_steps`` sweeps v -> h -> v from visible states ``v``.

    Returns the visible states after the last sweep (``v`` itself when
    ``n_steps == 0``) and their hidden field.
    """
    if ws is None:
        field_h = model.hidden_field(v)
        if n_steps == 0:
            return v, field_h
        return gibbs_from_hidden_field(model, field_h, n_steps, rng)
    n, dt = v.shape[0], model.dtype
    field_h = model.hidden_field(
        v, out=ws.get("chain_field_h", (n, model.n_hidden), dt)
    )
    if n_steps == 0:
        return v, field_h
    h = model.hid.sample(
        model.xp, field_h, rng, out=ws.get("gibbs_h", (n, model.n_hidden), dt), ws=ws
    )
    return gibbs_from_hidden(model, h, n_steps, rng, ws)


def gibbs_step(model, v, rng):
    """One Gibbs sweep v -> h -> v, returning the sampled visible states."""
    return gibbs_chain(model, v, 1, rng)[0]


def random_states(units, xp, shape, dtype, rng):
    """Uniformly random states of ``units`` (zero field: each state p = 1/2)."""
    return units.sample(xp, xp.zeros(shape, dtype=dtype), rng)


def sample_from_means(units, xp, means, rng):
    """Binary states with E[s] = ``means`` (data given as probabilities)."""
    if units.low == 0.0:
        p = means
    else:
        p = (means + 1) * 0.5
    u = rng.random(means.shape, dtype=means.dtype)
    return units.from_bits(u < p, means.dtype)


def tempered_log_f(model, beta, v, field_h, base_bias):
    """log f_β(v) on the tempering path, in float64 (one value per row).

    f_β(v) = exp(β bᵀv + (1 − β) b_Aᵀv) Π_a exp(A_h(β (vW + c)_a)): the
    visible marginal of the RBM (βW, βb + (1 − β) b_A, βc), the model at
    β = 1 and the base-rate model b_A at β = 0.  ``beta`` is a scalar or one
    value per row; ``field_h`` is vW + c.
    """
    xp = model.xp
    f64 = xp.float64
    if getattr(beta, "ndim", 0) == 0:  # a host scalar stays one: no host->device copy
        beta = float(beta)
        col = beta
    else:  # an array of xp, one value per row
        beta = beta.astype(f64, copy=False)
        col = beta[:, None]
    vb = (v @ model.b).astype(f64)
    vbA = (v @ base_bias).astype(f64)
    bf = field_h.astype(f64) * col
    return beta * vb + (1.0 - beta) * vbA + xp.sum(model.hid.log_partition(xp, bf), 1)


class TemperedChains:
    """Parallel-tempering chains: R replicas of m chains on a ladder of β.

    The inverse temperatures are β_r = 1 − r / (R − 1), r = 0 .. R − 1, on
    the path of :func:`tempered_log_f` from the model (β = 1) to the
    base-rate model ``base_bias`` (β = 0), the path AIS anneals along.  The
    state ``v`` has shape (R, m, n_visible); replica 0 samples the model.

    :meth:`step` makes block-Gibbs sweeps of all replicas at once (one
    product of the stacked (R·m, V) states per half sweep) and then one round
    of swap moves between neighbouring temperatures, on even pairs (0-1,
    2-3, ...) and odd pairs (1-2, ...) alternately.  A swap of the states of
    chains i and j = i + 1 is accepted with probability
    min(1, f_βi(v_j) f_βj(v_i) / (f_βi(v_i) f_βj(v_j))), which leaves the
    product of the replicas' distributions invariant.
    """

    def __init__(
        self, units, base_bias, n_temperatures, n_chains, xp, dtype, rng, v0=None
    ):
        if n_temperatures < 2:
            raise ValueError(
                f"parallel tempering needs n_temperatures >= 2; got {n_temperatures}."
            )
        self.xp, self.dtype, self.base = xp, np.dtype(dtype).type, base_bias
        R, m, V = n_temperatures, n_chains, base_bias.shape[0]
        self.betas = np.linspace(1.0, 0.0, R)
        self._beta_rows = xp.asarray(np.repeat(self.betas, m)[:, None], dtype=dtype)
        if v0 is None:  # exact samples of the base-rate model
            field = xp.broadcast_to(base_bias, (R * m, V))
            v0 = units.sample(xp, field, rng).reshape(R, m, V)
        self.v = v0
        self.parity = 0
        self.accepted = xp.zeros(R - 1)  # on the device: no sync per update
        self.proposed = np.zeros(R - 1)
        # the pairs of each parity as slices, and their inverse temperatures
        # copied to the device once: no host->device copy per swap round
        self._pairs = []
        for parity in (0, 1):
            lo = slice(parity, R - 1, 2)
            hi = slice(parity + 1, R, 2)
            b_lo, b_hi = (np.repeat(self.betas[s], m) for s in (lo, hi))
            self._pairs.append(
                (lo, hi, len(b_lo) // m, xp.asarray(b_lo), xp.asarray(b_hi))
            )

    def acceptance(self):
        """Swap acceptance rate of each neighbouring pair since the last reset."""
        return B.to_numpy(self.accepted) / np.maximum(self.proposed, 1)

    def reset_counts(self):
        self.accepted[:] = 0
        self.proposed[:] = 0

    def step(self, model, n_steps, rng):
        """``n_steps`` sweeps of every replica, then one round of swaps.

        Returns the β = 1 replica's visible states and their hidden field
        vW + c.
        """
        xp, dt = self.xp, self.dtype
        R, m, V = self.v.shape
        beta = self._beta_rows
        v = self.v.reshape(R * m, V)
        field = model.hidden_field(v)
        for _ in range(n_steps):
            h = model.hid.sample(xp, field * beta, rng)
            fv = model.visible_field(h) * beta + (dt(1) - beta) * self.base
            v = model.vis.sample(xp, fv, rng)
            field = model.hidden_field(v)
        v = v.reshape(R, m, V)
        field = field.reshape(R, m, -1)
        self._swap(model, v, field, rng)
        self.v = v
        return v[0], field[0]

    def _swap(self, model, v, field, rng):
        xp = self.xp
        m = v.shape[1]
        lo, hi, n_pairs, bl, bh = self._pairs[self.parity]
        self.parity = 1 - self.parity
        if n_pairs == 0:
            return
        vl, vh = v[lo].reshape(-1, v.shape[2]), v[hi].reshape(-1, v.shape[2])
        fl, fh = (
            field[lo].reshape(-1, field.shape[2]),
            field[hi].reshape(-1, field.shape[2]),
        )
        log_a = (
            tempered_log_f(model, bl, vh, fh, self.base)
            + tempered_log_f(model, bh, vl, fl, self.base)
            - tempered_log_f(model, bl, vl, fl, self.base)
            - tempered_log_f(model, bh, vh, fh, self.base)
        )
        u = rng.random(log_a.shape[0])
        acc = xp.log(u) < log_a
        acc2 = acc.reshape(n_pairs, m)
        self.accepted[lo] += acc2.sum(1)
        self.proposed[lo] += m
        sel = acc2[:, :, None]
        for a in (v, field):  # exchange the accepted pairs' states and fields
            a[lo], a[hi] = xp.where(sel, a[hi], a[lo]), xp.where(sel, a[lo], a[hi])


def check_flippable(model):
    """Raise unless the visible states are symmetric about 0."""
    if not getattr(model.vis, "symmetric", False):
        raise ValueError(
            f"z2_flips needs visible states symmetric about 0 (spin, Gaussian or "
            f"φ⁴ units); this model's visible units are {model.vis.name!r}."
        )


def flip_move(model, v, beta, rng, base=None, field=None):
    """The global flip v → −v of each row, proposed with probability ½ and
    accepted with the Metropolis probability min(1, f_β(−v) / f_β(v)) on the
    tempering path (β = 1: the model, f = exp(−F)); ``beta`` a scalar or one
    value per row; ``field``: the hidden field vW + c of ``v`` when already
    computed (the flipped states' field is 2c − field: no second product)."""
    xp = model.xp
    w = -v
    if base is None:
        base = xp.zeros(model.n_visible, dtype=model.dtype)
    if field is None:
        field = model.hidden_field(v)
    field_w = 2 * model.c - field
    log_r = tempered_log_f(model, beta, w, field_w, base)
    log_r = log_r - tempered_log_f(model, beta, v, field, base)
    # (the layer's own energy is even for the symmetric layers: it cancels)
    # proposed with probability ½ (a symmetric proposal): a flip accepted
    # every time would only alternate the sign
    accept = xp.log(rng.random(v.shape[0])) < log_r
    accept &= rng.random(v.shape[0]) < 0.5
    return xp.where(accept[:, None], w, v)
