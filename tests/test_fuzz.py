"""Bad-input fuzz suite: every estimator and the command line, case by case.

Each case is one row of a table: an action on tiny data (40 rows x 6
features, 3 hidden units, one epoch) and its expected outcome, either

* ``("error", ExceptionType, regex)``: the action raises that exception and
  its message matches ``regex``, a word that names the problem ("NaN",
  "2D", "learning_rate", ...).  A raw ``numpy.linalg.LinAlgError`` never
  counts as a clear error; or
* ``("ok", check)``: the action succeeds and ``check(result, ctx)`` verifies
  that the result is correct -- in most cases equal to the result on the
  clean equivalent input (float64, C-ordered, writeable NumPy array).

The cases cover what a demanding user or a fuzzer sends: NaN and infinities
in every method, complex, object and string dtypes, empty, 1-D and 3-D
arrays, the wrong number of features, read-only arrays and memmaps, pixel
data in 0..255, fractional data where states are needed, 0/1 data for spin
units, bad hyper-parameters and method arguments, calls before ``fit``,
divergent training, structural parameters changed after ``fit`` and, for
GaussianRBM, bad covariance targets and extreme scales.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import sys
import time
import warnings
from functools import cache
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skrapid import RARBM, BinaryRBM, GaussianRBM, TrainingDivergedError
from skrapid._cli import cli

# ----------------------------------------------------------------------------
# data and estimators
# ----------------------------------------------------------------------------
_rng = np.random.default_rng(0)
#: 0/1 data with both values in every column
X01 = (_rng.random((40, 6)) < 0.4).astype(np.float64)
X01[0], X01[1] = 0.0, 1.0
#: the same data as spins
XPM = 2.0 * X01 - 1.0
#: correlated real-valued fields with a non-zero mean
XG = _rng.standard_normal((40, 6)) @ (np.eye(6) + 0.3 * _rng.standard_normal((6, 6)))
XG += 0.5

BASE = {
    "binary": (
        BinaryRBM,
        dict(
            n_components=3,
            max_iter=1,
            batch_size=10,
            n_chains=10,
            random_state=0,
            device="cpu",
        ),
        X01,
    ),
    "rarbm": (
        RARBM,
        dict(
            n_components=3,
            n_patterns=1,
            max_iter=1,
            batch_size=10,
            n_chains=10,
            random_state=0,
            device="cpu",
        ),
        XPM,
    ),
    "gaussian": (
        GaussianRBM,
        dict(n_components=3, max_iter=1, batch_size=10, random_state=0, device="cpu"),
        XG,
    ),
}


@cache
def _reference(name):
    """The estimator fitted on its clean data (shared, never mutated)."""
    cls, params, X = BASE[name]
    return cls(**params).fit(X.copy())


@dataclasses.dataclass
class Ctx:
    """What a case action gets: the clean data, fresh and fitted estimators."""

    name: str
    tmp_path: Any

    @property
    def X(self):
        return BASE[self.name][2].copy()

    def make(self, **params):
        cls, base, _ = BASE[self.name]
        return cls(**{**base, **params})

    def fitted(self):
        return copy.deepcopy(_reference(self.name))

    def fit(self, X, **params):
        return self.make(**params).fit(X)


# ----------------------------------------------------------------------------
# running a case
# ----------------------------------------------------------------------------
def run_case(ctx, action, expect):
    kind = expect[0]
    if kind == "error":
        _, exc, pattern = expect
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = action(ctx)
            except exc as err:
                assert not isinstance(err, np.linalg.LinAlgError), (
                    f"a raw LinAlgError is not a clear error: {err!r}"
                )
                assert re.search(pattern, str(err)), (
                    f"{type(err).__name__} message does not name the problem "
                    f"(expected /{pattern}/): {str(err)!r}"
                )
                return
        raise AssertionError(
            f"expected {_names(exc)} matching /{pattern}/, but the call "
            f"returned {_short(result)}"
        )
    assert kind == "ok", expect
    _, check = expect
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = action(ctx)
    check(result, ctx)


def _names(exc):
    if isinstance(exc, tuple):
        return " or ".join(e.__name__ for e in exc)
    return exc.__name__


def _short(result):
    if isinstance(result, np.ndarray):
        return (
            f"an array of shape {result.shape}, dtype {result.dtype}, "
            f"finite: {bool(np.isfinite(result).all())}, "
            f"values {np.array2string(result.ravel()[:4], precision=4)}..."
        )
    return repr(result)[:300]


def E(exc, pattern):
    """Expected outcome: ``exc`` with a message matching ``pattern``."""
    return ("error", exc, pattern)


def OK(check):
    """Expected outcome: success, verified by ``check(result, ctx)``."""
    return ("ok", check)


def case(id_, action, expect):
    return pytest.param(action, expect, id=id_)


# ----------------------------------------------------------------------------
# input variants
# ----------------------------------------------------------------------------
def poke(X, value, where=(0, 0)):
    X = np.array(X, dtype=np.float64)
    X[where] = value
    return X


def readonly(X):
    X = np.array(X)
    X.setflags(write=False)
    return X


def memmap(ctx, X, name="X.dat"):
    X = np.asarray(X)
    path = ctx.tmp_path / name
    m = np.memmap(path, dtype=X.dtype, mode="w+", shape=X.shape)
    m[:] = X
    m.flush()
    del m
    return np.memmap(path, dtype=X.dtype, mode="r", shape=X.shape)


def dataframe(X):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])


def signature(est):
    """Every fitted parameter, as one vector."""
    parts = [est.components_.ravel(), est.intercept_visible_, est.intercept_hidden_]
    for extra in ("patterns_visible_", "patterns_hidden_", "mean_"):
        if getattr(est, extra, None) is not None:
            parts.append(np.ravel(getattr(est, extra)))
    if hasattr(est, "mu2_"):
        parts.append(np.ravel(est.mu2_))
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts])


def same_as(clean, rtol=1e-10, atol=1e-12):
    """Check: the result equals ``clean(ctx)``, the result on the clean input."""

    def check(result, ctx):
        expected = clean(ctx)
        result = np.asarray(result)
        assert result.shape == np.shape(expected), (result.shape, np.shape(expected))
        assert np.isfinite(result).all(), _short(result)
        assert_allclose(result, expected, rtol=rtol, atol=atol)

    return check


def fit_sig(X_of, **params):
    """Action: fit on ``X_of(ctx)``, return every fitted parameter."""
    return lambda c: signature(c.fit(X_of(c), **params))


CLEAN_FIT = same_as(lambda c: signature(_reference(c.name)))


def fitted_call(method, X_of, **kw):
    """Action: ``fitted_estimator.method(X_of(ctx), **kw)``."""
    return lambda c: getattr(c.fitted(), method)(X_of(c), **kw)


def clean_call(method, **kw):
    return same_as(lambda c: getattr(c.fitted(), method)(c.X, **kw))


def float32_fit_check(result, ctx):
    """A float32 fit keeps float32 parameters, finite, and is as good a model
    as the float64 fit (its random initialization differs, not its quality)."""
    est = result
    assert est.components_.dtype == np.float32, est.components_.dtype
    assert np.isfinite(signature(est)).all()
    H = est.transform(ctx.X.astype(np.float32))
    assert H.dtype == np.float32, H.dtype
    ref = ctx.fitted().score(ctx.X)
    assert abs(est.score(ctx.X) - ref) < 0.1 * abs(ref), (est.score(ctx.X), ref)


def transform_float32_check(result, ctx):
    """float32 input to a float64 model: the float64 result, to float32 accuracy."""
    assert np.isfinite(result).all(), _short(result)
    assert_allclose(result, ctx.fitted().transform(ctx.X), rtol=1e-5, atol=1e-6)


def hidden_of(c):
    return c.fitted().transform(c.X)


MISSING = r"not fitted"

NAN = r"NaN"
INF = r"[Ii]nfinit"


# ----------------------------------------------------------------------------
# cases shared by the three estimators
# ----------------------------------------------------------------------------
def common_cases(small_int):
    """Cases every estimator must handle alike.  ``small_int(ctx)`` is integer
    data of the estimator's domain (equal to float data of the same values)."""
    cases = []
    # -- NaN and infinities, in every method that reads data
    for label, value, pat in (
        ("nan", np.nan, NAN),
        ("posinf", np.inf, INF),
        ("neginf", -np.inf, INF),
    ):
        cases += [
            case(
                f"fit-{label}",
                lambda c, v=value: c.make().fit(poke(c.X, v)),
                E(ValueError, pat),
            ),
            case(
                f"partial_fit-{label}",
                lambda c, v=value: c.make().partial_fit(poke(c.X, v)),
                E(ValueError, pat),
            ),
            case(
                f"partial_fit-after-fit-{label}",
                lambda c, v=value: c.fitted().partial_fit(poke(c.X, v, (5, 3))),
                E(ValueError, pat),
            ),
            case(
                f"transform-{label}",
                fitted_call("transform", lambda c, v=value: poke(c.X, v)),
                E(ValueError, pat),
            ),
            case(
                f"score_samples-{label}",
                fitted_call("score_samples", lambda c, v=value: poke(c.X, v)),
                E(ValueError, pat),
            ),
            case(
                f"free_energy-{label}",
                fitted_call("free_energy", lambda c, v=value: poke(c.X, v)),
                E(ValueError, pat),
            ),
            case(
                f"gibbs-{label}",
                fitted_call("gibbs", lambda c, v=value: poke(c.X, v, (-1, -1))),
                E(ValueError, pat),
            ),
            case(
                f"inverse_transform-{label}",
                lambda c, v=value: c.fitted().inverse_transform(poke(hidden_of(c), v)),
                E(ValueError, pat),
            ),
            case(
                f"sample-v_init-{label}",
                lambda c, v=value: c.fitted().sample(
                    n_steps=2, v_init=poke(c.X[:5], v), random_state=0
                ),
                E(ValueError, pat),
            ),
        ]
    cases += [
        case(
            "score-nan",
            fitted_call("score", lambda c: poke(c.X, np.nan, (3, 2))),
            E(ValueError, NAN),
        ),
        case(
            "sample_hidden-nan",
            fitted_call("sample_hidden", lambda c: poke(c.X, np.nan)),
            E(ValueError, NAN),
        ),
        case(
            "log_partition_function-ais-X-nan",
            lambda c: c.fitted().log_partition_function(
                "ais", X=poke(c.X, np.nan), n_betas=10, n_chains=4, random_state=0
            ),
            E(ValueError, NAN),
        ),
        # -- dtypes
        case(
            "fit-complex",
            lambda c: c.make().fit(c.X + 1j * 0.0),
            E(ValueError, r"[Cc]omplex"),
        ),
        case(
            "transform-complex",
            fitted_call("transform", lambda c: c.X.astype(np.complex128)),
            E(ValueError, r"[Cc]omplex"),
        ),
        case(
            "fit-object-strings",
            lambda c: c.make().fit(np.full(c.X.shape, "a", dtype=object)),
            E(ValueError, r"string"),
        ),
        case(
            "fit-unicode-strings",
            lambda c: c.make().fit(np.full(c.X.shape, "one")),
            E(ValueError, r"string"),
        ),
        case(
            "score_samples-object-strings",
            fitted_call(
                "score_samples", lambda c: np.full(c.X.shape, "x", dtype=object)
            ),
            E(ValueError, r"string"),
        ),
        case("fit-None", lambda c: c.make().fit(None), E(ValueError, r"2D")),
        case("fit-scalar", lambda c: c.make().fit(1.0), E(ValueError, r"2D")),
        case(
            "fit-ragged-lists",
            lambda c: c.make().fit([[0.0, 1.0, 0.0], [1.0, 0.0]]),
            E(ValueError, r"inhomogeneous|sequence"),
        ),
        # -- shapes
        case(
            "fit-0-rows",
            lambda c: c.make().fit(c.X[:0]),
            E(ValueError, r"0 sample"),
        ),
        case(
            "fit-0-columns",
            lambda c: c.make().fit(c.X[:, :0]),
            E(ValueError, r"0 feature"),
        ),
        case(
            "partial_fit-0-rows",
            lambda c: c.make().partial_fit(c.X[:0]),
            E(ValueError, r"0 sample"),
        ),
        case(
            "transform-0-rows",
            fitted_call("transform", lambda c: c.X[:0]),
            E(ValueError, r"0 sample"),
        ),
        case(
            "score_samples-0-columns",
            fitted_call("score_samples", lambda c: c.X[:, :0]),
            E(ValueError, r"0 feature"),
        ),
        case("fit-1d", lambda c: c.make().fit(c.X[0]), E(ValueError, r"2D")),
        case(
            "fit-3d",
            lambda c: c.make().fit(c.X.reshape(4, 10, 6)),
            E(ValueError, r"dim 3"),
        ),
        case(
            "transform-1d",
            fitted_call("transform", lambda c: c.X[0]),
            E(ValueError, r"2D"),
        ),
        case(
            "score_samples-3d",
            fitted_call("score_samples", lambda c: c.X.reshape(4, 10, 6)),
            E(ValueError, r"dim 3"),
        ),
        case(
            "inverse_transform-1d",
            lambda c: c.fitted().inverse_transform(hidden_of(c)[0]),
            E(ValueError, r"2D"),
        ),
        # -- the wrong number of features after fit
        case(
            "transform-wrong-n-features",
            fitted_call("transform", lambda c: c.X[:, :5]),
            E(ValueError, r"features"),
        ),
        case(
            "score_samples-wrong-n-features",
            fitted_call("score_samples", lambda c: np.hstack([c.X, c.X[:, :1]])),
            E(ValueError, r"features"),
        ),
        case(
            "free_energy-wrong-n-features",
            fitted_call("free_energy", lambda c: c.X[:, :4]),
            E(ValueError, r"features"),
        ),
        case(
            "partial_fit-wrong-n-features",
            fitted_call("partial_fit", lambda c: c.X[:, :5]),
            E(ValueError, r"features"),
        ),
        case(
            "gibbs-wrong-n-features",
            fitted_call("gibbs", lambda c: c.X[:, :5]),
            E(ValueError, r"features"),
        ),
        case(
            "inverse_transform-wrong-width",
            lambda c: c.fitted().inverse_transform(np.zeros((2, 5))),
            E(ValueError, r"n_components|columns"),
        ),
        case(
            "sample-v_init-wrong-width",
            lambda c: c.fitted().sample(n_steps=2, v_init=c.X[:4, :5], random_state=0),
            E(ValueError, r"features"),
        ),
        case(
            "log_partition_function-X-wrong-n-features",
            lambda c: c.fitted().log_partition_function(
                "ais", X=c.X[:, :5], n_betas=10, n_chains=4, random_state=0
            ),
            E(ValueError, r"features"),
        ),
        # -- before fit
        case(
            "transform-before-fit",
            lambda c: c.make().transform(c.X),
            E(NotFittedError, MISSING),
        ),
        case(
            "score_samples-before-fit",
            lambda c: c.make().score_samples(c.X),
            E(NotFittedError, MISSING),
        ),
        case(
            "inverse_transform-before-fit",
            lambda c: c.make().inverse_transform(np.zeros((2, 3))),
            E(NotFittedError, MISSING),
        ),
        case(
            "sample-before-fit",
            lambda c: c.make().sample(2, n_steps=1),
            E(NotFittedError, MISSING),
        ),
        case(
            "log_partition_function-before-fit",
            lambda c: c.make().log_partition_function(),
            E(NotFittedError, MISSING),
        ),
        case(
            "gibbs-before-fit",
            lambda c: c.make().gibbs(c.X),
            E(NotFittedError, MISSING),
        ),
        # -- bad method arguments
        case(
            "log_partition_function-method-bogus",
            lambda c: c.fitted().log_partition_function(method="bogus"),
            E(ValueError, r"method"),
        ),
        case(
            "log_partition_function-n_betas-1",
            lambda c: c.fitted().log_partition_function("ais", n_betas=1),
            E(ValueError, r"n_betas"),
        ),
        case(
            "log_partition_function-n_betas-float",
            lambda c: c.fitted().log_partition_function("ais", n_betas=10.5),
            E(ValueError, r"n_betas"),
        ),
        case(
            "log_partition_function-n_chains-0",
            lambda c: c.fitted().log_partition_function("ais", n_chains=0),
            E(ValueError, r"n_chains"),
        ),
        case(
            "log_partition_function-n_burn_in-negative",
            lambda c: c.fitted().log_partition_function(
                "reverse_ais", n_burn_in=-1, n_betas=10, n_chains=4, random_state=0
            ),
            E(ValueError, r"n_burn_in"),
        ),
        case(
            "log_partition_function-n_burn_in-float",
            lambda c: c.fitted().log_partition_function(
                "reverse_ais", n_burn_in=2.5, n_betas=10, n_chains=4, random_state=0
            ),
            E(ValueError, r"n_burn_in"),
        ),
        case(
            "sample-0",
            lambda c: c.fitted().sample(0),
            E(ValueError, r"n_samples"),
        ),
        case(
            "sample-negative",
            lambda c: c.fitted().sample(-2),
            E(ValueError, r"n_samples"),
        ),
        case(
            "sample-float-n_samples",
            lambda c: c.fitted().sample(2.5),
            E(ValueError, r"n_samples"),
        ),
        case(
            "sample-n_steps-negative",
            lambda c: c.fitted().sample(3, n_steps=-1, v_init=c.X[:3]),
            E(ValueError, r"n_steps"),
        ),
        # -- bad hyper-parameters shared by all (sklearn's InvalidParameterError)
        *[
            case(
                f"param-{p}={v!r}",
                lambda c, p=p, v=v: c.make(**{p: v}).fit(c.X),
                E(InvalidParameterError, f"'{p}'"),
            )
            for p, v in (
                ("n_components", 0),
                ("n_components", 2.5),
                ("n_components", "3"),
                ("learning_rate", -0.1),
                ("learning_rate", 0.0),
                ("learning_rate", np.nan),
                ("learning_rate", np.inf),
                ("learning_rate", "fast"),
                ("batch_size", 0),
                ("max_iter", -1),
                ("max_iter", 1.5),
                ("optimizer", "rmsprop"),
                ("momentum", 1.0),
                ("momentum", -0.5),
                ("weight_decay", -1.0),
                ("lr_decay", 1.5),
                ("lr_decay", 0.0),
                ("lr_decay_every", 0),
                ("init_scale", -1.0),
                ("device", "tpu"),
                ("random_state", "seed"),
                ("n_chains", 0),
            )
        ],
        case(
            "param-init_scale=1e300",
            lambda c: c.make(init_scale=1e300).fit(c.X),
            E(ValueError, r"init_scale"),
        ),
        case(
            "set_params-bad-then-fit",
            lambda c: c.fitted().set_params(learning_rate=-1.0).fit(c.X),
            E(InvalidParameterError, r"'learning_rate'"),
        ),
        # -- inputs that must work and give the clean result
        case("ok-fit-readonly", fit_sig(lambda c: readonly(c.X)), OK(CLEAN_FIT)),
        case("ok-fit-memmap", fit_sig(lambda c: memmap(c, c.X)), OK(CLEAN_FIT)),
        case(
            "ok-fit-fortran", fit_sig(lambda c: np.asfortranarray(c.X)), OK(CLEAN_FIT)
        ),
        case(
            "ok-fit-non-contiguous",
            fit_sig(lambda c: np.repeat(c.X, 2, axis=1)[:, ::2]),
            OK(CLEAN_FIT),
        ),
        case("ok-fit-list-of-lists", fit_sig(lambda c: c.X.tolist()), OK(CLEAN_FIT)),
        case(
            "ok-fit-object-numbers",
            fit_sig(lambda c: c.X.astype(object)),
            OK(CLEAN_FIT),
        ),
        case("ok-fit-dataframe", fit_sig(lambda c: dataframe(c.X)), OK(CLEAN_FIT)),
        case(
            "ok-fit-integer-dtype",
            fit_sig(lambda c: small_int(c)),
            OK(same_as(lambda c: signature(c.fit(small_int(c).astype(np.float64))))),
        ),
        case(
            "ok-fit-batch-larger-than-data",
            fit_sig(lambda c: c.X, batch_size=1000),
            OK(same_as(lambda c: signature(c.fit(c.X, batch_size=40)))),
        ),
        case(
            "ok-fit-float32",
            lambda c: c.fit(c.X.astype(np.float32)),
            OK(float32_fit_check),
        ),
        case(
            "ok-transform-float32",
            fitted_call("transform", lambda c: c.X.astype(np.float32)),
            OK(transform_float32_check),
        ),
        case(
            "ok-transform-readonly",
            fitted_call("transform", lambda c: readonly(c.X)),
            OK(clean_call("transform")),
        ),
        case(
            "ok-transform-memmap",
            fitted_call("transform", lambda c: memmap(c, c.X)),
            OK(clean_call("transform")),
        ),
        case(
            "ok-score_samples-memmap",
            fitted_call("score_samples", lambda c: memmap(c, c.X)),
            OK(clean_call("score_samples")),
        ),
        case(
            "ok-score_samples-fortran",
            fitted_call("score_samples", lambda c: np.asfortranarray(c.X)),
            OK(clean_call("score_samples")),
        ),
        case(
            "ok-free_energy-list-of-lists",
            fitted_call("free_energy", lambda c: c.X.tolist()),
            OK(clean_call("free_energy")),
        ),
        case(
            "ok-gibbs-readonly",
            fitted_call("gibbs", lambda c: readonly(c.X)),
            OK(clean_call("gibbs")),
        ),
        case(
            "ok-inverse_transform-readonly",
            lambda c: c.fitted().inverse_transform(readonly(hidden_of(c))),
            OK(same_as(lambda c: c.fitted().inverse_transform(hidden_of(c)))),
        ),
        case(
            "ok-sample-v_init-memmap",
            lambda c: c.fitted().sample(
                n_steps=3, v_init=memmap(c, c.X[:8]), random_state=0
            ),
            OK(
                same_as(
                    lambda c: c.fitted().sample(
                        n_steps=3, v_init=c.X[:8], random_state=0
                    )
                )
            ),
        ),
        case(
            "ok-transform-one-row",
            fitted_call("transform", lambda c: c.X[3:4]),
            OK(same_as(lambda c: c.fitted().transform(c.X)[3:4])),
        ),
        case(
            "ok-partial_fit-readonly",
            lambda c: signature(c.make().partial_fit(readonly(c.X))),
            OK(same_as(lambda c: signature(c.make().partial_fit(c.X)))),
        ),
    ]
    return cases


