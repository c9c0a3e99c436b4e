"""Compare two folders of ``reproduce --quick`` results, ignoring timings.

    python docs/results/restructure/compare_quick.py BEFORE AFTER

Every value of every ``NAME.quick.json`` is compared, except the keys that
hold wall times (any key containing "seconds", "time" or "wall").
"""

import json
import math
import sys
from pathlib import Path

TIMING = ("seconds", "time", "wall")


def _same_nan(a, b):
    """Both are NaN (NaN != NaN, but two NaNs are the same result)."""
    floats = isinstance(a, float) and isinstance(b, float)
    return floats and math.isnan(a) and math.isnan(b)


def walk(a, b, path, diffs):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if any(t in k for t in TIMING):
                continue
            if k not in a or k not in b:
                diffs.append(f"{path}/{k}: only in {'after' if k in b else 'before'}")
            else:
                walk(a[k], b[k], f"{path}/{k}", diffs)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append(f"{path}: length {len(a)} vs {len(b)}")
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            walk(x, y, f"{path}[{i}]", diffs)
    elif a != b and not _same_nan(a, b):
        diffs.append(f"{path}: {str(a)[:80]} vs {str(b)[:80]}")


def main(before, after):
    total = 0
    for f in sorted(Path(before).glob("*.quick.json")):
        g = Path(after) / f.name
        if not g.exists():
            print(f"{f.name}: missing after")
            total += 1
            continue
        diffs = []
        walk(json.loads(f.read_text()), json.loads(g.read_text()), "", diffs)
        print(f"{f.name}: {f'{len(diffs)} differences' if diffs else 'identical'}")
        for d in diffs[:10]:
            print("   ", d)
        total += len(diffs)
    print("TOTAL differences:", total)
    return total


if __name__ == "__main__":
    sys.exit(1 if main(*sys.argv[1:3]) else 0)
