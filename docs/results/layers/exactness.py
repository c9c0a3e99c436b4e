"""The exactness table of the layers (issue 29), from the test suite's own
independent computations (tests/test_layers.py):

    python docs/results/layers/exactness.py

- every layer pair: exact log Z (enumeration of the discrete layer, the other
  integrated in closed form) against brute force (itertools over the
  discrete layers, quadrature of exp(-U(s) + s I) for a continuous one);
- every continuous layer's sampler against its density (chi-square z-score
  of 20 000 draws on 40 equiprobable bins, the CDF by quadrature), and the
  Potts sampler against its softmax.

Writes exactness.json next to this file.
"""

import json
import runpy
import warnings
from pathlib import Path

here = Path(__file__).parent
T = runpy.run_path(str(here.parents[2] / "tests" / "test_layers.py"))
warnings.simplefilter("ignore")

pairs = {}
for v, h in T["PAIRS"]:
    est, _ = T["_random_model"](v, h)
    exact = est.log_partition_function("exact")
    brute = T["_brute_log_z"](est, v, h)
    pairs[f"{v}-{h}"] = {"exact": exact, "brute_force": brute, "diff": exact - brute}
    print(f"{v:9} {h:9} exact {exact:.12f}  brute {brute:.12f}  {exact - brute:+.1e}")

samplers = {}
for name, plist in T["LAYER_PARAMS"].items():
    for i, p in enumerate(plist):
        for field in (-8.0, 0.0, 0.7, 4.0):
            z = T["_sampler_z"](name, p, field)
            samplers[f"{name}-{i} field {field:g}"] = z
            print(f"{name}-{i} ({p}) field {field:5g}: chi-square z = {z:+.2f}")
(here / "exactness.json").write_text(
    json.dumps({"pairs": pairs, "sampler_chi2_z": samplers}, indent=1)
)
print("max |diff|", max(abs(r["diff"]) for r in pairs.values()))
print("max |z|", max(abs(z) for z in samplers.values()))
