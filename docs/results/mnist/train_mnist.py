"""Train an RBM on Larochelle's binarized MNIST, resumably, and score it.

Usage (from the repository root)::

    python docs/results/mnist/train_mnist.py NAME --model binary \\
        --params '{"n_components": 500, ...}' --epochs 100 \\
        [--data-home ../shared/data/binarized_mnist] [--score]

Each epoch is one ``partial_fit`` over the 50 000 training images; after
every epoch the estimator is saved to ``docs/results/mnist/NAME.ckpt.joblib``
with the epoch's wall time, so a stopped run resumes from its last epoch.
``--score`` then estimates log Z by forward AIS (``--n-betas``, 100 chains)
and reverse AIS (started from 100 parallel-tempering samples, or with
``--reverse-from chains`` from the persistent chains after 1000 Gibbs
sweeps), and writes the test/valid log-likelihoods next to the factorized
baseline to ``NAME.json``; the final model goes to ``NAME.joblib``.

Options for longer studies:

* ``--init-from FILE.joblib --set JSON``: continue training a saved model
  (with its persistent chains) under changed parameters, e.g.
  ``--set '{"n_gibbs_steps": 10, "learning_rate": 0.002}'``;
* ``--eval-every N``: every N epochs, the validation log-likelihood by a
  cheap forward AIS (``--eval-betas``, 100 chains) goes to ``NAME.eval.jsonl``
  (model selection on the validation set, never on the test set);
* ``--average-from E``: from epoch E on, also keep the running mean of the
  epoch-end parameters (iterate averaging, Polyak & Juditsky 1992), which
  removes the SGD noise of the last epochs; it is evaluated and scored next
  to the last iterate and saved as ``NAME.avg.joblib``.
"""

import argparse
import copy
import json
import os
import time

import joblib
import numpy as np

from skrapid import RARBM, BinaryRBM
from skrapid.datasets import load_mnist
from skrapid.metrics import factorized_log_likelihood

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name")
    ap.add_argument("--model", choices=["binary", "rarbm"], required=True)
    ap.add_argument("--params", default="{}", help="estimator parameters (JSON)")
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--data-home", default="../shared/data/binarized_mnist")
    ap.add_argument("--score", action="store_true")
    ap.add_argument("--n-betas", type=int, default=14500)
    ap.add_argument(
        "--reverse-from",
        choices=["chains", "pt"],
        default="pt",
        help="reverse AIS starts: the persistent chains after 1000 Gibbs sweeps, "
        "or 100 parallel-tempering samples (10 rungs, 1000 rounds; default)",
    )
    ap.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="stop (resumably) after this many seconds of training",
    )
    ap.add_argument("--init-from", default=None, help="start from this .joblib")
    ap.add_argument("--set", default="{}", help="parameters to change (JSON)")
    ap.add_argument("--eval-every", type=int, default=0)
    ap.add_argument("--eval-betas", type=int, default=3000)
    ap.add_argument("--average-from", type=int, default=None)
    args = ap.parse_args(argv)
    data = {
        s: load_mnist(
            subset=s,
            data_home=args.data_home,
            binarized=True,
            return_X_y=True,
            dtype=np.float32,
        )[0]
        for s in ("train", "valid", "test")
    }
    ckpt = os.path.join(HERE, args.name + ".ckpt.joblib")
    if os.path.exists(ckpt):
        state = joblib.load(ckpt)
        est, times = state["estimator"], state["epoch_times"]
        print(f"resumed {args.name} at epoch {est.n_iter_}", flush=True)
        avg = state.get("average")
    elif args.init_from:
        est = joblib.load(args.init_from)
        if isinstance(est, dict):  # another run's checkpoint
            est = est["estimator"]
        est.set_params(**json.loads(args.set))
        times, avg = [], None
        print(f"{args.name}: from {args.init_from} at epoch {est.n_iter_}", flush=True)
    else:
        cls = BinaryRBM if args.model == "binary" else RARBM
        est = cls(**json.loads(args.params))
        times, avg = [], None
    eval_log = os.path.join(HERE, args.name + ".eval.jsonl")
    t_start = time.perf_counter()
    while getattr(est, "n_iter_", 0) < args.epochs:
        t0 = time.perf_counter()
        est.partial_fit(data["train"])
        times.append(time.perf_counter() - t0)
        if args.average_from is not None and est.n_iter_ >= args.average_from:
            avg = _accumulate(avg, est)
        joblib.dump(
            {"estimator": est, "epoch_times": times, "average": avg}, ckpt + ".tmp"
        )
        os.replace(ckpt + ".tmp", ckpt)
        print(f"epoch {est.n_iter_}/{args.epochs}: {times[-1]:.1f} s", flush=True)
        if args.eval_every and est.n_iter_ % args.eval_every == 0:
            row = {"epoch": est.n_iter_, "seconds": float(np.sum(times))}
            models = {"last": est}
            if avg is not None:
                models["average"] = _averaged(est, avg)
            for label, m in models.items():
                lz = m.log_partition_function(
                    "ais", n_betas=args.eval_betas, random_state=0
                )
                row[label] = float(-np.mean(m.free_energy(data["valid"])) - lz)
            with open(eval_log, "a") as f:
                f.write(json.dumps(row) + "\n")
            print("valid (cheap AIS):", row, flush=True)
        if args.time_limit and time.perf_counter() - t_start > args.time_limit:
            print("time limit reached; rerun to resume", flush=True)
            return 0
    if not args.score:
        return 0
    if avg is not None:
        _score(_averaged(est, avg), args.name + ".avg", args, data, times)
    return _score(est, args.name, args, data, times)


