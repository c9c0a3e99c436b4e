"""Experiments of the papers, as thin compositions of the estimators.

Each experiment is a function that returns plain numbers (JSON-ready) and
writes nothing but what it is asked to; results are saved per seed as they
complete, so an interrupted run resumes where it stopped.

Only the experiments implemented so far are listed in :data:`EXPERIMENTS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import time
import warnings
from pathlib import Path

import numpy as np

from ._binary import BinaryRBM
from ._rapid import RARBM
from .datasets import bars_4x4_split, binarize, load_mnist
from .metrics import (
    gibbs_accessibility,
    ground_state_energy,
    method_accessibility,
    reconstruction_hamming,
    weight_singular_values,
)

__all__ = [
    "bars_4x4_hamming",
    "bas_clamp_mask",
    "bas_hamming",
    "bars_4x4_estimator",
    "accessibility_vs_scale",
    "exact_init_stability",
    "random_weights",
    "two_node_flow",
    "lattice_spectrum",
    "mnist_correlation_spectrum",
    "mnist_estimator",
    "mnist_nll_curve",
    "mnist_gaussian_kl",
    "mnist_probe",
    "mnist_regeneration",
    "mnist_spectrum_training",
    "EXPERIMENTS",
]

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
    """The estimator of one method of the 4x4 bars comparison.

    Parameters
    ----------
    method : {"rapid", "cd10", "pcd10", "exact"}
        A key of :data:`BARS_METHODS`.
    random_state : int
        Seed of the estimator.
    n_components : int, default=1000
        Hidden units H.
    n_patterns : int, default=8
        Patterns K (RAPID only).

    Returns
    -------
    est : RARBM or BinaryRBM
        Unfitted estimator with ``max_iter=0`` (train with ``partial_fit``).


    Examples
    --------
    >>> from skrapid.experiments import bars_4x4_estimator
    >>> est = bars_4x4_estimator("cd10", 0)
    >>> est.method, est.n_gibbs_steps, est.n_components
    ('cd', 10, 1000)
    """
    kw = dict(BARS_METHODS[method])
    if method == "rapid":
        return RARBM(
            **{**RARBM.PAPER_RECIPE, **kw},
            n_components=n_components,
            n_patterns=n_patterns,
            max_iter=0,
            random_state=random_state,
            device="cpu",
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
    accessibility=False,
):
    """Train one seed on the 4x4 bars and record train/test Hamming distances.

    Returns a dict with the evaluated epochs, the train and test Hamming
    distance of the App. C reconstruction at those epochs, the first epoch at
    which the test distance is <= ``target`` (None if never), the wall time,
    and whether the run stopped early (target reached or ``time_limit`` s).
    With ``accessibility=True`` it also records, at the same epochs, the
    Gibbs accessibility (10 chains from random states, 10 sweeps) and the
    method accessibility of the negative phase (CD chains started at the
    training set; None for exact gradients and for PCD before its first
    update), both against the exact ground-state energy (Fig. 2).

    Parameters
    ----------
    method : {"rapid", "cd10", "pcd10", "exact"}
        A key of :data:`BARS_METHODS`.
    seed : int
        Seed of the estimator and of the evaluations.
    max_epochs : int
        Epochs to train.
    target : float, default=0.05
        Test Hamming distance whose first epoch is recorded.
    n_repeats : int, default=20
        Reconstructions per image in each evaluation.
    stop_at_target : bool, default=False
        Stop once the test distance reaches ``target``.
    time_limit : float or None, default=None
        Stop after this many seconds.
    n_components : int, default=1000
        Hidden units H.
    accessibility : bool, default=False
        Also record the Gibbs and method accessibilities (Fig. 2).

    Returns
    -------
    rec : dict
        JSON-ready record: ``epochs``, ``train``, ``test``,
        ``first_epoch_at_target``, ``singular_values``, the settings and the
        wall time (and the accessibilities when asked).


    Examples
    --------
    >>> from skrapid.experiments import bars_4x4_hamming
    >>> rec = bars_4x4_hamming("rapid", 0, max_epochs=3, n_components=200)
    >>> rec["epochs"], len(rec["test"]), rec["method"]
    ([0, 1, 2, 3], 4, 'rapid')
    """
    X_train, X_test = bars_4x4_split()
    est = bars_4x4_estimator(method, seed, n_components=n_components).fit(X_train)
    evals = set(_eval_epochs(max_epochs))
    rec = {"epochs": [], "train": [], "test": [], "first_epoch_at_target": None}
    if accessibility:
        rec.update(gibbs_accessibility=[], method_accessibility=[])
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
            if accessibility:
                gibbs, meth = _bars_accessibility(est, method, X_train, rs)
                rec["gibbs_accessibility"].append(gibbs)
                rec["method_accessibility"].append(meth)
            if test <= target and rec["first_epoch_at_target"] is None:
                rec["first_epoch_at_target"] = epoch
                if stop_at_target:
                    stopped = "target"
                    break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            stopped = "time_limit"
            break
    rec["singular_values"] = weight_singular_values(est).tolist()
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


def _bars_accessibility(est, method, X_train, seed):
    """(Gibbs accessibility, method accessibility or None) of one model."""
    ground = ground_state_energy(est)[0]
    gibbs = gibbs_accessibility(
        est, n_chains=10, n_steps=10, random_state=seed, ground_energy=ground
    )
    if method == "exact" or (
        method.startswith("pcd") and getattr(est, "persistent_chains_", None) is None
    ):
        return gibbs, None
    meth = method_accessibility(
        est, X_train, random_state=seed + 1, ground_energy=ground
    )
    return gibbs, meth


def bas_clamp_mask(X, n=12):
    """App. C's clamp for bars-and-stripes images: the line perpendicular to
    the lines of each image (first row of a vertical-bars image, first column
    of a horizontal-stripes image).

    Parameters
    ----------
    X : array-like of shape (n_images, n * n)
        Bars-and-stripes images.
    n : int, default=12
        Side of the images.

    Returns
    -------
    mask : ndarray of bool, shape (n_images, n * n)
        The pixels to clamp.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.experiments import bas_clamp_mask
    >>> bars = np.array([[1, -1, 1], [1, -1, 1], [1, -1, 1]]).reshape(1, -1)
    >>> bas_clamp_mask(bars, n=3).reshape(3, 3).astype(int)   # vertical: first row
    array([[1, 1, 1],
           [0, 0, 0],
           [0, 0, 0]])
    """
    imgs = np.asarray(X).reshape(-1, n, n)
    vertical = np.all(imgs == imgs[:, :1, :], axis=(1, 2))
    m = np.zeros(imgs.shape, dtype=bool)
    m[vertical, 0, :] = True
    m[~vertical, :, 0] = True
    return m.reshape(len(imgs), -1)


def bas_hamming(
    seed,
    *,
    max_epochs=40,
    n=12,
    n_components=1000,
    n_patterns=40,
    batch_size=120,
    learning_rate=0.01,
    n_eval=None,
    eval_every=5,
    n_samples=100,
):
    """RAPID on N x N bars and stripes (RAPID paper, Sec. 5.2, Fig. 5).

    80/20 random split (seeded), RARBM with pure PID and sign-constrained
    patterns; every ``eval_every`` epochs the train and test reconstruction
    Hamming distances (App. C, :func:`bas_clamp_mask`) on up to ``n_eval``
    images.  At the end ``n_samples`` chains from random states run 100
    Gibbs sweeps; the record says how many end on a valid BAS image and how
    many of those are not in the training set.

    Parameters
    ----------
    seed : int
        Seed of the split, the estimator and the evaluations.
    max_epochs : int, default=40
        Epochs to train.
    n : int, default=12
        Side of the images (V = n²).
    n_components : int, default=1000
        Hidden units H.
    n_patterns : int, default=40
        Patterns K.
    batch_size : int, default=120
        Minibatch size.
    learning_rate : float, default=0.01
        Step size.
    n_eval : int or None, default=None
        Images evaluated per set (None: all).
    eval_every : int, default=5
        Epochs between evaluations.
    n_samples : int, default=100
        Chains sampled at the end.

    Returns
    -------
    rec : dict
        Epochs, train and test Hamming distances, sample counts (valid, valid
        and not in the training set), shown samples with their status, the
        settings and the wall time.


    Examples
    --------
    >>> from skrapid.experiments import bas_hamming
    >>> rec = bas_hamming(0, max_epochs=2, n=4, n_components=50, n_patterns=4,
    ...                   batch_size=10, n_eval=20, n_samples=10, eval_every=1)
    >>> rec["epochs"], rec["n_samples"]
    ([0, 1, 2], 10)
    """
    from .datasets import make_bars_and_stripes

    X = make_bars_and_stripes(n)
    idx = np.random.default_rng(seed).permutation(len(X))
    n_train = int(0.8 * len(X))
    X_train, X_test = X[idx[:n_train]], X[idx[n_train:]]
    ev_tr = X_train[:n_eval] if n_eval else X_train
    ev_te = X_test[:n_eval] if n_eval else X_test
    est = RARBM(
        **RARBM.PAPER_RECIPE,
        n_components=n_components,
        n_patterns=n_patterns,
        learning_rate=learning_rate,
        batch_size=batch_size,
        max_iter=0,
        random_state=seed,
        device="cpu",
    ).fit(X_train)
    rec = {"epochs": [], "train": [], "test": []}
    t0 = time.perf_counter()
    for epoch in range(max_epochs + 1):
        if epoch:
            est.partial_fit(X_train)
        if epoch % eval_every == 0 or epoch == max_epochs:
            rs = 1000 * seed + epoch
            rec["epochs"].append(epoch)
            for key, E in (("train", ev_tr), ("test", ev_te)):
                rec[key].append(
                    reconstruction_hamming(
                        est, E, clamp=bas_clamp_mask(E, n), random_state=rs
                    )
                )
    samples = est.sample(n_samples, n_steps=100, random_state=seed)
    valid = {tuple(r) for r in X.astype(int)}
    train = {tuple(r) for r in X_train.astype(int)}
    s_int = [tuple(r) for r in samples.astype(int)]
    status = [
        "not in training set"
        if t in valid and t not in train
        else "in training set"
        if t in train
        else "not a BAS image"
        for t in s_int
    ]
    # the figure's samples: those not in the training set first (the paper's
    # orange-framed ones), then the others in the order drawn
    order = sorted(range(len(s_int)), key=lambda i: status[i] != "not in training set")
    shown = order[:12]
    rec.update(
        seed=seed,
        max_epochs=max_epochs,
        n_train=int(n_train),
        samples_valid=int(sum(t in valid for t in s_int)),
        samples_valid_not_in_train=int(
            sum(t in valid and t not in train for t in s_int)
        ),
        n_samples=n_samples,
        samples=samples[shown].astype(int).tolist(),
        sample_status=[status[i] for i in shown],
        seconds=time.perf_counter() - t0,
        settings=dict(
            n_components=n_components,
            n_patterns=n_patterns,
            batch_size=batch_size,
            learning_rate=learning_rate,
        ),
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
    if "progress" in inspect.signature(fn).parameters:
        kwargs = {**kwargs, "progress": progress}
    for s in seeds:
        if s in done:
            progress(f"  seed {s}: already done ({path.name})")
            continue
        r = fn(seed=s, **kwargs)
        with path.open("a") as fh:
            fh.write(json.dumps(r) + "\n")
        done[s] = r
        extra = (
            f"first epoch with test Hamming <= target: {r['first_epoch_at_target']}, "
            if "first_epoch_at_target" in r
            else ""
        )
        progress(f"  seed {s}: {extra}{r['seconds']:.1f} s ({path.name})")
    return [done[s] for s in seeds]


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
    return cls(
        n_components=n_components,
        max_iter=0,
        random_state=random_state,
        device=kw.pop("device", "cpu"),
        **kw,
    )


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


def _spin_rbm_with_weights(W):
    """A fitted spin BinaryRBM without biases whose weights are W (V x H)."""
    V, H = W.shape
    est = BinaryRBM(
        n_components=H, units="spin", fit_intercept=False, max_iter=0, device="cpu"
    ).fit(np.ones((1, V)))
    est.components_ = np.ascontiguousarray(W.T)
    return est


def random_weights(kind, n_visible, n_hidden, rng, *, n_patterns=10):
    """Untrained weights with unit standard deviation (Fig. 1 of RAPID).

    ``"ra"``: eq. 5 with K random ±1 patterns (Bernoulli-random), rescaled to
    unit measured std; ``"gaussian"``: N(0, 1); ``"uniform"``: U(−√3, √3).

    Parameters
    ----------
    kind : {"ra", "gaussian", "uniform"}
        RA weights from ±1 patterns (eq. 5), or i.i.d. Gaussian or uniform.
    n_visible, n_hidden : int
        Layer sizes.
    rng : numpy.random.Generator
        Source of randomness.
    n_patterns : int, default=10
        Patterns of the RA weights.

    Returns
    -------
    W : ndarray of shape (n_visible, n_hidden)
        Weights with unit standard deviation (rescale them as needed).


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.experiments import random_weights
    >>> W = random_weights("ra", 4, 6, np.random.default_rng(0), n_patterns=2)
    >>> W.shape, bool(np.linalg.matrix_rank(W) <= 2)   # K patterns: rank <= K
    ((4, 6), True)
    """
    if kind == "ra":
        xi_v = rng.choice([-1.0, 1.0], size=(n_patterns, n_visible))
        xi_h = rng.choice([-1.0, 1.0], size=(n_patterns, n_hidden))
        W = xi_v.T @ xi_h / np.sqrt(n_patterns)
    elif kind == "gaussian":
        W = rng.standard_normal((n_visible, n_hidden))
    elif kind == "uniform":
        W = rng.uniform(-np.sqrt(3), np.sqrt(3), (n_visible, n_hidden))
    else:
        raise ValueError(f"kind must be 'ra', 'gaussian' or 'uniform'; got {kind!r}.")
    return W / W.std()


def accessibility_vs_scale(
    kind,
    stds,
    *,
    n_visible=20,
    n_hidden=1000,
    n_patterns=10,
    n_repeats=100,
    n_chains=10,
    n_steps=10,
    seed=0,
    progress=None,
):
    """Gibbs accessibility of untrained models vs the weights' std (Fig. 1).

    For each repeat one unit-std weight matrix of the given ``kind`` is drawn
    (:func:`random_weights`); its exact ground-state energy is computed once
    and rescaled (no biases: E_GS(sW) = s·E_GS(W)), and the Gibbs
    accessibility of :func:`~skrapid.metrics.gibbs_accessibility` is measured
    at every std.  Returns the mean and std over repeats per std.

    Parameters
    ----------
    kind : {"ra", "gaussian", "uniform"}
        How the weights are drawn (:func:`random_weights`).
    stds : sequence of float
        Standard deviations of the weights to test.
    n_visible, n_hidden : int, default=20, 1000
        Layer sizes.
    n_patterns : int, default=10
        Patterns of the RA weights.
    n_repeats : int, default=100
        Random models per scale.
    n_chains, n_steps : int, default=10, 10
        Gibbs chains and sweeps of the accessibility.
    seed : int, default=0
        Seed of the models and chains.
    progress : callable or None, default=None
        Called with a line per scale.

    Returns
    -------
    result : dict
        ``stds``, and the ``mean`` and ``std`` of the Gibbs accessibility
        over the repeats at each scale.


    Examples
    --------
    >>> from skrapid.experiments import accessibility_vs_scale
    >>> r = accessibility_vs_scale("ra", [0.01, 10.0], n_visible=8, n_hidden=50,
    ...                            n_repeats=3, seed=0)
    >>> bool(r["mean"][0] < r["mean"][1] <= 1.0)   # paramagnet vs low temperature
    True
    """
    from .metrics import gibbs_accessibility, ground_state_energy

    rng = np.random.default_rng(seed)
    acc = np.zeros((n_repeats, len(stds)))
    for r in range(n_repeats):
        W = random_weights(kind, n_visible, n_hidden, rng, n_patterns=n_patterns)
        e0, _, _ = ground_state_energy(_spin_rbm_with_weights(W))
        for j, s in enumerate(stds):
            est = _spin_rbm_with_weights(W * s)
            acc[r, j] = gibbs_accessibility(
                est,
                n_chains=n_chains,
                n_steps=n_steps,
                random_state=rng.integers(2**31),
                ground_energy=e0 * s,
            )
        if progress is not None and (r + 1) % max(1, n_repeats // 5) == 0:
            progress(f"  {kind}, V={n_visible}: {r + 1}/{n_repeats} repeats")
    return {
        "kind": kind,
        "stds": list(map(float, stds)),
        "n_visible": n_visible,
        "n_hidden": n_hidden,
        "n_patterns": n_patterns,
        "n_repeats": n_repeats,
        "mean": acc.mean(0).tolist(),
        "std": acc.std(0).tolist(),
    }


# --------------------------------------------------------------------------
# scalar-field RBM (Aarts, Lucini & Park 2024)
# --------------------------------------------------------------------------
#: Bump when :func:`mnist_nll_curve` changes what a checkpoint holds or means,
#: so that older checkpoints are not resumed.
_NLL_CHECKPOINT_VERSION = 1


def _array_digest(a):
    """Shape, dtype and SHA-256 of an array (to recognize the same data)."""
    a = np.ascontiguousarray(a)
    digest = hashlib.sha256(a.view(np.uint8).reshape(-1)).hexdigest()[:16]
    return f"{list(a.shape)} {a.dtype} {digest}"


def _canonical(settings):
    return json.dumps(settings, sort_keys=True, default=repr)


def _save_checkpoint(path, state):
    """Save the checkpoint atomically: the one on disk is always a whole one."""
    from ._io import atomic_dump

    atomic_dump(state, path)


def _load_checkpoint(path, settings):
    """The state saved at ``path`` if it was written with ``settings``; None
    (with a warning where a checkpoint was there) otherwise."""
    import joblib

    if path is None or not Path(path).exists():
        return None
    try:
        state = joblib.load(path)
        saved = state["settings"]
    except Exception as exc:  # noqa: BLE001 - any unreadable file: start over
        warnings.warn(
            f"checkpoint {path} could not be read ({type(exc).__name__}: {exc}); "
            "starting over",
            UserWarning,
            stacklevel=3,
        )
        return None
    if _canonical(saved) != _canonical(settings):
        differ = sorted(
            k
            for k in set(saved) | set(settings)
            if _canonical(saved.get(k)) != _canonical(settings.get(k))
        )
        warnings.warn(
            f"checkpoint {path} was written with other settings "
            f"({', '.join(differ)} differ); starting over",
            UserWarning,
            stacklevel=3,
        )
        return None
    return state


def _resumable_training(
    make_estimator, X, *, max_epochs, evaluate, checkpoint, settings, progress
):
    """Epoch 0 (initialization) and ``max_epochs`` epochs of ``partial_fit``,
    ``evaluate(est, epoch, rec)`` after each (it appends to ``rec`` and returns
    the progress line), the state saved to ``checkpoint`` after each.

    Resumes from ``checkpoint`` when it holds the same ``settings``.  Returns
    ``(est, rec, fit_seconds, seconds)`` (times include earlier sessions).
    """
    state = _load_checkpoint(checkpoint, settings)
    if state is not None:
        est, rec = state["estimator"], state["record"]
        fit_seconds, start = state["fit_seconds"], state["epoch"] + 1
        t0 = time.perf_counter() - state["seconds"]
        progress(
            f"  resuming from epoch {state['epoch']}/{max_epochs} "
            f"(checkpoint {checkpoint})"
        )
    else:
        est, rec, fit_seconds, start = make_estimator(), {}, 0.0, 0
        t0 = time.perf_counter()
    for epoch in range(start, max_epochs + 1):
        if epoch:
            t1 = time.perf_counter()
            est.partial_fit(X)
            fit_seconds += time.perf_counter() - t1
        else:
            est.set_params(max_iter=0).fit(X)
        line = evaluate(est, epoch, rec)
        seconds = time.perf_counter() - t0
        if checkpoint is not None:
            _save_checkpoint(
                checkpoint,
                dict(
                    settings=settings,
                    epoch=epoch,
                    estimator=est,
                    record=rec,
                    fit_seconds=fit_seconds,
                    seconds=seconds,
                ),
            )
        progress(f"{line}, {seconds:.0f} s")
    return est, rec, fit_seconds, time.perf_counter() - t0


def _samples_checkpoint(checkpoint):
    """Checkpoint path of the samples model next to ``checkpoint``."""
    if checkpoint is None:
        return None
    p = Path(checkpoint)
    first, dot, rest = p.name.partition(".")
    return p.with_name(f"{first}.samples{dot}{rest}")


def _hamming_to_nearest(A, B):
    """Fraction of pixels by which each binary row of A differs from its
    nearest row of B."""
    A, B = np.asarray(A, np.float64), np.asarray(B, np.float64)
    d = A.sum(1)[:, None] + B.sum(1)[None, :] - 2.0 * (A @ B.T)
    return (d.min(1) / A.shape[1]).tolist()


def mnist_nll_curve(
    seed,
    *,
    data,
    max_epochs=20,
    n_components=3000,
    n_patterns=190,
    n_eval=10000,
    n_ais_chains=100,
    n_betas=10000,
    n_betas_epoch=None,
    n_samples=16,
    n_sample_steps=1000,
    n_show_patterns=8,
    n_patterns_samples=None,
    checkpoint=None,
    progress=print,
    **overrides,
):
    """RAPID on binarized MNIST: NLL by AIS vs epoch, samples and patterns
    (RAPID paper, Figs. 6 and 7).

    The RA-RBM of :data:`MNIST_METHODS` (PID seeding ``n_gibbs_steps`` Gibbs
    steps at the patterns) is trained for ``max_epochs``; at epoch 0 and after
    every epoch log Z is estimated by forward AIS (``n_ais_chains`` chains,
    with its standard error; ``n_betas_epoch`` temperatures before the last
    epoch, ``n_betas`` at the last) and the mean negative log-likelihood of
    the first ``n_eval`` training and test images is recorded.  With
    ``n_patterns_samples``, a second RA-RBM with that many patterns (the same
    H, settings and epochs; the paper's Fig. 6c model, K = 290) is trained
    after the first, and its final NLL recorded (AIS with ``n_betas``).  At
    the end: ``n_samples`` Gibbs samples from random states (Fig. 6c; from
    the second model if there is one), the visible parts of
    ``n_show_patterns`` random patterns (Fig. 7a), and ``n_samples`` chains
    seeded at the first shown pattern's binarized visible part (Fig. 7b),
    both of the first model.  A logistic-regression classifier on the
    training pixels labels the samples and gives its confidence (the
    largest class probability), for them and for real test digits; with the
    distance from each sample to its nearest training image this says
    whether the samples look like digits.  The distance from each shown
    pattern to its nearest training image says whether patterns are copies
    of data.

    With ``checkpoint`` the run is resumable per epoch: after every epoch
    the estimator, the partial record and the settings are saved there
    (atomically, :func:`joblib.dump`; the second model to
    ``NAME.samples.EXT`` next to it).  A later call with the same settings
    resumes after the saved epoch; one with other settings warns and starts
    over.  The checkpoints are deleted when the record is complete.

    Parameters
    ----------
    seed : int
        Seed of the estimator, AIS and the samples.
    data : tuple
        ``(X_train, y_train, X_test, y_test)`` with binary images.
    max_epochs : int, default=20
        Epochs to train.
    n_components, n_patterns : int, default=3000, 190
        H and K.
    n_eval : int, default=10000
        Images of each set whose NLL is recorded.
    n_ais_chains, n_betas : int, default=100, 10000
        AIS chains, and temperatures of the final epoch's AIS.
    n_betas_epoch : int, default=None
        AIS temperatures of the epochs before the last (None: ``n_betas``).
    n_samples, n_sample_steps : int, default=16, 1000
        Chains and sweeps of the samples.
    n_show_patterns : int, default=8
        Patterns shown.
    n_patterns_samples : int, default=None
        K of a second model that draws the Fig. 6c samples (None: no second
        model; the samples come from the first).
    checkpoint : str or path-like, default=None
        File of the per-epoch checkpoint (None: none).
    progress : callable, default=print
        Called with a line per epoch.
    **overrides : dict
        Parameters replacing those of :data:`MNIST_METHODS` ``["rapid"]``.

    Returns
    -------
    rec : dict
        Epochs, train and test NLL, the AIS standard error and temperatures
        per epoch, samples with their predicted classes, confidences and
        distances to the nearest training images (and the same for real
        test digits), the samples model's final NLL, the shown patterns,
        chains seeded at a pattern and their classes, distances of the
        patterns to the nearest training images, the settings and the times.


    Examples
    --------
    >>> from skrapid.datasets import make_mnist_like
    >>> from skrapid.experiments import mnist_nll_curve
    >>> X, y = make_mnist_like(300, random_state=0)
    >>> Xt, yt = make_mnist_like(100, random_state=1)
    >>> rec = mnist_nll_curve(0, data=(X, y, Xt, yt), max_epochs=2,
    ...                       n_components=20, n_patterns=4, n_ais_chains=8,
    ...                       n_betas=50, n_betas_epoch=20, n_samples=4,
    ...                       n_sample_steps=5, progress=lambda message: None)
    >>> rec["epochs"], rec["ais_n_betas"], len(rec["samples_from_pattern"])
    ([0, 1, 2], [20, 20, 50], 4)
    """
    from sklearn.linear_model import LogisticRegression

    X_train, y_train, X_test, _ = data
    Xtr_eval, Xte_eval = X_train[:n_eval], X_test[:n_eval]
    if n_betas_epoch is None:
        n_betas_epoch = n_betas

    def make(k):
        return lambda: mnist_estimator(
            "rapid", seed, n_components=n_components, n_patterns=k, **overrides
        )

    settings = dict(
        version=_NLL_CHECKPOINT_VERSION,
        seed=seed,
        data=[_array_digest(a) for a in data],
        max_epochs=max_epochs,
        n_eval=n_eval,
        n_ais_chains=n_ais_chains,
        n_betas=n_betas,
        n_betas_epoch=n_betas_epoch,
        n_samples=n_samples,
        n_sample_steps=n_sample_steps,
        n_show_patterns=n_show_patterns,
        n_patterns_samples=n_patterns_samples,
        estimator=make(n_patterns)().get_params(),
    )

    def nll(est, betas, random_state):
        log_z, std = est.log_partition_function(
            method="ais",
            n_chains=n_ais_chains,
            n_betas=betas,
            return_std=True,
            random_state=random_state,
        )
        train = float(est.free_energy(Xtr_eval).mean() + log_z)
        return train, float(est.free_energy(Xte_eval).mean() + log_z), float(std)

    def evaluate(est, epoch, rec):
        betas = n_betas if epoch == max_epochs else n_betas_epoch
        train, test, std = nll(est, betas, 1000 * seed + epoch)
        for key, value in (
            ("epochs", epoch),
            ("train_nll", train),
            ("test_nll", test),
            ("log_z_std", std),
            ("ais_n_betas", betas),
        ):
            rec.setdefault(key, []).append(value)
        return (
            f"  epoch {epoch}/{max_epochs}: NLL train {train:.2f}, test {test:.2f} "
            f"(± {std:.2f}, AIS {n_ais_chains} x {betas})"
        )

    est, rec, fit_seconds, seconds = _resumable_training(
        make(n_patterns),
        X_train,
        max_epochs=max_epochs,
        evaluate=evaluate,
        checkpoint=checkpoint,
        settings=settings,
        progress=progress,
    )
    rec = dict(rec)
    est_samples, samples_model = est, None
    if n_patterns_samples is not None:
        k2 = n_patterns_samples

        def evaluate_samples_model(est2, epoch, rec2):
            line = f"  samples model (K = {k2}) epoch {epoch}/{max_epochs}"
            if epoch < max_epochs:
                return line
            train, test, std = nll(est2, n_betas, 1000 * seed + 500 + epoch)
            rec2.update(train_nll=train, test_nll=test, log_z_std=std)
            return f"{line}: NLL train {train:.2f}, test {test:.2f} (± {std:.2f})"

        est_samples, rec2, fit2, seconds2 = _resumable_training(
            make(k2),
            X_train,
            max_epochs=max_epochs,
            evaluate=evaluate_samples_model,
            checkpoint=_samples_checkpoint(checkpoint),
            settings={
                **settings,
                "model": "samples",
                "estimator": make(k2)().get_params(),
            },
            progress=progress,
        )
        samples_model = dict(
            n_patterns=k2, n_betas=n_betas, fit_seconds=fit2, **dict(rec2)
        )
        seconds += seconds2
    t1 = time.perf_counter()
    rng = np.random.default_rng(seed)
    shown = rng.choice(n_patterns, size=min(n_show_patterns, n_patterns), replace=False)
    xi = np.asarray(est.patterns_visible_)[shown]
    seed_state = (xi[0] >= 0).astype(X_train.dtype)
    samples = est_samples.sample(n_samples, n_steps=n_sample_steps, random_state=seed)
    from_pattern = est.sample(
        n_samples,
        n_steps=n_sample_steps,
        v_init=np.tile(seed_state, (n_samples, 1)),
        random_state=seed + 1,
    )
    clf = LogisticRegression(C=1.0, max_iter=500).fit(
        X_train[:n_eval], y_train[:n_eval]
    )
    reference = X_test[:100]
    binary = (xi >= 0).astype(np.float64)
    rec.update(
        seed=seed,
        n_components=n_components,
        n_patterns=n_patterns,
        settings={**MNIST_METHODS["rapid"], **overrides, "n_patterns": n_patterns},
        n_eval=int(Xte_eval.shape[0]),
        ais={
            "n_chains": n_ais_chains,
            "n_betas": n_betas,
            "n_betas_epoch": n_betas_epoch,
        },
        fit_seconds=fit_seconds,
        samples=np.asarray(samples).tolist(),
        samples_n_patterns=n_patterns_samples or n_patterns,
        sample_classes=clf.predict(samples).tolist(),
        sample_confidence=clf.predict_proba(samples).max(1).tolist(),
        sample_nearest_training_distance=_hamming_to_nearest(samples, Xtr_eval),
        test_digit_confidence=clf.predict_proba(reference).max(1).tolist(),
        test_digit_nearest_training_distance=_hamming_to_nearest(reference, Xtr_eval),
        samples_model=samples_model,
        patterns_shown=shown.tolist(),
        patterns_visible=xi.tolist(),
        pattern_nearest_training_distance=_hamming_to_nearest(binary, Xtr_eval),
        samples_from_pattern=np.asarray(from_pattern).tolist(),
        samples_from_pattern_classes=clf.predict(from_pattern).tolist(),
        n_sample_steps=n_sample_steps,
    )
    if checkpoint is not None:  # the record is complete: it is the caller's now
        for path in (Path(checkpoint), _samples_checkpoint(checkpoint)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    # the training times include the sessions before a resume
    rec["seconds"] = seconds + time.perf_counter() - t1
    return rec


def lattice_spectrum(
    seed=0,
    *,
    shape=10,
    m2=4.0,
    mu2=9.0,
    n_components=None,
    learn_mu2=False,
    method="pcd",
    n_chains=128,
    learning_rate=0.1,
    lr_decay=0.8,
    lr_decay_every=500,
    max_iter=6000,
    init="random",
    tolerance=0.01,
):
    """Train a Gaussian RBM on a free lattice field from its kernel (Sec. V).

    The target is :func:`~skrapid.datasets.lattice_kernel` (1D or 2D,
    periodic); the RBM is trained by :meth:`GaussianRBM.fit_covariance` (one
    update per epoch, ``n_chains`` persistent chains, as in App. A).  Returns
    the target spectrum κ, the spectrum the cutoff allows
    (:func:`~skrapid.metrics.regulated_spectrum`), the trained spectrum and
    its largest relative error, the first epoch at which each mode (ascending
    κ) is within ``tolerance`` of its target (None if never), the μ² and KL
    histories, and the KL of the trained model next to eq. B8's prediction.

    Parameters
    ----------
    seed : int, default=0
        Seed of the training.
    shape : int or tuple, default=10
        Lattice shape (1D or 2D, periodic).
    m2 : float, default=4.0
        Mass of the target free field.
    mu2 : float, default=9.0
        The RBM's mass parameter.
    n_components : int or None, default=None
        Hidden nodes N_h (None: N_v).
    learn_mu2 : bool or {"global", "local"}, default=False
        Train μ².
    method : {"pcd", "exact"}, default="pcd"
        Negative phase.
    n_chains : int, default=128
        Persistent chains.
    learning_rate : float, default=0.1
        Step size.
    lr_decay, lr_decay_every : float, int, default=0.8, 500
        Decay factor r every N epochs (eq. A2).
    max_iter : int, default=6000
        Epochs.
    init : str, default="random"
        Initialization of the weights.
    tolerance : float, default=0.01
        Relative tolerance of a settled mode.

    Returns
    -------
    result : dict
        Target, expected (regulated) and trained spectra, their largest
        relative error, per-mode settling epochs, spectrum and μ² histories,
        the KL and its eq. B8 prediction, the settings and the wall time.


    Examples
    --------
    >>> from skrapid.experiments import lattice_spectrum
    >>> r = lattice_spectrum(0, shape=6, mu2=9.0, method="exact", learning_rate=0.5,
    ...                      lr_decay=1.0, max_iter=1500)
    >>> bool(r["max_relative_error"] < 1e-3)
    True
    """
    from ._gaussian import GaussianRBM
    from .datasets import lattice_eigenvalues, lattice_kernel
    from .metrics import gaussian_kl, regulated_kl

    K = lattice_kernel(shape, m2)
    kappa = lattice_eigenvalues(shape, m2)
    n = K.shape[0]
    n_h = n if n_components is None else n_components
    settings = dict(
        learn_mu2=learn_mu2,
        method=method,
        n_chains=n_chains,
        learning_rate=learning_rate,
        lr_decay=lr_decay,
        lr_decay_every=lr_decay_every,
        max_iter=max_iter,
        init=init,
    )
    est = GaussianRBM(
        n_components=n_h, mu2=mu2, random_state=seed, device="cpu", **settings
    )
    rec = _spectrum_training(est, kappa, tolerance, kernel=K)
    return {
        "seed": seed,
        "shape": shape,
        "m2": m2,
        "mu2": mu2,
        "n_components": n_h,
        "settings": settings,
        **rec,
        "kl": gaussian_kl(K, est.kernel_),
        "kl_eq_b8": regulated_kl(kappa, rec["mu2_final"], n_h),
    }


def _spectrum_training(
    est, kappa, tolerance, *, n_history=400, progress=None, **target
):
    """Train a :class:`GaussianRBM` by ``fit_covariance(**target)`` and follow
    its spectrum against the target eigenvalues ``kappa`` (ascending order on
    both sides), the regulated target being
    :func:`~skrapid.metrics.regulated_spectrum` at the final μ².  With a
    ``progress`` callable the epochs run in ten chunks (``reset=False``
    continues the same training) with a line after each."""
    from .metrics import regulated_spectrum

    t0 = time.perf_counter()
    if progress is None:
        est.fit_covariance(**target)
    else:
        n = est.max_iter
        done = 0
        for i in range(10):
            chunk = n * (i + 1) // 10 - done
            est.fit_covariance(**target, n_epochs=chunk, reset=i == 0)
            done += chunk
            lam = np.linalg.eigvalsh(est.kernel_)
            progress(
                f"    epoch {done}/{n}: smallest eigenvalue {lam[0]:.4g}, "
                f"μ² {float(np.max(est.mu2_)):.4g}, {time.perf_counter() - t0:.0f} s"
            )
    seconds = time.perf_counter() - t0
    lam = np.linalg.eigvalsh(est.kernel_)
    mu2_final = float(np.max(est.mu2_))
    expected = regulated_spectrum(kappa, max(mu2_final, 1e-12), est.n_components)
    hist = est.history_
    rows = [i for i, x in enumerate(hist["kernel_eigenvalues"]) if x is not None]
    spectra = np.array([hist["kernel_eigenvalues"][i] for i in rows])
    epochs = [hist["epoch"][i] for i in rows]
    within = np.abs(spectra / expected - 1) <= tolerance
    # first recorded epoch from which a mode stays within tolerance to the end
    settled = np.flip(np.logical_and.accumulate(np.flip(within, 0), 0), 0)
    first = [
        int(epochs[int(np.argmax(settled[:, k]))]) if settled[:, k].any() else None
        for k in range(len(kappa))
    ]
    # first recorded epoch at which a mode is halfway (geometrically) from
    # where training starts, μ², to its regulated target
    mid = np.sqrt(spectra[0] * expected)
    moved = (spectra <= mid) & (expected < spectra[0] * (1 - tolerance))
    halfway = [
        int(epochs[int(np.argmax(moved[:, k]))]) if moved[:, k].any() else None
        for k in range(len(kappa))
    ]
    step = max(1, len(rows) // n_history)
    return {
        "mu2_final": mu2_final,
        "target_eigenvalues": np.sort(kappa).tolist(),
        "expected_eigenvalues": expected.tolist(),
        "eigenvalues": lam.tolist(),
        "relative_errors": (lam / expected - 1).tolist(),
        "max_relative_error": float(np.max(np.abs(lam / expected - 1))),
        "epochs_to_tolerance": first,
        "epochs_to_halfway": halfway,
        "tolerance": tolerance,
        "epochs": epochs[::step],
        "spectrum_history": spectra[::step].tolist(),
        "mu2_history": [hist["mu2"][i] for i in rows][::step],
        "seconds": seconds,
    }


def mnist_spectrum_training(
    X,
    seed=0,
    *,
    X_test=None,
    mu2=100.0,
    learn_mu2=False,
    n_components=None,
    method="pcd",
    n_chains=512,
    learning_rate=2e-4,
    lr_decay=1.0,
    lr_decay_every=1000,
    max_iter=10000,
    tolerance=0.05,
    progress=None,
):
    """Train a Gaussian RBM on the two-point function of image data (Sec. VI,
    Figs. 14-15).

    The target is the (centred) correlation matrix C of ``X``; its kernel
    eigenvalues κ = 1/eig(C) (∞ for pixels that never vary, capped at μ² by
    the cutoff) are learnt by :meth:`GaussianRBM.fit_covariance` from a random
    start, ``n_chains`` persistent chains as in App. A, plain gradient ascent.
    The flow is stiff (see :func:`mnist_gaussian_kl`): the step must stay
    below ~2/(2 μ² c_max²) for the largest variance c_max, and modes whose
    variance is near 1/μ² barely move in any affordable number of epochs,
    which is the paper's observation (Fig. 14 right).  Returns the spectrum
    histories (ascending), the first epoch from which each mode stays within
    ``tolerance`` of its regulated target, the number of modes below the
    cutoff that are learnt, the μ² history, and the held-out log-likelihood
    when ``X_test`` is given.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training images (continuous values).
    seed : int, default=0
        Seed of the training.
    X_test : array-like, default=None
        Held-out images to score at the end.
    mu2 : float, default=100.0
        The RBM's (initial) mass parameter.
    learn_mu2 : bool or {"global", "local"}, default=False
        Train μ².
    n_components : int or None, default=None
        Hidden nodes (None: N_v).
    method : {"pcd", "exact"}, default="pcd"
        Negative phase.
    n_chains : int, default=512
        Persistent chains.
    learning_rate : float, default=2e-4
        Step size (the flow is stiff: see above).
    lr_decay, lr_decay_every : float, int, default=1.0, 1000
        Decay factor r every N epochs.
    max_iter : int, default=10000
        Epochs.
    tolerance : float, default=0.05
        Relative tolerance of a learnt mode.
    progress : callable or None, default=None
        Called with a line after each tenth of the training.

    Returns
    -------
    result : dict
        Target, expected and trained spectra, per-mode epochs to tolerance and
        to halfway, spectrum and μ² histories, the counts of modes below the
        cutoff and learnt, the test log-likelihood (if ``X_test``) and the time.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.experiments import mnist_spectrum_training
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 6)) @ np.diag([1.0, 0.8, 0.6, 0.4, 0.2, 0.05])
    >>> r = mnist_spectrum_training(X, mu2=100.0, method="exact",
    ...                             learning_rate=0.005, max_iter=3000)
    >>> r["n_modes_below_mu2"], r["n_modes_learnt"]   # the 3 most infrared
    (5, 3)
    """
    from ._gaussian import GaussianRBM

    X = np.asarray(X, dtype=np.float64)
    mean, C = _centred_covariance(X)
    var = np.linalg.eigvalsh(C)
    kappa = 1.0 / np.maximum(var, 1e-12)
    n_h = X.shape[1] if n_components is None else int(n_components)
    settings = dict(
        learn_mu2=learn_mu2,
        method=method,
        n_chains=n_chains,
        learning_rate=learning_rate,
        lr_decay=lr_decay,
        lr_decay_every=lr_decay_every,
        max_iter=max_iter,
    )
    est = GaussianRBM(
        n_components=n_h,
        mu2=mu2,
        random_state=seed,
        device="cpu",
        spectrum_every=max(1, max_iter // 400),
        **settings,
    )
    rec = _spectrum_training(est, kappa, tolerance, progress=progress, covariance=C)
    rec.update(
        seed=seed,
        mu2=mu2,
        n_components=n_h,
        settings=settings,
        **_learnt_modes(rec, tolerance),
    )
    if X_test is not None:
        est.mean_ = mean  # the model of x: the centred model shifted back
        rec["test_log_likelihood"] = est.score(X_test)
    return rec


def exact_init_stability(
    init,
    seed=0,
    *,
    shape=10,
    m2=4.0,
    mu2=9.0,
    n_chains=128,
    learning_rate=0.05,
    max_iter=5000,
    every=25,
):
    """Start at an exact solution of eq. 13 and keep training (Figs. 3-4).

    The RBM is initialized with ``init="cholesky"`` or ``"symmetric"`` for the
    lattice target and trained by PCD from the kernel; every ``every`` epochs
    the spectrum and the L2 norms of the parts of W are recorded: diagonal,
    strictly upper and strictly lower triangle (Cholesky), or symmetric and
    antisymmetric parts (symmetric).  Returns the histories, the largest
    relative deviation of the spectrum from κ over training, and the norms.

    Parameters
    ----------
    init : {"cholesky", "symmetric"}
        The exact initialization of eq. 13.
    seed : int, default=0
        Seed of the training.
    shape : int or tuple, default=10
        Lattice shape.
    m2 : float, default=4.0
        Mass of the target free field.
    mu2 : float, default=9.0
        The RBM's mass parameter.
    n_chains : int, default=128
        Persistent chains.
    learning_rate : float, default=0.05
        Step size.
    max_iter : int, default=5000
        Epochs.
    every : int, default=25
        Epochs between recordings.

    Returns
    -------
    result : dict
        Spectrum and weight-part norm histories, the largest relative
        deviation from κ, the initial error and the settings.


    Examples
    --------
    >>> from skrapid.experiments import exact_init_stability
    >>> r = exact_init_stability("cholesky", max_iter=20, every=10)
    >>> bool(r["initial_max_relative_error"] < 1e-12)   # exact at the start
    True
    """
    from ._gaussian import GaussianRBM
    from .datasets import lattice_eigenvalues, lattice_kernel

    K = lattice_kernel(shape, m2)
    kappa = lattice_eigenvalues(shape, m2)
    est = GaussianRBM(
        n_components=K.shape[0],
        mu2=mu2,
        method="pcd",
        init=init,
        n_chains=n_chains,
        learning_rate=learning_rate,
        random_state=seed,
        device="cpu",
    )
    epochs, spectra, parts = [], [], []
    t0 = time.perf_counter()
    for start in range(0, max_iter + 1, every):
        if start:
            est.fit_covariance(kernel=K, n_epochs=every, reset=False)
        else:
            est.fit_covariance(kernel=K, n_epochs=0)
        W = est.components_.T.astype(np.float64)
        if init == "cholesky":
            p = {
                "diagonal": np.linalg.norm(np.diag(W)),
                "upper": np.linalg.norm(np.triu(W, 1)),
                "lower": np.linalg.norm(np.tril(W, -1)),
            }
        else:
            p = {
                "symmetric": np.linalg.norm((W + W.T) / 2),
                "antisymmetric": np.linalg.norm((W - W.T) / 2),
            }
        epochs.append(start)
        spectra.append(np.linalg.eigvalsh(est.kernel_).tolist())
        parts.append({k: float(v) for k, v in p.items()})
    S = np.asarray(spectra)
    return {
        "init": init,
        "seed": seed,
        "settings": dict(
            shape=shape,
            m2=m2,
            mu2=mu2,
            n_chains=n_chains,
            learning_rate=learning_rate,
            max_iter=max_iter,
        ),
        "target_eigenvalues": kappa.tolist(),
        "epochs": epochs,
        "spectrum_history": spectra,
        "parts_history": parts,
        "initial_max_relative_error": float(np.max(np.abs(S[0] / kappa - 1))),
        "max_relative_deviation": float(np.max(np.abs(S / kappa - 1))),
        "mean_relative_deviation": float(np.mean(np.abs(S[1:] / kappa - 1))),
        "seconds": time.perf_counter() - t0,
    }


def two_node_flow(
    kappa,
    mu2,
    *,
    learn_mu2=False,
    sigma_h2=1.0,
    theta_target=0.3,
    xi0=(0.3, 0.2),
    delta_theta0=0.5,
    t_max=20.0,
    learning_rate=0.01,
):
    """The N_v = N_h = 2 learning flow, three ways (Sec. IV.C, Fig. 2).

    1. The reduced ODEs of the paper for the singular values ξ_1, ξ_2, the
       angle Δθ = θ_U − θ_0 and μ² (eqs. 53-57, with
       dΔθ/dt = σ_h² ρ (ξ_1² + ξ_2²)/(ξ_1² − ξ_2²), which follows from eq. 44).
    2. The matrix ODE dW/dt = σ_h² (K_φ⁻¹ − K⁻¹) W, dμ²/dt = ½ tr(K⁻¹ − K_φ⁻¹)
       (eqs. 26-27).
    3. A :class:`GaussianRBM` trained with the exact negative phase and plain
       gradient ascent, epoch n standing for time t = n · learning_rate.

    All start from W = U diag(ξ0) Vᵀ with U at angle θ_0 + Δθ0, V = 1.
    Returns time series of ξ_1, ξ_2, the RBM eigenvalues μ² − σ_h² ξ², Δθ
    and μ² for each, on the grid of the trained epochs.

    Parameters
    ----------
    kappa : tuple of two floats
        Target kernel eigenvalues κ1, κ2.
    mu2 : float
        The RBM's (initial) mass parameter.
    learn_mu2 : bool, default=False
        Train μ² too.
    sigma_h2 : float, default=1.0
        Hidden variance.
    theta_target : float, default=0.3
        Rotation angle of the target's eigenbasis.
    xi0 : tuple of two floats, default=(0.3, 0.2)
        Initial singular values.
    delta_theta0 : float, default=0.5
        Initial angle between the RBM's and the target's bases.
    t_max : float, default=20.0
        Flow time (epochs x learning rate).
    learning_rate : float, default=0.01
        Step of the training and of the ODE integration.

    Returns
    -------
    result : dict
        Time grid ``t``, the target ``kappa``, and for ``reduced`` (eqs.
        53-57), ``matrix`` (eqs. 26-27) and ``trained`` the histories of the
        singular values, eigenvalues, angle and μ².


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.experiments import two_node_flow
    >>> r = two_node_flow(kappa=(0.2, 0.4), mu2=1.0, learning_rate=0.04)
    >>> np.round(np.sort(np.asarray(r["trained"]["eigenvalues"])[:, -1]), 2)
    array([0.2, 0.4])
    """
    from scipy.integrate import solve_ivp

    from ._gaussian import GaussianRBM

    k1, k2 = map(float, kappa)
    s2 = float(sigma_h2)

    def rot(a):
        return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])

    O = rot(theta_target)
    K_phi = O @ np.diag([k1, k2]) @ O.T
    C = np.linalg.inv(K_phi)
    W0 = rot(theta_target + delta_theta0) @ np.diag(xi0)
    n_epochs = int(round(t_max / learning_rate))
    t_eval = np.arange(n_epochs + 1) * learning_rate

    def reduced(t, y):
        x1, x2, dth, m = y
        c, s = np.cos(dth), np.sin(dth)
        l1, l2 = m - s2 * x1**2, m - s2 * x2**2
        rho = (1 / k2 - 1 / k1) * c * s
        dx1 = s2 * (c * c / k1 + s * s / k2 - 1 / l1) * x1
        dx2 = s2 * (c * c / k2 + s * s / k1 - 1 / l2) * x2
        denom = x1**2 - x2**2
        dd = s2 * rho * (x1**2 + x2**2) / denom if abs(denom) > 1e-12 else 0.0
        dm = 0.5 * (1 / l1 + 1 / l2 - 1 / k1 - 1 / k2) if learn_mu2 else 0.0
        return [dx1, dx2, dd, dm]

    y0 = [xi0[0], xi0[1], delta_theta0, mu2]
    red = solve_ivp(reduced, (0, t_max), y0, t_eval=t_eval, rtol=1e-9, atol=1e-12)

    def matrix(t, y):
        W = y[:4].reshape(2, 2)
        m = y[4]
        K = m * np.eye(2) - s2 * W @ W.T
        Kinv = np.linalg.inv(K)
        dW = s2 * (C - Kinv) @ W
        dm = 0.5 * np.trace(Kinv - C) if learn_mu2 else 0.0
        return np.r_[dW.ravel(), dm]

    mat = solve_ivp(
        matrix,
        (0, t_max),
        np.r_[W0.ravel(), mu2],
        t_eval=t_eval,
        rtol=1e-9,
        atol=1e-12,
    )

    def summarize(Ws, mus):
        xi, ev, dth = [], [], []
        for W, m in zip(Ws, mus, strict=True):
            U, sv, _ = np.linalg.svd(W)
            xi.append(sv)
            ev.append(m - s2 * sv**2)
            a = np.arctan2(U[1, 0], U[0, 0]) - theta_target
            dth.append(float(np.mod(a + np.pi / 2, np.pi) - np.pi / 2))
        return {
            "xi": np.array(xi).T.tolist(),
            "eigenvalues": np.array(ev).T.tolist(),
            "delta_theta": dth,
            "mu2": list(map(float, mus)),
        }

    est = GaussianRBM(
        n_components=2,
        mu2=mu2,
        sigma_h2=s2,
        learn_mu2="global" if learn_mu2 else False,
        method="exact",
        learning_rate=learning_rate,
        init_scale=1e-3,
        random_state=0,
        device="cpu",
    )
    est.fit_covariance(covariance=C, n_epochs=0)
    est.components_ = np.ascontiguousarray(W0.T)  # start where the ODEs start
    est.kernel_ = est._kernel_np(W0, est.mu2_)
    Ws, mus = [W0], [mu2]
    for _ in range(n_epochs):
        est.fit_covariance(covariance=C, n_epochs=1, reset=False)
        Ws.append(est.components_.T.copy())
        mus.append(float(np.max(est.mu2_)))
    red_xi = red.y[:2]
    return {
        "kappa": [k1, k2],
        "mu2": mu2,
        "learn_mu2": learn_mu2,
        "sigma_h2": s2,
        "learning_rate": learning_rate,
        "t": t_eval.tolist(),
        "reduced": {
            "xi": red_xi.tolist(),
            "eigenvalues": (red.y[3] - s2 * red_xi**2).tolist(),
            "delta_theta": red.y[2].tolist(),
            "mu2": red.y[3].tolist(),
        },
        "matrix": summarize(mat.y[:4].T.reshape(-1, 2, 2), mat.y[4]),
        "trained": summarize(Ws, mus),
    }


def mnist_correlation_spectrum(data_home=None, *, center=False, X=None):
    """Eigenvalues of the MNIST two-point function ⟨φ_i φ_j⟩ (Sec. VI, Fig. 13).

    MNIST pixels are read in [0, 1] (``X`` replaces the files).
    ``center=False`` is the paper's raw second moment; ``center=True`` the
    covariance that :class:`GaussianRBM` (with its default ``center=True``)
    learns.  Returns the eigenvalues 1/κ,
    descending.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder with the MNIST files (when ``X`` is None).
    center : bool, default=False
        Subtract the mean first (covariance) instead of the raw second moment.
    X : array-like of shape (n_samples, n_features), default=None
        Data to use instead of MNIST.

    Returns
    -------
    eigenvalues : ndarray of shape (n_features,)
        Eigenvalues of the two-point function, descending.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.experiments import mnist_correlation_spectrum
    >>> X = np.random.default_rng(0).random((500, 5))
    >>> ev = mnist_correlation_spectrum(X=X)
    >>> len(ev), bool(ev[0] >= ev[-1] > 0)   # descending
    (5, True)
    """
    if X is None:
        X, _ = load_mnist(data_home, subset="train", allow_download=False)
    X = np.asarray(X, dtype=np.float64)
    if center:
        X = X - X.mean(axis=0)
    C = X.T @ X / X.shape[0]
    return np.sort(np.linalg.eigvalsh(C))[::-1]


def mnist_gaussian_kl(
    n_components,
    *,
    data=None,
    data_home=None,
    mu2=100.0,
    max_iter=0,
    learning_rate=2e-4,
    natural_epochs=0,
    seed=0,
    progress=print,
):
    """Held-out log-likelihood of Gaussian RBMs vs N_h on MNIST (Fig. 17).

    For each N_h a :class:`GaussianRBM` (μ² fixed, centred data, exact
    negative phase K⁻¹, plain gradient ascent) is trained from the training
    set's covariance for ``max_iter`` updates and scored on the test set in
    closed form.  The flow is stiff: near its fixed point a mode with kernel
    eigenvalue κ relaxes at rate 2(μ² − κ)/κ², about 5000 for MNIST's
    largest-variance mode at μ² = 100, so steps above ~4e-4 are unstable
    while modes with κ near μ² take ~1/(step·rate) updates (the paper ran a
    million epochs).  ``max_iter=0`` skips training and reports only the
    optimum.  The data-averaged KL of
    eq. 86 is −(mean log-likelihood) + const, so the log-likelihood is what is
    reported, with the best value the cutoff allows (the maximum-likelihood
    Gaussian with its spectrum regulated by μ² and N_h) next to it, the
    log-likelihood of an RBM with N_h hidden nodes built at that optimum, and
    its exact gradient relative to its positive phase (≈ 0: a fixed point of
    the training equations).

    Parameters
    ----------
    n_components : sequence of int
        Hidden nodes N_h to evaluate.
    data : tuple, default=None
        ``(X_train, X_test)``; None reads MNIST from ``data_home``.
    data_home : str or path-like, default=None
        Folder with the MNIST files.
    mu2 : float, default=100.0
        The RBM's mass parameter (the cutoff).
    max_iter : int, default=0
        Training epochs from the covariance (0: only the optimum).
    learning_rate : float, default=2e-4
        Step of that training.
    natural_epochs : int, default=0
        Also train an RBM per N_h from a random initialization on the
        training images with the natural-gradient step
        (``method="natural"``, η₀ = 0.1, so the random initial model counts
        as nine minibatches) for this many epochs, and score it
        (``natural_test_log_likelihood``); 0 skips it.
    seed : int, default=0
        Seed of that training.
    progress : callable, default=print
        Called with a line per N_h.

    Returns
    -------
    records : list of dict
        Per N_h: the best test and train log-likelihood under the cutoff, the
        log-likelihood of an RBM built at that optimum and its relative exact
        gradient, the trained log-likelihoods (if trained) and the time.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.experiments import mnist_gaussian_kl
    >>> rng = np.random.default_rng(0)
    >>> A = rng.normal(size=(6, 6))
    >>> X = rng.normal(size=(2000, 6)) @ A / 20
    >>> recs = mnist_gaussian_kl([1, 3, 6], data=(X[:1500], X[1500:]), mu2=100.0,
    ...                          progress=lambda message: None)
    >>> best = [r["best_test_log_likelihood"] for r in recs]
    >>> bool(best[0] < best[1] <= best[2])   # more hidden nodes, fewer modes cut
    True
    """
    from ._gaussian import GaussianRBM

    if data is None:
        Xtr, _ = load_mnist(data_home, subset="train", allow_download=False)
        Xte, _ = load_mnist(data_home, subset="test", allow_download=False)
        data = (Xtr, Xte)
    Xtr, Xte = (np.asarray(a, dtype=np.float64) for a in data)
    mean, C = _centred_covariance(Xtr)
    Xc = Xtr - mean
    out = []
    n_below = int(np.sum(np.linalg.eigvalsh(C) > 1.0 / mu2))
    for n_h in n_components:
        t0 = time.perf_counter()
        best = _regulated_gaussian(C, mu2, n_h)
        rbm, grad = _rbm_at_optimum(C, mu2, n_h, mean)
        rec = {
            "n_components": n_h,
            "mu2": mu2,
            "n_modes_below_mu2": n_below,
            "best_test_log_likelihood": _gaussian_loglik(best, Xte - mean),
            "best_train_log_likelihood": _gaussian_loglik(best, Xc),
            "rbm_at_optimum_test_log_likelihood": rbm.score(Xte),
            "relative_gradient_at_optimum": grad,
            "max_iter": max_iter,
            "learning_rate": learning_rate,
            "test_log_likelihood": None,
            "train_log_likelihood": None,
            "natural_test_log_likelihood": None,
        }
        if natural_epochs:
            nat = GaussianRBM(
                n_components=n_h,
                mu2=mu2,
                method="natural",
                learning_rate=0.1,
                max_iter=natural_epochs,
                spectrum_every=10**9,
                random_state=seed,
                device="cpu",
            ).fit(Xtr)
            rec["natural_test_log_likelihood"] = nat.score(Xte)
            rec["natural_epochs"] = nat.n_iter_
        if max_iter:
            est = GaussianRBM(
                n_components=n_h,
                mu2=mu2,
                method="exact",
                learning_rate=learning_rate,
                max_iter=max_iter,
                spectrum_every=max(1, max_iter // 20),
                random_state=seed,
                device="cpu",
            )
            est.fit_covariance(covariance=C)
            est.mean_ = mean  # the model of x: the centred model shifted back
            rec["test_log_likelihood"] = est.score(Xte)
            rec["train_log_likelihood"] = est.score(Xtr)
        rec["seconds"] = time.perf_counter() - t0
        trained = rec["test_log_likelihood"]
        progress(
            f"  N_h={n_h}: best test log-likelihood the cutoff allows "
            f"{rec['best_test_log_likelihood']:.2f}"
            + ("" if trained is None else f", trained {trained:.2f}")
            + (
                ""
                if rec["natural_test_log_likelihood"] is None
                else ", natural step from random "
                f"{rec['natural_test_log_likelihood']:.2f}"
            )
            + f" ({rec['seconds']:.0f} s)"
        )
        out.append(rec)
    return out


def _learnt_modes(rec, tolerance):
    """Modes below the cutoff (ascending κ), and how many of them were learnt:
    within ``tolerance`` of their target at the end although their target is
    more than ``tolerance`` below their initial eigenvalue (modes just under
    the cutoff start within tolerance and are counted apart)."""
    kappa = np.sort(np.asarray(rec["target_eigenvalues"]))
    mu2 = rec["mu2_final"]
    n_below = int(np.sum(kappa < mu2))
    err = np.abs(np.asarray(rec["relative_errors"]))[:n_below]
    # the same ascending order as the recorded spectra: a mode needs training
    # when its target is more than `tolerance` below where it started
    start = np.asarray(rec["spectrum_history"][0])[:n_below]
    target = np.asarray(rec["expected_eigenvalues"])[:n_below]
    far = target < (1 - tolerance) * start
    return {
        "n_modes_below_mu2": n_below,
        "n_modes_learnt": int(np.sum((err <= tolerance) & far)),
        "n_modes_needing_training": int(np.sum(far)),
        "n_modes_within_tolerance_from_the_start": int(np.sum(~far)),
    }


def mnist_regeneration(n_components, *, data, mu2=100.0, n_show=8):
    """Regenerated images vs N_h (scalar-field paper, Fig. 16).

    For each N_h the Gaussian RBM at the fixed point of training under the
    cutoff (:func:`mnist_gaussian_kl` checks that its exact gradient
    vanishes) maps each test image forward and back once,
    ``inverse_transform(transform(x))``.  That pass multiplies each
    eigenmode of the centred data by 1 − κ/μ² (learnt modes) or 0 (modes the
    cutoff removes), so the ultraviolet modes, which carry little variance,
    are the ones lost.  Returns per N_h the mean squared error per pixel on
    the test set, and the first ``n_show`` test images regenerated.

    Parameters
    ----------
    n_components : sequence of int
        Hidden nodes N_h to evaluate.
    data : tuple
        ``(X_train, X_test)``.
    mu2 : float, default=100.0
        The RBM's mass parameter.
    n_show : int, default=8
        Test images whose regenerations are returned.

    Returns
    -------
    result : dict
        ``originals``, the mean image's MSE, and per N_h the mean squared
        error per pixel and the regenerated images.


    Examples
    --------
    >>> import numpy as np
    >>> from skrapid.experiments import mnist_regeneration
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 6)) @ rng.normal(size=(6, 6)) / 5
    >>> r = mnist_regeneration([1, 3, 6], data=(X[:1500], X[1500:]), mu2=100.0)
    >>> mse = [x["mse"] for x in r["by_n_components"]]
    >>> bool(mse[0] > mse[1] > mse[2])
    True
    """
    Xtr, Xte = (np.asarray(a, dtype=np.float64) for a in data)
    mean, C = _centred_covariance(Xtr)
    out = []
    for n_h in n_components:
        rbm, _ = _rbm_at_optimum(C, mu2, n_h, mean)
        R = rbm.inverse_transform(rbm.transform(Xte))
        out.append(
            {
                "n_components": int(n_h),
                "mse": float(np.mean((R - Xte) ** 2)),
                "regenerated": R[:n_show].tolist(),
            }
        )
    return {
        "mu2": mu2,
        "originals": Xte[:n_show].tolist(),
        "mse_of_mean_image": float(np.mean((Xte - mean) ** 2)),
        "by_n_components": out,
    }


def _centred_covariance(X):
    """The data mean and the centred second moment (float64)."""
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    Xc = X - mean
    return mean, Xc.T @ Xc / X.shape[0]


def _regulated_gaussian(C, mu2, n_components):
    """The maximum-likelihood kernel under the RBM's cutoff: the eigenmodes
    of C with the largest variances keep 1/variance when it is below μ²
    (at most N_h of them); every other mode sits at μ²."""
    evals, evecs = np.linalg.eigh(C)
    order = np.argsort(evals)[::-1]
    k = np.full(evals.shape, float(mu2))
    top = order[: int(n_components)]
    with np.errstate(divide="ignore"):
        k[top] = np.minimum(np.where(evals[top] > 0, 1.0 / evals[top], np.inf), mu2)
    return (evecs * k) @ evecs.T


def _rbm_at_optimum(C, mu2, n_components, mean, sigma_h2=1.0):
    """A GaussianRBM whose N_h hidden nodes carry the optimum of
    :func:`_regulated_gaussian`: W = U √((μ² − κ)/σ_h²) on the N_h modes of
    largest variance below the cutoff (eqs. 13, 33), zero columns otherwise.
    Returns it and the norm of its exact log-likelihood gradient relative to
    the norm of its positive phase (zero at a fixed point of training)."""
    from ._gaussian import GaussianRBM, _Covariance, regulated_weights

    evals, evecs = np.linalg.eigh(C)
    W = regulated_weights(evals, evecs, mu2, int(n_components), sigma_h2)
    est = GaussianRBM(
        n_components=int(n_components),
        mu2=mu2,
        sigma_h2=sigma_h2,
        method="exact",
        device="cpu",
    )
    est.fit_covariance(covariance=C, n_epochs=0)
    est.components_ = np.ascontiguousarray(W.T)
    est.kernel_ = est._kernel_np(W, est.mu2_)
    est.mean_ = mean
    est.n_iter_ = 0
    g = est._gradient({"W": W}, _Covariance(C), np, None)["W"]
    pos = np.linalg.norm(sigma_h2 * C @ W)
    return est, float(np.linalg.norm(g) / pos) if pos > 0 else 0.0


def _gaussian_loglik(K, Xc):
    sign, logdet = np.linalg.slogdet(K)
    quad = np.sum((Xc @ K) * Xc, axis=1)
    return float(
        np.mean(-0.5 * quad - 0.5 * K.shape[0] * np.log(2 * np.pi) + 0.5 * logdet)
    )


#: The experiments implemented so far, by name.
EXPERIMENTS = {
    "bars4x4": bars_4x4_hamming,
    "bas12x12": bas_hamming,
    "mnist": mnist_probe,
    "lattice": lattice_spectrum,
    "exact_init": exact_init_stability,
    "mnist_gaussian_kl": mnist_gaussian_kl,
}
