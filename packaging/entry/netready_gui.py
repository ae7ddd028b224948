"""The bundle's `netready-gui` program: the desktop app (`netready.gui.app:main`).

`freeze_support()` comes before Qt is imported: the scan process and the TLS workers are
this executable started again with `--multiprocessing-fork`, and they must not load Qt for
nothing (`netready.gui.app.main` calls it too, for `python -m netready.gui`).
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from netready.gui.app import main

    sys.exit(main())
