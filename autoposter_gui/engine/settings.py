"""Settings shared by the CLI and the GUI: names, defaults, checks; in SQLite, the SMTP password in the keyring."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from autoposter_gui.domain.errors import KeyringUnavailableError, ValidationError
from autoposter_gui.engine.context import Context
from autoposter_gui.storage.settings import SettingsTable

HANDOFF, GRACE_HOURS, KEEP_AWAKE = "handoff", "grace_hours", "keep_awake"
SMTP_HOST, SMTP_PORT, SMTP_SECURITY = "smtp.host", "smtp.port", "smtp.security"
SMTP_USERNAME, SMTP_FROM, SMTP_TO, SMTP_PASSWORD = "smtp.username", "smtp.from", "smtp.to", "smtp.password"
KEYS = (
    HANDOFF,
    GRACE_HOURS,
    KEEP_AWAKE,
    SMTP_HOST,
    SMTP_PORT,
    SMTP_SECURITY,
    SMTP_USERNAME,
    SMTP_FROM,
    SMTP_TO,
    SMTP_PASSWORD,
)
PASSWORD_KEYRING_KEY = "smtp:password"  # the keyring entry (one keyring service per data folder)
DEFAULT_GRACE_HOURS, MAX_GRACE_HOURS = 6, 168
SECURITY_CHOICES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_ADDRESS = re.compile(r"^[^@\s,;<>\"()]+@[^@\s,;<>\"()]+\.[^@\s,;<>\"()]+$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.\-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


@dataclass(frozen=True)
class SmtpSettings:
    """Where alert emails go and how they are sent (the password read from the keyring)."""

    host: str | None
    port: int
    security: str
    username: str | None
    password: str | None
    sender: str | None
    recipients: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Enough to send: a server and someone to send to."""
        return bool(self.host and self.recipients)

    def __repr__(self) -> str:  # never show the password
        return f"SmtpSettings({self.host!r}, {self.port}, {self.security!r}, to={self.recipients!r})"


