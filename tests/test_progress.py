"""Progress a user can follow: verbose epoch lines with ETA, verbose=2 detail,
and AIS progress (a tqdm bar, or plain lines without tqdm), silent by default."""

import re
import sys
import types

import numpy as np
import pytest

from skrapid import BinaryRBM
from skrapid._partition import PROGRESS_EVERY, ais_log_partition, default_betas
from skrapid._progress import ProgressReporter, format_duration, natural_key


def data(n=60, V=8, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n, V)) < 0.3).astype(float)


def no_tqdm(monkeypatch):
    """Make ``from tqdm.auto import tqdm`` fail, as without tqdm installed."""
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)


def fake_tqdm(monkeypatch):
    """A stand-in ``tqdm.auto`` module that records its bars."""
    bars = []

    class Bar:
        def __init__(self, total=None, desc=None, **kw):
            self.total, self.desc, self.n, self.closed = total, desc, 0, False
            self.kw = kw
            bars.append(self)

        def update(self, k):
            self.n += k

        def close(self):
            self.closed = True

    auto = types.ModuleType("tqdm.auto")
    auto.tqdm = Bar
    pkg = types.ModuleType("tqdm")
    pkg.auto = auto
    monkeypatch.setitem(sys.modules, "tqdm", pkg)
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)
    return bars


LINE = re.compile(
    r"^\[BinaryRBM\] epoch (\d+)/3, elapsed [\d.]+s, ETA [\d.]+s: "
    r"epoch time [\d.]+s, learning rate 0\.1"
)


def test_verbose_1_lines_give_epoch_of_n_elapsed_and_eta(capsys):
    rbm = BinaryRBM(n_components=3, max_iter=3, verbose=1, random_state=0)
    rbm.fit(data())
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert [int(LINE.match(line).group(1)) for line in out] == [1, 2, 3]
    # the monitored quantities are still there
    assert all("log likelihood" in line for line in out)
    assert out[-1].split("ETA ")[1].startswith("0.00s")


def test_partial_fit_lines_give_epoch_without_total(capsys):
    rbm = BinaryRBM(n_components=3, verbose=1, random_state=0)
    rbm.partial_fit(data()).partial_fit(data(seed=1))
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [
        "[BinaryRBM] epoch 1",
        "[BinaryRBM] epoch 2",
    ]
    assert all("epoch time " in line and "ETA" not in line for line in out)
    # a later fit counts its own epochs again
    rbm.set_params(max_iter=2).fit(data())
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[BinaryRBM] epoch 1/2, elapsed")


def test_verbose_2_adds_gradient_norms_and_chain_statistics(capsys):
    X = data()
    BinaryRBM(n_components=3, max_iter=2, verbose=2, random_state=0).fit(X)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4  # an epoch line and a detail line per epoch
    assert out[0].startswith("[BinaryRBM] epoch 1/2") and out[2].startswith(
        "[BinaryRBM] epoch 2/2"
    )
    detail = out[1]
    assert detail.startswith("    mean |grad W| ")
    assert "mean |grad b| " in detail and "(over 6 updates)" in detail
    assert "|W| max " in detail and "|W|_F " in detail
    assert "chains mean v " in detail and "mean h " in detail
    norm = float(re.search(r"mean \|grad W\| ([\d.e+-]+)", detail).group(1))
    assert np.isfinite(norm) and norm > 0
    # parallel tempering: the swap acceptance of every pair of temperatures
    BinaryRBM(n_components=3, max_iter=1, method="pt", verbose=2, random_state=0).fit(X)
    out = capsys.readouterr().out.splitlines()
    assert "swap acceptance per pair [" in out[1]


def test_verbose_1_has_no_detail_and_training_does_not_change(capsys):
    X = data()
    quiet = BinaryRBM(n_components=3, max_iter=2, random_state=0).fit(X)
    loud = BinaryRBM(n_components=3, max_iter=2, verbose=2, random_state=0).fit(X)
    np.testing.assert_array_equal(quiet.components_, loud.components_)
    assert set(quiet.history_) == set(loud.history_)
    capsys.readouterr()
    BinaryRBM(n_components=3, max_iter=2, verbose=1, random_state=0).fit(X)
    assert "grad" not in capsys.readouterr().out


