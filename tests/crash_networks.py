"""X and Google Business Profile in the crash suite: connecting them by their sign-in flows, their posts as the
checker counts them, and the two shapes ``x`` and ``google`` (kills at each of their steps, owners' habits)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.engine.posts import ActionRefusedError, PostRequest, PostService
from autoposter_gui.sandbox import google_api
from autoposter_gui.sandbox.x_state import X_USER_ID
from tests.support.networks import sign_in

if TYPE_CHECKING:
    from tests.crash_suite import Planned, Trial

X_KINDS = ("x_text", "x_photo", "x_photos")
GOOGLE_KINDS = ("g_text", "g_photo")
GOOGLE_LOCATIONS = tuple(google_api.LOCATIONS)
# Where an X run is killed: each step of the media upload, the create, and around them.
X_KILL_POINTS: list[tuple[str | None, str, str]] = [
    ("hang_before", "x_media_init", "before an X media upload starts"),
    ("hang_after_commit", "x_media_init", "after X made a media id"),
    ("hang_after_commit", "x_media_append", "after X took the media bytes"),
    ("hang_after_commit", "x_media_finalize", "after X finalized a media upload"),
    ("hang_before", "x_tweet_create", "before the X create"),
    ("hang_after_commit", "x_tweet_create", "after X committed the post, before the answer"),
    ("reset_after", "x_tweet_create", "X committed the post and reset the connection"),
    ("hang_before", "x_token", "at the token refresh"),
    (None, "*", "at a random moment (often inside a DB commit)"),
]
GOOGLE_KILL_POINTS: list[tuple[str | None, str, str]] = [
    ("hang_before", "google_start_upload", "before a Google photo upload starts"),
    ("hang_after_commit", "google_upload", "after Google took the photo bytes"),
    ("hang_after_commit", "google_media_create", "after Google made the media item"),
    ("hang_before", "google_local_post_create", "before the Google create"),
    ("hang_after_commit", "google_local_post_create", "after Google committed the local post, before the answer"),
    ("reset_after", "google_local_post_create", "Google committed the local post and reset the connection"),
    ("hang_before", "google_local_post_get", "at the PROCESSING post's read"),
    (None, "*", "at a random moment (often inside a DB commit)"),
]


def is_x(kind: str) -> bool:
    return kind in X_KINDS


def is_google(kind: str) -> bool:
    return kind in GOOGLE_KINDS


def kill_fault(fault: str | None, endpoint: str) -> dict[str, Any] | None:
    """The sandbox fault of a kill point ("reset_after": a TCP reset once the call was carried out)."""
    if fault is None:
        return None
    if fault == "reset_after":
        return {"kind": "reset", "match": endpoint, "after_commit": True}
    return {"kind": fault, "match": endpoint, "seconds": 3.0}


def connect_networks(trial: Trial) -> None:
    """Connect X and both Google locations as an owner does: the sign-in URL opened, the loopback redirect."""
    ctx = trial.context()
    try:
        sign_in(ctx, "x")
        sign_in(ctx, "google")
    finally:
        ctx.close()


def network_posts(trial: Trial) -> list[dict[str, Any]]:
    """X's tweets and Google's local posts, shaped as the checker reads Meta's posts (id, account, text)."""
    posts = [
        {"id": t["id"], "account_id": X_USER_ID, "text": t["text"], "manual": False, "created_time": t["created_time"]}
        for t in trial.server.state()["x"]["tweets"]
    ]
    for post in trial.server.google.snapshot()["posts"]:
        location = post["name"].split("/")[3]
        created = post.get("createTime", "")
        posts.append({"id": post["name"], "account_id": location, "text": post.get("summary", ""), "manual": False})
        posts[-1]["created_time"] = created
    return posts


def x_duplicate_refused(item: Any, account: str, posted: set[tuple[str, str]]) -> bool:
    """An X item refused as a duplicate while another item with the same words on the account is posted: X's
    rule, not a lost post."""
    from autoposter_gui.x.errors import DUPLICATE_MESSAGE

    return (
        account == X_USER_ID
        and item.status == "failed"
        and DUPLICATE_MESSAGE in (item.error_message or "")
        and (account, item.text) in posted
    )


# ----- shapes -----


def expire_x(trial: Trial) -> None:
    """Every X access token the sandbox handed out expires now."""
    with trial.server.x.lock:
        trial.server.x.state.expire_access()


def _x_posts(trial: Trial, text: str | None = None) -> list[Planned]:
    from tests.crash_suite import Planned

    rng = trial.rng
    kinds = rng.sample(["x_text", "x_photo", "x_photos", "fb_text"], rng.randint(2, 3))
    return [
        Planned(kind, text or f"trial {trial.number} x {n} {kind} {rng.random():.6f}") for n, kind in enumerate(kinds)
    ]


