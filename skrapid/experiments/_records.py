"""What survives an interruption: keyed per-seed records and per-epoch
checkpoints.

* :func:`run_seeds` appends one JSON line per finished seed, keyed by the
  settings that produced it (:func:`_record_settings`, :func:`_settings_key`),
  and reads back only the seeds of the same settings; it holds an exclusive
  lock on the folder (:func:`_folder_lock`) while it runs.  The contract is
  in the docstring of :mod:`skrapid.reproduce`.
* Result files are written atomically (:mod:`skrapid._io`).
* :func:`_resumable_training` saves a training's state after every epoch
  and resumes from it when the settings are the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import numbers
import os
import sys
import time
import warnings
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no folder locks
    fcntl = None

import numpy as np

from .._io import atomic_dump, atomic_write_bytes

#: Part of every record's key: bump it when an experiment function changes
#: what its records mean without a change of its arguments, so that records
#: written before are computed again rather than read back.
RECORD_VERSION = 1

#: Arguments of an experiment function that do not change its record.
_NOT_SETTINGS = frozenset({"seed", "progress", "save_model", "data_home", "checkpoint"})

#: Folders whose records the current :func:`reproduce` call uses (for the
#: message on an interruption); None outside :func:`reproduce`.
_record_folders = None


@contextlib.contextmanager
def _recording_folders():
    """Collect the folders :func:`run_seeds` writes records to while the
    block runs (yields the list; :func:`reproduce` names them on Ctrl-C)."""
    global _record_folders
    outer, _record_folders = _record_folders, []
    try:
        yield _record_folders
    finally:
        _record_folders = outer


def _warn(message):
    print(f"skrapid: warning: {message}", file=sys.stderr, flush=True)


def _atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` atomically (:mod:`skrapid._io`)."""
    atomic_write_bytes(path, data)


def _atomic_write_text(path, text):
    """:func:`_atomic_write_bytes` of ``text`` in UTF-8."""
    _atomic_write_bytes(path, text.encode("utf-8"))


#: Result records longer than this are written gzip-compressed
#: (``NAME.json.gz``): the per-run histories of the large experiments would
#: otherwise make up most of the repository.
_GZIP_ABOVE = 2**16


def _write_record(json_path, text):
    """Write a result record to ``NAME.json``, or to ``NAME.json.gz`` when it is
    long (byte-reproducible: no timestamp in the gzip header); the other
    form, left by an earlier run, is removed.  Returns the path written."""
    import gzip

    json_path = Path(json_path)
    gz = json_path.with_name(json_path.name + ".gz")
    data = text.encode("utf-8")
    if len(data) > _GZIP_ABOVE:
        _atomic_write_bytes(gz, gzip.compress(data, compresslevel=9, mtime=0))
        json_path.unlink(missing_ok=True)
        return gz
    _atomic_write_bytes(json_path, data)
    gz.unlink(missing_ok=True)
    return json_path


def _record_path(json_path):
    """``NAME.json``, or ``NAME.json.gz`` where only that exists (None if
    neither does)."""
    json_path = Path(json_path)
    gz = json_path.with_name(json_path.name + ".gz")
    return json_path if json_path.exists() else (gz if gz.exists() else None)


def read_record(path):
    """The result record at ``path``: ``NAME.json``, or ``NAME.json.gz`` where
    the record was long enough to be written compressed (either name may be
    given).

    Parameters
    ----------
    path : str or path-like
        ``OUT/NAME.json`` (or ``.json.gz``) as written by ``skrapid reproduce``.

    Returns
    -------
    record : dict
        The record.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from skrapid.reproduce import read_record
    >>> out = Path(tempfile.mkdtemp())
    >>> _ = (out / "demo.json").write_text(json.dumps({"name": "demo"}))
    >>> read_record(out / "demo.json")["name"]
    'demo'
    >>> read_record(out / "demo.json.gz")["name"]  # either name finds it
    'demo'

    """
    path = Path(path)
    if path.suffix == ".gz":
        path = path.with_suffix("")
    found = _record_path(path)
    if found is None:
        raise FileNotFoundError(f"no record {path} (nor {path.name}.gz)")
    return _read_json(found)


def _read_json(path):
    """The JSON in ``path`` (``.json`` or ``.json.gz``); a file that is not
    JSON is an error naming it."""
    import gzip

    path = Path(path)
    try:
        if path.suffix == ".gz":
            return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
        return json.loads(path.read_text())
    except ValueError as exc:
        raise ValueError(
            f"{path} is not valid JSON ({exc}): delete it, or run its "
            "experiment again to rewrite it"
        ) from None


#: Folder locks this process holds: real path -> [open lock file, depth].
_held_locks = {}


