"""`skrapid reproduce` records can be trusted: keyed by their settings,
robust to a run stopped mid-write, written atomically, one run per folder,
and Ctrl-C keeps what is finished.  A tiny fake experiment stands in for the
papers' (it is registered for the duration of each test)."""

import json
import subprocess
import sys
import types

import numpy as np
import pytest

import skrapid.reproduce as R
from skrapid._cli import cli
from skrapid.experiments import _plotting, _records
from skrapid.experiments.rapid import bars as rapid_bars
from skrapid.reproduce import reproduce

NAME = "fake-fig1"


@pytest.fixture
def fake(monkeypatch):
    """A registered fake experiment: ``seeds`` records of ``epochs`` epochs in
    ``OUT/fake-fig1[/quick]/fake.jsonl``; ``calls`` lists the seeds computed,
    ``interrupt_at`` a seed whose run is stopped by Ctrl-C."""
    state = types.SimpleNamespace(calls=[], epochs=3, interrupt_at=None, plot=None)

    def one_seed(seed, *, epochs, scale=1.0):
        if seed == state.interrupt_at:
            raise KeyboardInterrupt
        state.calls.append(seed)
        return {"seed": seed, "curve": [scale * seed] * epochs, "seconds": 0.0}

    def run(quick, seeds, workdir, progress, data_home=None):
        recs = _records._run_seeds(
            one_seed,
            range(seeds or 2),
            workdir / "fake.jsonl",
            progress=progress,
            epochs=state.epochs,
        )
        return {
            "settings": {"epochs": state.epochs},
            "lengths": [len(r["curve"]) for r in recs],
            "comparisons": [],
        }

    def plot(result, path):
        if state.plot is not None:
            return state.plot(result, path)
        _records._atomic_write_text(path, "a figure")

    rep = R.Reproduction(NAME, "a paper", "a fake experiment", run, plot, "", "tiny")
    monkeypatch.setitem(R.REPRODUCTIONS, NAME, rep)
    return state


def _run(tmp_path, **kw):
    return reproduce(NAME, quick=True, out=tmp_path, progress=lambda *a: None, **kw)


def _lines(tmp_path):
    path = tmp_path / NAME / "quick" / "fake.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_records_are_reused_only_with_the_settings_that_made_them(
    fake, tmp_path, capsys
):
    assert _run(tmp_path)["lengths"] == [3, 3]
    assert fake.calls == [0, 1]
    recs = _lines(tmp_path)
    assert all(r["record_settings"]["arguments"]["epochs"] == 3 for r in recs)
    assert len({r["record_key"] for r in recs}) == 1
    _run(tmp_path)  # the same settings: read back
    assert fake.calls == [0, 1] and "warning" not in capsys.readouterr().err
    fake.epochs = 5  # other settings: computed again, and said so once
    result = _run(tmp_path)
    assert fake.calls == [0, 1, 0, 1]
    assert result["lengths"] == [5, 5] and result["settings"] == {"epochs": 5}
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("skrapid: warning: ")
    assert "fake.jsonl" in err[0] and "epochs: 3 -> 5" in err[0]
    assert json.loads((tmp_path / f"{NAME}.quick.json").read_text())["lengths"] == [
        5,
        5,
    ]
    # the old records stay: going back to them needs no computing
    assert len(_lines(tmp_path)) == 4
    fake.epochs = 3
    assert _run(tmp_path)["lengths"] == [3, 3] and fake.calls == [0, 1, 0, 1]


def test_records_without_settings_are_not_reused(fake, tmp_path, capsys):
    folder = tmp_path / NAME / "quick"
    folder.mkdir(parents=True)
    # a record as skrapid wrote it before records were keyed
    old = {"seed": 0, "curve": [9.0] * 7, "seconds": 1.0}
    (folder / "fake.jsonl").write_text(json.dumps(old) + "\n")
    assert _run(tmp_path)["lengths"] == [3, 3] and fake.calls == [0, 1]
    assert "older skrapid" in capsys.readouterr().err


