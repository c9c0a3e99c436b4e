"""The registry of reproductions: :class:`Reproduction`, :data:`REPRODUCTIONS`
(filled by :func:`register`, called by each experiment's module next to its
runner, its figure and its texts), :func:`reproduce`, which runs one and
writes its files, and :func:`results_page`.
"""

from __future__ import annotations

import json
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._records import (
    _atomic_write_text,
    _folder_lock,
    _jsonable,
    _read_json,
    _record_path,
    _recording_folders,
    _write_record,
)


@dataclass(frozen=True)
class Reproduction:
    """One experiment of a paper.

    Parameters
    ----------
    name : str
        Command-line name, e.g. ``"rapid-fig3"``.
    paper : str
        The paper it comes from.
    what : str
        One sentence on what it shows.
    run : callable
        ``run(quick, seeds, workdir, progress, data_home)`` returns a
        JSON-ready dict with at least ``settings`` and ``comparisons`` (a
        list of dicts with ``quantity``, ``paper``, ``ours``, ``verdict``).
    plot : callable
        ``plot(result, path)`` draws the figure.
    notes : str, default=""
        Where and why the reproduction departs from the paper.
    quick : str, default=""
        What ``--quick`` reduces.


    Examples
    --------
    >>> from skrapid.reproduce import REPRODUCTIONS
    >>> rep = REPRODUCTIONS["rapid-fig3"]
    >>> rep.name, rep.paper.startswith("Pozas-Kerstjens")
    ('rapid-fig3', True)
    """

    name: str
    paper: str
    what: str
    run: Callable
    plot: Callable
    notes: str = ""
    quick: str = ""


REPRODUCTIONS: dict[str, Reproduction] = {}

#: The papers reproduced.
SFRBM = "Aarts, Lucini & Park, Phys. Rev. D 109, 034521 (2024)"
RAPID = "Pozas-Kerstjens et al., Mach. Learn.: Sci. Technol. 2, 025026 (2021)"

#: The order of :data:`REPRODUCTIONS` (the order in which they were
#: registered before the experiments were split by paper); experiments not
#: listed follow in the order they register.
_ORDER = (
    "sfrbm-fig5-6",
    "sfrbm-fig10-11",
    "sfrbm-fig7",
    "sfrbm-fig9",
    "sfrbm-fig12",
    "sfrbm-fig18",
    "sfrbm-fig13-17",
    "sfrbm-fig14-16",
    "sfrbm-fig3-4",
    "sfrbm-fig2",
    "rapid-fig3",
    "rapid-sec5.2",
    "rapid-fig6-7",
    "rapid-fig6-runs",
    "rapid-fig1",
    "rapid-fig2",
    "rapid-fig4",
    "rapid-fig5",
)


def register(name, paper, what, run, plot, *, quick, notes=""):
    """Add an experiment to :data:`REPRODUCTIONS` (see :class:`Reproduction`):
    ``quick`` says what ``--quick`` reduces (seconds instead of minutes or
    hours; the test suite runs every quick mode), ``notes`` where and why the
    reproduction departs from the paper (rendered under its table on the
    results page)."""
    REPRODUCTIONS[name] = Reproduction(name, paper, what, run, plot, notes, quick)