def test_nothing_printed_at_verbose_0_including_score_and_ais(monkeypatch, capsys):
    import skrapid._scoring as scoring

    # score's "auto" log Z runs AIS on this small model, with a short schedule
    monkeypatch.setattr(scoring, "AUTO_EXACT_UNITS", 2)
    monkeypatch.setattr(scoring, "default_betas", lambda n: default_betas(600))
    X = data(V=10)
    rbm = BinaryRBM(n_components=4, max_iter=1, random_state=0).fit(X)
    rbm.log_partition_function("ais", n_betas=600, random_state=0)
    rbm.log_partition_function("reverse_ais", n_betas=600, n_burn_in=2)
    rbm._logz_cache = {}
    rbm.score(X)
    assert rbm._logz_cache["method"] == "ais"
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_1_score_shows_the_ais_progress(monkeypatch, capsys):
    import skrapid._scoring as scoring

    no_tqdm(monkeypatch)
    monkeypatch.setattr(scoring, "AUTO_EXACT_UNITS", 2)
    monkeypatch.setattr(scoring, "default_betas", lambda n: default_betas(600))
    X = data(V=10)
    rbm = BinaryRBM(n_components=4, max_iter=1, verbose=1, random_state=0).fit(X)
    capsys.readouterr()
    rbm.score_samples(X)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1].startswith("[BinaryRBM] AIS log Z: 100%")


def test_ais_progress_callback_is_called_and_reaches_total():
    X = data(V=10)
    rbm = BinaryRBM(n_components=4, max_iter=1, random_state=0).fit(X)
    calls = []
    rbm.log_partition_function(
        "ais", n_betas=1000, progress=lambda d, t: calls.append((d, t))
    )
    total = len(default_betas(1000)) - 1
    assert calls[-1] == (total, total)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(calls) == total // PROGRESS_EVERY + 1
    # nothing for exact enumeration
    calls.clear()
    rbm.log_partition_function("exact", progress=lambda d, t: calls.append(d))
    assert calls == []


def test_ais_progress_counts_every_chunk_of_chains(monkeypatch):
    import skrapid._partition as P

    X = data(V=10)
    rbm = BinaryRBM(n_components=4, max_iter=1, random_state=0).fit(X)
    model, _ = rbm._fitted_model()
    monkeypatch.setattr(P, "_AIS_CHUNK_ELEMENTS", 10 * 30)  # 30 chains a chunk
    betas = default_betas(600)
    calls = []
    ais_log_partition(
        model,
        base_bias=np.zeros(10),
        n_chains=70,
        betas=betas,
        rng=rbm._device_rng(np),
        progress=lambda d, t: calls.append((d, t)),
    )
    total = 3 * (len(betas) - 1)  # three chunks
    assert {t for _, t in calls} == {total} and calls[-1][0] == total
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_verbose_1_ais_shows_plain_lines_without_tqdm(monkeypatch, capsys):
    no_tqdm(monkeypatch)
    rbm = BinaryRBM(n_components=4, max_iter=1, random_state=0).fit(data(V=10))
    capsys.readouterr()
    rbm.set_params(verbose=1)
    rbm.log_partition_function("ais", n_betas=2500)
    captured = capsys.readouterr()
    assert captured.out == ""  # progress goes to stderr; stdout keeps results
    lines = captured.err.splitlines()
    assert lines and all(line.startswith("[BinaryRBM] AIS log Z: ") for line in lines)
    assert "100% (2500/2500 temperatures)" in lines[-1] and "ETA" in lines[-1]
    assert 5 <= len(lines) <= 11  # about every 10 %
    # progress=False wins over verbose
    rbm.log_partition_function("ais", n_betas=2500, progress=False)
    assert capsys.readouterr().err == ""


