"""Classification of Graph answers and requests exceptions into PublishError."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from typing import Any

import pytest
import requests
import urllib3.exceptions

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.meta.errors import classify_exception, classify_response, parse_usage_headers

T = ErrorKind.TEMPORARY
P = ErrorKind.PERMANENT
C = ErrorCategory
TOKEN = "EAAGm0PX4ZCpsBAKZBZCtoken1234567890"


def graph_error(code: int, subcode: int | None = None, **fields: Any) -> str:
    error: dict[str, Any] = {"message": "An error", "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.setdefault("fbtrace_id", "AbCdEf123")
    error.update(fields)
    return json.dumps({"error": error})


# (id, code, subcode, extra fields, expected kind, expected category)
CODE_TABLE: list[tuple[str, int, int | None, dict[str, Any], ErrorKind, ErrorCategory]] = [
    ("token-no-subcode", 190, None, {}, P, C.TOKEN),
    ("token-458", 190, 458, {}, P, C.TOKEN),
    ("token-459", 190, 459, {}, P, C.TOKEN),
    ("token-460", 190, 460, {}, P, C.TOKEN),
    ("token-463", 190, 463, {}, P, C.TOKEN),
    ("token-464", 190, 464, {}, P, C.TOKEN),
    ("token-467", 190, 467, {}, P, C.TOKEN),
    ("session-102", 102, None, {}, P, C.TOKEN),
    ("perm-10", 10, None, {}, P, C.PERMISSION),
    ("perm-200", 200, None, {}, P, C.PERMISSION),
    ("perm-230", 230, None, {}, P, C.PERMISSION),
    ("perm-299", 299, None, {}, P, C.PERMISSION),
    ("perm-3", 3, None, {}, P, C.PERMISSION),
    ("throttle-4", 4, None, {}, T, C.THROTTLED),
    ("throttle-17", 17, None, {}, T, C.THROTTLED),
    ("throttle-32", 32, None, {}, T, C.THROTTLED),
    ("throttle-613", 613, None, {}, T, C.THROTTLED),
    ("throttle-80001", 80001, None, {}, T, C.THROTTLED),
    ("throttle-80002", 80002, None, {}, T, C.THROTTLED),
    ("unknown-1", 1, None, {}, T, C.TRANSIENT),
    ("service-2", 2, None, {}, T, C.TRANSIENT),
    ("is-transient", 12345, None, {"is_transient": True}, T, C.TRANSIENT),
    ("spam-368", 368, None, {}, T, C.SPAM),
    ("duplicate-506", 506, None, {}, P, C.DUPLICATE),
    ("ig-not-ready", 9007, 2207027, {}, T, C.MEDIA_NOT_READY),
    ("ig-fetch", 9004, 2207052, {}, T, C.MEDIA_FETCH),
    ("ig-aspect", 36003, 2207009, {}, P, C.MEDIA_INVALID),
    ("ig-too-big", 36000, 2207004, {}, P, C.MEDIA_INVALID),
    ("ig-quota", 9, 2207042, {}, T, C.QUOTA),
    ("ig-server", -1, 2207001, {}, T, C.TRANSIENT),
    ("ig-timeout", -2, 2207003, {}, T, C.TRANSIENT),
    ("ig-expired", 100, 2207020, {}, T, C.CONTAINER_EXPIRED),  # the subcode wins over code 100
    ("invalid-100", 100, None, {}, P, C.INVALID_REQUEST),
    ("invalid-100-transient", 100, 33, {"is_transient": True}, T, C.TRANSIENT),
    ("unknown-code", 12345, None, {}, P, C.UNKNOWN),
    ("ig-code-only-not-ready", 9007, None, {}, T, C.MEDIA_NOT_READY),
    ("ig-code-only-aspect", 36003, None, {}, P, C.MEDIA_INVALID),
]


@pytest.mark.parametrize(
    ("code", "subcode", "fields", "kind", "category"),
    [row[1:] for row in CODE_TABLE],
    ids=[row[0] for row in CODE_TABLE],
)
def test_graph_error_codes(
    code: int, subcode: int | None, fields: dict[str, Any], kind: ErrorKind, category: ErrorCategory
) -> None:
    err = classify_response(400, graph_error(code, subcode, **fields), {}, is_write=False)
    assert isinstance(err, PublishError)
    assert (err.kind, err.category) == (kind, category)
    assert err.code == code
    assert err.subcode == subcode
    assert err.http_status == 400
    assert err.fbtrace_id == "AbCdEf123"
    assert err.ambiguous is False  # a GET is never ambiguous
    assert str(err) == err.user_message
    assert len(err.user_message) > 20


@pytest.mark.parametrize(
    ("subcode", "needle"),
    [(None, "revoked or expired"), (460, "password"), (463, "expired"), (458, "removed"), (459, "checkpoint")],
)
def test_token_messages_tell_the_user_to_reconnect(subcode: int | None, needle: str) -> None:
    err = classify_response(400, graph_error(190, subcode), {}, is_write=True)
    assert "reconnect" in err.user_message.lower()
    assert needle in err.user_message
    assert err.ambiguous is False
    assert err.error_code == ("190" if subcode is None else f"190/{subcode}")


def test_duplicate_message() -> None:
    err = classify_response(400, graph_error(506), {}, is_write=True)
    assert err.user_message.startswith("Facebook rejected this as a duplicate post; change the text")
    assert err.ambiguous is False


@pytest.mark.parametrize(("code", "subcode"), [(1, None), (2, None), (-1, 2207001), (-2, 2207003)])
def test_server_side_codes_on_a_write_are_ambiguous(code: int, subcode: int | None) -> None:
    err = classify_response(500, graph_error(code, subcode), {}, is_write=True)
    assert err.kind is T
    assert err.ambiguous is True
    assert classify_response(500, graph_error(code, subcode), {}, is_write=False).ambiguous is False


@pytest.mark.parametrize("code", [190, 10, 4, 368, 506, 100, 36003])
def test_definite_refusals_are_not_ambiguous_even_on_writes(code: int) -> None:
    assert classify_response(400, graph_error(code), {}, is_write=True).ambiguous is False


def test_unknown_code_with_http_5xx_is_temporary_and_ambiguous() -> None:
    err = classify_response(500, graph_error(4242), {}, is_write=True)
    assert (err.kind, err.category, err.ambiguous) == (T, C.TRANSIENT, True)


HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@pytest.mark.parametrize(
    ("status", "body", "is_write", "category", "ambiguous"),
    [
        (502, HTML_502, True, C.TRANSIENT, True),
        (502, HTML_502, False, C.TRANSIENT, False),
        (503, "<html>Service Unavailable</html>", True, C.TRANSIENT, True),
        (504, "", True, C.TRANSIENT, True),
        (500, "not json at all", True, C.TRANSIENT, True),
        (200, "<html>proxy login</html>", True, C.TRANSIENT, True),  # 2xx we cannot read: outcome unknown
        (404, "<html>Not Found</html>", True, C.TRANSIENT, False),  # refused: nothing done
        (408, "<html>Request Timeout</html>", True, C.TRANSIENT, True),
        (429, "<html>Too Many Requests</html>", True, C.THROTTLED, False),
        (400, json.dumps({"no_error_key": 1}), True, C.TRANSIENT, False),
    ],
)
def test_non_graph_bodies_are_temporary(
    status: int, body: str, is_write: bool, category: ErrorCategory, ambiguous: bool
) -> None:
    err = classify_response(status, body, {"Content-Type": "text/html"}, is_write=is_write)
    assert err.kind is T
    assert err.category is category
    assert err.ambiguous is ambiguous
    assert err.http_status == status
    assert err.code is None
    assert err.error_code == f"http_{status}"
    assert "<html" not in err.user_message and "nginx" not in err.user_message


def test_retry_after_from_business_use_case_header() -> None:
    headers = {
        "X-Business-Use-Case-Usage": json.dumps(
            {
                "111": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 17}],
                "222": [{"type": "instagram", "call_count": 40, "estimated_time_to_regain_access": 3}],
            }
        )
    }
    err = classify_response(400, graph_error(80001), headers, is_write=True)
    assert err.category is C.THROTTLED
    assert err.retry_after == timedelta(minutes=17)


def test_header_names_are_case_insensitive_and_no_regain_means_no_retry_after() -> None:
    headers = {"x-app-usage": json.dumps({"call_count": 100, "total_cputime": 5, "total_time": 9})}
    err = classify_response(400, graph_error(4), headers, is_write=False)
    assert err.category is C.THROTTLED
    assert err.retry_after is None
    assert parse_usage_headers(headers) == (100.0, None)


def test_quota_and_spam_wait_at_least_an_hour() -> None:
    quota = classify_response(400, graph_error(9, 2207042), {}, is_write=True)
    assert quota.retry_after == timedelta(hours=1)
    long_wait = {
        "X-Business-Use-Case-Usage": json.dumps(
            {"1": [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 180}]}
        )
    }
    assert classify_response(400, graph_error(9, 2207042), long_wait, is_write=True).retry_after == timedelta(hours=3)
    assert classify_response(400, graph_error(368), {}, is_write=True).retry_after == timedelta(hours=1)


def test_malformed_usage_headers_are_ignored() -> None:
    headers = {"X-App-Usage": "{not json", "X-Business-Use-Case-Usage": json.dumps({"1": "oops"})}
    assert parse_usage_headers(headers) == (None, None)
    assert classify_response(400, graph_error(4), headers, is_write=False).retry_after is None


def test_meta_message_is_included_but_redacted() -> None:
    body = graph_error(
        190,
        460,
        message=f"Error validating access token: {TOKEN} access_token=abc123secret appsecret_proof=deadbeef",
    )
    err = classify_response(400, body, {}, is_write=False)
    text = f"{err} {err!r}"
    assert "Error validating access token" in err.user_message
    for secret in (TOKEN, "abc123secret", "deadbeef"):
        assert secret not in text


def test_error_user_msg_is_preferred_over_message() -> None:
    body = graph_error(100, None, message="Invalid parameter", error_user_msg="The caption is too long.")
    err = classify_response(400, body, {}, is_write=True)
    assert "The caption is too long." in err.user_message
    assert "Invalid parameter" not in err.user_message


def test_long_meta_messages_are_truncated() -> None:
    err = classify_response(400, graph_error(100, None, message="x" * 5000), {}, is_write=False)
    assert len(err.user_message) < 600


def test_already_published_container_is_flagged_for_lookup() -> None:
    body = graph_error(9007, 2207027, message="The media has already been published")
    err = classify_response(400, body, {}, is_write=True)
    assert err.category is C.MEDIA_NOT_READY
    assert err.extra == {"reason": "already_published"}
    assert err.ambiguous is True


# ----- exceptions ----------------------------------------------------------------------------------------

URL_WITH_TOKEN = f"https://graph.facebook.com/v24.0/me/accounts?access_token={TOKEN}"


def refused() -> requests.ConnectionError:
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: refused")  # type: ignore[arg-type]
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, URL_WITH_TOKEN, reason))  # type: ignore[arg-type]


def reset() -> requests.ConnectionError:
    return requests.ConnectionError(
        urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer"))
    )


@pytest.mark.parametrize(
    ("make", "is_write", "kind", "category", "ambiguous"),
    [
        (lambda: requests.exceptions.ConnectTimeout(URL_WITH_TOKEN), True, T, C.NETWORK, False),
        (lambda: requests.exceptions.ConnectTimeout(URL_WITH_TOKEN), False, T, C.NETWORK, False),
        (lambda: requests.exceptions.ReadTimeout(URL_WITH_TOKEN), True, T, C.NETWORK, True),
        (lambda: requests.exceptions.ReadTimeout(URL_WITH_TOKEN), False, T, C.NETWORK, False),
        (refused, True, T, C.NETWORK, False),
        (reset, True, T, C.NETWORK, True),
        (reset, False, T, C.NETWORK, False),
        (lambda: requests.exceptions.SSLError("bad handshake"), True, T, C.NETWORK, False),
        (lambda: requests.exceptions.ChunkedEncodingError("cut"), True, T, C.TRANSIENT, True),
        (lambda: requests.exceptions.MissingSchema("no schema"), True, P, C.INVALID_REQUEST, False),
        (lambda: requests.RequestException("??"), True, T, C.NETWORK, True),
    ],
    ids=[
        "connect-timeout-write",
        "connect-timeout-read",
        "read-timeout-write",
        "read-timeout-get",
        "refused-write",
        "reset-write",
        "reset-get",
        "ssl-write",
        "chunked-write",
        "missing-schema",
        "unknown-write",
    ],
)
def test_exceptions(make: Any, is_write: bool, kind: ErrorKind, category: ErrorCategory, ambiguous: bool) -> None:
    err = classify_exception(make(), is_write=is_write)
    assert (err.kind, err.category, err.ambiguous) == (kind, category, ambiguous)
    assert TOKEN not in f"{err} {err!r}"
    assert "access_token" not in str(err)
    assert err.http_status is None


# ----- real sockets on 127.0.0.1: the exception shapes requests really produces ---------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_real_connection_refused_is_not_ambiguous() -> None:
    port = _free_port()
    with pytest.raises(requests.ConnectionError) as info:
        requests.post(f"http://127.0.0.1:{port}/v24.0/1/feed", data={"access_token": TOKEN}, timeout=2)
    err = classify_exception(info.value, is_write=True)
    assert (err.category, err.ambiguous) == (C.NETWORK, False)


def test_real_reset_after_sending_is_ambiguous() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        conn.recv(65536)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()  # RST after the request was read

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with pytest.raises(requests.ConnectionError) as info:
            requests.post(f"http://127.0.0.1:{port}/v24.0/1/feed", data={"message": "hi"}, timeout=5)
    finally:
        thread.join(5)
        server.close()
    err = classify_exception(info.value, is_write=True)
    assert (err.category, err.ambiguous) == (C.NETWORK, True)
