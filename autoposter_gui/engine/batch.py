"""Many posts at once (a series, a CSV import): the post rules as ``PostService`` has them, each account read,
each image file inspected and each copy stored only once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.images import ImageInfo, inspect_image
from autoposter_gui.domain.models import MediaRef, Platform
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.storage.models import Account

T = TypeVar("T")


class BatchPostService(PostService):
    """A ``PostService`` for one batch of posts: the accounts are read once when it starts, and what an image file
    gave (its info, or the problem with it) and where its copies went are remembered for the batch. Build a new one
    per batch: a file changed meanwhile is seen by the next batch. Its posts are checked against one reading of the
    clock, taken when it starts (a batch takes well under a second)."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._checked_at = ctx.clock.now()
        accounts = self.repo.accounts()
        self._by_id: dict[int, Account] = {a.id: a for a in accounts}
        self._by_external: dict[str, Account] = {}
        for account in sorted(accounts, key=lambda a: a.id, reverse=True):  # the lowest id wins, as in the Repo
            self._by_external[account.external_id] = account
        self._resolved: dict[tuple[str | int, ...], list[Account] | ValidationError] = {}
        self._audiences: dict[
            tuple[str | int, ...], tuple[list[Account] | ValidationError, list[str], tuple[Platform, ...]]
        ] = {}
        # Per set of accounts, keyed by the Account objects' identity (each entry keeps its objects alive, so an id
        # is never reused meanwhile): no database attribute read per post.
        self._refused: dict[tuple[int, ...], tuple[object, list[str]]] = {}
        self._platform_memo: dict[tuple[int, ...], tuple[object, tuple[Platform, ...]]] = {}
        self._target_memo: dict[
            tuple[int, ...], tuple[object, tuple[tuple[tuple[int, Platform], ...], frozenset[str]]]
        ] = {}
        self._inspected: dict[str, ImageInfo | ValidationError] = {}
        self._stored: dict[tuple[object, ...], tuple[str | None, str | None]] = {}
        self._stored_media: dict[tuple[object, ...], dict[str, tuple[MediaRef, ...]]] = {}
        self.inspect_image = self._inspect_once

    def _account(self, ref: str | int) -> Account | None:
        return self._by_id.get(ref) if isinstance(ref, int) else self._by_external.get(str(ref).strip())

    def resolve_accounts(self, refs: Sequence[str | int]) -> list[Account]:
        key = tuple(refs)
        found = self._resolved.get(key)
        if found is None:
            try:
                found = super().resolve_accounts(refs)
            except ValidationError as exc:
                found = exc
            self._resolved[key] = found
        if isinstance(found, ValidationError):
            raise found
        return list(found)

    def _audience(
        self, refs: Sequence[str | int]
    ) -> tuple[list[Account] | ValidationError, list[str], tuple[Platform, ...]]:
        key = tuple(refs)
        found = self._audiences.get(key)
        if found is None:
            found = self._audiences[key] = super()._audience(refs)
        return found  # the same lists for every post of the batch to these accounts: read, never changed

    def _cannot_post(self, accounts: Sequence[Account]) -> list[str]:
        return _remembered(self._refused, accounts, PostService._cannot_post, self)

    def _platforms(self, accounts: Sequence[Account]) -> tuple[Platform, ...]:
        return _remembered(self._platform_memo, accounts, PostService._platforms, self)

    def _targets(self, accounts: Sequence[Account]) -> tuple[tuple[tuple[int, Platform], ...], frozenset[str]]:
        return _remembered(self._target_memo, accounts, PostService._targets, self)

    def _inspect_once(self, path: str) -> ImageInfo:
        found = self._inspected.get(path)
        if found is None:
            try:
                found = inspect_image(path)
            except ValidationError as exc:
                found = exc
            self._inspected[path] = found
        if isinstance(found, ValidationError):
            raise found
        return found

    @staticmethod
    def _key(request: PostRequest, info: ImageInfo, platforms: AbstractSet[str]) -> tuple[object, ...]:
        # Without a fit the copy is the file as it is, whatever the platforms (PostService._store_images): one copy
        # for a photo posted to Pages and to Instagram accounts. A frozenset (what _targets gives) is its own
        # frozenset, its hash computed once: nothing built per post.
        if request.fit is None:
            return (info.path,)
        return (info.path, request.fit, request.fit_color, frozenset(platforms))

    def _store_images(
        self, request: PostRequest, info: ImageInfo | None, platforms: AbstractSet[str]
    ) -> tuple[str | None, str | None]:
        if info is None:
            return None, None
        key = self._key(request, info, platforms)
        found = self._stored.get(key)
        if found is None:
            found = self._stored[key] = super()._store_images(request, info, platforms)
        return found

    def _store_media(self, request: PostRequest, platforms: set[str]) -> dict[str, tuple[MediaRef, ...]]:
        key = (request.media, request.fit, request.fit_color, *sorted(platforms))
        if key not in self._stored_media:
            self._stored_media[key] = super()._store_media(request, platforms)
        return self._stored_media[key]

    def store_images(self, posts: Iterable[tuple[PostRequest, Sequence[Account], ImageInfo | None]]) -> None:
        """Copy the images of checked posts into the media store, a few files at a time on worker threads (each
        copy waits for the disk: its own sync and its folder's), so that ``new_items`` finds them stored. The caller
        waits meanwhile: a thread running Python beside the copies would make every step of theirs wait for the GIL.
        A failed copy raises its ValidationError (as one at a time would)."""
        wanted: dict[tuple[object, ...], tuple[PostRequest, ImageInfo, AbstractSet[str]]] = {}
        plain: set[int] = set()  # the ImageInfo objects (one per file: _inspect_once) already wanted without a fit
        for request, accounts, info in posts:
            if info is None or request.media:  # a text post; a post with media lists stores them in new_items
                continue
            if request.fit is None:  # the copy is the file as it is (_key): once per file, not once per post
                if id(info) in plain:
                    continue
                plain.add(id(info))
            platforms = self._targets(accounts)[1]
            wanted.setdefault(self._key(request, info, platforms), (request, info, platforms))
        todo = {k: v for k, v in wanted.items() if k not in self._stored}
        if not todo:
            return
        store = super()._store_images
        with ThreadPoolExecutor(max_workers=min(4, len(todo)), thread_name_prefix="media") as pool:
            futures = {k: pool.submit(store, *v) for k, v in todo.items()}
        for key, future in futures.items():
            self._stored[key] = future.result()


def _remembered(
    memo: dict[tuple[int, ...], tuple[object, T]],
    accounts: Sequence[Account],
    compute: Callable[[PostService, Sequence[Account]], T],
    service: PostService,
) -> T:
    """``compute(service, accounts)`` (PostService's own method: no bound method built per post), once per set of
    Account objects in ``memo``."""
    key = (id(accounts[0]),) if len(accounts) == 1 else tuple(map(id, accounts))  # most posts: one account
    found = memo.get(key)
    if found is None:
        found = memo[key] = (tuple(accounts), compute(service, accounts))
    return found[1]
