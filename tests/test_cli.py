"""The command line: demo and bench run end to end on small settings."""

import json
import os
import subprocess
import sys

import pytest

from skrapid._cli import build_parser, main


def test_help_lists_commands():
    text = build_parser().format_help()
    assert "demo" in text and "bench" in text


def test_python_dash_m_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "skrapid", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "demo" in out.stdout


def test_bench_pcd_runs_on_synthetic_data(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert (
        main(
            [
                "bench",
                "pcd",
                "--data",
                "synthetic",
                "--n-samples",
                "300",
                "--n-components",
                "16",
                "--batch-size",
                "50",
                "--repeats",
                "1",
                "--dtypes",
                "float32",
                "--json",
                str(path),
            ]
        )
        == 0
    )
    report = json.loads(path.read_text())
    r = report["results"]["skrapid float32"]
    assert r["reference"] == "sklearn float32" and r["speedup_vs_reference"] > 0
    assert 0 < r["fraction_of_gemm_peak"] and r["peak_memory_mib"] > 0
    assert "%GEMM peak" in capsys.readouterr().out
    # a second run compared against the first: one ratio per shared case
    assert (
        main(
            [
                "bench",
                "pcd",
                "--data",
                "synthetic",
                "--n-samples",
                "300",
                "--n-components",
                "16",
                "--batch-size",
                "50",
                "--repeats",
                "1",
                "--dtypes",
                "float32",
                "--compare",
                str(path),
            ]
        )
        == 0
    )
    assert "earlier median / this median" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["pid", "ais-speed", "gaussian"])
def test_speed_benchmarks_report_ratios_roofline_and_memory(name, tmp_path):
    path = tmp_path / f"{name}.json"
    args = [
        "bench",
        name,
        "--data",
        "synthetic",
        "--n-samples",
        "200",
        "--n-components",
        "16",
        "--n-patterns",
        "4",
        "--batch-size",
        "50",
        "--repeats",
        "1",
        "--n-betas",
        "20",
        "--n-chains",
        "10",
        "--dtypes",
        "float32",
        "--json",
        str(path),
    ]
    assert main(args) == 0
    results = json.loads(path.read_text())["results"]
    for r in results.values():
        assert r["median"] > 0 and 0 < r["fraction_of_gemm_peak"] < 1.5
        assert r["peak_memory_mib"] > 0
    if name == "ais-speed":
        for size in ("64x200", "784x16"):
            fused = results[f"AIS {size} fused"]
            assert fused["chain_temperatures_per_second"] > 0
            assert fused["reference"] == f"AIS {size} generic"
            assert fused["speedup_vs_reference"] > 0
    else:
        assert any(r["speedup_vs_reference"] for r in results.values())


def test_bench_without_mnist_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="SKRAPID_DATA|data_home"):
        main(["bench", "pcd", "--data-home", str(tmp_path), "--repeats", "1"])


