"""Log Z where models get hard: every estimate next to its diagnostics.

For each case: the exact log Z where it can be computed, forward AIS ± σ
with its effective sample size (ESS), reverse AIS from model samples
(parallel tempering) and, where the case says so, from the training data,
the proven lower bound (max −F(v) over every state visited, plus long Gibbs
chains from the model), the warnings raised, and what ``score`` returns on
held-out data.

Cases:

* ``cold-h16``: digits > 7, BinaryRBM(H=16, lr 2, 200 epochs): exact by
  enumeration, AIS with 100 temperatures;
* ``issue-example``: digits > 7, ``BinaryRBM(n_components=200,
  learning_rate=2.0, max_iter=200, random_state=0)`` (the issue's example, with
  today's defaults);
* ``rapid-h500-k40``: MNIST (x/255 > 0.3), RARBM with the settings of the
  paper-size reproduction (0/1 units with biases, PID + 10 Gibbs, lr 0.015,
  momentum 0.5, batch 100) at H = 500, K = 40, 5 epochs;
* ``mnist-binary-h500``, ``mnist-rarbm-h500``: the MNIST H = 500 models of
  docs/results/mnist (Larochelle's binarized MNIST), AIS with 14 500
  temperatures as there.

Run: ``OMP_NUM_THREADS=1 python docs/results/log_z/cases.py [CASE ...]
--data-home ../shared/data``; writes ``cases.json`` beside this file, one
case at a time (finished cases are kept: a rerun resumes).
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import joblib
import numpy as np

from skrapid import BinaryRBM
from skrapid.datasets import load_mnist

HERE = Path(__file__).parent
OUT = HERE / "cases.json"


def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X = (load_digits().data > 7).astype(float)
    return train_test_split(X, test_size=0.25, random_state=0)


def mnist_03(data_home):
    """MNIST binarized as x / 255 > 0.3, as the RAPID reproduction reads it."""
    from skrapid.experiments.rapid.mnist import load_binarized_mnist

    Xtr, _, Xte, _ = load_binarized_mnist(data_home, threshold=0.3)
    return Xtr, Xte


def larochelle(data_home):
    out = []
    for subset in ("train", "test"):
        X = load_mnist(data_home, subset=subset, binarized=True, allow_download=False)
        out.append(np.asarray(X[0] if isinstance(X, tuple) else X, dtype=np.float32))
    return out


def build(case, data_home):
    """(fitted estimator, X_train, X_test, AIS temperatures)."""
    if case == "cold-h16":
        Xtr, Xte = digits()
        est = BinaryRBM(
            n_components=16, learning_rate=2.0, max_iter=200, random_state=0
        )
        return est.fit(Xtr), Xtr, Xte, 100
    if case == "issue-example":
        Xtr, Xte = digits()
        est = BinaryRBM(
            n_components=200, learning_rate=2.0, max_iter=200, random_state=0
        )
        return est.fit(Xtr), Xtr, Xte, 10000
    if case == "rapid-h500-k40":
        from skrapid.experiments import mnist_estimator

        Xtr, Xte = mnist_03(data_home)
        est = mnist_estimator("rapid", 0, n_components=500, n_patterns=40)
        for _ in range(5):
            est.partial_fit(Xtr)
        return est, Xtr, Xte, 10000
    name = {"mnist-binary-h500": "binary_h500", "mnist-rarbm-h500": "rarbm_h500"}[case]
    est = joblib.load(HERE.parent / "mnist" / f"{name}.joblib")
    Xtr, Xte = larochelle(data_home)
    return est, Xtr, Xte, 14500


def gibbs_bound(est, n=100, n_steps=1000):
    """max −F over long Gibbs chains of the model (a proven bound too)."""
    S = est.sample(n, n_steps=n_steps, random_state=1)
    return float(np.max(-est.free_energy(S)))


def run_case(case, data_home):
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est, Xtr, Xte, n_betas = build(case, data_home)
    fit_s = time.perf_counter() - t0
    row = {"n_betas": n_betas, "fit_seconds": fit_s}
    try:
        row["exact"] = float(est.log_partition_function("exact"))
    except ValueError:
        row["exact"] = None
    caught_all = []

    def lz(method, **kw):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            e = est.log_partition_function(
                method, n_betas=n_betas, random_state=0, diagnostics=True, **kw
            )
        msgs = [str(w.message) for w in caught if "log Z" in str(w.message)]
        caught_all.extend(msgs)
        return e, msgs

    fwd, w_fwd = lz("ais")
    rev_data, w_data = lz("reverse_ais", X=Xtr)
    rev, w_rev = lz("reverse_ais")  # from parallel tempering; brackets fwd
    row.update(
        forward=fwd.estimate,
        forward_std=fwd.std,
        forward_ess=fwd.ess,
        reverse_pt=rev.estimate,
        reverse_pt_ess=rev.ess,
        reverse_data=rev_data.estimate,
        bound_visited=max(fwd.lower_bound, rev.lower_bound, rev_data.lower_bound),
        bound_gibbs=gibbs_bound(est),
        used_bound=bool(rev.used_bound or fwd.used_bound),
        warnings_forward=w_fwd,
        warnings_reverse_data=w_data,
        warnings_reverse_pt=w_rev,
        problems_last=rev.problems,
    )
    # what score returns, and its warning, with the last estimate cached
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        row["score_test"] = float(est.score(Xte))
    row["score_warnings"] = [
        str(w.message) for w in caught if "log Z" in str(w.message)
    ]
    row["log_z_used_by_score"] = est.log_z_diagnostics_.log_z
    row["mean_neg_free_energy_test"] = float(np.mean(-est.free_energy(Xte)))
    row["seconds"] = time.perf_counter() - t0
    return row


CASES = [
    "cold-h16",
    "issue-example",
    "rapid-h500-k40",
    "mnist-binary-h500",
    "mnist-rarbm-h500",
]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="*", default=CASES)
    ap.add_argument("--data-home", default="../shared/data")
    args = ap.parse_args(argv)
    done = json.loads(OUT.read_text()) if OUT.exists() else {}
    for case in args.cases:
        if case in done:
            continue
        done[case] = run_case(case, args.data_home)
        r = done[case]
        print(
            f"{case}: exact {r['exact']}, fwd {r['forward']:.2f} ± "
            f"{r['forward_std']:.2f} (ESS {r['forward_ess']:.1f}), rev PT "
            f"{r['reverse_pt']:.2f}, rev data {r['reverse_data']:.2f}, bound "
            f"{r['bound_visited']:.2f} (Gibbs {r['bound_gibbs']:.2f}), score "
            f"{r['score_test']:.2f}, warned {bool(r['score_warnings'])}",
            flush=True,
        )
        OUT.write_text(json.dumps(done, indent=1))


if __name__ == "__main__":
    main()
