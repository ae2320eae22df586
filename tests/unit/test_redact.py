"""Token masking in text and in log records."""

from __future__ import annotations

import logging

import pytest

from autoposter_gui.networks.redact import MASK, RedactingFilter, install_redaction, redact

TOKEN = "EAAGm0PX4ZCpsBAKZBZCabcdef123456"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"token {TOKEN} is bad", TOKEN),
        ("GET /me?access_token=abc.def-123&fields=id", "abc.def-123"),
        ("appsecret_proof=0123456789abcdef&x=1", "0123456789abcdef"),
        ("client_secret=s3cr3tvalue", "s3cr3tvalue"),
        ("input_token=zzzTOKENzzz", "zzzTOKENzzz"),
        ("fb_exchange_token=shortlived999", "shortlived999"),
        ('{"access_token": "pagetoken777", "id": "1"}', "pagetoken777"),
        ("ACCESS_TOKEN=UPPERCASE42", "UPPERCASE42"),
        ("access_token=1234567890|abcdefabcdefabcdefabcdefabcdefab", "abcdefabcdefabcdefabcdefabcdefab"),
        ("app token 1234567890|abcdefabcdefabcdefabcdefabcdefab in text", "abcdefabcdefabcdefabcdefabcdefab"),
    ],
)
def test_redact_masks_secrets(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert MASK in out


def test_redact_keeps_the_rest() -> None:
    text = "POST /123/feed -> 400 code=190 subcode=460 fbtrace_id=AbC123 EAGER fields=id,message"
    assert redact(text) == text
    assert redact("GET /x?access_token=abc&fields=id") == f"GET /x?access_token={MASK}&fields=id"


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, None)


def test_filter_redacts_message_and_args() -> None:
    record = _record("calling %s with %s", f"/me?access_token={TOKEN}", {"token": TOKEN})
    assert RedactingFilter().filter(record) is True
    message = record.getMessage()
    assert TOKEN not in message
    assert "calling /me?access_token=" in message
    assert record.args is None


def test_filter_redacts_traceback_text() -> None:
    try:
        raise ValueError(f"boom {TOKEN}")
    except ValueError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    RedactingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "ValueError" in formatted
    assert TOKEN not in formatted


def test_filter_survives_bad_format_arguments() -> None:
    record = _record("only one %s", "a", "b")  # too many args for the template
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "only one %s"


def test_install_redaction_guards_named_and_urllib3_loggers(caplog: pytest.LogCaptureFixture) -> None:
    install_redaction("autoposter_gui.test_redact_demo")
    install_redaction("autoposter_gui.test_redact_demo")  # idempotent
    demo = logging.getLogger("autoposter_gui.test_redact_demo")
    assert sum(isinstance(f, RedactingFilter) for f in demo.filters) == 1
    with caplog.at_level(logging.DEBUG):
        demo.info("token=%s", TOKEN)
        logging.getLogger("urllib3.connectionpool").debug(
            '%s://%s:%s "%s %s %s" %s',
            "https",
            "graph.facebook.com",
            443,
            "GET",
            f"/v24.0/me?access_token={TOKEN}",
            "HTTP/1.1",
            200,
        )
    assert len(caplog.records) == 2
    assert TOKEN not in caplog.text


def test_known_secret_values_are_masked_whatever_their_shape() -> None:
    from autoposter_gui.domain import known_secrets

    secret = "plain-words-secret-42"  # no pattern would recognise it
    assert redact(f"echo {secret}") == f"echo {secret}"
    known_secrets.remember(secret, "short")  # too short to mask by value (it would hit ordinary words)
    try:
        assert redact(f"bad app token my-app|{secret}!") == f"bad app token my-app|{MASK}!"
        assert redact("a short word") == "a short word"
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "refused %s", (secret,), None)
        RedactingFilter().filter(record)
        assert record.getMessage() == f"refused {MASK}"
    finally:
        known_secrets.forget_all()


def test_the_token_store_registers_what_it_reads_and_writes() -> None:
    from autoposter_gui.domain import known_secrets
    from autoposter_gui.tokens import APP_ID, APP_SECRET, TokenStore
    from tests.support.memory_keyring import MemoryKeyring

    backend = MemoryKeyring()
    backend.set_password("svc", "account:facebook:1", "page-token-from-an-older-run")
    store = TokenStore("svc", backend)
    try:
        store.set(APP_SECRET, "written-app-secret")
        store.set(APP_ID, "123456789012")  # the app id is not a secret
        assert store.account_token("facebook", "1") == "page-token-from-an-older-run"
        masked = redact("written-app-secret page-token-from-an-older-run 123456789012")
        assert masked == f"{MASK} {MASK} 123456789012"
    finally:
        known_secrets.forget_all()


def test_oauth_tokens_in_a_dict_repr_and_refresh_tokens_are_masked() -> None:
    """requests-oauthlib logs the token it obtained as a Python dict; a refresh token is as secret as an access one."""
    logged = (
        "Obtained token {'token_type': 'bearer', 'access_token': 'xat-abc123', 'refresh_token': 'xrt-def456', "
        "'expires_at': 1796052811}"
    )
    masked = redact(logged)
    assert "xat-abc123" not in masked and "xrt-def456" not in masked
    assert "'expires_at': 1796052811" in masked  # the rest stays readable
    body = redact('{"refresh_token": "1//zzz", "code_verifier": "vvv"} refresh_token=1//zzz&client_id=abc')
    assert "1//zzz" not in body and "vvv" not in body and "client_id=abc" in body
