"""RAPID paper, Sec. 5.2: the MNIST estimators of both methods, binarized
MNIST, and the probe of the hidden layer with the held-out log-likelihood.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..._binary import BinaryRBM
from ..._rapid import RARBM
from ...datasets import binarize, load_mnist
from .._plotting import _pyplot, _save
from .._records import _run_seconds, _run_seeds
from .._registry import RAPID, _verdict, register

#: MNIST settings (RAPID paper, Sec. 5.2 and Fig. 6: H = 3000, K = 190,
#: LR = 0.015, 10 Gibbs steps seeded at the patterns, continuous clipped
#: patterns).  {0, 1} units with biases: on MNIST they give a far better
#: probe than the paper's spins without biases (see docs).  "rbm" is the
#: standard RBM baseline (PCD-1) at the same width, step size and batch.
MNIST_METHODS = {
    "rapid": dict(
        n_patterns=190,
        units="bernoulli",
        fit_intercept=True,
        negative_phase="pid",
        n_gibbs_steps=10,
        pattern_constraint="clip",
        init_scale=1.0,
        centering=False,
        learning_rate=0.015,
        momentum=0.5,
        batch_size=100,
    ),
    "rbm": dict(
        centering=False,
        method="pcd",
        n_gibbs_steps=1,
        learning_rate=0.015,
        momentum=0.5,
        batch_size=100,
    ),
}


def mnist_estimator(method, random_state, *, n_components=3000, **overrides):
    """The estimator of one method of the MNIST experiment (``max_iter=0``:
    train it with ``partial_fit``).

    Parameters
    ----------
    method : {"rapid", "rbm"}
        A key of :data:`MNIST_METHODS`.
    random_state : int
        Seed of the estimator.
    n_components : int, default=3000
        Hidden units H.
    **overrides : dict
        Parameters replacing those of :data:`MNIST_METHODS`.

    Returns
    -------
    est : RARBM or BinaryRBM
        Unfitted estimator with ``max_iter=0``.


    Examples
    --------
    >>> from skrapid.experiments import mnist_estimator
    >>> est = mnist_estimator("rapid", 0)
    >>> est.n_components, est.n_patterns, est.negative_phase, est.n_gibbs_steps
    (3000, 190, 'pid', 10)
    """
    kw = {**MNIST_METHODS[method], **overrides}
    cls = RARBM if method == "rapid" else BinaryRBM
    est = cls(
        n_components=n_components,
        max_iter=0,
        random_state=random_state,
        device=kw.pop("device", "cpu"),
        **kw,
    )
    # hidden biases start at 0, as in the paper and in this experiment's
    # recorded runs (BinaryRBM's own default starts {0, 1} units sparse)
    est._HIDDEN_BIAS_INIT = 0.0
    return est


def load_binarized_mnist(data_home=None, threshold=0.3, dtype=np.float32):
    """MNIST from the IDX files, pixels binarized as ``x / 255 > threshold``:
    ``(X_train, y_train, X_test, y_test)`` with 60 000 / 10 000 images."""
    out = []
    for subset in ("train", "test"):
        X, y = load_mnist(data_home, subset=subset, allow_download=False)
        out += [binarize(X, threshold=threshold).astype(dtype), y]
    return tuple(out)


def mnist_probe(
    method,
    seed,
    *,
    data=None,
    data_home=None,
    max_epochs=20,
    n_components=3000,
    n_train=None,
    probe_C=1.0,
    n_ais_chains=100,
    n_betas=10000,
    progress=print,
    save_model=None,
    **overrides,
):
    """Train on binarized MNIST; probe the hidden layer; held-out log-likelihood.

    The probe is logistic regression on (a) hidden states sampled from
    P(h | v), the paper's protocol (Sec. 5.2), and (b) the conditional means
    E[h | v] (:meth:`transform`).  The test log-likelihood is
    :meth:`score` with log Z by AIS (``n_ais_chains`` x ``n_betas``), with
    its standard error, and the reverse-AIS estimate that bounds it from the
    other side.

    ``data`` = ``(X_train, y_train, X_test, y_test)`` replaces the MNIST files
    (the test suite passes a small synthetic set); otherwise MNIST is read
    from ``data_home`` by :func:`load_binarized_mnist`.  ``save_model`` (a
    path, may contain ``{method}`` and ``{seed}``) pickles the trained
    estimator there with :func:`joblib.dump` (for the pattern figures).

    Parameters
    ----------
    method : {"rapid", "rbm"}
        A key of :data:`MNIST_METHODS`.
    seed : int
        Seed of the estimator and of the probe's samples.
    data : tuple, default=None
        ``(X_train, y_train, X_test, y_test)``; None reads binarized MNIST.
    data_home : str or path-like, default=None
        Folder with the MNIST files.
    max_epochs : int, default=20
        Epochs to train.
    n_components : int, default=3000
        Hidden units H.
    n_train : int or None, default=None
        Use only the first ``n_train`` training images.
    probe_C : float, default=1.0
        Inverse regularization of the logistic regression.
    n_ais_chains, n_betas : int, default=100, 10000
        AIS chains and temperatures.
    progress : callable, default=print
        Called with a line per epoch.
    save_model : str or None, default=None
        Path (may contain ``{method}``, ``{seed}``) to pickle the model to.
    **overrides : dict
        Parameters replacing those of :data:`MNIST_METHODS`.

    Returns
    -------
    rec : dict
        Probe accuracies (sampled and mean hidden states, train and test),
        log Z by forward and reverse AIS with standard errors, train and test
        log-likelihoods, per-epoch times and the settings.


    Examples
    --------
    >>> from skrapid.datasets import make_mnist_like
    >>> from skrapid.experiments import mnist_probe
    >>> X, y = make_mnist_like(300, random_state=0)
    >>> Xt, yt = make_mnist_like(100, random_state=1)
    >>> rec = mnist_probe("rbm", 0, data=(X, y, Xt, yt), max_epochs=1,
    ...                   n_components=16, n_ais_chains=8, n_betas=50,
    ...                   progress=lambda message: None)
    >>> sorted(rec["probe_means"]), bool(rec["test_log_likelihood"] < 0)
    (['test', 'train'], True)
    """
    from sklearn.linear_model import LogisticRegression

    if data is None:
        data = load_binarized_mnist(data_home)
    X_train, y_train, X_test, y_test = data
    if n_train is not None:
        X_train, y_train = X_train[:n_train], y_train[:n_train]
    est = mnist_estimator(method, seed, n_components=n_components, **overrides)
    t0 = time.perf_counter()
    for epoch in range(1, max_epochs + 1):
        est.partial_fit(X_train)
        progress(
            f"  {method} seed {seed}: epoch {epoch}/{max_epochs}, "
            f"{time.perf_counter() - t0:.0f} s"
        )
    fit_seconds = time.perf_counter() - t0
    if save_model is not None:
        import joblib

        model_path = Path(str(save_model).format(method=method, seed=seed))
        model_path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(est, model_path)

    def probe(H_train, H_test):
        clf = LogisticRegression(C=probe_C, max_iter=1000)
        clf.fit(H_train, y_train)
        return float(clf.score(H_train, y_train)), float(clf.score(H_test, y_test))

    t1 = time.perf_counter()
    rs = 10_000 + seed
    sampled = probe(
        est.sample_hidden(X_train, random_state=rs),
        est.sample_hidden(X_test, random_state=rs + 1),
    )
    means = probe(est.transform(X_train), est.transform(X_test))
    probe_seconds = time.perf_counter() - t1

    t2 = time.perf_counter()
    ais = dict(n_chains=n_ais_chains, n_betas=n_betas, return_std=True, random_state=rs)
    log_z, log_z_std = est.log_partition_function(method="ais", **ais)
    log_z_rev, log_z_rev_std = est.log_partition_function(
        method="reverse_ais", X=X_test, **ais
    )
    neg_f_test = float(-est.free_energy(X_test).mean())
    neg_f_train = float(-est.free_energy(X_train).mean())
    ais_seconds = time.perf_counter() - t2
    return {
        "method": method,
        "seed": seed,
        "n_components": n_components,
        "settings": {**MNIST_METHODS[method], **overrides},
        "epochs": max_epochs,
        "n_train": int(X_train.shape[0]),
        "n_test": int(X_test.shape[0]),
        "probe_sampled": {"train": sampled[0], "test": sampled[1]},
        "probe_means": {"train": means[0], "test": means[1]},
        "log_z_ais": float(log_z),
        "log_z_ais_std": float(log_z_std),
        "log_z_reverse_ais": float(log_z_rev),
        "log_z_reverse_ais_std": float(log_z_rev_std),
        "test_log_likelihood": neg_f_test - float(log_z),
        "train_log_likelihood": neg_f_train - float(log_z),
        "test_log_likelihood_reverse_ais": neg_f_test - float(log_z_rev),
        "fit_seconds": fit_seconds,
        "epoch_seconds": [float(t) for t in est.history_.get("time", [])],
        "probe_seconds": probe_seconds,
        "ais_seconds": ais_seconds,
        "seconds": time.perf_counter() - t0,
    }


# --------------------------------------------------------------------------
# the reproduction: skrapid reproduce rapid-sec5.2
# --------------------------------------------------------------------------
def _rapid_probe(quick, seeds, workdir, progress, data_home=None):
    from ...datasets import make_mnist_like

    if quick:
        X, y = make_mnist_like(1500, random_state=0)
        Xt, yt = make_mnist_like(500, random_state=1)
        data = (X, y, Xt, yt)
        kw = dict(max_epochs=5, n_components=200, n_ais_chains=32, n_betas=1000)
        over = {"rapid": {"n_patterns": 40}, "rbm": {}}
        source = "make_mnist_like: digits upsampled to 28x28 (quick stand-in)"
    else:
        data = load_binarized_mnist(data_home)
        kw = dict(max_epochs=20, n_components=3000)
        over = {"rapid": {}, "rbm": {}}
        source = "MNIST, x/255 > 0.3, 60000 train / 10000 test"
    res = {}
    for method in ("rapid", "rbm"):
        recs = _run_seeds(
            mnist_probe,
            range(seeds or 1),
            workdir / f"{method}.jsonl",
            progress=progress,
            extra={"method_settings": MNIST_METHODS[method]},
            method=method,
            data=data,
            **kw,
            **over[method],
        )
        res[method] = recs
    mean = {
        m: {
            q: float(np.mean([r[q]["test"] for r in recs]))
            for q in ("probe_sampled", "probe_means")
        }
        for m, recs in res.items()
    }
    ll = {
        m: float(np.mean([r["test_log_likelihood"] for r in recs]))
        for m, recs in res.items()
    }
    ll_rev = {
        m: float(np.mean([r["test_log_likelihood_reverse_ais"] for r in recs]))
        for m, recs in res.items()
    }
    return {
        "settings": {
            "data": source,
            **kw,
            "overrides": over,
            "methods": {m: MNIST_METHODS[m] for m in res},
        },
        "runs": res,
        "run_seconds": _run_seconds(res),
        "comparisons": [
            {
                "quantity": "RA-RBM probe, sampled hidden states (test accuracy)",
                "paper": 0.9384,
                "ours": round(mean["rapid"]["probe_sampled"], 4),
                "verdict": _verdict(mean["rapid"]["probe_sampled"] >= 0.9384),
            },
            {
                "quantity": "RA-RBM probe, hidden means (transform)",
                "paper": "goal >= 0.97 (issue)",
                "ours": round(mean["rapid"]["probe_means"], 4),
                "verdict": _verdict(mean["rapid"]["probe_means"] >= 0.97),
            },
            {
                "quantity": "standard RBM probe, sampled hidden states",
                "paper": "0.9204 (H = 300)",
                "ours": round(mean["rbm"]["probe_sampled"], 4),
                "verdict": _verdict(mean["rbm"]["probe_sampled"] >= 0.9204),
            },
            {
                "quantity": "held-out log-likelihood, forward / reverse AIS "
                "(RA-RBM; standard RBM)",
                "paper": "comparable to standard RBMs; ref. -86.34 (CD25, H=500)",
                "ours": [
                    [round(ll["rapid"], 2), round(ll_rev["rapid"], 2)],
                    [round(ll["rbm"], 2), round(ll_rev["rbm"], 2)],
                ],
                "verdict": _verdict(ll_rev["rapid"] > ll["rbm"] - 20),
            },
        ],
    }


def _plot_rapid_probe(result, path):
    plt = _pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8.5, 3.4))
    names = list(result["runs"])
    for i, q in enumerate(("probe_sampled", "probe_means")):
        vals = [np.mean([r[q]["test"] for r in result["runs"][m]]) for m in names]
        a.bar(np.arange(len(names)) + 0.38 * i, vals, width=0.38, label=q)
    a.axhline(0.9384, color="k", ls="--", lw=0.7, label="paper RA-RBM 0.9384")
    a.set_xticks(np.arange(len(names)) + 0.19, names)
    a.set_ylim(0.8, 1.0)
    a.set_ylabel("test accuracy")
    a.legend(fontsize=7)
    for m in names:
        ep = result["runs"][m][0]["epoch_seconds"]
        b.plot(np.arange(1, len(ep) + 1), np.cumsum(ep), label=m)
    b.set_xlabel("epoch")
    b.set_ylabel("training time (s)")
    b.legend(fontsize=7)
    _save(fig, path)


register(
    "rapid-sec5.2",
    RAPID,
    "MNIST probe: logistic regression on sampled hidden states (the paper's "
    "protocol) and on hidden means, RA-RBM vs standard RBM, with held-out "
    "log-likelihood by AIS (Sec. 5.2)",
    _rapid_probe,
    _plot_rapid_probe,
    quick="the 28x28 digits stand-in, H = 200 (K = 40), 5 epochs, "
    "AIS 32 chains x 1000 temperatures",
    notes="One seed (the paper: 100 models). The held-out "
    "log-likelihood of the PID-trained RA-RBM is far below a standard RBM's "
    "(forward and reverse AIS agree on the order of magnitude): PID with 10 "
    "Gibbs steps from the patterns never visits modes that random-start "
    "chains find, so as a density model on MNIST it is short of the paper's "
    "'comparable to standard RBMs'. As a feature extractor it meets the "
    "paper's probe accuracy.",
)
