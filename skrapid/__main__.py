"""``python -m skrapid``: the command line (see ``skrapid --help``)."""

import sys

from ._cli import cli

if __name__ == "__main__":
    sys.exit(cli())
