"""Screenshots of the built documentation and of an estimator's HTML repr.

Writes docs/_static/screenshots/*.png with headless Chromium (Debian's
``chromium``), at a desktop (1366x900) and a phone (390x844) width::

    python -m sphinx -b html docs docs/_build/html -q
    python docs/make_screenshots.py [--build docs/_build/html] [--tall]

``--tall`` also writes full-length captures (``*-tall.png``) to a temporary
folder, for checking a whole page by eye; only the standard sizes are kept.
The HTML repr page (``html_repr.png``) shows ``make_pipeline(MinMaxScaler(),
BinaryRBM())`` and a fitted ``RARBM`` as a notebook renders them, with the
"?" icon that links to the estimator's API page.
"""

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
OUT = DOCS / "_static" / "screenshots"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
PAGES = {
    "index": "index.html",
    "api-rarbm": "generated/skrapid.RARBM.html",
    "gallery": "auto_examples/index.html",
    "example": "auto_examples/plot_rapid_bars.html",
    "choosing": "guide/choosing.html",
}


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    raise SystemExit("no chromium: apt-get install -y chromium")


def shoot(url, png, width, height, scale=1):
    profile = tempfile.mkdtemp()
    try:
        subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                f"--force-device-scale-factor={scale}",
                url,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def html_repr_page(path):
    """A minimal page with the HTML repr of a pipeline and a fitted RARBM."""
    import warnings

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler

    from skrapid import RARBM, BinaryRBM
    from skrapid.datasets import bars_4x4_split

    X_train, _ = bars_4x4_split()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rarbm = RARBM(n_components=64, n_patterns=4, max_iter=2, random_state=0)
        rarbm.fit(X_train)
    pipe = make_pipeline(MinMaxScaler(), BinaryRBM())
    body = "".join(
        f"<h3><code>{title}</code></h3>{est._repr_html_()}"
        for title, est in [
            ("make_pipeline(MinMaxScaler(), BinaryRBM())", pipe),
            ("RARBM(n_components=64, n_patterns=4, ...).fit(X)", rarbm),
        ]
    )
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<style>body{font-family:sans-serif;margin:16px}"
        "h3{font-size:14px;margin:12px 0 6px}</style></head>"
        f"<body>{body}</body></html>",
        encoding="utf-8",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(DOCS / "_build" / "html"))
    parser.add_argument("--tall", action="store_true")
    args = parser.parse_args()
    build = Path(args.build).resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    tall_dir = Path(tempfile.mkdtemp(prefix="skrapid-tall-")) if args.tall else None
    for page, rel in PAGES.items():
        url = (build / rel).as_uri()
        for size, (w, h) in SIZES.items():
            shoot(url, OUT / f"{page}-{size}.png", w, h)
            if tall_dir:
                shoot(url, tall_dir / f"{page}-{size}-tall.png", w, 4 * h)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "html_repr.html"
        html_repr_page(page)
        shoot(page.as_uri(), OUT / "html_repr.png", 480, 330, scale=2)
    print("wrote", *sorted(p.name for p in OUT.glob("*.png")))
    if tall_dir:
        print("tall captures in", tall_dir)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