@contextlib.contextmanager
def _folder_lock(folder):
    """Hold an exclusive lock on ``folder`` (a ``.lock`` file in it, removed
    again on release) or fail at once with a RuntimeError saying another run
    is writing there.

    Re-entrant within one process; the lock goes with the process, so a
    killed run never blocks the next one.
    """
    key = os.path.realpath(folder)
    if key in _held_locks:  # held by this process already
        _held_locks[key][1] += 1
        try:
            yield
        finally:
            _held_locks[key][1] -= 1
        return
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    path = Path(folder) / ".lock"
    for _ in range(10):
        fh = open(path, "a+")  # noqa: SIM115 - held until the release
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            pid = fh.read().strip()
            fh.close()
            raise RuntimeError(
                f"another skrapid run{f' (pid {pid})' if pid else ''} is writing "
                f"to {folder}: wait for it to finish, or give this one another "
                "--out"
            ) from None
        except BaseException:
            fh.close()
            raise
        try:  # the file may have been removed by the run that released it
            if os.stat(path).st_ino == os.fstat(fh.fileno()).st_ino:
                break
        except FileNotFoundError:
            pass
        fh.close()
    else:  # pragma: no cover - ten races in a row
        raise RuntimeError(f"could not lock {folder}: retry")
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    _held_locks[key] = [fh, 1]
    try:
        yield
    finally:
        _held_locks[key][1] -= 1
        if not _held_locks[key][1]:
            del _held_locks[key]
            with contextlib.suppress(OSError):
                os.unlink(path)  # before the release: no one locks a stale file
            fh.close()  # releases the lock


def _digest(a):
    """The first 16 hex digits of the SHA-256 of an array's bytes (C order)."""
    a = np.ascontiguousarray(a)
    return hashlib.sha256(a.view(np.uint8).reshape(-1)).hexdigest()[:16]


def _function_name(fn):
    """The name of an experiment function in the settings of its records:
    ``skrapid.experiments.NAME`` for a function that :mod:`skrapid.experiments`
    exports (where it was defined before the package was split by paper, so
    that the records written then keep their keys), else module.qualname."""
    from .. import experiments

    name = getattr(fn, "__qualname__", None)
    if name is not None and getattr(experiments, name, None) is fn:
        return f"skrapid.experiments.{name}"
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', fn)}"


def _setting(x):
    """A JSON-ready, stable stand-in for one argument of an experiment."""
    if isinstance(x, np.generic):
        x = x.item()
    if x is None or isinstance(x, bool | str):
        return x
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        return float(x)
    if isinstance(x, np.ndarray):
        a = np.ascontiguousarray(x)
        return f"array{list(a.shape)} {a.dtype} sha256:{_digest(a)}"
    if isinstance(x, dict):
        return {str(k): _setting(v) for k, v in x.items()}
    if isinstance(x, list | tuple | range):
        return [_setting(v) for v in x]
    if isinstance(x, Path):
        return str(x)
    if callable(x):
        return _function_name(x)
    text = repr(x)
    return f"<{type(x).__qualname__}>" if " at 0x" in text else text


def _record_settings(fn, kwargs, extra=None):
    """What determines the records of ``fn(seed=s, **kwargs)``: its name, every
    argument but the seed (defaults included) and ``extra``."""
    bound = inspect.signature(fn).bind_partial(**kwargs)
    bound.apply_defaults()
    args = {
        k: _setting(v) for k, v in bound.arguments.items() if k not in _NOT_SETTINGS
    }
    settings = {
        "function": _function_name(fn),
        "record_version": RECORD_VERSION,
        "arguments": args,
    }
    if extra:
        settings["extra"] = _setting(extra)
    return settings


def _settings_key(settings):
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _settings_diff(old, new, limit=4):
    """``key: old -> new`` for the arguments that differ (at most ``limit``)."""
    if not isinstance(old, dict):
        return "written by an older skrapid that did not record its settings"

    def flat(d):
        return {**{k: v for k, v in d.items() if k != "arguments"}, **d["arguments"]}

    flat_old, flat_new = flat({"arguments": {}, **old}), flat(new)
    diff = [
        f"{k}: {json.dumps(flat_old.get(k))} -> {json.dumps(flat_new.get(k))}"
        for k in sorted(set(flat_old) | set(flat_new))
        if flat_old.get(k) != flat_new.get(k)
    ]
    more = f", and {len(diff) - limit} more" if len(diff) > limit else ""
    return "other settings (" + ", ".join(diff[:limit]) + more + ")"


