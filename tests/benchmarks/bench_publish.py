"""B2: 50 due posts across 5 accounts against a 100 ms sandbox, with the real keyring; B3: HTTP calls per post kind.

The sandbox runs in its own process (like Meta, it must not share the runner's GIL), with 100 ms added to every
request and Instagram containers ready at the first status read (so the required IG calls are exactly 5). Tokens
live in the real Secret Service when the suite started one (``python -m tests.benchmarks`` does).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.benchmarks.common import (
    Result,
    SandboxProc,
    connect_all,
    keyring_note,
    median,
    open_context,
    run_in_secret_service,
    sandbox_process,
)

LATENCY_MS = 100
POSTS_PER_ACCOUNT = 10
TEXT_PAGES = 5
TEXT_ROUNDS = 3
B2_TARGET = 1.3
# Required calls per post: FB text = POST feed (permalink in the answer); FB photo = POST photos (same);
# IG = host the image, create the container, read its status once, media_publish, read the permalink.
REQUIRED = {"fb_text": 1, "fb_photo": 1, "ig": 5}
B3_LIMIT = {"fb_text": 1, "fb_photo": 1, "ig": 5}
# Instagram-valid shapes: square, 4:5 portrait, 1.91:1 landscape, a large photo, a PNG.
IMAGE_SPECS = (((1080, 1080), "JPEG"), ((1080, 1350), "JPEG"), ((1200, 628), "JPEG"), ((3000, 2000), "JPEG"))


@dataclass
class PlannedPost:
    account_key: str  # external id
    kind: str  # fb_text | fb_photo | ig
    text: str
    image: str | None


def make_images(folder: Path) -> list[str]:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, ((w, h), fmt) in enumerate(IMAGE_SPECS):
        image = Image.new("RGB", (w, h), (200 - n * 30, 140 + n * 20, 90 + n * 25))
        draw = ImageDraw.Draw(image)
        for x in range(0, w, 40):  # some detail, so JPEG encoding does real work
            draw.line([(x, 0), (w - x, h)], fill=(x % 255, (x * 3) % 255, (x * 7) % 255), width=3)
        path = folder / f"shape{n}.{'png' if fmt == 'PNG' else 'jpg'}"
        image.save(path, fmt)
        paths.append(str(path))
    return paths


def choose_accounts(accounts: list[Any]) -> dict[str, tuple[Any, str]]:
    """Five accounts: an FB Page for text, one for photos, one mixed; two Instagram accounts (mixed shapes)."""
    igs = sorted((a for a in accounts if a.platform == "instagram"), key=lambda a: a.external_id)
    publishing = {ig.page_id for ig in igs}  # the sandbox's publishable Pages are the ones with an IG account
    pages = sorted(
        (a for a in accounts if a.platform == "facebook" and a.external_id in publishing), key=lambda a: a.external_id
    )
    if len(pages) < 3 or len(igs) < 2:
        raise RuntimeError(f"need 3 Pages and 2 IG accounts, got {len(pages)} and {len(igs)}")
    roles = ("fb_text", "fb_photo", "fb_mixed")
    chosen = {p.external_id: (p, role) for p, role in zip(pages[:3], roles, strict=True)}
    chosen.update({ig.external_id: (ig, "ig") for ig in igs[:2]})
    return chosen


def choose_text_pages(accounts: list[Any]) -> dict[str, tuple[Any, str]]:
    """Five Facebook Pages that can publish, each posting text only."""
    publishing = {a.page_id for a in accounts if a.platform == "instagram"}
    pages = sorted(
        (a for a in accounts if a.platform == "facebook" and a.external_id in publishing), key=lambda a: a.external_id
    )
    if len(pages) < TEXT_PAGES:
        raise RuntimeError(f"need {TEXT_PAGES} publishing Pages, got {len(pages)}")
    return {p.external_id: (p, "fb_text") for p in pages[:TEXT_PAGES]}


def plan_posts(chosen: dict[str, tuple[Any, str]], images: list[str], tag: str) -> list[PlannedPost]:
    """Ten posts per account, interleaved across accounts like a real same-minute batch."""
    posts: list[PlannedPost] = []
    for n in range(POSTS_PER_ACCOUNT):
        for external_id, (_account, role) in chosen.items():
            image = images[n % len(images)]
            kind = ("fb_photo" if n % 2 else "fb_text") if role == "fb_mixed" else role
            text = f"[{tag}] {kind} post {n} for {external_id}: today's specials are fresh and warm"
            posts.append(PlannedPost(external_id, kind, text, image if kind != "fb_text" else None))
    return posts


def queue_posts(ctx: Any, chosen: dict[str, tuple[Any, str]], posts: list[PlannedPost], when: datetime) -> list[Any]:
    from autoposter_gui.domain.models import ItemStatus, Platform
    from autoposter_gui.storage.repo import NewItem

    items = [
        NewItem(
            chosen[p.account_key][0].id,
            Platform(chosen[p.account_key][0].platform),
            p.text,
            p.image,
            ItemStatus.SCHEDULED,
            when,
        )
        for p in posts
    ]
    return list(ctx.repo.add_items(items, when))


def bound_seconds(posts: list[PlannedPost]) -> tuple[float, dict[str, int]]:
    chain: dict[str, int] = defaultdict(int)
    for p in posts:
        chain[p.account_key] += REQUIRED[p.kind]
    return max(chain.values()) * LATENCY_MS / 1000, dict(chain)


class CallCounter:
    """A client_factory wrapper: each Graph client (one per account chain) counts its own requests."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.lock = threading.Lock()
        self.calls: list[list[tuple[str, str]]] = []

    def __call__(self) -> Any:
        from autoposter_gui.meta.client import GraphClient
        from autoposter_gui.tokens import APP_SECRET

        log: list[tuple[str, str]] = []
        with self.lock:
            self.calls.append(log)
        return GraphClient(
            origin=self.ctx.config.graph_origin,
            app_secret=self.ctx.tokens.get(APP_SECRET),
            on_request=lambda method, path: log.append((method, path)),
        )


