"""`skrapid reproduce`: quick modes assert the papers' qualitative results."""

import json

import numpy as np
import pytest

from skrapid._cli import main
from skrapid.reproduce import REPRODUCTIONS, read_record, reproduce, results_page

pytest.importorskip("matplotlib")


def test_fig5_6_quick_infrared_modes_first(tmp_path):
    r = reproduce("sfrbm-fig5-6", quick=True, out=tmp_path, progress=lambda *a: None)
    first = r["runs"]["random_exact"]["epochs_to_tolerance"]
    assert first[0] < first[-1]
    assert r["runs"]["random_exact"]["max_relative_error"] < 1e-4
    saved = read_record(tmp_path / "sfrbm-fig5-6.quick.json")
    assert saved["mode"] == "quick" and saved["paper"].startswith("Aarts")
    verdicts = {c["quantity"]: c["verdict"] for c in saved["comparisons"]}
    assert any("infrared" in c["paper"] for c in saved["comparisons"])
    assert set(verdicts.values()) <= {"reproduced", "short"}
    assert (tmp_path / "sfrbm-fig5-6.quick.png").stat().st_size > 10_000


def test_fig10_11_quick_modes_above_the_cutoff_are_pinned(tmp_path, capsys):
    assert main(["reproduce", "sfrbm-fig10-11", "--quick", "--out", str(tmp_path)]) == 0
    r = read_record(tmp_path / "sfrbm-fig10-11.quick.json")
    for key, n_pinned in (("cutoff_mu2", 5), ("cutoff_nh7", 3), ("cutoff_nh6", 4)):
        run = r["runs"][key]
        lam = np.array(run["eigenvalues"])
        assert np.allclose(lam[-n_pinned:], run["mu2"], rtol=0.01)
        # the learnt infrared modes sit below the cutoff
        assert lam[0] < 4.5 < run["mu2"]
    assert "wrote" in capsys.readouterr().out


def test_unknown_experiment_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown experiment"):
        reproduce("fig99")
    assert {"sfrbm-fig5-6", "sfrbm-fig7", "sfrbm-fig10-11"} <= set(REPRODUCTIONS)


def _run(name, tmp_path):
    return reproduce(name, quick=True, out=tmp_path, progress=lambda *a: None)


def test_fig7_quick_learnable_mu2_rises_towards_kappa_max(tmp_path):
    r = _run("sfrbm-fig7", tmp_path)
    ex = r["runs"]["learn_mu2_exact"]
    assert ex["mu2_history"][0] < 6.1 < 7.5 < ex["mu2_final"] <= 8.0 + 1e-6
    # with decay the mass freezes below the exact run's value (Fig. 19)
    assert r["runs"]["learn_mu2_pcd_decay"]["mu2_final"] < ex["mu2_final"]


def test_fig9_quick_2d_degeneracies_emerge(tmp_path):
    r = _run("sfrbm-fig9", tmp_path)
    lam = np.array(r["runs"]["lr_decay"]["eigenvalues"])
    levels = np.array([4.0, 6.0, 8.0, 10.0, 12.0])
    nearest = levels[np.argmin(np.abs(lam[:, None] - levels), axis=1)]
    assert [int(np.sum(nearest == v)) for v in levels] == [1, 4, 6, 4, 1]
    inner = lam[1:-1]  # the degenerate infrared/middle groups are tight
    assert np.max(np.abs(inner - nearest[1:-1])) < 0.1


def test_fig12_and_fig18_quick(tmp_path):
    r = _run("sfrbm-fig12", tmp_path)
    for key, n, mu2 in (("cutoff_mu2_2d", 5, 9.0), ("cutoff_nh8_2d", 8, 16.0)):
        lam = np.array(r["runs"][key]["eigenvalues"])
        assert np.allclose(lam[-n:], mu2, rtol=0.01)
    r = _run("sfrbm-fig18", tmp_path)
    a = r["runs"]["no_decay"]["max_relative_error"]
    b = r["runs"]["decay_r099_n128"]["max_relative_error"]
    assert b < a


def test_fig13_17_quick_likelihood_flattens_at_the_modes_below_mu2(tmp_path):
    r = _run("sfrbm-fig13-17", tmp_path)
    recs = r["kl_vs_nh"]
    n_below = recs[0]["n_modes_below_mu2"]
    best = np.array([x["best_test_log_likelihood"] for x in recs])
    nh = np.array([x["n_components"] for x in recs])
    assert np.all(np.diff(best[nh <= n_below]) > 0)
    assert np.allclose(best[nh >= n_below], best[nh >= n_below][0])
    assert r["comparisons"][0]["paper"] == 289


