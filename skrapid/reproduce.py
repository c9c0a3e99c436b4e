"""Reproductions of the papers' experiments: ``skrapid reproduce NAME``.

Each reproduction composes an experiment of :mod:`skrapid.experiments`
(which composes the estimators, :mod:`skrapid.datasets` and
:mod:`skrapid.metrics`), and writes two files: ``NAME.json`` with our
numbers, the paper's numbers, a verdict per quantity and the settings, and
``NAME.png``, a figure drawn like the paper's (``NAME.quick.json`` and
``NAME.quick.png`` for ``--quick`` runs, so a quick run never overwrites a
full one in the same folder).
``quick=True`` is a documented reduced setting (seconds); the JSON records
which mode produced it.  Finished seeds are appended to JSON-lines files in
``OUT/NAME/`` (``OUT/NAME/quick/`` for quick runs; the full-mode 4x4 bars runs
of Figs. 2-4 share ``OUT/bars4x4-runs/``) as they complete, so an interrupted
run resumes.  :data:`REPRODUCTIONS` lists every experiment of both papers.

Each experiment lives with its runner, figure, comparisons and texts in the
module of its paper: :mod:`skrapid.experiments.rapid` (Pozas-Kerstjens et
al. 2021) and :mod:`skrapid.experiments.scalar_field` (Aarts, Lucini & Park
2024); the registry and the results page are in
:mod:`skrapid.experiments._registry`, the records in
:mod:`skrapid.experiments._records`.

Records can be trusted:

* every record line carries ``record_settings`` (the experiment function, all
  its arguments but the seed, defaults included, input arrays as SHA-256
  digests, and :data:`RECORD_VERSION`) and ``record_key``, a digest of them.
  A seed is read back only from a record with the same key; records written
  with other settings (other epochs, another K, an older skrapid that did not
  key its records) stay in the file but are not reused: the seed is computed
  again, and a warning on stderr says so once per file;
* an incomplete last line (a run stopped while writing it) is dropped with a
  warning and its seed computed again; any other line that is not a record is
  an error naming the file and the line;
* result files (``NAME.json``, ``NAME.png``, ``results.rst``) are written to
  a temporary file in the same folder and renamed over the old one, so a
  reader never sees a half-written file; records are appended one whole line
  per ``write``;
* a run holds an exclusive lock (``.lock``, :func:`fcntl.flock`) on each folder
  it writes records to; a second run into the same folder stops at once with
  an error instead of computing the same seeds and interleaving lines (no
  lock where :mod:`fcntl` is missing, i.e. on Windows).
"""

# importing the paper packages registers every experiment of both papers
from .experiments import rapid, scalar_field  # noqa: F401
from .experiments._records import RECORD_VERSION, read_record
from .experiments._registry import REPRODUCTIONS, Reproduction, reproduce, results_page

__all__ = [
    "RECORD_VERSION",
    "REPRODUCTIONS",
    "Reproduction",
    "read_record",
    "reproduce",
    "results_page",
]
