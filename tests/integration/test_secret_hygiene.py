"""After a full sandbox run at DEBUG, no token or app secret appears in any file, log or CLI output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.cli import cli_env, run_cli
from tests.support.helpers import BAKERY, BAKERY_IG, make_image


def test_no_secret_leaks_anywhere(tmp_path: Path, sandbox: Any) -> None:
    keyring_file = tmp_path / "keyring.json"
    env = cli_env(tmp_path / "data", sandbox.url, keyring_file, AUTOPOSTER_LOG_LEVEL="DEBUG")
    creds = sandbox.credentials
    img = make_image(tmp_path / "i.jpg")
    outputs: list[str] = []

    def cli(*args: str) -> None:
        result = run_cli(env, *args)
        outputs.extend([result.stdout, result.stderr])

    cli("connect", "--app-id", creds.app_id, "--app-secret", "-", "--user-token", "-", "--json")
    # (secrets came through stdin above; now the same with arguments, as the README shows)
    result = run_cli(
        env, "connect", "--app-id", creds.app_id, "--app-secret", creds.app_secret, "--user-token", creds.user_token
    )
    outputs.extend([result.stdout, result.stderr])
    for n, (account, image) in enumerate([(BAKERY, None), (BAKERY, img), (BAKERY_IG, img)]):
        args = ["post", "--account", account, "--text", f"hygiene {n}", "--now", "--json"]
        cli(*(args + (["--image", image] if image else [])))
    sandbox.inject_fault(kind="error", match="feed_post", code=2, is_transient=True, http_status=500)
    sandbox.inject_fault(kind="html", match="photos_post")
    cli("run-due", "--json")
    cli("post", "--account", BAKERY, "--text", "after revoke", "--now")
    sandbox.revoke(BAKERY)
    for args in (("run-due", "--as-of", "2099-01-01T00:00+00:00"), ("queue",), ("activity",), ("accounts",)):
        cli(*args, "--json")
        cli(*args)

    secrets = {creds.app_secret, creds.user_token}
    secrets |= {v for v in json.loads(keyring_file.read_text()).values()}
    state = sandbox.state()
    secrets |= {t["token"] for t in state.get("tokens", []) if isinstance(t, dict) and t.get("token")}
    secrets = {s for s in secrets if len(s) >= 8 and s not in ("sandbox-app",)}
    assert len(secrets) >= 4  # app secret, user tokens, page tokens

    data_files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.name == "autoposter.log" for p in data_files)
    log_text = next(p for p in data_files if p.name == "autoposter.log").read_text()
    assert "DEBUG" in log_text  # the scan covers a DEBUG log
    blobs = {str(p): p.read_bytes() for p in data_files}
    blobs["cli output"] = "\n".join(outputs).encode()
    for where, blob in blobs.items():
        for secret in secrets:
            assert secret.encode() not in blob, f"a secret leaked into {where}"


def test_secrets_meta_echoes_back_are_masked_everywhere(tmp_path: Path, sandbox: Any) -> None:
    """Meta sometimes quotes the request in its error text: the app secret and the app token `appid|secret` must
    be masked by value (no pattern knows them) in the database, the logs and the CLI's output."""
    keyring_file = tmp_path / "keyring.json"
    env = cli_env(tmp_path / "data", sandbox.url, keyring_file, AUTOPOSTER_LOG_LEVEL="DEBUG")
    creds = sandbox.credentials
    app_token = f"{creds.app_id}|{creds.app_secret}"
    outputs: list[str] = []

    def cli(*args: str, stdin: str | None = None) -> int:
        result = run_cli(env, *args, stdin=stdin)
        outputs.extend([result.stdout, result.stderr])
        return result.code

    echo = f"Invalid OAuth access token {app_token} (client secret {creds.app_secret})"
    sandbox.inject_fault(kind="error", match="oauth", code=100, http_status=400, message=echo)
    secrets_in = f"{creds.app_secret}\n{creds.user_token}\n"
    assert cli("connect", "--app-id", creds.app_id, "--app-secret", "-", "--user-token", "-", stdin=secrets_in) == 1
    assert "Facebook said" in outputs[-1] and "[REDACTED]" in outputs[-1]  # the echo is shown, masked
    assert cli("connect", "--app-id", creds.app_id, "--app-secret", "-", "--user-token", "-", stdin=secrets_in) == 0
    assert cli("post", "--account", BAKERY, "--text", "echo test", "--now") == 0
    sandbox.inject_fault(kind="error", match="feed_post", code=100, http_status=400, message=echo)
    assert cli("run-due", "--json") == 0
    for args in (("queue",), ("activity",), ("queue", "--json"), ("activity", "--json")):
        cli(*args)
    assert "[REDACTED]" in "".join(outputs[-8:])  # the stored error message kept Meta's words, masked

    data_files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.name == "autoposter.db" for p in data_files)
    blobs = {str(p): p.read_bytes() for p in data_files}
    blobs["cli output"] = "\n".join(outputs).encode()
    for where, blob in blobs.items():
        for secret in (creds.app_secret, app_token):
            assert secret.encode() not in blob, f"{secret!r} leaked into {where}"


