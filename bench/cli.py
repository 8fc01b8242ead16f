"""`python -m bench [orders|evaluation|draw|replay|app]`: run one benchmark, print its figures.
Without a subcommand: the registration command path (bench.registration)."""

from __future__ import annotations

import sys
from collections.abc import Callable


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    run: Callable[[list[str]], int]
    if args_in[:1] == ["orders"]:
        from bench.orders import main as run
    elif args_in[:1] == ["evaluation"]:
        from bench.evaluation import main as run
    elif args_in[:1] == ["draw"]:
        from bench.draw import main as run
    elif args_in[:1] == ["replay"]:
        from bench.replay import main as run
    elif args_in[:1] == ["app"]:
        from bench.app_pages import main as run
    else:
        from bench.registration import main as registration

        return registration(args_in)
    return run(args_in[1:])