@pytest.mark.slow
def test_demo_quick(tmp_path, capsys):
    assert main(["demo", "--quick", "--out", str(tmp_path), "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "RARBM (RAPID" in out and "probe accuracy" in out
    result = json.loads((tmp_path / "demo.json").read_text())
    for name, r in result.items():
        if not isinstance(r, dict) or "bracket" not in r:
            continue
        lo, hi = r["bracket"]
        # a proper log-likelihood of 64 binary pixels: below 0, above uniform
        assert -64 * 0.6932 < lo <= hi < 0, name
        assert r["probe_accuracy"] > 0.5, name
    pytest.importorskip("matplotlib")
    assert (tmp_path / "demo.png").stat().st_size > 1000


def test_bench_ais_runs(tmp_path):
    path = tmp_path / "ais.json"
    assert (
        main(
            [
                "bench",
                "ais",
                "--data",
                "synthetic",
                "--n-samples",
                "200",
                "--hidden",
                "6",
                "--n-betas",
                "200",
                "--repeats",
                "2",
                "--json",
                str(path),
            ]
        )
        == 0
    )
    report = json.loads(path.read_text())
    runs = report["models"]["784x6"]["ais"]
    assert len(runs) == 2 and all(abs(r["error"]) < 1 for r in runs)


def test_bench_gpu_without_a_gpu_is_a_clear_error():
    from skrapid._backend import gpu_available

    if gpu_available():
        pytest.skip("a GPU is present: the benchmark would run")
    with pytest.raises(RuntimeError, match="needs a CUDA GPU with CuPy or PyTorch"):
        main(["bench", "gpu", "--data", "synthetic", "--n-samples", "100"])


def test_command_line_errors_are_one_message_not_a_traceback(tmp_path, capsys):
    from skrapid._cli import cli

    argv = ["bench", "pcd", "--data-home", str(tmp_path), "--repeats", "1"]
    assert cli(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("skrapid: error: ") and "SKRAPID_DATA" in err
    assert "Traceback" not in err
    with pytest.raises(SystemExit) as exc:  # argparse: usage and status 2
        cli(["reproduce", "no-such-figure", "--out", str(tmp_path)])
    assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-1", "0", "two"])
def test_reproduce_seeds_must_be_a_positive_integer(value, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["reproduce", "rapid-fig3", "--seeds", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument --seeds: expected a positive integer" in err


@pytest.mark.parametrize(
    "option, value",
    [
        ("--repeats", "0"),
        ("--n-betas", "2"),
        ("--n-chains", "0"),
        ("--hidden", "0"),
        ("--n-samples", "0"),
        ("--n-components", "-5"),
        ("--n-patterns", "0"),
        ("--batch-size", "0"),
        ("--epochs", "-1"),
    ],
)
def test_bench_integer_options_are_checked_before_running(option, value, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["bench", "ais", option, value])
    assert exc.value.code == 2
    assert f"error: argument {option}: expected" in capsys.readouterr().err


@pytest.fixture
def fake_bench(monkeypatch):
    """``skrapid bench pcd`` replaced by a benchmark that only counts its runs
    (or raises what ``fake_bench.raises`` holds)."""
    import types

    import skrapid._cli as C

    state = types.SimpleNamespace(runs=0, raises=None)

    def bench(args):
        if state.raises is not None:
            raise state.raises
        state.runs += 1
        return {"benchmark": "pcd", "results": {}}

    monkeypatch.setattr(C, "_benchmarks", lambda: {"pcd": bench})
    return state


def test_bench_output_paths_are_checked_before_running(fake_bench, tmp_path, capsys):
    from skrapid._cli import cli

    missing = tmp_path / "no-such-folder"
    assert cli(["bench", "pcd", "--json", str(missing / "r.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("skrapid: error: --json")
    assert f"the folder {missing} does not exist" in err[0]
    assert cli(["bench", "pcd", "--compare", str(tmp_path / "old.json")]) == 2
    assert "skrapid: error: --compare" in capsys.readouterr().err
    assert fake_bench.runs == 0  # neither ran the benchmark
    assert cli(["bench", "pcd", "--json", str(tmp_path / "r.json")]) == 0
    assert fake_bench.runs == 1
    assert json.loads((tmp_path / "r.json").read_text())["benchmark"] == "pcd"


def test_bench_ctrl_c_is_one_line_and_status_130(fake_bench, capsys):
    from skrapid._cli import cli

    fake_bench.raises = KeyboardInterrupt()
    try:
        status = cli(["bench", "pcd"])
    except KeyboardInterrupt:  # a traceback (and it would stop pytest)
        pytest.fail("Ctrl-C escaped from cli()")
    assert status == 130
    assert capsys.readouterr().err == "skrapid: interrupted\n"


# -- progress and polish ---------------------------------------------------------
def _subparsers():
    parser = build_parser()
    (group,) = [a for a in parser._actions if a.dest == "command"]
    return parser, group.choices


def test_version_flag(capsys):
    from skrapid import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"skrapid {__version__}\n"


@pytest.mark.parametrize("name", ["pcd", "gaussian", "ais"])
def test_bench_without_mnist_says_so_and_mentions_synthetic_data(
    name, tmp_path, capsys
):
    from skrapid._cli import cli

    # the data are read first: these stop before any benchmark work
    assert cli(["bench", name, "--data-home", str(tmp_path), "--repeats", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"skrapid: error: bench {name} ")
    assert "reads MNIST" in err[0] and str(tmp_path) in err[0]
    assert "--data synthetic" in err[0] and "--data-home FOLDER" in err[0]


def test_every_option_has_help_and_its_default():
    import argparse

    parser, subs = _subparsers()
    for name, sub in [("skrapid", parser), *subs.items()]:
        formatter = sub._get_formatter()
        for action in sub._actions:
            if not action.option_strings or action.dest == "help":
                continue
            assert action.help, (name, action.option_strings)
            if isinstance(action, argparse._VersionAction) or action.nargs == 0:
                continue  # flags: off unless given
            assert "(default" in formatter._get_help_string(action), (
                name,
                action.option_strings,
            )
    bench = " ".join(subs["bench"].format_help().split())
    assert "(default: 500)" in bench and "(default: mnist)" in bench
    assert "(default: $SKRAPID_DATA or ~/skrapid_data)" in bench
    assert "(default: skrapid_out)" in subs["demo"].format_help()


def test_experiment_and_benchmark_names_sort_naturally():
    from skrapid._progress import natural_key
    from skrapid.reproduce import REPRODUCTIONS

    _, subs = _subparsers()
    text = subs["reproduce"].format_help()
    epilog = text.split("experiments (full mode; --quick):")[1]
    listed = [
        line.split(":")[0].strip()
        for line in epilog.splitlines()
        if line.startswith("  ") and not line.startswith("    ")
    ]
    assert listed == sorted(REPRODUCTIONS, key=natural_key)
    assert listed.index("sfrbm-fig2") < listed.index("sfrbm-fig10-11")
    names = [a for a in subs["reproduce"]._actions if a.dest == "name"][0].choices
    assert names.index("sfrbm-fig2") < names.index("sfrbm-fig10-11")
    bench_names = [a for a in subs["bench"]._actions if a.dest == "name"][0].choices
    assert bench_names == sorted(bench_names, key=natural_key)
    usage = text.replace("\n", "").replace(" ", "")
    assert usage.index("sfrbm-fig2,") < usage.index("sfrbm-fig10-11")
    with pytest.raises(ValueError, match=r"'sfrbm-fig2', 'sfrbm-fig3-4'"):
        from skrapid.reproduce import reproduce

        reproduce("no-such-figure")


def test_demo_quick_help_gives_the_real_epoch_count(monkeypatch):
    import skrapid._cli as C

    quick = C.DEMO_SETTINGS["quick"]
    text = " ".join(_subparsers()[1]["demo"].format_help().split())
    assert f"{quick['epochs']} epochs and {quick['n_betas']} AIS temperatures" in text
    monkeypatch.setitem(C.DEMO_SETTINGS, "quick", {"epochs": 7, "n_betas": 300})
    text = " ".join(_subparsers()[1]["demo"].format_help().split())
    assert "--quick 7 epochs and 300 AIS temperatures" in text


def test_demo_shows_progress_unless_quiet():
    parse = build_parser().parse_args
    assert parse(["demo"]).verbose == 1 and not parse(["demo"]).quiet
    assert parse(["demo", "--quiet"]).quiet


@pytest.fixture
def timed_bench(monkeypatch):
    """``skrapid bench pcd`` replaced by a stub with a results table and
    progress lines; ``timed_bench.progress`` is what it was given."""
    import types

    import skrapid._cli as C

    state = types.SimpleNamespace(progress=None)

    def bench(args, progress=print):
        state.progress = progress
        progress("  repeat 1/1: stub 0.100 s")
        row = {
            "dtype": "float32",
            "median": 0.1,
            "speedup_vs_reference": None,
            "fraction_of_gemm_peak": 0.5,
            "gemm_peak_gflops": 10.0,
            "peak_memory_mib": 1.0,
        }
        return {
            "benchmark": "pcd",
            "data": "stub data",
            "n_samples": 300,
            "n_features": 784,
            "n_components": 16,
            "batch_size": 50,
            "epochs": 1,
            "repeats": 1,
            "results": {"stub float32": row},
        }

    monkeypatch.setattr(C, "_benchmarks", lambda: {"pcd": bench})
    return state


def test_bench_table_states_its_data_and_sizes(timed_bench, capsys):
    assert main(["bench", "pcd"]) == 0
    out = capsys.readouterr().out.splitlines()
    i = next(k for k, line in enumerate(out) if line.startswith("case "))
    header = out[i - 1]
    assert header.startswith("data: stub data;")
    for part in ("n = 300 rows", "V = 784", "H = 16", "batch 50", "epochs 1"):
        assert part in header
    assert "dtype float32" in header and "1 timed run per case" in header


def test_bench_shows_progress_by_default_and_quiet_hides_it(timed_bench, capsys):
    assert main(["bench", "pcd"]) == 0
    assert timed_bench.progress is print
    assert "repeat 1/1" in capsys.readouterr().out
    assert main(["bench", "pcd", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "repeat 1/1" not in out and "stub float32" in out  # the table stays


def test_bench_quiet_with_a_benchmark_without_progress(fake_bench):
    assert main(["bench", "pcd", "--quiet"]) == 0 and fake_bench.runs == 1


def test_reproduce_quiet_passes_a_silent_progress(monkeypatch, tmp_path, capsys):
    import skrapid.reproduce as R

    seen = {}

    def fake(name, **kw):
        seen.update(kw)
        kw["progress"]("a progress line")
        return {"files": ["r.json", "r.png"], "comparisons": []}

    monkeypatch.setattr(R, "reproduce", fake)
    assert main(["reproduce", "sfrbm-fig2", "--out", str(tmp_path)]) == 0
    assert seen["progress"] is print
    assert "a progress line" in capsys.readouterr().out
    assert main(["reproduce", "sfrbm-fig2", "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "a progress line" not in out and "wrote r.json, r.png" in out


def _blas_threads_now():
    from threadpoolctl import threadpool_info

    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


@pytest.mark.parametrize("option, expected", [(["--blas-threads", "1"], 1), ([], 1)])
def test_demo_runs_under_its_blas_thread_limit(monkeypatch, option, expected):
    import skrapid._cli as cli

    seen = []
    monkeypatch.setattr(cli, "_run_demo", lambda args: seen.append(_blas_threads_now()))
    before = _blas_threads_now()
    main(["demo", *option])
    assert seen == [expected]
    assert _blas_threads_now() == before  # restored afterwards


def test_demo_blas_threads_zero_keeps_the_default(monkeypatch):
    import skrapid._cli as cli

    seen = []
    monkeypatch.setattr(cli, "_run_demo", lambda args: seen.append(_blas_threads_now()))
    before = _blas_threads_now()
    main(["demo", "--blas-threads", "0"])
    assert seen == [before]


def test_bench_threads_times_three_settings_idle_and_busy(monkeypatch, tmp_path):
    import skrapid._bench.threads as bt
    from skrapid._backend import blas_threads

    calls = []
    monkeypatch.setattr(
        bt, "_cases", lambda: {"tiny": lambda: calls.append(blas_threads())}
    )
    path = tmp_path / "bt.json"
    assert main(["bench", "threads", "--repeats", "2", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    rows = report["results"]
    assert len(rows) == 6  # 3 settings x (idle, busy)
    for load in ("idle", "busy"):
        s = report["summary"][f"tiny, {load}"]
        assert set(s["median_seconds"]) == {
            "default",
            "1 thread",
            f"all ({report['blas_threads']}) threads",
        }
        best = min(v for k, v in s["median_seconds"].items() if k != "default")
        assert s["vs_best"] == pytest.approx(s["median_seconds"]["default"] / best)
    # warm-up + 3 settings x 2 repeats, twice; the 1-thread runs saw one
    assert len(calls) == 2 * (1 + 3 * 2) and min(calls) == 1


def test_reproduce_survives_a_closed_pipe_and_keeps_its_results(tmp_path):
    """``skrapid reproduce ... | head``: the reader goes away after the first
    bytes; the run goes on, writes its result files and exits 0 (it died
    with "Broken pipe", status 2, and no results)."""
    import subprocess
    import sys

    code = "import sys; from skrapid._cli import cli; sys.exit(cli(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "reproduce", "rapid-fig1", "--quick",
         "--out", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    proc.stdout.read(5)
    proc.stdout.close()  # the reader is gone
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert (tmp_path / "rapid-fig1.quick.json").exists()
    assert b"Broken pipe" not in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_json_to_a_special_file_writes_in_place_and_names_it():
    """``--json /dev/null`` writes to the device (an atomic replace would have
    swapped the device for a plain file); a failing device gives an error that
    names it, not a temporary file."""
    import stat

    from skrapid._io import atomic_write_bytes

    atomic_write_bytes("/dev/null", b"{}")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(OSError, match="cannot write /dev/full: No space left"):
        atomic_write_bytes("/dev/full", b"{}" * 10000)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_ctrl_c_while_the_command_starts_exits_130_without_a_traceback(
    monkeypatch, capsys
):
    """The entry point loads the heavy modules itself: a KeyboardInterrupt
    while they load (it printed a traceback and died by SIGINT) exits 130."""
    from skrapid import _entry

    def interrupted(name):
        raise KeyboardInterrupt

    monkeypatch.setattr(_entry.importlib, "import_module", interrupted)
    assert _entry.cli(["--help"]) == 130
    assert "skrapid: interrupted (while starting)" in capsys.readouterr().err


def test_import_skrapid_is_light():
    """``import skrapid`` loads no NumPy: the public names load on first use."""
    code = (
        "import sys, skrapid; assert 'numpy' not in sys.modules; "
        "from skrapid import BinaryRBM, GaussianRBM; assert 'numpy' in sys.modules; "
        "assert set(skrapid.__all__) <= set(dir(skrapid))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
