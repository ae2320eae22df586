"""Email alerts and the test email, against a real local SMTP server (aiosmtpd), plain, STARTTLS and SSL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.engine.alerts import Alert, AlertKind, AlertService
from autoposter_gui.engine.catchup import CatchUpPolicy
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.events import Events
from autoposter_gui.engine.mailer import MailError, send
from autoposter_gui.engine.runner import Runner
from autoposter_gui.engine.settings import SettingsService
from autoposter_gui.tokens import USER_TOKEN, account_key
from tests.support.cli import cli_env, run_cli
from tests.support.helpers import BAKERY, connect, queue
from tests.support.smtp import MailServer, mail_server

PASSWORD = "smtp-pass-Zq81vX"
# The SSL server takes AUTH over its implicit TLS, which aiosmtpd counts as "not requiring TLS".
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _configure(ctx: Context, server: MailServer, *, username: str | None = None) -> SettingsService:
    settings = SettingsService(ctx)
    settings.set("smtp.host", server.host)
    settings.set("smtp.port", str(server.port))
    settings.set("smtp.security", server.security)
    settings.set("smtp.from", "autoposter@bakery.test")
    settings.set("smtp.to", "owner@bakery.test")
    if username:
        settings.set("smtp.username", username)
        settings.set("smtp.password", PASSWORD)
    return settings


@pytest.fixture
def connected(ctx: Context, sandbox: Any) -> Context:
    connect(ctx, sandbox)
    return ctx


def _secrets(ctx: Context) -> list[str]:
    values = [v for (_service, _key), v in ctx.tokens._backend.data.items()]  # type: ignore[union-attr]
    assert values, "the keyring should hold the tokens"
    return values


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_a_trusted_certificate_and_login(
    tmp_path: Path, ctx: Context, security: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mail_server(tmp_path, security, username="owner", password=PASSWORD) as server:
        monkeypatch.setenv("AUTOPOSTER_SMTP_CAFILE", str(server.cafile))  # the test's own CA: verification stays on
        smtp = _configure(ctx, server, username="owner").smtp()
        send(smtp, "Hello", "A body")
    assert server.logins == [("owner", PASSWORD)]
    [message] = server.messages
    assert message["Subject"] == "Hello" and message["To"] == "owner@bakery.test"
    assert message["From"] == "autoposter@bakery.test"
    assert server.bodies()[0].strip() == "A body"


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_untrusted_certificate_is_refused(tmp_path: Path, ctx: Context, security: str) -> None:
    with mail_server(tmp_path, security) as server:
        smtp = _configure(ctx, server).smtp()
        with pytest.raises(MailError, match=r"certificate of the mail server .* could not be verified"):
            send(smtp, "Hello", "A body")
    assert server.messages == []


def test_wrong_password_gives_the_servers_reason_without_the_password(
    tmp_path: Path, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mail_server(tmp_path, "starttls", username="owner", password="the-right-one") as server:
        monkeypatch.setenv("AUTOPOSTER_SMTP_CAFILE", str(server.cafile))
        smtp = _configure(ctx, server, username="owner").smtp()
        with pytest.raises(MailError) as caught:
            send(smtp, "Hello", "A body")
    text = str(caught.value)
    assert "refused the username or password" in text and "535" in text
    assert PASSWORD not in text and "\n" not in text


def test_incomplete_settings_are_refused_before_any_connection(ctx: Context) -> None:
    with pytest.raises(ValidationError, match=r"smtp\.host"):
        send(SettingsService(ctx).smtp(), "Hello", "A body")


def test_a_permanent_failure_sends_one_email_with_no_secret(
    tmp_path: Path, connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    with mail_server(tmp_path) as server:
        _configure(connected, server)
        alerts = AlertService(connected).attach()
        item = queue(connected, BAKERY, "Croissants are back!\nSecond line stays out")
        sandbox.inject_fault(kind="error", match="feed_post", code=506)
        assert Runner(connected).run_due().failed == 1
        assert server.messages == []  # nothing before the end of the tick ...
        connected.events.emit(Events.TICK_FINISHED, {})
        assert len(server.messages) == 1  # ... then one email
        connected.events.emit(Events.TICK_FINISHED, {})
        alerts.detach()
    [body] = server.bodies()
    assert "Croissants are back!" in body and "Second line" not in body
    assert "Facebook Page" in body and "Why:" in body and "What to do:" in body
    assert f"autoposter retry {item.id}" in body
    assert "Time:" in body
    raw = server.messages[0].as_string()
    for secret in _secrets(connected):
        assert secret not in raw
    assert len(server.messages) == 1  # the next tick end sends nothing new


def test_alerts_within_15_minutes_are_gathered_into_one_email(
    tmp_path: Path, connected: Context, sandbox: Any, clock: FixedClock
) -> None:
    with mail_server(tmp_path) as server:
        _configure(connected, server)
        alerts = AlertService(connected)
        alerts.add(Alert(AlertKind.FAILED.value, "Facebook Page A", "first", "fix it"))
        assert alerts.flush() == 1
        clock.advance(timedelta(minutes=5))
        alerts.add(Alert(AlertKind.FAILED.value, "Facebook Page A", "second", "fix it"))
        assert alerts.flush() == 0
        clock.advance(timedelta(minutes=5))
        alerts.add(
            Alert(AlertKind.HANDOFF_UNVERIFIED.value, "Facebook Page A", "third", "nothing", permalink="https://x/1")
        )
        assert alerts.flush() == 0
        clock.advance(timedelta(minutes=4, seconds=59))
        assert alerts.flush() == 0
        clock.advance(timedelta(seconds=1))  # 15 minutes after the first email
        assert alerts.flush() == 2
        assert alerts.flush() == 0
    assert len(server.messages) == 2
    second = server.bodies()[1]
    assert "second" in second and "third" in second and "first" not in second
    assert "Link: https://x/1" in second
    assert server.messages[1]["Subject"] == "Autoposter: 2 things need you"


def test_batching_survives_a_new_process(tmp_path: Path, connected: Context, clock: FixedClock) -> None:
    """`run-due` from cron: each run is a new AlertService; the pending alerts and the last send are in SQLite."""
    with mail_server(tmp_path) as server:
        _configure(connected, server)
        first = AlertService(connected)
        first.add(Alert(AlertKind.FAILED.value, "Page", "one", "fix"))
        assert first.flush() == 1
        clock.advance(timedelta(minutes=1))
        second = AlertService(connected)
        second.add(Alert(AlertKind.FAILED.value, "Page", "two", "fix"))
        assert second.flush() == 0
        clock.advance(timedelta(minutes=15))
        assert AlertService(connected).flush() == 1
    assert len(server.messages) == 2 and "two" in server.bodies()[1]


def test_a_sending_failure_is_logged_and_kept_for_later(
    tmp_path: Path, connected: Context, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = SettingsService(connected)
    settings.set("smtp.host", "127.0.0.1")
    settings.set("smtp.port", "9")  # nothing listens
    settings.set("smtp.security", "none")
    settings.set("smtp.to", "owner@bakery.test")
    alerts = AlertService(connected)
    alerts.add(Alert(AlertKind.FAILED.value, "Page", "kept", "fix"))
    assert alerts.flush() == 0  # no exception
    assert "could not be sent" in caplog.text
    with mail_server(tmp_path) as server:
        settings.set("smtp.port", str(server.port))
        clock.advance(timedelta(minutes=15))
        assert alerts.flush() == 1
    assert "kept" in server.bodies()[0]


def test_reconnect_and_missed_alerts(tmp_path: Path, connected: Context, sandbox: Any, clock: FixedClock) -> None:
    with mail_server(tmp_path) as server:
        _configure(connected, server)
        alerts = AlertService(connected).attach()
        queue(connected, BAKERY, "Will wait for the reconnect")
        sandbox.revoke(BAKERY)
        Runner(connected).run_due()
        Runner(connected).run_due()  # still invalid: no second alert about it
        alerts.flush()
        late = queue(connected, BAKERY, "Sunday brunch", when=clock.now() + timedelta(minutes=5))
        clock.advance(timedelta(hours=9))
        policy = CatchUpPolicy(connected)
        assert policy.before_tick() == [late.id]
        clock.advance(timedelta(minutes=15))
        alerts.flush()
        alerts.detach()
    assert len(server.messages) == 2
    reconnect, missed = server.bodies()
    assert reconnect.count("An account needs you") == 1 and "reconnect" in reconnect.lower()
    assert "Sunday brunch" in missed and "publish it now, reschedule it or skip it" in missed
    for secret in _secrets(connected):
        assert secret not in reconnect + missed


def test_no_email_settings_means_nothing_is_kept(connected: Context, clock: FixedClock) -> None:
    alerts = AlertService(connected)
    alerts.add(Alert(AlertKind.FAILED.value, "Page", "x", "y"))
    assert alerts.flush() == 0
    assert alerts.table.get("alerts.state") is None


# ----- the CLI ----------------------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    return cli_env(tmp_path / "data", sandbox.url, tmp_path / "keyring.json")


def _settings(env: dict[str, str], server: MailServer, *, username: str | None = None) -> None:
    pairs = [
        ("smtp.host", server.host),
        ("smtp.port", str(server.port)),
        ("smtp.security", server.security),
        ("smtp.to", "owner@bakery.test"),
    ]
    if username:
        pairs.append(("smtp.username", username))
    for key, value in pairs:
        result = run_cli(env, "settings", "set", key, value)
        assert result.code == 0, result.stderr
    if username:
        result = run_cli(env, "settings", "set", "smtp.password", "-", stdin=PASSWORD + "\n")
        assert result.code == 0, result.stderr


def test_cli_test_email_over_starttls(tmp_path: Path, env: dict[str, str]) -> None:
    with mail_server(tmp_path, "starttls", username="owner", password=PASSWORD) as server:
        env["AUTOPOSTER_SMTP_CAFILE"] = str(server.cafile)
        _settings(env, server, username="owner")
        result = run_cli(env, "test-email", "--json")
        assert result.code == 0, result.stderr
        assert result.json["to"] == ["owner@bakery.test"]
    assert len(server.messages) == 1 and server.messages[0]["Subject"] == "Autoposter test email"
    assert PASSWORD not in result.stdout + result.stderr


def test_cli_test_email_failure_is_one_line_exit_1(tmp_path: Path, env: dict[str, str]) -> None:
    with mail_server(tmp_path, "starttls", username="owner", password="not-it") as server:
        env["AUTOPOSTER_SMTP_CAFILE"] = str(server.cafile)
        _settings(env, server, username="owner")
        result = run_cli(env, "test-email")
    assert result.code == 1 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "refused the username or password" in line and "535" in line
    assert PASSWORD not in result.stderr and "Traceback" not in result.stderr


def test_cli_run_due_emails_a_permanent_failure(tmp_path: Path, env: dict[str, str], sandbox: Any) -> None:
    creds = sandbox.credentials
    args = ["connect", "--app-id", creds.app_id, "--app-secret", creds.app_secret, "--user-token", creds.user_token]
    assert run_cli(env, *args).code == 0
    with mail_server(tmp_path) as server:
        _settings(env, server)
        assert run_cli(env, "post", "--account", BAKERY, "--text", "Doomed loaf", "--now").code == 0
        sandbox.inject_fault(kind="error", match="feed_post", code=506)
        result = run_cli(env, "run-due", "--json")
        assert result.code == 0, result.stderr
        assert result.json["failed"] == 1
    [body] = server.bodies()
    assert "Doomed loaf" in body
    assert creds.user_token not in body and creds.app_secret not in body
    keyring = (tmp_path / "keyring.json").read_text()
    assert USER_TOKEN in keyring and account_key("facebook", BAKERY) in keyring


def test_the_hand_off_hook_becomes_an_alert_with_the_permalink(
    tmp_path: Path, connected: Context, sandbox: Any
) -> None:
    """The hand-off (later) reports "could not verify, published locally" as a notice; the email says so."""
    from autoposter_gui.engine.alerts import HANDOFF_UNVERIFIED_NOTICE

    with mail_server(tmp_path) as server:
        _configure(connected, server)
        alerts = AlertService(connected).attach()
        item = queue(connected, BAKERY, "Handed off, then vanished")
        Runner(connected).run_due()
        reason = "Meta's scheduler had not published it 15 minutes after its time"
        connected.events.emit(Events.NOTICE, HANDOFF_UNVERIFIED_NOTICE, {"item_id": item.id, "reason": reason})
        assert alerts.flush() == 1
        alerts.detach()
    [body] = server.bodies()
    posted = connected.repo.item(item.id)
    assert posted is not None and posted.permalink
    assert reason in body and f"Link: {posted.permalink}" in body and "Handed off, then vanished" in body


def test_in_the_app_a_tick_end_sends_on_a_thread_of_its_own(tmp_path: Path, connected: Context) -> None:
    with mail_server(tmp_path) as server:
        _configure(connected, server)
        alerts = AlertService(connected, background=True).attach()
        alerts.add(Alert(AlertKind.FAILED.value, "Page", "sent in the background", "fix"))
        connected.events.emit(Events.TICK_FINISHED, {})
        assert alerts._flushing is not None
        alerts.detach(wait=20)
        assert not alerts._flushing.is_alive()
    assert "sent in the background" in server.bodies()[0]


def test_a_vanished_hand_off_sends_one_email(
    tmp_path: Path, connected: Context, sandbox: Any, clock: FixedClock, keyring_backend: Any
) -> None:
    """End to end: Meta's scheduler loses a handed-off post; the app publishes it itself and emails once."""
    sandbox.set_clock(clock.now())
    with mail_server(tmp_path) as server:
        _configure(connected, server)
        alerts = AlertService(connected).attach()
        item = queue(connected, BAKERY, "Vanished at go-live", when=clock.now() + timedelta(hours=1))
        Runner(connected).run_due()
        alerts.flush()
        held = connected.repo.item(item.id)
        assert held is not None and held.handoff == "meta" and held.provider_post_id
        assert sandbox.vanish_at_go_live(held.provider_post_id)
        clock.advance(timedelta(hours=1, minutes=3))
        sandbox.set_clock(clock.now())
        Runner(connected).run_due()
        assert alerts.flush() == 1
        clock.advance(timedelta(minutes=30))
        Runner(connected).run_due()
        assert alerts.flush() == 0
        alerts.detach()
    [body] = server.bodies()
    posted = connected.repo.item(item.id)
    assert posted is not None and posted.status == "posted" and posted.permalink
    assert "Meta's scheduler lost the post" in body and f"Link: {posted.permalink}" in body
    for secret in keyring_backend.data.values():
        assert secret not in body
