"""scikit-learn's estimator checks on every skrapid estimator.

The checks feed real-valued data (Gaussian blobs, values up to ~100), which is
outside the support of a binary RBM: fitting rejects values outside [0, 1]
(or [-1, 1] for spins) and ``score_samples`` rejects non-binary rows, by
design.  So each estimator is checked twice:

* the estimator itself, with the checks that must fail for that reason
  declared as expected failures (each with its reason), so every other check
  (parameters, NaN/inf rejection, empty data, ...) runs on it unchanged;
* a test-only subclass that first maps the checks' real-valued data into the
  support with a fixed squashing function (sigmoid / tanh, and a threshold for
  the log-likelihood), after scikit-learn's own input validation.  The whole
  contract (fit/partial_fit/transform/score, pickling, dtypes, idempotence,
  sample-order invariance, ...) then runs on the real machinery.
"""

import numpy as np
import pytest
from conftest import dispatch_available
from scipy.sparse import issparse
from scipy.special import expit
from sklearn.utils import check_array
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import validate_data

from skrapid import RARBM, RBM, BinaryRBM, GaussianRBM
from skrapid.layers import Potts, get_layer


class _SquashInput:
    """Map real-valued check data into the support before skrapid's checks."""

    def _validate_X(self, X, **kwargs):
        if issparse(X):  # squashing makes the implicit zeros non-zero
            check_array(X, accept_sparse=False)
        return super()._validate_X(X, **kwargs)

    def _check_X(self, X, *, reset, likelihood=False, training=False):
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32])
        lo = -1 if getattr(self, "units", "spin") == "spin" else 0
        S = np.tanh(X) if lo else expit(X)
        if likelihood or (training and isinstance(self, RARBM)):
            S = np.where(S > (0 if lo else 0.5), 1, lo)
        return super()._check_X(
            S.astype(X.dtype), reset=reset, likelihood=likelihood, training=training
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False  # squashing makes every zero non-zero
        tags.input_tags.positive_only = False  # any real value is squashed in
        return tags


class SquashedBinaryRBM(_SquashInput, BinaryRBM):
    pass


class SquashedRARBM(_SquashInput, RARBM):
    pass


class SquashedRBM(RBM):
    """The general RBM on squashed data: sigmoid for {0, 1} units (states
    for the log-likelihood), tanh for spins, and three levels of the
    sigmoid as the codes of a Potts layer."""

    def _check_X(self, X, *, reset, likelihood=False, training=False):
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32])
        vis = get_layer(self.visible)
        if isinstance(vis, Potts):
            S = np.minimum((expit(X) * 3).astype(int), 2)
        elif vis.name == "spin":
            S = np.tanh(X)
            S = np.where(S > 0, 1, -1) if likelihood else S
        else:
            S = expit(X)
            S = np.where(S > 0.5, 1, 0) if likelihood else S
        return super()._check_X(
            S.astype(X.dtype), reset=reset, likelihood=likelihood, training=training
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.positive_only = False  # any real value is squashed in
        return tags


SQUASH = {BinaryRBM: SquashedBinaryRBM, RARBM: SquashedRARBM, RBM: SquashedRBM}


FAST = dict(n_components=3, max_iter=3, batch_size=10, random_state=0, device="cpu")
ESTIMATORS = [
    BinaryRBM(**FAST),
    BinaryRBM(units="spin", fit_intercept=False, method="cd", **FAST),
    BinaryRBM(method="exact", optimizer="adam", **FAST),
    BinaryRBM(method="pt", n_temperatures=3, centering=False, **FAST),
    RARBM(n_patterns=2, **FAST),
    RARBM(**RARBM.PAPER_RECIPE, n_patterns=2, **FAST),
    RARBM(
        n_patterns=2,
        units="bernoulli",
        fit_intercept=True,
        pattern_constraint="clip",
        n_gibbs_steps=2,
        **FAST,
    ),
    RARBM(
        n_patterns=2,
        negative_phase="pcd",
        n_gibbs_steps=1,
        pattern_constraint="gibbs",
        **FAST,
    ),
    RBM(hidden="relu", **FAST),
    RBM(visible="spin", hidden="drelu", method="cd", **FAST),
    RBM(visible=Potts(n_states=3), hidden="bernoulli", **FAST),
    RBM(hidden=Potts(n_states=2), method="pt", n_temperatures=3, **FAST),
]
SQUASHED = [SQUASH[type(e)](**e.get_params()) for e in ESTIMATORS]

# real-valued fields are GaussianRBM's support: the checks run unchanged
GAUSSIAN = [
    GaussianRBM(**FAST),
    GaussianRBM(method="exact", learn_mu2="local", optimizer="adam", **FAST),
    GaussianRBM(hidden="spin", learn_mu2="global", **FAST),
    RBM(visible="gaussian", hidden="bernoulli", **FAST),
    RBM(visible="gaussian", hidden="spin", method="exact", optimizer="adam", **FAST),
]

_OUT_OF_SUPPORT = (
    "feeds real-valued data outside the binary model's support; checked on the "
    "squashed-input subclass instead"
)
EXPECTED = {
    name: _OUT_OF_SUPPORT
    for name in [
        "check_fit_score_takes_y",
        "check_estimators_overwrite_params",
        "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self",
        "check_readonly_memmap_input",
        "check_n_features_in_after_fitting",
        "check_estimators_dtypes",
        "check_pipeline_consistency",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_transformer_data_not_an_array",
        "check_transformer_general",
        "check_transformer_preserve_dtypes",
        "check_transformer_n_iter",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_fit2d_1sample",
        "check_fit2d_1feature",
        "check_dict_unchanged",
        "check_fit_idempotent",
        "check_fit_check_is_fitted",
        "check_n_features_in",
        "check_fit2d_predict1d",
        "check_positive_only_tag_during_fit",
        "check_array_api_input",
        "check_array_api_mixed_inputs",
        "check_array_api_same_namespace",
    ]
}


# RARBM trains on binary states only, so two more checks fit on real values;
# spin RARBMs take sparse {0, 1} data (made dense), and the sparse checks fit
# real-valued sparse X
EXPECTED_RARBM = {
    **EXPECTED,
    "check_dtype_object": _OUT_OF_SUPPORT,
    "check_estimators_nan_inf": _OUT_OF_SUPPORT,
    "check_estimator_sparse_tag": _OUT_OF_SUPPORT,
    "check_estimator_sparse_array": _OUT_OF_SUPPORT,
    "check_estimator_sparse_matrix": _OUT_OF_SUPPORT,
}
# with units="bernoulli" it takes sparse input, and the sparse tag check fits
# a fractional sparse X
EXPECTED_RARBM_BERNOULLI = {
    k: v
    for k, v in EXPECTED_RARBM.items()
    if k not in ("check_estimator_sparse_array", "check_estimator_sparse_matrix")
}


def _expected(estimator):
    if type(estimator).__name__.startswith("Squashed") or isinstance(
        estimator, GaussianRBM
    ):
        return {}
    if isinstance(estimator, RBM):
        if estimator.visible == "gaussian":
            return {}
        if isinstance(estimator.visible, Potts):  # codes: every check's data
            return EXPECTED_RARBM
        return EXPECTED
    if isinstance(estimator, RARBM):
        if estimator.units == "bernoulli":
            return EXPECTED_RARBM_BERNOULLI
        return EXPECTED_RARBM
    return EXPECTED


@pytest.mark.filterwarnings("ignore::skrapid.SpinGlassWarning")
@parametrize_with_checks(
    ESTIMATORS + SQUASHED + GAUSSIAN, expected_failed_checks=_expected
)
def test_sklearn_compatible_estimator(estimator, check):
    name = getattr(check, "func", check).__name__
    if name.startswith("check_array_api") and not dispatch_available():
        pytest.skip("Array API dispatch needs SciPy >= 1.14 (scikit-learn's rule)")
    check(estimator)
