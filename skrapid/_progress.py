"""Progress reports: epoch-line timing, and a bar for long loops (AIS).

tqdm is an optional dependency (``pip install skrapid[progress]``): when it is
installed, :class:`ProgressReporter` shows a ``tqdm.auto`` bar (a widget in
notebooks); without it, plain lines every 10 % of the work.  Both go to
standard error, as tqdm's bars do, so standard output keeps the results.
Nothing is shown until the reporter is first called.
"""

from __future__ import annotations

import re
import sys
import time


def format_duration(seconds: float) -> str:
    """A short human duration: ``0.42s``, ``12.3s``, ``4m05s``, ``2h03m``."""
    if seconds != seconds or seconds < 0:  # NaN or negative: unknown
        return "?"
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        m, s = divmod(int(round(seconds)), 60)
        return f"{m}m{s:02d}s"
    h, m = divmod(int(round(seconds)) // 60, 60)
    return f"{h}h{m:02d}m"


def silent(*args, **kwargs):
    """A ``progress`` callable that prints nothing (the commands' ``--quiet``)."""


def natural_key(text: str):
    """Sort key that orders the numbers inside names by value, so
    ``sfrbm-fig2`` comes before ``sfrbm-fig10-11``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _tqdm():
    """``tqdm.auto.tqdm``, or None when tqdm is not installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


class ProgressReporter:
    """A ``progress(done, total)`` callback that shows how far a loop got.

    With tqdm installed: a ``tqdm.auto`` bar (closed when ``done`` reaches
    ``total`` or by :meth:`close`).  Without: one line each time another
    ``step`` (a fraction, default 10 %) of ``total`` is done, with the
    elapsed time and an ETA.

    Parameters
    ----------
    desc : str
        What is running (``"[BinaryRBM] AIS"``).
    unit : str, default="temperature"
        What ``done`` and ``total`` count (plain lines add an "s"; the bar
        shows ``bar_unit``).
    bar_unit : str, default="temp"
        The unit of the bar's rate.
    step : float, default=0.1
        Fraction of ``total`` between two plain lines.
    file : file object, default=None
        Where to write (default: ``sys.stderr`` at the time of the call).
    use_tqdm : bool or None, default=None
        None: a bar when tqdm is installed; False: plain lines.
    """

    def __init__(
        self,
        desc,
        *,
        unit="temperature",
        bar_unit="temp",
        step=0.1,
        file=None,
        use_tqdm=None,
    ):
        self.desc, self.unit, self.bar_unit, self.step = desc, unit, bar_unit, step
        self.file = file
        self.use_tqdm = use_tqdm
        self._bar = None
        # the clock starts with the work (the reporter is made just before
        # the loop), not at the first report, which comes after the first step
        self._t0 = time.perf_counter()
        self._t0_wall = time.time()
        self._started = False
        self._next = None
        self._closed = False

    def __call__(self, done, total):
        if self._closed:
            return
        if not self._started:
            self._started = True
            tqdm = _tqdm() if self.use_tqdm is not False else None
            if tqdm is not None:
                self._bar = tqdm(
                    total=total,
                    desc=self.desc,
                    unit=self.bar_unit,
                    file=self.file,
                    leave=False,
                    dynamic_ncols=True,
                )
                self._bar.start_t = self._t0_wall  # tqdm's clock is time.time
            self._next = 1  # index of the next plain line (at step * index)
        if self._bar is not None:
            self._bar.total = total
            self._bar.update(done - self._bar.n)
        else:
            frac = done / total if total else 1.0
            if frac >= self._next * self.step - 1e-9 or done >= total:
                while self._next * self.step - 1e-9 <= frac:
                    self._next += 1
                elapsed = time.perf_counter() - self._t0
                eta = elapsed / frac * (1 - frac) if frac > 0 else float("nan")
                print(
                    f"{self.desc}: {100 * frac:3.0f}% ({done}/{total} {self.unit}s), "
                    f"elapsed {format_duration(elapsed)}, ETA {format_duration(eta)}",
                    file=self.file or sys.stderr,
                    flush=True,
                )
        if total and done >= total:
            self.close()

    def close(self):
        """Close the bar (a no-op for plain lines, or when never called)."""
        self._closed = True
        if self._bar is not None:
            self._bar.close()
            self._bar = None