def shape_x(trial: Trial, slow: bool) -> None:
    """X posts (text, a photo, two photos with one file name) beside a Facebook post; the owner's habits:
    the same words twice, a token that expired or was rotated meanwhile, a clock that is off, a late commit,
    Retry, cancel or an edit; then a kill at one of X's steps."""
    from tests.crash_suite import Planned

    rng = trial.rng
    habit = rng.choice(["plain", "same_words", "expired", "rotated", "skew", "late_commit", "retry", "cancel", "edit"])
    posts = _x_posts(trial)
    if habit == "same_words":  # X refuses the second: it must fail as a duplicate, never count as lost
        words = f"trial {trial.number}: the same words on X {rng.random():.6f}"
        posts = [Planned("x_text", words), Planned(rng.choice(["x_text", "x_photo"]), words, rng.choice([0.0, 5.0]))]
    if habit == "skew":
        skew = rng.choice([-2, 2])
        trial.server.set_clock_skew(skew * 3600.0)
    trial.connect()
    trial.queue(posts)
    trial.label += f" [{habit}] ({', '.join(p.kind for p in posts)})"
    if habit in ("expired", "rotated"):  # the access token died since the last run: a run refreshes (rotates) it
        expire_x(trial)
    if habit == "rotated":  # killed after X rotated the refresh token, before the app saved the new one
        trial.label += " / kill after X rotated the refresh token"
        trial.kill_run({"kind": "hang_after_commit", "match": "x_token", "seconds": 3.0})
        trial.advance(timedelta(minutes=3))
        trial.run_due()  # the old refresh token: X revokes the grant; the items wait for a reconnect
        for item, account in trial.items():
            if account == X_USER_ID and item.status == "failed":
                trial.problem(f"rotated: item {item.id} failed on the revoked grant: {item.error_message}")
        trial.connect()
        trial.settle()
        return
    if habit == "late_commit":
        delay = rng.uniform(2.0, 4.0)
        trial.kill_run({"kind": "late_commit", "match": "x_tweet_create", "seconds": delay, "hang_seconds": 1.0})
        time.sleep(delay + 1.0)  # X's late commit lands (a thread of the sandbox), before or after a run
        trial.advance(timedelta(minutes=3))
        trial.run_due()
        trial.settle()
        return
    if habit in ("retry", "cancel", "edit"):
        x_owner_change(trial, habit)
        trial.settle()
        return
    fault, endpoint, description = rng.choice(X_KILL_POINTS)
    trial.label += f" / kill {description}"
    trial.kill_run(kill_fault(fault, endpoint))
    if habit == "expired":
        expire_x(trial)  # and again after the kill
    trial.settle()


def x_owner_change(trial: Trial, habit: str) -> None:
    """X refuses the create (503: the post waits, unconfirmed; for Retry a 400: it fails), then the owner presses
    Retry on each failed X post, or cancels or edits a waiting one; then a run is killed around the create."""
    rng = trial.rng
    status = 400 if habit == "retry" else 503
    trial.server.inject_fault(kind="error", match="x_tweet_create", http_status=status, times=1000)
    trial.run_due()
    trial.server.clear_faults()
    waiting = [item for item, account in trial.items() if account == X_USER_ID and item.status != "posted"]
    if habit == "retry":
        for item in [item for item in waiting if item.status == "failed"]:
            trial.retry(item.id)
            trial.label += f" / owner: retry on item {item.id}"
    elif waiting:
        item = rng.choice(waiting)
        if rng.random() < 0.5:  # the owner comes back later, when an unconfirmed try can no longer land
            trial.advance(timedelta(minutes=3))
        ctx = trial.context(FixedClock(trial.now()))
        try:  # the app is idle: an unconfirmed try (a 503 on the create) is checked with X first
            service = PostService(ctx)
            if habit == "cancel":
                service.cancel(item.id)
            elif habit == "edit" and item.status == "scheduled" and not item.image_path and not item.media:
                request = PostRequest([item.account_id], item.text + " (edited)", None, item.scheduled_at)
                service.update(item.id, request)
            trial.label += f" / owner: {habit} on item {item.id}"
        except (ActionRefusedError, ValidationError) as exc:  # the owner reads why (a time now past...) and leaves it
            trial.label += f" / owner: {habit} refused ({exc})"
        finally:
            ctx.close()
    trial.advance(timedelta(minutes=20))
    points = [p for p in X_KILL_POINTS if p[1] in ("x_tweet_create", "*")]
    fault, endpoint, description = rng.choice(points)
    trial.label += f" / kill {description}"
    trial.kill_run(kill_fault(fault, endpoint))


def shape_google(trial: Trial, slow: bool) -> None:
    """Google local posts (text, photo) on both locations beside a Facebook post: some posts come back PROCESSING
    (and go LIVE after a few reads) across the kill, a clock that is off, an expired access token."""
    from tests.crash_suite import Planned

    rng = trial.rng
    kinds = rng.sample(["g_text", "g_photo", "g_text", "fb_text"], rng.randint(2, 3))
    if not set(kinds) & set(GOOGLE_KINDS):
        kinds[0] = "g_photo"
    posts = [
        Planned(kind, f"trial {trial.number} google {n} {kind} {rng.random():.6f}", where=rng.choice(GOOGLE_LOCATIONS))
        for n, kind in enumerate(kinds)
    ]
    habit = rng.choice(["plain", "processing", "processing", "skew", "expired", "same_words"])
    if habit == "same_words":  # Google takes the same words twice: both must go out, once each
        words = f"trial {trial.number}: the same words on Google {rng.random():.6f}"
        posts = [Planned("g_text", words, where="2001"), Planned("g_photo", words, where="2001")]
    if habit == "processing":
        trial.server.google.configure(post_state="PROCESSING", processing_reads=rng.randint(0, 2))
    if habit == "skew":
        trial.server.set_clock_skew(rng.choice([-2, 2]) * 3600.0)
    trial.connect()
    trial.queue(posts)
    if habit == "expired":
        trial.server.google.expire_access_tokens()
    fault, endpoint, description = rng.choice(GOOGLE_KILL_POINTS)
    trial.label += f" [{habit}] ({', '.join(p.kind for p in posts)}) / kill {description}"
    trial.kill_run(kill_fault(fault, endpoint))
    trial.settle()
