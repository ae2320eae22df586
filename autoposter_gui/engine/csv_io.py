"""CSV import (every row checked with the post rules first, then all written in one transaction) and export."""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import NamedTuple

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.images import ImageInfo
from autoposter_gui.domain.models import ItemStatus, MediaKind, MediaRef, media_from_json
from autoposter_gui.domain.times import iso_local, local_zone, parse_when
from autoposter_gui.domain.validation import alt_text_problem
from autoposter_gui.engine.batch import BatchPostService
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.posts import WHITE, PostRequest
from autoposter_gui.storage.models import Account
from autoposter_gui.storage.planning import PlanningRepo

COLUMNS = ("account", "text", "at", "image", "alt_text", "first_comment", "link")
REQUIRED = ("account", "text")
LIST_SEPARATOR = ";"  # several accounts, images (and their alt texts) in one cell
EXPORTED = (ItemStatus.DRAFT, ItemStatus.SCHEDULED)  # the posts still to go out (the others are done or stopped)


class CsvRow(NamedTuple):
    """One post of the file, as written: ``line`` is the physical line it starts on (the header is line 1). A
    plain tuple: a file has thousands."""

    line: int
    accounts: tuple[str, ...]
    text: str
    at: str
    images: tuple[str, ...]  # paths resolved against the file's folder
    alt_text: str = ""
    first_comment: str = ""
    link: str = ""


_new_row = tuple.__new__


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


@dataclass
class ImportPlan:
    """A checked file: its rows, the problems (one per bad row, by line), and how many posts it gives."""

    rows: list[CsvRow]
    problems: list[RowProblem]
    posts: int = 0
    # For ``write``: each row's request with what checking it found, and the service that checked them (its
    # accounts and image files, read once).
    ready: list[tuple[PostRequest, list[Account], ImageInfo | None]] = field(default_factory=list, repr=False)
    service: BatchPostService | None = field(default=None, repr=False)


# ----- reading the file ----------------------------------------------------------------------------------------


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"No such file: {path}", field="file") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} is a folder, not a CSV file", field="file") from None
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}", field="file") from None
    try:
        return data.decode("utf-8-sig")  # with or without the byte-order mark Excel writes
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            f'{path.name} is not UTF-8 text (line {line}); save it as "CSV UTF-8" and try again', field="file"
        ) from None


def _header_name(cell: str) -> str:
    return cell.strip().lower().replace(" ", "_").replace("-", "_")


_FIRST_LINE = re.compile("[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*")  # up to the first break splitlines() knows


def _delimiter(text: str) -> str:
    """Comma or semicolon (Excel writes either, by locale): the one that splits the header into known columns."""
    match = _FIRST_LINE.match(text)  # the first line alone: not the whole file split into lines for it
    first = match.group() if match else ""

    def known(delimiter: str) -> tuple[int, int]:
        cells = [_header_name(c) for c in next(csv.reader([first], delimiter=delimiter), [])]
        return sum(c in COLUMNS for c in cells), len(cells)

    return max((",", ";"), key=known)


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(the physical line a record starts on, its cells); blank lines skipped. A quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if cells and (cells[0].strip() or "".join(cells).strip()):  # most rows: a first cell, no join
                yield start, cells
    except csv.Error as exc:
        raise ValidationError(f"line {line + 1}: the file can't be read as CSV ({exc})", field="file") from None


def _split(cell: str) -> tuple[str, ...]:
    if LIST_SEPARATOR not in cell:  # the common case: one value (or none)
        value = cell.strip()
        return (value,) if value else ()
    return tuple(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())


