"""``skrapid bench layers``: the new layers of :class:`~skrapid.RBM` against
the baselines their users already have, with defaults.

Three tables, each row a held-out log-likelihood per sample (nats) with its
forward AIS ± σ, the reverse AIS (from parallel tempering, or Gibbs chains
for continuous visible layers), the AIS effective sample size and the fit
time:

1. **Potts.**  scikit-learn's digits quantized to 4 grey levels
   (``np.digitize(X, [4, 8, 12])``, a 75/25 split with ``random_state=0``):
   ``RBM(visible="potts")`` against the independent categorical model
   (Laplace-smoothed).
2. **dReLU against Bernoulli hidden units** on Larochelle's binarized MNIST
   (50 000 train / 10 000 test), at equal parameter count (H Bernoulli units,
   H·(V+1)/(V+4) dReLU units, each of which has four parameters besides its
   weights) and equal training time: the Bernoulli model fits with its
   defaults, the dReLU model takes epochs (``partial_fit``) until it has
   used as much time.
3. **Real-valued data.**  Standardized digits grey values and scikit-learn's
   diabetes: the Gaussian–Bernoulli ``RBM(visible="gaussian")`` against
   ``GaussianMixture(1, "full")`` and ``GaussianMixture(1, "diag")``.

Every finished row is written to ``OUT/layers.records.json`` at once, so an
interrupted run resumes where it stopped (``--out``).
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np


class _Records:
    """Rows already measured (a JSON file), so that a run resumes."""

    def __init__(self, path):
        self.path = Path(path)
        self.rows = json.loads(self.path.read_text()) if self.path.exists() else {}

    def get(self, key, compute, progress):
        if key in self.rows:
            progress(f"  {key}: kept from {self.path}")
            return self.rows[key]
        row = compute()
        self.rows[key] = row
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.rows, indent=1))
        tmp.replace(self.path)
        return row


def _score(est, X_test, *, n_betas, n_chains, fit_seconds, epochs):
    """Forward and reverse AIS of a fitted model, and the held-out mean
    log-likelihood with each."""
    kw = dict(n_betas=n_betas, n_chains=n_chains, random_state=0, diagnostics=True)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fwd = est.log_partition_function("ais", **kw)
        rev = est.log_partition_function("reverse_ais", **kw)
    fe = float(np.mean(est.free_energy(X_test)))
    return {
        "log_likelihood": -fe - fwd.log_z,
        "ais_std": fwd.std,
        "log_likelihood_reverse_ais": -fe - rev.log_z,
        "ess": fwd.ess,
        "reverse_ess": rev.ess,
        "reverse_start": rev.reverse_start,
        "warnings": sorted({str(w.message)[:200] for w in caught}),
        "fit_seconds": fit_seconds,
        "score_seconds": time.perf_counter() - t0,
        "epochs": epochs,
    }


def _fit(make, X):
    t0 = time.perf_counter()
    est = make().fit(X)
    return est, time.perf_counter() - t0


def _line(progress, name, r, base=None):
    vs = f" {r['log_likelihood'] - base:+7.2f} vs baseline" if base is not None else ""
    progress(
        f"  {name:46} {r['log_likelihood']:9.2f} ± {r['ais_std']:.2f} "
        f"(reverse {r['log_likelihood_reverse_ais']:.2f}){vs}, ESS "
        f"{r['ess']:.0f}, {r['epochs']} epochs, fit {r['fit_seconds']:.1f} s"
        + ("; WARNED" if r["warnings"] else "")
    )


def potts_digits(records, args, progress):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from .. import RBM

    X = np.digitize(load_digits().data, [4, 8, 12])
    a, b = train_test_split(X, test_size=0.25, random_state=0)
    q = 4
    counts = np.stack([(a == k).sum(0) for k in range(q)], 1)
    p = (counts + 1) / (len(a) + q)
    base = float(np.mean(np.log(p[np.arange(X.shape[1]), b]).sum(1)))
    progress(
        f"Potts: digits in 4 grey levels, {len(a)} train / {len(b)} test, 64 "
        f"units of q = 4; independent categorical (Laplace) {base:.2f}"
    )
    rows = {"independent categorical (Laplace-smoothed)": {"log_likelihood": base}}

    def run():
        est, t = _fit(lambda: RBM("potts", random_state=0), a)
        return _score(
            est, b, n_betas=args.n_betas, n_chains=args.n_chains, fit_seconds=t,
            epochs=est.n_iter_,
        )  # fmt: skip

    label = "RBM(visible='potts') defaults"
    rows[label] = r = records.get("potts/defaults", run, progress)
    _line(progress, label, r, base)
    return {"data": "digits, np.digitize(X, [4, 8, 12]), 75/25 split", "baseline": base,
            "models": rows}  # fmt: skip


def drelu_mnist(records, args, progress):
    from .. import RBM
    from ..datasets import load_mnist

    Xtr = load_mnist(args.data_home, subset="train", binarized=True)[0]
    Xte = load_mnist(args.data_home, subset="test", binarized=True)[0]
    if args.n_samples:
        Xtr = Xtr[: args.n_samples]
    V = Xtr.shape[1]
    H = args.n_components
    H2 = int(round(H * (V + 1) / (V + 4)))
    progress(
        f"dReLU vs Bernoulli hidden: Larochelle's binarized MNIST, {len(Xtr)} "
        f"train / {len(Xte)} test; H = {H} Bernoulli ({V * H + V + H} parameters) "
        f"vs H = {H2} dReLU ({V * H2 + V + 4 * H2})"
    )

    def bern():
        est, t = _fit(lambda: RBM(n_components=H, random_state=0), Xtr)
        return _score(est, Xte, n_betas=args.n_betas, n_chains=args.n_chains,
                      fit_seconds=t, epochs=est.n_iter_)  # fmt: skip

    rb = records.get(f"drelu/bernoulli-H{H}-{len(Xtr)}", bern, progress)
    budget = rb["fit_seconds"]

    def drelu():
        est = RBM(hidden="drelu", n_components=H2, random_state=0)
        t = 0.0
        while t < budget:
            t0 = time.perf_counter()
            est.partial_fit(Xtr)
            t += time.perf_counter() - t0
            progress(f"    dReLU epoch {est.n_iter_}: {t:.0f} s of {budget:.0f} s")
        return _score(est, Xte, n_betas=args.n_betas, n_chains=args.n_chains,
                      fit_seconds=t, epochs=est.n_iter_)  # fmt: skip

    rd = records.get(f"drelu/drelu-H{H2}-{len(Xtr)}", drelu, progress)
    rows = {f"Bernoulli hidden, H = {H} (defaults)": rb,
            f"dReLU hidden, H = {H2}, same time": rd}  # fmt: skip
    for name, r in rows.items():
        _line(progress, name, r)
    return {"data": "Larochelle's binarized MNIST", "models": rows}


def _real_sets():
    from sklearn.datasets import load_diabetes, load_digits
    from sklearn.feature_selection import VarianceThreshold
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    a, b = train_test_split(load_digits().data, test_size=0.25, random_state=0)
    vt = VarianceThreshold().fit(a)
    sc = StandardScaler().fit(vt.transform(a))
    a, b = sc.transform(vt.transform(a)), sc.transform(vt.transform(b))
    yield "digits grey values, standardized", a, b
    a, b = train_test_split(load_diabetes().data, test_size=0.25, random_state=0)
    sc = StandardScaler().fit(a)
    yield "diabetes, standardized", sc.transform(a), sc.transform(b)


#: Gaussian–Bernoulli settings of the real-valued table (name -> parameters).
REAL_MODELS = {
    "RBM(visible='gaussian') defaults": {},
    "RBM(visible='gaussian'), H=64, lr 0.003, 100 epochs": dict(
        n_components=64, learning_rate=0.003, max_iter=100
    ),
}


def real_valued(records, args, progress):
    from sklearn.mixture import GaussianMixture

    from .. import RBM

    out = {}
    for name, Xtr, Xte in _real_sets():
        full = float(GaussianMixture(1, covariance_type="full").fit(Xtr).score(Xte))
        diag = float(GaussianMixture(1, covariance_type="diag").fit(Xtr).score(Xte))
        progress(
            f"{name}: {len(Xtr)} train / {len(Xte)} test, V = {Xtr.shape[1]}; "
            f"GaussianMixture(1, full) {full:.2f}, (1, diag) {diag:.2f}"
        )
        rows = {"GaussianMixture(1, 'full')": {"log_likelihood": full},
                "GaussianMixture(1, 'diag')": {"log_likelihood": diag}}  # fmt: skip
        for label, params in REAL_MODELS.items():

            def run(params=params, Xtr=Xtr, Xte=Xte):
                est, t = _fit(lambda: RBM("gaussian", random_state=0, **params), Xtr)
                return _score(est, Xte, n_betas=args.n_betas, n_chains=args.n_chains,
                              fit_seconds=t, epochs=est.n_iter_)  # fmt: skip

            r = records.get(f"real/{name}/{label}", run, progress)
            r["vs_full"] = r["log_likelihood"] - full
            r["vs_diag"] = r["log_likelihood"] - diag
            rows[label] = r
            _line(progress, label, r, full)
        out[name] = {"models": rows, "full": full, "diag": diag}
    return out


def bench_layers(args, progress=print) -> dict:
    """The three layer tables (see the module docstring)."""
    records = _Records(Path(args.out) / "layers.records.json")
    out = {"benchmark": "layers", "results": {}}
    out["potts"] = potts_digits(records, args, progress)
    out["real_valued"] = real_valued(records, args, progress)
    if args.data == "synthetic":
        progress("dReLU vs Bernoulli: skipped (needs Larochelle's binarized MNIST)")
    else:
        out["drelu"] = drelu_mnist(records, args, progress)
    return out