def test_no_x_or_google_secret_leaks_anywhere(tmp_path: Path, sandbox: Any) -> None:
    """Connect X and Google, post, refresh (X rotates its refresh token), fail, revoke, list: at DEBUG, no access
    token, refresh token or client secret in any file of the data folder, the log, or the CLI's output."""
    from autoposter_gui.sandbox.google_api import CLIENT_ID, CLIENT_SECRET
    from tests.support.browser import networks_env, sign_in

    env = {**networks_env(tmp_path, sandbox), "AUTOPOSTER_LOG_LEVEL": "DEBUG"}
    keyring_file = tmp_path / "keyring.json"
    img = make_image(tmp_path / "i.jpg")
    outputs: list[str] = []

    def cli(*args: str, stdin: str | None = None) -> None:
        result = run_cli(env, *args, stdin=stdin)
        outputs.extend([result.stdout, result.stderr])

    for args, stdin in (
        (["connect-x", "--client-id", "sandbox-x-client", "--no-browser", "--port", "0"], None),
        (
            ["connect-google", "--client-id", CLIENT_ID, "--client-secret", "-", "--no-browser"],
            CLIENT_SECRET,
        ),
    ):
        result = sign_in(env, *args, stdin=stdin)
        assert result.code == 0, result.stderr
        outputs.extend([result.stdout, result.stderr])
    accounts = json.loads(run_cli(env, "accounts", "--json").stdout)
    x_user = next(a["account_id"] for a in accounts if a["platform"] == "x")
    location = next(a["account_id"] for a in accounts if a["platform"] == "google")
    cli("post", "--account", x_user, "--text", "hygiene x", "--image", str(img), "--now")
    cli("post", "--account", location, "--text", "hygiene google", "--image", str(img), "--now")
    sandbox.x.state.expire_access(None)  # the next call refreshes: X hands out a new pair
    sandbox.google.expire_access_tokens()
    sandbox.inject_fault(kind="error", match="x_tweet_create", http_status=503)
    cli("run-due", "--json")
    cli("run-due", "--as-of", "2099-01-01T00:00+00:00", "--json")
    for args in (("queue",), ("activity",), ("accounts",)):
        cli(*args, "--json")
        cli(*args)

    secrets = {CLIENT_SECRET}
    for blob in json.loads(keyring_file.read_text()).values():
        grant = json.loads(blob)
        secrets |= {grant[k] for k in ("access_token", "refresh_token", "client_secret") if grant.get(k)}
    for grant in sandbox.x.state.grants.values():
        secrets |= {grant.refresh, *grant.old_refresh}
    secrets |= set(sandbox.x.state.access) | set(sandbox.google.world.access) | set(sandbox.google.world.refresh)
    assert len(secrets) >= 6  # client secret, X's two refresh tokens and access tokens, Google's tokens

    data_files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    log_text = next(p for p in data_files if p.name == "autoposter.log").read_text()
    assert "DEBUG" in log_text
    blobs = {str(p): p.read_bytes() for p in data_files}
    blobs["cli output"] = "\n".join(outputs).encode()
    for where, blob in blobs.items():
        for secret in secrets:
            assert secret.encode() not in blob, f"a secret leaked into {where}"
