"""RAPID paper, Figs. 6-7: RAPID on binarized MNIST, the NLL by AIS against
the epoch (resumable per epoch), samples and patterns.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np

from .._plotting import _image_grid, _pyplot, _save
from .._records import _array_digest, _resumable_training, _run_seeds
from .._registry import RAPID, _verdict, register
from .ais_units import ais_with_proven_bound
from .mnist import MNIST_METHODS, load_binarized_mnist, mnist_estimator

#: Bump when :func:`mnist_nll_curve` changes what a checkpoint holds or means,
#: so that older checkpoints are not resumed.
_NLL_CHECKPOINT_VERSION = 1


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
    n_reverse_burn_in=None,
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
    n_reverse_burn_in : int, default=None
        With a number, every evaluated epoch also runs reverse AIS (the same
        chains and temperatures) from that many rounds of parallel tempering,
        and records the forward / reverse bracket of the test NLL (None: no
        reverse AIS).
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
    if n_reverse_burn_in is not None:  # older checkpoints keep their key
        settings["n_reverse_burn_in"] = n_reverse_burn_in

    def nll(est, betas, random_state, diag=None):
        # the proven bound, with the evaluated rows' own states: NLL >= F + bound
        d, bound, (f_tr, f_te) = ais_with_proven_bound(
            est, Xtr_eval, Xte_eval, n_chains=n_ais_chains, n_betas=betas,
            random_state=random_state,
        )  # fmt: skip
        rev = None
        if diag is not None and n_reverse_burn_in is not None:
            # reverse AIS from parallel tempering: the other side of the bracket
            rev, bound_rev, _ = ais_with_proven_bound(
                est, method="reverse_ais", n_burn_in=n_reverse_burn_in,
                n_chains=n_ais_chains, n_betas=betas, random_state=random_state,
            )  # fmt: skip
            bound = max(bound, bound_rev)
        log_z = max(d.log_z, bound)
        if diag is not None:
            m = float(f_te.mean())
            diag.update(
                ais_estimate=d.estimate,
                ais_ess=d.ess,
                log_z_lower_bound=bound,
                ais_below_bound=bool(d.estimate < bound),
                test_nll_lower_bound=m + bound,
            )
            if rev is not None:
                diag.update(
                    reverse_ais_estimate=rev.estimate,
                    reverse_ais_ess=rev.ess,
                    test_nll_bracket=[
                        m + max(d.estimate, bound),
                        m + max(rev.estimate, bound),
                    ],
                )
        train = float(f_tr.mean() + log_z)
        return train, float(f_te.mean() + log_z), float(d.std)

    def evaluate(est, epoch, rec):
        betas = n_betas if epoch == max_epochs else n_betas_epoch
        diag = {}
        train, test, std = nll(est, betas, 1000 * seed + epoch, diag)
        for key, value in (
            ("epochs", epoch),
            ("train_nll", train),
            ("test_nll", test),
            ("log_z_std", std),
            ("ais_n_betas", betas),
            *diag.items(),
        ):
            rec.setdefault(key, []).append(value)
        return (
            f"  epoch {epoch}/{max_epochs}: NLL train {train:.2f}, test {test:.2f} "
            f"(± {std:.2f}, AIS {n_ais_chains} x {betas}, ESS "
            f"{diag['ais_ess']:.1f}"
            + (", below its proven bound" if diag["ais_below_bound"] else "")
            + (
                "; forward / reverse [{:.1f}, {:.1f}]".format(*diag["test_nll_bracket"])
                if "test_nll_bracket" in diag
                else ""
            )
            + ")"
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


# --------------------------------------------------------------------------
# the reproduction: skrapid reproduce rapid-fig6-7
# --------------------------------------------------------------------------
#: Full-mode settings of ``rapid-fig6-7`` (RAPID paper, Figs. 6-7): H = 3000,
#: K = 190 (PID seeding 10 Gibbs steps at the patterns, as
#: ``experiments.MNIST_METHODS["rapid"]``), 20 epochs, AIS with 100 chains x
#: 1000 temperatures after every epoch but the last, 10 000 at the last; the
#: Fig. 6c samples from a second model with K = 290 (set
#: ``n_patterns_samples`` to None to skip it and draw them from the K = 190
#: model, which halves the training time).
_FIG6_7_FULL = dict(
    max_epochs=20,
    n_components=3000,
    n_patterns=190,
    n_ais_chains=100,
    n_betas_epoch=1000,
    n_betas=10000,
    n_sample_steps=1000,
    n_patterns_samples=290,
    n_reverse_burn_in=200,
)

#: The literature's standard RBM on binarized MNIST: test log-likelihood of
#: an RBM with H = 500 trained by CD-25 (Salakhutdinov & Murray 2008), the
#: reference the RAPID paper compares with.
_CD25_MNIST_LL = -86.34


def _samples_look_like_digits(rec):
    """How much the Fig. 6c samples look like digits: the number of classes
    a logistic-regression classifier gives them, its median confidence (the
    largest class probability), and their median distance (fraction of
    pixels) to the nearest training image, the latter two next to the same
    for real test digits.  Digit-like: >= 3 classes, confidence >= 0.8 times
    and distance <= 1.5 times the test digits'."""
    classes = sorted(set(rec["sample_classes"]))
    conf = float(np.median(rec["sample_confidence"]))
    conf_ref = float(np.median(rec["test_digit_confidence"]))
    dist = float(np.median(rec["sample_nearest_training_distance"]))
    dist_ref = float(np.median(rec["test_digit_nearest_training_distance"]))
    ok = len(classes) >= 3 and conf >= 0.8 * conf_ref and dist <= 1.5 * dist_ref
    text = (
        f"{len(rec['sample_classes'])} samples of the K = "
        f"{rec['samples_n_patterns']} model: {len(classes)} classes {classes}; "
        f"classifier confidence median {conf:.2f} (test digits {conf_ref:.2f}); "
        f"distance to the nearest training image median {dist:.3f} (test "
        f"digits {dist_ref:.3f})"
    )
    return text, ok


