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

from autoposter_gui import __version__, cli_owner
from autoposter_gui.config import DEFAULT_SANDBOX_PORT, AppConfig
from autoposter_gui.domain.errors import AutoposterError, KeyringUnavailableError, Remedy, ValidationError
from autoposter_gui.domain.models import MediaKind, MediaRef
from autoposter_gui.domain.times import iso, iso_local

log = logging.getLogger("autoposter_gui.cli")
EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
# The core's remedies, named as this command's flags (the GUI names its buttons instead).
REMEDIES = {Remedy.FIT_IMAGE: "use --fit pad or --fit crop"}


class CliError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)", EXIT_BAD_INPUT)


def connect_command(app_id: str, app_secret: str, user_token: str) -> str:
    """The `autoposter connect` line to show: the app secret through stdin, never as an argument."""
    return f"echo {app_secret} | autoposter connect --app-id {app_id} --app-secret - --user-token {user_token}"


def _from_stdin(value: str) -> str:
    """A secret given as "-" is read from standard input, one line, so it stays out of `ps` and shell history."""
    if value != "-":
        return value
    try:
        return sys.stdin.readline().strip()
    except UnicodeDecodeError:
        raise CliError("what came in on stdin is not valid UTF-8 text", EXIT_BAD_INPUT) from None


MAX_ID = 2**63 - 1  # SQLite's largest integer


