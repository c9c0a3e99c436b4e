"""RBM: the general restricted Boltzmann machine, any pair of layers.

The energy is ``E(v, h) = U_v(v) + U_h(h) - vᵀ W h - bᵀ v - cᵀ h``, with the
layers' own energies ``U`` and parameters from :mod:`skrapid.layers`.  The
training loop, the negative phases, exact enumeration, AIS, parallel
tempering and scoring are the ones every estimator uses; this module only
says how the parameters are stored and what the gradient of the layers' own
parameters is.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from . import _backend as B
from ._base import BaseRBM
from ._binary import BinaryLayersMixin, likelihood_gradient
from ._negative import CD, PCD, PT, Exact
from ._partition import MAX_EXACT_UNITS, enumerable_units, exact_log_partition
from ._sklearn_private import Interval, StrOptions
from ._units import Bipartite
from .layers import Layer, Potts, get_layer
from .layers._potts import check_codes

#: Initial hidden bias of {0, 1} hidden units with a binary visible layer:
#: BinaryRBM's (P(h = 1) ≈ 0.12 at the start; see its Notes).
_SPARSE_HIDDEN_BIAS = -2.0


def _mean_rows(xp, a):
    return xp.mean(a, axis=0)


class RBM(BaseRBM):
    """Restricted Boltzmann machine with any pair of layers.

    ``E(v, h) = U_v(v) + U_h(h) - vᵀ W h - bᵀ v - cᵀ h``: the layers of
    :mod:`skrapid.layers` give the state spaces and their own energies U
    (none for binary and Potts units, a parabola for Gaussian units, a
    truncated one for ReLU and dReLU), ``W = components_.T``, ``b``,
    ``c`` the biases.  ``RBM(visible="bernoulli", hidden="bernoulli")`` is
    the model of :class:`BinaryRBM`; the others are what the RBM libraries
    offer (RestrictedBoltzmannMachines.jl, PGM): Potts visible units for
    categorical data, Gaussian visible units with learnt means and variances
    for real-valued data, ReLU and dReLU hidden units.

    Parameters
    ----------
    visible : str or Layer, default="bernoulli"
        The visible layer: ``"bernoulli"`` ({0, 1}), ``"spin"`` (±1),
        ``"potts"`` (categories; data as integer codes 0..q−1, one column per
        unit, or their one-hot encoding, dense or sparse), ``"gaussian"``
        (real values, learnt means and precisions), ``"phi4"`` (real values
        in a learnt local potential μ²φ²/2 + λφ⁴: lattice fields), or a
        layer object of
        :mod:`skrapid.layers` for its options (``Potts(n_states=4)``).
    hidden : str or Layer, default="bernoulli"
        The hidden layer: ``"bernoulli"``, ``"spin"``, ``"potts"`` (needs
        ``Potts(n_states=q)``), ``"gaussian"``, ``"relu"``, ``"drelu"``.  One
        of the two layers must be discrete (binary or Potts): a model of two
        continuous layers need not be normalizable (see
        :class:`GaussianRBM` for the Gaussian–Gaussian case).
    n_components : int, default=256
        Number of hidden units H (a Potts hidden layer has H·q columns).
    method : {"pcd", "cd", "pt", "exact"}, default="pcd"
        Negative phase: persistent chains, chains restarted at the data
        (CD-k), parallel tempering, or exact expectations by enumerating the
        smaller discrete layer (at most 2**25 states).
    n_gibbs_steps : int, default=1
        Gibbs sweeps k per update.
    n_chains : int, default=100
        Persistent chains (per temperature for PT); None uses ``batch_size``.
    n_temperatures : int, default=10
        Rungs of the PT ladder.
    centering : bool, default=True
        Centred gradient (as :class:`BinaryRBM`'s): the update of the energy
        written in v − μ and h − λ, μ the data mean, λ a running mean of
        E[h | data].  The model is the same; the optimization is better
        conditioned.
    learning_rate : float or "auto", default="auto"
        SGD step size.  ``"auto"``: 0.1 (BinaryRBM's and BernoulliRBM's
        default) for binary layers; 0.03 with a Potts visible layer (on
        digits in 4 grey levels 0.1 overfits: −52.0 nats held out after 30
        epochs, against −39.8 at 0.03); 0.01 when either layer is continuous
        (Gaussian, ReLU, dReLU), whose learnt variances and curvatures make
        larger steps diverge (Gaussian visible units on standardized digits
        at 0.03, dReLU hidden units on binarized MNIST at 0.1, both in the
        first epoch).
    batch_size : int, default=10
        Minibatch size.
    max_iter : int, default=10
        Epochs of :meth:`fit`.
    optimizer : {"sgd", "adam"}, default="sgd"
    momentum : float, default=0.5
    weight_decay : float, default=0.0
        L2 penalty on W.
    lr_decay : float, default=1.0
    lr_decay_every : int, default=1
    init_scale : float, default=0.01
        Standard deviation of the initial weights.  The visible bias (and a
        Gaussian layer's precision) start at the data's factorized model, so
        the untrained model is the independent model of the data.  {0, 1}
        hidden units of a binary model start sparse at a bias of −2, as
        BinaryRBM's; other hidden biases start at 0.
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
    device : {"auto", "cpu", "gpu"}, default="auto"
        Where to compute: ``"auto"`` lets the input decide (:ref:`devices`),
        ``"cpu"`` asks for NumPy and ``"gpu"`` for CuPy.  The ReLU and dReLU
        layers need SciPy's special functions (CuPy's on a GPU).

    Attributes
    ----------
    components_ : ndarray of shape (n_hidden_columns, n_visible_columns)
        Wᵀ, in the encoded columns (q per Potts unit).
    intercept_visible_, intercept_hidden_ : ndarray
        The biases b and c.
    visible_layer_, hidden_layer_ : Layer
        The layers fitted (a Potts layer with its ``n_states``).
    mean_, scale_ : ndarray of shape (n_features,)
        Gaussian visible units only: the model is fitted to the data
        standardized by the first training data's mean and standard
        deviation (so its learning rate does not depend on the data's units);
        :meth:`score_samples` is the log-density of the data in their own
        units (the Jacobian −Σ log ``scale_`` included), and samples come back in
        those units.
    visible_<name>_, hidden_<name>_ : ndarray
        Each layer's own learnt parameters, one value per unit:
        ``visible_log_precision_`` (Gaussian), ``hidden_log_gamma_`` (ReLU),
        ``hidden_log_gamma_pos_``, ``hidden_log_gamma_neg_``,
        ``hidden_delta_`` (dReLU).
    n_features_in_, n_iter_, history_, visible_mean_, random_state_
        As :class:`BinaryRBM`'s.
    persistent_chains_ : ndarray
        Visible states of the persistent chains (encoded columns).

    See Also
    --------
    BinaryRBM : the binary–binary model, with its fused fast paths.
    GaussianRBM : the scalar-field RBM.

    References
    ----------
    J. Tubiana and R. Monasson, "Emergence of compositional representations
    in restricted Boltzmann machines", PRL 118 (2017).  J. Tubiana, S. Cocco
    and R. Monasson, "Learning protein constitutive motifs from sequence
    data", eLife 8 (2019).  G. E. Hinton, "A practical guide to training
    restricted Boltzmann machines" (2010), on Gaussian visible units.

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import RBM
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 3, size=(200, 4))          # 4 features, 3 categories
    >>> rbm = RBM(visible="potts", hidden="relu", n_components=3,
    ...           max_iter=3, random_state=0).fit(X)
    >>> rbm.visible_layer_, rbm.transform(X).shape
    (Potts(n_states=3), (200, 3))
    >>> log_z = rbm.log_partition_function("exact")    # 3**4 states enumerated
    >>> p = np.exp(rbm.score_samples(X[:5]))
    >>> bool(((0 < p) & (p < 1)).all())
    True
    """

    _parameter_constraints = {
        **BaseRBM._parameter_constraints,
        "visible": [
            StrOptions({"bernoulli", "spin", "potts", "gaussian", "phi4"}),
            Layer,
        ],
        "hidden": [
            StrOptions(
                {"bernoulli", "spin", "potts", "gaussian", "relu", "drelu", "phi4"}
            ),
            Layer,
        ],
        "method": [StrOptions({"cd", "pcd", "pt", "exact"})],
        "n_gibbs_steps": [Interval(Integral, 1, None, closed="left")],
        "n_chains": [Interval(Integral, 1, None, closed="left"), None],
        "n_temperatures": [Interval(Integral, 2, None, closed="left")],
        "centering": ["boolean"],
        "init_scale": [Interval(Real, 0, 100, closed="both")],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
    }

    _structural_params = ("n_components", "visible", "hidden")

    def __init__(
        self,
        visible="bernoulli",
        hidden="bernoulli",
        n_components=256,
        *,
        method="pcd",
        n_gibbs_steps=1,
        n_chains=100,
        n_temperatures=10,
        centering=True,
        learning_rate="auto",
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
        self.visible = visible
        self.hidden = hidden
        self.n_components = n_components
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

    # -- the layers -----------------------------------------------------------
    def _layers(self):
        """(visible, hidden) layer specs: the fitted ones once fitted (a Potts
        layer with its q), checked as a pair."""
        vis = getattr(self, "visible_layer_", None) or get_layer(self.visible)
        hid = getattr(self, "hidden_layer_", None) or get_layer(self.hidden)
        if vis.hidden_only:
            raise ValueError(
                f"visible={self.visible!r}: {type(vis).__name__} units are a hidden "
                "layer only here. Use visible='gaussian' for real-valued data."
            )
        if not (vis.discrete or hid.discrete or vis.name == "phi4"):
            raise ValueError(
                f"RBM(visible={self.visible!r}, hidden={self.hidden!r}): one layer "
                "must be discrete (bernoulli, spin or potts); a model of two "
                "continuous layers need not be normalizable. For Gaussian visible "
                "units use hidden='bernoulli' (or GaussianRBM for the "
                "Gaussian-Gaussian scalar-field model)."
            )
        if isinstance(hid, Potts) and hid.n_states is None:
            raise ValueError(
                "a Potts hidden layer needs its number of states: "
                "hidden=skrapid.layers.Potts(n_states=q)."
            )
        return vis, hid

    def _param_keys(self):
        vis, hid = self._layers()
        return [("vis", k) for k in vis.param_names] + [
            ("hid", k) for k in hid.param_names
        ]

    @staticmethod
    def _attr(side, name):
        return f"{'visible' if side == 'vis' else 'hidden'}_{name}_"

    @property
    def _fingerprint_attrs(self):
        return (
            "components_",
            "intercept_visible_",
            "intercept_hidden_",
            *(self._attr(s, k) for s, k in self._param_keys()),
        )

    # -- input ----------------------------------------------------------------
    def _accepts_sparse(self):
        vis = get_layer(self.visible)
        if isinstance(vis, Potts):
            if vis.n_states is None and getattr(self, "visible_layer_", None) is None:
                raise ValueError(
                    "sparse input to a Potts visible layer is read as one-hot "
                    "columns, q per unit: give visible=skrapid.layers.Potts("
                    "n_states=q), or pass dense integer codes 0..q-1."
                )
            return True
        if vis.name == "bernoulli":
            return True
        raise ValueError(
            f"RBM with visible={self.visible!r} cannot take sparse input: its "
            "implicit zeros are not states of the layer. Pass dense data."
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        vis = get_layer(self.visible) if isinstance(self.visible, str | Layer) else None
        tags.input_tags.sparse = getattr(vis, "name", "") == "bernoulli"
        # {0, 1} units and Potts codes refuse negative values
        tags.input_tags.positive_only = getattr(vis, "name", "") in (
            "bernoulli",
            "potts",
        )
        return tags

    def _check_values(self, X, *, likelihood, training=False, what="X"):
        vis = get_layer(self.visible)
        if isinstance(vis, Potts):
            fitted = getattr(self, "visible_layer_", None)
            q = (fitted or vis).n_states
            if B.issparse(X):
                Potts(n_states=q).check_values(X, allow_fractional=False, what=what)
            else:
                check_codes(B.to_numpy(X), q, what)
            return
        if vis.discrete:
            vis.check_values(X, allow_fractional=not likelihood, what=what)

    def _to_model_space(self, X, xp, *, fitting=False):
        vis = get_layer(self.visible)
        if vis.name == "gaussian":  # standardized by the first training data
            if fitting and getattr(self, "mean_", None) is None:
                self.mean_ = B.column_mean(X, xp)
                sd = B.to_numpy(xp.std(X, axis=0, dtype=xp.float64))
                self.scale_ = np.where(sd > 0, sd, 1.0)
            mu = B.to_device(self.mean_, xp, X.dtype)
            return (X - mu) / B.to_device(self.scale_, xp, X.dtype)
        if not isinstance(vis, Potts):
            return X
        if fitting and getattr(self, "visible_layer_", None) is None:
            q = vis.n_states
            if q is None:
                q = int(B.to_numpy(X.max())) + 1 if X.size else 2
            self.visible_layer_ = Potts(n_states=max(int(q), 2))
        return self.visible_layer_.one_hot(xp, X.astype(xp.int64), X.dtype)

    def _free_energy_shift(self):
        scale = getattr(self, "scale_", None)
        return 0.0 if scale is None else float(np.sum(np.log(B.to_numpy(scale))))

    def _from_model_space(self, V, xp):
        if getattr(self, "scale_", None) is not None:
            dt = V.dtype
            return V * B.to_device(self.scale_, xp, dt) + B.to_device(
                self.mean_, xp, dt
            )
        vis = getattr(self, "visible_layer_", None)
        if isinstance(vis, Potts):
            return vis.codes(xp, V).astype(V.dtype)
        return V

    def _training_source(self, X, xp, dtype):
        vis = get_layer(self.visible)
        if (
            isinstance(vis, Potts)
            and B.issparse(X)
            and getattr(self, "visible_layer_", None) is None
        ):
            self.visible_layer_ = Potts(n_states=vis.n_states)
        return super()._training_source(X, xp, dtype)

    def _reset_fit_state(self):
        super()._reset_fit_state()
        for attr in ("visible_layer_", "hidden_layer_", "mean_", "scale_"):
            self.__dict__.pop(attr, None)

    # -- parameters -----------------------------------------------------------
    def _validate_model_size(self, n_features):
        vis, hid = self._layers()
        if self.method == "exact":
            model = Bipartite(
                np.zeros((n_features, hid.columns(self.n_components))),
                None, None, vis, hid, np,
            )  # fmt: skip
            from ._partition import _check_model_size

            _check_model_size(model)

    def _init_parameters(self, n_features, xp, dtype, rng, X):
        self._layers()  # checked
        if getattr(self, "visible_layer_", None) is None:
            self.visible_layer_ = get_layer(self.visible)
        self.hidden_layer_ = get_layer(self.hidden)
        vis, hid = self.visible_layer_, self.hidden_layer_
        H = hid.columns(self.n_components)
        W = rng.standard_normal((n_features, H), dtype=dtype)
        W *= dtype(self.init_scale)
        # BinaryRBM's sparse start for {0, 1} hidden units of a binary model
        c0 = _SPARSE_HIDDEN_BIAS if (vis.binary and hid.name == "bernoulli") else 0.0
        params = {"W": W, "c": xp.full(H, c0, dtype=dtype)}
        Xd = None
        if X is not None and not B.issparse(X) and not vis.discrete:
            Xd = X
        for k, v in vis.init_params(n_features, xp, dtype, Xd).items():
            params[f"vis.{k}"] = v
        for k, v in hid.init_params(self.n_components, xp, dtype).items():
            params[f"hid.{k}"] = v
        # the visible bias of the factorized model of the data
        mean = B.column_mean(X, xp) if X is not None else None
        bound_vis = self._bind(vis, params, "vis")
        from ._partition import base_rate_bias

        b = base_rate_bias(bound_vis, mean, n_features, dtype, eps=1e-2)
        params["b"] = B.to_device(np.ascontiguousarray(b), xp, dtype)
        self._gauge(params)
        return params

    @staticmethod
    def _bind(layer, params, side):
        prefix = side + "."
        own = {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}
        return layer.bind(**own) if own or layer.param_names else layer

    def _store_parameters(self, params):
        W = B.to_numpy(params["W"])
        self.components_ = np.ascontiguousarray(W.T)
        self.intercept_visible_ = B.to_numpy(params["b"])
        self.intercept_hidden_ = B.to_numpy(params["c"])
        for key, v in params.items():
            if "." in key:
                side, name = key.split(".", 1)
                setattr(self, self._attr(side, name), B.to_numpy(v))

    def _load_parameters(self, xp, dtype):
        params = {
            "W": B.to_device(self.components_.T, xp, dtype),
            "b": B.to_device(self.intercept_visible_, xp, dtype),
            "c": B.to_device(self.intercept_hidden_, xp, dtype),
        }
        for side, name in self._param_keys():
            params[f"{side}.{name}"] = B.to_device(
                getattr(self, self._attr(side, name)), xp, dtype
            )
        return params

    def _model(self, params, xp):
        vis, hid = self._layers()
        return Bipartite(
            params["W"],
            params["b"],
            params["c"],
            self._bind(vis, params, "vis"),
            self._bind(hid, params, "hid"),
            xp,
        )

    def _gauge(self, params):
        """The zero-sum gauge of Potts layers: each unit's couplings (and
        biases) sum to zero over its states; the shift of the couplings
        moves into the other layer's bias, so the distribution is unchanged."""
        vis, hid = self._layers()
        W = params["W"]
        V, H = W.shape
        if isinstance(vis, Potts):
            q = vis.q
            W3 = W.reshape(V // q, q, H)
            m = W3.mean(axis=1, keepdims=True)
            params["c"] += m.sum(axis=(0, 1))
            W3 -= m
            b2 = params["b"].reshape(V // q, q)
            b2 -= b2.mean(axis=1, keepdims=True)
        if isinstance(hid, Potts):
            q = hid.q
            W3 = W.reshape(V, H // q, q)
            m = W3.mean(axis=2, keepdims=True)
            params["b"] += m.sum(axis=(1, 2))
            W3 -= m
            c2 = params["c"].reshape(H // q, q)
            c2 -= c2.mean(axis=1, keepdims=True)

    def _after_update(self, params):
        self._gauge(params)

    # -- training -------------------------------------------------------------
    def _make_negative_phase(self, covariance=False):
        if self.method == "exact":
            return Exact()
        if self.method == "cd":
            return CD(self.n_gibbs_steps)
        if self.method == "pt":
            return PT(self.n_gibbs_steps, self._n_chains(), self.n_temperatures)
        return PCD(self.n_gibbs_steps, self._n_chains())

    def _begin_training(self, xp, dtype):
        self._offsets = None
        if not self.centering:
            return
        mu = B.to_device(self.visible_mean_, xp, dtype)
        lam = getattr(self, "hidden_offset_", None)
        self._offsets = (
            mu,
            None if lam is None else xp.array(B.to_device(lam, xp, dtype)),
        )

    _end_training = BinaryLayersMixin._end_training
    _update_offsets = BinaryLayersMixin._update_offsets

    def _gradient(self, params, X, xp, rng):
        model = self._model(params, xp)
        ph = self._current_phase()(model, X, params, rng, None)
        offsets = self._update_offsets(ph.h_pos, xp)
        grads = likelihood_gradient(model, X, ph, True, offsets=offsets)
        # the layers' own parameters: data average minus model average of
        # -dU/dθ at the visible states, dA/dθ at the hidden fields
        for side, layer, moments, pos, neg in (
            ("vis", model.vis, model.vis.state_moments, X, ph.v_neg),
            ("hid", model.hid, model.hid.param_moments, ph.field_pos, ph.field_neg),
        ):
            if not layer.param_names:
                continue
            if ph.stats is not None:  # exact model averages
                neg_avg = getattr(ph.stats, f"{side}_params")
            else:
                neg_avg = {k: _mean_rows(xp, a) for k, a in moments(xp, neg).items()}
            for k, a in moments(xp, pos).items():
                grads[f"{side}.{k}"] = _mean_rows(xp, a) - neg_avg[k]
        return grads

    def _monitor(self, model, X, xp):
        """Reconstruction error, and the exact log-likelihood when the
        smaller discrete layer has at most 2**12 states and X holds states."""
        Xs = B.dense_rows(X, 1000)
        rec = model.mean_visibles(model.mean_hiddens(Xs))
        out = {"reconstruction_error": float(xp.mean((Xs - rec) ** 2))}
        bits = enumerable_units(model)
        if bits is not None and bits <= 12 and model.vis.discrete:
            log_z = exact_log_partition(model)
            out["log_likelihood"] = float(-xp.mean(model.free_energy(Xs)) - log_z)
        return out

    def _learning_rate(self):
        if self.learning_rate != "auto":
            return self.learning_rate
        vis, hid = get_layer(self.visible), get_layer(self.hidden)
        if not (vis.discrete and hid.discrete):
            return 0.01
        return 0.03 if isinstance(vis, Potts) else 0.1

    def _suggested_learning_rate(self, lr):
        return lr / 10


__all__ = ["RBM", "MAX_EXACT_UNITS"]
