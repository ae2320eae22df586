"""The settings service the CLI and the GUI share: names, defaults, checks, and the password kept in the keyring."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from autoposter_gui.config import AppConfig
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.settings import KEYS, SettingsService
from autoposter_gui.tokens import TokenStore
from tests.support.cli import cli_env, run_cli
from tests.support.memory_keyring import MemoryKeyring


@pytest.fixture
def local_ctx(tmp_path: Path, clock: FixedClock, keyring_backend: MemoryKeyring) -> Context:
    config = AppConfig(tmp_path / "data")
    context = Context.open(config, tokens=TokenStore(config.keyring_service, keyring_backend), clock=clock)
    yield context
    context.close()


def test_defaults(local_ctx: Context) -> None:
    values = SettingsService(local_ctx).all()
    assert list(values) == list(KEYS)
    assert values["handoff"] == "auto" and values["keep_awake"] == "on" and values["grace_hours"] == 6
    assert values["smtp.security"] == "starttls" and values["smtp.port"] == 587
    assert values["smtp.host"] is None and values["smtp.password"] is False


def test_values_are_checked_and_stored(local_ctx: Context) -> None:
    s = SettingsService(local_ctx)
    assert s.set("grace_hours", "12") == 12 and s.grace().total_seconds() == 12 * 3600
    assert s.set("keep_awake", "OFF") == "off" and not s.keep_awake
    assert s.set("handoff", "off") == "off" and not s.handoff
    assert s.set("smtp.security", "ssl") == "ssl" and s.value("smtp.port") == 465  # follows the security
    assert s.set("smtp.port", "2525") == 2525
    assert s.set("smtp.to", " a@b.example ,c@d.example") == "a@b.example, c@d.example"
    assert s.smtp().recipients == ("a@b.example", "c@d.example")
    assert s.set("smtp.host", "") is None  # back to unset
    fresh = SettingsService(local_ctx)
    assert fresh.value("smtp.port") == 2525 and fresh.value("grace_hours") == 12


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("handoff", "sometimes", "handoff must be auto or off"),
        ("grace_hours", "-1", "grace_hours must be a whole number"),
        ("grace_hours", "169", "from 0 to 168"),
        ("keep_awake", "yes", "keep_awake must be on or off"),
        ("smtp.port", "0", "smtp.port must be a port number"),
        ("smtp.port", "abc", "smtp.port must be a port number"),
        ("smtp.security", "tls", "starttls, ssl or none"),
        ("smtp.host", "smtp example.com", "smtp.host must be a server name"),
        ("smtp.from", "owner", "smtp.from must be an email address"),
        ("smtp.to", "a@b.example, nope", "'nope'"),
        ("smtp.to", "a@b.example\nBcc: x@y.example", "smtp.to must be"),
        ("smtp.username", "bob\r\nX", "one line"),
        ("colour", "red", "unknown setting 'colour'"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(local_ctx: Context, key: str, value: str, words: str) -> None:
    s = SettingsService(local_ctx)
    before = s.all()
    with pytest.raises(ValidationError, match=words.replace("(", r"\(")):
        s.set(key, value)
    assert s.all() == before


def test_the_password_lives_in_the_keyring_only(local_ctx: Context, keyring_backend: MemoryKeyring) -> None:
    s = SettingsService(local_ctx)
    s.set("smtp.username", "owner")
    assert s.set("smtp.password", "pa55-word-xyz") is True
    assert s.smtp().password == "pa55-word-xyz"
    assert "pa55-word-xyz" in keyring_backend.data.values()
    raw = Path(local_ctx.config.db_path).read_bytes() + b"".join(
        p.read_bytes() for p in Path(local_ctx.config.data_dir).glob("autoposter.db-*")
    )
    assert b"pa55-word-xyz" not in raw
    rows = sqlite3.connect(local_ctx.config.db_path).execute("SELECT key, value FROM settings").fetchall()
    assert all("pa55" not in v for _k, v in rows)
    assert "pa55-word-xyz" not in repr(s.smtp()) and "pa55-word-xyz" not in str(s.all())
    assert s.set("smtp.password", "") is False and s.smtp().password is None


# ----- the CLI ----------------------------------------------------------------------------------------


def test_cli_settings_contract(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data", "http://127.0.0.1:9", tmp_path / "keyring.json")
    shown = run_cli(env, "settings", "--json")
    assert shown.code == 0, shown.stderr
    assert shown.json["handoff"] == "auto" and shown.json["smtp.password"] is False
    changed = run_cli(env, "settings", "set", "grace_hours", "3", "--json")
    assert changed.code == 0 and changed.json == {"grace_hours": 3}
    secret = "s3cret-mail-pass"
    stored = run_cli(env, "settings", "set", "smtp.password", "-", stdin=secret + "\n")
    assert stored.code == 0 and secret not in stored.stdout + stored.stderr
    after = run_cli(env, "settings", "--json")
    assert after.json["grace_hours"] == 3 and after.json["smtp.password"] is True
    assert secret not in after.stdout
    assert secret not in run_cli(env, "settings").stdout
    for args, words in (
        (("settings", "set", "nope", "1"), "unknown setting 'nope'"),
        (("settings", "set", "smtp.security", "tls"), "starttls, ssl or none"),
        (("settings", "set", "keep_awake", "maybe"), "keep_awake must be on or off"),
    ):
        bad = run_cli(env, *args)
        assert bad.code == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
        [line] = bad.stderr.strip().splitlines()
        assert words in line
    assert secret not in (tmp_path / "data" / "autoposter.db").read_bytes().decode("latin-1")