def test_tqdm_bar_is_used_when_installed(monkeypatch, capsys):
    bars = fake_tqdm(monkeypatch)
    rbm = BinaryRBM(n_components=4, max_iter=1, random_state=0).fit(data(V=10))
    rbm.log_partition_function("reverse_ais", n_betas=1000, progress=True)
    assert len(bars) == 1
    bar = bars[0]
    assert bar.desc == "[BinaryRBM] reverse AIS log Z" and bar.closed
    assert bar.n == bar.total == len(default_betas(1000)) - 1
    assert capsys.readouterr().err == ""  # no plain lines next to the bar


def test_real_tqdm_bar(capsys):
    pytest.importorskip("tqdm")
    rbm = BinaryRBM(n_components=4, max_iter=1, random_state=0).fit(data(V=10))
    rbm.log_partition_function("ais", n_betas=600, progress=True)
    assert "AIS log Z" in capsys.readouterr().err


def test_progress_argument_is_checked():
    rbm = BinaryRBM(n_components=2, max_iter=1, random_state=0).fit(data(V=4))
    with pytest.raises(ValueError, match="progress must be None, a bool"):
        rbm.log_partition_function("ais", progress="yes")


def test_reporter_plain_lines_and_helpers():
    import io

    buf = io.StringIO()
    rep = ProgressReporter("job", unit="step", step=0.25, file=buf, use_tqdm=False)
    for d in range(0, 101, 5):
        rep(d, 100)
    rep(100, 100)  # after the end: nothing more
    lines = buf.getvalue().splitlines()
    percents = [line.split(":")[1].split("%")[0].strip() for line in lines]
    assert percents == ["25", "50", "75", "100"]
    assert lines[-1].startswith("job: 100% (100/100 steps)")
    assert format_duration(0.5) == "0.50s" and format_duration(75) == "1m15s"
    assert format_duration(2 * 3600 + 180) == "2h03m"
    assert format_duration(float("nan")) == "?"
    names = ["sfrbm-fig10-11", "sfrbm-fig2", "rapid-fig6-7", "rapid-fig1"]
    assert sorted(names, key=natural_key) == [
        "rapid-fig1",
        "rapid-fig6-7",
        "sfrbm-fig2",
        "sfrbm-fig10-11",
    ]


def test_long_fit_shows_a_minibatch_bar_on_stderr(capsys):
    pytest.importorskip("tqdm")
    X = (np.random.RandomState(0).rand(600, 8) < 0.3).astype(float)
    # 60 minibatches an epoch: a bar per epoch on stderr, the lines on stdout
    BinaryRBM(4, batch_size=10, max_iter=2, verbose=1, random_state=0).fit(X)
    out, err = capsys.readouterr()
    assert "[BinaryRBM] epoch 1:" in err and "batch" in err
    assert out.count("[BinaryRBM] epoch") == 2
    # short epochs (6 minibatches) and verbose=0: no bar
    BinaryRBM(4, batch_size=100, max_iter=2, verbose=1, random_state=0).fit(X)
    assert "batch/s" not in capsys.readouterr().err
    BinaryRBM(4, batch_size=10, max_iter=2, verbose=0, random_state=0).fit(X)
    assert capsys.readouterr() == ("", "")


def test_progress_clock_starts_with_the_work_not_the_first_report(monkeypatch):
    """The reporter is made just before the loop: the time until the first
    report is elapsed time (it printed "elapsed 0.00s" at 50 %)."""
    import io

    from skrapid import _progress

    now = [100.0]
    monkeypatch.setattr(_progress.time, "perf_counter", lambda: now[0])
    out = io.StringIO()
    rep = _progress.ProgressReporter("[X] AIS", use_tqdm=False, step=0.5, file=out)
    now[0] += 30.0  # the first half of the work
    rep(5, 10)
    line = out.getvalue()
    assert "50%" in line and "elapsed 30" in line and "ETA 30" in line, line
