"""Keep awake on Linux: logind's sleep inhibitor, taken before a due post and released after, against a D-Bus
test double (a fake login1 service on a private bus that hands out a real file descriptor)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui.desktop.keep_awake import LogindInhibitor
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.keep_awake import KeepAwake
from autoposter_gui.engine.runner import Runner
from autoposter_gui.engine.settings import SettingsService
from tests.support.fake_logind import fake_logind, private_bus
from tests.support.helpers import BAKERY_IG, connect, make_image, published, queue


@pytest.fixture
def connected(ctx: Context, sandbox: Any) -> Context:
    sandbox.configure(container_polls=0)
    connect(ctx, sandbox)
    return ctx


def _tick(ctx: Context) -> None:
    """What the app's scheduler does each minute."""
    ctx.events.emit(Events.TICK_STARTED)
    summary = Runner(ctx, max_workers=1).run_due().as_dict()
    ctx.events.emit(Events.TICK_FINISHED, summary)


def test_held_before_a_due_instagram_post_and_released_after(
    connected: Context, sandbox: Any, clock: FixedClock, tmp_path: Path
) -> None:
    due = clock.now() + timedelta(minutes=30)
    item = queue(connected, BAKERY_IG, "Croissants at 9:30", make_image(tmp_path / "c.jpg"), when=due)
    notices: list[dict[str, Any]] = []
    connected.events.subscribe(Events.NOTICE, lambda kind, payload: kind == "keep_awake" and notices.append(payload))
    with fake_logind() as logind:
        keep = KeepAwake(connected, LogindInhibitor(logind.address)).attach()
        held_while_publishing: list[int] = []

        def on_item(item_id: int) -> None:
            current = connected.repo.item(item_id)
            if current is not None and current.status == "processing":
                held_while_publishing.append(len(logind.held()))

        connected.events.subscribe(Events.ITEM_CHANGED, on_item)
        clock.set(due - timedelta(minutes=15))
        _tick(connected)
        assert logind.inhibitions == []  # not yet: due in 15 minutes
        clock.set(due - timedelta(minutes=9))
        _tick(connected)
        [lock] = logind.held()
        local = due.astimezone().strftime("%H:%M")
        assert (lock.what, lock.who, lock.mode) == ("sleep", "Autoposter", "block")
        assert lock.why == f"Keeping this computer awake for the {local} Instagram post"
        assert keep.message == lock.why
        clock.set(due)
        _tick(connected)  # publishes it
        assert held_while_publishing and set(held_while_publishing) == {1}  # held all through the publish
        assert connected.repo.item(item.id).status == "posted"  # type: ignore[union-attr]
        assert len(published(sandbox, "Croissants at 9:30")) == 1
        assert logind.held() == [] and lock.closed  # released: our end of the fd is closed
        assert len(logind.inhibitions) == 1
        keep.detach()
    assert [n["active"] for n in notices] == [True, False]
    assert notices[0]["message"] == f"Keeping this computer awake for the {local} Instagram post"


def test_the_setting_turns_it_off(connected: Context, clock: FixedClock, tmp_path: Path) -> None:
    SettingsService(connected).set("keep_awake", "off")
    queue(connected, BAKERY_IG, "Soon", make_image(tmp_path / "c.jpg"), when=clock.now() + timedelta(minutes=5))
    with fake_logind() as logind:
        keep = KeepAwake(connected, LogindInhibitor(logind.address))
        assert keep.update() is None
        assert logind.inhibitions == []
        SettingsService(connected).set("keep_awake", "on")
        assert keep.update() is not None and len(logind.held()) == 1
        SettingsService(connected).set("keep_awake", "off")
        assert keep.update() is None and logind.held() == []


def test_without_logind_it_logs_once_and_carries_on(caplog: pytest.LogCaptureFixture) -> None:
    with private_bus() as address:  # a bus with no login1 on it
        inhibitor = LogindInhibitor(address)
        with caplog.at_level(logging.WARNING):
            inhibitor.hold("Keeping this computer awake for the 09:30 Instagram post")
            inhibitor.hold("Keeping this computer awake for the 09:30 Instagram post")
        assert not inhibitor.held
        inhibitor.release()
    assert caplog.text.count("cannot keep this computer awake") == 1
    assert "ServiceUnknown" in caplog.text or "NameHasNoOwner" in caplog.text


def test_without_a_bus_it_logs_once_and_carries_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    inhibitor = LogindInhibitor(f"unix:path={tmp_path / 'no-bus-here'}")
    with caplog.at_level(logging.WARNING):
        inhibitor.hold("why")
        inhibitor.hold("why")
    assert not inhibitor.held
    assert caplog.text.count("cannot keep this computer awake") == 1


def test_nothing_is_claimed_where_no_inhibitor_can_be_held(
    connected: Context, clock: FixedClock, tmp_path: Path
) -> None:
    queue(connected, BAKERY_IG, "Soon", make_image(tmp_path / "c.jpg"), when=clock.now() + timedelta(minutes=5))
    with private_bus() as address:  # no logind there
        keep = KeepAwake(connected, LogindInhibitor(address))
        assert keep.update() is None and keep.message is None  # the status bar says nothing false


def test_a_post_held_by_meta_needs_no_keep_awake(connected: Context, sandbox: Any, clock: FixedClock) -> None:
    """A Facebook post handed to Meta's scheduler goes out with this computer off: it takes no inhibitor."""
    from tests.support.helpers import BAKERY

    sandbox.set_clock(clock.now())
    due = clock.now() + timedelta(minutes=30)
    item = queue(connected, BAKERY, "Held by Meta", when=due)
    with fake_logind() as logind:
        keep = KeepAwake(connected, LogindInhibitor(logind.address)).attach()
        _tick(connected)  # hands it off
        assert connected.repo.item(item.id).handoff == "meta"  # type: ignore[union-attr]
        clock.set(due - timedelta(minutes=5))
        _tick(connected)
        assert keep.update() is None and logind.inhibitions == []
        keep.detach()
