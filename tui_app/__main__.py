"""`python -m tui_app` is the same program as `vias-tui`."""

import sys

from tui_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
