"""Run every reproduction's --quick mode into a folder (issue 20's check).

    python docs/results/restructure/quick_all.py OUT

Run it once on the code before a refactor and once after (each from its own
checkout, with PYTHONPATH pointing at it), then compare the two folders with
compare_quick.py.  Quick modes are deterministic for a given seed.
"""

import sys
import time

import skrapid
from skrapid.reproduce import REPRODUCTIONS, reproduce

print("skrapid from", skrapid.__file__, flush=True)
out = sys.argv[1]
for name in REPRODUCTIONS:
    t = time.perf_counter()
    reproduce(name, quick=True, out=out, progress=lambda *a: None)
    print(f"{name}: {time.perf_counter() - t:.1f} s", flush=True)
