"""Partition-function estimators: exact enumeration and annealed importance sampling.

For an RBM with energy ``E(v, h) = -vᵀWh - bᵀv - cᵀh`` one layer can always be
summed out analytically, so the partition function is a sum over the states of
the *other* layer only:

    log Z = logsumexp_h [ cᵀh + Σ_i A_v((W h + b)_i) ]
          = logsumexp_v [ bᵀv + Σ_a A_h((Wᵀ v + c)_a) ],

where ``A`` is the unit type's log-partition (log(1+eˣ) for {0,1}, log 2cosh x
for ±1).  :func:`exact_log_partition` enumerates the smaller layer in chunks of
bounded size.  :func:`ais_log_partition` implements annealed importance
sampling (Neal 2001; Salakhutdinov & Murray 2008) from a base-rate model, and
its reverse (Burda, Grosse & Salakhutdinov 2015), which together bracket log Z.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._backend import to_numpy, worker_threads
from ._units import Bipartite

#: Largest layer that exact enumeration accepts (2**25 states).
MAX_EXACT_UNITS = 25
#: Largest layer that ``method="auto"`` enumerates before switching to AIS.
AUTO_EXACT_UNITS = 20
#: Entries of the (chains x layer) arrays of one AIS chunk (64 MiB in float32).
_AIS_CHUNK_ELEMENTS = 2**24

#: Elements of the (chunk x other-layer) field matrix held at once.
_CHUNK_ELEMENTS = 2**21


def check_exact_size(n_visible: int, n_hidden: int, *, limit=MAX_EXACT_UNITS):
    """Raise ValueError when neither layer is small enough to enumerate.

    Pass ``n_visible=None`` (``n_hidden=None``) when only the hidden
    (visible) layer is discrete.
    """
    m = min(n for n in (n_visible, n_hidden) if n is not None)
    if m > limit:
        raise ValueError(
            f"exact enumeration needs a layer of at most {limit} binary units "
            f"(2**{limit} states); this model has n_visible={n_visible} and "
            f"n_hidden={n_hidden}, so the smaller layer would need 2**{m} states. "
            "Use method='ais' for log Z, or method='pcd'/'cd' for training."
        )


def state_bits(units, n_columns: int) -> float:
    """log2 of the number of joint states of a discrete layer of
    ``n_columns`` encoded columns (its units for two-state layers)."""
    n_units = n_columns // units.columns(1)
    return math.log2(units.n_joint_states(1)) * n_units


def enumerable_units(model: Bipartite):
    """log2 of the number of states of the smallest discrete layer (its
    number of units for binary layers; None when no layer is discrete)."""
    sizes = [
        state_bits(u, n)
        for n, u in ((model.n_visible, model.vis), (model.n_hidden, model.hid))
        if u.discrete
    ]
    return min(sizes) if sizes else None


def _check_model_size(model: Bipartite):
    if not (model.vis.discrete or model.hid.discrete):
        raise ValueError("exact enumeration needs a layer of discrete units.")
    if all(u.binary for u in (model.vis, model.hid) if u.discrete):
        check_exact_size(
            model.n_visible if model.vis.discrete else None,
            model.n_hidden if model.hid.discrete else None,
        )
        return
    bits = enumerable_units(model)
    if bits > MAX_EXACT_UNITS + 1e-9:
        raise ValueError(
            f"exact enumeration needs a discrete layer of at most 2**{MAX_EXACT_UNITS} "
            f"states; the smaller discrete layer of this model has 2**{bits:.1f}. "
            "Use method='ais' for log Z, or method='pcd'/'cd' for training."
        )


def _bit_states(xp, start: int, stop: int, n_bits: int, dtype):
    """Rows are the binary expansions of the integers start..stop-1."""
    idx = xp.arange(start, stop, dtype=xp.int64)
    shifts = xp.arange(n_bits, dtype=xp.int64)
    return (idx[:, None] >> shifts[None, :]) & 1


def _swap_for_enumeration(model: Bipartite) -> bool:
    """Whether to enumerate the hidden layer: the smaller discrete layer."""
    if not model.hid.discrete:
        return False
    if not model.vis.discrete:
        return True
    return state_bits(model.hid, model.n_hidden) < state_bits(
        model.vis, model.n_visible
    )


def _enumeration(model: Bipartite):
    """Orient the model so that its *visible* layer is the one enumerated.

    Returns the (possibly swapped) model; summing over its visible states with
    weights exp(-F(v)) gives Z either way.
    """
    return model.swapped() if _swap_for_enumeration(model) else model


def _chunks(model: Bipartite):
    """Yield batches of all visible states of ``model`` with bounded memory."""
    vis = model.vis
    n = model.n_visible
    chunk = max(1, _CHUNK_ELEMENTS // max(1, model.n_hidden))
    if vis.binary:
        total = 2**n
        for start in range(0, total, chunk):
            stop = min(total, start + chunk)
            bits = _bit_states(model.xp, start, stop, n, model.dtype)
            yield vis.from_bits(bits, model.dtype)
        return
    n_units = n // vis.columns(1)
    total = vis.n_joint_states(n_units)
    for start in range(0, total, chunk):
        stop = min(total, start + chunk)
        yield vis.enumerate_states(model.xp, start, stop, n_units, model.dtype)


def exact_log_partition(model: Bipartite) -> float:
    """Exact log Z by enumerating the smaller layer (float64 accumulation).

    The running log-sum stays on the device: one device->host transfer per
    call, none per enumeration chunk."""
    _check_model_size(model)
    m = _enumeration(model)
    xp = m.xp
    acc = None
    for states in _chunks(m):
        logw = -m.free_energy(states).astype(xp.float64)
        lse = _logsumexp(xp, logw)
        acc = lse if acc is None else xp.logaddexp(acc, lse)
    return float(acc)


def _logsumexp(xp, a):
    """log Σ exp(a) as a 0-d array of ``xp`` (no host transfer)."""
    mx = a.max()
    finite = xp.isfinite(mx)
    safe = xp.where(finite, mx, 0.0)
    return xp.where(finite, safe + xp.log(xp.exp(a - safe).sum()), mx)


@dataclass
class ModelStatistics:
    """Expectations under the model distribution (or a sample of it).

    ``v``: E[v] (n_visible,), ``h``: E[h] (n_hidden,), ``vh``: E[v hᵀ]
    (n_visible, n_hidden), and ``log_z`` when computed by enumeration (a
    0-d array of the model's namespace, left on the device).
    """

    v: object
    h: object
    vh: object
    log_z: object = field(default=float("nan"))
    #: E[∂ log p / ∂θ] of each layer's own parameters (name -> per-unit
    #: array), for layers that have any.
    vis_params: dict = field(default_factory=dict)
    hid_params: dict = field(default_factory=dict)


def exact_statistics(model: Bipartite) -> ModelStatistics:
    """Exact E[v], E[h], E[v hᵀ] and log Z by enumerating the smaller layer.

    When enumerating the visible layer, p(v) ∝ exp(-F(v)) and the hidden layer
    enters through its conditional mean E[h | v]; symmetrically when the hidden
    layer is enumerated.  Chunks are combined with a running maximum so the
    result is exact in float64 whatever the scale of the energies.
    """
    _check_model_size(model)
    swapped = _swap_for_enumeration(model)
    m = model.swapped() if swapped else model
    xp = m.xp
    f64 = xp.float64
    # the running shift and sums stay on the device: one transfer per call
    shift = None
    s_v = xp.zeros(m.n_visible, dtype=f64)
    s_h = xp.zeros(m.n_hidden, dtype=f64)
    s_vh = xp.zeros((m.n_visible, m.n_hidden), dtype=f64)
    s_0 = xp.zeros((), dtype=f64)
    # the layers' own parameters: state moments of the enumerated layer,
    # parameter moments (the layer summed out) of the other
    s_state, s_param = {}, {}
    for states in _chunks(m):
        field_h = m.hidden_field(states)
        logw = (states @ m.b + xp.sum(m.hid.log_partition(xp, field_h), axis=1)).astype(
            f64
        )
        mx = logw.max()
        new_shift = mx if shift is None else xp.maximum(shift, mx)
        scale = 0.0 if shift is None else xp.exp(shift - new_shift)
        w = xp.exp(logw - new_shift)
        hm = m.hid.mean(xp, field_h).astype(f64)
        sv = states.astype(f64)
        s_0 = s_0 * scale + w.sum()
        s_v = s_v * scale + w @ sv
        s_h = s_h * scale + w @ hm
        s_vh = s_vh * scale + (sv * w[:, None]).T @ hm
        for acc, moments in (
            (s_state, m.vis.state_moments(xp, states)),
            (s_param, m.hid.param_moments(xp, field_h)),
        ):
            for k, a in moments.items():
                a = w @ a.astype(f64)
                acc[k] = a if k not in acc else acc[k] * scale + a
        shift = new_shift
    # log Z as a 0-d array: the gradient does not need it, so training reads
    # nothing back (float(stats.log_z) when wanted: one transfer)
    log_z = shift + xp.log(s_0)
    ev, eh, evh = s_v / s_0, s_h / s_0, s_vh / s_0
    dt = model.dtype
    s_state = {k: (a / s_0).astype(dt) for k, a in s_state.items()}
    s_param = {k: (a / s_0).astype(dt) for k, a in s_param.items()}
    if swapped:
        ev, eh, evh = eh, ev, evh.T
        s_state, s_param = s_param, s_state
    return ModelStatistics(
        ev.astype(dt), eh.astype(dt), evh.astype(dt), log_z, s_state, s_param
    )


def default_betas(n_betas: int) -> np.ndarray:
    """Inverse temperatures 0 = β_0 < ... < β_K = 1 for AIS.

    The spacing follows Salakhutdinov & Murray (2008): 500 steps on [0, 0.5),
    4000 on [0.5, 0.9) and 10000 on [0.9, 1] for K = 14500, here scaled to
    ``n_betas`` in the same proportions (finer where the model is colder).
    """
    if n_betas < 3:
        raise ValueError(f"n_betas must be at least 3; got {n_betas}.")
    n1 = max(1, round(n_betas * 500 / 14500))
    n2 = max(1, round(n_betas * 4000 / 14500))
    n3 = max(1, n_betas - n1 - n2)
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, n1, endpoint=False),
            np.linspace(0.5, 0.9, n2, endpoint=False),
            np.linspace(0.9, 1.0, n3 + 1),
        ]
    )


def adaptive_betas(model: Bipartite, base_bias, n_betas: int, rng, *, n_pilot=32):
    """Inverse temperatures placed by a pilot run: dense where the importance
    weights change fast, sparse where they change slowly.

    A pilot of ``n_pilot`` chains anneals along 256 evenly spaced
    temperatures and measures, at each, the spread over chains of the
    log-weight increment, Var[Δ log w] ≈ Δβ² g(β) with g(β) = Var_β[∂_β log
    f_β].  The variance of the final weights is about Σ_k Δβ_k² g(β_k),
    which for a fixed number of temperatures is smallest when the spacing
    follows 1 / √g (equal "thermodynamic length" per step; Gelman & Meng
    1998, Neal 2001).  So the ``n_betas`` temperatures are placed at equal
    steps of ∫ √g dβ (g smoothed, with a floor of 1e-3 of its mean so that
    no region is left empty).  Binary units only (the fused kernel).
    """
    if not (model.vis.binary and model.hid.binary):
        raise ValueError("schedule='adaptive' needs binary visible and hidden units.")
    if n_betas < 3:
        raise ValueError(f"n_betas must be at least 3; got {n_betas}.")
    xp = model.xp
    grid = np.linspace(0.0, 1.0, 257)
    bA = xp.asarray(base_bias, dtype=model.dtype)
    path = _BinaryPath(
        model, bA, swap=model.n_visible < model.n_hidden, dtype=AIS_CHAIN_DTYPE
    )
    v = model.vis.sample(xp, xp.broadcast_to(bA, (n_pilot, bA.shape[0])), rng)
    if path.swap:
        v = model.hid.sample(xp, model.hidden_field(v) * model.dtype.type(0), rng)
    record = []
    _anneal_binary(path, v.astype(path.dtype), grid, rng, record=record)
    inc = to_numpy(xp.stack(record))  # (256, n_pilot): increments per step
    g = inc.var(axis=1, ddof=1) / np.diff(grid) ** 2
    g = np.convolve(g, np.ones(5) / 5, mode="same")  # smooth the pilot's noise
    g = np.maximum(g, 1e-3 * g.mean() + 1e-12)
    length = np.concatenate([[0.0], np.cumsum(np.sqrt(g) * np.diff(grid))])
    targets = np.linspace(0.0, length[-1], n_betas)
    betas = np.interp(targets, length, grid)
    betas[0], betas[-1] = 0.0, 1.0
    return np.maximum.accumulate(betas)


@dataclass
class AISResult:
    """Outcome of an AIS run.

    Attributes
    ----------
    log_z : float
        Estimate of log Z.
    std : float
        Standard error of ``log_z`` (delta method on the mean importance
        weight; it understates the error when the weights are heavy-tailed,
        which is why ``ess`` is reported too).
    log_weights : ndarray of shape (n_chains,)
        Per-chain log importance weights (float64).
    ess : float
        Effective sample size of the weights, (Σw)² / Σw².
    log_z_base : float
        Exact log Z of the base-rate model the annealing starts from.
    reverse : bool
        True for reverse AIS (an estimate that errs high, where forward AIS
        errs low).
    lower_bound : float
        Proven lower bound on log Z: the largest −F over the states the run
        visited (the forward chains' last states, or the reverse run's start
        states); -inf when the summed layer is continuous.
    n_bound_states : int
        How many states ``lower_bound`` is the maximum over.
    """

    log_z: float
    std: float
    log_weights: np.ndarray
    ess: float
    log_z_base: float
    reverse: bool = False
    lower_bound: float = -math.inf
    n_bound_states: int = 0


def base_rate_bias(units, data_mean, n_visible: int, dtype, *, eps=None):
    """Visible biases of the base-rate model whose marginals match the data.

    A model with W = 0 has independent visible units with E[v_i] = mean(b_i);
    inverting gives b_i = logit(m_i) for {0,1} units and atanh(m_i) for ±1.
    Means are shrunk away from the boundary (by eps = 1/(2·(n+1)) style
    smoothing, here a fixed 1e-3 of the range) so the biases stay finite.
    """
    if data_mean is None:
        return np.zeros(n_visible, dtype=dtype)
    m = np.asarray(to_numpy(data_mean), dtype=np.float64)  # any namespace
    eps = 1e-3 if eps is None else eps
    if units.discrete:
        lo, hi = units.low, units.high
        m = np.clip(m, lo + (hi - lo) * eps, hi - (hi - lo) * eps)
    return np.broadcast_to(units.bias_for_mean(m), (n_visible,)).astype(dtype)


def _log_f(model: Bipartite, beta, vb, vbA, field_h):
    """log f_β(v) for the annealing path, in float64.

    f_β(v) = exp(v·((1-β) b_A + β b)) · Π_a exp(A_h(β (vW + c)_a)), the marginal
    of the RBM (βW, (1-β)b_A + βb, βc); f_0 is the base-rate model (up to the
    constant Π_a exp(A_h(0))), f_1 = exp(-F(v)).
    """
    xp = model.xp
    return (
        (1.0 - beta) * vbA
        + beta * vb
        + xp.sum(model.hid.log_partition(xp, beta * field_h), axis=1)
    )


#: Temperatures between two calls of an AIS ``progress`` callback.
PROGRESS_EVERY = 250


def _anneal(model: Bipartite, v, bA, betas, rng, progress=None, offset=0, total=0):
    """(log importance weights, final states) of the chains ``v`` annealed
    along ``betas``.

    ``progress(offset + k, total)`` is called every :data:`PROGRESS_EVERY`
    temperatures and after the last one (no device synchronization: on a GPU
    it reports the temperatures queued, at most a few ahead of those run).
    """
    xp, dtype = model.xp, model.dtype
    vis, hid = model.vis, model.hid
    b = model.b
    logw = xp.zeros(v.shape[0], dtype=xp.float64)
    for k in range(1, len(betas)):
        if progress is not None and k % PROGRESS_EVERY == 0:
            progress(offset + k, total)
        b_prev, b_cur = float(betas[k - 1]), float(betas[k])
        field_h = model.hidden_field(v)
        f64 = field_h.astype(xp.float64)
        vb = (v @ b).astype(xp.float64)
        vbA = (v @ bA).astype(xp.float64)
        logw += _log_f(model, b_cur, vb, vbA, f64) - _log_f(model, b_prev, vb, vbA, f64)
        if k < len(betas) - 1:
            # transition T_{β_k}, which leaves f_{β_k} invariant
            h = hid.sample(xp, dtype.type(b_cur) * field_h, rng)
            field_v = (
                dtype.type(b_cur) * (h @ model.W.T + b) + dtype.type(1.0 - b_cur) * bA
            )
            v = vis.sample(xp, field_v, rng)
    if progress is not None:
        progress(offset + len(betas) - 1, total)
    return logw, v


#: Anneal binary models with the fused kernel :func:`_anneal_binary` (False:
#: the generic :func:`_anneal`, kept for Gaussian units and as the reference
#: the benchmark and the tests compare against).
FAST_BINARY_AIS = True
#: Floating type of the chains of the fused kernel; importance weights are
#: always accumulated in float64.
AIS_CHAIN_DTYPE = np.float32
#: Uniforms drawn per bulk call of the fused kernel (at most).
_AIS_RANDOM_BLOCK = 2**22


def _binary_kappa(units):
    """(κ, linear part) of A(x) = lin(x) + log(1 + exp(-κ|x|)): κ = 1 and
    max(x, 0) for {0,1} units, κ = 2 and |x| for ±1 units."""
    return (1.0, "relu") if units.low == 0.0 else (2.0, "abs")


class _BinaryPath:
    """The annealing path of a binary RBM in the orientation the fused kernel
    uses: the chains hold the states s of one layer (S units) and the other
    layer (M units) is summed out, with

        log f_β(s) = β bS·s + (1 − β) aS·s + Σ_m A_M(β (sW + bM) + (1 − β) aM)

    where b* are the model's biases and a* the base-rate model's (the base
    rate acts on the visible layer).  Marginalizing the smaller layer halves
    the transcendental work per temperature when the layers differ in size.
    """

    def __init__(self, model, bA, swap, dtype):
        xp = model.xp
        f = xp.float64
        W = model.W.astype(f)
        b, c, bA = model.b.astype(f), model.c.astype(f), bA.astype(f)
        zero = xp.zeros_like
        if swap:  # states: hidden; summed out: visible (base rate there)
            Wsm, bS, aS, bM, aM = W.T, c, zero(c), b, bA
            self.units_s, self.units_m = model.hid, model.vis
        else:
            Wsm, bS, aS, bM, aM = W, b, bA, c, zero(c)
            self.units_s, self.units_m = model.vis, model.hid
        self.xp, self.swap, self.dtype = xp, swap, np.dtype(dtype).type
        self.S, self.M = Wsm.shape
        # one product gives the fields on M and, in the last column, (bS - aS)·s
        self.W_ext = xp.ascontiguousarray(
            xp.concatenate([Wsm, (bS - aS)[:, None]], axis=1).astype(dtype)
        )
        self.Wms = xp.ascontiguousarray(Wsm.T.astype(dtype))
        self.zshift = (bM - aM).astype(dtype)  # z = sW + bM - aM
        self.aM = aM.astype(dtype)
        self.bS, self.aS = bS.astype(dtype), aS.astype(dtype)

    def state_field_bias(self, beta):
        """β bS + (1 − β) aS, the bias of the state layer at β."""
        return self.bS * self.dtype(beta) + self.aS * self.dtype(1.0 - beta)


class _ArraySteps:
    """The two elementwise steps of a temperature of :func:`_anneal_binary`
    in the array namespace (NumPy or CuPy), through reused buffers.

    ``m_step``: on the summed-out layer, Σ_m [A(β₁z + a) − A(β₀z + a)] per
    chain, with A(x) = lin(x) + log(1 + e^{−κ|x|}) (lin(x) = max(x, 0) for
    {0,1} units, |x| for spins), and a draw of its states at β₁ from the same
    exponentials.  The two logarithms are taken as one, of the ratio
    (1 + e₁) / (1 + e₀); when a = 0 (the visible layer is the state layer)
    the linear parts are (β₁ − β₀) Σ lin(z), summed once.  ``s_step``: a draw
    of the state layer, one exponential per unit.

    A fused compiled kernel (Numba, scalar exp/log without SVML) was tried
    for both steps and measured slower than these vectorized passes, so
    there is none.
    """

    def __init__(self, xp, n, M, S, dtype, a_m_zero):
        self.xp, self.a_m_zero = xp, a_m_zero
        self.z = xp.empty((n, M), dtype=dtype)
        self.x = xp.empty((n, M), dtype=dtype)
        self.e0 = xp.empty((n, M), dtype=dtype)
        self.e1 = xp.empty((n, M), dtype=dtype)
        self.bits_s = xp.empty((n, S), dtype=bool)

    def _exp_neg(self, x, kappa, out):
        """exp(−κ|x|) into ``out``."""
        xp = self.xp
        xp.abs(x, out=out)
        out *= x.dtype.type(-kappa)
        return xp.exp(out, out=out)

    def m_step(self, y, zshift, a_m, b0, b1, kappa, relu, u, m_out, low, sample):
        xp, z, x, e0, e1 = self.xp, self.z, self.x, self.e0, self.e1
        f64 = xp.float64
        dt = x.dtype.type
        M = x.shape[1]
        xp.add(y[:, :M], zshift, out=z)
        if self.a_m_zero:
            # A(βz) = β lin(z) + log(1 + e^{−κβ|z|}) for β >= 0, with
            # Σ max(z, 0) = (Σ z + Σ |z|) / 2: |z| is taken once
            az = xp.abs(z, out=x)
            lin = az.sum(axis=1, dtype=f64)
            if relu:
                lin += z.sum(axis=1, dtype=f64)
                lin *= 0.5
            delta = lin * (float(b1) - float(b0))
            xp.multiply(az, dt(-kappa * float(b0)), out=e0)
            xp.exp(e0, out=e0)
            xp.multiply(az, dt(-kappa * float(b1)), out=e1)
            xp.exp(e1, out=e1)
            sign, scratch = z, x  # β₁z >= 0 iff z >= 0 (β₁ > 0 where a draw follows)
        else:
            xp.multiply(z, b0, out=x)
            x += a_m
            self._exp_neg(x, kappa, e0)
            lin = xp.maximum(x, 0, out=x) if relu else xp.abs(x, out=x)
            delta = -lin.sum(axis=1, dtype=f64)
            xp.multiply(z, b1, out=x)
            x += a_m
            self._exp_neg(x, kappa, e1)
            lin = xp.maximum(x, 0, out=z) if relu else xp.abs(x, out=z)
            delta += lin.sum(axis=1, dtype=f64)
            sign, scratch = x, z
        # log(1 + e1) − log(1 + e0) as one logarithm (e0 becomes scratch)
        e0 += dt(1)
        ratio = xp.add(e1, dt(1), out=scratch)
        ratio /= e0
        xp.log(ratio, out=ratio)
        delta += ratio.sum(axis=1, dtype=f64)
        if sample:  # high iff u (1 + e1) < (1 if x >= 0 else e1)
            g = xp.add(e1, dt(1), out=e0)
            g *= u
            bits = xp.where(sign >= 0, g < dt(1), g < e1)
            xp.copyto(m_out, bits)
            if low != 0.0:
                m_out *= dt(2)
                m_out -= dt(1)
        return delta

    def s_step(self, f, bias, b1, kappa, u, s_out, low):
        """s_out: high iff u (1 + exp(−κ (β f + bias))) < 1 (f is overwritten)."""
        xp = self.xp
        dt = f.dtype.type
        f *= b1
        f += bias
        f *= dt(-kappa)
        xp.exp(f, out=f)
        f += dt(1)
        f *= u
        xp.less(f, dt(1), out=self.bits_s)
        xp.copyto(s_out, self.bits_s)
        if low != 0.0:
            s_out *= dt(2)
            s_out -= dt(1)


def _anneal_binary(
    path,
    s,
    betas,
    rng,
    progress=None,
    offset=0,
    total=0,
    return_states=False,
    record=None,
):
    """log importance weights (float64) of chains ``s`` annealed along
    ``betas`` on ``path`` (a :class:`_BinaryPath`).

    Per temperature: one product for the fields on the summed-out layer
    (shared by the weight update and the transition), its log-partition at
    the previous and the current β (the current one's exponentials also
    drive the sampler), one product back, and one exponential per state unit
    to sample it (:class:`_ArraySteps`).  Uniforms are drawn in bulk in the
    chains' floating type; the weights accumulate in float64.
    """
    xp, dt = path.xp, path.dtype
    n, S, M = s.shape[0], path.S, path.M
    kappa_m, lin_m = _binary_kappa(path.units_m)
    kappa_s, _ = _binary_kappa(path.units_s)
    low_m, low_s = dt(path.units_m.low), dt(path.units_s.low)
    steps_ = _ArraySteps(xp, n, M, S, dt, a_m_zero=not path.swap)
    m_step, s_step = steps_.m_step, steps_.s_step
    relu = lin_m == "relu"
    logw = xp.zeros(n, dtype=xp.float64)
    y = xp.empty((n, M + 1), dtype=dt)
    fs = xp.empty((n, S), dtype=dt)
    m_state = xp.empty((n, M), dtype=dt)
    s = s.astype(dt)  # a copy: the chains are updated in place
    steps = len(betas) - 1
    block = max(1, min(steps, _AIS_RANDOM_BLOCK // max(1, n * (S + M))))
    with np.errstate(over="ignore", invalid="ignore"):
        for k0 in range(1, len(betas), block):
            k1 = min(len(betas), k0 + block)
            u_m = rng.random((k1 - k0, n, M), dtype=dt)
            u_s = rng.random((k1 - k0, n, S), dtype=dt)
            for k in range(k0, k1):
                if progress is not None and k % PROGRESS_EVERY == 0:
                    progress(offset + k, total)
                b0, b1 = dt(betas[k - 1]), dt(betas[k])
                last = k == len(betas) - 1
                xp.matmul(s, path.W_ext, out=y)
                delta = y[:, M].astype(xp.float64) * (float(b1) - float(b0))
                delta += m_step(
                    y, path.zshift, path.aM, b0, b1, dt(kappa_m), relu,
                    u_m[k - k0], m_state, low_m, not last,
                )  # fmt: skip
                logw += delta
                if record is not None:  # the pilot of adaptive_betas
                    record.append(delta)
                if last:
                    break  # no transition after the last temperature
                xp.matmul(m_state, path.Wms, out=fs)
                s_step(
                    fs, path.state_field_bias(b1), b1, dt(kappa_s), u_s[k - k0], s,
                    low_s,
                )  # fmt: skip
    if progress is not None:
        progress(offset + len(betas) - 1, total)
    return (logw, s) if return_states else logw


#: Chains per group of the fused kernel on NumPy: the groups anneal in
#: parallel threads (NumPy releases the GIL in its loops and products, and
#: BLAS is held to one thread meanwhile), so the elementwise work uses every
#: core too.  The split depends on the number of chains only, never on the
#: machine, so a seed gives the same estimate everywhere.
_AIS_GROUP_CHAINS = 50
_AIS_MAX_GROUPS = 8
#: Smallest (chains x units) a group must hold for threads to pay: below
#: it the interpreter's work per NumPy call dominates and threads contend for
#: the GIL (measured: 64 x 200 with 100 chains runs 1.7x slower in two
#: groups than in one; 784 x 500 runs 1.2x faster).
_AIS_GROUP_MIN_ELEMENTS = 32768


def _anneal_groups(path, s, betas, rng, progress=None, offset=0, total=0):
    """:func:`_anneal_binary` over groups of chains in parallel threads
    (NumPy), or in one piece (CuPy: the device is kept busy by one large
    product)."""
    n = s.shape[0]
    per_chain = path.S + path.M
    size = max(_AIS_GROUP_CHAINS, -(-_AIS_GROUP_MIN_ELEMENTS // per_chain))
    n_groups = max(1, min(_AIS_MAX_GROUPS, n // size))
    if path.xp is not np or n_groups == 1:
        return _anneal_binary(
            path, s, betas, rng, progress, offset, total, return_states=True
        )
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    bounds = np.linspace(0, n, n_groups + 1).astype(int)
    rngs = rng.spawn(n_groups)

    def run(g):
        part = s[bounds[g] : bounds[g + 1]]
        report = progress if g == 0 else None  # the groups advance together
        return _anneal_binary(
            path, part, betas, rngs[g], report, offset, total, return_states=True
        )

    # the user's BLAS thread count if they set one (OMP_NUM_THREADS=1 means
    # one), else the cores other processes leave free
    workers = min(n_groups, worker_threads())
    with threadpool_limits(limits=1, user_api="blas"):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(run, range(n_groups)))
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
    )


def ais_log_partition(
    model: Bipartite,
    *,
    base_bias,
    n_chains: int,
    betas,
    rng,
    reverse: bool = False,
    v_init=None,
    progress=None,
) -> AISResult:
    """Annealed importance sampling estimate of log Z.

    Forward AIS (``reverse=False``) starts ``n_chains`` exact samples of the
    base-rate model (W = 0, visible biases ``base_bias``, hidden biases 0) and
    anneals β from 0 to 1 with one Gibbs sweep of the intermediate RBM
    (βW, (1-β)b_A + βb, βc) per temperature; its importance weights estimate
    Z_B / Z_A without bias, so log Z is under-estimated on average (Jensen).

    Reverse AIS (``reverse=True``) starts from samples ``v_init`` of the target
    (e.g. long Gibbs chains; an array, or a function ``(start, stop)`` that
    returns the start states of chains ``start:stop``, so that a burn-in runs
    chunk by chunk) and anneals β from 1 to 0; its weights estimate
    Z_A / Z_B, so when ``v_init`` is an exact sample the estimate of log Z errs
    high on average.  Together the two bracket log Z.

    The field ``vW + c`` of each state is computed once per temperature and
    shared by the weight update and the hidden half of the Gibbs sweep, so a
    temperature costs two matrix products; the weights accumulate in float64.

    ``progress``, when given, is called as ``progress(done, total)`` every
    :data:`PROGRESS_EVERY` temperatures and once at the end, with ``total``
    the number of transitions of all chunks of chains (``done == total``
    last); it costs nothing per temperature otherwise.
    """
    xp = model.xp
    dtype = model.dtype
    betas = np.asarray(betas, dtype=np.float64)
    bA = xp.asarray(base_bias, dtype=dtype)
    vis, hid = model.vis, model.hid
    log_z_base = float(
        np.sum(to_numpy(vis.log_partition(xp, bA.astype(xp.float64))))
        + hid.log_partition_zero(np, model.n_hidden)
    )
    if reverse:
        if v_init is None:
            raise ValueError("reverse AIS needs starting states v_init.")
        betas = betas[::-1]
        if callable(v_init):  # made per chunk: memory bounded by the chunk
            start_states, n = v_init, n_chains
        else:
            v_all = xp.asarray(v_init, dtype=dtype)
            n = v_all.shape[0]

            def start_states(start, stop):
                return v_all[start:stop]

    else:
        n = n_chains
    # chains are annealed in chunks, so the (chunk x layer) arrays stay below
    # _AIS_CHUNK_ELEMENTS entries whatever n_chains is
    chunk = max(1, _AIS_CHUNK_ELEMENTS // max(model.n_visible, model.n_hidden))
    n_steps = len(betas) - 1
    total = n_steps * -(-n // chunk)
    fast = FAST_BINARY_AIS and vis.binary and hid.binary
    if fast:
        path = _BinaryPath(
            model, bA, swap=model.n_visible < model.n_hidden, dtype=AIS_CHAIN_DTYPE
        )
    parts = []
    bound = _ProvenBound(model)
    for i, start in enumerate(range(0, n, chunk)):
        stop = min(n, start + chunk)
        if reverse:
            v = xp.asarray(start_states(start, stop), dtype=dtype)
            bound.visible(v)  # the model samples reverse AIS starts from
        else:
            v = vis.sample(xp, xp.broadcast_to(bA, (stop - start, bA.shape[0])), rng)
        if not fast:
            logw_part, v_end = _anneal(
                model, v, bA, betas, rng, progress, i * n_steps, total
            )
            parts.append(logw_part)
            if not reverse:
                bound.visible(v_end)
            continue
        if path.swap:
            # the chains hold hidden states: exact samples of the start
            # distribution's hidden marginal, drawn given the visible ones
            # (uniform at β = 0, P(h | v) of the model at β = 1)
            b_start = float(betas[0])
            v = hid.sample(xp, model.hidden_field(v) * dtype.type(b_start), rng)
        logw_part, s_end = _anneal_groups(
            path, v.astype(path.dtype), betas, rng, progress, i * n_steps, total
        )
        parts.append(logw_part)
        if not reverse:  # the chains' last states (hidden ones when swapped)
            (bound.hidden if path.swap else bound.visible)(s_end.astype(dtype))
    logw = parts[0] if len(parts) == 1 else xp.concatenate(parts)
    lw = to_numpy(logw)
    if not np.all(np.isfinite(lw)):
        raise FloatingPointError(
            "AIS produced non-finite importance weights; the model's parameters "
            "are probably non-finite or extremely large."
        )
    mx = lw.max()
    w = np.exp(lw - mx)
    mean_w = w.mean()
    log_mean = mx + math.log(mean_w)
    std = float(w.std(ddof=1) / (math.sqrt(n) * mean_w)) if n > 1 else math.inf
    ess = float(w.sum() ** 2 / np.sum(w**2))
    log_z = log_z_base - log_mean if reverse else log_z_base + log_mean
    return AISResult(
        float(log_z), std, lw, ess, log_z_base, reverse, bound.value, bound.count
    )


class _ProvenBound:
    """The largest −F(v) over the states an estimate visited: a proven lower
    bound on log Z for discrete layers (Z = Σ_v e^{−F(v)} ≥ e^{−F(v)}, and
    likewise Σ_h e^{−F(h)} for the hidden marginal).  -inf, with no states
    counted, when the summed layer is continuous (a density may exceed 1).
    The maximum is kept on the device and read once (``value``)."""

    def __init__(self, model):
        self.model = model
        self._best = None
        self.count = 0

    @property
    def value(self) -> float:
        return -math.inf if self._best is None else float(to_numpy(self._best))

    def _add(self, neg_f, n):
        if n:
            m = neg_f.max()
            xp = self.model.xp
            self._best = m if self._best is None else xp.maximum(self._best, m)
            self.count += n

    def visible(self, v):
        if self.model.vis.discrete and v.shape[0]:
            self._add(-self.model.free_energy(v).astype(np.float64), v.shape[0])

    def hidden(self, h):
        if self.model.hid.discrete and h.shape[0]:
            self._add(-self.model.free_energy_hidden(h).astype(np.float64), h.shape[0])
