"""``skrapid bench gridsearch``: GridSearchCV fit and score time on digits.

Only the report's structure and arithmetic are checked; speed is not."""

import json

import pytest

from skrapid._bench import GRIDSEARCH_DEFAULTS, GRIDSEARCH_SCORE_SHARE_GOAL
from skrapid._cli import build_parser, main


def test_bench_gridsearch_reports_fit_and_score_shares(tmp_path, capsys):
    path = tmp_path / "gridsearch.json"
    args = [
        "bench",
        "gridsearch",
        "--n-samples",
        "60",
        "--grid-patterns",
        "2",
        "3",
        "--grid-hidden",
        "4",
        "--grid-estimators",
        "rarbm",
        "binary",
        "--grid-folds",
        "2",
        "--grid-max-iter",
        "1",
        "--repeats",
        "2",
        "--json",
        str(path),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "scoring" in out and "of fit + score" in out and "RARBM score" in out
    report = json.loads(path.read_text())
    assert report["benchmark"] == "gridsearch"
    assert report["n_samples"] == 60 and report["n_features"] == 64
    assert report["folds"] == 2 and report["max_iter"] == 1
    assert report["repeats"] == 2
    assert "KFold(n_splits=2" in report["cv"]
    ais = report["scoring"]["ais"]
    assert ais["n_chains"] >= 2 and ais["n_betas"] >= 3
    grids = report["grids"]
    assert grids["RARBM"]["grid"] == {"n_patterns": [2, 3], "n_components": [4]}
    assert grids["BinaryRBM"]["grid"] == {"n_components": [4]}
    for name, candidates in (("RARBM", 2), ("BinaryRBM", 1)):
        g = grids[name]
        assert g["candidates"] == candidates == len(g["cv_results"])
        assert g["settings"]["max_iter"] == 1
        # H = 4 <= 20: score's log Z is exact, once per candidate and fold
        assert g["log_z"] == {"exact": {"scores": candidates * 2}}
        for row in g["cv_results"]:
            assert row["mean_test_score"] < 0  # a log-likelihood, in nats
        res = report["results"]
        fit, score, total = (res[f"{name} {p}"] for p in ("fit", "score", "total"))
        for r in (fit, score, total):
            assert len(r["seconds"]) == 2 and r["median"] > 0
        assert fit["share"] + score["share"] == pytest.approx(1, abs=1e-9)
        shares = report["shares"][name]
        assert shares["fit"] == fit["share"] and shares["score"] == score["share"]
        assert 0 < shares["score"] < 1
        assert shares["goal_score_at_most"] == GRIDSEARCH_SCORE_SHARE_GOAL
        assert shares["meets_goal"] == (shares["score"] <= 0.5)
        # the search's wall time holds its fits and scores (and some overhead)
        for t, f, s, o in zip(
            total["seconds"],
            fit["seconds"],
            score["seconds"],
            total["overhead_seconds"],
            strict=True,
        ):
            assert t == pytest.approx(f + s + o) and t >= f + s


def test_bench_gridsearch_options():
    args = build_parser().parse_args(["bench", "gridsearch"])
    assert args.grid_patterns == GRIDSEARCH_DEFAULTS["patterns"]
    assert args.grid_hidden == GRIDSEARCH_DEFAULTS["hidden"]
    assert args.grid_estimators == GRIDSEARCH_DEFAULTS["estimators"]
    assert args.grid_folds == GRIDSEARCH_DEFAULTS["folds"]
    assert args.grid_max_iter == GRIDSEARCH_DEFAULTS["max_iter"]


@pytest.mark.parametrize(
    "option, value",
    [("--grid-folds", "1"), ("--grid-max-iter", "0"), ("--grid-hidden", "0")],
)
def test_bench_gridsearch_options_are_checked(option, value, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["bench", "gridsearch", option, value])
    assert exc.value.code == 2
    assert f"error: argument {option}: expected" in capsys.readouterr().err
