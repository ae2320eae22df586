"""`autoposter import` and `export` (issue 15), driven as a user would: real processes against the sandbox."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.cli import CliResult, cli_env, run_cli
from tests.support.helpers import BAKERY, BAKERY_IG, make_image

BERLIN = ZoneInfo("Europe/Berlin")
HEADER = "account,text,at,image,alt_text,first_comment,link"


def _connect(env: dict[str, str], sandbox: Any) -> dict[str, str]:
    creds = sandbox.credentials
    args = ["connect", "--app-id", creds.app_id, "--app-secret", creds.app_secret, "--user-token", creds.user_token]
    assert run_cli(env, *args).code == 0
    return env


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> Iterator[dict[str, str]]:
    sandbox.configure(container_polls=0)
    yield _connect(cli_env(tmp_path / "data", sandbox.url, tmp_path / "keyring.json", TZ="Europe/Berlin"), sandbox)


def _ok(result: CliResult) -> Any:
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.json


def _queue(env: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _ok(run_cli(env, "queue", "--json"))
    return rows


def _day(days: int) -> str:
    return (datetime.now(BERLIN).date() + timedelta(days=days)).isoformat()


def _twenty_rows(folder: Path, bad_ig_row: bool) -> str:
    """A 20-post file: Facebook text posts, photos for both accounts (paths relative to the file), a quoted text
    over three lines (row 3), and row 10 an Instagram post without a picture when ``bad_ig_row``."""
    (folder / "pics").mkdir(exist_ok=True)
    make_image(folder / "pics" / "bread.jpg")
    lines = [HEADER]
    for n in range(20):
        at = f"{_day(2 + n % 5)}T{8 + n % 10:02d}:{(n * 7) % 60:02d}"
        if n == 2:
            lines.append(f'{BAKERY},"Three lines:\nbread, rolls\nand ""cakes""",{at},,,,')
        elif n == 9:
            image = "" if bad_ig_row else "pics/bread.jpg"
            lines.append(f"{BAKERY_IG},Instagram post {n},{at},{image},,,")
        elif n % 4 == 0:
            lines.append(f"{BAKERY_IG},Photo {n} #bakery,{at},pics/bread.jpg,,,")
        else:
            lines.append(f"{BAKERY},Post {n},{at},,,,")
    return "\n".join(lines) + "\n"