def check_published(sandbox: SandboxProc, ctx: Any, items: list[Any], chosen: dict[str, tuple[Any, str]]) -> list[str]:
    """Exactly once, and per account in the queued order; every item posted."""
    problems: list[str] = []
    texts = {i.text for i in items}
    posts = [p for p in sandbox.state()["posts"] if p["text"] in texts]
    seen: dict[str, int] = defaultdict(int)
    for p in posts:
        seen[p["text"]] += 1
    duplicates = [t for t, n in seen.items() if n > 1]
    missing = texts - set(seen)
    if duplicates:
        problems.append(f"{len(duplicates)} published twice")
    if missing:
        problems.append(f"{len(missing)} not published")
    by_account: dict[str, list[str]] = defaultdict(list)
    for p in posts:
        by_account[p["account_id"]].append(p["text"])
    for external_id in chosen:
        expected = [i.text for i in sorted(items, key=lambda i: i.id) if i.account_id == chosen[external_id][0].id]
        if by_account.get(external_id, []) != expected:
            problems.append(f"account {external_id}: published out of order")
    statuses = {ctx.repo.item(i.id).status for i in items}
    if statuses != {"posted"}:
        problems.append(f"item statuses after the run: {sorted(statuses)}")
    return problems


def setup_world(
    tmp: Path, sandbox: SandboxProc, clock: Any = None
) -> tuple[Any, dict[str, tuple[Any, str]], list[str], list[Any]]:
    ctx = open_context(tmp / "data", sandbox.url, clock=clock, real_keyring=True)
    accounts = connect_all(ctx, sandbox)
    return ctx, choose_accounts(accounts), make_images(tmp / "images"), accounts


@dataclass
class Batch:
    """One run_due over a planned batch, and what it cost."""

    wall: float
    bound: float
    chains: dict[str, int]
    published: int
    posts: int
    calls: int
    connections: int
    keyring_reads: int
    problems: list[str]

    @property
    def ratio(self) -> float:
        return self.wall / self.bound


