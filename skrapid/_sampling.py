"""Block-Gibbs samplers for bipartite models.

Both layers of an RBM are conditionally independent given the other, so one
Gibbs sweep draws all hidden units from P(h | v) and then all visible units
from P(v | h).  These functions work on a :class:`~skrapid._units.Bipartite`
and a native generator, on NumPy or CuPy alike.
"""

from __future__ import annotations

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