def _posts(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What makes a post the same post: account, text, time, status, and the picture's bytes."""

    def picture(path: str | None) -> str | None:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None

    return sorted(
        (
            r["account_id"],
            r["platform"],
            r["text"],
            r["scheduled_at"],
            r["status"],
            picture(r["image_path"]),
            tuple((picture(m["path"]), m["kind"], m["alt_text"]) for m in r["media"]),
            r["first_comment"],
            r["link"],
        )
        for r in rows
    )


def test_a_20_row_file_with_one_bad_row_writes_nothing_and_names_its_line(
    env: dict[str, str], tmp_path: Path, sandbox: Any
) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    bad = folder / "week.csv"
    bad.write_text(_twenty_rows(folder, bad_ig_row=True), encoding="utf-8")
    result = run_cli(env, "import", str(bad))
    assert result.code == 2 and result.stdout == "" and "Traceback" not in result.stderr
    # Row 10 starts on line 13: the header is line 1, and row 3's quoted text spans three lines.
    assert result.stderr.strip().splitlines() == [
        "line 13: Instagram posts need an image; add one to post to Instagram"
    ]
    assert run_cli(env, "import", str(bad), "--dry-run").code == 2
    assert _queue(env) == []

    good = folder / "week-fixed.csv"
    good.write_text(_twenty_rows(folder, bad_ig_row=False), encoding="utf-8")
    dry = _ok(run_cli(env, "import", str(good), "--dry-run", "--json"))
    assert dry == {"rows": 20, "posts": 20, "imported": 0, "dry_run": True}
    assert _queue(env) == []
    assert _ok(run_cli(env, "import", str(good), "--json")) == {
        "rows": 20,
        "posts": 20,
        "imported": 20,
        "dry_run": False,
    }
    assert "20 post(s) would be queued" in run_cli(env, "import", str(good), "--dry-run").stdout
    queued = _queue(env)
    assert len(queued) == 20 and {r["status"] for r in queued} == {"scheduled"}
    three = next(r for r in queued if r["text"].startswith("Three lines"))
    assert three["text"] == 'Three lines:\nbread, rolls\nand "cakes"'
    first = next(r for r in queued if r["text"] == "Post 1")
    assert first["scheduled_at"] == datetime.fromisoformat(f"{_day(3)}T09:07").replace(tzinfo=BERLIN).isoformat()

    # Export, then import into a fresh data folder: the same posts.
    exported = tmp_path / "out" / "queue.csv"
    exported.parent.mkdir()
    assert _ok(run_cli(env, "export", str(exported), "--json"))["exported"] == 20
    with exported.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == HEADER.split(",")
    other = _connect(cli_env(tmp_path / "data2", sandbox.url, tmp_path / "keyring2.json", TZ="Europe/Berlin"), sandbox)
    assert _ok(run_cli(other, "import", str(exported), "--json"))["imported"] == 20
    assert _posts(_queue(other)) == _posts(queued)


def test_excel_forms_semicolons_a_bom_crlf_and_local_times(env: dict[str, str], tmp_path: Path) -> None:
    make_image(tmp_path / "a.jpg")
    text = (
        "Text;Account;AT;Image\r\n"
        f'"Hello; world";{BAKERY};{_day(4)}T10:00;\r\n'
        f'"Two\r\nlines";{BAKERY};{_day(4)}T11:00+00:00;a.jpg\r\n'
        "\r\n"
        f"Draft without a time;{BAKERY};;\r\n"
    )
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert _ok(run_cli(env, "import", str(path), "--json"))["imported"] == 3
    rows = {r["text"]: r for r in _queue(env)}
    assert rows["Hello; world"]["scheduled_at"] == f"{_day(4)}T10:00:00+01:00"  # no offset: Berlin time
    assert rows["Two\r\nlines"]["scheduled_at"] == f"{_day(4)}T12:00:00+01:00"  # given in UTC
    assert rows["Two\r\nlines"]["image_path"] is not None
    assert rows["Draft without a time"]["status"] == "draft"
    assert rows["Draft without a time"]["scheduled_at"] is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"account,text,when\n{BAKERY},x,\n", ["line 1: unknown column(s) 'when'; the header row names the columns"]),
        (f"{BAKERY},hello\n", ["line 1: unknown column(s)"]),
        ("text\nhello\n", ["line 1: no 'account' column"]),
        (
            f"account,text,at\n{BAKERY},ok,{{day}}T10:00\n{BAKERY},late,2020-01-01T10:00\n{BAKERY},,{{day}}T10:00\n"
            f"999,who,{{day}}T10:00\n{BAKERY},a,b,c\n{BAKERY},when,tomorrow\n",
            [
                "line 3: That time is in the past; pick a time in the future, or publish now",
                "line 4: The post text is empty; write something, or add an image, to publish",
                "line 5: Unknown account 999; run `autoposter accounts` to list the connected ones",
                "line 6: 4 values, but the header names 3 columns",
                "line 7: Cannot read the time 'tomorrow'",
            ],
        ),
        (
            f"account,text,image,link,alt_text\n{BAKERY},x,missing.jpg,,\n{BAKERY},y,,ftp://x,\n{BAKERY},z,,,a dog\n",
            [
                "line 2: Image not found:",
                "line 3: The link 'ftp://x' is not a web address",
                "line 4: There is 1 alt text for 0 images",
            ],
        ),
    ],
)
def test_bad_files_name_each_bad_line_and_write_nothing(
    env: dict[str, str], tmp_path: Path, content: str, expected: list[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content.replace("{day}", _day(3)), encoding="utf-8")
    result = run_cli(env, "import", str(path))
    assert result.code == 2 and result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(expected), lines
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert _queue(env) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "No such file"),
        (b"", "is empty"),
        (b"account,text\n", "no posts"),
        (b"account,text\n1,caf\xe9\n", "UTF-8"),
    ],
)
def test_unreadable_files_get_one_line(env: dict[str, str], tmp_path: Path, data: bytes | None, message: str) -> None:
    path = tmp_path / "x.csv"
    if data is not None:
        path.write_bytes(data)
    result = run_cli(env, "import", str(path))
    assert result.code == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_export_writes_only_posts_still_to_go_out(env: dict[str, str], tmp_path: Path) -> None:
    at = f"{_day(2)}T09:30"
    kept = _ok(run_cli(env, "post", "--account", BAKERY, "--text", "Kept", "--at", at, "--json"))[0]
    gone = _ok(run_cli(env, "post", "--account", BAKERY, "--text", "Gone", "--at", at, "--json"))[0]
    _ok(run_cli(env, "post", "--account", BAKERY, "--text", "Idea", "--draft", "--json"))
    _ok(run_cli(env, "cancel", str(gone["id"]), "--json"))
    path = tmp_path / "q.csv"
    assert "Exported 2 post(s)" in run_cli(env, "export", str(path)).stdout
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [(r["account"], r["text"], r["at"]) for r in rows] == [
        (BAKERY, "Kept", kept["scheduled_at"]),
        (BAKERY, "Idea", ""),
    ]


