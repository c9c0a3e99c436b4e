"""The committed figure of examples/plot_phi4_lattice.py:

    python docs/results/phi4/lattice_example.py

runs the example and saves its figure as docs/results/phi4/lattice_example.png
(and its printed lines as lattice_example.txt).
"""

import contextlib
import io
import runpy
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

here = Path(__file__).parent
example = here.parents[2] / "examples" / "plot_phi4_lattice.py"
plt.show = lambda *a, **k: plt.gcf().savefig(here / "lattice_example.png", dpi=100)
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    runpy.run_path(str(example), run_name="__main__")
(here / "lattice_example.txt").write_text(buf.getvalue())
print(buf.getvalue())
