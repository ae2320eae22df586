"""The lean `autoposter queue` path: the same listing as from ORM objects, without importing the heavy modules."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autoposter_gui.cli import item_json
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.domain.times import iso, iso_local
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.listing import external_ids, item_records
from autoposter_gui.storage.models import QueueItem
from autoposter_gui.storage.repo import NewItem, Repo
from tests.support.cli import REPO, cli_env

NOW = datetime(2026, 3, 28, 23, 30, 15, 123456, tzinfo=UTC)  # the night Europe springs forward


def _filled_repo(db_path: Path) -> Repo:
    repo = Repo(Store(db_path))
    fb = repo.upsert_account(DiscoveredAccount(Platform.FACEBOOK, "111", "Bakery", "tok"), None, NOW).id
    ig = repo.upsert_account(DiscoveredAccount(Platform.INSTAGRAM, "222", "Bakery IG", "tok"), None, NOW).id
    items = repo.add_items(
        [
            NewItem(fb, Platform.FACEBOOK, "Fresh bread", None, ItemStatus.SCHEDULED, NOW),
            NewItem(ig, Platform.INSTAGRAM, "Menu\nüber 😀", "/data/media/ab.jpg", ItemStatus.SCHEDULED, NOW),
            NewItem(fb, Platform.FACEBOOK, "Draft", None, ItemStatus.DRAFT, None),
        ],
        NOW,
    )
    with repo.store.transaction() as s:  # a retried item and a posted one, with every listed column set
        row = s.get(QueueItem, items[1].id)
        assert row is not None
        row.status = ItemStatus.SCHEDULED.value
        row.attempt_count = 2
        row.next_attempt_at = NOW + timedelta(hours=3)
        row.error_message = "Facebook had a temporary problem"
        row.last_error_code = "transient"
        posted = s.get(QueueItem, items[0].id)
        assert posted is not None
        posted.status = ItemStatus.POSTED.value
        posted.provider_post_id = "111_9"
        posted.permalink = "https://www.facebook.com/111_9"
    return repo


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_lean_records_list_exactly_what_the_orm_items_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    monkeypatch.setenv("TZ", zone)
    repo = _filled_repo(tmp_path / "autoposter.db")
    external = {a.id: a.external_id for a in repo.accounts()}
    from_orm = [item_json(i, external) for i in repo.items()]
    lean = [item_json(r, external_ids(repo.store), iso_local()) for r in item_records(repo.store)]
    assert lean == from_orm
    assert json.dumps(lean, ensure_ascii=False) == json.dumps(from_orm, ensure_ascii=False)
    assert [r["id"] for r in lean] == sorted(r["id"] for r in lean)
    assert lean[1]["next_attempt_at"] == iso(NOW + timedelta(hours=3)) and lean[2]["scheduled_at"] is None
    repo.store.close()


def test_queue_json_imports_no_heavy_module(tmp_path: Path) -> None:
    repo = _filled_repo(tmp_path / "data" / "autoposter.db")
    repo.store.close()
    env = cli_env(tmp_path / "data", "http://127.0.0.1:9", tmp_path / "keyring.json")
    code = (
        "import json, sys\n"
        "from autoposter_gui.cli import main\n"
        "code = main(['queue', '--json'])\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 3
    loaded = set(json.loads(proc.stderr))
    heavy = {"requests", "PIL", "alembic", "keyring", "apscheduler", "sqlalchemy.orm", "PySide6"}
    assert not heavy & loaded


def test_queue_table_shows_a_one_line_text_preview_and_json_keeps_the_whole_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from autoposter_gui import cli

    repo = _filled_repo(tmp_path / "data" / "autoposter.db")
    long_text = "Croissants\tand\x1b[31m red\r\njam " + "x" * 60
    repo.add_items([NewItem(1, Platform.FACEBOOK, long_text, None, ItemStatus.DRAFT, None)], NOW)
    repo.store.close()
    monkeypatch.setenv("AUTOPOSTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TZ", "UTC")
    assert cli.main(["queue"]) == 0
    header, *lines = capsys.readouterr().out.strip().split("\n")
    assert header.split()[:6] == ["id", "platform", "account_id", "status", "scheduled_at", "text"]
    assert len(lines) == 4  # one line per item, whatever the text holds
    assert "Menu\\nüber 😀" in lines[1]
    preview = cli.text_preview(long_text)
    assert preview == "Croissants\\tand\\x1b[31m red\\r\\n…" and len(preview) == cli.TEXT_PREVIEW_CHARS
    assert preview in lines[3] and "\x1b" not in lines[3]
    assert cli.main(["queue", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [i["text"] for i in listed] == ["Fresh bread", "Menu\nüber 😀", "Draft", long_text]  # whole, unescaped


def test_text_preview() -> None:
    from autoposter_gui.cli import text_preview

    assert text_preview("") == "" and text_preview("short") == "short"
    assert text_preview("a" * 32) == "a" * 32 and text_preview("a" * 33) == "a" * 31 + "…"
    assert text_preview("word " * 10, 12) == "word word w…" and text_preview("ab   cdef", 6) == "ab…"
