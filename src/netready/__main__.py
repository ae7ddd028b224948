"""`python -m netready` runs the command line."""

import sys

from netready.cli import main

sys.exit(main())
