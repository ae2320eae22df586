"""The insights part of the `autoposter` command: `insights [--refresh [--all]] [--as-of ISO8601] [--json]`."""

from __future__ import annotations

import argparse
from typing import Any

# Errors raised here are the domain's (this module may run beside a second copy of `cli` run as __main__).
from autoposter_gui.cli import _table
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.insights import METRIC_ORDER, STATE_WORDS, InsightsState

COLUMNS = ("id", "account_id", "platform", "published_at", "state", "metrics", "fetched_at", "permalink")


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("insights", parents=[common], help="how your posted items did: reach, views, likes...")
    p.add_argument("--refresh", action="store_true", help="fetch the due snapshots from Meta first")
    p.add_argument("--all", action="store_true", help="with --refresh: fetch every posted item now")
    p.add_argument("--as-of", metavar="ISO8601", help="treat this time as now for the snapshot schedule")


def cmd_insights(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.domain.times import parse_when
    from autoposter_gui.engine.insights import InsightsService

    if args.all and not args.refresh:
        raise ValidationError("--all only goes with --refresh: use `autoposter insights --refresh --all`")
    as_of = parse_when(args.as_of)[0] if args.as_of else None
    service = InsightsService(ctx)
    if args.refresh and service.due_items(as_of or ctx.clock.now(), everything=args.all):
        ctx.tokens.check()
        with ctx.tokens.cached():
            service.refresh(everything=args.all, as_of=as_of)
    rows = service.rows()
    data = [row.as_json() for row in rows]
    shown = []
    for row, item in zip(rows, data, strict=True):
        words = STATE_WORDS[row.state] if row.state is not InsightsState.OK else "ok"
        metrics = ", ".join(f"{k} {row.metrics[k]}" for k in METRIC_ORDER if k in row.metrics)
        shown.append({**item, "state": words, "metrics": metrics or "—"})
    return data, _table(shown, COLUMNS)


COMMANDS = {"insights": cmd_insights}
