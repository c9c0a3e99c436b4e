"""The committed figure of examples/plot_potts_digits.py:

    python docs/results/layers/potts_digits.py

runs the example and saves its figure as docs/results/layers/potts_digits.png
(and its printed lines as potts_digits.txt).
"""

import contextlib
import io
import runpy
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

here = Path(__file__).parent
example = here.parents[2] / "examples" / "plot_potts_digits.py"
plt.show = lambda *a, **k: plt.gcf().savefig(here / "potts_digits.png", dpi=110)
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    runpy.run_path(str(example), run_name="__main__")
(here / "potts_digits.txt").write_text(buf.getvalue())
print(buf.getvalue())