def test_rich_columns_images_alt_texts_first_comment_and_link_round_trip(
    env: dict[str, str], tmp_path: Path, sandbox: Any
) -> None:
    folder = tmp_path / "rich"
    folder.mkdir()
    make_image(folder / "a.jpg")
    make_image(folder / "b.jpg", color="blue")
    day = _day(5)
    (folder / "rich.csv").write_text(
        "account,text,at,image,alt_text,first_comment,link\n"
        f'{BAKERY_IG},Carousel,{day}T09:00,a.jpg;b.jpg,"A loaf; Two rolls",#bakery #bread,\n'
        f"{BAKERY},One photo,{day}T10:00,a.jpg,A loaf on a board,,\n"
        f"{BAKERY},Our menu,{day}T11:00,,,Ask us anything,https://example.com/menu\n",
        encoding="utf-8",
    )
    assert _ok(run_cli(env, "import", str(folder / "rich.csv"), "--json"))["imported"] == 3
    rows = {r["text"]: r for r in _queue(env)}
    assert [(m["kind"], m["alt_text"]) for m in rows["Carousel"]["media"]] == [
        ("image", "A loaf"),
        ("image", "Two rolls"),
    ]
    assert rows["Carousel"]["first_comment"] == "#bakery #bread" and rows["Carousel"]["comment_status"] == "pending"
    assert [m["alt_text"] for m in rows["One photo"]["media"]] == ["A loaf on a board"]
    assert rows["Our menu"]["link"] == "https://example.com/menu" and rows["Our menu"]["media"] == []

    exported = tmp_path / "rich-out.csv"
    assert _ok(run_cli(env, "export", str(exported), "--json"))["exported"] == 3
    other = _connect(cli_env(tmp_path / "data2", sandbox.url, tmp_path / "keyring2.json", TZ="Europe/Berlin"), sandbox)
    assert _ok(run_cli(other, "import", str(exported), "--json"))["imported"] == 3
    assert _posts(_queue(other)) == _posts(list(rows.values()))
    # The rules of `post` for these columns hold in a file too: a link for Instagram is refused, nothing written.
    bad = folder / "bad.csv"
    bad.write_text(f"account,text,at,image,link\n{BAKERY_IG},x,{day}T12:00,a.jpg,https://example.com\n")
    result = run_cli(env, "import", str(bad))
    assert result.code == 2 and result.stderr.startswith("line 2: Links are for Facebook only")
    assert len(_queue(env)) == 3