def _read_records(path):
    """The record lines of ``path`` (dicts with a ``seed``), in order.

    An incomplete last line (no newline at the end: a run stopped while
    writing it) is dropped, with a warning, and the file rewritten without
    it; any other line that is not a record is a ValueError naming the file
    and the line.  The caller holds the folder's lock.
    """
    path = Path(path)
    if not path.exists():
        return []
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = text.split("\n")
    tail = lines.pop()  # "" when the file ends with a newline
    records, kept = [], []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise ValueError(
                f"{path}, line {i}: not a complete record ({exc}). Delete that "
                "line (its seed is computed again) or the whole file, or run "
                "with a fresh --out"
            ) from None
        if not isinstance(rec, dict) or "seed" not in rec:
            raise ValueError(
                f"{path}, line {i}: not a record (a JSON object with a seed). "
                "Delete that line or the whole file, or run with a fresh --out"
            )
        records.append(rec)
        kept.append(line)
    if tail.strip():
        try:
            rec = json.loads(tail)
            ok = isinstance(rec, dict) and "seed" in rec
        except ValueError:
            ok = False
        if ok:  # complete but for its newline
            records.append(rec)
            kept.append(tail)
        else:
            _warn(
                f"{path}: dropped its incomplete last line (a run stopped while "
                "writing it); that seed is computed again"
            )
        # rewritten, so that the next record starts on a line of its own
        _atomic_write_text(path, "".join(line + "\n" for line in kept))
    return records


def _jsonable(x):
    """``default`` of :func:`json.dumps`: NumPy arrays and scalars."""
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serializable: {type(x)}")


def _append_record(path, record):
    """Append one record as one whole line, in one write, flushed to disk."""
    line = (json.dumps(record, default=_jsonable) + "\n").encode("utf-8")
    with open(path, "ab") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def run_seeds(fn, seeds, path, *, progress=print, extra=None, **kwargs):
    """Run ``fn(seed=s, **kwargs)`` for each seed, appending each finished
    seed to the JSON-lines file ``path`` and reading back the seeds already
    there with the same settings (see :mod:`skrapid.reproduce`).

    ``extra`` (JSON-ready) joins the settings that key the records: what
    determines them besides the arguments (a method's settings table).
    Holds the lock of ``path``'s folder while it runs.  Returns the records
    of ``seeds``, in order, as they are stored: with their ``record_key``
    and ``record_settings``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if _record_folders is not None and path.parent not in _record_folders:
        _record_folders.append(path.parent)
    settings = _record_settings(fn, kwargs, extra)
    key = _settings_key(settings)
    if "progress" in inspect.signature(fn).parameters:
        kwargs = {**kwargs, "progress": progress}
    with _folder_lock(path.parent):
        done, other = {}, {}
        for r in _read_records(path):
            if r.get("record_key") == key:
                done[r["seed"]] = r
            else:
                other.setdefault(r["seed"], r.get("record_settings"))
        stale = [s for s in seeds if s not in done and s in other]
        if stale:
            _warn(
                f"{path}: the records of seed(s) {', '.join(map(str, stale))} "
                f"were {_settings_diff(other[stale[0]], settings)}; they are "
                "kept in the file but not reused: computing those seeds again"
            )
        for s in seeds:
            if s in done:
                progress(f"  seed {s}: already done ({path.name})")
                continue
            r = fn(seed=s, **kwargs)
            done[s] = {**r, "record_key": key, "record_settings": settings}
            _append_record(path, done[s])
            extra_msg = (
                "first epoch with test Hamming <= target: "
                f"{r['first_epoch_at_target']}, "
                if "first_epoch_at_target" in r
                else ""
            )
            progress(f"  seed {s}: {extra_msg}{r['seconds']:.1f} s ({path.name})")
    return [done[s] for s in seeds]


def _run_seeds(fn, seeds, path, *, progress=print, extra=None, **kwargs):
    """:func:`run_seeds`, the records returned without their ``record_*``
    fields (as the reproductions use them)."""
    recs = run_seeds(fn, seeds, path, progress=progress, extra=extra, **kwargs)
    return [
        {k: v for k, v in r.items() if k not in ("record_key", "record_settings")}
        for r in recs
    ]


def _run_seconds(runs):
    """Compute time of the training runs behind a result (they may have been
    resumed from files, so the wall time of the command can be far less)."""
    return float(sum(r["seconds"] for recs in runs.values() for r in recs))


# --------------------------------------------------------------------------
# per-epoch checkpoints of a resumable training
# --------------------------------------------------------------------------
def _array_digest(a):
    """Shape, dtype and SHA-256 of an array (to recognize the same data)."""
    a = np.ascontiguousarray(a)
    return f"{list(a.shape)} {a.dtype} {_digest(a)}"


def _canonical(settings):
    """The settings as canonical JSON (to compare them)."""
    return json.dumps(settings, sort_keys=True, default=repr)


def _save_checkpoint(path, state):
    """Save the checkpoint atomically: the one on disk is always a whole one."""
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
