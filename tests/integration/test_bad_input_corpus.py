"""A table of bad input across the CLI, the services and the database: each ends in a clear message,
nothing written, no traceback, and the app still works afterwards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from autoposter_gui import cli
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.runner import Runner
from autoposter_gui.sandbox.x_state import X_USER_ID
from tests.support.helpers import BAKERY, BAKERY_IG, connect, make_image, queue
from tests.support.networks import sign_in
from tests.support.videos import make_video


@dataclass(frozen=True)
class Case:
    name: str
    args: list[str]
    message: str
    code: int = 2
    tz: str | None = None  # the TZ the command runs in (Europe/Berlin otherwise)
    stdin: str | None = None  # what the command reads on stdin


def _files(tmp: Path) -> dict[str, str]:
    """Bad and good files the cases refer to by placeholder."""
    out: dict[str, str] = {"OK": make_image(tmp / "ok.jpg"), "DIR": str(tmp)}
    (tmp / "empty.jpg").write_bytes(b"")
    out["EMPTY"] = str(tmp / "empty.jpg")
    data = Path(out["OK"]).read_bytes()
    (tmp / "trunc.jpg").write_bytes(data[: len(data) // 3])
    out["TRUNC"] = str(tmp / "trunc.jpg")
    (tmp / "text.png").write_text("plain text, not a picture")
    out["TEXT"] = str(tmp / "text.png")
    bomb = tmp / "bomb.png"
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # small on disk, 400 megapixels decoded
    out["BOMB"] = str(bomb)
    tall = tmp / "tall.jpg"
    Image.new("RGB", (400, 1600), "blue").save(tall, "JPEG")
    out["TALL"] = str(tall)
    return out


POST = ["post", "--account", BAKERY]
IG = ["post", "--account", BAKERY_IG]
CASES = [
    Case("empty text", [*POST, "--text", "", "--now"], "empty"),
    Case("whitespace text", [*POST, "--text", " \t\n ", "--now"], "empty"),
    Case("zero-width text", [*POST, "--text", "\u200b\u200c\u200d\ufeff", "--now"], "empty"),
    Case("100k characters", [*POST, "--text", "x" * 100_000, "--now"], "63,206"),
    Case("100k characters on IG", [*IG, "--text", "x" * 100_000, "--image", "OK", "--now"], "2,200"),
    Case("IG caption 2,201", [*IG, "--text", "y" * 2201, "--image", "OK", "--now"], "2,200"),
    Case("IG 31 hashtags", [*IG, "--text", " ".join(f"#t{i}" for i in range(31)), "--image", "OK", "--now"], "30"),
    Case("IG 21 mentions", [*IG, "--text", " ".join(f"@u{i}" for i in range(21)), "--image", "OK", "--now"], "20"),
    Case("IG without image", [*IG, "--text", "hi", "--now"], "need an image"),
    Case("IG bad aspect ratio", [*IG, "--text", "hi", "--image", "TALL", "--now"], "aspect ratio"),
    Case("0-byte image", [*POST, "--text", "hi", "--image", "EMPTY", "--now"], "empty (0 bytes)"),
    Case("truncated JPEG", [*POST, "--text", "hi", "--image", "TRUNC", "--now"], "damaged or truncated"),
    Case("text file as image", [*POST, "--text", "hi", "--image", "TEXT", "--now"], "Not a supported image"),
    Case("decompression bomb", [*POST, "--text", "hi", "--image", "BOMB", "--now"], "too big"),
    Case("directory as image", [*POST, "--text", "hi", "--image", "DIR", "--now"], "folder"),
    Case("missing image", [*POST, "--text", "hi", "--image", "/no/such/file.jpg", "--now"], "not found"),
    Case("past time", [*POST, "--text", "hi", "--at", "2020-05-01T10:00"], "past"),
    Case("far-future time", [*POST, "--text", "hi", "--at", "2099-05-01T10:00"], "year"),
    Case("unparseable time", [*POST, "--text", "hi", "--at", "soon-ish"], "ISO 8601"),
    Case("impossible date", [*POST, "--text", "hi", "--at", "2027-02-30T10:00"], "ISO 8601"),
    Case("empty time", [*POST, "--text", "hi", "--at", ""], "empty"),
    Case("DST gap", [*POST, "--text", "hi", "--at", "2027-03-28T02:30"], "03:00"),
    Case("DST overlap", [*POST, "--text", "hi", "--at", "2027-10-31T02:30"], "offset"),
    Case("unknown account", ["post", "--account", "123", "--text", "hi", "--now"], "Unknown account"),
    Case("one unknown among good", [*POST, "--account", "nope", "--text", "hi", "--now"], "Unknown account"),
    Case("both --at and --now", [*POST, "--text", "hi", "--now", "--at", "2027-01-01T10:00"], "not allowed"),
    Case("no --text", [*POST, "--now"], "--text"),
    Case("no --account", ["post", "--text", "hi", "--now"], "--account"),
    Case("unknown command", ["publish-everything"], "invalid choice"),
    Case("retry non-number", ["retry", "one"], "invalid int"),
    Case("retry unknown id", ["retry", "9999"], "No queue item"),
    Case("cancel unknown id", ["cancel", "9999"], "No queue item"),
    Case("bad --as-of", ["run-due", "--as-of", "yesterday"], "ISO 8601"),
    Case("connect with empty secret", ["connect", "--app-id", "a", "--app-secret", "", "--user-token", "t"], "empty"),
    Case("unknown --fit", [*IG, "--text", "hi", "--image", "TALL", "--fit", "stretch", "--now"], "invalid choice"),
    # Text Python could not decode (argv bytes kept as lone surrogates), and lone surrogates as such.
    Case("invalid UTF-8 text", [*POST, "--text", "caf\udce9 \udcff", "--now"], "not valid UTF-8"),
    Case("lone surrogate text", [*POST, "--text", "hi \ud83d", "--now"], "not valid UTF-8"),
    Case("invalid UTF-8 account", ["post", "--account", "\udcff", "--text", "hi", "--now"], "--account"),
    Case("invalid UTF-8 image path", [*POST, "--text", "hi", "--image", "/tmp/\udcff.jpg", "--now"], "--image"),
    # Times that overflow once put in a time zone, or that no one means.
    Case(
        "year 9999 in New York",
        [*POST, "--text", "hi", "--at", "9999-12-31T23:59"],
        "out of range",
        tz="America/New_York",
    ),
    Case("year 1 in Berlin", [*POST, "--text", "hi", "--at", "0001-01-01T00:30"], "out of range"),
    Case("--as-of year 9999", ["run-due", "--as-of", "9999-12-31T23:59:59"], "out of range"),
    Case("--as-of year 1", ["run-due", "--as-of", "0001-01-01T00:00:00+05:00"], "out of range"),
    # Ids SQLite can't hold.
    Case("retry id over 2^63", ["retry", "99999999999999999999"], "no queue item"),
    Case("cancel id over 2^63", ["cancel", "99999999999999999999"], "no queue item"),
    Case("cancel negative id", ["cancel", "-5"], "no queue item"),
    Case(
        "account over 2^63", ["post", "--account", "99999999999999999999", "--text", "hi", "--now"], "Unknown account"
    ),
    # Echoed input with line breaks and control characters stays on one line.
    Case("account with a newline", ["post", "--account", "bad\nid\r\x1b[31m", "--text", "hi", "--now"], "bad\\nid"),
    Case("time with a newline", [*POST, "--text", "hi", "--at", "2027-01-01\nT10:00"], "ISO 8601"),
    Case("backup name with a newline", ["restore", "no\nsuch.db"], "no\\nsuch.db"),
    # Text that renders blank.
    Case("Hangul filler text", [*POST, "--text", "\u3164\u3164", "--now"], "empty"),
    Case("Braille blank text", [*POST, "--text", "\u2800", "--now"], "empty"),
    Case("lone combining mark", [*POST, "--text", "\u0301", "--now"], "empty"),
    Case("zero-width and fillers", [*POST, "--text", "\u200b\u3164\u2060\u115f\u00a0", "--now"], "empty"),
]


X = ["post", "--account", X_USER_ID]
GOOGLE = ["post", "--account", "2001"]
# Short in characters (166) but 309 in X's weight: CJK counts 2, any URL 23.
X_HEAVY = "東" * 130 + " https://example.com/a " + "京" * 12
LATER = ["--at", "2027-06-01T10:00"]
NETWORK_CASES = [
    Case("X weighted over 280 (CJK and a URL)", [*X, "--text", X_HEAVY, "--now"], "309 of 280"),
    Case("X 281 plain characters", [*X, "--text", "a" * 281, "--now"], "281 of 280"),
    Case("X 5 images", [*X, "--text", "hi", *(["--image", "OK"] * 5), "--now"], "at most 4 images"),
    Case("X image and video", [*X, "--text", "hi", "--image", "OK", "--video", "VIDEO", "--now"], "video or images"),
    Case("X --link", [*X, "--text", "hi", "--link", "https://example.com", "--now"], "no separate link"),
    Case("X --first-comment", [*X, "--text", "hi", "--first-comment", "more", "--now"], "can't have a first comment"),
    Case("Google video", [*GOOGLE, "--text", "hi", "--video", "VIDEO", "--now"], "photos only, not videos"),
    Case(
        "Google 2 photos",
        [*GOOGLE, "--text", "hi", "--image", "OK", "--image", "OK", "--now"],
        "takes one photo; this one has 2",
    ),
    Case("--button without --button-url", [*GOOGLE, "--text", "hi", "--button", "BOOK", "--now"], "needs --button-url"),
    Case(
        "--button-url with CALL",
        [*GOOGLE, "--text", "hi", "--button", "call", "--button-url", "https://example.com", "--now"],
        "remove --button-url",
    ),
    Case(
        "--offer-code without offer",
        [*GOOGLE, "--text", "hi", "--offer-code", "BREAD10", "--now"],
        "goes with --google-type offer",
    ),
    Case(
        "offer without period",
        [*GOOGLE, "--text", "hi", "--google-type", "offer", "--event-title", "Half price", "--now"],
        "title and period",
    ),
    Case(
        "event end before start",
        [
            *GOOGLE,
            *["--text", "hi", "--google-type", "event", "--event-title", "Tasting"],
            *["--event-start", "2027-06-05T18:00", "--event-end", "2027-06-05T17:00", *LATER],
        ],
        "must be after --event-start",
    ),
    Case(
        "Google flags with an X account",
        [*X, "--text", "hi", "--button", "CALL", "--now"],
        "--button is for Google Business Profile posts only",
    ),
    Case("connect-x with an empty client id", ["connect-x", "--client-id", "", "--no-browser"], "client ID is empty"),
    Case(
        "connect-google with an empty secret from stdin",
        ["connect-google", "--client-id", "abc", "--client-secret", "-", "--no-browser"],
        "client secret is empty",
        stdin="\n",
    ),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _files(tmp_path_factory.mktemp("bad-files"))


@pytest.fixture
def cli_ready(ctx: Context, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Context:
    monkeypatch.setenv("AUTOPOSTER_GRAPH_URL", sandbox.url)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    connect(ctx, sandbox)
    return ctx


@pytest.fixture
def networks_ready(cli_ready: Context, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Context:
    """Meta, X and both Google locations connected (X and Google by their sign-in flows)."""
    monkeypatch.setenv("AUTOPOSTER_X_URL", sandbox.url)
    monkeypatch.setenv("AUTOPOSTER_GOOGLE_URL", sandbox.url)
    sign_in(cli_ready, "x")
    sign_in(cli_ready, "google")
    return cli_ready


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    make_video(path, seconds=3.5)
    return str(path)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_bad_input(
    case: Case,
    cli_ready: Context,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _refused(case, cli_ready, _files(tmp_path), capsys, monkeypatch)


@pytest.mark.parametrize("case", NETWORK_CASES, ids=[c.name for c in NETWORK_CASES])
def test_cli_bad_input_for_x_and_google(
    case: Case,
    networks_ready: Context,
    tmp_path: Path,
    video: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accounts_before = len(networks_ready.repo.accounts())
    _refused(case, networks_ready, {**_files(tmp_path), "VIDEO": video}, capsys, monkeypatch)
    assert len(networks_ready.repo.accounts()) == accounts_before


def test_x_text_long_in_characters_fits_by_weight(networks_ready: Context, capsys: pytest.CaptureFixture[str]) -> None:
    # 330 characters, but X counts any URL as 23: 23 + 1 + 200 = 224 of 280.
    text = "https://example.com/" + "p" * 109 + " " + "w" * 200
    assert len(text) > 280
    assert cli.main([*X, "--text", text, "--now", "--json"]) == 0, capsys.readouterr().err
    assert [i.text for i in networks_ready.repo.items()] == [text]


def _refused(
    case: Case,
    ready: Context,
    files: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run one case: exit code, one clear line on stderr, nothing on stdout, nothing written, still working."""
    import io
    import sys

    cli_ready = ready
    args = [files.get(a, a) for a in case.args]
    if case.tz:
        monkeypatch.setenv("TZ", case.tz)
    if case.stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(case.stdin))
    before = (cli_ready.repo.count_items(), len(cli_ready.repo.attempts()))
    code = cli.main([*args, "--json"] if args[0] not in ("publish-everything",) else args)
    out, err = capsys.readouterr()
    assert code == case.code, err
    assert out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and case.message in err, err
    assert (cli_ready.repo.count_items(), len(cli_ready.repo.attempts())) == before
    # The app still works after it.
    assert cli.main(["queue", "--json"]) == 0