def run_batch(ctx: Any, sandbox: SandboxProc, chosen: dict[str, tuple[Any, str]], posts: list[PlannedPost]) -> Batch:
    """Queue ``posts`` as due now and time one runner tick over them (the tick reads the keyring itself)."""
    from autoposter_gui.engine.runner import Runner

    items = queue_posts(ctx, chosen, posts, datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30))
    bound, chains = bound_seconds(posts)
    backend = ctx.tokens._keyring()  # count the tick's reads of the keyring itself (the real backend, or memory)
    reads: list[str] = []
    real_get = backend.get_password

    def counted(service: str, key: str) -> Any:
        reads.append(key)
        return real_get(service, key)

    before = sandbox.state()
    backend.get_password = counted
    try:
        start = time.perf_counter()
        stats = Runner(ctx).run_due()
        wall = time.perf_counter() - start
    finally:
        del backend.get_password
    after = sandbox.state()
    return Batch(
        wall,
        bound,
        chains,
        stats.succeeded,
        len(posts),
        len(after["calls"]) - len(before["calls"]),
        after["connections"] - before["connections"] - 1,  # less the state() call's own connection
        len(reads),
        check_published(sandbox, ctx, items, chosen),
    )


@contextmanager
def synchronous_normal(ctx: Any) -> Iterator[None]:
    """For the side-by-side cost of ``PRAGMA synchronous = FULL`` only: the store's write connections with NORMAL
    (in WAL mode no fsync at commit) while inside, FULL again after (the app always uses FULL)."""
    from sqlalchemy import event

    def normal(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")

    engine = ctx.store.engine
    event.listen(engine, "connect", normal)  # after the store's own listener, which sets FULL
    engine.dispose()  # new connections from here on
    try:
        yield
    finally:
        event.remove(engine, "connect", normal)
        engine.dispose()


def keyring_read_cost(ctx: Any, reads: int = 15) -> tuple[float, float]:
    """Median wall and CPU time (seconds) of one keyring read outside a tick (as every post paid before)."""
    from autoposter_gui.tokens import APP_SECRET

    walls, cpus = [], []
    for _ in range(reads):
        wall, cpu = time.perf_counter(), time.thread_time()
        ctx.tokens.get(APP_SECRET)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.thread_time() - cpu)
    return median(walls), median(cpus)


