"""Sphinx configuration of the skrapid documentation.

Build (warnings are errors)::

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html
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
html_theme = "alabaster"
html_static_path = []

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

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}
