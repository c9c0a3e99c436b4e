"""The experiments module: quick versions of the papers' runs, on generated data."""

import json

import numpy as np
import pytest

from skrapid import RARBM, BinaryRBM
from skrapid.datasets import make_mnist_like
from skrapid.experiments import (
    BARS_METHODS,
    MNIST_METHODS,
    bars_4x4_estimator,
    mnist_estimator,
    mnist_probe,
    run_seeds,
)


def test_sample_hidden_follows_the_conditional():
    X, _ = make_mnist_like(50, random_state=0)
    rbm = BinaryRBM(n_components=8, max_iter=1, random_state=0).fit(X)
    x = np.repeat(X[:1], 20000, axis=0)
    h = rbm.sample_hidden(x, random_state=1)
    p = rbm.transform(X[:1])[0]
    se = np.sqrt(p * (1 - p) / len(x)) + 1e-12
    assert np.all(np.abs(h.mean(0) - p) < 5 * se + 1e-9)
    # reproducible with a seed, and the states are the units' values
    assert np.array_equal(h[:5], rbm.sample_hidden(x[:5], random_state=1))
    ra = RARBM(n_components=6, n_patterns=2, max_iter=1, random_state=0)
    hs = ra.fit(X * 2 - 1).sample_hidden(X * 2 - 1, random_state=0)
    assert set(np.unique(hs)) <= {-1.0, 1.0}


def test_estimators_carry_the_papers_settings():
    ra = mnist_estimator("rapid", 0)
    assert (ra.n_components, ra.n_patterns, ra.n_gibbs_steps) == (3000, 190, 10)
    assert ra.learning_rate == 0.015 and ra.pattern_constraint == "clip"
    assert isinstance(mnist_estimator("rbm", 0), BinaryRBM)
    assert set(MNIST_METHODS) == {"rapid", "rbm"}
    for m in BARS_METHODS:
        est = bars_4x4_estimator(m, 0)
        assert est.n_components == 1000
        if m != "rapid":
            assert (est.units, est.fit_intercept, est.n_gibbs_steps) == (
                "spin",
                False,
                10,
            )


@pytest.fixture(scope="module")
def mnist_like():
    X, y = make_mnist_like(1200, random_state=0)
    Xt, yt = make_mnist_like(300, random_state=1)
    return X, y, Xt, yt


def test_mnist_probe_quick(mnist_like, tmp_path):
    """The MNIST experiment end to end on MNIST-shaped generated digits: the
    hidden layers carry the class far above chance (0.1), AIS and reverse AIS
    agree within their errors, and finished seeds are kept on resume."""
    path = tmp_path / "mnist.jsonl"
    kw = dict(
        data=mnist_like,
        max_epochs=4,
        n_components=150,
        n_ais_chains=32,
        n_betas=1000,
        progress=lambda *a: None,
    )
    rec = run_seeds(mnist_probe, [0], path, method="rbm", **kw)[0]
    assert rec["probe_means"]["test"] > 0.6
    assert rec["probe_sampled"]["test"] > 0.3
    gap = rec["log_z_reverse_ais"] - rec["log_z_ais"]
    assert abs(gap) < 5 * np.hypot(rec["log_z_ais_std"], rec["log_z_reverse_ais_std"])
    assert rec["test_log_likelihood"] < 0
    ra = mnist_probe(
        "rapid", 0, n_patterns=40, save_model=tmp_path / "{method}-{seed}.joblib", **kw
    )
    import joblib

    saved = joblib.load(tmp_path / "rapid-0.joblib")
    assert saved.patterns_visible_.shape == (40, 784)
    # chance is 0.1; visible biases start at the log-odds since 0.2 (0.37 -> 0.27
    # here after 4 epochs, while the log-likelihood rose from -508 to -428)
    assert ra["probe_means"]["test"] > 0.2
    assert np.isfinite(ra["test_log_likelihood"])
    assert ra["settings"]["n_patterns"] == 40 and ra["n_train"] == 1200
    # resuming skips the finished seed, and the file holds one line per seed
    again = run_seeds(mnist_probe, [0], path, method="rbm", **kw)[0]
    assert again == json.loads(path.read_text().splitlines()[0])


