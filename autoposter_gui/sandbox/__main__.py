"""``python -m autoposter_gui.sandbox``: run the fake Graph API in the foreground until Ctrl+C."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from .server import DEFAULT_PORT, serve


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autoposter_gui.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--state", type=Path, default=None, help="JSON file that keeps posts across restarts")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--container-polls", type=int, default=1)
    parser.add_argument(
        "--extra-pages", type=int, default=0, help="add N publishable Pages, each with an Instagram account"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--json", action="store_true", help="print the URL and credentials as one JSON line")
    args = parser.parse_args(argv)
    serve(
        args.host,
        args.port,
        args.state,
        latency_ms=args.latency_ms,
        container_polls=args.container_polls,
        log_requests=args.verbose,
        json_output=args.json,
        extra_pages=args.extra_pages,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
