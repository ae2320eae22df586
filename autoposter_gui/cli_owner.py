"""The `autoposter` commands for settings, email alerts and changing one post: settings, test-email, edit,
publish-now (thin: the same services as the GUI). Refusals raise ValidationError (exit 2): this module is also
imported while cli.py runs as ``__main__``, so cli's own exception classes would not be the ones it catches."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from autoposter_gui.domain.errors import AutoposterError, ValidationError, no_such_item
from autoposter_gui.domain.models import ItemStatus

EDITABLE = (ItemStatus.SCHEDULED.value, ItemStatus.DRAFT.value)


def add_parsers(sub: Any, common: argparse.ArgumentParser, item_id: Any) -> None:
    p = sub.add_parser(
        "settings",
        parents=[common],
        help="show the settings, or change one with `settings set KEY VALUE`",
        description="Show every setting (the SMTP password only as whether it is set), or change one.",
    )
    actions = p.add_subparsers(dest="settings_action", metavar="ACTION", parser_class=type(p))
    s = actions.add_parser(
        "set",
        parents=[common],
        help="change one setting",
        description="Change one setting: handoff (auto|off), grace_hours (0-168), keep_awake (on|off), smtp.host, "
        "smtp.port, smtp.security (starttls|ssl|none), smtp.username, smtp.from, smtp.to, smtp.password (kept in "
        'the keyring; "-" reads it from stdin). An empty VALUE puts a setting back to its default.',
    )
    s.add_argument("key", metavar="KEY")
    s.add_argument("value", metavar="VALUE")

    sub.add_parser("test-email", parents=[common], help="send a test email with the saved SMTP settings")

    p = sub.add_parser("edit", parents=[common], help="change the text or time of a scheduled post")
    p.add_argument("id", type=item_id, metavar="ID")
    p.add_argument("--text", help="the new text")
    p.add_argument("--at", metavar="ISO8601", help="the new time; no offset means local time")

    p = sub.add_parser("publish-now", parents=[common], help="publish a scheduled post at once")
    p.add_argument("id", type=item_id, metavar="ID")


# ----- settings ---------------------------------------------------------------------------------------


def cmd_settings(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.settings import SMTP_PASSWORD, SettingsService, check_key

    service = SettingsService(ctx)
    if getattr(args, "settings_action", None) == "set":
        key = check_key(args.key)
        value = args.value
        if key == SMTP_PASSWORD and value == "-":
            value = _password_from_stdin()
        shown = service.set(key, value)
        if key == SMTP_PASSWORD:
            text = "The SMTP password is saved in the keyring." if shown else "The SMTP password is removed."
        else:
            text = f"{key} is now {_text(shown)}."
        return {key: shown}, text
    values = service.all()
    width = max(map(len, values))
    lines = [f"{key.ljust(width)}  {_text(value, key)}" for key, value in values.items()]
    return values, "\n".join(lines)


def _password_from_stdin() -> str:
    try:
        line = sys.stdin.readline()
    except UnicodeDecodeError:
        raise ValidationError("what came in on stdin is not valid UTF-8 text") from None
    password = line.rstrip("\r\n")
    if not password:
        raise ValidationError(
            'no password came in on stdin; to remove the saved one, use `autoposter settings set smtp.password ""`'
        )
    return password


def _text(value: Any, key: str = "") -> str:
    if key == "smtp.password":
        return "set (in the keyring)" if value else "not set" if value is False else "unknown (keyring unavailable)"
    return "(not set)" if value is None else str(value)


def cmd_test_email(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.engine.mailer import send
    from autoposter_gui.engine.settings import SettingsService

    smtp = SettingsService(ctx).smtp()
    body = (
        "This is a test email from Autoposter.\n\n"
        "Email alerts work: Autoposter will write to this address when a post fails for good, an account needs "
        "reconnecting, or posts were missed while the computer was off.\n"
    )
    send(smtp, "Autoposter test email", body)
    server = f"{smtp.host}:{smtp.port}"
    data = {"sent": True, "to": list(smtp.recipients), "server": server}
    return data, f"Sent a test email to {', '.join(smtp.recipients)} through {server}."


# ----- one post ---------------------------------------------------------------------------------------


def cmd_edit(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.cli import item_json
    from autoposter_gui.domain.times import parse_when
    from autoposter_gui.engine.posts import ActionRefusedError, PostRequest, PostService

    if args.text is None and args.at is None:
        raise ValidationError("give --text, --at or both (see `autoposter edit --help`)")
    when, zone = parse_when(args.at) if args.at is not None else (None, None)  # bad times: nothing is asked of Meta
    service = PostService(ctx)
    item = _editable(ctx, args.id)
    try:
        service.check_first(item.id)  # as the GUI does before it opens a post for editing
    except ActionRefusedError as exc:
        raise ValidationError(str(exc)) from None  # exit 2, as bad input: nothing was changed
    item = _editable(ctx, args.id)  # the check may have found it published
    if when is None:
        keep = item.scheduled_at is not None and item.scheduled_at > ctx.clock.now()
        when, zone = (item.scheduled_at, item.scheduled_tz) if keep else (None, None)
    request = PostRequest(
        [item.account_id],
        item.text if args.text is None else args.text,
        item.image_path,
        when,
        zone,
        draft=item.status == ItemStatus.DRAFT.value,
    )
    updated = service.update(item.id, request)
    external = {a.id: a.external_id for a in ctx.repo.accounts()}
    return item_json(updated, external), f"Item {updated.id} is changed ({updated.status})."


def _editable(ctx: Any, item_id: int) -> Any:
    item = ctx.repo.item(item_id)
    if item is None:
        raise no_such_item(item_id)
    if item.status == ItemStatus.PROCESSING.value:
        raise ValidationError(f"Item {item_id} is being published right now, so it can no longer be changed")
    if item.status not in EDITABLE:
        raise ValidationError(f"Item {item_id} is {item.status}; only scheduled posts and drafts can be edited")
    return item


def cmd_publish_now(args: argparse.Namespace, ctx: Any) -> Any:
    from autoposter_gui.cli import item_json
    from autoposter_gui.engine.posts import PostService
    from autoposter_gui.engine.runner import Runner, RunnerBusyError

    item = ctx.repo.item(args.id)
    if item is None:
        raise no_such_item(args.id)
    if item.status not in (ItemStatus.SCHEDULED.value, ItemStatus.DRAFT.value, ItemStatus.MISSED.value):
        raise ValidationError(f"Item {args.id} is {item.status}; only a post still to come can be published now")
    PostService(ctx).publish_now(args.id)  # the GUI's Publish now: due at once ...
    ctx.tokens.check()
    alerts = attach_alerts(ctx)
    try:
        Runner(ctx).run_due()  # ... and published on the spot, by the due-runner
    except RunnerBusyError:
        print("autoposter: the app is publishing; it publishes this post in a moment", file=sys.stderr)
    finally:
        alerts.flush()
        alerts.detach()
    item = ctx.repo.item(args.id)
    external = {a.id: a.external_id for a in ctx.repo.accounts()}
    if item.status == ItemStatus.POSTED.value:
        return item_json(item, external), f"Item {item.id} is posted: {item.permalink or 'no link yet'}"
    if item.status == ItemStatus.SCHEDULED.value and not item.error_message:
        return item_json(item, external), f"Item {item.id} is due now; the running app publishes it."
    raise AutoposterError(f"Item {item.id} was not published ({item.status}): {item.error_message or 'see the log'}")


def attach_alerts(ctx: Any) -> Any:
    """Email alerts for what this command's run of the due-runner finds (flushed by the caller)."""
    from autoposter_gui.engine.alerts import AlertService

    return AlertService(ctx).attach()


COMMANDS = {
    "settings": cmd_settings,
    "test-email": cmd_test_email,
    "edit": cmd_edit,
    "publish-now": cmd_publish_now,
}
