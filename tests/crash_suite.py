"""Randomized crash-fault driver: SIGKILL real `autoposter run-due` processes and check exactly-once.

Run the full suite on its own:  python -m tests.crash_suite --trials 200
It prints: crash trials: N, duplicates: D, lost: L, stuck: S (and each problem it found, naming the posts).

Every trial kills a run at a random point (KILL_POINTS) and then restarts until nothing is left to do. A trial also
has a shape (``--shapes``, default all; ``--shapes classic`` is the original suite; each run of len(shapes)
trials has every shape once, in a seeded random order):
- classic: unique texts, nothing else;
- identical: the same text on several items, on one account and across Facebook and Instagram, due at different times;
- manual: the owner posted the same words by hand 10 to 50 minutes (Meta's clock) before the run;
- retry5: throttled 5 times (run-due --as-of through the 2/5/15/60 min backoff), Retry, then the kill;
- keyring: the account tokens vanish from the keyring after the kill (a run must neither publish nor fail), then
  the owner reconnects;
- skew: Meta's clock is 2 hours ahead of, or behind, this machine;
- late_commit: the connection drops and Meta commits the request seconds later (30 s with ``--slow``); a run right
  away must not publish again, a run 3 minutes later must find the post;
- revoke: the Page token is revoked mid-batch (error 190); the owner reconnects;
- rich: Instagram carousels and Facebook multi-photo posts (2-3 images), some posts with a first comment, killed
  between the carousel's containers, around the final publish or around the comment (0 duplicate comments too);
- reels: Facebook and Instagram Reels from a local MP4 (with a text post beside them), killed at a step of the
  video flow (start, byte upload, finish, container, status read, media_publish).
- handoff: Facebook text, photo and multi-photo posts due in an hour are handed to Meta's scheduler (killed around
  the hand-off); then maybe an owner change (new text, a time in the window, a time 5 minutes away, cancel, publish
  now) sent by a killed run; maybe one post vanishes at Meta; then a run past the due time is killed around the
  verification (the read, the delete, the local publish).
- x: X posts (text, a photo, two photos with one file name) beside a Facebook post, killed after each media upload
  step, before/after the create (hang or reset after X committed), at the token refresh; with an owner's habit: the
  same words twice (X refuses the second: it must end failed as a duplicate, never lost), an access token expired,
  a refresh token rotated by a killed run (X revokes the grant: the owner reconnects), X's clock 2 h off, a create
  X commits seconds after the drop, or Retry / cancel / edit after X answered 503;
- google: Google local posts (text, photo, both locations) beside a Facebook post, killed at each step (upload,
  media item, create, the read of a PROCESSING post), some PROCESSING across the kill, Google's clock off, an
  expired access token, the same words twice (Google takes both).
classic, identical, manual (Meta's posts only), keyring, skew and revoke trials carry X and Google posts too; the
accounts are connected through their sign-in flows (tests/crash_networks.py). X's tweets and Google's local posts
are counted like Meta's posts: by account and text.
The app's clock is moved with ``run-due --as-of`` and the sandbox's with it, so that both see the same time pass.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from autoposter_gui.config import AppConfig
from autoposter_gui.domain.clock import Clock, FixedClock
from autoposter_gui.domain.models import MediaKind, MediaRef
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.posts import PostRequest, PostService
from autoposter_gui.engine.runner import runner_lock
from autoposter_gui.sandbox.server import SandboxServer
from autoposter_gui.sandbox.x_state import X_USER_ID
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.tokens import TokenStore
from tests.crash_networks import (
    GOOGLE_LOCATIONS,
    connect_networks,
    is_google,
    is_x,
    network_posts,
    shape_google,
    shape_x,
    x_duplicate_refused,
)
from tests.support.cli import cli_command, cli_env
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image
from tests.support.memory_keyring import FileKeyring
from tests.support.videos import reel_video

# Where a run is killed: (fault to inject or None, endpoint, description)
KILL_POINTS: list[tuple[str | None, str, str]] = [
    ("hang_before", "feed_post", "before the request (FB text)"),
    ("hang_after_commit", "feed_post", "after Meta committed, before the answer (FB text)"),
    ("hang_before", "photos_post", "before the request (FB photo / IG upload)"),
    ("hang_after_commit", "photos_post", "after Meta committed the photo"),
    ("hang_before", "media_publish", "between the IG container and media_publish"),
    ("hang_after_commit", "media_publish", "after IG media_publish committed"),
    ("hang_after_commit", "x_tweet_create", "after X committed the post, before the answer"),
    ("hang_after_commit", "google_local_post_create", "after Google committed the local post, before the answer"),
    (None, "*", "at a random moment (often inside a DB commit)"),
]
# Where a video run is killed (shape "reels").
REEL_KILL_POINTS: list[tuple[str | None, str, str]] = [
    ("hang_before", "video_reels", "before a FB Reel start/finish"),
    ("hang_after_commit", "video_reels", "after Meta committed a FB Reel start/finish"),
    ("hang_before", "video_upload", "before a byte upload"),
    ("hang_after_commit", "video_upload", "after Meta took the bytes"),
    ("hang_after_commit", "media_post", "after the IG Reel container was made"),
    ("hang_before", "container_status", "at the IG Reel status read"),
    ("hang_before", "media_publish", "before the IG Reel media_publish"),
    ("hang_after_commit", "media_publish", "after the IG Reel media_publish committed"),
    (None, "*", "at a random moment (often inside a DB commit)"),
]
SHAPES = (
    "classic",
    "identical",
    "manual",
    "retry5",
    "keyring",
    "skew",
    "late_commit",
    "revoke",
    "rich",
    "reels",
    "handoff",
    "x",
    "google",
)
# Where a hand-off trial's runs are killed: the hand-off, the change sent after it, the verification.
HANDOFF_KILL_POINTS: list[tuple[str | None, str, str]] = [
    ("hang_before", "feed_post", "before the hand-off (FB text / multi-photo)"),
    ("hang_after_commit", "feed_post", "after Meta took the hand-off (FB text / multi-photo)"),
    ("hang_after_commit", "photos_post", "after Meta took a photo hand-off"),
    (None, "*", "at a random moment (often inside a DB commit)"),
]
CHANGE_KILL_POINTS: list[tuple[str | None, str, str]] = [
    ("hang_before", "post_update", "before a change reached Meta"),
    ("hang_after_commit", "post_update", "after Meta took a change"),
    ("hang_before", "post_delete", "before the delete at Meta"),
    ("hang_after_commit", "post_delete", "after Meta deleted it"),
    ("hang_after_commit", "feed_post", "after a local publish committed"),
    (None, "*", "at a random moment"),
]
VERIFY_KILL_POINTS: list[tuple[str | None, str, str]] = [
    ("hang_before", "permalink", "at the verification read"),
    ("hang_after_commit", "post_delete", "after the fall-back delete"),
    ("hang_after_commit", "feed_post", "after the fall-back's local publish committed"),
    (None, "*", "at a random moment"),
]
# Where a rich trial's run is killed (besides KILL_POINTS).
RICH_KILL_POINTS: list[tuple[str | None, str, str]] = [
    ("hang_before", "media_post", "between an IG carousel's containers"),
    ("hang_after_commit", "media_post", "after Meta made an IG container"),
    ("hang_after_commit", "feed_post", "after Meta committed the FB multi-photo post"),
    ("hang_before", "comments_post", "before the first comment"),
    ("hang_after_commit", "comments_post", "after Meta committed the first comment"),
    ("hang_after_commit", "media_publish", "after IG media_publish committed"),
]
WRITES = "feed_post|photos_post|media_post|media_publish"
# The write call that publishes each kind of post (where a late commit or a revocation hurts).
PUBLISHING_CALL = {"fb_text": "feed_post", "fb_photo": "photos_post", "ig": "media_publish"}
# The kinds of post whose publishing passes each kill point's endpoint.
KILLED_KINDS = {
    "feed_post": {"fb_text"},
    "photos_post": {"fb_photo", "ig"},
    "media_publish": {"ig"},
    "x_tweet_create": {"x_text", "x_photo", "x_photos"},
    "google_local_post_create": {"g_text", "g_photo"},
    "*": set(),
}
SKEW = timedelta(hours=2)
RESTARTS = 8


@dataclass
class Summary:
    trials: int = 0
    duplicates: int = 0
    lost: int = 0
    stuck: int = 0
    problems: list[str] = field(default_factory=list)
    shapes: Counter[str] = field(default_factory=Counter)
    labels: list[str] = field(default_factory=list)  # each trial's shape, kill point and details

    def line(self) -> str:
        return f"crash trials: {self.trials}, duplicates: {self.duplicates}, lost: {self.lost}, stuck: {self.stuck}"

    def add(self, other: Summary) -> None:
        self.trials += other.trials
        self.duplicates += other.duplicates
        self.lost += other.lost
        self.stuck += other.stuck
        self.problems.extend(other.problems)
        self.shapes.update(other.shapes)
        self.labels.extend(other.labels)

    def report(self) -> str:
        """The summary line, trials per shape, then every problem found."""
        shapes = ", ".join(f"{shape}: {n}" for shape, n in sorted(self.shapes.items()))
        return "\n".join([self.line(), f"shapes: {shapes}", *self.problems])


@dataclass(frozen=True)
class Planned:
    """A post the trial queues: its kind, text, and how many minutes from the start it is due."""

    kind: str  # fb_text | fb_photo | ig | fb_multi | ig_carousel | fb_reel | ig_reel
    text: str
    due_in_minutes: float = 0.0
    comment: str | None = None
    images: int = 1  # fb_multi and ig_carousel: how many
    where: str | None = None  # a Google post's location (default: the first)

    @property
    def account(self) -> str:
        if is_x(self.kind):
            return X_USER_ID
        if is_google(self.kind):
            return self.where or GOOGLE_LOCATIONS[0]
        return BAKERY_IG if self.kind.startswith("ig") else BAKERY


class Trial:
    """One data folder, one keyring file and one sandbox world; the app's clock is real time plus ``offset``."""

    def __init__(self, server: SandboxServer, workdir: Path, rng: random.Random, number: int, shape: str) -> None:
        self.server = server
        self.rng = rng
        self.number = number
        self.shape = shape
        self.data_dir = workdir / f"t{number}"
        self.keyring_file = workdir / f"t{number}-keyring.json"
        self.image = make_image(workdir / f"t{number}.jpg", (900, 900), rng.choice(["red", "blue", "green"]))
        self.more_images = [make_image(workdir / f"t{number}-{n}.jpg", (900, 900), "orange") for n in range(2)]
        self.video = workdir / "reel.mp4"  # one clip for every trial (each data folder keeps its own copy)
        if not self.video.exists():
            reel_video(workdir, self.video.name, seconds=3.5)
        os.environ["TEST_KEYRING_FILE"] = str(self.keyring_file)
        self.config = AppConfig(self.data_dir, graph_origin=server.url)
        self.same_name = [make_image(self._folder(workdir, n) / "photo.jpg", (800, 600), "teal") for n in range(2)]
        os.environ["AUTOPOSTER_X_URL"] = os.environ["AUTOPOSTER_GOOGLE_URL"] = server.url
        self.env = cli_env(
            self.data_dir, server.url, self.keyring_file, AUTOPOSTER_X_URL=server.url, AUTOPOSTER_GOOGLE_URL=server.url
        )
        self.offset = timedelta(0)
        self.label = shape
        self.problems: list[str] = []

    def _folder(self, workdir: Path, n: int) -> Path:
        folder = workdir / f"t{self.number}-folder{n}"
        folder.mkdir(exist_ok=True)
        return folder

    # ----- time -----

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Let ``delta`` pass for the app (``--as-of``) and for Meta (the sandbox's clock) alike."""
        self.offset += delta
        self.server.set_clock(self.now())

    # ----- the app -----

    def context(self, clock: Clock | None = None) -> Context:
        return Context.open(self.config, tokens=TokenStore(self.config.keyring_service, FileKeyring()), clock=clock)

    def connect(self) -> None:
        ctx = self.context()
        try:
            connect(ctx, self.server)
        finally:
            ctx.close()
        connect_networks(self)

    def queue(self, posts: list[Planned]) -> None:
        ctx = self.context()
        try:
            for post in posts:
                when = datetime.now(UTC) + timedelta(minutes=post.due_in_minutes) if post.due_in_minutes else None
                image = self.image if post.kind not in ("fb_text", "fb_reel", "ig_reel", "x_text", "g_text") else None
                media: tuple[MediaRef, ...] = ()
                if post.kind in ("fb_reel", "ig_reel"):
                    media = (MediaRef(str(self.video), MediaKind.VIDEO),)
                if post.kind in ("fb_multi", "ig_carousel"):
                    paths = [self.image, *self.more_images][: post.images]
                    media = tuple(MediaRef(path, alt_text=f"alt {n}") for n, path in enumerate(paths))
                if post.kind == "x_photos":  # two images with the same file name, from two folders
                    image, media = (
                        None,
                        tuple(MediaRef(path, alt_text=f"alt {n}") for n, path in enumerate(self.same_name)),
                    )
                request = PostRequest([post.account], post.text, image, when, media=media, first_comment=post.comment)
                PostService(ctx).create(request)
        finally:
            ctx.close()

    def items(self) -> list[tuple[QueueItem, str]]:
        """Every queue item with its account's external id."""
        ctx = self.context()
        try:
            result = []
            for item in ctx.repo.items():
                account = ctx.repo.account(item.account_id)
                result.append((item, account.external_id if account is not None else "?"))
            return result
        finally:
            ctx.close()

    def as_of_args(self) -> list[str]:
        return ["--as-of", self.now().isoformat()] if self.offset else []

    def run_due(self) -> None:
        self.server.set_clock(self.now())
        subprocess.run(
            cli_command("run-due", *self.as_of_args(), "--json"), env=self.env, capture_output=True, timeout=120
        )

    def retry(self, item_id: int) -> None:
        """The owner presses Retry, at the trial's time (the service `autoposter retry ID` calls; the CLI has no
        --as-of, and a retry stamped hours before the tries it follows would be a world that cannot happen)."""
        ctx = self.context(FixedClock(self.now()))
        try:
            PostService(ctx).retry(item_id)
        finally:
            ctx.close()

    def kill_run(self, fault: dict[str, Any] | None, kill: bool = True) -> None:
        """Start run-due; SIGKILL it once ``fault`` fired (or at a random moment without one)."""
        self.server.set_clock(self.now())
        if fault is not None:
            self.server.inject_fault(name="kill", **fault)
        proc = subprocess.Popen(
            cli_command("run-due", *self.as_of_args(), "--json"),
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        if fault is None:
            time.sleep(self.rng.uniform(0.3, 2.5))
        else:
            # Kill once the faulty call has started (or when the run ends without reaching it).
            while time.monotonic() < deadline and proc.poll() is None:
                if not any(f["name"] == "kill" for f in self.server.state()["faults"]):
                    if not kill:  # let the run carry on to its end (it is killed only if it outlives the deadline)
                        with contextlib.suppress(subprocess.TimeoutExpired):
                            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
                        break
                    time.sleep(self.rng.uniform(0.0, 0.2))
                    break
                time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.server.clear_faults()

    def random_kill(self, posts: list[Planned] | None = None, after_commit: bool = False) -> None:
        """Kill a run at a random point; with ``posts``, only at points those posts reach (``after_commit``: only
        where Meta has committed, so the run leaves an attempt that may have landed)."""
        points = KILL_POINTS
        if posts is not None:
            kinds = {post.kind for post in posts}
            points = [p for p in points if p[0] is None or kinds & KILLED_KINDS[p[1]]]
        if after_commit:
            points = [p for p in points if p[0] == "hang_after_commit"]
        fault, endpoint, description = self.rng.choice(points)
        self.label += f" / kill {description}"
        self.kill_run({"kind": fault, "match": endpoint, "seconds": 3.0} if fault is not None else None)

    def settle(self) -> None:
        """Restart until nothing is left to do (each run 2 hours later, past any retry wait)."""
        for _ in range(RESTARTS):
            self.advance(timedelta(hours=2))
            self.run_due()
            if not any(
                item.status in ("scheduled", "processing") or item.comment_status == "pending"
                for item, _ in self.items()
            ):
                return

    def app_posts(self) -> list[dict[str, Any]]:
        return [p for p in self.server.state()["posts"] if not p["manual"]]

    # ----- the check -----

    def check(self) -> Summary:
        """Count the exactly-once breaches, and describe each one in ``problems``.

        duplicates: posts the app made beyond the number of items with that text on that account (manual posts do
        not count). lost: an item that is not posted, or that points at no post, at the owner's manual post, at a
        post of another text or account, or at a post another item also claims; every other item points at a post
        of its own, so no post is missing. stuck: an item left processing or scheduled.
        """
        state = self.server.state()
        posts = {p["id"]: p for p in [*state["posts"], *network_posts(self)]}
        # An item may name its post by the IG container or the FB photo behind it.
        aliases = {c["id"]: c["media_id"] for c in state["containers"] if c["media_id"]}
        aliases.update({p["id"]: p["post_id"] for p in state["photos"] if p["post_id"]})
        aliases.update({v["id"]: v["post_id"] for v in state.get("videos", []) if v["post_id"]})
        items = [(item, account) for item, account in self.items() if item.status != "canceled"]
        summary = Summary(trials=1, shapes=Counter([self.shape]), labels=[self.label])
        wanted = Counter((account, item.text) for item, account in items)
        for key in wanted:
            if key[0] == X_USER_ID:  # X refuses the same words twice: one post for any number of items
                wanted[key] = 1
        posted = {(account, item.text) for item, account in items if item.status == "posted"}
        made = Counter((p["account_id"], p["text"]) for p in posts.values() if not p["manual"])
        for key, count in made.items():
            if count > wanted[key]:
                summary.duplicates += count - wanted[key]
                ids = [
                    f"{p['id']} at {p['created_time']}"
                    for p in posts.values()
                    if not p["manual"] and (p["account_id"], p["text"]) == key
                ]
                self.problem(f"duplicate: {key[1]!r} on {key[0]} posted {count}x for {wanted[key]} item(s): {ids}")
        claimed: Counter[str] = Counter()
        for item, account in items:
            post_id = aliases.get(item.provider_post_id or "", item.provider_post_id)
            post = posts.get(post_id or "")
            if item.status in ("processing", "scheduled", "draft"):
                summary.stuck += 1
                self.problem(f"stuck: item {item.id} {item.text!r} is {item.status} ({item.error_message})")
            elif x_duplicate_refused(item, account, posted):
                summary.labels[0] += f" (X refused item {item.id} as the same words)"
                continue
            elif item.status != "posted":
                summary.lost += 1
                self.problem(f"lost: item {item.id} {item.text!r} is {item.status}: {item.error_message}")
            elif post is None or post["manual"] or (post["account_id"], post["text"]) != (account, item.text):
                summary.lost += 1
                what = "no post" if post is None else "the owner's manual post" if post["manual"] else "another post"
                self.problem(f"lost: item {item.id} {item.text!r} is posted as {post_id}, which is {what}")
            else:
                claimed[post_id or ""] += 1
        for post_id, count in claimed.items():
            if count > 1:
                summary.lost += count - 1
                self.problem(f"lost: {count} items claim the one post {post_id}")
        self._check_comments(state, items, summary)
        summary.problems = list(self.problems)
        return summary

    def _check_comments(self, state: dict[str, Any], items: list[tuple[QueueItem, str]], summary: Summary) -> None:
        """First comments: one on each posted item that has one (never two), and the item knows it."""
        comments = Counter((c["target_id"], c["message"]) for c in state["comments"])
        ids = {c["id"]: c for c in state["comments"]}
        for item, _ in items:
            if not item.first_comment or item.status != "posted":
                continue
            count = comments[(item.provider_post_id, item.first_comment)]
            if count > 1:
                summary.duplicates += count - 1
                self.problem(f"duplicate comment: item {item.id} has {count} first comments")
            if item.comment_status == "pending":
                summary.stuck += 1
                self.problem(f"stuck: item {item.id}'s first comment is pending ({item.error_message})")
            elif item.comment_status != "posted" or count == 0:
                summary.lost += 1
                self.problem(f"lost: item {item.id}'s first comment is {item.comment_status} ({item.error_message})")
            elif item.comment_id not in ids or ids[item.comment_id]["target_id"] != item.provider_post_id:
                summary.lost += 1
                self.problem(f"lost: item {item.id}'s first comment points at {item.comment_id}, not its comment")

    def problem(self, text: str) -> None:
        self.problems.append(f"trial {self.number} [{self.label}] {text}")


# ----- shapes -----


def _plain_posts(trial: Trial, networks: bool = True) -> list[Planned]:
    """Two or three posts of different kinds with unique texts (the classic trial); with ``networks``, up to two
    X and Google posts beside them."""
    rng = trial.rng
    kinds = ["fb_text", "fb_photo", "ig"]
    rng.shuffle(kinds)
    kinds = kinds[: rng.randint(2, 3)]
    if networks:
        kinds += rng.sample(["x_text", "x_photo", "x_photos", "g_text", "g_photo"], rng.randint(0, 2))
    return [
        Planned(kind, f"trial {trial.number} post {n} {kind} {rng.random():.6f}", where=rng.choice(GOOGLE_LOCATIONS))
        for n, kind in enumerate(kinds)
    ]


def shape_classic(trial: Trial, slow: bool) -> None:
    posts = _plain_posts(trial)
    trial.connect()
    trial.queue(posts)
    trial.label += f" ({', '.join(p.kind for p in posts)})"
    trial.random_kill(posts)
    trial.settle()


def shape_identical(trial: Trial, slow: bool) -> None:
    rng = trial.rng
    text = f"trial {trial.number}: the same words {rng.random():.6f}"
    pool = ["fb_text", "fb_text", "fb_photo", "ig", "ig", "x_text", "x_photo", "g_text", "g_photo"]
    kinds = rng.sample(pool, rng.randint(3, 5))
    # Some due now, some minutes later: those go out after the restart, next to the interrupted ones.
    # X refuses the same words twice on one account (the second fails as a duplicate); Google takes them.
    posts = [
        Planned(kind, text, 0.0 if n < 2 else rng.choice([0.0, 5.0, 20.0]), where=GOOGLE_LOCATIONS[n % 2])
        for n, kind in enumerate(kinds)
    ]
    trial.connect()
    trial.queue(posts)
    trial.label += f" ({', '.join(p.kind for p in posts)})"
    trial.random_kill(posts)
    trial.settle()


def shape_manual(trial: Trial, slow: bool) -> None:
    posts = _plain_posts(trial)
    trial.connect()
    trial.queue(posts)
    meta = [post for post in posts if not is_x(post.kind) and not is_google(post.kind)]
    for post in trial.rng.sample(meta, trial.rng.randint(1, len(meta))):
        age = timedelta(minutes=trial.rng.uniform(10, 50))
        trial.server.add_manual_post(post.account, post.text, trial.server.now() - age)
        trial.label += f" (by hand {int(age.total_seconds() // 60)} min before: {post.kind})"
    trial.random_kill(posts)
    trial.settle()


def shape_retry5(trial: Trial, slow: bool) -> None:
    rng = trial.rng
    posts = _plain_posts(trial, networks=False)[:2]
    trial.connect()
    trial.queue(posts)
    code = rng.choice([4, 17, 32, 500])
    trial.label += f" (error {code})"
    throttle: dict[str, Any] = (
        {"kind": "error", "code": 2, "http_status": 500, "is_transient": True}
        if code == 500
        else {"kind": "error", "code": code}
    )
    trial.server.inject_fault(match=WRITES, method="POST", times=1000, **throttle)
    for _ in range(16):  # 5 tries, and maybe a reconcile before each retry
        trial.run_due()
        items = [item for item, _ in trial.items()]
        waiting = [i.next_attempt_at or i.scheduled_at for i in items if i.status == "scheduled"]
        if not waiting:
            break
        due = max(waiting)
        due = due if due.tzinfo else due.replace(tzinfo=UTC)
        trial.advance(max(timedelta(0), due - trial.now()) + timedelta(seconds=30))
    trial.server.clear_faults()
    for item, _ in trial.items():
        if item.status != "failed":
            trial.problem(f"retry5: item {item.id} is {item.status} after the throttled tries, not failed")
            continue
        trial.retry(item.id)
    trial.advance(timedelta(minutes=1))
    trial.random_kill(posts, after_commit=rng.random() < 0.7)
    trial.settle()


def shape_keyring(trial: Trial, slow: bool) -> None:
    posts = _plain_posts(trial)
    trial.connect()
    trial.queue(posts)
    trial.random_kill(posts)
    tokens = json.loads(trial.keyring_file.read_text())
    kept = {key: value for key, value in tokens.items() if "\x00account:" not in key}
    trial.keyring_file.write_text(json.dumps(kept))
    before = len(trial.app_posts())
    trial.advance(timedelta(minutes=3))
    trial.run_due()
    if len(trial.app_posts()) != before:
        trial.problem("keyring: a run published while the account tokens were missing")
    for item, _ in trial.items():
        if item.status == "failed":
            trial.problem(f"keyring: item {item.id} failed while its token was missing: {item.error_message}")
    trial.connect()
    trial.settle()


def shape_skew(trial: Trial, slow: bool) -> None:
    skew = trial.rng.choice([-SKEW, SKEW])
    trial.server.set_clock_skew(skew.total_seconds())
    trial.label += f" (Meta {'behind' if skew < timedelta(0) else 'ahead'} by 2 h)"
    posts = _plain_posts(trial)
    trial.connect()
    trial.queue(posts)
    # Mostly where Meta committed: a reconcile whose window ignores the skew then misses the post (or finds it).
    trial.random_kill(posts, after_commit=trial.rng.random() < 0.5)
    trial.settle()


def shape_late_commit(trial: Trial, slow: bool) -> None:
    rng = trial.rng
    posts = _plain_posts(trial, networks=False)
    target = rng.choice(posts)
    if target.kind == "fb_photo":  # an Instagram upload is a photos_post too: it would take the fault instead
        posts = [post for post in posts if post.kind != "ig"]
    trial.connect()
    trial.queue(posts)
    delay = 30.0 if slow else rng.uniform(3.0, 5.0)
    kill = rng.random() < 0.5
    endpoint = PUBLISHING_CALL[target.kind]
    trial.label += f" ({endpoint} lands {delay:.0f} s late, run {'killed' if kill else 'ends'})"
    # Killed: the connection hangs until the kill, so the run never learns of the drop (its attempt is an orphan).
    fault = {"kind": "late_commit", "match": endpoint, "seconds": delay, "hang_seconds": 3.0 if kill else 0.0}
    trial.kill_run(fault, kill=kill)
    if not trial.server.state()["late_commits"]:
        trial.label += " (landed before the run right after)"  # too slow a machine: a weaker trial, not a failure
    trial.run_due()  # right away: Meta shows nothing yet, and the request may still land
    deadline = time.monotonic() + delay + 15
    while trial.server.state()["late_commits"] and time.monotonic() < deadline:
        time.sleep(0.1)
    trial.advance(timedelta(minutes=3))
    trial.run_due()
    trial.settle()


def shape_revoke(trial: Trial, slow: bool) -> None:
    rng = trial.rng
    posts = [
        Planned(kind, f"trial {trial.number} post {n} {kind} {rng.random():.6f}")
        for n, kind in enumerate(rng.sample(["fb_text", "fb_text", "fb_photo", "ig", "x_text", "x_photo"], 3))
    ]
    trial.connect()
    trial.queue(posts)
    skip = rng.randint(0, 2)
    after_commit = rng.random() < 0.3
    trial.label += f" (after {skip} write(s), {'after' if after_commit else 'before'} the commit)"
    # X's grant is revoked by the same fault when an X create comes first (the run's token refresh then fails).
    match = f"{WRITES}|x_tweet_create"
    fault = {"kind": "revoke", "match": match, "method": "POST", "skip": skip, "after_commit": after_commit}
    trial.kill_run(fault, kill=False)
    for item, _ in trial.items():
        if item.status == "failed":
            trial.problem(f"revoke: item {item.id} failed on the revoked token: {item.error_message}")
    trial.connect()
    trial.settle()


def shape_reels(trial: Trial, slow: bool) -> None:
    rng = trial.rng
    kinds = rng.sample(["fb_reel", "ig_reel", "fb_text"], rng.randint(2, 3))
    if not {"fb_reel", "ig_reel"} & set(kinds):
        kinds[0] = "ig_reel"
    posts = [Planned(kind, f"trial {trial.number} reel {n} {kind} {rng.random():.6f}") for n, kind in enumerate(kinds)]
    trial.connect()
    trial.queue(posts)
    fault, endpoint, description = rng.choice(REEL_KILL_POINTS)
    trial.label += f" ({', '.join(kinds)}) / kill {description}"
    trial.kill_run({"kind": fault, "match": endpoint, "seconds": 3.0} if fault is not None else None)
    trial.settle()


def shape_rich(trial: Trial, slow: bool) -> None:
    rng = trial.rng
    kinds = rng.sample(["ig_carousel", "fb_multi", "fb_text", "ig", "ig_carousel"], rng.randint(2, 3))
    posts = [
        Planned(
            kind,
            f"trial {trial.number} post {n} {kind} {rng.random():.6f}",
            comment=f"#first comment {n} {rng.random():.6f}" if rng.random() < 0.6 else None,
            images=rng.randint(2, 3),
        )
        for n, kind in enumerate(kinds)
    ]
    trial.connect()
    trial.queue(posts)
    if any(p.comment for p in posts) and rng.random() < 0.3:  # the first comment fails a time or two first
        times = rng.randint(1, 2)
        trial.server.inject_fault(kind="error", match="comments_post", code=2, is_transient=True, times=times)
        trial.label += f" (comment refused {times}x)"
    fault, endpoint, description = rng.choice(RICH_KILL_POINTS + KILL_POINTS[-1:])
    trial.label += f" ({', '.join(p.kind + (' +comment' if p.comment else '') for p in posts)}) / kill {description}"
    trial.kill_run({"kind": fault, "match": endpoint, "seconds": 3.0} if fault is not None else None)
    trial.settle()


def shape_handoff(trial: Trial, slow: bool) -> None:
    rng = trial.rng
    kinds = rng.sample(["fb_text", "fb_photo", "fb_multi", "fb_text"], rng.randint(2, 3))
    posts = [
        Planned(kind, f"trial {trial.number} held {n} {kind} {rng.random():.6f}", 60.0, images=2)
        for n, kind in enumerate(kinds)
    ]
    trial.connect()
    trial.queue(posts)
    labels = [", ".join(p.kind for p in posts)]
    fault, endpoint, description = rng.choice(HANDOFF_KILL_POINTS)
    labels.append(f"kill {description}")
    trial.kill_run({"kind": fault, "match": endpoint, "seconds": 3.0} if fault is not None else None)
    trial.advance(timedelta(minutes=3))
    trial.run_due()  # reconciles an interrupted hand-off
    held = [item for item, _ in trial.items() if item.handoff == "meta"]
    if held and rng.random() < 0.7:
        item = rng.choice(held)
        change = rng.choice(["text", "later", "soon", "cancel", "publish"])
        if change == "text" and (item.image_path or item.media):
            change = "later"  # the crash check matches posts on their text: edit the text of text posts only
        labels.append(f"owner: {change} on item {item.id}")
        ctx = trial.context(FixedClock(trial.now()))
        try:
            service = PostService(ctx)
            with runner_lock(trial.config):  # as if the app were busy: the change is only recorded ...
                if change == "text":
                    request = PostRequest([item.account_id], item.text + " (edited)", None, item.scheduled_at)
                    service.update(item.id, request)
                elif change in ("later", "soon"):
                    minutes = 90 if change == "later" else 5
                    service.reschedule(item.id, trial.now() + timedelta(minutes=minutes))
                elif change == "cancel":
                    service.cancel(item.id)
                else:
                    service.publish_now(item.id)
        finally:
            ctx.close()
        fault, endpoint, description = rng.choice(CHANGE_KILL_POINTS)  # ... and sent by a run that is killed
        labels.append(f"kill {description}")
        trial.kill_run({"kind": fault, "match": endpoint, "seconds": 3.0} if fault is not None else None)
    if held and rng.random() < 0.4:
        state = trial.server.state()["scheduled_posts"]
        if state:
            victim = rng.choice(state)["id"]
            trial.server.vanish_at_go_live(victim)
            labels.append(f"{victim} vanishes at Meta")
    trial.advance(timedelta(minutes=rng.choice([63, 80, 95, 240])))
    fault, endpoint, description = rng.choice(VERIFY_KILL_POINTS)
    labels.append(f"kill {description}")
    trial.kill_run({"kind": fault, "match": endpoint, "seconds": 3.0} if fault is not None else None)
    trial.label += f" ({'; '.join(labels)})"
    trial.settle()


SHAPE_RUNNERS = {
    "classic": shape_classic,
    "identical": shape_identical,
    "manual": shape_manual,
    "retry5": shape_retry5,
    "keyring": shape_keyring,
    "skew": shape_skew,
    "late_commit": shape_late_commit,
    "revoke": shape_revoke,
    "rich": shape_rich,
    "reels": shape_reels,
    "handoff": shape_handoff,
    "x": shape_x,
    "google": shape_google,
}


def run_trial(
    server: SandboxServer, workdir: Path, rng: random.Random, trial: int, shape: str = "classic", slow: bool = False
) -> Summary:
    # A fresh sandbox world per trial: no posts, faults, revocations or clock changes left from the last one.
    # Instagram's daily quota is lifted, and a repeated text is let through, so a double post shows up as two
    # posts instead of a 506 refusal.
    server.reset()
    server.configure(duplicate_check=False, container_polls=1, quota_total=1_000_000)
    state = Trial(server, workdir, rng, trial, shape)
    SHAPE_RUNNERS[shape](state, slow)
    return state.check()


def parse_shapes(value: str) -> tuple[str, ...]:
    """ "all", or a comma-separated list of SHAPES ("new" stands for every shape but classic)."""
    names: list[str] = []
    for name in (part.strip() for part in value.split(",")):
        if name == "all":
            names.extend(SHAPES)
        elif name == "new":
            names.extend(SHAPES[1:])
        elif name in SHAPES:
            names.append(name)
        else:
            raise ValueError(f"unknown shape {name!r}; known: all, new, {', '.join(SHAPES)}")
    return tuple(dict.fromkeys(names))


def run_trials(
    trials: int,
    seed: int = 1,
    verbose: bool = False,
    shapes: tuple[str, ...] = SHAPES,
    slow: bool = False,
) -> Summary:
    rng = random.Random(seed)
    total = Summary()
    with tempfile.TemporaryDirectory(prefix="autoposter-crash-") as tmp, SandboxServer(port=0) as server:
        order: list[str] = []
        for trial in range(trials):
            if not order:  # every shape once per len(shapes) trials, in a random order
                order = list(shapes)
                rng.shuffle(order)
            shape = order.pop()
            result = run_trial(server, Path(tmp), rng, trial, shape, slow)
            total.add(result)
            if verbose:
                print(f"trial {trial} [{result.labels[0]}]: {result.line()}", file=sys.stderr, flush=True)
                for problem in result.problems:
                    print(f"  {problem}", file=sys.stderr, flush=True)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--shapes",
        default="all",
        help=f"comma-separated: all (default), new (all but classic), or of {', '.join(SHAPES)}",
    )
    parser.add_argument("--slow", action="store_true", help="late commits land after 30 s, as Meta's can")
    args = parser.parse_args(argv)
    try:
        shapes = parse_shapes(args.shapes)
    except ValueError as exc:
        parser.error(str(exc))
    summary = run_trials(args.trials, args.seed, args.verbose, shapes, args.slow)
    print(summary.line() if args.verbose else summary.report())
    return 0 if summary.duplicates == summary.lost == summary.stuck == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
