"""Write the intersphinx inventories the offline docs build reads.

The docs link to a few objects of other projects; their inventories are
written here (Sphinx's version-2 format) so that building the docs needs no
network.  Each entry is (name, role, page relative to the project's docs).
Run ``python docs/_inventories/make_inventories.py`` after adding a link.
"""

import zlib
from pathlib import Path

SK = "modules/generated/{}.html#$"
ENTRIES = {
    "python": [
        ("tracemalloc", "py:module", "library/tracemalloc.html#module-$"),
        ("pickle", "py:module", "library/pickle.html#module-$"),
    ],
    "numpy": [
        ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#$"),
        ("numpy.float32", "py:attribute", "reference/arrays.scalars.html#$"),
    ],
    "scipy": [
        (
            "scipy.special.expit",
            "py:function",
            "reference/generated/scipy.special.expit.html#$",
        ),
    ],
    "sklearn": [
        (name, role, SK.format(name))
        for name, role in (
            ("sklearn.neural_network.BernoulliRBM", "py:class"),
            ("sklearn.utils.Bunch", "py:class"),
            ("sklearn.model_selection.GridSearchCV", "py:class"),
            ("sklearn.pipeline.Pipeline", "py:class"),
            ("sklearn.linear_model.LogisticRegression", "py:class"),
            ("sklearn.datasets.load_digits", "py:function"),
            ("sklearn.utils.validation.validate_data", "py:function"),
            ("sklearn.utils.estimator_checks.check_estimator", "py:function"),
        )
    ],
    "joblib": [
        ("joblib.parallel_backend", "py:function", "generated/$.html#$"),
        ("joblib.dump", "py:function", "generated/$.html#$"),
    ],
    "distributed": [
        ("distributed.LocalCluster", "py:class", "api.html#$"),
        ("distributed.Client", "py:class", "api.html#$"),
    ],
}


def write(project, entries, folder):
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        "# Version: stable\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(f"{n} {role} 1 {uri} -\n" for n, role, uri in entries)
    (folder / f"{project}.inv").write_bytes(
        header.encode() + zlib.compress(body.encode())
    )


if __name__ == "__main__":
    here = Path(__file__).parent
    for project, entries in ENTRIES.items():
        write(project, entries, here)
        print(f"{project}: {len(entries)} entries")