def _rapid_fig6_7(quick, seeds, workdir, progress, data_home=None):
    from ...datasets import make_mnist_like

    if quick:
        X, y = make_mnist_like(1500, random_state=0)
        Xt, yt = make_mnist_like(500, random_state=1)
        data = (X, y, Xt, yt)
        kw = dict(
            max_epochs=5,
            n_components=200,
            n_patterns=40,
            n_ais_chains=32,
            n_betas_epoch=200,
            n_betas=500,
            n_sample_steps=200,
            n_patterns_samples=60,
            n_reverse_burn_in=20,
        )
        source = "make_mnist_like: digits upsampled to 28x28 (quick stand-in)"
    else:
        data = load_binarized_mnist(data_home)
        kw = dict(_FIG6_7_FULL)
        source = "MNIST, x/255 > 0.3, 60000 train / 10000 test"
    recs = []
    for seed in range(seeds or 1):
        # resumable per epoch: the checkpoint (not part of the record's key)
        # is deleted once the seed's record is complete
        recs += _run_seeds(
            mnist_nll_curve,
            [seed],
            workdir / "rapid.jsonl",
            progress=progress,
            extra={"rapid": MNIST_METHODS["rapid"]},
            data=data,
            checkpoint=workdir / f"rapid_seed{seed}.ckpt.joblib",
            **kw,
        )
    tr = np.array([r["train_nll"] for r in recs])
    te = np.array([r["test_nll"] for r in recs])
    rec = recs[0]
    gap = float(np.max(np.abs(te.mean(0) - tr.mean(0)) / te.mean(0)))
    initial, final = float(te.mean(0)[0]), float(te.mean(0)[-1])
    ratio = initial / final
    bounds = [r.get("test_nll_lower_bound") for r in recs]
    initial_bound = float(np.mean([b[0] for b in bounds])) if all(bounds) else None
    classes = sorted(set(rec["samples_from_pattern_classes"]))
    nearest = min(rec["pattern_nearest_training_distance"])
    digits, digit_like = _samples_look_like_digits(rec)
    sm = rec.get("samples_model")
    final_ours = [round(final, 2)]
    if sm:
        final_ours.append(round(float(sm["test_nll"]), 2))
    comparable = final <= 1.1 * -_CD25_MNIST_LL
    return {
        "settings": {
            "data": source,
            **rec["settings"],
            **kw,
            "n_seeds": len(recs),
            "checkpoint": "per seed and epoch in the work folder, deleted when "
            "the seed is done",
        },
        "epochs": rec["epochs"],
        "ais_n_betas": rec["ais_n_betas"],
        "train_nll_mean": tr.mean(0).tolist(),
        "train_nll_std": tr.std(0).tolist(),
        "test_nll_mean": te.mean(0).tolist(),
        "test_nll_std": te.std(0).tolist(),
        "log_z_std": rec["log_z_std"],
        "ais_ess": rec.get("ais_ess"),
        "log_z_lower_bound": rec.get("log_z_lower_bound"),
        "ais_below_bound": rec.get("ais_below_bound"),
        "reverse_ais_estimate": rec.get("reverse_ais_estimate"),
        "reverse_ais_ess": rec.get("reverse_ais_ess"),
        "test_nll_bracket": rec.get("test_nll_bracket"),
        "test_nll_lower_bound": (
            np.mean(bounds, axis=0).tolist() if all(bounds) else None
        ),
        "samples": rec["samples"],
        "samples_n_patterns": rec["samples_n_patterns"],
        "sample_classes": rec["sample_classes"],
        "samples_model": sm,
        "patterns_visible": rec["patterns_visible"],
        "samples_from_pattern": rec["samples_from_pattern"],
        "samples_from_pattern_classes": rec["samples_from_pattern_classes"],
        "run_seconds": float(sum(r["seconds"] for r in recs)),
        "comparisons": [
            {
                "quantity": "test NLL (AIS, nats): initial, its proven lower "
                "bound (mean F(x) + max -F(v) over the states visited), the "
                "final NLL a 10^4 fall would imply, our final NLL and the "
                "ratio. The 10^4 fall cannot be met by any correct model: it "
                "would put the final NLL at the initial bound / 10^4, far below "
                "the best published MNIST models (about 78-86 nats); the final "
                "NLL is compared with the literature in the row below instead",
                "paper": "NLL falls four orders of magnitude (Fig. 6a; the "
                "caption calls the curves lower bounds)",
                "ours": [
                    round(initial, 1),
                    round(initial_bound, 1) if initial_bound is not None else None,
                    round(initial_bound / 1e4, 1) if initial_bound else None,
                    round(final, 1),
                    float(f"{ratio:.3g}"),
                ],
                "verdict": "not a check any model can pass (see quantity)",
            },
            {
                "quantity": "largest |test - train| NLL gap relative to the test NLL",
                "paper": "train and test move in parallel, no overfitting (Fig. 6)",
                "ours": round(gap, 4),
                "verdict": _verdict(gap < 0.02),
            },
            {
                "quantity": "final test NLL (nats; K = 190"
                + (f", and the K = {sm['n_patterns']} samples model" if sm else "")
                + "); comparable = within 10 % of the reference",
                "paper": "comparable to standard RBMs: "
                f"{-_CD25_MNIST_LL} nats (log-likelihood {_CD25_MNIST_LL}, CD-25, "
                "H = 500)",
                "ours": final_ours,
                "verdict": _verdict(comparable) if not quick else "quick mode",
            },
            {
                "quantity": "shown patterns: smallest fraction of pixels differing "
                "from the nearest training image",
                "paper": "patterns do not resemble training samples (Fig. 7a)",
                "ours": round(nearest, 3),
                "verdict": _verdict(nearest > 0.05),
            },
            {
                "quantity": f"digit classes (logistic regression) of "
                f"{len(rec['samples_from_pattern_classes'])} chains seeded at "
                "one pattern",
                "paper": "different digits from one pattern (Fig. 7b)",
                "ours": classes,
                "verdict": _verdict(len(classes) >= 2)
                if not quick
                else "quick mode (the samples are not yet digits)",
            },
            {
                "quantity": "samples from random states look like digits (Fig. "
                "6c): judged digit-like with >= 3 classes, classifier confidence "
                ">= 0.8x and nearest-training-image distance <= 1.5x those of "
                "real test digits",
                "paper": "samples look like digits (Fig. 6c, K = 290)",
                "ours": digits,
                "verdict": _verdict(digit_like) if not quick else "quick mode",
            },
        ],
    }


