"""`python -m jobs.nightly`: the nightly job's former entry point; the command is now `digireport-nightly`."""

import sys

from digireport.nightly import install, main, nightly_run, serve  # noqa: F401

if __name__ == "__main__":
    sys.exit(main())