def _finalize(cases):
    ids = [p.id for p in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return cases


# ----------------------------------------------------------------------------
# BinaryRBM and RARBM: binary units
# ----------------------------------------------------------------------------
REFIT = r"(?:re-?fit|fit (?:it |the model )?again|call fit)"


def structural(param, value, method, X_of, suffix=""):
    """After ``fit``, ``set_params(param=value)`` changes what the fitted
    parameters mean: ``method`` must refuse, naming the parameter, and say to
    refit -- whether or not X would also be valid data for the new setting
    (``suffix="-on-training-data"``: X is the training data, valid for the
    fitted model; the root problem is the changed parameter, not X)."""
    return case(
        f"set_params-{param}={value!r}-after-fit-then-{method}{suffix}",
        lambda c: getattr(c.fitted().set_params(**{param: value}), method)(X_of(c)),
        E(ValueError, rf"(?is)(?=.*{param})(?=.*{REFIT})"),
    )


SPIN_HINT = r"2 \* X - 1|units='bernoulli'"
BINARY_STATES = r"binary"


def binary_common_cases():
    """Cases of the two estimators with binary visible units."""
    return [
        case(
            "sample-method-bogus",
            lambda c: c.fitted().sample(2, n_steps=1, method="bogus"),
            E(ValueError, r"method"),
        ),
        case(
            "sample-pt-n_temperatures-1",
            lambda c: c.fitted().sample(2, n_steps=1, method="pt", n_temperatures=1),
            E(ValueError, r"n_temperatures"),
        ),
        case(
            "sample-pt-v_init-wrong-width",
            lambda c: c.fitted().sample(n_steps=1, method="pt", v_init=c.X[:3, :4]),
            E(ValueError, r"features"),
        ),
        case(
            "score_samples-fractional-0.5",
            fitted_call("score_samples", lambda c: np.full(c.X.shape, 0.5)),
            E(ValueError, BINARY_STATES),
        ),
        case(
            "score-fractional-one-entry",
            fitted_call("score", lambda c: poke(c.X, 0.5)),
            E(ValueError, BINARY_STATES),
        ),
        *[
            case(
                f"param-{p}={v!r}",
                lambda c, p=p, v=v: c.make(**{p: v}).fit(c.X),
                E(InvalidParameterError, f"'{p}'"),
            )
            for p, v in (
                ("units", "ising"),
                ("units", None),
                ("fit_intercept", "yes"),
                ("centering", "no"),
                ("n_temperatures", 1),
            )
        ],
    ]


def bool_case(**params):
    """0/1 data as booleans: the same fit as the float 0/1 data."""
    return case(
        "ok-fit-bool-dtype",
        fit_sig(lambda c: X01 > 0, **params),
        OK(same_as(lambda c: signature(c.fit(X01.copy(), **params)))),
    )


def _binary_divergence(method):
    return case(
        f"divergence-lr-1e6-{method}",
        lambda c: BinaryRBM(
            4,
            learning_rate=1e6,
            max_iter=20,
            method=method,
            random_state=0,
            device="cpu",
        ).fit(X01),
        E(TrainingDivergedError, r"learning_rate"),
    )


BINARY_CASES = _finalize(
    common_cases(lambda c: c.X.astype(np.int64))
    + binary_common_cases()
    + [
        # -- value ranges: pixels in 0..255, negative values, spins
        case(
            "fit-pixels-0-255",
            lambda c: c.make().fit(255.0 * c.X),
            E(ValueError, r"\[0, 1\]"),
        ),
        case(
            "fit-pixels-uint8-0-255",
            lambda c: c.make().fit((255 * c.X).astype(np.uint8)),
            E(ValueError, r"\[0, 1\]"),
        ),
        case(
            "partial_fit-pixels-0-255",
            lambda c: c.make().partial_fit(255.0 * c.X),
            E(ValueError, r"\[0, 1\]"),
        ),
        case(
            "transform-pixels-0-255",
            fitted_call("transform", lambda c: 255.0 * c.X),
            E(ValueError, r"\[0, 1\]"),
        ),
        case(
            "score_samples-pixels-0-255",
            fitted_call("score_samples", lambda c: 255.0 * c.X),
            E(ValueError, r"binary|\[0, 1\]|\{0, 1\}"),
        ),
        case(
            "fit-spin-data-on-bernoulli",
            lambda c: c.make().fit(XPM),
            E(ValueError, r"\[0, 1\]"),
        ),
        case(
            "fit-slightly-above-1",
            lambda c: c.make().fit(poke(c.X, 1.0 + 1e-9)),
            E(ValueError, r"\[0, 1\]"),
        ),
        case(
            "spin-fit-01-data",
            lambda c: c.make(units="spin").fit(c.X),
            E(ValueError, SPIN_HINT),
        ),
        case(
            "spin-partial_fit-01-data",
            lambda c: c.make(units="spin").partial_fit(c.X),
            E(ValueError, SPIN_HINT),
        ),
        case(
            "spin-score_samples-01-data",
            lambda c: c.make(units="spin").fit(XPM).score_samples(c.X),
            E(ValueError, BINARY_STATES),
        ),
        case(
            "param-method='bogus'",
            lambda c: c.make(method="bogus").fit(c.X),
            E(InvalidParameterError, r"'method'"),
        ),
        case(
            "param-n_gibbs_steps=0",
            lambda c: c.make(n_gibbs_steps=0).fit(c.X),
            E(InvalidParameterError, r"'n_gibbs_steps'"),
        ),
        case(
            "param-method=exact-too-large",
            lambda c: c.make(method="exact", n_components=40).fit(
                np.tile(c.X, (1, 10))
            ),
            E(ValueError, r"exact|units"),
        ),
        # -- divergence: finite numbers, but the step is absurd
        _binary_divergence("pcd"),
        _binary_divergence("cd"),
        # -- structural parameters changed after fit
        structural("units", "spin", "transform", lambda c: c.X),
        structural("units", "spin", "score_samples", lambda c: XPM),
        structural(
            "units", "spin", "score_samples", lambda c: c.X, "-on-training-data"
        ),
        structural("fit_intercept", False, "transform", lambda c: c.X),
        structural("fit_intercept", False, "score_samples", lambda c: c.X),
        # -- must work
        case(
            "ok-score_samples-int-dtype",
            fitted_call("score_samples", lambda c: c.X.astype(np.int8)),
            OK(clean_call("score_samples")),
        ),
        case(
            "ok-score_samples-bool-dtype",
            fitted_call("score_samples", lambda c: c.X.astype(bool)),
            OK(clean_call("score_samples")),
        ),
        bool_case(),
        case(
            "ok-spin-fit-pm1-int",
            lambda c: signature(c.fit(XPM.astype(np.int8), units="spin")),
            OK(same_as(lambda c: signature(c.fit(XPM, units="spin")))),
        ),
        # -- sparse input: {0, 1} units take it, spins refuse it
        case("ok-fit-sparse", fit_sig(lambda c: sp.csr_matrix(c.X)), OK(CLEAN_FIT)),
        case(
            "ok-score_samples-sparse-csc",
            fitted_call("score_samples", lambda c: sp.csc_matrix(c.X)),
            OK(clean_call("score_samples")),
        ),
        case(
            "spin-fit-sparse",
            lambda c: c.make(units="spin").fit(sp.csr_matrix(XPM)),
            E(ValueError, r"(?s)sparse.*units='bernoulli'"),
        ),
    ]
)


RARBM_CASES = _finalize(
    common_cases(lambda c: c.X.astype(np.int64))
    + binary_common_cases()
    + [
        # -- value ranges: pixels, fractions, 0/1 data for spins
        case(
            "fit-pixels-0-255",
            lambda c: c.make().fit(255.0 * X01),
            E(ValueError, r"\{-1, 1\}|\[-1, 1\]"),
        ),
        case(
            "bernoulli-fit-pixels-0-255",
            lambda c: c.make(units="bernoulli").fit((255 * X01).astype(np.uint8)),
            E(ValueError, r"\{0, 1\}|\[0, 1\]"),
        ),
        case(
            "transform-pixels-0-255",
            fitted_call("transform", lambda c: 255.0 * X01),
            E(ValueError, r"\[-1, 1\]"),
        ),
        case(
            "fit-fractional-data",
            lambda c: c.make().fit(0.5 * c.X),
            E(ValueError, BINARY_STATES),
        ),
        # RARBM reads {0, 1} data as spins 2x - 1: the same model as on ±1
        case(
            "ok-spin-fit-01-data",
            lambda c: signature(c.fit(X01, units="spin")),
            OK(same_as(lambda c: signature(c.fit(2 * X01 - 1, units="spin")))),
        ),
        case(
            "ok-spin-partial_fit-01-data",
            lambda c: signature(c.make(units="spin").partial_fit(X01)),
            OK(
                same_as(
                    lambda c: signature(c.make(units="spin").partial_fit(2 * X01 - 1))
                )
            ),
        ),
        case(
            "score_samples-01-data-on-spin-model",
            fitted_call("score_samples", lambda c: X01),
            E(ValueError, BINARY_STATES),
        ),
        # -- RAPID's own hyper-parameters
        *[
            case(
                f"param-{p}={v!r}",
                lambda c, p=p, v=v: c.make(**{p: v}).fit(c.X),
                E(InvalidParameterError, f"'{p}'"),
            )
            for p, v in (
                ("n_patterns", 0),
                ("negative_phase", "bogus"),
                ("pid_hidden", "max"),
                ("pattern_constraint", "none"),
                ("clip_value", 0.0),
                ("init_scale", 0.0),
                ("n_gibbs_steps", -1),
            )
        ],
        case(
            "param-pcd-with-n_gibbs_steps=0",
            lambda c: c.make(negative_phase="pcd", n_gibbs_steps=0).fit(c.X),
            E(ValueError, r"n_gibbs_steps"),
        ),
        case(
            "divergence-lr-1e6",
            lambda c: RARBM(
                learning_rate=1e6, max_iter=20, random_state=0, device="cpu"
            ).fit(XPM),
            E(TrainingDivergedError, r"learning_rate"),
        ),
        # -- structural parameters changed after fit
        structural("units", "bernoulli", "transform", lambda c: 0.5 * (c.X + 1)),
        structural("units", "bernoulli", "score_samples", lambda c: X01),
        structural(
            "units", "bernoulli", "score_samples", lambda c: c.X, "-on-training-data"
        ),
        structural("fit_intercept", False, "transform", lambda c: c.X),
        structural("fit_intercept", False, "score_samples", lambda c: c.X),
        # -- must work (or, for booleans on spins, refuse clearly)
        bool_case(units="bernoulli"),
        case(
            "ok-spin-fit-bool-data",
            lambda c: signature(c.make().fit(X01 > 0)),
            OK(same_as(lambda c: signature(c.fit(2 * X01 - 1)))),
        ),
        case(
            "ok-bernoulli-fit-01-int",
            lambda c: signature(c.fit(X01.astype(np.uint8), units="bernoulli")),
            OK(same_as(lambda c: signature(c.fit(X01, units="bernoulli")))),
        ),
        case(
            "ok-score_samples-int-dtype",
            fitted_call("score_samples", lambda c: c.X.astype(np.int16)),
            OK(clean_call("score_samples")),
        ),
        # -- sparse input: spins (the default) refuse it, {0, 1} units take it
        case(  # spins are not sparse: made dense, the same fit as dense data
            "ok-fit-sparse",
            lambda c: signature(c.make().fit(sp.csr_matrix(c.X))),
            OK(same_as(lambda c: signature(c.make().fit(c.X)))),
        ),
        case(
            "ok-bernoulli-fit-sparse",
            lambda c: signature(c.fit(sp.csr_matrix(X01), units="bernoulli")),
            OK(same_as(lambda c: signature(c.fit(X01, units="bernoulli")))),
        ),
    ]
)


# ----------------------------------------------------------------------------
# GaussianRBM
# ----------------------------------------------------------------------------
def _cov():
    return np.cov(XG.T, bias=True)


SCALE = r"(?i)scale|standardi[sz]|StandardScaler|too large|overflow"

GAUSSIAN_CASES = _finalize(
    common_cases(lambda c: np.round(3 * c.X).astype(np.int64))
    + [
        # -- sparse input: real-valued units take dense data only
        case(
            "fit-sparse",
            lambda c: c.make().fit(sp.csr_matrix(c.X)),
            E(TypeError, r"[Ss]parse.*toarray"),
        ),
        # -- bad covariance targets
        case(
            "fit_covariance-non-symmetric",
            lambda c: c.make(n_components=6).fit_covariance(
                _cov() + np.triu(np.ones((6, 6)), 1)
            ),
            E(ValueError, r"symmetric"),
        ),
        case(
            "fit_covariance-not-positive-definite",
            lambda c: c.make(n_components=6).fit_covariance(
                np.diag([1.0, 1.0, 1.0, 1.0, 1.0, -1.0])
            ),
            E(ValueError, r"positive"),
        ),
        case(
            "fit_covariance-kernel-not-positive-definite",
            lambda c: c.make(n_components=6).fit_covariance(
                kernel=np.diag([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
            ),
            E(ValueError, r"positive definite"),
        ),
        case(
            "fit_covariance-nan",
            lambda c: c.make(n_components=6).fit_covariance(
                poke(_cov(), np.nan, (2, 2))
            ),
            E(ValueError, NAN),
        ),
        case(
            "fit_covariance-inf",
            lambda c: c.make(n_components=6).fit_covariance(
                poke(_cov(), np.inf, (1, 1))
            ),
            E(ValueError, INF),
        ),
        case(
            "fit_covariance-wrong-shape",
            lambda c: c.make(n_components=6).fit_covariance(np.ones((3, 4))),
            E(ValueError, r"square"),
        ),
        case(
            "fit_covariance-1d",
            lambda c: c.make(n_components=6).fit_covariance(np.ones(6)),
            E(ValueError, r"square"),
        ),
        case(
            "fit_covariance-both-targets",
            lambda c: c.make().fit_covariance(np.eye(6), kernel=np.eye(6)),
            E(ValueError, r"exactly one"),
        ),
        case(
            "fit_covariance-no-target",
            lambda c: c.make().fit_covariance(),
            E(ValueError, r"exactly one"),
        ),
        case(
            "fit_covariance-n_epochs-negative",
            lambda c: c.make().fit_covariance(_cov(), n_epochs=-1),
            E(ValueError, r"n_epochs"),
        ),
        case(
            "fit_covariance-continue-wrong-size",
            lambda c: c.fitted().fit_covariance(np.eye(4), reset=False),
            E(ValueError, r"fields|features"),
        ),
        case(
            "fit_covariance-binary-hidden",
            lambda c: c.make(hidden="spin").fit_covariance(_cov()),
            E(ValueError, r"hidden='gaussian'"),
        ),
        # -- extreme scales
        case(
            "score_samples-x1e200",
            fitted_call("score_samples", lambda c: c.X * 1e200),
            E(ValueError, SCALE),
        ),
        case(
            "fit-x1e150-exact",
            lambda c: c.make(method="exact").fit(c.X * 1e150),
            E((ValueError, FloatingPointError), SCALE),
        ),
        case(
            "fit_covariance-x1e300-exact",
            lambda c: c.make(n_components=6, method="exact").fit_covariance(
                covariance=_cov() * 1e300
            ),
            E((ValueError, FloatingPointError), SCALE),
        ),
        # -- data the spectrum methods cannot use
        case(
            "fit-constant-data",
            lambda c: c.make().fit(np.ones((40, 6))),
            E(ValueError, r"zero variance"),
        ),
        case(
            "fit-one-sample",
            lambda c: c.make().fit(c.X[:1]),
            E(ValueError, r"2 samples"),
        ),
        # -- combinations of parameters
        case(
            "param-natural-with-binary-hidden",
            lambda c: c.make(hidden="spin", method="natural").fit(c.X),
            E(ValueError, r"hidden='gaussian'"),
        ),
        case(
            "param-cholesky-init-wrong-size",
            lambda c: c.make(init="cholesky").fit(c.X),
            E(ValueError, r"n_components"),
        ),
        case(
            "param-natural-local-mu2",
            lambda c: c.make(learn_mu2="local").fit(c.X),
            E(ValueError, r"learn_mu2"),
        ),
        *[
            case(
                f"param-{p}={v!r}",
                lambda c, p=p, v=v: c.make(**{p: v}).fit(c.X),
                E(InvalidParameterError, f"'{p}'"),
            )
            for p, v in (
                ("mu2", 0.0),
                ("mu2", -1.0),
                ("mu2", np.nan),
                ("mu2", "big"),
                ("sigma_h2", 0.0),
                ("hidden", "relu"),
                ("method", "bogus"),
                ("learn_mu2", "sometimes"),
                ("reg_covar", -1.0),
                ("init", "zeros"),
                ("init_scale", 0.0),
                ("spectrum_every", 0),
                ("center", "yes"),
                ("n_gibbs_steps", 0),
            )
        ],
        case(
            "sample-method-kwarg",
            lambda c: c.fitted().sample(2, method="bogus"),
            E(ValueError, r"method must be 'gibbs' or 'pt'"),
        ),
        # -- divergence of the gradient dynamics
        case(
            "divergence-lr-1e6-pcd",
            lambda c: c.make(
                n_components=6, mu2=1.0, method="pcd", learning_rate=1e6, max_iter=20
            ).fit(c.X),
            E(TrainingDivergedError, r"learning_rate"),
        ),
        # -- structural parameters changed after fit
        structural("mu2", 5.0, "transform", lambda c: c.X),
        structural("mu2", 5.0, "score_samples", lambda c: c.X),
        structural("hidden", "spin", "score_samples", lambda c: c.X),
        # -- must work
        case(
            "ok-fit-x1e6-natural",
            lambda c: c.fit(c.X * 1e6).score(c.X * 1e6),
            OK(
                lambda r, c: np.testing.assert_allclose(
                    r, c.fit(c.X).score(c.X) - 6 * np.log(1e6), rtol=1e-6
                )
            ),
        ),
        case(
            "ok-fit_covariance-readonly",
            lambda c: signature(
                c.make(n_components=6).fit_covariance(readonly(_cov()))
            ),
            OK(
                same_as(
                    lambda c: signature(c.make(n_components=6).fit_covariance(_cov()))
                )
            ),
        ),
        case(
            "ok-fit_covariance-list",
            lambda c: signature(c.make(n_components=6).fit_covariance(_cov().tolist())),
            OK(
                same_as(
                    lambda c: signature(c.make(n_components=6).fit_covariance(_cov()))
                )
            ),
        ),
    ]
)


@pytest.mark.parametrize(("action", "expect"), BINARY_CASES)
def test_binary_rbm_bad_input(action, expect, tmp_path):
    run_case(Ctx("binary", tmp_path), action, expect)


@pytest.mark.parametrize(("action", "expect"), RARBM_CASES)
def test_rarbm_bad_input(action, expect, tmp_path):
    run_case(Ctx("rarbm", tmp_path), action, expect)


@pytest.mark.parametrize(("action", "expect"), GAUSSIAN_CASES)
def test_gaussian_rbm_bad_input(action, expect, tmp_path):
    run_case(Ctx("gaussian", tmp_path), action, expect)


def test_case_counts():
    """The issue asks for at least 30 cases per estimator and 10 for the CLI."""
    assert len(BINARY_CASES) >= 30
    assert len(RARBM_CASES) >= 30
    assert len(GAUSSIAN_CASES) >= 30
    assert len(CLI_CASES) >= 10


# ----------------------------------------------------------------------------
# the command line
# ----------------------------------------------------------------------------
class _Ran(RuntimeError):
    """Raised by a stub that stands in for a long computation."""


def _stub_experiment(monkeypatch, name):
    """Replace experiment ``name`` by a stub that records that it ran."""
    from skrapid import reproduce as R

    calls = []

    def run(**kw):
        calls.append(kw)
        raise _Ran(f"the experiment ran (seeds={kw.get('seeds')!r})")

    monkeypatch.setitem(
        R.REPRODUCTIONS, name, dataclasses.replace(R.REPRODUCTIONS[name], run=run)
    )
    return calls


def _stub_bench_ais(monkeypatch):
    """Replace ``bench ais`` by a stub that records that it ran."""
    import skrapid._bench.ais as A

    calls = []

    def bench(args):
        calls.append(args)
        return {"benchmark": "ais", "results": {}}

    monkeypatch.setattr(A, "bench_ais", bench)
    return calls


TINY_AIS = [
    "--data",
    "synthetic",
    "--n-samples",
    "60",
    "--hidden",
    "2",
    "--n-betas",
    "10",
]

#: (argv, regex naming the problem, what must not have run)
CLI_CASES = [
    pytest.param([], r"command", None, id="no-subcommand"),
    pytest.param(["frobnicate"], r"frobnicate", None, id="unknown-subcommand"),
    pytest.param(["--bogus"], r"--bogus|command", None, id="unknown-top-level-flag"),
    pytest.param(["demo", "--bogus-flag"], r"--bogus-flag", None, id="demo-bogus-flag"),
    pytest.param(["demo", "--device", "tpu"], r"tpu", None, id="demo-bad-device"),
    pytest.param(
        ["demo", "--verbose", "loud"], r"verbose", None, id="demo-verbose-str"
    ),
    pytest.param(["reproduce"], r"name", None, id="reproduce-no-name"),
    pytest.param(
        ["reproduce", "rapid-fig99"], r"rapid-fig99", None, id="reproduce-unknown-name"
    ),
    pytest.param(
        ["reproduce", "rapid-fig1", "--quick", "--seeds", "-1"],
        r"seeds",
        "experiment",
        id="reproduce-seeds-negative",
    ),
    pytest.param(
        ["reproduce", "rapid-fig1", "--quick", "--seeds", "0"],
        r"seeds",
        "experiment",
        id="reproduce-seeds-zero",
    ),
    pytest.param(
        ["reproduce", "rapid-fig1", "--quick", "--seeds", "abc"],
        r"seeds",
        "experiment",
        id="reproduce-seeds-abc",
    ),
    pytest.param(
        ["reproduce", "rapid-fig1", "--quick", "--seeds", "2.5"],
        r"seeds",
        "experiment",
        id="reproduce-seeds-float",
    ),
    pytest.param(["bench"], r"name", None, id="bench-no-name"),
    pytest.param(["bench", "nosuch"], r"nosuch", None, id="bench-unknown-name"),
    pytest.param(
        ["bench", "ais", *TINY_AIS, "--repeats", "0"],
        r"repeats",
        None,
        id="bench-repeats-zero",
    ),
    pytest.param(
        ["bench", "ais", *TINY_AIS, "--repeats", "-2"],
        r"repeats",
        None,
        id="bench-repeats-negative",
    ),
    pytest.param(
        ["bench", "ais", "--n-betas", "abc"], r"n-betas", None, id="bench-n-betas-abc"
    ),
    pytest.param(
        ["bench", "ais", "--data", "kaggle"], r"kaggle", None, id="bench-unknown-data"
    ),
    pytest.param(
        ["bench", "ais", *TINY_AIS, "--json", "/nonexistent/dir/x.json"],
        r"/nonexistent/dir",
        "bench",
        id="bench-json-missing-folder",
    ),
    pytest.param(
        ["bench", "ais", *TINY_AIS, "--compare", "/nonexistent/dir/old.json"],
        r"/nonexistent/dir/old\.json",
        "bench",
        id="bench-compare-missing-file",
    ),
    pytest.param(
        ["bench", "ais", "--data-home", "{tmp}/missing"],
        r"MNIST.*missing|missing.*MNIST",
        None,
        id="bench-data-home-missing-folder",
    ),
    pytest.param(
        ["bench", "ais", *TINY_AIS, "--json", "{tmp}"],
        r"folder|directory",
        "bench",
        id="bench-json-is-a-folder",
    ),
    pytest.param(
        ["bench", "ais", "--data", "synthetic", "--n-samples", "0"],
        r"n.samples",
        "bench",
        id="bench-n-samples-zero",
    ),
    pytest.param(
        ["bench", "pcd", "--dtypes", "float16"],
        r"float16",
        None,
        id="bench-dtypes-float16",
    ),
    pytest.param(
        ["bench", "ais", "--n-betas", "2"], r"n-betas", "bench", id="bench-n-betas-2"
    ),
    pytest.param(
        ["bench", "ais", "--data", "synthetic", "--n-samples", "-5"],
        r"n.samples",
        None,
        id="bench-n-samples-negative",
    ),
    pytest.param(
        ["bench", "ais", *TINY_AIS[:-4], "--hidden", "0", "--n-betas", "10"],
        r"hidden|n_components",
        None,
        id="bench-hidden-zero",
    ),
]

_ERROR_LINE = re.compile(r"^skrapid(?: [\w-]+)?: error: (.*)$", re.MULTILINE)


def _check_cli_failure(code, err, pattern):
    assert "Traceback" not in err, err
    assert code == 2, f"exit status {code!r}; stderr: {err!r}"
    lines = _ERROR_LINE.findall(err)
    assert len(lines) == 1, f"expected one 'skrapid: error:' line in {err!r}"
    assert re.search(pattern, lines[0]), (
        f"the error line does not name the problem (expected /{pattern}/): {lines[0]!r}"
    )


@pytest.mark.parametrize(("argv", "pattern", "must_not_run"), CLI_CASES)
def test_cli_bad_input(argv, pattern, must_not_run, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SKRAPID_TRACEBACK", raising=False)
    monkeypatch.chdir(tmp_path)  # anything written by mistake stays here
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if argv and argv[0] == "reproduce" and len(argv) > 1:
        argv = [*argv, "--out", str(tmp_path / "out")]
    calls = []
    if must_not_run == "experiment":
        calls = _stub_experiment(monkeypatch, "rapid-fig1")
    elif must_not_run == "bench":
        calls = _stub_bench_ais(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["skrapid", *argv])
    t0 = time.perf_counter()
    try:
        code = cli()
    except SystemExit as exc:
        code = exc.code
    elapsed = time.perf_counter() - t0
    out, err = capsys.readouterr()
    assert not calls, (
        f"the {must_not_run} ran before the bad argument was reported "
        f"(exit {code!r}, stderr {err!r})"
    )
    _check_cli_failure(code, err, pattern)
    assert elapsed < 30, f"took {elapsed:.1f} s to report a bad argument"


@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        pytest.param(["reproduce", "nosuch-experiment"], r"nosuch", id="reproduce"),
        pytest.param(
            ["bench", "ais", "--data-home", "{tmp}/missing"],
            r"MNIST",
            id="bench-data-home",
        ),
    ],
)
def test_cli_entry_point_no_traceback(argv, pattern, tmp_path):
    """``python -m skrapid``: exit status 2, one error line, no traceback."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "SKRAPID_TRACEBACK"}
    env["OMP_NUM_THREADS"] = "1"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    proc = subprocess.run(
        [sys.executable, "-m", "skrapid", *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    _check_cli_failure(proc.returncode, proc.stderr, pattern)
