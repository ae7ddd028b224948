"""`python -m netready.gui`: the desktop app."""

import sys

# Guarded, and the app imported only here: the scan process, started with "spawn", imports
# this module again and must neither start a second app nor load Qt for nothing.
if __name__ == "__main__":
    from netready.gui.app import main

    sys.exit(main())
