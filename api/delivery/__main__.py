"""`python -m api.delivery [--once]`: the delivery worker as its own process (the same
as `sishuang deliver`)."""

from __future__ import annotations

import sys

from api.cli import main

if __name__ == "__main__":
    sys.exit(main(["deliver", *sys.argv[1:]]))