def read_rows(path: Path) -> tuple[list[CsvRow], list[RowProblem]]:
    """The file's rows, and the problems of its shape (header, cells per row); nothing checked against the rules
    yet. A file that can't be read at all raises ValidationError."""
    text = _decode(path)
    records = _records(text, _delimiter(text))
    first = next(records, None)
    if first is None:
        raise ValidationError(f"{path.name} is empty; its first line must name the columns: {', '.join(COLUMNS)}")
    header_line, header = first
    names = [_header_name(c) for c in header]
    unknown = [n for n in names if n not in COLUMNS]
    missing = [n for n in REQUIRED if n not in names]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if unknown or missing or duplicated:
        what = (
            f"unknown column(s) {', '.join(repr(n) for n in unknown)}"
            if unknown
            else f"no {', '.join(repr(n) for n in missing)} column"
            if missing
            else f"the column(s) {', '.join(repr(n) for n in duplicated)} appear twice"
        )
        return [], [RowProblem(header_line, f"{what}; the header row names the columns: {', '.join(COLUMNS)}")]
    folder = path.resolve().parent
    images: dict[str, tuple[str, ...]] = {}  # a cell's paths, resolved against the file's folder (once per cell)
    accounts: dict[str, tuple[str, ...]] = {}  # a cell's accounts (a file names a few, thousands of times)
    width = len(names)
    column = {name: n for n, name in enumerate(names)}
    # A column the file lacks reads the empty cell appended to each row (index ``width``).
    at_cell, image_cell, alt_cell, comment_cell, link_cell = (
        column.get(name, width) for name in ("at", "image", "alt_text", "first_comment", "link")
    )
    account_cell, text_cell = column["account"], column["text"]
    rows: list[CsvRow] = []
    problems: list[RowProblem] = []
    for line, cells in records:
        if len(cells) != width:
            if len(cells) < width or any(c.strip() for c in cells[width:]):
                problems.append(
                    RowProblem(
                        line,
                        f"{len(cells)} values, but the header names {len(names)} columns "
                        "(put a value holding a comma or a semicolon in double quotes)",
                    )
                )
                continue
            del cells[width:]  # blank extra cells
        cells.append("")
        image, account = cells[image_cell], cells[account_cell]
        if image not in images:
            images[image] = tuple(str(folder / Path(p).expanduser()) for p in _split(image))
        if account not in accounts:
            accounts[account] = _split(account)
        row = (
            line,
            accounts[account],
            cells[text_cell],
            cells[at_cell].strip(),
            images[image],
            cells[alt_cell].strip(),
            cells[comment_cell],
            cells[link_cell].strip(),
        )
        rows.append(_new_row(CsvRow, row))  # every field given: built in C, not by CsvRow's __new__ (~0.08 µs less)
    return rows, problems


# ----- the rules -----------------------------------------------------------------------------------------------


def _alt_texts(row: CsvRow) -> list[str]:
    """The row's alt texts, one per image in order: the whole cell for one image, ``;``-separated for several."""
    if not row.alt_text:
        return []
    if len(row.images) <= 1:
        return [row.alt_text]
    return [part.strip() for part in row.alt_text.split(LIST_SEPARATOR)]


def _media(row: CsvRow, alts: list[str]) -> tuple[MediaRef, ...]:
    """The post's images with their alt texts, when it needs more than ``image_path`` (several, or alt text)."""
    if len(row.images) <= 1 and not any(alts):
        return ()
    return tuple(
        MediaRef(path, MediaKind.IMAGE, (alts[n] if n < len(alts) else "") or None) for n, path in enumerate(row.images)
    )


