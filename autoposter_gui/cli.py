"""The `autoposter` command: a thin shell over the same services the GUI uses."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NoReturn

from autoposter_gui import __version__
from autoposter_gui.config import DEFAULT_SANDBOX_PORT, AppConfig
from autoposter_gui.domain.errors import AutoposterError, KeyringUnavailableError, ValidationError
from autoposter_gui.domain.times import iso, iso_local

log = logging.getLogger("autoposter_gui.cli")
EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class CliError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)", EXIT_BAD_INPUT)


def _secret_arg(value: str) -> str:
    """A secret given as "-" is read from standard input, so it stays out of shell history."""
    if value == "-":
        return sys.stdin.readline().strip()
    return value


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    parser = _Parser(prog="autoposter", description="Schedule and publish posts to Facebook and Instagram.")
    parser.add_argument("--json", action="store_true", default=False, help="machine-readable output")
    parser.add_argument("--version", action="version", version=f"autoposter {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("connect", parents=[common], help="connect your Facebook Pages and Instagram accounts")
    p.add_argument("--app-id", required=True)
    p.add_argument("--app-secret", required=True, type=_secret_arg, help='your Meta app secret ("-" reads stdin)')
    p.add_argument("--user-token", required=True, type=_secret_arg, help='a user access token ("-" reads stdin)')

    sub.add_parser("accounts", parents=[common], help="list connected accounts")

    p = sub.add_parser("post", parents=[common], help="queue a post (one item per account)")
    p.add_argument("--account", action="append", required=True, metavar="ACCOUNT_ID", help="page id or IG user id")
    p.add_argument("--text", required=True)
    p.add_argument("--image", metavar="PATH")
    p.add_argument(
        "--fit",
        choices=["pad", "crop"],
        help="Instagram only: pad (letterbox) or crop an image whose aspect ratio Instagram refuses; "
        "the original file is kept",
    )
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="ISO8601", help="when to publish; no offset means local time")
    when.add_argument("--now", action="store_true", help="publish as soon as the runner next runs")

    sub.add_parser("queue", parents=[common], help="list queue items")
    sub.add_parser("activity", parents=[common], help="list delivery attempts, newest first")

    p = sub.add_parser("run-due", parents=[common], help="publish due items once")
    p.add_argument("--as-of", metavar="ISO8601", help="treat this time as now")

    for name, text in (("retry", "retry a failed item"), ("cancel", "cancel an item")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("id", type=int, metavar="ID")

    p = sub.add_parser("sandbox", parents=[common], help="start the local fake Graph API server")
    p.add_argument("--port", type=int, default=DEFAULT_SANDBOX_PORT)
    p.add_argument("--host", default="127.0.0.1")
    return parser


# ----- output shapes (the CLI contract) ------------------------------------------------------------


def account_json(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "platform": a.platform,
        "account_id": a.external_id,
        "name": a.name,
        "username": a.username,
        "status": a.status,
        "status_message": a.status_message,
        "token_expires_at": iso(a.token_expires_at),
    }


def item_json(i: Any, external: dict[int, str], when: Callable[[datetime | None], str | None] = iso) -> dict[str, Any]:
    return {
        "id": i.id,
        "platform": i.platform,
        "account_id": external.get(i.account_id),
        "status": i.status,
        "text": i.text,
        "image_path": i.image_path,
        "scheduled_at": when(i.scheduled_at),
        "attempt_count": i.attempt_count,
        "next_attempt_at": when(i.next_attempt_at),
        "error_message": i.error_message,
        "last_error_code": i.last_error_code,
        "provider_post_id": i.provider_post_id,
        "permalink": i.permalink,
    }


def attempt_json(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "queue_item_id": a.queue_item_id,
        "attempt_number": a.attempt_number,
        "outcome": a.outcome,
        "started_at": iso(a.started_at),
        "finished_at": iso(a.finished_at),
        "provider_post_id": a.provider_post_id,
        "permalink": a.permalink,
        "error_code": a.error_code,
        "error_message": a.error_message,
    }


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[("" if r.get(c) is None else str(r.get(c))).replace("\n", " ") for c in columns] for r in rows]
    # Shorten free text only; links and times stay whole so they can be copied.
    cells = [
        [
            v if len(v) <= 48 or c in ("permalink", "scheduled_at", "started_at") else v[:47] + "…"
            for v, c in zip(row, columns, strict=True)
        ]
        for row in cells
    ]
    widths = [max(len(c), *(len(row[k]) for row in cells)) for k, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


# ----- commands -------------------------------------------------------------------------------------


def _context(config: AppConfig) -> Any:
    from autoposter_gui.engine.context import Context

    return Context.open(config)


def _external_ids(ctx: Any) -> dict[int, str]:
    return {a.id: a.external_id for a in ctx.repo.accounts()}


def cmd_connect(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.accounts import AccountService

    accounts = AccountService(ctx).connect(args.app_id, args.app_secret, args.user_token)
    rows = [account_json(a) for a in accounts]
    return rows, _table(rows, ["id", "platform", "account_id", "name"]) + f"\nConnected {len(rows)} account(s)."


def cmd_accounts(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.health import TokenHealthService

    if ctx.repo.accounts():
        # Live token health (skipped quietly when Meta can't be reached); listing works without the keyring.
        with contextlib.suppress(KeyringUnavailableError):
            TokenHealthService(ctx).check_all()
    rows = [account_json(a) for a in ctx.repo.accounts()]
    return rows, _table(rows, ["id", "platform", "account_id", "name", "status", "token_expires_at"])


def cmd_post(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.domain.times import parse_when
    from autoposter_gui.engine.posts import PostRequest, PostService

    when, zone = (None, None) if args.now else parse_when(args.at)
    service = PostService(ctx)
    items = service.create(PostRequest(args.account, args.text, args.image, when, zone, fit=args.fit))
    for warning in service.quota_warnings(service.resolve_accounts(args.account)):
        print(f"autoposter: warning: {warning}", file=sys.stderr)
    external = _external_ids(ctx)
    rows = [
        {
            "id": i.id,
            "platform": i.platform,
            "account_id": external.get(i.account_id),
            "status": i.status,
            "scheduled_at": iso(i.scheduled_at),
        }
        for i in items
    ]
    return rows, _table(rows, ["id", "platform", "account_id", "status", "scheduled_at"])


def cmd_queue(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.storage.listing import external_ids, item_records

    # The listing can be long (tens of thousands of items): plain rows on the store's lean read path (the ORM is
    # not even imported), the local zone looked up once, and no table text when the output is JSON.
    external, when = external_ids(ctx.store), iso_local()
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of small acyclic rows: the collector's passes would find nothing to free
    try:
        rows = [item_json(i, external, when) for i in item_records(ctx.store)]
    finally:
        if collecting:
            gc.enable()
    if args.json:
        return rows, ""
    cols = [
        "id",
        "platform",
        "account_id",
        "status",
        "scheduled_at",
        "attempt_count",
        "error_message",
        "permalink",
    ]
    return rows, _table(rows, cols)


def cmd_activity(args: argparse.Namespace, ctx: Any) -> Any:
    rows = [attempt_json(a) for a in ctx.repo.attempts()]
    cols = ["id", "queue_item_id", "attempt_number", "outcome", "started_at", "permalink", "error_message"]
    return rows, _table(rows, cols)


def cmd_run_due(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.domain.times import parse_when
    from autoposter_gui.engine.runner import Runner, RunnerBusyError

    as_of = parse_when(args.as_of)[0] if args.as_of else None
    if ctx.repo.due_items(as_of or ctx.clock.now(), 1):
        ctx.tokens.check()
    try:
        stats = Runner(ctx).run_due(as_of).as_dict()
    except RunnerBusyError as exc:
        print(f"autoposter: {exc}", file=sys.stderr)
        stats = {"processed": 0, "succeeded": 0, "failed": 0, "retried": 0}
    text = ", ".join(f"{k}: {v}" for k, v in stats.items())
    return stats, text


def _item_action(args: argparse.Namespace, ctx: Any, action: str) -> Any:
    from autoposter_gui.engine.posts import PostService

    item = getattr(PostService(ctx), action)(args.id)
    row = item_json(item, _external_ids(ctx))
    return row, f"Item {item.id} is now {item.status}."


def cmd_sandbox(args: argparse.Namespace, config: AppConfig) -> int:
    """Run the fake Graph API in the foreground until Ctrl+C (or SIGTERM)."""
    import signal
    import threading

    from autoposter_gui.sandbox.server import SandboxServer

    state = config.data_dir / "sandbox-server.json"
    try:
        config.ensure_dir()
        server = SandboxServer(args.host, args.port, state_path=state).start()
    except OSError as exc:
        raise AutoposterError(
            f"Cannot start the sandbox on {args.host}:{args.port} ({exc.strerror}); "
            "is one already running? Pick another port with --port"
        ) from None
    creds = server.credentials
    info = {"url": server.url, "app_id": creds.app_id, "app_secret": creds.app_secret, "user_token": creds.user_token}
    if args.json:
        print(json.dumps(info), flush=True)
    else:
        print(
            f"Autoposter sandbox (a fake Graph API for demos and tests) is running at {server.url}\n"
            f"  Published posts: {server.url}/sandbox/\n\n"
            "In another terminal, point Autoposter at it and connect the demo accounts:\n"
            f"  export AUTOPOSTER_GRAPH_URL={server.url}\n"
            f"  autoposter connect --app-id {creds.app_id} --app-secret {creds.app_secret} "
            f"--user-token {creds.user_token}\n\n"
            "Press Ctrl+C to stop.",
            flush=True,
        )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK


COMMANDS = {
    "connect": cmd_connect,
    "accounts": cmd_accounts,
    "post": cmd_post,
    "queue": cmd_queue,
    "activity": cmd_activity,
    "run-due": cmd_run_due,
}


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = AppConfig.from_env()
    from autoposter_gui.logsetup import configure_logging, level_from_env

    configure_logging(config.log_dir, level_from_env())
    if args.command == "sandbox":
        return cmd_sandbox(args, config)
    ctx = _context(config)
    try:
        if args.command in ("retry", "cancel"):
            data, text = _item_action(args, ctx, args.command)
        else:
            data, text = COMMANDS[args.command](args, ctx)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(text)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = run(argv)
    except CliError as exc:
        print(f"autoposter: {exc}", file=sys.stderr)
        code = exc.code
    except ValidationError as exc:
        print(f"autoposter: {exc}", file=sys.stderr)
        code = EXIT_BAD_INPUT
    except AutoposterError as exc:
        print(f"autoposter: {exc}", file=sys.stderr)
        code = EXIT_FAILURE
    except KeyboardInterrupt:
        print("autoposter: interrupted", file=sys.stderr)
        code = 130
    except Exception as exc:  # never a traceback on the terminal: it goes to the log
        log.exception("unexpected error")
        print(f"autoposter: unexpected error ({type(exc).__name__}); details are in the log", file=sys.stderr)
        code = EXIT_FAILURE
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
