"""A missing or emptied database, `autoposter backups` / `restore`, the daily backup from `run-due`, and a
database deleted while publishing: through the real CLI entry point, against the sandbox."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui import cli
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.runner import runner_lock
from autoposter_gui.storage.backup import backup_now, list_backups
from tests.support.helpers import BAKERY, connect, queue


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def used(ctx: Context, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Context:
    """A data folder in use: connected, one post queued, one backup taken; the store is closed."""
    monkeypatch.setenv("AUTOPOSTER_GRAPH_URL", sandbox.url)
    connect(ctx, sandbox)
    queue(ctx, BAKERY, "kept in the backup", when=ctx.clock.now() + timedelta(hours=2))
    backup_now(ctx.store, ctx.clock.now())
    ctx.close()
    return ctx


def _lose(db: Path, how: str) -> None:
    for extra in ("-wal", "-shm"):
        db.with_name(db.name + extra).unlink(missing_ok=True)
    if how == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"")


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_database_is_refused_and_the_newest_backup_restores_it(
    used: Context, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    db = used.config.db_path
    _lose(db, how)
    code, out, err = _run(capsys, "queue")
    assert code == 1 and out == ""
    line = _one_line(err)
    newest = list_backups(db)[0]
    taken = datetime.fromtimestamp(newest.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    assert "`autoposter restore --latest`" in line and taken in line, line
    assert (not db.exists()) if how == "deleted" else db.stat().st_size == 0  # no empty database was started

    code, out, _ = _run(capsys, "backups", "--json")
    assert code == 0
    [listed] = json.loads(out)
    assert listed["file"] == str(newest) and listed["items"] == 1 and listed["size"] == newest.stat().st_size
    assert listed["taken_at"]

    code, out, err = _run(capsys, "restore", "--latest")
    assert code == 0, err
    assert newest.name in out
    assert ("kept as" in out) == (how == "emptied")  # an emptied file is kept aside too; a deleted one can't be
    code, out, _ = _run(capsys, "queue", "--json")
    assert code == 0 and [i["text"] for i in json.loads(out)] == ["kept in the backup"]


def test_restore_is_refused_while_a_runner_publishes(used: Context, capsys: pytest.CaptureFixture[str]) -> None:
    db = used.config.db_path
    before = db.read_bytes()
    with runner_lock(used.config):
        code, out, err = _run(capsys, "restore", "--latest")
    assert code == 1 and out == ""
    assert "publishing" in _one_line(err)
    assert db.read_bytes() == before and not list(db.parent.glob("*.before-restore-*"))


def test_restore_a_named_backup_keeps_the_current_database(used: Context, capsys: pytest.CaptureFixture[str]) -> None:
    db = used.config.db_path
    current = db.read_bytes()
    name = list_backups(db)[0].name
    code, out, err = _run(capsys, "restore", name, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert Path(result["kept_aside"]).read_bytes() == current
    assert Path(result["restored"]).name == name
    code, _, err = _run(capsys, "restore", "autoposter-19990101.db")
    assert code == 2 and "autoposter backups" in _one_line(err)


def test_start_empty_on_purpose(used: Context, capsys: pytest.CaptureFixture[str]) -> None:
    db = used.config.db_path
    for backup in list_backups(db):
        backup.unlink()
    _lose(db, "deleted")
    code, _, err = _run(capsys, "queue")
    assert code == 1 and "restore --empty" in _one_line(err)
    code, _, err = _run(capsys, "restore", "--latest")
    assert code == 1 and "no usable backup" in _one_line(err)
    code, out, err = _run(capsys, "restore", "--empty")
    assert code == 0 and "empty database" in out, err
    code, out, _ = _run(capsys, "queue", "--json")
    assert code == 0 and out.strip() == "[]"


def test_run_due_takes_the_daily_backup_once(ctx: Context, capsys: pytest.CaptureFixture[str]) -> None:
    db = ctx.config.db_path
    assert list_backups(db) == []
    assert _run(capsys, "run-due")[0] == 0
    [first] = list_backups(db)
    mtime = first.stat().st_mtime_ns
    assert _run(capsys, "run-due")[0] == 0
    assert list_backups(db) == [first] and first.stat().st_mtime_ns == mtime  # not taken again today


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_database_deleted_while_publishing_fails_loudly(
    ctx: Context, sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    from autoposter_gui.engine import runner
    from autoposter_gui.engine.processor import ItemProcessor
    from autoposter_gui.storage.db import Store

    monkeypatch.setenv("AUTOPOSTER_GRAPH_URL", sandbox.url)
    connect(ctx, sandbox)
    queue(ctx, BAKERY, "first")
    queue(ctx, BAKERY, "second")
    db = ctx.config.db_path

    class LosesTheDatabase(ItemProcessor):
        def process(self, item_id: int) -> Any:
            outcome = super().process(item_id)
            if db.exists() and how == "deleted":
                db.unlink()
            elif how == "replaced" and not (db.parent / "swapped").exists():
                other = db.parent / "swapped" / "autoposter.db"
                Store(other).close()
                os.replace(other, db)
            return outcome

    monkeypatch.setattr(runner, "ItemProcessor", LosesTheDatabase)
    code, out, err = _run(capsys, "run-due")
    assert code == 1 and out == ""
    line = _one_line(err)
    assert "was deleted or replaced" in line and "restore" in line, line


def test_no_space_left_anywhere_says_the_disk_is_full(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ENOSPC outside SQLite (a log, an image copy) is not an "unexpected error"."""
    import errno

    def full(*_args: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(cli.COMMANDS, "queue", full)
    code, out, err = _run(capsys, "queue")
    assert code == 1 and out == ""
    assert "the disk is full" in _one_line(err)


def test_listing_and_checking_backups_leaves_no_files_behind(used: Context, capsys: pytest.CaptureFixture[str]) -> None:
    folder = list_backups(used.config.db_path)[0].parent
    before = sorted(p.name for p in folder.iterdir())
    assert _run(capsys, "backups")[0] == 0
    from autoposter_gui.engine.backups import BackupService

    assert BackupService(used.config).latest_good() is not None
    assert sorted(p.name for p in folder.iterdir()) == before  # no -wal/-shm left next to a backup


def test_restore_checks_posts_that_went_out_after_the_backup(
    used: Context, sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The post was in the backup as scheduled, and went out after it: once restored, `run-due` finds it at Meta
    and marks it posted instead of publishing it again."""
    from autoposter_gui.meta.client import GraphClient
    from tests.support.helpers import published

    token = used.tokens.account_token("facebook", BAKERY)
    GraphClient(origin=sandbox.url).post(f"/{BAKERY}/feed", token, data={"message": "kept in the backup"})
    code, _, err = _run(capsys, "restore", "--latest")
    assert code == 0, err
    later = (used.clock.now() + timedelta(hours=3)).isoformat()
    code, out, err = _run(capsys, "run-due", "--as-of", later, "--json")
    assert code == 0, err
    assert json.loads(out)["succeeded"] == 1
    code, out, _ = _run(capsys, "queue", "--json")
    [item] = json.loads(out)
    assert item["status"] == "posted"
    assert len(published(sandbox, "kept in the backup")) == 1
