"""Sphinx configuration of the skrapid documentation.

Build (warnings are errors)::

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery's examples are *not* executed by default (they take minutes on a
2-core CPU): their pages show the code, and their thumbnails are committed
result figures of the same experiments (``_GALLERY_FIGURES`` below).  To run
them and show their own figures and output::

    python -m sphinx -b html -D plot_gallery=1 docs docs/_build/html
"""

import os
import sys
from pathlib import Path

import skrapid

sys.path.insert(0, os.path.abspath(".."))

project = "skrapid"
author = "skrapid developers"
copyright = "2026, skrapid developers"
version = release = skrapid.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.doctest",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {
    "members": True,
    "inherited-members": True,
    # scikit-learn's metadata-routing and set_output helpers document
    # themselves with scikit-learn's own labels
    "exclude-members": ",".join(
        [
            "get_metadata_routing",
            "set_output",
            "set_fit_request",
            "set_partial_fit_request",
            "set_score_request",
            "set_transform_request",
            "set_inverse_transform_request",
        ]
    ),
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "results/bars4x4/*",
    "results/reproduce/bars4x4-runs/*",
    "**/README.md",
]
html_theme = "pydata_sphinx_theme"
html_title = f"skrapid {release}"
html_static_path = ["_static"]
html_css_files = ["skrapid.css"]
html_theme_options = {
    "logo": {"text": "skrapid"},
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # the landing page uses the whole width
    "secondary_sidebar_items": {"**": ["page-toc"], "index": []},
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
# no left sidebar on pages without siblings to navigate
html_sidebars = {
    "index": [],
    "api": [],
    "performance": [],
    "results/reproduce/results": [],
}
html_show_sourcelink = False

# Inventories are read from docs/_inventories first, so the build needs no
# network (CI machines have none); with a network the projects' own inventories
# are the fallback.  docs/_inventories/make_inventories.py regenerates them.
_inv = Path(__file__).parent / "_inventories"
intersphinx_mapping = {
    name: (url, (str(_inv / f"{name}.inv"), None))
    for name, url in {
        "python": "https://docs.python.org/3/",
        "numpy": "https://numpy.org/doc/stable/",
        "scipy": "https://docs.scipy.org/doc/scipy/",
        "sklearn": "https://scikit-learn.org/stable/",
        "joblib": "https://joblib.readthedocs.io/en/stable/",
        "distributed": "https://distributed.dask.org/en/stable/",
    }.items()
}

# Run the examples only when asked (-D plot_gallery=1 or
# SKRAPID_DOCS_RUN_EXAMPLES=1): the default build shows their code only.
plot_gallery = str(os.environ.get("SKRAPID_DOCS_RUN_EXAMPLES", "0") not in ("", "0"))

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "ExampleTitleSortKey",
    # "Examples using ..." thumbnails on the API pages and the landing page
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("skrapid",),
}

