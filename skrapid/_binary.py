"""BinaryRBM: the standard restricted Boltzmann machine with binary units."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np

from . import _backend as B
from ._backend import buffer
from ._base import BaseRBM, TrainingDivergedError
from ._negative import CD, PCD, PT, Exact
from ._partition import MAX_EXACT_UNITS, base_rate_bias, check_exact_size
from ._sklearn_private import Interval, StrOptions
from ._units import Bipartite, get_units


def likelihood_gradient(
    model, X, ph, fit_intercept, *, offsets=None, factored=False, ws=None
):
    """Gradient of the mean log-likelihood of the batch X w.r.t. W, b, c.

    ∂⟨log p(v)⟩/∂W = ⟨v E[h|v]ᵀ⟩_data − ⟨v hᵀ⟩_model, and likewise
    ∂/∂b = ⟨v⟩_data − ⟨v⟩_model, ∂/∂c = ⟨E[h|v]⟩_data − ⟨h⟩_model.  The
    model averages come from the negative samples of the
    :class:`~skrapid._negative.Phases` ``ph`` or from its exact statistics.
    Averages are means, so a short
    last minibatch carries the same weight per sample as a full one.  With
    samples, both averages of the weight gradient are one matrix product of
    the stacked batch, G = Lᵀ R with L = [X; v_neg] and
    R = [h_pos / n; -h_neg / m].

    **Centring** (``offsets=(μ, λ)``; Montavon & Müller 2012, Melchior,
    Fischer & Wiskott 2016): the model is reparametrized with the energy
    −(v − μ)ᵀ W (h − λ) − b̃ᵀ(v − μ) − c̃ᵀ(h − λ), the ordinary gradient is
    taken in the centred parameters and mapped back to (W, b, c), which stay
    the model's parameters.  In those terms

        G_c = G − μ g_cᵀ − g_b λᵀ,   Δb = g_b − G_c λ,   Δc = g_c − G_cᵀ μ,

    with G, g_b, g_c the ordinary gradients above.  The update is the same
    model change as a step on the centred energy; it is invariant to flipping
    units and far better conditioned when the data means are far from 0.

    With ``factored=True`` (samples only) the weight gradient is returned as
    ``"W_factors": (L, R)`` and, with centring, ``"W_rank1"``: the pairs
    (a, b) of the rank-one terms a bᵀ to add, for models whose weights are
    low-rank functions of their parameters (RAPID), which then never form
    the V x H matrix.  With a workspace ``ws`` (NumPy), L, R, G and the bias
    gradients go to reused buffers.
    """
    xp = model.xp
    n = X.shape[0]
    dt = model.dtype.type
    V, H = model.n_visible, model.n_hidden
    h_pos, v_neg, h_neg, stats = ph.h_pos, ph.v_neg, ph.h_neg, ph.stats
    if stats is not None:
        gW = (X.T @ h_pos) * dt(1.0 / n)
        gW -= stats.vh
        grads = {"W": gW}
        ev, eh = stats.v, stats.h
        left = right = None
    else:
        m = v_neg.shape[0]
        if ws is not None:
            left = ws.get("stacked", (n + m, V), model.dtype)
            if v_neg.base is not left:  # PCD sampled v_neg into left already
                left[:n] = X
                left[n:] = v_neg
        else:
            left = xp.concatenate([X, v_neg])
        if offsets is not None and fit_intercept and not factored:
            return _centred_gradient(model, X, ph, left, offsets, ws)
        if ws is not None:
            right = ws.get("right", (n + m, H), model.dtype)
            xp.multiply(h_pos, dt(1.0 / n), out=right[:n])
            xp.multiply(h_neg, dt(-1.0 / m), out=right[n:])
        else:
            right = xp.concatenate([h_pos * dt(1.0 / n), h_neg * dt(-1.0 / m)])
        if factored:
            grads = {"W_factors": (left, right)}
        else:
            grads = {
                "W": xp.matmul(left.T, right, out=buffer(ws, "gW", (V, H), model.dtype))
            }
        if fit_intercept:
            ev = xp.mean(v_neg, axis=0, out=buffer(ws, "ev", (V,), model.dtype))
            eh = xp.mean(h_neg, axis=0, out=buffer(ws, "eh", (H,), model.dtype))
    if fit_intercept:
        gb = xp.mean(X, axis=0, out=buffer(ws, "gb", (V,), model.dtype))
        gb -= ev
        gc = xp.mean(h_pos, axis=0, out=buffer(ws, "gc", (H,), model.dtype))
        gc -= eh
        grads["b"], grads["c"] = gb, gc
        if offsets is not None:
            _centre(grads, offsets, left, right, xp)
    return grads


def _centred_gradient(model, X, ph, left, offsets, ws):
    """The centred gradient from samples, from centred factors only.

    With s = [1/n, ..., 1/n, -1/m, ..., -1/m] (so Σ s = 0), the centred
    factors L_c = [X; v_neg] − 1μᵀ and R_c = diag(s) ([h_pos; h_neg] − 1λᵀ)
    give every term of :func:`likelihood_gradient`'s centred update:

        G_c = G − μ g_cᵀ − g_b λᵀ = L_cᵀ R_c,
        Δb = g_b − G_c λ = L_cᵀ (s − R_c λ),
        Δc = g_c − G_cᵀ μ = R_cᵀ (1 − L_c μ),

    (g_b = L_cᵀ s and g_c = R_cᵀ 1 because Σ s = 0): one matrix product and
    four matrix-vector products of the (n + m)-row factors, and no pass over
    the V x H matrix besides the product that writes it.
    """
    xp, dt, dtype = model.xp, model.dtype.type, model.dtype
    mu, lam = offsets
    h_pos, v_neg, h_neg = ph.h_pos, ph.v_neg, ph.h_neg
    n, m = X.shape[0], v_neg.shape[0]
    V, H = model.n_visible, model.n_hidden
    if ws is not None:
        left_c = xp.subtract(left, mu, out=ws.get("left_c", (n + m, V), dtype))
        right = ws.get("right", (n + m, H), dtype)
        xp.subtract(h_pos, lam, out=right[:n])
        right[:n] *= dt(1.0 / n)
        xp.subtract(h_neg, lam, out=right[n:])
        right[n:] *= dt(-1.0 / m)
        w = ws.get("weights", (n + m,), dtype)
        w[:n] = dt(1.0 / n)
        w[n:] = dt(-1.0 / m)
    else:
        left_c = left - mu
        right = xp.concatenate(
            [(h_pos - lam) * dt(1.0 / n), (h_neg - lam) * dt(-1.0 / m)]
        )
        w = xp.concatenate(
            [xp.full(n, 1.0 / n, dtype=dtype), xp.full(m, -1.0 / m, dtype=dtype)]
        )
    G = xp.matmul(left_c.T, right, out=buffer(ws, "gW", (V, H), dtype))
    # Δb = L_cᵀ (s − R_c λ)
    w -= xp.matmul(right, lam, out=buffer(ws, "r_lam", (n + m,), dtype))
    gb = xp.matmul(left_c.T, w, out=buffer(ws, "gb", (V,), dtype))
    # Δc = R_cᵀ (1 − L_c μ)
    w = xp.matmul(left_c, mu, out=buffer(ws, "l_mu", (n + m,), dtype))
    xp.subtract(dt(1), w, out=w)
    gc = xp.matmul(right.T, w, out=buffer(ws, "gc", (H,), dtype))
    return {"W": G, "b": gb, "c": gc}


def _centre(grads, offsets, left, right, xp):
    """Map the ordinary gradient to the centred one, in place (see
    :func:`likelihood_gradient`)."""
    mu, lam = offsets
    gb, gc = grads["b"], grads["c"]
    if "W" in grads:
        G = grads["W"]
        G -= xp.outer(mu, gc)
        G -= xp.outer(gb, lam)
        db = G @ lam
        dc = mu @ G
    else:  # G = Lᵀ R − μ g_cᵀ − g_b λᵀ, never formed
        L, R = grads["W_factors"]  # scalars stay on the device: no host sync
        db = L.T @ (R @ lam) - mu * (gc @ lam) - gb * (lam @ lam)
        dc = R.T @ (L @ mu) - gc * (mu @ mu) - lam * (gb @ mu)
        grads["W_rank1"] = ((-mu, gc.copy()), (-gb.copy(), lam))
    gb -= db
    gc -= dc


def _largest_magnitude(params):
    """Largest absolute entry over the parameter arrays (one host sync)."""
    xp = B.get_namespace(next(iter(params.values())))
    return float(max(xp.max(xp.abs(p)) for p in params.values() if p.size))


def _log_partition_rows(units, xp, field):
    """Σ_a A(field_a) per row for binary units, A the units' log-partition,
    with log(1 + e^(−s|x|)) in place of log1p (NumPy's log1p is not
    vectorized and 5x slower than log in float32); the absolute error, an
    ulp of 1 per unit, is far below what the collapse check resolves.  In
    place on ``field``."""
    if not units.discrete or units.low not in (0.0, -1.0):
        return xp.sum(units.log_partition(xp, field), axis=1)
    dt = field.dtype.type
    spin = units.low != 0.0
    linear = xp.abs(field) if spin else xp.maximum(field, dt(0))
    t = xp.abs(field, out=field)
    t *= dt(-2.0 if spin else -1.0)
    xp.exp(t, out=t)
    t += dt(1)
    xp.log(t, out=t)
    t += linear
    return xp.sum(t, axis=1)


def _pseudo_log_likelihood(model, X, xp, max_rows=1000):
    """Pseudo-log-likelihood of up to ``max_rows`` rows of X (rounded to
    states), nats per row: V · log σ(F(x̃) − F(x)) with x̃ the row with unit
    ``row mod V`` flipped (deterministic, so the check never consumes random
    numbers).

    The flipped rows' hidden fields are the rows' fields plus δ W_j (δ the
    change of unit j), so one matrix product serves both free energies."""
    lo, hi = model.vis.low, model.vis.high
    dt = model.dtype.type
    Xs = B.dense_rows(X, max_rows)
    S = xp.where(Xs > dt((lo + hi) / 2), dt(hi), dt(lo)).astype(model.dtype)
    n, V = S.shape
    j = xp.arange(n) % V
    delta = dt(lo + hi) - dt(2) * S[xp.arange(n), j]  # x̃_j − x_j
    field = model.hidden_field(S)
    flipped = model.W[j]
    flipped *= delta[:, None]
    flipped += field
    # F(x̃) − F(x) = −δ b_j − Σ_a [A(field(x̃))_a − A(field(x))_a]
    d = _log_partition_rows(model.hid, xp, field)
    d -= _log_partition_rows(model.hid, xp, flipped)
    d -= delta * model.b[j]
    d = d.astype(xp.float64)
    return -V * float(xp.mean(xp.logaddexp(0.0, -d)))


#: Sliding factor of the hidden offset's running mean (Melchior et al. 2016).
_OFFSET_RATE = 0.01


class BinaryLayersMixin:
    """What every model with binary visible and hidden layers shares: unit
    type, value checks, the Bipartite energy from a weight matrix and the
    optional biases, bias storage, PCD chain count, monitoring."""

    _structural_params = ("n_components", "units", "fit_intercept")

    @property
    def _units(self):
        return get_units(self.units)

    def _suggested_learning_rate(self, lr):
        """A tenth of ``lr``, and no more than the class default."""
        import inspect

        default = inspect.signature(type(self)).parameters["learning_rate"].default
        return min(lr / 10, default)

    def _start_monitor(self, params, model, X, xp):
        """Record the collapse check's references at the start of a fit: the
        pseudo-log-likelihood of the initial model, or a uniform model's if
        that is lower, and the largest initial parameter magnitude (at
        least 1)."""
        if X is None or X.shape[0] == 0 or not model.vis.discrete:
            return
        uniform = -model.n_visible * np.log(2.0)
        self._pll_reference = min(uniform, _pseudo_log_likelihood(model, X, xp))
        self._scale_reference = max(1.0, _largest_magnitude(params))

    def _check_collapse(self, params, model, X, xp, lr):
        """Stop a fit whose model collapsed while its numbers stayed finite.

        A collapse is a blow-up of the parameters that leaves the model
        confidently wrong about its own training data.  Both must hold:

        * the pseudo-log-likelihood (PLL) of the training rows
          (:func:`_pseudo_log_likelihood`; two free energies per row, no
          sampling) is below four times its reference, the lower of the
          initial model's PLL and a uniform model's (−V log 2);
        * the largest parameter magnitude exceeds ten times its initial value
          (or 10).

        Ordinary training stays far from the first condition, and the papers'
        pure-PID RAPID, whose ±1 patterns make a poor density model by design
        (its PLL on digits falls from −2400 to −12 000) but stay bounded, is
        exempt by the second.
        """
        if X is None or X.shape[0] == 0 or not model.vis.discrete:
            return
        V = model.n_visible
        ref = getattr(self, "_pll_reference", -V * np.log(2.0))
        scale = getattr(self, "_scale_reference", 1.0)
        largest = _largest_magnitude(params)
        if largest <= 10.0 * scale:
            return
        pll = _pseudo_log_likelihood(model, X, xp)
        if pll >= 4.0 * ref:
            return
        raise TrainingDivergedError(
            f"{type(self).__name__} training collapsed at epoch "
            f"{self.n_iter_ + 1}: the pseudo-log-likelihood of the training data "
            f"fell to {pll:.4g} nats per sample, below four times its reference "
            f"({ref:.4g}: the initial model's, or a uniform model's if lower), "
            f"and the largest parameter grew from {scale:.3g} to {largest:.3g}. "
            "The numbers are finite but the model is lost: the learning rate "
            f"{lr:.3g} is too large. Use learning_rate="
            f"{self._suggested_learning_rate(lr):.3g} or lower."
            + self._kept_model_note()
        )

    def _check_final_fit(self, model, X, xp):
        """Warn (``ConvergenceWarning``) when the trained model's
        pseudo-log-likelihood of its training rows is below four times the
        uniform model's (−V log 2 per row): a model with bounded parameters
        (RAPID's clipped or signed patterns, strong weight decay) that the
        divergence check (:meth:`_check_collapse`, which needs the parameters
        to blow up) lets through.  The warning says how far below it is and
        what to change; the model is kept."""
        if X is None or X.shape[0] == 0 or not model.vis.discrete:
            return
        if getattr(self, "_fit_quality_warned", False):
            return  # once per fit (partial_fit: once until the next fit)
        from sklearn.exceptions import ConvergenceWarning

        uniform = -model.n_visible * np.log(2.0)
        pll = _pseudo_log_likelihood(model, X, xp)
        if pll >= 4.0 * uniform:
            return
        warnings.warn(
            f"{type(self).__name__} fits its training data far worse than a "
            f"uniform model: the pseudo-log-likelihood is {pll:.4g} nats per "
            f"sample against {uniform:.4g} for independent fair coins (below four "
            "times it). The parameters stayed finite, so training did not stop. "
            "Lower the learning rate, weight_decay or the pattern load "
            "(n_patterns), or compare score() with "
            "skrapid.metrics.factorized_log_likelihood before using the model.",
            ConvergenceWarning,
            stacklevel=7,  # the user's fit / partial_fit call
        )
        self._fit_quality_warned = True

    def _check_values(self, X, *, likelihood, training=False, what="X"):
        if training:
            self._check_spin_01(X, what)
        self._units.check_values(X, allow_fractional=not likelihood, what=what)

    def _accepts_sparse(self):
        """SciPy sparse X for {0, 1} units; spins refuse it, since its
        implicit zeros are not spin states."""
        if self.units == "spin":
            raise ValueError(
                f"{type(self).__name__} with units='spin' cannot take sparse "
                "input: the implicit zeros of a sparse matrix are not spin "
                "states (-1 or +1). Use units='bernoulli' for sparse {0, 1} "
                "data, or pass dense ±1 data (e.g. 2 * X.toarray() - 1)."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.units == "bernoulli"
        # {0, 1} units refuse negative values
        tags.input_tags.positive_only = self.units == "bernoulli"
        return tags

    def _check_spin_01(self, X, what="X"):
        """Spin units given 0/1 training data: say how to map them."""
        if (
            self._units.name == "spin"
            and X.size
            and bool((X == 0).any())
            and bool(((X == 0) | (X == 1)).all())
        ):
            raise ValueError(
                f"{what} holds only 0 and 1, but units='spin' reads values as "
                "E[s] in [-1, 1]: every 0 would be a spin of mean 0, not a state. "
                "Map the data with 2 * X - 1, or use units='bernoulli'."
            )

    def _bipartite(self, W, params, xp, ws=None):
        """Bipartite energy with weights W and the biases in ``params`` (zero
        when the model has none; from the workspace ``ws`` when given)."""
        V, H = W.shape
        if "b" in params:
            b, c = params["b"], params["c"]
        elif ws is None:
            b, c = xp.zeros(V, dtype=W.dtype), xp.zeros(H, dtype=W.dtype)
        else:
            b, c = ws.get("zero_b", (V,), W.dtype), ws.get("zero_c", (H,), W.dtype)
            b[...] = 0
            c[...] = 0
        return Bipartite(W, b, c, self._units, self._units, xp)

    #: Initial hidden bias of {0, 1} hidden units (0: every unit starts at
    #: P(h = 1) = 1/2).  BinaryRBM starts them sparse (see its ``Notes``).
    _HIDDEN_BIAS_INIT = 0.0

    def _hidden_bias_init(self):
        """The initial hidden bias: ``_HIDDEN_BIAS_INIT`` for {0, 1} units,
        0 for spins (whose states are symmetric about 0)."""
        return self._HIDDEN_BIAS_INIT if self._units.low == 0.0 else 0.0

    def _base_rate_biases(self, X, n_features, xp, dtype):
        """Visible biases at the data's log-odds (Hinton's practical guide),
        so that a model with W = 0 is the factorized model of the data (the
        hidden biases do not change that: with W = 0 the layers are
        independent); hidden biases at :meth:`_hidden_bias_init`."""
        mean = B.column_mean(X, xp)
        b = base_rate_bias(self._units, mean, n_features, dtype, eps=1e-2)
        c = xp.full(self.n_components, self._hidden_bias_init(), dtype=dtype)
        return {"b": B.to_device(b, xp, dtype), "c": c}

    def _store_biases(self, params, V, H, dtype):
        if self.fit_intercept:
            self.intercept_visible_ = B.to_numpy(params["b"])
            self.intercept_hidden_ = B.to_numpy(params["c"])
        else:
            self.intercept_visible_ = np.zeros(V, dtype=dtype)
            self.intercept_hidden_ = np.zeros(H, dtype=dtype)

    def _load_biases(self, params, xp, dtype):
        if self.fit_intercept:
            params["b"] = B.to_device(self.intercept_visible_, xp, dtype)
            params["c"] = B.to_device(self.intercept_hidden_, xp, dtype)
        return params

    def _monitor(self, model, X, xp):
        return monitor_quantities(model, X, xp)

    # -- the negative phase and the centred gradient ---------------------------
    def _standard_phase(self, method):
        """The negative phase named ``method`` ("cd", "pcd", "pt", "exact")."""
        if method == "exact":
            return Exact()
        if method == "cd":
            return CD(self.n_gibbs_steps)
        if method == "pt":
            return PT(self.n_gibbs_steps, self._n_chains(), self.n_temperatures)
        return PCD(self.n_gibbs_steps, self._n_chains())

    def _centred(self):
        return bool(getattr(self, "centering", False)) and self.fit_intercept

    def _begin_training(self, xp, dtype):
        """Offsets of the centred gradient: μ = the data mean, λ = a running
        mean of E[h | data] (sliding factor ``_OFFSET_RATE``)."""
        self._offsets = None
        if not self._centred():
            return
        mu = B.to_device(self.visible_mean_, xp, dtype)
        lam = getattr(self, "hidden_offset_", None)
        if lam is None or lam.shape[0] != self.n_components:
            # E[h | data] of the initial model (W ~ 0): the units' mean at
            # the initial hidden bias (1/2 or 0 when that bias is 0)
            c0 = self._hidden_bias_init()
            lam = np.full(
                self.n_components,
                float(self._units.mean(np, np.array([c0]))[0]),
            )
        self._offsets = (mu, xp.array(B.to_device(lam, xp, dtype)))

    def _end_training(self):
        offsets = getattr(self, "_offsets", None)
        if offsets is not None and offsets[1] is not None:
            self.hidden_offset_ = np.array(B.to_numpy(offsets[1]))
        self._offsets = None

    def _update_offsets(self, h_pos, xp):
        """Slide λ towards the minibatch's E[h | data] (λ starts there when
        it is None) and return the offsets (None without centring)."""
        if getattr(self, "_offsets", None) is None:
            return None
        mu, lam = self._offsets
        if lam is None:
            self._offsets = (mu, xp.mean(h_pos, axis=0))
            return self._offsets
        nu = lam.dtype.type(_OFFSET_RATE)
        lam *= lam.dtype.type(1) - nu
        lam += nu * xp.mean(h_pos, axis=0)
        return self._offsets


class BinaryRBM(BinaryLayersMixin, BaseRBM):
    """Restricted Boltzmann machine with binary visible and hidden units.

    The energy is ``E(v, h) = -vᵀ W h - bᵀ v - cᵀ h`` with ``W =
    components_.T``, ``b = intercept_visible_``, ``c = intercept_hidden_``.
    Units are {0, 1} (``units="bernoulli"``, as scikit-learn's
    :class:`~sklearn.neural_network.BernoulliRBM`) or {-1, +1}
    (``units="spin"``, the convention of the RAPID paper, with
    P(s = +1 | field) = sigmoid(2·field)).  Training follows the log-likelihood
    gradient with the negative phase from CD-k, persistent CD (PCD-k) or exact
    enumeration.  Unlike BernoulliRBM, :meth:`score_samples` is the normalized
    log-likelihood log p(v) (exact or by AIS), not a pseudo-likelihood.

    Parameters
    ----------
    n_components : int, default=256
        Number of hidden units H.
    units : {"bernoulli", "spin"}, default="bernoulli"
        State space of both layers: {0, 1} or {-1, +1}.  Training data may be
        given as means (values in [0, 1], resp. [-1, 1]); the log-likelihood
        needs binary states.  ``"bernoulli"`` also takes SciPy sparse X (as
        BernoulliRBM), never made dense as a whole; ``"spin"`` refuses it,
        since the implicit zeros of a sparse matrix are not spin states.
    fit_intercept : bool, default=True
        Learn visible and hidden biases.  ``False`` fixes them at zero (the
        papers' setting).
    method : {"pcd", "cd", "pt", "exact"}, default="pcd"
        Negative phase: persistent chains (PCD), chains restarted at the data
        (CD-k), parallel tempering (``"pt"``: persistent chains on
        ``n_temperatures`` rungs from the base-rate model of the data to the
        model, with swap moves; slower per update but mixes between the modes
        of sharp models, where PCD chains stall), or exact expectations by
        enumerating the smaller layer (at most 25 units).
    n_gibbs_steps : int, default=1
        Gibbs sweeps k per update for CD-k, PCD-k and PT.
    n_chains : int, default=100
        Number of persistent chains (fantasy particles) for PCD, and per
        temperature for PT; None uses ``batch_size``.  Many chains keep the
        negative phase honest as the model sharpens (with 10, the defaults
        collapse below the baseline on the nudged digits after 20 epochs).
    n_temperatures : int, default=10
        Rungs of the PT ladder, β = 1, ..., 0 evenly spaced.
    centering : bool, default=True
        Centred gradient (Montavon & Müller 2012; Melchior, Fischer & Wiskott
        2016): the update is the gradient of the energy written in the
        centred variables v − μ and h − λ, with μ the data mean and λ a running
        mean of E[h | data], mapped back to W, b, c.  The model is the same;
        the optimization is far better conditioned: on digits > 7 with the
        other defaults it beats the factorized baseline in every seed, where
        the ordinary gradient falls below it in most (see ``Notes``).  Needs
        ``fit_intercept=True`` (ignored otherwise).
    learning_rate : float, default=0.1
        Step size η of the gradient ascent (BernoulliRBM's default too).
    batch_size : int, default=10
        Minibatch size.
    max_iter : int, default=10
        Number of epochs of :meth:`fit`.
    optimizer : {"sgd", "adam"}, default="sgd"
        SGD (with ``momentum``) or Adam.
    momentum : float, default=0.5
        Heavy-ball momentum of SGD (Hinton's practical guide starts at 0.5).
        With the centred gradient it makes the features as good as
        BernoulliRBM's in scikit-learn's RBM example and better on the
        binarized digits, and the density model better (``Notes``).
    weight_decay : float, default=0.0
        L2 penalty on W: the update adds ``-weight_decay * W``.
    lr_decay : float, default=1.0
        Multiply the learning rate by this factor every ``lr_decay_every``
        epochs (1.0: constant).
    lr_decay_every : int, default=1
        Epochs between learning-rate decays.
    init_scale : float, default=0.01
        Standard deviation of the Gaussian initial weights, at most 100
        (beyond that every unit is saturated from the start).  Visible biases
        start at the base rate of the data (logit of the pixel means, Hinton's
        recommendation), so the untrained model is the factorized model of
        the data; {0, 1} hidden units start sparse, at a bias of −2
        (P(h = 1) ≈ 0.12; spins at 0), see ``Notes``.
    random_state : int, RandomState instance or None, default=None
        Seed for initialization, minibatch order and sampling.
    verbose : int, default=0
        0: silent.  1: one line per epoch (``epoch k/N``, elapsed time, ETA,
        learning rate, reconstruction error, and the exact log-likelihood when
        it is cheap), AIS progress inside ``score`` / ``log_partition_function``,
        and, with tqdm installed, a bar over each epoch's minibatches when an
        epoch has 50 or more.  2: also a line per epoch with gradient norms,
        weight norms and chain statistics.
    device : {"auto", "cpu", "gpu"}, default="auto"
        Where to compute: ``"auto"`` lets the input decide (:ref:`devices`),
        ``"cpu"`` asks for NumPy and ``"gpu"`` for CuPy.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Weights Wᵀ.
    intercept_hidden_ : ndarray of shape (n_components,)
        Hidden biases c (zeros when ``fit_intercept=False``).
    intercept_visible_ : ndarray of shape (n_features,)
        Visible biases b (zeros when ``fit_intercept=False``).
    n_features_in_ : int
        Number of features seen during fit.
    n_iter_ : int
        Number of epochs trained so far.
    history_ : dict of lists
        Per-epoch ``epoch``, ``time`` (s), ``learning_rate``,
        ``reconstruction_error`` and, for small models on binary data,
        ``log_likelihood`` (exact, nats per sample).
    persistent_chains_ : ndarray of shape (n_chains, n_features)
        Visible states of the PCD chains after the last update
        (``method="pcd"`` only).
    persistent_hidden_ : ndarray of shape (n_chains, n_components)
        Hidden states the PCD chains continue from (as BernoulliRBM's
        ``h_samples_``); None for PT.
    tempered_chains_ : ndarray of shape (n_temperatures, n_chains, n_features)
        Visible states of every PT replica (``method="pt"`` only); the β = 1
        replica is also ``persistent_chains_``.
    swap_acceptance_ : ndarray of shape (n_temperatures - 1,)
        PT swap acceptance rate of each pair of neighbouring rungs in the
        last epoch (also per epoch, as its minimum, in ``history_``).
    hidden_offset_ : ndarray of shape (n_components,)
        The running mean λ of E[h | data] of the centred gradient.
    visible_mean_ : ndarray of shape (n_features,)
        Mean of the training data, the base rate for AIS.
    random_state_ : RandomState
        Persistent generator that :meth:`partial_fit` and sampling advance.

    See Also
    --------
    sklearn.neural_network.BernoulliRBM : scikit-learn's RBM (PCD, pseudo-likelihood).
    RARBM : RBM with weights built from patterns (RAPID).

    Notes
    -----
    **Defaults for both uses.**  One set of defaults serves the density model
    (held-out log-likelihood) and the features of a pipeline.  The centred
    gradient keeps the density model reliable: on digits > 7 (75/25 split,
    factorized baseline −25.30 nats) the ordinary gradient scored between
    −21.0 and −27.7 over six seeds (four below −23.3), the centred one
    between −18.6 and −19.2.  But centring preserves the hidden units'
    operating point: started at P(h = 1) = 1/2, every unit stays near 1/2
    for every image (mean activation 0.50, 4 % of activations saturated in
    scikit-learn's RBM example), a dense and nearly linear code that a
    linear probe reads no better than the pixels (accuracy 0.900 there,
    against 0.934 for BernoulliRBM, whose ordinary gradient drifts to sparse,
    saturated units: mean 0.15, 36 % saturated).  Starting the hidden units
    sparse (bias −2) gives the centred model sparse features (mean 0.15,
    20-33 % saturated); momentum 0.5 and BernoulliRBM's learning rate 0.1
    sharpen them.  Medians of three seeds (``docs/results/turf/turf.py``):
    scikit-learn's example 0.939 (BernoulliRBM 0.937), binarized digits
    (3-fold, H = 200) 0.907 (0.877), ``skrapid demo``'s probe 0.917 (0.915);
    digits > 7 density −18.66 nats (``skrapid bench density``).  On the
    demo's longer fit (7188 images, 20 epochs) the constant step costs
    density: −23.6 nats against −20.4 at learning rate 0.05 or −18.3 with
    ``lr_decay=0.9``, whose probes score 0.898 and 0.910.
    References
    ----------
    G. E. Hinton, "Training products of experts by minimizing contrastive
    divergence", Neural Computation 14 (2002).  G. Montavon and K.-R. Müller,
    "Deep Boltzmann machines and the centering trick", LNCS 7700 (2012).
    J. Melchior, A. Fischer and L. Wiskott, "How to center deep Boltzmann
    machines", JMLR 17 (2016).  G. Desjardins et al., "Parallel tempering for
    training of restricted Boltzmann machines", AISTATS 2010.  T. Tieleman, "Training
    restricted Boltzmann machines using approximations to the likelihood
    gradient", ICML 2008.  R. Salakhutdinov and I. Murray, "On the quantitative
    analysis of deep belief networks", ICML 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import BinaryRBM
    >>> X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    >>> rbm = BinaryRBM(n_components=2, random_state=0).fit(X)
    >>> rbm.transform(X).shape
    (4, 2)
    >>> p = np.exp(rbm.score_samples(X))  # exact: a true probability
    >>> bool(0 < p.sum() < 1)
    True
    """

    _parameter_constraints = {
        **BaseRBM._parameter_constraints,
        "units": [StrOptions({"bernoulli", "spin"})],
        "fit_intercept": ["boolean"],
        "method": [StrOptions({"cd", "pcd", "pt", "exact"})],
        "n_gibbs_steps": [Interval(Integral, 1, None, closed="left")],
        "n_chains": [Interval(Integral, 1, None, closed="left"), None],
        "n_temperatures": [Interval(Integral, 2, None, closed="left")],
        "centering": ["boolean"],
        "init_scale": [Interval(Real, 0, 100, closed="both")],
    }

    def __init__(
        self,
        n_components=256,
        *,
        units="bernoulli",
        fit_intercept=True,
        method="pcd",
        n_gibbs_steps=1,
        n_chains=100,
        n_temperatures=10,
        centering=True,
        learning_rate=0.1,
        batch_size=10,
        max_iter=10,
        optimizer="sgd",
        momentum=0.5,
        weight_decay=0.0,
        lr_decay=1.0,
        lr_decay_every=1,
        init_scale=0.01,
        random_state=None,
        verbose=0,
        device="auto",
    ):
        self.n_components = n_components
        self.units = units
        self.fit_intercept = fit_intercept
        self.method = method
        self.n_gibbs_steps = n_gibbs_steps
        self.n_chains = n_chains
        self.n_temperatures = n_temperatures
        self.centering = centering
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.optimizer = optimizer
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_decay = lr_decay
        self.lr_decay_every = lr_decay_every
        self.init_scale = init_scale
        self.random_state = random_state
        self.verbose = verbose
        self.device = device

    @classmethod
    def from_sklearn(cls, rbm, **params):
        """A BinaryRBM holding the parameters of a fitted sklearn BernoulliRBM.

        scikit-learn's :class:`~sklearn.neural_network.BernoulliRBM` scores a
        pseudo-likelihood; converting it gives its true log-likelihood
        (exact or AIS), free energy and samples with skrapid's methods.

        Parameters
        ----------
        rbm : sklearn.neural_network.BernoulliRBM
            A fitted BernoulliRBM.
        **params
            Further BinaryRBM parameters (e.g. ``device``).

        Returns
        -------
        BinaryRBM
            Fitted, with ``units="bernoulli"``, ``fit_intercept=True`` and
            ``n_iter_`` = 0 (nothing trained by skrapid).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.neural_network import BernoulliRBM
        >>> from skrapid import BinaryRBM
        >>> X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
        >>> sk = BernoulliRBM(n_components=2, random_state=0).fit(X)
        >>> rbm = BinaryRBM.from_sklearn(sk)
        >>> p = np.exp(rbm.score_samples(X))  # true probabilities
        >>> bool(0 < p.sum() <= 1)
        True
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(rbm, "components_")
        W = np.asarray(rbm.components_)
        params.setdefault("random_state", rbm.random_state)
        est = cls(
            n_components=W.shape[0], units="bernoulli", fit_intercept=True, **params
        )
        est.components_ = W.copy()
        est.intercept_hidden_ = np.asarray(rbm.intercept_hidden_, dtype=W.dtype)
        est.intercept_visible_ = np.asarray(rbm.intercept_visible_, dtype=W.dtype)
        est.n_features_in_ = W.shape[1]
        est._reset_fit_state()
        est._fit_signature = est._signature()
        return est

    # -- parameters -------------------------------------------------------
    #: {0, 1} hidden units start sparse (P(h = 1) ≈ 0.12); see ``Notes``.
    _HIDDEN_BIAS_INIT = -2.0

    def _validate_model_size(self, n_features):
        if self.method == "exact":
            check_exact_size(n_features, self.n_components, limit=MAX_EXACT_UNITS)

    def _init_parameters(self, n_features, xp, dtype, rng, X):
        W = rng.standard_normal((n_features, self.n_components), dtype=dtype)
        W *= dtype(self.init_scale)
        params = {"W": W}
        if self.fit_intercept:
            params.update(self._base_rate_biases(X, n_features, xp, dtype))
        return params

    def _store_parameters(self, params):
        W = B.to_numpy(params["W"])
        self.components_ = np.ascontiguousarray(W.T)
        self._store_biases(params, *W.shape, W.dtype)

    def _load_parameters(self, xp, dtype):
        params = {"W": B.to_device(self.components_.T, xp, dtype)}
        return self._load_biases(params, xp, dtype)

    def _model(self, params, xp):
        return self._bipartite(params["W"], params, xp)

    # -- training -----------------------------------------------------------
    def _make_negative_phase(self, covariance=False):
        return self._standard_phase(self.method)

    def _gradient(self, params, X, xp, rng):
        model = self._model(params, xp)
        ws = getattr(self, "_ws", None)
        ph = self._current_phase()(model, X, params, rng, ws)
        offsets = self._update_offsets(ph.h_pos, xp)
        return likelihood_gradient(
            model, X, ph, self.fit_intercept, offsets=offsets, ws=ws
        )


def monitor_quantities(model, X, xp, max_rows=1000, exact_limit=12):
    """Reconstruction error on up to ``max_rows`` rows, and the exact mean
    log-likelihood when the smaller layer has at most ``exact_limit`` units and
    X is binary."""
    from ._partition import exact_log_partition

    Xs = B.dense_rows(X, max_rows)
    rec = model.mean_visibles(model.mean_hiddens(Xs))
    out = {"reconstruction_error": float(xp.mean((Xs - rec) ** 2))}
    lo, hi = model.vis.low, model.vis.high
    if min(model.n_visible, model.n_hidden) <= exact_limit and bool(
        xp.all((Xs == lo) | (Xs == hi))
    ):
        log_z = exact_log_partition(model)
        out["log_likelihood"] = float(-xp.mean(model.free_energy(Xs)) - log_z)
    return out
