"""``python -m analysis``: the ``cramp-reanalysis`` command line."""

import sys

from analysis.cli import main

sys.exit(main())
