"""Diagnostics of log Z estimates, and the warning of an unreliable one.

Every estimate of log Z that skrapid makes comes with a :class:`LogZEstimate`:
the value used, the estimator's own value and standard error, the effective
sample size (ESS) of its importance weights, the best *proven* lower bound
(log Z ≥ −F(v) for every state v of a discrete layer, maximized over every
state the computation visited), and the forward/reverse AIS bracket where
both ran for the same parameters.  :func:`assess` decides whether the
estimate can be trusted, and :class:`UnreliableEstimateWarning` says why not
and what to change.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

__all__ = [
    "BRACKET_MARGIN",
    "ESS_MIN_FRACTION",
    "LogZEstimate",
    "UnreliableEstimateWarning",
]

#: An AIS estimate whose importance weights have an effective sample size
#: below this fraction of the chains is unreliable: its standard error (delta
#: method) then understates the error, and a few chains carry the estimate.
ESS_MIN_FRACTION = 0.1

#: Forward and reverse AIS that differ by more than this (nats) do not
#: bracket log Z tightly enough for a log-likelihood to be read off either.
BRACKET_MARGIN = 1.0


class UnreliableEstimateWarning(UserWarning):
    """An estimate of log Z (and so every log-likelihood computed with it)
    may be wrong: it lies below a proven lower bound, its importance weights
    have a small effective sample size, or forward and reverse AIS disagree.

    The message names the cause and what to change; the estimate's
    :class:`LogZEstimate` (``log_partition_function(..., diagnostics=True)``,
    or the fitted attribute ``log_z_diagnostics_``) has the numbers.

    Examples
    --------
    >>> import warnings
    >>> from skrapid import UnreliableEstimateWarning
    >>> issubclass(UnreliableEstimateWarning, UserWarning)
    True
    """


@dataclass
class LogZEstimate:
    """One estimate of log Z with its diagnostics (its fields are its
    attributes; ``reliable`` is True when ``problems`` is empty).

    Parameters
    ----------
    log_z : float
        The value skrapid uses: the estimate, or the proven lower bound when
        that is higher (closer to the truth; ``used_bound`` is then True).
    method : str
        ``"exact"``, ``"ais"`` or ``"reverse_ais"`` (``"closed_form"`` for
        Gaussian models).
    estimate : float
        The estimator's own value.
    std : float
        Its standard error (0 for exact values).
    ess : float or None
        Effective sample size of the importance weights, (Σw)² / Σw² (None
        for exact values).
    n_chains : int or None
        AIS runs.
    lower_bound : float
        Proven lower bound on log Z: max −F(v) over every state visited (the
        AIS chains, the reverse run's start states, the persistent chains,
        RAPID's patterns, and the rows being scored); -inf when none applies
        (continuous layers).
    n_bound_states : int
        Number of states ``lower_bound`` is the maximum over.
    bracket : tuple of float or None
        (forward AIS, reverse AIS) when both ran for these parameters.
    reverse_start : str or None
        What reverse AIS started from: ``"pt"`` (parallel tempering: model
        samples), ``"persistent chains"`` or ``"data"`` (the rows passed as
        ``X``: stated, not model samples).
    used_bound : bool
        True when ``log_z`` is the proven bound, not the estimate.
    problems : list of str
        Why the estimate is unreliable (empty when it is not).

    Examples
    --------
    >>> import numpy as np
    >>> from skrapid import BinaryRBM
    >>> X = np.array([[0, 1, 1], [1, 0, 0]] * 10, dtype=float)
    >>> rbm = BinaryRBM(n_components=2, max_iter=5, random_state=0).fit(X)
    >>> est = rbm.log_partition_function("ais", n_betas=200, random_state=0,
    ...                                   diagnostics=True)
    >>> est.method, est.reliable, bool(est.lower_bound <= est.log_z)
    ('ais', True, True)
    """

    log_z: float
    method: str
    estimate: float
    std: float = 0.0
    ess: float | None = None
    n_chains: int | None = None
    lower_bound: float = -math.inf
    n_bound_states: int = 0
    bracket: tuple | None = None
    reverse_start: str | None = None
    used_bound: bool = False
    problems: list = field(default_factory=list)

    @property
    def reliable(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def __repr__(self):
        parts = [f"log_z={self.log_z:.6g}", f"method={self.method!r}"]
        if self.method not in ("exact", "closed_form"):
            parts.append(f"std={self.std:.3g}")
            if self.ess is not None:
                parts.append(f"ess={self.ess:.3g}/{self.n_chains}")
        if self.lower_bound > -math.inf:
            parts.append(f"lower_bound={self.lower_bound:.6g}")
        if self.bracket is not None:
            parts.append(f"bracket=({self.bracket[0]:.6g}, {self.bracket[1]:.6g})")
        parts.append(f"reliable={self.reliable}")
        return f"LogZEstimate({', '.join(parts)})"


def assess(est: LogZEstimate) -> LogZEstimate:
    """Fill ``problems``, ``log_z`` and ``used_bound`` of an estimate from its
    numbers (in place; returns it)."""
    est.problems = []
    est.log_z, est.used_bound = est.estimate, False
    if est.method in ("exact", "closed_form"):
        return est
    if est.lower_bound > est.estimate:
        gap = est.lower_bound - est.estimate
        if est.method == "reverse_ais":
            est.problems.append(
                f"reverse AIS gave {est.estimate:.6g}, {gap:.3g} nats below a "
                f"proven lower bound ({est.lower_bound:.6g}, the largest −F(v) "
                "over the states visited), so it is not an upper estimate: its "
                "start states were not samples of the model"
                + (
                    " (they were data rows: leave X out to start from parallel "
                    "tempering, or raise n_burn_in)"
                    if est.reverse_start == "data"
                    else " (raise n_burn_in)"
                )
            )
        else:
            est.problems.append(
                f"AIS gave {est.estimate:.6g} ± {est.std:.2g}, {gap:.3g} nats "
                f"below a proven lower bound ({est.lower_bound:.6g}, the largest "
                "−F(v) over the states visited); the bound is used instead, and "
                "log-likelihoods are at most what is reported. The chains did "
                "not reach the model's modes: use more temperatures (n_betas) "
                "or schedule='adaptive'"
            )
        est.log_z, est.used_bound = est.lower_bound, True
    if est.ess is not None and est.n_chains:
        if est.ess < ESS_MIN_FRACTION * est.n_chains:
            est.problems.append(
                f"the effective sample size of the importance weights is "
                f"{est.ess:.3g} of {est.n_chains} chains (below "
                f"{ESS_MIN_FRACTION:.0%}): a few chains carry the estimate and "
                "its standard error understates the error; use more "
                "temperatures (n_betas) or more chains"
            )
    if est.bracket is not None:
        fwd, rev = est.bracket
        if abs(rev - fwd) > BRACKET_MARGIN:
            est.problems.append(
                f"forward and reverse AIS disagree by {abs(rev - fwd):.3g} nats "
                f"(forward {fwd:.6g}, reverse {rev:.6g}; the margin is "
                f"{BRACKET_MARGIN:g}): log Z is not pinned down; run both with "
                "more temperatures (n_betas), and reverse AIS from model "
                "samples (leave X out)"
            )
    return est


def _outside_stacklevel() -> int:
    """The stacklevel of the first caller outside skrapid (so the warning
    points at the user's line, through any decorators)."""
    import os
    import sys

    pkg = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        pkg
    ):
        frame, level = frame.f_back, level + 1
    return level


def warn_if_unreliable(est: LogZEstimate, owner: str, stacklevel=None) -> None:
    """Raise :class:`UnreliableEstimateWarning` for an unreliable estimate,
    pointing at the first caller outside skrapid."""
    if est is None or est.reliable:
        return
    stacklevel = _outside_stacklevel()
    warnings.warn(
        f"{owner}: the estimate of log Z may be wrong, and so every "
        "log-likelihood computed with it: " + "; ".join(est.problems) + ".",
        UnreliableEstimateWarning,
        stacklevel=stacklevel,
    )