def _plot_rapid_fig6_7(result, path):
    plt = _pyplot()
    fig, axes = plt.subplots(1, 5, figsize=(17, 3.6))
    ep = np.asarray(result["epochs"])
    half = len(ep) // 2
    for ax, sl, t in (
        (axes[0], slice(None), "(a) NLL by AIS (Fig. 6a)"),
        (axes[1], slice(half, None), "(b) late training (Fig. 6b)"),
    ):
        for key, color in (("train", "C0"), ("test", "C1")):
            m = np.asarray(result[f"{key}_nll_mean"])[sl]
            sd = np.asarray(result[f"{key}_nll_std"])[sl]
            ax.plot(ep[sl], m, color=color, label=key)
            ax.fill_between(ep[sl], m - sd, m + sd, color=color, alpha=0.25)
        ax.set_xlabel("epoch")
        ax.set_ylabel("negative log-likelihood (nats)")
        ax.set_title(t, fontsize=9)
        ax.legend(fontsize=7)
    axes[0].set_yscale("log")
    k = result.get("samples_n_patterns")
    _image_grid(
        axes[2],
        result["samples"],
        4,
        f"(c) samples{f', K = {k}' if k else ''} (Fig. 6c)",
    )
    pats = np.asarray(result["patterns_visible"])
    _image_grid(axes[3], pats, 4, "patterns, visible part (Fig. 7a)")
    axes[3].add_patch(
        plt.Rectangle(
            (-0.5, -0.5),
            int(round(np.sqrt(pats.shape[1]))),
            int(round(np.sqrt(pats.shape[1]))),
            fill=False,
            edgecolor="red",
            lw=2,
        )
    )
    _image_grid(
        axes[4],
        result["samples_from_pattern"],
        4,
        "chains seeded at the red pattern (Fig. 7b)",
    )
    _save(fig, path)


