"""Migration 0008 and the snapshot store: an upgrade keeps everything; old snapshots are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from autoposter_gui.storage.db import SCHEMA_HEAD, Store
from autoposter_gui.storage.insights import InsightsRepo, Snapshot
from autoposter_gui.storage.repo import Repo
from tests.unit.test_storage import _database_at

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_upgrade_from_0007_keeps_every_post_and_attempt_and_adds_snapshots(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with _database_at(path, "0007") as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, platform, external_id, name, connected_at, status) "
            "VALUES (1, 'instagram', '178', 'Bakery', '2026-01-01 00:00:00', 'connected')"
        )
        for n, status in enumerate(("draft", "scheduled", "posted", "failed"), start=1):
            connection.exec_driver_sql(
                "INSERT INTO queue_items (id, account_id, platform, text, status, scheduled_at, attempt_count,"
                " metadata, created_at, updated_at, permalink, provider_post_id) VALUES"
                f" ({n}, 1, 'instagram', 'post {n}', '{status}', '2027-02-0{n} 09:30:00.000000', {n - 1},"
                f" '{{}}', '2026-01-01 00:00:00', '2027-02-0{n} 09:30:05.000000', 'https://x/{n}', 'm{n}')"
            )
        connection.exec_driver_sql(
            "INSERT INTO delivery_attempts (queue_item_id, attempt_number, started_at, finished_at, outcome,"
            " needs_reconcile, provider_post_id, step) VALUES"
            " (3, 1, '2027-02-03 09:30:01.000000', '2027-02-03 09:30:04.000000', 'succeeded', 0, 'm3', 'publish')"
        )
    store = Store(path)
    try:
        repo = Repo(store)
        assert [(i.id, i.status, i.text) for i in repo.items()] == [
            (1, "draft", "post 1"),
            (2, "scheduled", "post 2"),
            (3, "posted", "post 3"),
            (4, "failed", "post 4"),
        ]
        assert [(a.queue_item_id, a.provider_post_id) for a in repo.attempts()] == [(3, "m3")]
        with store.read_raw() as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD == "0008"
        insights = InsightsRepo(store)
        [posted] = insights.posted_items()
        assert posted.id == 3 and posted.published_at == datetime(2027, 2, 3, 9, 30, 4, tzinfo=UTC)
        insights.add([Snapshot(3, NOW, "ok", {"reach": 10, "likes": 2})])
        insights.add([Snapshot(3, NOW + timedelta(days=1), "ok", {"reach": 40, "likes": 5})])
        insights.add([Snapshot(3, NOW + timedelta(days=2), "failed")])
        history = insights.history([3])
        assert [(s.state, s.metrics.get("reach")) for s in history] == [("ok", 10), ("ok", 40), ("failed", None)]
        assert insights.latest()[3].metrics == {"reach": 40, "likes": 5}  # a failed try never hides the numbers
        good, last = insights.fetch_times()[3]
        assert good == [NOW, NOW + timedelta(days=1)] and last == NOW + timedelta(days=2)
    finally:
        store.close()