# Thumbnails without running the examples.  sphinx-gallery makes an example's
# thumbnail from auto_examples/images/sphx_glr_<name>_001.png (its first
# figure) when that file exists, and keeps an existing
# images/thumb/sphx_glr_<name>_thumb.png when the example is unchanged.  When
# the examples are not run, both are written before the gallery is generated
# from a committed figure of the same experiment (path under docs/, and the
# part of the image to keep as (left, top, right, bottom) fractions), and the
# example's page shows that figure with a caption that says where it comes
# from.  Running the examples (plot_gallery=1) replaces them with their own.
_GALLERY_FIGURES = {
    "plot_phi4_lattice": (
        "results/phi4/lattice_example.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_phi4_lattice docs/results/phi4/lattice_example``): the "
        "magnetization of HMC, of the φ⁴ model's "
        "samples and of the Metropolis chain, in the symmetric and broken phases.",
    ),
    "plot_potts_digits": (
        "results/layers/potts_digits.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_potts_digits docs/results/layers/potts_digits``): test digits "
        "in four grey levels and samples of "
        "the Potts RBM by parallel tempering.",
    ),
    "plot_rapid_bars": (
        "results/gallery/plot_rapid_bars.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_rapid_bars docs/results/gallery/plot_rapid_bars``): the test "
        "Hamming distance of RAPID (pure PID) by epoch, and test images with "
        "their reconstructions.",
    ),
    "plot_spin_glass_accessibility": (
        "results/gallery/plot_spin_glass_accessibility.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_spin_glass_accessibility "
        "docs/results/gallery/plot_spin_glass_accessibility``): Gibbs "
        "accessibility against the weights' scale, RA weights against "
        "Gaussian and uniform ones.",
    ),
    "plot_gaussian_spectrum": (
        "results/gallery/plot_gaussian_spectrum.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_gaussian_spectrum docs/results/gallery/plot_gaussian_spectrum``): "
        "the kernel eigenvalues of the scalar-field RBM by epoch, at "
        "μ² = 9, N_h = 10; μ² = 6, N_h = 10; μ² = 9, N_h = 6, with the "
        "targets dashed.",
    ),
    "plot_grid_search_both_estimators": (
        "results/gallery/plot_grid_search_both_estimators.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_grid_search_both_estimators "
        "docs/results/gallery/plot_grid_search_both_estimators``): "
        "cross-validated log-likelihood above the factorized baseline, "
        "BinaryRBM and RARBM in one grid search.",
    ),
    "plot_grid_search_log_likelihood": (
        "results/grid_search/grid_search_digits.png",
        None,
        "This example's figure, committed: cross-validated log-likelihood "
        "against H, with the factorized baseline.",
    ),
    "plot_dask_grid_search": (
        "results/gallery/plot_dask_grid_search.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_dask_grid_search docs/results/gallery/plot_dask_grid_search``): "
        "4-fold cross-validated held-out log-likelihood of RARBM on the 4x4 "
        "bars over K and H, fitted by two dask workers.",
    ),
    "plot_digits_probe": (
        "results/gallery/plot_digits_probe.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_digits_probe docs/results/gallery/plot_digits_probe``): "
        "32 of the 100 filters of the BinaryRBM whose features feed the "
        "logistic-regression probe.",
    ),
    "plot_sampling": (
        "results/gallery/plot_sampling.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_sampling docs/results/gallery/plot_sampling``): "
        "24 samples of the BinaryRBM trained on binarized digits, 1000 Gibbs "
        "sweeps each.",
    ),
    "plot_gpu": (
        "results/gallery/plot_gpu.png",
        None,
        "This example's figure, committed (``docs/results/example_figure.py "
        "plot_gpu docs/results/gallery/plot_gpu``): 5 epochs of the same "
        "BinaryRBM on NumPy input and on a PyTorch CPU tensor, on the 2-core "
        "machine without a GPU (the CUDA and CuPy cases skip there).",
    ),
}


def _runs_examples(app):
    """plot_gallery as sphinx-gallery reads it (-D gives a string)."""
    value = app.config.plot_gallery
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off", "none")
    return bool(value)


def _committed_thumbnails(app):
    """Write the examples' first figures and thumbnails from committed PNGs."""
    if _runs_examples(app):
        return
    from PIL import Image
    from sphinx_gallery.utils import scale_image

    src = Path(app.srcdir)
    images = src / "auto_examples" / "images"
    (images / "thumb").mkdir(parents=True, exist_ok=True)
    size = app.config.sphinx_gallery_conf["thumbnail_size"]
    for name, (path, box, _) in _GALLERY_FIGURES.items():
        with Image.open(src / path) as img:
            if box is not None:
                w, h = img.size
                img = img.crop(
                    tuple(round(f * n) for f, n in zip(box, (w, h, w, h), strict=True))
                )
            first = images / f"sphx_glr_{name}_001.png"
            img.save(first)
        scale_image(first, images / "thumb" / f"sphx_glr_{name}_thumb.png", *size)


def _committed_figure(app, docname, source):
    """On an example's page built without running it, show the committed
    figure its thumbnail comes from, saying what it is."""
    if _runs_examples(app):
        return
    name = docname.rpartition("/")[2]
    if not docname.startswith("auto_examples/") or name not in _GALLERY_FIGURES:
        return
    path, _, caption = _GALLERY_FIGURES[name]
    marker = ".. GENERATED FROM PYTHON SOURCE LINES"
    text = source[0]
    at = text.find(marker, text.find(f".. _sphx_glr_auto_examples_{name}.py:"))
    if at < 0:
        return
    own = caption.startswith("This example's figure")
    note = (
        "This script's own output, committed: the documentation is built "
        "without running the examples."
        if own
        else "A committed result, not this script's output: the "
        "documentation is built without running the examples."
    )
    figure = (
        f".. figure:: /{path}\n"
        f"   :alt: {name}: committed result figure\n"
        f"   :class: skrapid-committed-figure\n\n"
        f"   {caption}  {note}\n\n"
    )
    printed = Path(app.srcdir) / Path(path).with_suffix(".txt")
    if own and printed.is_file() and printed.read_text().strip():
        lines = printed.read_text().strip().splitlines()
        figure += "What it printed:\n\n.. code-block:: none\n\n"
        figure += "".join(f"    {line}\n" for line in lines) + "\n"
    source[0] = text[:at] + figure + text[at:]


def setup(app):
    # before sphinx-gallery generates the gallery (also at builder-inited)
    app.connect("builder-inited", _committed_thumbnails, priority=100)
    app.connect("source-read", _committed_figure)
