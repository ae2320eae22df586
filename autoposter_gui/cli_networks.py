"""The `autoposter` commands that connect the browser-sign-in networks: connect-x and connect-google (thin: the
engine's BrowserConnect, as in the GUI). Refusals raise ValidationError (exit 2)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from autoposter_gui.domain.errors import ValidationError

# What each command connects: the registry key, the words shown, and whether a client secret is needed.
_NETWORKS = {
    "connect-x": ("x", "X", False),
    "connect-google": ("google", "Google", True),
}


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "connect-x",
        parents=[common],
        help="connect your X account (sign in with your browser)",
        description="Sign in to X in your browser and connect the account. Register the callback URL "
        "http://127.0.0.1:PORT/callback (PORT: 8719 unless --port says otherwise) in your X app's "
        "User authentication settings first.",
    )
    p.add_argument("--client-id", required=True, help='your X app\'s OAuth 2.0 Client ID ("-" reads it from stdin)')
    p.add_argument("--port", type=int, help="the loopback port of the callback URL (default 8719)")
    p.add_argument("--no-browser", action="store_true", help="only print the sign-in URL; don't open a browser")

    p = sub.add_parser(
        "connect-google",
        parents=[common],
        help="connect your Google Business Profile locations (sign in with your browser)",
        description="Sign in to Google in your browser and connect every Business Profile location you manage.",
    )
    p.add_argument("--client-id", required=True, help="your Google Cloud OAuth client ID (Desktop app)")
    p.add_argument("--client-secret", required=True, help='its client secret ("-" reads it from stdin)')
    p.add_argument("--port", type=int, help="the loopback port (default: any free port)")
    p.add_argument("--no-browser", action="store_true", help="only print the sign-in URL; don't open a browser")


def _stdin_line() -> str:
    try:
        return sys.stdin.readline().strip()
    except UnicodeDecodeError:
        raise ValidationError("what came in on stdin is not valid UTF-8 text") from None


def cmd_connect_network(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.browser_connect import BrowserConnect

    key, label, needs_secret = _NETWORKS[args.command]
    client_id = _stdin_line() if args.client_id == "-" else args.client_id
    secret = getattr(args, "client_secret", None)
    if needs_secret and secret == "-":
        secret = _stdin_line()
    connect = BrowserConnect(ctx, key, client_id=client_id, client_secret=secret, port=args.port)
    try:
        # The URL goes to stdout (stderr with --json, which keeps stdout for the JSON answer).
        out = sys.stderr if args.json else sys.stdout
        print(f"Open this address in your browser to sign in to {label}:\n\n  {connect.url}\n", file=out, flush=True)
        if not args.no_browser:
            import webbrowser

            if not webbrowser.open(connect.url):
                print("(No browser could be opened here: open the address above yourself.)", file=out, flush=True)
        print(
            f"Waiting for {label} to send you back to {connect.redirect_uri} (up to 5 minutes)…",
            file=sys.stderr,
            flush=True,
        )
        accounts = connect.wait()
    finally:
        connect.close()
    from autoposter_gui.cli import _table, account_json

    rows = [account_json(a) for a in accounts]
    return rows, _table(rows, ["id", "platform", "account_id", "name"]) + f"\nConnected {len(rows)} account(s)."


COMMANDS = {"connect-x": cmd_connect_network, "connect-google": cmd_connect_network}