def _item_id(value: str) -> int:
    """A queue item id: a whole number SQLite can hold (a bigger one can't name any item)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {value!r}") from None
    if not 1 <= number <= MAX_ID:
        raise argparse.ArgumentTypeError(f"no queue item has the id {value}; run `autoposter queue` to list them")
    return number


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    parser = _Parser(
        prog="autoposter",
        description="Schedule and publish posts to Facebook, Instagram, X and Google Business Profile.",
    )
    parser.add_argument("--json", action="store_true", default=False, help="machine-readable output")
    parser.add_argument("--version", action="version", version=f"autoposter {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("connect", parents=[common], help="connect your Facebook Pages and Instagram accounts")
    p.add_argument("--app-id", required=True)
    p.add_argument("--app-secret", required=True, help='your Meta app secret ("-" reads a line from stdin)')
    p.add_argument(
        "--user-token",
        required=True,
        help='a user access token ("-" reads a line from stdin; with both as "-", the secret is the first line)',
    )

    sub.add_parser("accounts", parents=[common], help="list connected accounts")

    p = sub.add_parser("post", parents=[common], help="queue a post (one item per account)")
    p.add_argument(
        "--account",
        action="append",
        required=True,
        metavar="ACCOUNT_ID",
        help="an account id from `autoposter accounts`: a Page id, IG user id, X user id or Google location id",
    )
    p.add_argument("--text", required=True)
    p.add_argument("--image", metavar="PATH", action="append", help="an image; repeat for 2 to 10, in order")
    p.add_argument("--alt-text", metavar="TEXT", action="append", help="repeatable; the n-th goes with the n-th image")
    p.add_argument("--video", metavar="PATH", help="one video; not together with --image")
    p.add_argument("--first-comment", metavar="TEXT", help="posted as the first comment once the post is out")
    p.add_argument("--link", metavar="URL", help="Facebook only: a link post")
    p.add_argument(
        "--fit",
        choices=["pad", "crop"],
        help="Instagram only: pad (letterbox) or crop an image whose aspect ratio Instagram refuses (a carousel's "
        "images to the first one's ratio); the original files are kept",
    )
    _add_google_options(p)
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="ISO8601", help="when to publish; no offset means local time")
    when.add_argument("--now", action="store_true", help="publish as soon as the runner next runs")
    from autoposter_gui import cli_planner  # drafts, slots, series, CSV (issue 15)

    cli_planner.add_post_options(p, when)

    sub.add_parser("queue", parents=[common], help="list queue items")
    sub.add_parser("activity", parents=[common], help="list delivery attempts, newest first")

    p = sub.add_parser("run-due", parents=[common], help="publish due items once")
    p.add_argument("--as-of", metavar="ISO8601", help="treat this time as now")

    for name, text in (("retry", "retry a failed item"), ("cancel", "cancel an item")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("id", type=_item_id, metavar="ID")
    cli_planner.add_cancel_options(p)
    cli_planner.add_commands(sub, common)

    _add_backup_commands(sub, common)
    cli_owner.add_parsers(sub, common, _item_id)  # settings, test-email, edit, publish-now (issue 14)
    from autoposter_gui import cli_insights

    cli_insights.add_parsers(sub, common)  # insights (issue 16)
    from autoposter_gui import cli_networks

    cli_networks.add_parsers(sub, common)  # connect-x, connect-google (issue 17)

    p = sub.add_parser("sandbox", parents=[common], help="start the local fake Graph API server")
    p.add_argument("--port", type=int, default=DEFAULT_SANDBOX_PORT)
    p.add_argument("--host", default="127.0.0.1")
    return parser


def _add_google_options(post: argparse.ArgumentParser) -> None:
    """`post`'s Google Business Profile flags (checked with the post's accounts: domain.post_options)."""
    g = post.add_argument_group("Google Business Profile posts")
    g.add_argument("--google-type", metavar="TYPE", help="standard (the default), event or offer")
    g.add_argument("--button", metavar="ACTION", help="LEARN_MORE, BOOK, ORDER, SHOP, SIGN_UP or CALL (any case)")
    g.add_argument("--button-url", metavar="URL", help="the web address the button opens (none for CALL)")
    g.add_argument("--event-title", metavar="TEXT", help="an event's (or an offer's) title")
    g.add_argument("--event-start", metavar="LOCAL_TIME", help="local wall time, e.g. 2026-12-05T18:00")
    g.add_argument("--event-end", metavar="LOCAL_TIME", help="local wall time, after the start")
    g.add_argument("--offer-code", metavar="CODE", help="an offer's coupon code")
    g.add_argument("--offer-terms", metavar="TEXT", help="an offer's terms and conditions")
    g.add_argument("--offer-url", metavar="URL", help="where the offer is redeemed online")


def google_flags(args: argparse.Namespace) -> dict[str, str | None] | None:
    """The Google flags given to `post` (option key -> text), or None when none was."""
    from autoposter_gui.domain.post_options import OPTION_KEYS

    flags = {key: getattr(args, key, None) for key in OPTION_KEYS}
    return flags if any(value is not None for value in flags.values()) else None


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
        "series_id": i.series_id,
        "media": list(i.media or []),
        "first_comment": i.first_comment,
        "comment_status": i.comment_status,
        "comment_permalink": i.comment_permalink,
        "link": i.link,
        # "meta" while Meta's scheduler holds the post; the change still to send to Meta (edit, cancel, ...).
        "handoff": "meta" if getattr(i, "handoff", None) == "meta" else None,
        "handoff_pending": _pending_change(i),
        "options": _options(i),  # a Google post's type, button, event and offer; {} for other posts
    }


def _options(i: Any) -> dict[str, Any]:
    """The item's options: a listed row's ``options``, else those in an ORM item's metadata."""
    listed = getattr(i, "options", None)
    if isinstance(listed, dict):  # a listed row (`queue` lists thousands): no import statement run per row
        return listed
    from autoposter_gui.domain.post_options import stored_options

    return stored_options(getattr(i, "meta", None))


