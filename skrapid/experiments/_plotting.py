"""Figures of the reproductions: matplotlib on the Agg backend, PNGs written
atomically, and a grid of images.
"""

from __future__ import annotations

import io

import numpy as np

from ._records import _atomic_write_bytes


def _pyplot():
    """:mod:`matplotlib.pyplot` on the Agg backend (an ImportError that says
    how to install it where matplotlib is missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "figures need matplotlib: python -m pip install 'skrapid[plot]'"
        ) from exc
    return plt


def _save(fig, path):
    """Lay out, write as PNG (atomically, :func:`small_png`) and close a
    figure."""
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    _pyplot().close(fig)
    _atomic_write_bytes(path, small_png(buf.getvalue()))


def small_png(data):
    """A PNG rewritten with a palette of 256 colours (median cut), which a
    line plot or a grey-level image grid does not need more of: a third of
    the bytes, so the figures the docs keep stay small.  Pillow comes with
    matplotlib; without it the PNG is returned as it is."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - matplotlib depends on Pillow
        return data
    img = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    img.quantize(256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def _image_grid(ax, imgs, n_cols, title):
    """Draw square images (rows of ``imgs``) on ``ax`` in a grid of
    ``n_cols`` columns, one blank pixel between them."""
    imgs = np.asarray(imgs, dtype=float)
    n = int(round(np.sqrt(imgs.shape[1])))
    n_rows = -(-len(imgs) // n_cols)
    grid = np.full((n_rows * (n + 1), n_cols * (n + 1)), np.nan)
    for i, img in enumerate(imgs):
        r, c = divmod(i, n_cols)
        grid[r * (n + 1) : r * (n + 1) + n, c * (n + 1) : c * (n + 1) + n] = (
            img.reshape(n, n)
        )
    ax.imshow(grid, cmap="gray", interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.axis("off")
