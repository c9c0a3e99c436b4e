"""Run a gallery example and keep its figure and printed lines:

    python docs/results/example_figure.py EXAMPLE OUT_PREFIX

e.g. ``python docs/results/example_figure.py plot_potts_digits
docs/results/layers/potts_digits`` writes ``potts_digits.png`` and
``potts_digits.txt``: the committed figures the gallery shows without
running the examples (``docs/conf.py``'s ``_GALLERY_FIGURES``).
"""

import contextlib
import io
import runpy
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

name, prefix = sys.argv[1], Path(sys.argv[2])
example = Path(__file__).parents[2] / "examples" / f"{name}.py"
from skrapid.experiments._plotting import small_png  # noqa: E402


def _show(*args, **kwargs):
    buf = io.BytesIO()
    plt.gcf().savefig(buf, format="png", dpi=100, bbox_inches="tight")
    prefix.with_suffix(".png").write_bytes(small_png(buf.getvalue()))


plt.show = _show
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    runpy.run_path(str(example), run_name="__main__")
prefix.with_suffix(".txt").write_text(buf.getvalue())
print(buf.getvalue())
