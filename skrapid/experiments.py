"""Experiments of the papers, as thin compositions of the estimators.

Each experiment is a function that returns plain numbers (JSON-ready) and
writes nothing but what it is asked to; results are saved per seed as they
complete, so an interrupted run resumes where it stopped.

Only the experiments implemented so far are listed in :data:`EXPERIMENTS`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ._binary import BinaryRBM
from ._rapid import RARBM
from .datasets import bars_4x4_split
from .metrics import reconstruction_hamming

__all__ = ["bars_4x4_hamming", "bars_4x4_estimator", "EXPERIMENTS"]

#: Settings of the 4x4 bars comparison (RAPID paper, Sec. 5.1, Fig. 3):
#: V = 16, H = 1000, K = 8, spins, no biases.  Learning rates and batch sizes
#: are not given in the paper; these are ours (see docs).
BARS_METHODS = {
    "rapid": dict(learning_rate=0.01, batch_size=2, lr_decay=0.9),
    "cd10": dict(method="cd", optimizer="adam", learning_rate=1e-3, batch_size=1),
    "pcd10": dict(
        method="pcd", optimizer="adam", learning_rate=1e-2, batch_size=10, n_chains=2048
    ),
    "exact": dict(method="exact", optimizer="adam", learning_rate=1e-2, batch_size=10),
}


def bars_4x4_estimator(method, random_state, *, n_components=1000, n_patterns=8):
    """The estimator of one method of the 4x4 bars comparison."""
    kw = dict(BARS_METHODS[method])
    if method == "rapid":
        return RARBM(
            n_components=n_components,
            n_patterns=n_patterns,
            max_iter=0,
            random_state=random_state,
            device="cpu",
            **kw,
        )
    return BinaryRBM(
        n_components=n_components,
        units="spin",
        fit_intercept=False,
        n_gibbs_steps=10,
        init_scale=0.01,
        max_iter=0,
        random_state=random_state,
        device="cpu",
        **kw,
    )


def _eval_epochs(max_epochs):
    """Every epoch up to 50, every 5 up to 500, every 20 after."""
    e = list(range(0, min(max_epochs, 50) + 1))
    e += list(range(55, min(max_epochs, 500) + 1, 5))
    e += list(range(520, max_epochs + 1, 20))
    return e


def bars_4x4_hamming(
    method,
    seed,
    *,
    max_epochs,
    target=0.05,
    n_repeats=20,
    stop_at_target=False,
    time_limit=None,
    n_components=1000,
):
    """Train one seed on the 4x4 bars and record train/test Hamming distances.

    Returns a dict with the evaluated epochs, the train and test Hamming
    distance of the App. C reconstruction at those epochs, the first epoch at
    which the test distance is <= ``target`` (None if never), the wall time,
    and whether the run stopped early (target reached or ``time_limit`` s).
    """
    X_train, X_test = bars_4x4_split()
    est = bars_4x4_estimator(method, seed, n_components=n_components).fit(X_train)
    evals = set(_eval_epochs(max_epochs))
    rec = {"epochs": [], "train": [], "test": [], "first_epoch_at_target": None}
    t0 = time.perf_counter()
    stopped = None
    for epoch in range(max_epochs + 1):
        if epoch:
            est.partial_fit(X_train)
        if epoch in evals:
            rs = 1000 * seed + epoch
            test = reconstruction_hamming(
                est, X_test, n_repeats=n_repeats, random_state=rs
            )
            train = reconstruction_hamming(
                est, X_train, n_repeats=n_repeats, random_state=rs
            )
            rec["epochs"].append(epoch)
            rec["test"].append(test)
            rec["train"].append(train)
            if test <= target and rec["first_epoch_at_target"] is None:
                rec["first_epoch_at_target"] = epoch
                if stop_at_target:
                    stopped = "target"
                    break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            stopped = "time_limit"
            break
    rec.update(
        method=method,
        seed=seed,
        max_epochs=max_epochs,
        seconds=time.perf_counter() - t0,
        stopped=stopped,
        settings=BARS_METHODS[method],
        n_components=n_components,
    )
    return rec


def run_seeds(fn, seeds, path, *, progress=print, **kwargs):
    """Run ``fn(seed=s, **kwargs)`` for each seed, appending each finished
    seed to the JSON-lines file ``path`` and skipping seeds already there."""
    path = Path(path)
    done = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                done[r["seed"]] = r
    for s in seeds:
        if s in done:
            progress(f"  seed {s}: already done ({path.name})")
            continue
        r = fn(seed=s, **kwargs)
        with path.open("a") as fh:
            fh.write(json.dumps(r) + "\n")
        done[s] = r
        progress(
            f"  seed {s}: first epoch with test Hamming <= target: "
            f"{r.get('first_epoch_at_target')}, {r['seconds']:.1f} s"
        )
    return [done[s] for s in seeds]


EXPERIMENTS = {"bars4x4": bars_4x4_hamming}