register(
    "rapid-fig6-7",
    RAPID,
    "MNIST RAPID (H = 3000, K = 190, PID + 10 Gibbs steps): train and test "
    "NLL by AIS vs epoch and samples of a K = 290 model (Fig. 6); the "
    "patterns' visible parts and chains seeded at one of them (Fig. 7)",
    _rapid_fig6_7,
    _plot_rapid_fig6_7,
    quick="a 28x28 stand-in made from scikit-learn's digits (1500 "
    "train / 500 test), H = 200, K = 40 (samples: K = 60), 5 epochs, AIS 32 "
    "chains x 200 temperatures per epoch and 500 at the last, 200-sweep "
    "samples",
    notes="The full setting (H = 3000, K = 190, PID + 10 Gibbs "
    "steps, 20 epochs; AIS with 100 chains x 1000 temperatures after every "
    "epoch but the last and 10 000 at the last; the Fig. 6c samples from a "
    "second model with K = 290, as the paper's) trains two H = 3000 models: "
    "~4 h on an idle 2-core CPU (~5 min per epoch of K = 190, ~6 min of "
    "K = 290), about twice that on a shared one. It is resumable per epoch "
    "(a checkpoint per seed in ``OUT/rapid-fig6-7/``, deleted when the seed's "
    "record is written); ``_FIG6_7_FULL['n_patterns_samples'] = None`` skips "
    "the K = 290 model. Fewer AIS temperatures before the last epoch make "
    "those NLLs noisier (AIS errs low on log Z, i.e. high on the NLL), not "
    "the final one. 'Samples look like digits' is judged by a "
    "logistic-regression classifier on the training pixels: at least 3 "
    "classes among the 16 samples, its confidence at least 0.8x and the "
    "distance to the nearest training image at most 1.5x those of real test "
    "digits. Expect the NLL ratio to be short of 10^4: our untrained "
    "H = 3000 model has an NLL of ~3-4 x 10^4 nats (AIS, 20 chains x 300 "
    "temperatures) and the same model after 20 epochs (``rapid-sec5.2``, "
    "docs/results/mnist/rapid_h3000_k190.jsonl) ~1800 nats. Measured "
    "(2026-12-02, 20 495 s over three sessions): the test NLL falls from "
    "44 830 to 1204 by epoch 10, then drifts up to 2229 at epoch 20 with "
    "train and test rising together (the PID + 10 Gibbs training at lr 0.015 "
    "drifting, not overfitting); the K = 290 model's samples collapse to "
    "vertical strokes of one class. The density recipe of the docs' MNIST "
    "table (persistent chains seeded at the patterns, centred) reaches "
    "-86.93 nats at H = 500.",
)