def _choice(key: str, choices: tuple[str, ...]) -> Callable[[str], str]:
    def check(raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
            raise ValidationError(f"{key} must be {listed}, not {raw!r}", field=key)
        return value

    return check


def _grace(raw: str) -> str:
    try:
        hours = int(raw.strip())
    except ValueError:
        hours = -1
    if not 0 <= hours <= MAX_GRACE_HOURS:
        raise ValidationError(
            f"grace_hours must be a whole number of hours from 0 to {MAX_GRACE_HOURS}", field=GRACE_HOURS
        )
    return str(hours)


def _port(raw: str) -> str:
    try:
        port = int(raw.strip())
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValidationError(f"smtp.port must be a port number from 1 to 65535, not {raw!r}", field=SMTP_PORT)
    return str(port)


def _host(raw: str) -> str:
    value = raw.strip()
    if value and (len(value) > 253 or not _HOST.match(value)):
        raise ValidationError(f"smtp.host must be a server name such as smtp.example.com, not {raw!r}", field=SMTP_HOST)
    return value


def _username(raw: str) -> str:
    value = raw.strip()
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValidationError("smtp.username must be one line of text", field=SMTP_USERNAME)
    return value


def _addresses(key: str, *, many: bool) -> Callable[[str], str]:
    def check(raw: str) -> str:
        parts = [p.strip() for p in raw.split(",")] if many else [raw.strip()]
        parts = [p for p in parts if p] if many else parts
        if parts == [""] or not parts:
            return ""
        bad = [p for p in parts if not _ADDRESS.match(p)]
        if bad:
            what = "email addresses separated by commas" if many else "an email address"
            raise ValidationError(f"{key} must be {what} such as you@example.com, not {bad[0]!r}", field=key)
        return ", ".join(parts)

    return check


CHECKS: dict[str, Callable[[str], str]] = {
    HANDOFF: _choice(HANDOFF, ("auto", "off")),
    GRACE_HOURS: _grace,
    KEEP_AWAKE: _choice(KEEP_AWAKE, ("on", "off")),
    SMTP_HOST: _host,
    SMTP_PORT: _port,
    SMTP_SECURITY: _choice(SMTP_SECURITY, SECURITY_CHOICES),
    SMTP_USERNAME: _username,
    SMTP_FROM: _addresses(SMTP_FROM, many=False),
    SMTP_TO: _addresses(SMTP_TO, many=True),
}
DEFAULTS = {HANDOFF: "auto", GRACE_HOURS: str(DEFAULT_GRACE_HOURS), KEEP_AWAKE: "on", SMTP_SECURITY: "starttls"}


def check_key(key: str) -> str:
    if key not in KEYS:
        raise ValidationError(f"unknown setting {key!r}; the settings are: {', '.join(KEYS)}", field="key")
    return key


class SettingsService:
    """Typed settings over the ``settings`` table; the one place their names, defaults and rules live."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.table = SettingsTable(ctx.store)

    # ----- generic access (the CLI's `settings`, the GUI's dialog) --------------------------------------
    def set(self, key: str, value: str) -> Any:
        """Check and store one setting given as text ("" clears it back to its default); returns its new value.
        Raises ValidationError, and writes nothing, for an unknown key or a bad value."""
        check_key(key)
        if key == SMTP_PASSWORD:
            self.set_password(value)
            return self.password_is_set()
        stored = CHECKS[key](value)
        self.table.set(key, stored if stored != "" else None)
        return self.value(key)

    def value(self, key: str) -> Any:
        """One setting as shown to the owner: numbers as numbers, unset text as None, the password as set-or-not."""
        check_key(key)
        if key == SMTP_PASSWORD:
            return self.password_is_set()
        return self.all_plain()[key]

    def all(self) -> dict[str, Any]:
        """Every setting by name (the password only as whether it is set: None when the keyring can't say)."""
        shown = self.all_plain()
        try:
            shown[SMTP_PASSWORD] = self.password_is_set()
        except KeyringUnavailableError:
            shown[SMTP_PASSWORD] = None
        return {key: shown[key] for key in KEYS}

    def all_plain(self) -> dict[str, Any]:
        """Every setting but the password (no keyring read)."""
        stored = self.table.all(KEYS)
        shown = {key: self._shown(key, stored.get(key)) for key in KEYS if key != SMTP_PASSWORD}
        if shown[SMTP_PORT] is None:  # unset: the usual port for the security chosen
            shown[SMTP_PORT] = DEFAULT_PORTS[str(shown[SMTP_SECURITY])]
        return shown

    def _shown(self, key: str, raw: str | None) -> Any:
        value = raw if raw is not None else DEFAULTS.get(key)
        if value is None:
            return None
        if key in (GRACE_HOURS, SMTP_PORT):
            return int(value)
        return value

    def is_stored(self, key: str) -> bool:
        return self.table.get(check_key(key)) is not None

    # ----- typed values ------------------------------------------------------------------------------
    @property
    def handoff(self) -> bool:
        return bool(self.value(HANDOFF) == "auto")

    @property
    def keep_awake(self) -> bool:
        return bool(self.value(KEEP_AWAKE) == "on")

    @property
    def grace_hours(self) -> int:
        return int(self.value(GRACE_HOURS))

    def grace(self) -> timedelta:
        """How late a post may be and still go out by itself after a start or wake-up."""
        return timedelta(hours=self.grace_hours)

    def smtp(self) -> SmtpSettings:
        """The saved SMTP settings, with the password from the keyring (read only when a username is set)."""
        return self._smtp(self.all_plain(), None)

    def smtp_with(self, values: Mapping[str, str], password: str | None = None) -> SmtpSettings:
        """The SMTP settings as they would be with ``values`` (checked, not saved) and ``password`` (None: the saved
        one): what the GUI's "Send test email" tries before the owner presses OK."""
        checked = self.check_all(values)
        shown = self.all_plain()
        for key, value in checked.items():
            shown[key] = self._shown(key, value or None)
        if shown[SMTP_PORT] is None:  # cleared: the usual port for the security chosen
            shown[SMTP_PORT] = DEFAULT_PORTS[str(shown[SMTP_SECURITY])]
        return self._smtp(shown, password)

    def _smtp(self, v: Mapping[str, Any], password: str | None) -> SmtpSettings:
        security = str(v[SMTP_SECURITY])
        username = v[SMTP_USERNAME]
        if username and password is None:
            password = self.ctx.tokens.get(PASSWORD_KEYRING_KEY)
        return SmtpSettings(
            host=v[SMTP_HOST],
            port=int(v[SMTP_PORT]),
            security=security,
            username=username,
            password=password if username else None,
            sender=v[SMTP_FROM],
            recipients=tuple(a.strip() for a in str(v[SMTP_TO] or "").split(",") if a.strip()),
        )

    def check_all(self, values: Mapping[str, str]) -> dict[str, str]:
        """``values`` checked (ValidationError for the first bad one), as they would be stored; the password is
        not one of them."""
        return {check_key(key): CHECKS[key](value) for key, value in values.items() if key != SMTP_PASSWORD}

    def set_many(self, values: Mapping[str, str]) -> None:
        """Check every value first, then store them all (nothing is written when one is bad)."""
        for key, value in self.check_all(values).items():
            self.table.set(key, value if value != "" else None)

    # ----- the password (keyring only) ---------------------------------------------------------------
    def set_password(self, password: str) -> None:
        """Keep the SMTP password in the keyring ("" removes it). Never stored anywhere else."""
        if any(ord(ch) < 0x20 for ch in password):
            raise ValidationError("smtp.password must be one line of text", field=SMTP_PASSWORD)
        if password:
            self.ctx.tokens.set(PASSWORD_KEYRING_KEY, password)
        else:
            self.ctx.tokens.delete(PASSWORD_KEYRING_KEY)

    def password_is_set(self) -> bool:
        return bool(self.ctx.tokens.get(PASSWORD_KEYRING_KEY))