_PARAMS = (
    "components_",
    "intercept_visible_",
    "intercept_hidden_",
    "patterns_visible_",
    "patterns_hidden_",
)


def _accumulate(avg, est):
    """Running mean of the epoch-end parameters."""
    present = [a for a in _PARAMS if hasattr(est, a)]
    if avg is None:
        return {"n": 1, **{a: np.array(getattr(est, a), np.float64) for a in present}}
    avg["n"] += 1
    for a in present:
        avg[a] += (getattr(est, a) - avg[a]) / avg["n"]
    return avg


def _averaged(est, avg):
    """A copy of ``est`` holding the averaged parameters."""
    m = copy.deepcopy(est)
    for a in _PARAMS:
        if a in avg:
            setattr(m, a, avg[a].astype(getattr(est, a).dtype))
    if "patterns_visible_" in avg:  # RAPID: W is built from the patterns
        W = m._load_parameters(np, m.components_.dtype)
        m._store_parameters(W)
    m._logz_cache = {}
    return m


def _score(est, name, args, data, times):
    base = {
        s: factorized_log_likelihood(data["train"], data[s]) for s in ("valid", "test")
    }
    t0 = time.perf_counter()
    lz_f, se_f = est.log_partition_function(
        "ais", n_betas=args.n_betas, return_std=True, random_state=0
    )
    t_ais = time.perf_counter() - t0
    rev = dict(n_betas=args.n_betas, return_std=True, random_state=0)
    if args.reverse_from == "pt":
        t1 = time.perf_counter()
        start = est.sample(100, n_steps=1000, method="pt", random_state=0)
        print(f"PT start states: {time.perf_counter() - t1:.0f} s", flush=True)
        rev.update(X=start, n_burn_in=0)
    lz_r, se_r = est.log_partition_function("reverse_ais", **rev)
    fe = {s: float(np.mean(est.free_energy(data[s]))) for s in ("valid", "test")}
    # the generalization gap, on the first 10 000 training images
    fe["train_10k"] = float(np.mean(est.free_energy(data["train"][:10000])))
    out = {
        "name": name,
        "model": args.model,
        "params": {k: v for k, v in est.get_params().items()},
        "epochs": est.n_iter_,
        "train_seconds": float(np.sum(times)),
        "median_epoch_seconds": float(np.median(times)),
        "n_betas": args.n_betas,
        "reverse_ais_start": args.reverse_from,
        "ais_seconds": t_ais,
        "log_z": {"ais": [lz_f, se_f], "reverse_ais": [lz_r, se_r]},
        "log_likelihood": {
            s: {"ais": -fe[s] - lz_f, "reverse_ais": -fe[s] - lz_r} for s in fe
        },
        "factorized_baseline": base,
    }
    if args.init_from:
        out["init_from"] = args.init_from
    if name.endswith(".avg"):
        out["averaged_epochs"] = f"{args.average_from}..{est.n_iter_}"
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(out, f, indent=1, default=str)
    joblib.dump(est, os.path.join(HERE, name + ".joblib"))
    print(json.dumps(out["log_likelihood"]), "baseline", base, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