def test_fig3_4_quick_exact_inits_start_exact_and_keep_their_structure(tmp_path):
    r = _run("sfrbm-fig3-4", tmp_path)
    for key in ("cholesky", "symmetric"):
        run = r["runs"][key]
        assert run["initial_max_relative_error"] < 1e-10
        assert run["mean_relative_deviation"] < 0.05
    parts = r["runs"]["cholesky"]["parts_history"]
    assert parts[0]["upper"] == 0.0 and parts[-1]["upper"] < 0.2 * parts[-1]["lower"]
    sym = r["runs"]["symmetric"]["parts_history"]
    assert sym[0]["antisymmetric"] < 1e-12 < sym[-1]["antisymmetric"]
    assert sym[-1]["antisymmetric"] < 0.05 * sym[-1]["symmetric"]


def test_fig2_quick_odes_and_training_reach_the_paper_fixed_points(tmp_path):
    r = _run("sfrbm-fig2", tmp_path)
    expected = {
        "mu2 > k2 > k1": [0.2, 0.4],  # eq. 59: both learnt
        "k1 > mu2 > k2": [0.2, 0.4],  # eq. 62: κ_2 learnt, the other at μ² = 0.4
        "learnable mu2": [0.2, 0.7],  # μ² rises to κ_max, both learnt
    }
    for key, exp in expected.items():
        run = r["runs"][key]
        for how in ("reduced", "matrix", "trained"):
            lam = np.sort(np.asarray(run[how]["eigenvalues"])[:, -1])
            np.testing.assert_allclose(lam, exp, atol=5e-3)
        # the paper's reduced ODEs and the matrix flow are the same flow
        np.testing.assert_allclose(
            run["reduced"]["eigenvalues"], run["matrix"]["eigenvalues"], atol=1e-5
        )
    assert abs(r["runs"]["k1 > mu2 > k2"]["reduced"]["delta_theta"][-1]) == (
        pytest.approx(np.pi / 2, abs=1e-3)
    )


def test_rapid_fig3_quick_rapid_beats_cd10(tmp_path):
    r = _run("rapid-fig3", tmp_path)
    rapid, cd = r["curves"]["rapid"], r["curves"]["cd10"]
    assert rapid["first_epoch_mean_test_le_0.05"] is not None
    assert rapid["first_epoch_mean_test_le_0.05"] <= 30
    assert rapid["test_mean"][-1] < cd["test_mean"][-1] - 0.1
    # finished seeds are kept: a second run reads them back
    lines = (tmp_path / "rapid-fig3" / "quick" / "rapid.jsonl").read_text().splitlines()
    assert len(lines) == 3
    again = _run("rapid-fig3", tmp_path)
    assert again["curves"]["rapid"]["test_mean"] == rapid["test_mean"]


def test_rapid_probe_quick_hidden_layers_carry_the_class(tmp_path):
    r = _run("rapid-sec5.2", tmp_path)
    rapid, rbm = r["runs"]["rapid"][0], r["runs"]["rbm"][0]
    assert rbm["probe_means"]["test"] > 0.5  # chance is 0.1
    assert rapid["probe_sampled"]["test"] > 0.15
    for rec in (rapid, rbm):
        gap = rec["log_z_reverse_ais"] - rec["log_z_ais"]
        assert abs(gap) < 5 * np.hypot(
            rec["log_z_ais_std"], rec["log_z_reverse_ais_std"]
        )
    assert r["comparisons"][0]["paper"] == 0.9384


def test_rapid_fig1_quick_ra_weights_keep_the_ground_state_accessible(tmp_path):
    r = _run("rapid-fig1", tmp_path)
    ra, g = r["curves"]["ra"], r["curves"]["gaussian"]
    # tiny weights: paramagnetic, all models far from the ground state
    assert max(ra["mean"][0], g["mean"][0]) < 0.4
    # the plateau: RA-RBMs reach the ground state, random RBMs do not always
    assert ra["mean"][-2] > 0.97 and ra["mean"][-2] > g["mean"][-2]
    assert r["inset"]["gaussian"][-1] < r["inset"]["ra"][-1]