def test_unicode_text_is_kept_exactly(cli_ready: Context, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Grand opening 🎉 مرحبا بكم שלום \u200bzero\u200dwidth — naïve café"
    assert cli.main([*POST, "--text", text, "--now", "--json"]) == 0
    capsys.readouterr()
    assert [i.text for i in cli_ready.repo.items()] == [text]


@pytest.mark.parametrize("mode", ["RGBA", "CMYK"])
def test_unusual_image_modes_are_converted(cli_ready: Context, sandbox: Any, tmp_path: Path, mode: str) -> None:
    path = tmp_path / f"img.{'png' if mode == 'RGBA' else 'jpg'}"
    Image.new(mode, (1080, 1080)).save(path)
    item = queue(cli_ready, BAKERY_IG, f"mode {mode}", str(path))
    assert Runner(cli_ready).run_due().succeeded == 1
    assert (cli_ready.repo.item(item.id) or item).status == "posted"


def test_stored_image_deleted_after_scheduling_fails_clearly(cli_ready: Context, tmp_path: Path) -> None:
    # Deleting the original changes nothing (the post has its own copy); losing that copy fails clearly.
    img = make_image(tmp_path / "gone.jpg")
    item = queue(cli_ready, BAKERY, "image vanished", img, cli_ready.clock.now() + timedelta(minutes=5))
    Path(img).unlink()
    assert item.image_path is not None and Path(item.image_path).parent == cli_ready.config.media_dir
    Path(item.image_path).unlink()
    cli_ready.clock.advance(timedelta(minutes=6))  # type: ignore[attr-defined]
    assert Runner(cli_ready).run_due().failed == 1
    failed = cli_ready.repo.item(item.id)
    assert failed is not None and failed.status == "failed" and "Image not found" in (failed.error_message or "")


def test_revoked_token_holds_with_reconnect_message(cli_ready: Context, sandbox: Any) -> None:
    item = queue(cli_ready, BAKERY, "revoked")
    sandbox.revoke(BAKERY)
    assert Runner(cli_ready).run_due().failed == 0
    held = cli_ready.repo.item(item.id)
    assert held is not None and held.status == "scheduled" and "Reconnect" in (held.error_message or "")


# ----- the database ------------------------------------------------------------------------------


def _expect_store_error(capsys: pytest.CaptureFixture[str], run: Callable[[], int], message: str) -> None:
    code = run()
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and "Traceback" not in err
    assert message in err, err


def test_corrupted_database_refuses_to_start_and_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "broken"
    data.mkdir()
    (data / "autoposter.db").write_bytes(b"\x00garbage" * 512)
    monkeypatch.setenv("AUTOPOSTER_DATA_DIR", str(data))
    _expect_store_error(capsys, lambda: cli.main(["queue"]), "damaged")
    assert (data / "autoposter.db").read_bytes().startswith(b"\x00garbage")


def test_data_folder_that_cannot_be_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("AUTOPOSTER_DATA_DIR", str(blocker / "data"))
    _expect_store_error(capsys, lambda: cli.main(["queue"]), "data folder")


def test_locked_database_is_a_clear_message(
    cli_ready: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    from autoposter_gui.storage import db as dbmod

    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(cli_ready.config.db_path, timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        _expect_store_error(capsys, lambda: cli.main([*POST, "--text", "while locked", "--now"]), "busy")
    finally:
        holder.rollback()
        holder.close()
    assert cli_ready.repo.count_items() == 0


def test_full_disk_is_a_clear_message(cli_ready: Context, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import event

    from autoposter_gui.domain.errors import StoreError
    from autoposter_gui.engine.posts import PostRequest, PostService

    engine = cli_ready.store.engine
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()
    event.listen(engine, "connect", cap)
    with pytest.raises(StoreError, match=r"^The disk is full"):
        PostService(cli_ready).create(PostRequest([BAKERY], "z" * 60_000))
    event.remove(engine, "connect", cap)
    engine.dispose()
    assert cli_ready.repo.count_items() == 0