def _pending_change(i: Any) -> str | None:
    """The owner's change not yet sent to Meta: "update", "withdraw", "cancel" or "publish"; or "handoff" while the
    hand-off itself is being confirmed."""
    if getattr(i, "handoff", None) == "pending":
        return "handoff"
    change = getattr(i, "handoff_change", None)
    return str(change.get("op")) if isinstance(change, dict) and change.get("op") else None


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
        "step": a.step,
        "platform": getattr(a, "item_platform", None),  # the post's ("facebook", "instagram", "x", "google")
    }


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[("" if r.get(c) is None else str(r.get(c))).replace("\n", " ") for c in columns] for r in rows]
    # Shorten free text only; links and times stay whole so they can be copied.
    cells = [
        [
            v
            if len(v) <= 48 or c in ("permalink", "scheduled_at", "started_at", "status_message", "metrics")
            else v[:47] + "…"
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
    return dict(ctx.reads.external_ids())


def cmd_connect(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.accounts import AccountService

    secret = _from_stdin(args.app_secret)  # with both as "-": the secret is the first line, the token the second
    token = _from_stdin(args.user_token)
    accounts = AccountService(ctx).connect(args.app_id, secret, token)
    rows = [account_json(a) for a in accounts]
    return rows, _table(rows, ["id", "platform", "account_id", "name"]) + f"\nConnected {len(rows)} account(s)."


def cmd_accounts(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.health import TokenHealthService

    if ctx.reads.accounts():
        # Live token health (skipped quietly when Meta can't be reached); listing works without the keyring.
        with contextlib.suppress(KeyringUnavailableError):
            TokenHealthService(ctx).check_all()
    rows = [account_json(a) for a in ctx.reads.accounts()]
    cols = ["id", "platform", "account_id", "name", "status", "token_expires_at", "status_message"]
    return rows, _table(rows, cols)


def cmd_post(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui import cli_planner
    from autoposter_gui.domain.times import parse_when
    from autoposter_gui.engine.posts import PostRequest, PostService

    cli_planner.check_post_args(args)
    media = post_media(args)
    when, zone = parse_when(args.at) if args.at is not None else (None, None)
    service = PostService(ctx)
    request = PostRequest(
        args.account,
        args.text,
        media[0].path if media and media[0].kind is MediaKind.IMAGE else None,
        when,
        zone,
        draft=args.draft,
        fit=args.fit,
        media=media,
        first_comment=args.first_comment,
        link=args.link,
        options=google_flags(args),
    )
    problems = service.option_problems(request)
    if problems:  # every problem with the Google flags, a line each; nothing written
        raise cli_planner.LinesError([f"autoposter: {p.phrased(REMEDIES)}" for p in problems])
    items = cli_planner.create_posts(args, ctx, request)
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


def post_media(args: argparse.Namespace) -> tuple[MediaRef, ...]:
    """The ``--image``/``--alt-text``/``--video`` flags as the post's media, in order (the combinations the
    validation can't see, more alt texts than images, are refused here)."""
    from autoposter_gui.domain.validation import alt_text_problem

    images: list[str] = args.image or []
    alts: list[str] = args.alt_text or []
    problem = alt_text_problem(len(images), len(alts))
    if problem is not None:
        raise problem
    refs = [
        MediaRef(path, MediaKind.IMAGE, (alts[n] if n < len(alts) else None) or None) for n, path in enumerate(images)
    ]
    if args.video:
        refs.append(MediaRef(args.video, MediaKind.VIDEO))
    return tuple(refs)


def cmd_queue(args: argparse.Namespace, ctx: Any) -> Any:
    # The listing can be long (tens of thousands of items): plain rows on the store's lean read path (the ORM is
    # not even imported), the local zone looked up once, and no table text when the output is JSON.
    external, when = ctx.reads.external_ids(), iso_local()
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of small acyclic rows: the collector's passes would find nothing to free
    try:
        rows = [item_json(i, external, when) for i in ctx.listed_items()]
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
        "text",
        "attempt_count",
        "error_message",
        "permalink",
    ]
    return rows, _table([{**r, "text": text_preview(r["text"])} for r in rows], cols)


TEXT_PREVIEW_CHARS = 32


def text_preview(text: str, width: int = TEXT_PREVIEW_CHARS) -> str:
    """A post's text for a table cell: one line (line breaks and control characters escaped), at most ``width``
    characters, with an ellipsis when cut."""
    line = escape_controls(text)
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def cmd_activity(args: argparse.Namespace, ctx: Any) -> Any:
    rows = [attempt_json(a) for a in ctx.reads.attempts(limit=None)]
    cols = ["id", "queue_item_id", "attempt_number", "outcome", "started_at", "permalink", "error_message"]
    return rows, _table(rows, cols)


def cmd_run_due(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.domain.times import parse_when
    from autoposter_gui.engine.runner import Runner, RunnerBusyError

    as_of = parse_when(args.as_of)[0] if args.as_of else None
    if ctx.repo.due_items(as_of or ctx.clock.now(), 1) or ctx.repo.due_comments(as_of or ctx.clock.now(), 1):
        ctx.tokens.check()
    alerts = cli_owner.attach_alerts(ctx)  # what this run finds is emailed at its end, like a tick's
    try:
        stats = Runner(ctx).run_due(as_of).as_dict()
    except RunnerBusyError as exc:
        print(f"autoposter: {exc}", file=sys.stderr)
        stats = {"processed": 0, "succeeded": 0, "failed": 0, "retried": 0}
    finally:
        alerts.flush()
        alerts.detach()
    _daily_backup(ctx)
    _clean_media(ctx)
    text = ", ".join(f"{k}: {v}" for k, v in stats.items())
    return stats, text


def _clean_media(ctx: Any) -> None:
    """The desktop app's daily media cleanup, for owners who only run `autoposter run-due` (from cron): at most
    once a day (a small marker file says when it last ran), and never a reason for run-due to fail."""
    from autoposter_gui.engine.posts import PostService

    try:
        PostService(ctx).clean_media()
    except (AutoposterError, OSError) as exc:
        log.warning("media cleanup skipped: %s", exc)


def _item_action(args: argparse.Namespace, ctx: Any, action: str) -> Any:
    from autoposter_gui.engine.posts import PostService

    item = getattr(PostService(ctx), action)(args.id)
    row = item_json(item, _external_ids(ctx))
    return row, f"Item {item.id} is now {item.status}."


def cmd_sandbox(args: argparse.Namespace, config: AppConfig) -> int:
    """Run the fake Graph API in the foreground until Ctrl+C (or SIGTERM)."""
    import signal
    import threading

    from autoposter_gui.sandbox.google_api import CLIENT_ID as GOOGLE_ID
    from autoposter_gui.sandbox.google_api import CLIENT_SECRET as GOOGLE_SECRET
    from autoposter_gui.sandbox.server import SandboxServer
    from autoposter_gui.sandbox.x_state import X_CLIENT_ID

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
            f"  {connect_command(creds.app_id, creds.app_secret, creds.user_token)}\n"
            "  (the secret comes in on stdin, so it never shows in `ps` or your shell history)\n\n"
            "It fakes X and Google Business Profile too; their sign-in pages approve at once. Set\n"
            f"AUTOPOSTER_X_URL and AUTOPOSTER_GOOGLE_URL to {server.url}, then use the X client id {X_CLIENT_ID},\n"
            f"the Google client id {GOOGLE_ID} and secret {GOOGLE_SECRET}\n"
            '(the README\'s "X and Google Business Profile" shows the commands).\n\n'
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
    **cli_owner.COMMANDS,
}


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_text_args(args)
    config = AppConfig.from_env()
    from autoposter_gui.logsetup import configure_logging, level_from_env

    configure_logging(config.log_dir, level_from_env())
    if args.command == "sandbox":
        return cmd_sandbox(args, config)
    if args.command in BACKUP_COMMANDS:  # these work without opening the database (it may be missing)
        data, text = BACKUP_COMMANDS[args.command](args, config)
        _print_result(args, data, text)
        return EXIT_OK
    ctx = _context(config)
    from autoposter_gui import cli_insights, cli_networks, cli_planner

    try:
        if args.command == "cancel" and args.series:
            data, text = cli_planner.cmd_cancel_series(args, ctx)
        elif args.command in ("retry", "cancel"):
            data, text = _item_action(args, ctx, args.command)
        else:
            data, text = {**COMMANDS, **cli_planner.COMMANDS, **cli_insights.COMMANDS, **cli_networks.COMMANDS}[
                args.command
            ](args, ctx)
    finally:
        ctx.close()
    _print_result(args, data, text)
    return EXIT_OK


def _print_result(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(text)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = run(argv)
    except CliError as exc:
        _say(str(exc))
        code = exc.code
    except ValidationError as exc:
        from autoposter_gui.cli_planner import print_lines

        if not print_lines(exc):  # an import's bad rows: a line each
            _say(exc.phrased(REMEDIES))
        code = EXIT_BAD_INPUT
    except AutoposterError as exc:
        _say(str(exc))
        code = EXIT_FAILURE
    except KeyboardInterrupt:
        print("autoposter: interrupted", file=sys.stderr)
        code = 130
    except Exception as exc:  # never a traceback on the terminal: it goes to the log
        log.exception("unexpected error")
        if isinstance(exc, OSError) and _disk_full(exc):
            _say("the disk is full; free some space and try again")
        else:
            _say(f"unexpected error ({type(exc).__name__}); details are in the log")
        code = EXIT_FAILURE
    sys.stdout.flush()
    return code


def _disk_full(exc: OSError) -> bool:
    import errno

    return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


# ----- safety: one-line messages, text arguments, backups (issue 11) -------------------------------------------


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` with control characters, line breaks and undecodable bytes escaped, and known secrets masked:
    whatever input a message echoes, it stays one line and safe to show."""
    from autoposter_gui.domain.known_secrets import mask

    return escape_controls(mask(text))


def escape_controls(text: str) -> str:
    """``text`` on one line: control characters, line breaks and undecodable bytes escaped (``\\n``, ``\\x1b``)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as Python keeps it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or 0xD800 <= code < 0xE000 or ch in "\u2028\u2029":
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _say(message: str) -> None:
    print(f"autoposter: {one_line(message)}", file=sys.stderr)


def _check_text_args(args: argparse.Namespace) -> None:
    """Refuse arguments holding bytes that are not valid UTF-8 (Python keeps them as lone surrogates)."""
    from autoposter_gui.domain.validation import has_invalid_characters

    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and has_invalid_characters(v) for v in values):
            flag = "--" + name.replace("_", "-") if name not in ("file", "id", "key", "value") else name.upper()
            raise CliError(
                f"{flag} holds bytes that are not valid UTF-8 text; retype it or fix its encoding", EXIT_BAD_INPUT
            )


def _add_backup_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    sub.add_parser("backups", parents=[common], help="list the database backups, newest first")
    p = sub.add_parser(
        "restore",
        parents=[common],
        help="replace the database with a backup (the current one is kept aside)",
        description="Replace the database with a backup. The current database, if any, is kept aside in the data "
        "folder. Refused while Autoposter is publishing.",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("file", nargs="?", metavar="FILE", help="a backup file (a path, or a name from `backups`)")
    which.add_argument("--latest", action="store_true", help="the newest backup that is not damaged")
    which.add_argument("--empty", action="store_true", help="start with an empty database on purpose")


def cmd_backups(args: argparse.Namespace, config: AppConfig) -> Any:
    from autoposter_gui.engine.backups import BackupService

    backups = BackupService(config).list()
    rows = [{**b.as_dict(), "taken_at": iso(b.taken_at)} for b in backups]
    shown = [{**r, "file": b.path.name, "size": _size(b.size)} for r, b in zip(rows, backups, strict=True)]
    return rows, _table(shown, ["file", "taken_at", "size", "items"])


def cmd_restore(args: argparse.Namespace, config: AppConfig) -> Any:
    from autoposter_gui.domain.clock import SystemClock
    from autoposter_gui.domain.errors import StoreError
    from autoposter_gui.engine.backups import BackupService

    service = BackupService(config)
    backup = None
    if args.latest:
        backup = service.latest_good()
        if backup is None:
            raise StoreError("There is no usable backup to restore; `autoposter backups` lists what there is")
    elif not args.empty:
        backup = service.resolve(args.file)
    result = service.restore(backup, SystemClock().now())
    data = {
        "restored": str(result.backup) if result.backup else None,
        "kept_aside": str(result.kept_aside) if result.kept_aside else None,
    }
    text = f"Restored the backup {result.backup.name}." if result.backup else "Started an empty database."
    if result.kept_aside:
        text += f" The previous database is kept as {result.kept_aside}."
    return data, text


def _daily_backup(ctx: Any) -> None:
    """`run-due` from cron takes the daily backup too (the app's daily job does it otherwise)."""
    from autoposter_gui.engine.backups import take_daily_backup

    try:
        take_daily_backup(ctx.store, ctx.clock.now())
    except AutoposterError as exc:
        _say(f"warning: {exc}")


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


BACKUP_COMMANDS = {"backups": cmd_backups, "restore": cmd_restore}


if __name__ == "__main__":
    sys.exit(main())
