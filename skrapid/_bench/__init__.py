"""``skrapid bench``: the same work timed side by side, medians and ratios.

Every benchmark times its cases ``repeats`` times in one process (repeats
interleaved, so a drifting machine affects all cases alike), reports the
median, the ratio to the reference case, the fraction of this machine's
measured GEMM throughput the case reaches (from a count of its matrix-product
flops), and the peak memory of one run of the case measured by
:mod:`tracemalloc` (NumPy reports its array allocations there) in a separate,
untimed run.  Reports are JSON; ``--compare OLD.json`` prints the ratio of
each median to the same case in an earlier report.

The benchmarks by kind: ``_common`` (GEMM peak, timing, results rows, the
table and ``--compare``), ``training`` (pcd, pid, gaussian, scaling), ``ais``
(ais, ais-speed, ais-schedule), ``gridsearch``, ``gpu``, ``density`` (density,
bars, gaussian-density), ``probe`` (digits-probe), ``sparse`` and ``threads``
(blas-threads).  ``BENCHMARKS`` holds the speed benchmarks that
``skrapid bench all`` runs.
"""

from ._common import compare_reports, gemm_peak, print_table
from .ais import bench_ais_speed
from .gridsearch import GRIDSEARCH_DEFAULTS, GRIDSEARCH_SCORE_SHARE_GOAL
from .training import bench_gaussian, bench_pcd, bench_pid

__all__ = [
    "BENCHMARKS",
    "GRIDSEARCH_DEFAULTS",
    "GRIDSEARCH_SCORE_SHARE_GOAL",
    "compare_reports",
    "gemm_peak",
    "print_table",
]

BENCHMARKS = {
    "pcd": bench_pcd,
    "pid": bench_pid,
    "ais-speed": bench_ais_speed,
    "gaussian": bench_gaussian,
}