def run() -> list[Result]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-b2-") as tmp_name,
        sandbox_process(latency_ms=LATENCY_MS, container_polls=0, extra_pages=TEXT_PAGES - 1) as sandbox,
    ):
        tmp = Path(tmp_name)
        ctx, chosen, images, accounts = setup_world(tmp, sandbox)
        try:
            read_wall, read_cpu = keyring_read_cost(ctx)
            pages = choose_text_pages(accounts)
            text: list[Batch] = []
            normal: list[Batch] = []  # the same batch with synchronous=NORMAL, interleaved: what FULL costs
            for n in range(TEXT_ROUNDS):
                text.append(run_batch(ctx, sandbox, pages, plan_posts(pages, images, f"b2-text-{n}")))
                with synchronous_normal(ctx):
                    normal.append(run_batch(ctx, sandbox, pages, plan_posts(pages, images, f"b2-normal-{n}")))
            mixed = run_batch(ctx, sandbox, chosen, plan_posts(chosen, images, "b2"))
            b3 = _b3(ctx, sandbox, chosen, images)
            keyring = keyring_note(ctx.tokens)
        finally:
            ctx.close()
    text_batch = sorted(text, key=lambda b: b.wall)[len(text) // 2]  # the median run
    ratio = max(text_batch.ratio, mixed.ratio)
    normal_batch = sorted(normal, key=lambda b: b.wall)[len(normal) // 2]
    problems = [p for b in (*text, *normal, mixed) for p in b.problems]
    problems += [
        f"{b.connections} TCP connections for {len(b.chains)} accounts" for b in (*text, mixed) if b.connections > 5
    ]
    notes = [
        f"{keyring}; one read outside a tick costs {read_wall * 1000:.1f} ms wall, {read_cpu * 1000:.1f} ms CPU "
        f"(median of 15)",
        f"FB text: {TEXT_PAGES} Pages × {POSTS_PER_ACCOUNT} text posts; critical path {POSTS_PER_ACCOUNT} calls × "
        f"{LATENCY_MS} ms = {text_batch.bound:.1f} s; {TEXT_ROUNDS} batches (one runner tick each): "
        + ", ".join(f"{b.wall:.2f} s" for b in text)
        + f" (median {text_batch.wall:.2f} s); keyring reads per tick: "
        + ", ".join(str(b.keyring_reads) for b in text)
        + f"; {text_batch.published}/{text_batch.posts} published, {text_batch.calls} calls over "
        f"{text_batch.connections} TCP connections",
        "the cost of PRAGMA synchronous=FULL (an fsync of the WAL at every commit; 3 commits a post): the same "
        "batch with NORMAL, interleaved with the ones above: "
        + ", ".join(f"{b.wall:.2f} s" for b in normal)
        + f" (median {normal_batch.wall:.2f} s), so FULL costs {(text_batch.wall - normal_batch.wall) * 1000:+.0f} ms "
        f"on the {text_batch.wall:.2f} s batch ({(text_batch.wall / normal_batch.wall - 1) * 100:+.1f}%)",
        f"mixed (FB text, FB photo, FB mixed, 2 Instagram): {mixed.published}/{mixed.posts} published; per-account "
        f"required calls {sorted(mixed.chains.values())} × {LATENCY_MS} ms → bound {mixed.bound:.1f} s; wall "
        f"{mixed.wall:.2f} s ({mixed.ratio:.2f}); {mixed.calls} calls over {mixed.connections} TCP connections; "
        f"keyring reads in the tick: {mixed.keyring_reads}",
        *problems,
    ]
    b2 = Result(
        "B2",
        "Publish 50 due posts, 5 accounts, 100 ms latency",
        ratio,
        f"≤ {B2_TARGET} (both)",
        ratio <= B2_TARGET and not problems,
        f"FB text {text_batch.wall:.2f} s ÷ {text_batch.bound:.2f} s = {text_batch.ratio:.2f}; "
        f"mixed {mixed.wall:.2f} s ÷ {mixed.bound:.2f} s = {mixed.ratio:.2f}",
        notes,
    )
    return [b2, b3]


def _b3(ctx: Any, sandbox: SandboxProc, chosen: dict[str, tuple[Any, str]], images: list[str]) -> Result:
    """Calls per post kind: one post of each kind (IG: each image shape), processed alone with a counting client."""
    from autoposter_gui.engine.processor import ItemProcessor

    counter = CallCounter(ctx)
    ctx.client_factory = counter
    by_role = {role: key for key, (_a, role) in chosen.items()}
    cases = [("fb_text", by_role["fb_text"], None), ("fb_photo", by_role["fb_photo"], images[0])]
    cases += [("ig", by_role["ig"], image) for image in images]
    now = datetime.now(UTC)
    worst: dict[str, int] = defaultdict(int)
    extra_gets: list[str] = []
    shown: dict[str, str] = {}
    for n, (kind, key, image) in enumerate(cases):
        post = PlannedPost(key, kind, f"[b3] {kind} {n}: counting calls", image)
        (item,) = queue_posts(ctx, chosen, [post], now - timedelta(seconds=5))
        before = len(counter.calls)
        processor = ItemProcessor(ctx)
        try:
            outcome = processor.process(item.id)
        finally:
            processor.close()
        log = [c for chunk in counter.calls[before:] for c in chunk]
        if outcome.value != "succeeded":
            extra_gets.append(f"{kind} post {n} did not publish ({outcome.value})")
        worst[kind] = max(worst[kind], len(log))
        gets = [path for method, path in log if method == "GET"]
        allowed_gets = 2 if kind == "ig" else 0  # IG: container status + permalink
        if len(gets) > allowed_gets:
            extra_gets.append(f"{kind}: {len(gets)} GETs ({', '.join(gets)})")
        shown.setdefault(kind, " → ".join(f"{m} {_shape(p)}" for m, p in log))
    ok = all(worst[k] <= B3_LIMIT[k] for k in B3_LIMIT) and not extra_gets
    notes = [f"{k}: {v}" for k, v in shown.items()]
    notes += extra_gets or ["no extra GETs"]
    return Result(
        "B3",
        "HTTP calls per post (FB text / FB photo / IG)",
        max(worst[k] / B3_LIMIT[k] for k in B3_LIMIT),
        "FB text 1, FB photo 1, IG ≤ 5",
        ok,
        f"FB text {worst['fb_text']}, FB photo {worst['fb_photo']}, IG {worst['ig']} (max over {len(images)} shapes)",
        notes,
    )


def _shape(path: str) -> str:
    """/123/feed → /{id}/feed"""
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


if __name__ == "__main__":
    code = run_in_secret_service(["-m", "tests.benchmarks.bench_publish", *sys.argv[1:]])
    if code is not None:
        sys.exit(code)
    for result in run():
        result.emit()
    sys.exit(0)
