"""A Google Business Profile post's options (type, button, event, offer): the flags checked and normalised."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.models import Platform

GOOGLE_TYPES = ("standard", "event", "offer")
# Google's CallToAction action types (GET_OFFER is deprecated; an offer has its own redeem URL).
BUTTONS = ("LEARN_MORE", "BOOK", "ORDER", "SHOP", "SIGN_UP", "CALL")
# The keys of a Google post's options, as stored (queue_items.metadata["options"]) and listed (`queue --json`).
OPTION_KEYS = (
    "google_type",
    "button",
    "button_url",
    "event_title",
    "event_start",
    "event_end",
    "offer_code",
    "offer_terms",
    "offer_url",
)
FLAGS = {key: "--" + key.replace("_", "-") for key in OPTION_KEYS}  # google_type -> --google-type
EVENT_KEYS = ("event_title", "event_start", "event_end")
OFFER_KEYS = ("offer_code", "offer_terms", "offer_url")
EXAMPLE_TIME = "2026-12-05T18:00"

_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")

Options = dict[str, str | None]


def given(flags: Mapping[str, str | None]) -> list[str]:
    """The option keys that were given (in OPTION_KEYS order), even as empty text."""
    return [key for key in OPTION_KEYS if flags.get(key) is not None]


def _clean(flags: Mapping[str, str | None], key: str) -> str | None:
    """A flag's value with surrounding spaces removed; None when not given or blank."""
    value = flags.get(key)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _wall_time(value: str) -> datetime | None:
    """A local wall time (no offset) as written, e.g. 2026-12-05T18:00; None when it is not one."""
    if not _TIME_RE.match(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def normal_time(moment: datetime) -> str:
    """YYYY-MM-DDTHH:MM, with :SS when the seconds are not zero (fractions of a second dropped)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")


def _time_problem(key: str, value: str) -> ValidationError | None:
    if _wall_time(value) is not None:
        return None
    flag = FLAGS[key]
    if re.search(r"(Z|[+-]\d{2}:?\d{2})$", value) and _wall_time(re.sub(r"(Z|[+-]\d{2}:?\d{2})$", "", value)):
        return ValidationError(
            f"{flag} is the local time at the business, sent to Google as written; leave out the offset "
            f"(e.g. {EXAMPLE_TIME})",
            field=key,
        )
    return ValidationError(
        f"{flag} {value!r} is not a date and time; use local time like {EXAMPLE_TIME}",
        field=key,
    )


def option_problems(flags: Mapping[str, str | None], platforms: Iterable[Platform | str]) -> list[ValidationError]:
    """Every problem with the Google flags for a post to ``platforms`` (one line each, its field the option key);
    [] when they are fine (or none was given)."""
    present = given(flags)
    if not present:
        return []
    kinds = {Platform(p) for p in platforms}
    if kinds - {Platform.GOOGLE}:
        return [
            ValidationError(
                f"{FLAGS[key]} is for Google Business Profile posts only; remove it or the other accounts", field=key
            )
            for key in present
        ]
    found: list[ValidationError] = []
    kind = _clean(flags, "google_type")
    google_type = "standard" if flags.get("google_type") is None else (kind or "").lower()  # "" is no type
    if google_type not in GOOGLE_TYPES:
        found.append(
            ValidationError(
                f"--google-type {flags.get('google_type')!r} is not a Google post type; use standard, event or offer",
                field="google_type",
            )
        )
    found += _button_problems(flags, google_type)
    if google_type in GOOGLE_TYPES:  # an unknown type: which flags fit it can't be said
        found += _event_problems(flags, google_type)
    if google_type in ("standard", "event"):
        found += [
            ValidationError(f"{FLAGS[key]} goes with --google-type offer", field=key)
            for key in OFFER_KEYS
            if flags.get(key) is not None
        ]
    offer_url = _clean(flags, "offer_url")
    if offer_url is not None and not _URL_RE.match(offer_url):
        found.append(
            ValidationError(
                f"--offer-url {offer_url!r} is not a web address; use one like https://example.com/offer",
                field="offer_url",
            )
        )
    return found


def _button_problems(flags: Mapping[str, str | None], google_type: str) -> list[ValidationError]:
    found: list[ValidationError] = []
    raw = flags.get("button")
    button = (_clean(flags, "button") or "").upper()
    url = _clean(flags, "button_url")
    if raw is None:
        if flags.get("button_url") is not None:
            found.append(
                ValidationError(
                    "--button-url goes with --button; add one, e.g. --button LEARN_MORE", field="button_url"
                )
            )
        return found
    if google_type == "offer":
        # Google ignores a call-to-action on an OFFER post; the offer's own link is its redeem URL.
        found.append(
            ValidationError(
                "Google shows no button on an offer; remove --button and give the link as --offer-url", field="button"
            )
        )
    if button not in BUTTONS:
        found.append(
            ValidationError(f"--button {raw!r} is not a Google button; use one of {', '.join(BUTTONS)}", field="button")
        )
    elif button == "CALL":
        if flags.get("button_url") is not None:
            found.append(
                ValidationError(
                    "--button CALL calls the business's phone number from its profile; remove --button-url",
                    field="button_url",
                )
            )
    elif url is None:
        found.append(
            ValidationError(f"--button {button} needs --button-url, the web address it opens", field="button_url")
        )
    if url is not None and button != "CALL" and not _URL_RE.match(url):
        found.append(
            ValidationError(
                f"--button-url {url!r} is not a web address; use one like https://example.com", field="button_url"
            )
        )
    return found


def _event_problems(flags: Mapping[str, str | None], google_type: str) -> list[ValidationError]:
    found: list[ValidationError] = []
    if google_type not in ("event", "offer"):
        return [
            ValidationError(f"{FLAGS[key]} goes with --google-type event or offer", field=key)
            for key in EVENT_KEYS
            if flags.get(key) is not None
        ]
    missing = [FLAGS[key] for key in EVENT_KEYS if _clean(flags, key) is None]
    if missing:
        names = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
        if google_type == "offer":
            found.append(
                ValidationError(
                    f"An offer needs its title and period (Google requires them): add {names}", field="event_title"
                )
            )
        else:
            found.append(ValidationError(f"An event needs its title, start and end: add {names}", field="event_title"))
    times: dict[str, datetime] = {}
    for key in ("event_start", "event_end"):
        value = _clean(flags, key)
        if value is None:
            continue
        problem = _time_problem(key, value)
        if problem is not None:
            found.append(problem)
            continue
        moment = _wall_time(value)
        assert moment is not None
        times[key] = moment.replace(microsecond=0)
    if len(times) == 2 and times["event_end"] <= times["event_start"]:
        found.append(
            ValidationError(
                f"--event-end ({normal_time(times['event_end'])}) must be after --event-start "
                f"({normal_time(times['event_start'])})",
                field="event_end",
            )
        )
    return found


def google_options(flags: Mapping[str, str | None]) -> Options:
    """The options a Google post stores, from flags ``option_problems`` found fine: every key of OPTION_KEYS, None
    when not given (``google_type`` defaults to "standard", ``button`` in upper case, times as YYYY-MM-DDTHH:MM)."""
    options: Options = {key: _clean(flags, key) for key in OPTION_KEYS}
    options["google_type"] = (options["google_type"] or "standard").lower()
    if options["button"] is not None:
        options["button"] = options["button"].upper()
    for key in ("event_start", "event_end"):
        value = options[key]
        moment = _wall_time(value) if value is not None else None
        if moment is not None:
            options[key] = normal_time(moment)
    return options


def parse_options(
    flags: Mapping[str, str | None], platforms: Iterable[Platform | str]
) -> tuple[Options, list[ValidationError]]:
    """The options of a Google post from its flags and every problem with them: ({}, problems) when there are
    problems or none of ``platforms`` is Google."""
    kinds = tuple(platforms)
    problems = option_problems(flags, kinds)
    if problems or Platform.GOOGLE not in {Platform(p) for p in kinds}:
        return {}, problems
    return google_options(flags), []


def stored_options(meta: Mapping[str, Any] | None) -> dict[str, Any]:
    """A queue item's options as stored in its metadata ({} when it has none: every post that is not Google's)."""
    value = (meta or {}).get("options")
    return dict(value) if isinstance(value, Mapping) else {}


def stored_flags(meta: Mapping[str, Any] | None) -> dict[str, str | None]:
    """A queue item's stored options as flags again (what a new post from it, or its re-check, takes): the keys of
    OPTION_KEYS that have a value; {} when it has none."""
    options = stored_options(meta)
    return {key: options[key] for key in OPTION_KEYS if isinstance(options.get(key), str)}
