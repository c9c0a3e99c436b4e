"""``skrapid bench gridsearch``: the share of a grid search's time that
goes to scoring (held-out log-likelihood) against fitting."""

from __future__ import annotations

import numpy as np

from ._common import _plain_row, _time_cases

#: Default settings of ``skrapid bench gridsearch``: a small grid, each fit
#: at RARBM's default 30 epochs (the grid a user runs; about 12 minutes for
#: 3 repeats on two cores; ``--grid-max-iter`` shortens it).
GRIDSEARCH_DEFAULTS = {
    "patterns": [5, 10],
    "hidden": [50, 100],
    "estimators": ["rarbm"],
    "folds": 3,
    "max_iter": 30,  # RARBM's default number of epochs
}

#: The share of a grid search's fit + score time that scoring should stay at
#: or below (issue 19).
GRIDSEARCH_SCORE_SHARE_GOAL = 0.5


def _digits_binarized(n_samples=None):
    """(X in {0, 1} float64, description): the digits of ``skrapid demo``
    (scikit-learn's digits nudged five times, binarized at 0.5), all 8985
    rows or ``n_samples`` of them drawn at random (seed 0)."""
    from ..datasets import binarize, load_digits_nudged

    X, _ = load_digits_nudged()
    X = binarize(X, threshold=0.5)
    source = "sklearn digits nudged x5, binarized at 0.5 (as skrapid demo)"
    if n_samples and n_samples < X.shape[0]:
        rows = np.random.default_rng(0).choice(X.shape[0], n_samples, replace=False)
        X = X[np.sort(rows)]
        source += f", {n_samples} random rows"
    return X, source


