"""The planner's part of the `autoposter` command: drafts, slots, recurring posts, CSV import and export."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

# Errors raised here are the domain's (this module may run beside a second copy of `cli` run as __main__).
from autoposter_gui.cli import _external_ids, _item_id, _table, item_json
from autoposter_gui.domain.errors import AutoposterError, ValidationError
from autoposter_gui.domain.times import iso

REPEATS = ("daily", "weekly", "monthly")


# ----- parsers -------------------------------------------------------------------------------------------------


def add_post_options(post: argparse.ArgumentParser, when: Any) -> None:
    """`post`'s planner flags: --next-slot and --draft beside --at/--now, and --repeat with --count or --until."""
    when.add_argument("--next-slot", action="store_true", help="each account's next free posting slot")
    when.add_argument("--draft", action="store_true", help="save a draft, with no time (see `schedule`)")
    post.add_argument("--repeat", choices=REPEATS, help="with --at: one post per day, week or month")
    post.add_argument("--count", type=int, metavar="N", help="with --repeat: this many posts in all (at most 100)")
    post.add_argument("--until", metavar="DATE", help="with --repeat: up to this local date, inclusive")


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("schedule", parents=[common], help="turn a draft into a scheduled post")
    p.add_argument("id", type=_item_id, metavar="ID")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="ISO8601", help="when to publish; no offset means local time")
    when.add_argument("--now", action="store_true", help="publish as soon as the runner next runs")
    when.add_argument("--next-slot", action="store_true", help="the account's next free posting slot")

    p = sub.add_parser("slots", parents=[common], help="list (or set) the accounts' weekly posting slots")
    p.add_argument("--account", metavar="ACCOUNT_ID", help="only this account's slots")
    actions = p.add_subparsers(dest="slots_action", metavar="[set]", title="to change them", parser_class=type(p))
    s = actions.add_parser("set", parents=[common], help="replace an account's weekly posting slots")
    s.add_argument("--account", metavar="ACCOUNT_ID", dest="set_account", help="the account (required)")
    s.add_argument("slot", nargs="*", metavar="SLOT", help='e.g. "mon 09:30" (local time, 24 h); none clears them')

    p = sub.add_parser("import", parents=[common], help="queue the posts of a CSV file (all or nothing)")
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    p = sub.add_parser("export", parents=[common], help="write the posts still to go out to a CSV file")
    p.add_argument("file", metavar="FILE.csv")


def add_cancel_options(cancel: argparse.ArgumentParser) -> None:
    cancel.add_argument("--series", action="store_true", help="also every later unposted post of its series")


# ----- post ----------------------------------------------------------------------------------------------------


def check_post_args(args: argparse.Namespace) -> None:
    """The flag combinations `post` refuses (exit 2) before anything is read."""
    if args.repeat is None:
        if args.count is not None or args.until is not None:
            raise ValidationError("--count and --until go with --repeat")
        return
    if args.at is None:
        raise ValidationError("--repeat needs --at, the time of the first post")
    if (args.count is None) == (args.until is None):
        raise ValidationError("--repeat needs either --count N or --until DATE")


def create_posts(args: argparse.Namespace, ctx: Any, request: Any) -> list[Any]:
    """The items `post` creates: in each account's next slot, as a series, or as one post (or draft)."""
    from autoposter_gui.engine.planner import PlannerService
    from autoposter_gui.engine.posts import PostService

    if args.next_slot:
        return PlannerService(ctx).create_in_next_slots(request)
    if args.repeat is not None:
        from autoposter_gui.domain.recurrence import Recurrence, Repeat, parse_until

        until = parse_until(args.until) if args.until is not None else None
        rule = Recurrence(Repeat(args.repeat), count=args.count, until=until)
        return PlannerService(ctx).create_series(request, rule)
    items: list[Any] = PostService(ctx).create(request)
    return items


# ----- schedule, cancel --series -------------------------------------------------------------------------------


def cmd_schedule(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.domain.times import parse_when
    from autoposter_gui.engine.planner import NEXT_SLOT, PlannerService

    when: datetime | str | None = NEXT_SLOT if args.next_slot else None if args.now else parse_when(args.at)[0]
    item = PlannerService(ctx).schedule(args.id, when)
    row = item_json(item, _external_ids(ctx))
    return row, f"Item {item.id} is now scheduled for {iso(item.scheduled_at)}."


def cmd_cancel_series(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.planner import PlannerService

    result = PlannerService(ctx).cancel_series(args.id)
    external = _external_ids(ctx)
    rows = [item_json(i, external) for i in result.canceled]
    text = f"Canceled {len(rows)} post(s) of the series: {', '.join(str(r['id']) for r in rows) or 'none'}."
    if result.refused:
        # What was canceled stays canceled; say so, then name what could not be (exit 1).
        print(text if not args.json else _dump(rows))
        raise AutoposterError(
            f"{len(result.refused)} post(s) of the series could not be canceled: " + "; ".join(result.refused)
        )
    return rows, text


def _dump(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False)


# ----- slots ---------------------------------------------------------------------------------------------------


def slot_json(row: Any) -> dict[str, Any]:
    slot = row.slot
    return {
        "account_id": row.account.external_id,
        "platform": row.account.platform,
        "weekday": slot.label.split()[0],
        "time": slot.label.split()[1],
        "slot": slot.label,
    }


def cmd_slots(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.planner import PlannerService

    planner = PlannerService(ctx)
    if args.slots_action == "set":
        account = args.set_account or args.account  # `slots --account ID set ...` works too
        if not account:
            raise ValidationError('`slots set` needs --account ID, e.g. slots set --account ID "mon 09:30"')
        rows = [slot_json(r) for r in planner.set_slots(account, args.slot)]
        shown = ", ".join(r["slot"] for r in rows)
        return rows, f"Posting slots of {account}: {shown}." if rows else f"Cleared the slots of {account}."
    rows = [slot_json(r) for r in planner.slots(args.account)]
    return rows, _table(rows, ["account_id", "platform", "slot"])


# ----- import, export ------------------------------------------------------------------------------------------


class LinesError(ValidationError):
    """Bad input reported as several lines (one per bad CSV row), exit 2."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines), field="file")
        self.lines = lines


def cmd_import(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.csv_io import CsvService

    service = CsvService(ctx)
    plan = service.check(args.file)
    if plan.problems:
        raise LinesError([f"line {p.line}: {p.message}" for p in plan.problems])
    imported = 0 if args.dry_run else len(service.write(plan))
    data = {"rows": len(plan.rows), "posts": plan.posts, "imported": imported, "dry_run": bool(args.dry_run)}
    if args.dry_run:
        text = f"All {len(plan.rows)} row(s) are fine: {plan.posts} post(s) would be queued (dry run: nothing written)."
    else:
        text = f"Imported {imported} post(s) from {len(plan.rows)} row(s)."
    return data, text


def cmd_export(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.csv_io import CsvService

    count = CsvService(ctx).export(args.file)
    return {"exported": count, "file": args.file}, f"Exported {count} post(s) to {args.file}."


COMMANDS: dict[str, Callable[[argparse.Namespace, Any], Any]] = {
    "schedule": cmd_schedule,
    "slots": cmd_slots,
    "import": cmd_import,
    "export": cmd_export,
}


def print_lines(error: ValidationError) -> bool:
    """Print a LinesError's lines to stderr, each on its own (escaped) line; False for any other error."""
    if not isinstance(error, LinesError):
        return False
    from autoposter_gui.cli import one_line

    for line in error.lines:
        print(one_line(line), file=sys.stderr)
    return True
