"""``python -m skrapid``: the command line (see ``skrapid --help``)."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
