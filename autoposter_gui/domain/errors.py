"""Error types that carry a safe, user-facing message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from autoposter_gui.domain.models import ItemStatus


class AutoposterError(Exception):
    """Base class: ``str(err)`` is always a safe sentence a user can act on."""


class Remedy(StrEnum):
    """A fix that each front end names in its own terms (a button in the GUI, a flag in the CLI)."""

    FIT_IMAGE = "fit_image"  # pad or crop an image to a ratio Instagram accepts


# How a remedy reads when the front end gives no wording of its own (logs, the engine).
NEUTRAL_REMEDIES: dict[Remedy, str] = {Remedy.FIT_IMAGE: "pad or crop the image to fit"}


class ValidationError(AutoposterError):
    """Bad input: nothing was written.

    ``field`` names the input at fault (text, image, when, accounts...). When the fix is something a front end
    offers (``remedy``), the message is the ``problem`` plus that fix, phrased by ``phrased(remedies)``: the rule
    and its sentence stay in one place, and the GUI names its buttons where the CLI names its flags.
    """

    def __init__(self, message: str, field: str | None = None, *, remedy: Remedy | None = None) -> None:
        self.problem = message
        self.field = field
        self.remedy = remedy
        super().__init__(self.phrased())

    def phrased(self, remedies: Mapping[Remedy, str] | None = None) -> str:
        """The message, with the remedy in the caller's words (``remedies``), else in neutral words."""
        if self.remedy is None:
            return self.problem
        fix = (remedies or {}).get(self.remedy) or NEUTRAL_REMEDIES[self.remedy]
        return f"{self.problem}. {fix[:1].upper()}{fix[1:]}"


class NotConnectedError(AutoposterError):
    """The account has no usable token."""


class KeyringUnavailableError(AutoposterError):
    """No OS keyring backend works on this machine."""


class ErrorKind(StrEnum):
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


class ErrorCategory(StrEnum):
    TOKEN = "token"  # dead token: reconnect
    PERMISSION = "permission"
    THROTTLED = "throttled"
    TRANSIENT = "transient"
    SPAM = "spam"
    DUPLICATE = "duplicate"
    MEDIA_NOT_READY = "media_not_ready"
    MEDIA_FETCH = "media_fetch"
    MEDIA_INVALID = "media_invalid"
    QUOTA = "quota"
    CONTAINER_EXPIRED = "container_expired"
    NETWORK = "network"
    NOT_CONNECTED = "not_connected"
    INVALID_REQUEST = "invalid_request"
    UNKNOWN = "unknown"


@dataclass
class PublishError(AutoposterError):
    """A classified provider failure. ``str()`` is the user message; no token or raw body inside."""

    kind: ErrorKind
    category: ErrorCategory
    user_message: str
    code: int | None = None
    subcode: int | None = None
    http_status: int | None = None
    fbtrace_id: str | None = None
    retry_after: timedelta | None = None
    # True when the request may have reached the provider and been committed (timeout, reset, 5xx on a write).
    ambiguous: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.user_message)

    def __str__(self) -> str:
        return self.user_message

    @property
    def error_code(self) -> str:
        """Short code stored as last_error_code, e.g. ``190/463`` or ``http_502`` or ``network``."""
        if self.code is not None:
            return f"{self.code}/{self.subcode}" if self.subcode else str(self.code)
        if self.http_status is not None:
            return f"http_{self.http_status}"
        return self.category.value

    @property
    def is_temporary(self) -> bool:
        return self.kind is ErrorKind.TEMPORARY


class StoreError(AutoposterError):
    """The local database cannot be opened or written; the message says what to do."""


class MissingDatabaseError(StoreError):
    """The database is missing or empty in a folder that was used before; nothing was created."""

    def __init__(self, message: str, *, summary: str, latest_backup: object | None, taken: str | None) -> None:
        super().__init__(message)
        self.summary = summary  # without the CLI's advice (the GUI offers buttons instead)
        self.latest_backup = latest_backup  # the newest backup file (a Path), if any
        self.taken = taken  # when it was taken, local time "YYYY-MM-DD HH:MM"


class DatabaseReplacedError(StoreError):
    """The database file was deleted or replaced while this process was writing to it."""


def no_such_item(item_id: int) -> ValidationError:
    """The one refusal for an id that names no queue item (the CLI and the engine's owner actions)."""
    return ValidationError(f"No queue item with id {item_id}; run `autoposter queue` to list them")


def require_draft(item_id: int, status: str) -> None:
    """Only a draft can be scheduled: said before the post rules run, and again under the store's write lock."""
    if status != ItemStatus.DRAFT.value:
        raise ValidationError(
            f"Item {item_id} is {status}, not a draft; only drafts can be scheduled "
            "(to move a scheduled post, edit it in the app)"
        )
