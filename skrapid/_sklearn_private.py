"""The private scikit-learn helpers skrapid uses, imported in this one place.

scikit-learn keeps its parameter validation (``Interval``, ``StrOptions``,
``InvalidParameterError``) and ``_fit_context`` private, and third-party
estimators use them anyway (imbalanced-learn, for one, through the
``sklearn-compat`` package).  They exist unchanged in every version skrapid
supports (scikit-learn >= 1.6, tested at 1.6 and the newest); if one moves,
only this module changes.  ``tests/test_conventions.py`` imports each name.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
)

__all__ = ["Interval", "InvalidParameterError", "StrOptions", "_fit_context"]
