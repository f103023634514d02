"""``python -m ember``: the ``ember`` command line (run, train, evaluate)."""

import sys

from .cli import main

sys.exit(main())
