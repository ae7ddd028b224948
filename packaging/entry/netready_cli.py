"""The bundle's `netready` program: the command line (`netready.cli:main`).

`freeze_support()` comes first: in a frozen build a worker process (the TLS checks run
sslyze in processes started with "spawn") is this same executable started again with
`--multiprocessing-fork`; freeze_support runs the worker and exits before the command line
is even imported.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from netready.cli import main

    sys.exit(main())
