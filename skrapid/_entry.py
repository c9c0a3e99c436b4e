"""The ``skrapid`` command's entry point, kept free of heavy imports: a Ctrl-C
while NumPy, SciPy and scikit-learn load prints ``skrapid: interrupted`` and
exits with status 130, as it does later (:func:`skrapid._cli.cli`)."""

import importlib
import sys


def cli(argv=None) -> int:
    try:
        main = importlib.import_module("skrapid._cli").cli
    except KeyboardInterrupt:
        print("skrapid: interrupted (while starting)", file=sys.stderr)
        return 130
    return main(argv)