def test_lattice_spectrum_quick():
    """1D lattice, exact negative phase: the spectrum is learnt, the infrared
    mode settles first, and a mass below κ_max pins the modes above it."""
    from skrapid.experiments import lattice_spectrum

    kw = dict(method="exact", learning_rate=0.5, lr_decay=1.0, max_iter=1500)
    r = lattice_spectrum(0, **kw)
    assert r["max_relative_error"] < 1e-4
    first = r["epochs_to_tolerance"]
    assert first[0] < first[-1]
    cut = lattice_spectrum(0, mu2=6.0, **kw)
    assert np.allclose(np.array(cut["eigenvalues"])[-4:], 6.0, rtol=1e-3)
    assert cut["kl"] == pytest.approx(cut["kl_eq_b8"], rel=1e-2)
    assert cut["kl"] > 0.01


def test_gaussian_kl_vs_n_hidden_flattens_beyond_the_cutoff():
    """Held-out log-likelihood of the best RBM a cutoff allows rises with N_h
    and is flat once N_h covers every mode below mu2; a trained model does
    not beat it."""
    from skrapid.experiments import mnist_correlation_spectrum, mnist_gaussian_kl

    rng = np.random.default_rng(0)
    scales = np.r_[np.full(4, 1.0), np.full(8, 0.05)]  # 4 modes below mu2 = 10
    Q, _ = np.linalg.qr(rng.normal(size=(12, 12)))
    Xtr = rng.normal(size=(3000, 12)) * np.sqrt(scales) @ Q.T
    Xte = rng.normal(size=(2000, 12)) * np.sqrt(scales) @ Q.T
    spec = mnist_correlation_spectrum(X=Xtr, center=True)
    assert int(np.sum(spec > 0.1)) == 4
    recs = mnist_gaussian_kl(
        [1, 2, 4, 6, 12],
        data=(Xtr, Xte),
        mu2=10.0,
        max_iter=0,
        progress=lambda *a: None,
    )
    best = [r["best_test_log_likelihood"] for r in recs]
    assert best[0] < best[1] < best[2]
    assert best[2] == pytest.approx(best[3], abs=1e-9) == pytest.approx(best[4])
    assert recs[0]["n_modes_below_mu2"] == 4
    for r in recs:  # an RBM with N_h hidden nodes attains it, at a fixed point
        assert r["rbm_at_optimum_test_log_likelihood"] == pytest.approx(
            r["best_test_log_likelihood"], abs=1e-8
        )
        assert r["relative_gradient_at_optimum"] < 1e-10
    trained = mnist_gaussian_kl(
        [4],
        data=(Xtr, Xte),
        mu2=10.0,
        max_iter=400,
        learning_rate=0.05,
        progress=lambda *a: None,
    )[0]
    best_train = trained["best_train_log_likelihood"]
    assert trained["train_log_likelihood"] <= best_train + 1e-6
    assert trained["test_log_likelihood"] > recs[0]["best_test_log_likelihood"]


# --------------------------------------------------------------------------
# mnist_nll_curve: per-epoch checkpoints, AIS schedules, the samples model
# --------------------------------------------------------------------------
_TIMES = ("seconds", "fit_seconds")


def _nll_data():
    X, y = make_mnist_like(200, random_state=0)
    Xt, yt = make_mnist_like(60, random_state=1)
    return X, y, Xt, yt


def _nll_kw(**kw):
    base = dict(
        data=_nll_data(),
        max_epochs=3,
        n_components=20,
        n_patterns=4,
        n_ais_chains=8,
        n_betas=50,
        n_samples=4,
        n_sample_steps=5,
    )
    return {**base, **kw}


def _without_times(rec):
    rec = {k: v for k, v in rec.items() if k not in _TIMES}
    if rec.get("samples_model"):
        rec["samples_model"] = {
            k: v for k, v in rec["samples_model"].items() if k not in _TIMES
        }
    return rec


class _StopAt:
    """A progress callback that interrupts the run after a chosen line."""

    def __init__(self, prefix):
        self.prefix, self.lines = prefix, []

    def __call__(self, line):
        self.lines.append(line)
        if line.startswith(self.prefix):
            raise KeyboardInterrupt


