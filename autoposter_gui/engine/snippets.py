"""Saved hashtag groups and text snippets for the composer: checked, and kept as JSON under one settings key."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.storage.settings import SettingsTable

if TYPE_CHECKING:
    from autoposter_gui.engine.context import Context

SNIPPETS_KEY = "composer.snippets"  # not one of the `autoposter settings` keys: the app manages it
MAX_SNIPPETS, MAX_NAME, MAX_TEXT = 100, 40, 2200


class SnippetKind(StrEnum):
    HASHTAGS = "hashtags"
    TEXT = "text"


@dataclass(frozen=True)
class Snippet:
    kind: SnippetKind
    name: str
    text: str


def check_snippets(snippets: Sequence[Snippet]) -> list[Snippet]:
    """The snippets as they will be stored (trimmed); ValidationError names the first bad one."""
    if len(snippets) > MAX_SNIPPETS:
        raise ValidationError(f"At most {MAX_SNIPPETS} saved snippets; remove some first", field="snippets")
    checked: list[Snippet] = []
    names: set[tuple[str, str]] = set()
    for n, snippet in enumerate(snippets, start=1):
        name, text = " ".join(snippet.name.split()), snippet.text.strip()
        if not name:
            raise ValidationError(f"Snippet {n} has no name; give it a short one, e.g. 'Bakery tags'", field="snippets")
        if len(name) > MAX_NAME:
            raise ValidationError(f"The name {name[:20]!r}… is too long; keep it under {MAX_NAME} characters")
        if not text:
            raise ValidationError(f"{name!r} has no text; write what it should insert", field="snippets")
        if len(text) > MAX_TEXT:
            raise ValidationError(f"{name!r} is longer than a post can be ({MAX_TEXT} characters)", field="snippets")
        if snippet.kind is SnippetKind.HASHTAGS and any(not w.startswith("#") for w in text.split()):
            raise ValidationError(
                f"{name!r}: a hashtag group holds only hashtags, like #bakery #fresh", field="snippets"
            )
        if (snippet.kind, name.lower()) in names:
            raise ValidationError(f"Two {snippet.kind.value} entries are named {name!r}; rename one", field="snippets")
        names.add((snippet.kind, name.lower()))
        checked.append(Snippet(snippet.kind, name, text))
    return checked


class SnippetService:
    """Reads and replaces the saved snippets (the whole list at once: the Settings editor saves it on OK)."""

    def __init__(self, ctx: Context) -> None:
        self.table = SettingsTable(ctx.store)

    def all(self) -> list[Snippet]:
        raw = self.table.get(SNIPPETS_KEY)
        try:
            data = json.loads(raw) if raw else []
        except ValueError:
            return []
        found: list[Snippet] = []
        for entry in data if isinstance(data, list) else []:
            try:
                found.append(Snippet(SnippetKind(entry["kind"]), str(entry["name"]), str(entry["text"])))
            except (KeyError, TypeError, ValueError):
                continue
        return found

    def save(self, snippets: Sequence[Snippet]) -> list[Snippet]:
        """Check every snippet, then store them all (nothing written when one is bad)."""
        checked = check_snippets(snippets)
        value = json.dumps([{"kind": s.kind.value, "name": s.name, "text": s.text} for s in checked])
        self.table.set(SNIPPETS_KEY, value if checked else None)
        return checked
