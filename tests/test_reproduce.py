"""`skrapid reproduce`: quick modes assert the papers' qualitative results."""

import json

import numpy as np
import pytest

from skrapid._cli import main
from skrapid.reproduce import REPRODUCTIONS, reproduce

pytest.importorskip("matplotlib")


def test_fig5_6_quick_infrared_modes_first(tmp_path):
    r = reproduce("sfrbm-fig5-6", quick=True, out=tmp_path, progress=lambda *a: None)
    first = r["runs"]["random_exact"]["epochs_to_tolerance"]
    assert first[0] < first[-1]
    assert r["runs"]["random_exact"]["max_relative_error"] < 1e-4
    saved = json.loads((tmp_path / "sfrbm-fig5-6.json").read_text())
    assert saved["mode"] == "quick" and saved["paper"].startswith("Aarts")
    verdicts = {c["quantity"]: c["verdict"] for c in saved["comparisons"]}
    assert any("infrared" in c["paper"] for c in saved["comparisons"])
    assert set(verdicts.values()) <= {"reproduced", "short"}
    assert (tmp_path / "sfrbm-fig5-6.png").stat().st_size > 10_000


def test_fig10_11_quick_modes_above_the_cutoff_are_pinned(tmp_path, capsys):
    assert main(["reproduce", "sfrbm-fig10-11", "--quick", "--out", str(tmp_path)]) == 0
    r = json.loads((tmp_path / "sfrbm-fig10-11.json").read_text())
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
    assert {"sfrbm-fig5-6", "sfrbm-fig10-11"} <= set(REPRODUCTIONS)