@pytest.mark.parametrize("n_patterns_samples", [None, 6])
def test_nll_curve_resumes_from_its_checkpoint_with_the_same_record(
    tmp_path, n_patterns_samples
):
    from skrapid.experiments import mnist_nll_curve

    kw = _nll_kw(n_patterns_samples=n_patterns_samples)
    full = mnist_nll_curve(0, progress=lambda line: None, **kw)
    ckpt = tmp_path / "rapid_seed0.ckpt.joblib"
    # interrupted after epoch 1 of the first model (and, with a samples model,
    # after its epoch 2 in a second session)
    stops = ["  epoch 1/3"]
    if n_patterns_samples:
        stops.append("  samples model (K = 6) epoch 2/3")
    sessions = []
    for prefix in stops:
        stop = _StopAt(prefix)
        with pytest.raises(KeyboardInterrupt):
            mnist_nll_curve(0, checkpoint=ckpt, progress=stop, **kw)
        assert ckpt.exists()
        sessions.append(stop.lines)
    lines = []
    resumed = mnist_nll_curve(0, checkpoint=ckpt, progress=lines.append, **kw)
    if n_patterns_samples:
        # the second session resumed the first model at its final epoch
        assert sessions[1][0].startswith("  resuming from epoch 1/3")
        assert sessions[1][3].startswith("  samples model (K = 6) epoch 0/3")
        assert lines[0].startswith("  resuming from epoch 3/3")
        assert lines[1].startswith("  resuming from epoch 2/3")
        assert lines[2].startswith("  samples model (K = 6) epoch 3/3: NLL")
        assert resumed["samples_model"]["n_patterns"] == 6
    else:
        assert lines[0].startswith("  resuming from epoch 1/3")
        assert ckpt.name in lines[0]
        epochs = [line.split(":")[0] for line in lines[1:]]
        assert epochs == ["  epoch 2/3", "  epoch 3/3"]
    assert _without_times(resumed) == _without_times(full)
    # the record is complete: no checkpoint is left behind
    assert list(tmp_path.iterdir()) == []


def test_nll_curve_does_not_reuse_a_checkpoint_of_other_settings(tmp_path):
    from skrapid.experiments import mnist_nll_curve

    ckpt = tmp_path / "rapid.ckpt.joblib"
    with pytest.raises(KeyboardInterrupt):
        mnist_nll_curve(0, checkpoint=ckpt, progress=_StopAt("  epoch 2/"), **_nll_kw())
    lines = []
    with pytest.warns(UserWarning, match="other settings .*n_betas.*starting over"):
        rec = mnist_nll_curve(
            0, checkpoint=ckpt, progress=lines.append, **_nll_kw(n_betas=40)
        )
    assert not any("resuming" in line for line in lines)
    assert lines[0].startswith("  epoch 0/3") and rec["epochs"] == [0, 1, 2, 3]
    assert not ckpt.exists()
    # another seed is another run too
    with pytest.raises(KeyboardInterrupt):
        mnist_nll_curve(0, checkpoint=ckpt, progress=_StopAt("  epoch 0/"), **_nll_kw())
    with pytest.warns(UserWarning, match="seed"):
        mnist_nll_curve(1, checkpoint=ckpt, progress=lines.append, **_nll_kw())


def test_nll_curve_ais_schedules_per_epoch(monkeypatch):
    from skrapid import experiments

    calls = []
    original = RARBM.log_partition_function

    def spy(self, *args, **kwargs):
        calls.append((self.n_patterns, kwargs["n_betas"], kwargs["n_chains"]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RARBM, "log_partition_function", spy)
    rec = experiments.mnist_nll_curve(
        0, progress=lambda line: None, **_nll_kw(n_betas_epoch=20, n_patterns_samples=6)
    )
    # the epochs before the last: n_betas_epoch; the last and the samples
    # model's final NLL: n_betas
    assert calls == [(4, 20, 8), (4, 20, 8), (4, 20, 8), (4, 50, 8), (6, 50, 8)]
    assert rec["ais_n_betas"] == [20, 20, 20, 50]
    assert rec["ais"] == {"n_chains": 8, "n_betas": 50, "n_betas_epoch": 20}
    sm = rec["samples_model"]
    assert sm["n_patterns"] == 6 == rec["samples_n_patterns"] and sm["n_betas"] == 50
    assert np.isfinite(sm["test_nll"]) and np.isfinite(sm["train_nll"])
    assert np.asarray(rec["samples"]).shape == (4, 784)
    assert len(rec["sample_confidence"]) == 4
    assert len(rec["sample_nearest_training_distance"]) == 4
    # default: every epoch uses n_betas, and the samples come from the model
    calls.clear()
    rec = experiments.mnist_nll_curve(0, progress=lambda line: None, **_nll_kw())
    assert [c[1] for c in calls] == [50] * 4 and rec["ais_n_betas"] == [50] * 4
    assert rec["samples_model"] is None and rec["samples_n_patterns"] == 4