def test_gibbs_accessibility_accepts_a_known_ground_energy():
    from skrapid.experiments.rapid.accessibility import (
        _spin_rbm_with_weights,
        random_weights,
    )
    from skrapid.metrics import gibbs_accessibility, ground_state_energy

    W = random_weights("gaussian", 8, 30, np.random.default_rng(0))
    e0 = ground_state_energy(_spin_rbm_with_weights(W))[0]
    est = _spin_rbm_with_weights(3.0 * W)
    assert ground_state_energy(est)[0] == pytest.approx(3.0 * e0)
    a = gibbs_accessibility(est, random_state=0)
    b = gibbs_accessibility(est, random_state=0, ground_energy=3.0 * e0)
    assert a == pytest.approx(b)


def test_results_page_lists_every_run_with_paper_and_ours(tmp_path):
    _run("sfrbm-fig18", tmp_path)
    _run("sfrbm-fig10-11", tmp_path)
    page = (tmp_path / "results.rst").read_text()
    assert page.index("``sfrbm-fig10-11``") < page.index("``sfrbm-fig18``")
    assert "quick mode" in page and ".. image:: sfrbm-fig18.quick.png" in page
    r = read_record(tmp_path / "sfrbm-fig18.quick.json")
    assert r["comparisons"][0]["verdict"] in page
    docutils = pytest.importorskip("docutils.core")
    import io

    err = io.StringIO()
    docutils.publish_doctree(
        page, settings_overrides={"warning_stream": err, "report_level": 2}
    )
    assert err.getvalue() == ""


def test_quick_results_never_replace_full_ones(tmp_path):
    _run("sfrbm-fig18", tmp_path)
    # a full-mode record of the same experiment, as `skrapid reproduce` writes
    full = read_record(tmp_path / "sfrbm-fig18.quick.json")
    full.update(mode="full", seconds=1234.0)
    full["comparisons"][0]["ours"] = "the full-mode number"
    (tmp_path / "sfrbm-fig18.json").write_text(json.dumps(full))
    quick = _run("sfrbm-fig18", tmp_path)  # a later quick run in the same folder
    assert read_record(tmp_path / "sfrbm-fig18.json") == full
    page = results_page(tmp_path)
    assert "the full-mode number" in page and ".. image:: sfrbm-fig18.png" in page
    row = page[page.index("   * - ``sfrbm-fig18``") :].splitlines()[:6]
    assert row[1].strip() == "- full" and row[2].strip() == "- 1234"
    assert row[4].strip() == f"- {quick['seconds']:.1f}"


def test_rapid_fig4_quick_four_singular_values_stand_out(tmp_path):
    r = _run("rapid-fig4", tmp_path)
    for method in ("rapid", "cd10"):
        s = np.asarray(r["singular_values"][method])
        assert s[3] > 3 * s[4]  # four large singular values (4 bar positions)


def test_rapid_fig5_quick_bas_train_and_test_fall_together(tmp_path):
    r = _run("rapid-fig5", tmp_path)
    tr, te = np.array(r["train_mean"]), np.array(r["test_mean"])
    assert te[-1] < 0.5 * te[0]  # learning
    assert np.max(np.abs(tr - te)) < 0.02  # generalizing, not memorizing


def test_bas_clamp_mask_is_perpendicular_to_the_lines():
    from skrapid.datasets import make_bars_and_stripes
    from skrapid.experiments import bas_clamp_mask

    X = make_bars_and_stripes(4)
    m = bas_clamp_mask(X, 4).reshape(-1, 4, 4)
    imgs = X.reshape(-1, 4, 4)
    for img, mask in zip(imgs, m, strict=True):
        assert mask.sum() == 4
        kept = img[mask]
        # the kept line determines the whole image
        if mask[0].all():
            assert np.array_equal(np.tile(kept, (4, 1)), img)
        else:
            assert mask[:, 0].all()
            assert np.array_equal(np.tile(kept[:, None], (1, 4)), img)


def test_rapid_fig2_quick_ra_models_start_where_sampling_is_easy(tmp_path):
    r = _run("rapid-fig2", tmp_path)
    rapid, cd = r["curves"]["rapid"], r["curves"]["cd10"]
    # Fig. 2a: the RA-RBM starts at the ground state, the small-weight RBM
    # (paramagnetic) far from it
    assert rapid["gibbs_accessibility"][0] > 0.9 > 0.5 > cd["gibbs_accessibility"][0]
    # Fig. 2b: the patterns are much closer to the ground state than CD's
    # chains early in training; PCD has no chains before the first update
    assert rapid["method_accessibility"][1] > cd["method_accessibility"][1] + 0.3
    assert all(0 < a <= 1 + 1e-9 for a in rapid["gibbs_accessibility"])
    verdicts = [c["verdict"] for c in r["comparisons"]]
    assert verdicts[0] == verdicts[2] == "reproduced"