class CsvService:
    """``import`` and ``export``: the CLI's commands and the app's File menu share it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def check(self, path: str | os.PathLike[str]) -> ImportPlan:
        """Read and check every row with the rules of a new post; writes nothing (``write`` does, if clean)."""
        with _collector_paused():
            return self._check(Path(path))

    def _check(self, path: Path) -> ImportPlan:
        rows, problems = read_rows(path)
        if not rows and not problems:
            raise ValidationError(f"{path.name} has no posts below its header row; nothing to import")
        posts = BatchPostService(self.ctx)
        local = local_zone()
        times: dict[str, tuple[datetime, str] | ValidationError] = {}  # each distinct time read once
        plan = ImportPlan(rows, problems, service=posts)
        ready, assess, read = plan.ready.append, posts.assess, self._request  # looked up once, not per row
        count = 0
        for row in rows:
            request, found = read(row, local, times)
            if request is not None:
                checked, accounts, info = assess(request)
                if checked:
                    found += [message for _, message in checked]
                ready((request, accounts, info))
                count += len(accounts)
            if found:
                plan.problems.append(RowProblem(row.line, ". Also: ".join(found)))
        plan.posts = count
        plan.problems.sort(key=lambda p: p.line)
        return plan

    @staticmethod
    def _request(
        row: CsvRow,
        local: tuple[tzinfo, str],
        times: dict[str, tuple[datetime, str] | ValidationError] | None = None,
    ) -> tuple[PostRequest | None, list[str]]:
        """The row as ``post`` would take it, and the problems only the file's form can have (the time, more alt
        texts than images); the rules of a post come after (``assess``). ``times``: the times read so far."""
        _, accounts, text, at, images, alt_text, first_comment, link = row  # one unpacking, not a getter per field
        when, zone = None, None
        if at:
            parsed = times.get(at) if times is not None else None
            if parsed is None:
                try:
                    parsed = parse_when(at, local)
                except ValidationError as exc:
                    parsed = exc
                if times is not None:
                    times[at] = parsed
            if isinstance(parsed, ValidationError):
                return None, [parsed.phrased()]
            when, zone = parsed
        if alt_text:
            alts = _alt_texts(row)
            extra = alt_text_problem(len(images), len(alts))
            media = _media(row, alts)
        else:  # the common case: no alt text, so no alt text problem, and a media list only for several images
            extra, media = None, _media(row, []) if len(images) > 1 else ()
        request = PostRequest(  # positionally (keywords cost ~0.2 µs a row): no fit, so no fit colour but the default
            accounts,
            text,
            images[0] if images else None,
            when,
            zone,
            when is None,  # draft
            None,  # fit
            WHITE,
            media,
            first_comment or None,
            link or None,
        )
        return request, [extra.phrased()] if extra is not None else []

    def write(self, plan: ImportPlan) -> list[int]:
        """Queue a clean plan's posts (a row without a time is a draft): images stored, then every item in one
        transaction, through the store's bulk path. Their ids."""
        if plan.problems or plan.service is None:
            raise ValidationError("The file has bad rows; fix them first (nothing was written)")
        with _collector_paused():
            return self._write(plan, plan.service)

    def _write(self, plan: ImportPlan, posts: BatchPostService) -> list[int]:
        now = self.ctx.clock.now()
        # The images are copied first (a few files at a time, on worker threads) while this thread only waits: had it
        # built items meanwhile, each step of a copy (open, write, fsync, rename) would wait for the GIL, up to the
        # 5 ms switch interval each time (measured: a 5-photo import's items took 40 ms that way under load, 29 ms
        # copying first; the same when the machine is quiet).
        posts.store_images(plan.ready)
        make = posts.new_items
        new = [item for request, accounts, info in plan.ready for item in make(request, accounts, info, now)]
        ids = PlanningRepo(self.ctx.store).add_items_bulk(new, now)
        self.ctx.events.emit_each(Events.ITEM_CHANGED, ids)
        return ids

    def export(self, path: str | os.PathLike[str]) -> int:
        """Write the posts still to go out (drafts and scheduled posts) in the import's columns; how many."""
        target = Path(path)
        folder = target.resolve().parent
        external = {a.id: a.external_id for a in self.ctx.repo.accounts()}
        when = iso_local()
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        items = self.ctx.repo.items(list(EXPORTED))
        for item in items:
            media = media_from_json(item.media) or ((MediaRef(item.image_path),) if item.image_path else ())
            alts = [m.alt_text or "" for m in media]
            writer.writerow(
                [
                    external.get(item.account_id, ""),
                    item.text,
                    "" if item.status == ItemStatus.DRAFT.value else when(item.scheduled_at) or "",
                    LIST_SEPARATOR.join(_relative(m.path, folder) for m in media),
                    LIST_SEPARATOR.join(alts) if any(alts) else "",
                    item.first_comment or "",
                    item.link or "",
                ]
            )
        try:
            target.write_text(out.getvalue(), encoding="utf-8", newline="")
        except OSError as exc:
            raise ValidationError(f"Cannot write {target}: {exc.strerror}", field="file") from None
        return len(items)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Thousands of rows make thousands of small acyclic objects: the cyclic garbage collector's passes over them
    (and over every object already alive) would find nothing to free (as `autoposter queue` does for its rows).
    When it ends, the objects made meanwhile join the oldest generation without a pass (``gc.freeze`` then
    ``unfreeze``: two list splices), instead of the young pass the first allocation after would start over all of
    them (~5 ms after a 5,000-row check); unless something else keeps objects frozen, which ``unfreeze`` would undo."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if collecting:
            gc.enable()


def _relative(image: str, folder: Path) -> str:
    """The image as the CSV names it: relative to the file's folder when it is inside it, else the full path."""
    path = Path(image)
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)