def _put_in_order():
    """Reorder :data:`REPRODUCTIONS` (in place) as :data:`_ORDER` says."""
    rank = {name: i for i, name in enumerate(_ORDER)}
    ordered = sorted(REPRODUCTIONS.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    REPRODUCTIONS.clear()
    REPRODUCTIONS.update(ordered)


class _Interrupted(KeyboardInterrupt):
    """A KeyboardInterrupt whose message says what was kept."""


def reproduce(
    name, *, quick=False, seeds=None, out="skrapid_out", data_home=None, progress=print
):
    """Run one reproduction and write ``out/NAME.json`` and ``out/NAME.png``.

    Quick runs write ``out/NAME.quick.json`` and ``out/NAME.quick.png``
    instead, so full and quick results of one experiment live side by side.
    Finished seeds are kept in keyed records under ``out/NAME/`` and read
    back by a later run with the same settings (see :mod:`skrapid.reproduce`);
    a run holds a lock on the folders it writes records to, so a second run
    into the same ``out`` stops at once with a RuntimeError.  On a
    KeyboardInterrupt the records of finished seeds stay, and the
    KeyboardInterrupt raised says where.

    Parameters
    ----------
    name : str
        A key of :data:`REPRODUCTIONS`.
    quick : bool, default=False
        The reduced setting (documented per experiment in the JSON).
    seeds : int or None, default=None
        Number of seeds (a positive integer) where the experiment averages
        over seeds (None: the experiment's default for the mode).
    out : str or path-like, default="skrapid_out"
    data_home : str or path-like, default=None
        Folder with the MNIST files for the experiments that use MNIST in full
        mode (default: ``$SKRAPID_DATA`` or ``~/skrapid_data``).
    progress : callable, default=print

    Returns
    -------
    result : dict
        What was written to the JSON file.


    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skrapid.reproduce import read_record, reproduce
    >>> out = Path(tempfile.mkdtemp())
    >>> r = reproduce("sfrbm-fig5-6", quick=True, out=out, progress=lambda *a: None)
    >>> r["mode"], sorted(p.name for p in out.glob("sfrbm-fig5-6.*"))
    ('quick', ['sfrbm-fig5-6.quick.json.gz', 'sfrbm-fig5-6.quick.png'])
    >>> saved = read_record(out / "sfrbm-fig5-6.quick.json")
    >>> c = saved["comparisons"][1]
    >>> c["paper"], c["verdict"]
    ('infrared modes first (Fig. 6)', 'reproduced')
    """
    if name not in REPRODUCTIONS:
        raise ValueError(
            f"unknown experiment {name!r}; choose one of "
            f"{sorted(REPRODUCTIONS, key=_natural_key)}."
        )
    if seeds is not None and (
        isinstance(seeds, bool) or not isinstance(seeds, numbers.Integral) or seeds < 1
    ):
        raise ValueError(f"seeds must be a positive integer or None; got {seeds!r}.")
    rep = REPRODUCTIONS[name]
    out = Path(out)
    # quick runs keep their own records: a later full run in the same folder
    # must not resume from them
    workdir = out / name / "quick" if quick else out / name
    workdir.mkdir(parents=True, exist_ok=True)
    with _recording_folders() as folders:
        try:
            with _folder_lock(workdir):
                return _run_and_write(
                    rep, quick, seeds, out, workdir, progress, data_home
                )
        except KeyboardInterrupt as exc:
            kept = [str(f) for f in folders if any(f.glob("*.jsonl"))]
            raise _Interrupted(
                f"finished seeds are kept in {', '.join(kept)}: run the same "
                "command again to resume"
                if kept
                else "this experiment keeps no partial results: run it again"
            ) from exc


def _run_and_write(rep, quick, seeds, out, workdir, progress, data_home):
    """The body of :func:`reproduce`, under the lock of ``workdir``."""
    name = rep.name
    progress(f"{name}: {rep.what} ({'quick' if quick else 'full'} mode)")
    t0 = time.perf_counter()
    result = rep.run(
        quick=quick,
        seeds=seeds,
        workdir=workdir,
        progress=progress,
        data_home=data_home,
    )
    result = {
        "name": name,
        "paper": rep.paper,
        "what": rep.what,
        "mode": "quick" if quick else "full",
        "seconds": time.perf_counter() - t0,
        **result,
    }
    stem = _stem(name, quick)
    json_path = out / f"{stem}.json"
    json_path = _write_record(
        json_path, json.dumps(result, indent=1, default=_jsonable)
    )
    png = out / f"{stem}.png"
    rep.plot(result, png)
    page = out / "results.rst"
    _atomic_write_text(page, results_page(out))
    result["files"] = [str(json_path), str(png), str(page)]
    for c in result.get("comparisons", []):
        progress(
            f"  {c['quantity']}: paper {c['paper']}, ours {c['ours']} -> {c['verdict']}"
        )
    progress(f"  wrote {json_path} and {png} ({result['seconds']:.1f} s)")
    return result


def results_page(results_dir, *, title="Reproduced results"):
    """An reStructuredText page of every result in ``results_dir``.

    One section per experiment (in :data:`REPRODUCTIONS` order): what it is,
    the mode and wall time that produced it, a table of each quantity with
    the paper's value, ours and the verdict, and the figure. Where both a
    full (``NAME.json``) and a quick (``NAME.quick.json``) result exist, the
    section shows the full one; the summary table gives both wall times.

    Parameters
    ----------
    results_dir : str or path-like
        Folder with ``NAME.json``/``NAME.png`` (full mode) and
        ``NAME.quick.json``/``NAME.quick.png`` (``--quick``) files.
    title : str, default="Reproduced results"
        Page title.

    Returns
    -------
    text : str


    Examples
    --------
    >>> import tempfile
    >>> from skrapid.reproduce import reproduce, results_page
    >>> out = tempfile.mkdtemp()
    >>> _ = reproduce("sfrbm-fig18", quick=True, out=out, progress=lambda *a: None)
    >>> page = results_page(out)
    >>> page.splitlines()[0], "``sfrbm-fig18``" in page
    ('Reproduced results', True)
    """
    results_dir = Path(results_dir)
    lines = [title, "=" * len(title), ""]
    lines += [
        "Every number below was produced by ``skrapid reproduce NAME`` (the "
        "mode is stated; ``--quick`` numbers are a reduced setting). A verdict "
        "of *short* or *differs* is reported as measured, not tuned away. "
        "Where an experiment was run in both modes, its section shows the "
        "full-mode result.",
        "",
    ]
    found = {}
    for n in sorted(REPRODUCTIONS, key=_figure_order):
        runs = {
            quick: _read_json(path)
            for quick in (False, True)
            if (path := _record_path(results_dir / f"{_stem(n, quick)}.json"))
        }
        if runs:  # the section shows the full result where there is one
            found[n] = (runs.get(False, runs.get(True)), runs)
    lines += [
        "Summary",
        "-------",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - experiment",
        "     - shown",
        "     - full wall time (s)",
        "     - full training runs (s)",
        "     - ``--quick`` wall time (s)",
        "     - reproduced / short / differs (shown mode)",
    ]
    for name, (r, runs) in found.items():
        v = [c["verdict"] for c in r.get("comparisons", [])]
        counts = " / ".join(str(v.count(k)) for k in ("reproduced", "short", "differs"))
        full = runs.get(False)
        quick = runs.get(True)
        lines += [
            f"   * - ``{name}``",
            f"     - {r['mode']}",
            f"     - {full['seconds']:.0f}" if full else "     - not run",
            (
                f"     - {full.get('run_seconds', full['seconds']):.0f}"
                if full
                else "     - not run"
            ),
            f"     - {quick['seconds']:.1f}" if quick else "     - not run",
            f"     - {counts}",
        ]
    missing = [n for n in sorted(REPRODUCTIONS, key=_figure_order) if n not in found]
    if missing:
        lines += ["", "Not in this folder: " + ", ".join(f"``{n}``" for n in missing)]
    lines.append("")
    for name, (r, runs) in found.items():
        head = f"``{name}``"
        lines += [head, "-" * len(head), "", r["what"] + ".", ""]
        timing = f"{r['seconds']:.0f} s wall time"
        if "run_seconds" in r:
            timing += (
                f"; the training runs behind it took {r['run_seconds']:.0f} s "
                "(runs finished earlier are read back from their files)"
            )
        if r["mode"] == "full" and True in runs:
            timing += f"; ``--quick`` took {runs[True]['seconds']:.1f} s"
        lines += [
            f"*{r['paper']}*; {r['mode']} mode, {timing}. Quick mode "
            f"(``--quick``): {REPRODUCTIONS[name].quick}.",
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 40 25 25 10",
            "",
            "   * - quantity",
            "     - paper",
            "     - skrapid",
            "     - verdict",
        ]
        for c in r.get("comparisons", []):
            lines += [
                f"   * - {_rst_cell(c['quantity'])}",
                f"     - {_rst_cell(c['paper'])}",
                f"     - {_rst_cell(c['ours'])}",
                f"     - {c['verdict']}",
            ]
        lines.append("")
        if REPRODUCTIONS[name].notes:
            lines += ["**Where we differ and why.** " + REPRODUCTIONS[name].notes, ""]
        png = _stem(name, r["mode"] == "quick")
        lines += [f".. image:: {png}.png", f"   :alt: {name}", ""]
    return "\n".join(lines) + "\n"


def _stem(name, quick):
    """File stem of an experiment's results: ``NAME`` or ``NAME.quick``."""
    return f"{name}.quick" if quick else name


def _natural_key(name):
    """Numbers inside names by value: ``sfrbm-fig2`` before ``sfrbm-fig10-11``."""
    from .._progress import natural_key

    return natural_key(name)


def _figure_order(name):
    """rapid-* before sfrbm-*, then by the first figure or section number."""
    import re

    m = re.search(r"(\d+)", name.split("-", 1)[1])
    return (name.split("-")[0], int(m.group(1)) if m else 0, name)


def _rst_cell(value):
    text = value if isinstance(value, str) else json.dumps(value)
    return text.replace("\n", " ").replace("*", "\\*").replace("|", "\\|")


def _verdict(ok):
    """The verdict of a comparison whose goal is met (or not)."""
    return "reproduced" if ok else "short"