def test_a_real_experiment_reports_the_settings_of_its_records(
    monkeypatch, tmp_path, capsys
):
    pytest.importorskip("matplotlib")

    calls = []

    def bars(method, seed, *, max_epochs, accessibility=False, **kw):
        calls.append((method, seed, max_epochs))
        epochs = list(range(max_epochs + 1))
        test = np.linspace(0.5, 0.0, max_epochs + 1).tolist()
        return dict(
            method=method,
            seed=seed,
            max_epochs=max_epochs,
            epochs=epochs,
            test=test,
            train=test,
            seconds=0.0,
        )

    monkeypatch.setattr(rapid_bars, "bars_4x4_hamming", bars)
    monkeypatch.setattr(rapid_bars, "_BARS_QUICK", {"rapid": (4, 2), "cd10": (4, 2)})
    r = reproduce("rapid-fig3", quick=True, out=tmp_path, progress=lambda *a: None)
    assert r["curves"]["rapid"]["max_epochs"] == 4 and len(calls) == 4
    # a later version runs more epochs: the records of 4 epochs are not reused
    monkeypatch.setattr(rapid_bars, "_BARS_QUICK", {"rapid": (6, 2), "cd10": (6, 2)})
    r = reproduce("rapid-fig3", quick=True, out=tmp_path, progress=lambda *a: None)
    assert len(calls) == 8 and {c[2] for c in calls[4:]} == {6}
    saved = json.loads((tmp_path / "rapid-fig3.quick.json").read_text())
    for m in ("rapid", "cd10"):
        assert saved["curves"][m]["max_epochs"] == 6
        assert saved["curves"][m]["epochs"][-1] == 6
    assert "6 epochs" in saved["comparisons"][0]["quantity"]
    assert capsys.readouterr().err.count("max_epochs: 4 -> 6") == 2