def bench_gridsearch(args, progress=print) -> dict:
    """scikit-learn ``GridSearchCV`` over RARBM's K (``n_patterns``) and H
    (``n_components``), and/or BinaryRBM's H, scored by the estimators' own
    ``score`` (held-out log-likelihood: log Z exact when the smaller layer
    has at most 20 units, else AIS at :meth:`log_partition_function`'s
    defaults) on the digits of ``skrapid demo``.

    Each repeat runs the whole search once (``n_jobs=1``, ``refit=False``,
    shuffled K-fold); the time of the fits and of the scoring is read from
    its ``cv_results_`` (``mean_fit_time`` and ``mean_score_time`` times the
    folds, summed over the grid), and the search's wall time is reported
    next to them.  ``share`` is the median over repeats of each part's
    share of fit + score (the two add up to 1); the goal is scoring <= 50%.
    """
    import inspect

    from sklearn.model_selection import GridSearchCV, KFold

    from .. import RARBM, BinaryRBM

    d = GRIDSEARCH_DEFAULTS

    def opt(name):
        value = getattr(args, f"grid_{name}", None)
        return d[name] if value is None else value

    Ks, Hs, folds, max_iter = (
        list(opt("patterns")),
        list(opt("hidden")),
        int(opt("folds")),
        int(opt("max_iter")),
    )
    X, source = _digits_binarized(getattr(args, "n_samples", None))
    n, V = X.shape
    cv = KFold(n_splits=folds, shuffle=True, random_state=0)
    searches = {}
    for key in dict.fromkeys(opt("estimators")):
        if key == "rarbm":  # RARBM's units are spins by default: 2x - 1
            est = RARBM(max_iter=max_iter, random_state=0, device="cpu")
            grid = {"n_patterns": Ks, "n_components": Hs}
            searches["RARBM"] = (est, grid, 2 * X - 1)
        elif key == "binary":
            est = BinaryRBM(max_iter=max_iter, random_state=0, device="cpu")
            searches["BinaryRBM"] = (est, {"n_components": Hs}, X)
        else:
            raise ValueError(f"unknown grid estimator {key!r}: 'rarbm' or 'binary'")

    log_z = {name: {} for name in searches}  # how score got log Z, last repeat

    def scorer_for(name):
        def scorer(est, X_test, y=None):
            value = est.score(X_test)  # what GridSearchCV's scoring=None calls
            cache = getattr(est, "_logz_cache", None) or {}
            method = cache.get("method", "unknown")
            seen = log_z[name].setdefault(method, {"scores": 0})
            seen["scores"] += 1
            weights = getattr(cache.get("result"), "log_weights", None)
            if weights is not None:
                seen["n_chains"] = int(len(weights))
            return value

        return scorer

    parts = {name: {"fit": [], "score": [], "cv": None} for name in searches}
    cases = {}
    for name, (est, grid, Xg) in searches.items():

        def run(r, name=name, est=est, grid=grid, Xg=Xg):
            for seen in log_z[name].values():
                seen["scores"] = 0
            search = GridSearchCV(
                est,
                grid,
                scoring=scorer_for(name),
                cv=cv,
                n_jobs=1,
                refit=False,
                error_score="raise",
            ).fit(Xg)
            res = search.cv_results_
            fit = float(np.sum(res["mean_fit_time"]) * folds)
            score = float(np.sum(res["mean_score_time"]) * folds)
            parts[name]["fit"].append(fit)
            parts[name]["score"].append(score)
            parts[name]["cv"] = [
                {
                    "params": {k: int(v) for k, v in p.items()},
                    "mean_test_score": float(s),
                    "mean_fit_time": float(ft),
                    "mean_score_time": float(st),
                }
                for p, s, ft, st in zip(
                    res["params"],
                    res["mean_test_score"],
                    res["mean_fit_time"],
                    res["mean_score_time"],
                    strict=True,
                )
            ]
            progress(
                f"  {name} grid: fit {fit:.2f} s, score {score:.2f} s "
                f"(scoring {100 * score / (fit + score):.1f}%)"
            )

        cases[f"{name} grid"] = run
    progress(
        f"GridSearchCV on {source} ({n} x {V}): "
        + "; ".join(f"{name} {grid}" for name, (_, grid, _) in searches.items())
        + f"; {folds}-fold, max_iter={max_iter}, n_jobs=1"
    )
    times = _time_cases(cases, args.repeats, progress)

    sig = inspect.signature(BinaryRBM.log_partition_function).parameters
    results, shares, grids = {}, {}, {}
    for name, (est, grid, _) in searches.items():
        fit, score = parts[name]["fit"], parts[name]["score"]
        score_share = float(
            np.median([s / (f + s) for f, s in zip(fit, score, strict=True)])
        )
        fit_share = 1.0 - score_share
        total = times[f"{name} grid"]
        results[f"{name} fit"] = _plain_row(fit, fit_share)
        results[f"{name} score"] = _plain_row(score, score_share)
        results[f"{name} total"] = _plain_row(
            total,
            overhead_seconds=[
                t - f - s for t, f, s in zip(total, fit, score, strict=True)
            ],
        )
        shares[name] = {
            "fit": fit_share,
            "score": score_share,
            "goal_score_at_most": GRIDSEARCH_SCORE_SHARE_GOAL,
            "meets_goal": score_share <= GRIDSEARCH_SCORE_SHARE_GOAL,
        }
        params = est.get_params()
        grids[name] = {
            "estimator": type(est).__name__,
            "grid": grid,
            "candidates": int(np.prod([len(v) for v in grid.values()])),
            "settings": {
                k: params[k]
                for k in (
                    "max_iter",
                    "batch_size",
                    "learning_rate",
                    "units",
                    "method",
                    "negative_phase",
                    "n_gibbs_steps",
                )
                if k in params
            },
            "log_z": log_z[name],
            "cv_results": parts[name]["cv"],
        }
    print(
        f"\nGridSearchCV, {folds}-fold, max_iter={max_iter}: median seconds "
        f"over {args.repeats} repeat{'s' if args.repeats != 1 else ''}"
    )
    print(f"{'grid':10} {'fit s':>9} {'score s':>9} {'scoring':>8}  goal <= 50%")
    for name, s in shares.items():
        print(
            f"{name:10} {results[f'{name} fit']['median']:9.3f} "
            f"{results[f'{name} score']['median']:9.3f} "
            f"{100 * s['score']:7.1f}%  {'met' if s['meets_goal'] else 'not met'}"
        )
    return {
        "benchmark": "gridsearch",
        "data": source,
        "n_samples": n,
        "n_features": V,
        "repeats": args.repeats,
        "grids": grids,
        "folds": folds,
        "cv": f"KFold(n_splits={folds}, shuffle=True, random_state=0)",
        "search": "GridSearchCV(n_jobs=1, refit=False); times from cv_results_",
        "max_iter": max_iter,
        "scoring": {
            "what": "the estimator's score: mean held-out log-likelihood per "
            "image (nats), log p(x) = -F(x) - log Z",
            "log_z": "log_partition_function(method='auto'): exact when the "
            "smaller layer has at most 20 units, else forward AIS",
            "ais": {
                "n_chains": sig["n_chains"].default,
                "n_betas": sig["n_betas"].default,
                "base_rate": "the training fold's visible marginals",
                "random_state": "the estimator's (random_state=0)",
            },
        },
        "shares": shares,
        "results": results,
    }