def test_sfrbm_fig14_16_quick_infrared_first_and_regeneration(tmp_path):
    r = _run("sfrbm-fig14-16", tmp_path)
    fixed = r["runs"]["fixed_mu2"]
    n_below = fixed["n_modes_below_mu2"]
    # Fig. 14: the spectrum starts near mu2 and the infrared modes move first
    assert min(fixed["spectrum_history"][0]) > 50
    half = [e for e in fixed["epochs_to_halfway"][:n_below] if e is not None]
    assert len(half) > 10 and np.all(np.diff(half[:10]) >= 0)
    assert 0 < fixed["n_modes_learnt"] < fixed["n_modes_needing_training"] <= n_below
    # the learnt modes are the infrared ones, within 5% of kappa
    err = np.abs(fixed["relative_errors"][:5])
    assert np.all(err < 0.05)
    # Fig. 16: one pass forward and back loses less as N_h grows
    mse = [x["mse"] for x in r["regeneration"]["by_n_components"]]
    assert np.all(np.diff(mse) < 0) and mse[-1] < 0.2 * mse[0]
    assert r["comparisons"][1]["verdict"] == "reproduced"


def test_rapid_fig6_7_quick_nll_falls_in_parallel_on_train_and_test(tmp_path):
    # interrupted after epoch 2: the run resumes there from its checkpoint
    work = tmp_path / "rapid-fig6-7" / "quick"

    def stop(line):
        if line.startswith("  epoch 2/5"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reproduce("rapid-fig6-7", quick=True, out=tmp_path, progress=stop)
    assert (work / "rapid_seed0.ckpt.joblib").exists()
    lines = []
    r = reproduce("rapid-fig6-7", quick=True, out=tmp_path, progress=lines.append)
    assert any(line.startswith("  resuming from epoch 2/5") for line in lines)
    assert not any(line.startswith("  epoch 2/5") for line in lines)
    assert not list(work.glob("*.joblib"))  # deleted once the record is kept
    tr, te = np.array(r["train_nll_mean"]), np.array(r["test_nll_mean"])
    assert np.all(np.diff(te) < 0) and te[-1] < 0.2 * te[0]
    # AIS error bars are small next to the changes measured
    assert max(r["log_z_std"]) < 0.05 * (te[0] - te[-1])
    assert np.max(np.abs(te - tr) / te) < 0.02
    # a cheaper AIS schedule before the last epoch
    assert r["ais_n_betas"] == [200] * 5 + [500]
    # patterns are not copies of training images; samples from one pattern
    # are images of the model's size; the Fig. 6c samples come from K = 60
    assert r["comparisons"][3]["ours"] > 0.05
    assert np.asarray(r["samples_from_pattern"]).shape == (16, 784)
    assert r["samples_n_patterns"] == r["samples_model"]["n_patterns"] == 60
    assert np.asarray(r["samples"]).shape == (16, 784)
    # the 10^4 row: initial, its proven bound, the implied final, final, ratio
    initial, bound, implied, final, ratio = r["comparisons"][0]["ours"]
    assert bound <= initial + 1e-6 and implied == pytest.approx(bound / 1e4, abs=0.1)
    assert ratio == pytest.approx(te[0] / te[-1], rel=1e-2)
    assert r["comparisons"][0]["verdict"].startswith("not a check")
    # diagnostics per epoch: ESS and the proven bound
    assert len(r["ais_ess"]) == len(r["epochs"]) and min(r["ais_ess"]) > 0
    assert len(r["log_z_lower_bound"]) == len(r["epochs"])
    # and the forward / reverse bracket, each side at or above the proven bound
    brackets = np.array(r["test_nll_bracket"])
    assert brackets.shape == (len(r["epochs"]), 2)
    assert np.all(brackets >= np.array(r["test_nll_lower_bound"])[:, None] - 1e-6)
    assert len(r["reverse_ais_ess"]) == len(r["epochs"])
    assert len(r["comparisons"][2]["ours"]) == 2  # K = 40 and the K = 60 model
    assert "classifier confidence" in r["comparisons"][5]["ours"]


def test_rapid_fig6_7_checkpoint_is_not_part_of_the_record_key():
    from skrapid import experiments as E
    from skrapid.experiments._records import _record_settings, _settings_key

    def key(**kw):
        return _settings_key(_record_settings(E.mnist_nll_curve, kw))

    assert key(checkpoint="a.joblib", n_betas=5) == key(checkpoint="b", n_betas=5)
    assert key(n_betas=5) != key(n_betas=5, n_betas_epoch=4)
    assert "checkpoint" not in _record_settings(E.mnist_nll_curve, {})["arguments"]


def test_every_experiment_has_a_quick_test_and_a_documented_quick_mode():
    import re
    from pathlib import Path

    source = Path(__file__).read_text()
    tested = set(re.findall(r'_run\("([a-z0-9.\-]+)"', source))
    tested |= set(re.findall(r'reproduce\("([a-z0-9.\-]+)", quick=True', source))
    tested |= set(re.findall(r'"reproduce", "([a-z0-9.\-]+)", "--quick"', source))
    assert set(REPRODUCTIONS) <= tested, set(REPRODUCTIONS) - tested
    for rep in REPRODUCTIONS.values():
        assert rep.quick and rep.what


def test_rapid_fig6_7_full_mode_path_with_tiny_settings(tmp_path, monkeypatch):
    """The full-mode branch (verdicts, the K = 290 samples model) on tiny
    stand-in data and sizes: the real full mode takes hours."""
    from skrapid import experiments as E
    from skrapid.datasets import make_mnist_like
    from skrapid.experiments.rapid import mnist_nll as R

    full = R._FIG6_7_FULL
    assert (full["n_components"], full["n_patterns"], full["max_epochs"]) == (
        3000,
        190,
        20,
    )
    assert (full["n_betas_epoch"], full["n_betas"]) == (1000, 10000)
    assert full["n_patterns_samples"] == 290 and full["n_reverse_burn_in"] == 200
    assert E.MNIST_METHODS["rapid"]["n_gibbs_steps"] == 10
    assert E.MNIST_METHODS["rapid"]["negative_phase"] == "pid"
    X, y = make_mnist_like(200, random_state=0)
    Xt, yt = make_mnist_like(60, random_state=1)
    monkeypatch.setattr(R, "load_binarized_mnist", lambda data_home: (X, y, Xt, yt))
    tiny = dict(full, max_epochs=2, n_components=20, n_patterns=4, n_ais_chains=8)
    tiny.update(n_betas_epoch=20, n_betas=50, n_sample_steps=5, n_patterns_samples=6)
    monkeypatch.setattr(R, "_FIG6_7_FULL", tiny)
    r = reproduce("rapid-fig6-7", out=tmp_path, progress=lambda *a: None)
    assert r["mode"] == "full" and r["ais_n_betas"] == [20, 20, 50]
    assert len(r["test_nll_bracket"]) == 3 and r["settings"]["n_reverse_burn_in"]
    assert r["settings"]["n_patterns"] == 4 and r["settings"]["n_gibbs_steps"] == 10
    verdicts = [c["verdict"] for c in r["comparisons"]]
    assert verdicts[0].startswith("not a check") and len(verdicts) == 6
    assert set(verdicts[1:]) <= {"reproduced", "short"}
    assert r["comparisons"][2]["paper"].startswith("comparable to standard RBMs: 86.34")
    assert "K = 6 model" in r["comparisons"][5]["ours"]
    assert not list((tmp_path / "rapid-fig6-7").glob("*.joblib"))


def test_rapid_fig6_runs_quick_says_what_each_run_ran(tmp_path):
    r = reproduce("rapid-fig6-runs", quick=True, out=tmp_path, progress=lambda *a: None)
    runs = r["runs"]
    assert set(runs) == {"paper-units", "notebook", "library-01"}
    # what each ran is in its record
    assert runs["paper-units"]["params"]["units"] == "spin"
    assert runs["paper-units"]["params"]["fit_intercept"] is False
    assert runs["library-01"]["params"]["units"] == "bernoulli"
    assert runs["notebook"]["params"]["n_gibbs_steps"] == 1
    for rec in runs.values():
        for e in rec["evaluations"]:
            # the NLL is never below its proven lower bound, and positive
            assert e["test_nll"] >= e["test_nll_proven_lower_bound"] - 1e-6 > 0
            assert e["ais_ess"] >= 1.0 - 1e-9
    # the misapplied {0, 1} AIS lands below the spin models' proven bound
    wrong = r["comparisons"][-1]["ours"]
    assert set(wrong) == {"paper-units", "notebook"}
    assert all(below > 0 for _, below in wrong.values())
    assert r["comparisons"][-1]["verdict"].startswith("inference")
    # a rerun reads the finished runs back
    lines = []
    reproduce("rapid-fig6-runs", quick=True, out=tmp_path, progress=lines.append)
    assert sum("already done" in line for line in lines) == 3