def test_an_incomplete_last_line_is_dropped_and_its_seed_recomputed(
    fake, tmp_path, capsys
):
    _run(tmp_path)
    path = tmp_path / NAME / "quick" / "fake.jsonl"
    first, second = path.read_text().splitlines()
    # the run was stopped while writing seed 1
    path.write_text(first + "\n" + second[: len(second) // 2])
    fake.calls.clear()
    assert _run(tmp_path)["lengths"] == [3, 3]
    assert fake.calls == [1]
    err = capsys.readouterr().err
    assert "fake.jsonl" in err and "incomplete last line" in err
    assert [r["seed"] for r in _lines(tmp_path)] == [0, 1]  # every line whole


def test_a_corrupt_record_is_an_error_naming_the_file_and_the_line(
    fake, tmp_path, capsys
):
    _run(tmp_path)
    path = tmp_path / NAME / "quick" / "fake.jsonl"
    first, second = path.read_text().splitlines()
    # what an interrupted run followed by a resumed one used to leave
    path.write_text(f"{first}\n{second[:40]}{second}\n")
    fake.calls.clear()
    with pytest.raises(ValueError, match=r"fake\.jsonl, line 2: .*Delete that line"):
        _run(tmp_path)
    assert cli(["reproduce", NAME, "--quick", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("skrapid: error: ")
    assert str(path) in err[0] and "line 2" in err[0]
    assert fake.calls == []


def test_atomic_write_keeps_the_old_file_when_the_write_fails(monkeypatch, tmp_path):
    path = tmp_path / "result.json"
    _records._atomic_write_text(path, "old")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(_records.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        _records._atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]  # no temp


def test_result_files_are_written_by_rename(fake, monkeypatch, tmp_path):
    pytest.importorskip("matplotlib")

    def plot(result, path):
        fig, ax = _plotting._pyplot().subplots(figsize=(1, 1))
        ax.plot([0, 1])
        _plotting._save(fig, path)

    fake.plot = plot
    replaced, real = [], _records.os.replace

    def spy(src, dst):
        replaced.append(_records.Path(dst).name)
        return real(src, dst)

    monkeypatch.setattr(_records.os, "replace", spy)
    _run(tmp_path)
    assert {f"{NAME}.quick.json", f"{NAME}.quick.png", "results.rst"} <= set(replaced)
    assert (tmp_path / f"{NAME}.quick.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_second_run_into_the_same_folder_stops_at_once(fake, tmp_path, capsys):
    folder = tmp_path / NAME / "quick"
    folder.mkdir(parents=True)
    holder = (
        "import fcntl, os, sys, time\n"
        f"fh = open({str(folder / '.lock')!r}, 'a+')\n"
        "fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "fh.write(f'{os.getpid()}\\n'); fh.flush()\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(RuntimeError, match=f"another skrapid run .pid {proc.pid}"):
            _run(tmp_path)
        assert cli(["reproduce", NAME, "--quick", "--out", str(tmp_path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("skrapid: error: another skrapid run")
        assert str(folder) in err
        assert fake.calls == []  # nothing computed twice
    finally:
        proc.kill()
        proc.wait()
    _run(tmp_path)  # the lock went with the process
    assert fake.calls == [0, 1] and not (folder / ".lock").exists()


def test_ctrl_c_keeps_finished_seeds_and_exits_130(fake, tmp_path, capsys):
    fake.interrupt_at = 1
    try:
        status = cli(["reproduce", NAME, "--quick", "--out", str(tmp_path)])
    except KeyboardInterrupt:  # a traceback (and it would stop pytest)
        pytest.fail("Ctrl-C escaped from cli()")
    assert status == 130
    err = capsys.readouterr().err
    folder = tmp_path / NAME / "quick"
    assert err == (
        f"skrapid: interrupted; finished seeds are kept in {folder}: run the "
        "same command again to resume\n"
    )
    assert [r["seed"] for r in _lines(tmp_path)] == [0]
    fake.interrupt_at = None  # the same command again: seed 0 is read back
    assert cli(["reproduce", NAME, "--quick", "--out", str(tmp_path)]) == 0
    assert fake.calls == [0, 1]


@pytest.mark.parametrize("seeds", [0, -1, 2.5, True])
def test_seeds_must_be_a_positive_integer(fake, tmp_path, seeds):
    with pytest.raises(ValueError, match="seeds must be a positive integer"):
        _run(tmp_path, seeds=seeds)
    assert fake.calls == []


def test_long_records_are_gzipped_and_read_back(tmp_path, monkeypatch):
    """A record over the size limit is written as NAME.json.gz (no timestamp:
    the same record gives the same bytes), replaces a stale NAME.json, and
    reads back as the same JSON."""
    from skrapid.experiments import _records

    monkeypatch.setattr(_records, "_GZIP_ABOVE", 100)
    path = tmp_path / "x.json"
    path.write_text("{}")
    text = json.dumps({"runs": list(range(200))})
    out = _records._write_record(path, text)
    assert out.name == "x.json.gz" and not path.exists()
    first = out.read_bytes()
    assert _records._write_record(path, text).read_bytes() == first
    assert _records._record_path(path) == out
    assert _records._read_json(out) == json.loads(text)
    small = _records._write_record(path, "{}")  # short again: plain JSON
    assert small == path and not out.exists() and _records._read_json(path) == {}


def test_figures_are_written_with_a_palette():
    """The reproductions' PNGs (and the gallery's) are palette images of at
    most 256 colours, the same size as the figure, and smaller than
    matplotlib's RGBA PNG."""
    import io

    pytest.importorskip("matplotlib")
    from PIL import Image

    from skrapid.experiments._plotting import _pyplot, small_png

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4, 3))
    for k in range(8):
        ax.plot(np.sin(np.linspace(0, 10, 200) + k))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    raw = buf.getvalue()
    out = small_png(raw)
    img = Image.open(io.BytesIO(out))
    assert img.mode == "P" and img.size == Image.open(io.BytesIO(raw)).size
    assert len(out) < len(raw)
