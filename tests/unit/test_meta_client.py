"""GraphClient: URLs, auth parameters, timeouts, session reuse, rate-limit handling, secrecy."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from autoposter_gui.domain.errors import ErrorCategory, ErrorKind, PublishError
from autoposter_gui.meta.client import DEFAULT_ORIGIN, GRAPH_VERSION, GraphClient, graph_origin

ORIGIN = "https://graph.test"
BASE = f"{ORIGIN}/{GRAPH_VERSION}"
TOKEN = "EAAGm0PX4ZCpsBAKZBZCpagetoken987654321"
SECRET = "0123456789abcdef0123456789abcdef"


class Recorder:
    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.requests: list[tuple[str, str]] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def on_request(self, method: str, path: str) -> None:
        self.requests.append((method, path))


def make_client(rec: Recorder | None = None, **kwargs: Any) -> GraphClient:
    rec = rec or Recorder()
    kwargs.setdefault("origin", ORIGIN)
    return GraphClient(sleep=rec.sleep, on_request=rec.on_request, **kwargs)


def query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def form(call: Any) -> dict[str, list[str]]:
    body = call.request.body
    return parse_qs(body if isinstance(body, str) else body.decode())


def expected_proof(token: str = TOKEN) -> str:
    return hmac.new(SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


# ----- origin and URLs ----------------------------------------------------------------------------------


def test_graph_origin_default_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOPOSTER_GRAPH_URL", raising=False)
    assert graph_origin() == DEFAULT_ORIGIN == "https://graph.facebook.com"
    monkeypatch.setenv("AUTOPOSTER_GRAPH_URL", "http://127.0.0.1:8765/")
    assert graph_origin() == "http://127.0.0.1:8765"
    assert GraphClient().url("/123/feed") == "http://127.0.0.1:8765/v24.0/123/feed"
    assert GraphClient(origin="https://other.test/").url("/1") == "https://other.test/v24.0/1"


@responses.activate
def test_version_prefix_and_get_params() -> None:
    assert GRAPH_VERSION == "v24.0"
    responses.get(f"{BASE}/123/feed", json={"data": []})
    answer = make_client().get("/123/feed", TOKEN, {"fields": "id,message"})
    assert answer == {"data": []}
    call = responses.calls[0]
    assert urlsplit(call.request.url).path == "/v24.0/123/feed"
    assert query(call) == {"fields": ["id,message"], "access_token": [TOKEN]}  # no proof without a secret


@responses.activate
def test_appsecret_proof_on_get_and_post() -> None:
    responses.get(f"{BASE}/me", json={"id": "1"})
    responses.post(f"{BASE}/1/feed", json={"id": "1_2"})
    client = make_client(app_secret=SECRET)
    client.get("/me", TOKEN)
    client.post("/1/feed", TOKEN, data={"message": "hello"})
    assert query(responses.calls[0])["appsecret_proof"] == [expected_proof()]
    posted = form(responses.calls[1])
    assert posted["appsecret_proof"] == [expected_proof()]
    assert posted["access_token"] == [TOKEN]
    assert posted["message"] == ["hello"]
    assert "access_token" not in (urlsplit(responses.calls[1].request.url).query or "")


@responses.activate
def test_no_token_means_no_auth_params_added() -> None:
    responses.get(f"{BASE}/debug_token", json={"data": {}})
    make_client(app_secret=SECRET).get("/debug_token", None, {"input_token": "x", "access_token": "1|s"})
    assert query(responses.calls[0]) == {"input_token": ["x"], "access_token": ["1|s"]}


@responses.activate
def test_multipart_post_carries_token_and_file() -> None:
    responses.post(f"{BASE}/1/photos", json={"id": "9"})
    make_client(app_secret=SECRET).post(
        "/1/photos", TOKEN, data={"published": "false"}, files={"source": ("image.jpg", b"\xff\xd8jpeg", "image/jpeg")}
    )
    request = responses.calls[0].request
    assert request.headers["Content-Type"].startswith("multipart/form-data")
    body = request.body
    assert isinstance(body, bytes)
    assert b'name="source"; filename="image.jpg"' in body
    assert b"\xff\xd8jpeg" in body
    assert TOKEN.encode() in body and expected_proof().encode() in body


# ----- session, timeouts, hook --------------------------------------------------------------------------


class RecordingSession(requests.Session):
    instances = 0

    def __init__(self) -> None:
        super().__init__()
        RecordingSession.instances += 1
        self.timeouts: list[Any] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        self.timeouts.append(kwargs.get("timeout"))
        return super().request(method, url, *args, **kwargs)


@responses.activate
def test_one_session_reused_and_timeouts_on_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    responses.get(f"{BASE}/1", json={"id": "1"})
    responses.post(f"{BASE}/1/feed", json={"id": "1_1"})
    RecordingSession.instances = 0
    monkeypatch.setattr(requests, "Session", RecordingSession)
    client = make_client()
    client.get("/1", TOKEN)
    client.post("/1/feed", TOKEN, data={"message": "a"})
    client.get("/1", TOKEN)
    assert RecordingSession.instances == 1
    assert isinstance(client.session, RecordingSession)
    assert client.session.timeouts == [(5.0, 30.0)] * 3


def test_proxy_and_ca_settings_are_read_from_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/company-ca.pem")
    client = make_client()
    assert client.session.proxies.get("https") == "http://proxy.example:3128"
    assert client.session.verify == "/etc/ssl/company-ca.pem"
    assert client.session.trust_env is False  # requests won't walk the environment again on every call
    local = GraphClient(origin="http://localhost:8000")  # NO_PROXY applies to the client's own origin
    assert "http" not in local.session.proxies and "https" not in local.session.proxies
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    plain = make_client()
    assert "https" not in plain.session.proxies and plain.session.verify is True


@responses.activate
def test_custom_timeout_and_injected_session() -> None:
    responses.get(f"{BASE}/1", json={"id": "1"})
    session = RecordingSession()
    client = make_client(session=session, timeout=(1.5, 7.0))
    client.get("/1", TOKEN)
    assert client.session is session
    assert session.timeouts == [(1.5, 7.0)]


@responses.activate
def test_on_request_called_once_per_request_even_on_failure() -> None:
    responses.get(f"{BASE}/1", json={"id": "1"})
    responses.post(f"{BASE}/1/feed", body=requests.ConnectionError("down"))
    rec = Recorder()
    client = make_client(rec)
    client.get("/1", TOKEN, {"fields": "id"})
    with pytest.raises(PublishError):
        client.post("/1/feed", TOKEN, data={"message": "m"})
    assert rec.requests == [("GET", "/1"), ("POST", "/1/feed")]


@responses.activate
def test_non_object_json_is_wrapped() -> None:
    responses.post(f"{BASE}/1", json=True)
    assert make_client().post("/1", TOKEN) == {"result": True}


# ----- errors -------------------------------------------------------------------------------------------


@responses.activate
def test_graph_error_raises_classified_publish_error() -> None:
    responses.post(
        f"{BASE}/1/feed",
        status=400,
        json={"error": {"message": "Duplicate status message", "type": "FacebookApiException", "code": 506}},
    )
    with pytest.raises(PublishError) as info:
        make_client().post("/1/feed", TOKEN, data={"message": "m"})
    assert info.value.category is ErrorCategory.DUPLICATE
    assert info.value.http_status == 400


@responses.activate
def test_error_object_in_a_200_answer_is_still_an_error() -> None:
    responses.get(f"{BASE}/1", status=200, json={"error": {"message": "x", "code": 2}})
    with pytest.raises(PublishError) as info:
        make_client().get("/1", TOKEN)
    assert info.value.category is ErrorCategory.TRANSIENT


@responses.activate
def test_html_gateway_on_post_is_ambiguous() -> None:
    responses.post(f"{BASE}/1/feed", status=502, body="<html>Bad Gateway</html>", content_type="text/html")
    with pytest.raises(PublishError) as info:
        make_client().post("/1/feed", TOKEN, data={"message": "m"})
    assert (info.value.kind, info.value.ambiguous, info.value.http_status) == (ErrorKind.TEMPORARY, True, 502)


@responses.activate
def test_read_timeout_on_post_is_ambiguous_connect_timeout_is_not() -> None:
    responses.post(f"{BASE}/1/feed", body=requests.exceptions.ReadTimeout("read timed out"))
    responses.post(f"{BASE}/2/feed", body=requests.exceptions.ConnectTimeout("connect timed out"))
    client = make_client()
    with pytest.raises(PublishError) as first:
        client.post("/1/feed", TOKEN, data={"message": "m"})
    with pytest.raises(PublishError) as second:
        client.post("/2/feed", TOKEN, data={"message": "m"})
    assert first.value.ambiguous is True
    assert second.value.ambiguous is False


@responses.activate
def test_tokens_never_in_exception_text_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    responses.get(
        f"{BASE}/me",
        status=400,
        json={
            "error": {
                "message": f"Error validating access token: {TOKEN} is invalid",
                "type": "OAuthException",
                "code": 190,
                "error_subcode": 463,
                "fbtrace_id": "TRACE42",
            }
        },
    )
    url_with_token = f"{BASE}/1/feed?access_token={TOKEN}&appsecret_proof={expected_proof()}"
    responses.post(f"{BASE}/1/feed", body=requests.ConnectionError(f"Max retries exceeded with url: {url_with_token}"))
    client = make_client(app_secret=SECRET)
    errors: list[PublishError] = []
    with caplog.at_level(logging.DEBUG):
        calls: list[Callable[[], object]] = [
            lambda: client.get("/me", TOKEN),
            lambda: client.post("/1/feed", TOKEN, data={"message": "m"}),
        ]
        for call in calls:
            with pytest.raises(PublishError) as info:
                call()
            errors.append(info.value)
    token_err, network_err = errors
    assert token_err.category is ErrorCategory.TOKEN and token_err.subcode == 463
    assert network_err.category is ErrorCategory.NETWORK
    for err in errors:
        visible = f"{err} {err!r} {err.args}"
        assert TOKEN not in visible
        assert expected_proof() not in visible
        printed = "".join(traceback.format_exception(err))  # what a crash report would show
        assert TOKEN not in printed
        assert expected_proof() not in printed
    assert "GET /me -> 400 code=190 subcode=463 fbtrace_id=TRACE42" in caplog.text
    assert TOKEN not in caplog.text
    assert expected_proof() not in caplog.text
    assert SECRET not in caplog.text
    assert SECRET not in repr(client)


# ----- rate limits --------------------------------------------------------------------------------------


def usage_headers(app: float, buc: float = 0, regain: int = 0) -> dict[str, str]:
    return {
        "X-App-Usage": json.dumps({"call_count": app, "total_cputime": 1, "total_time": 1}),
        "X-Business-Use-Case-Usage": json.dumps(
            {
                "123": [
                    {
                        "type": "pages",
                        "call_count": buc,
                        "total_cputime": 0,
                        "total_time": 0,
                        "estimated_time_to_regain_access": regain,
                    }
                ]
            }
        ),
    }


@responses.activate
def test_usage_headers_are_read_and_high_usage_pauses_before_next_call() -> None:
    responses.get(f"{BASE}/a", json={}, headers=usage_headers(40, 20))
    responses.get(f"{BASE}/b", json={}, headers=usage_headers(10, 97, regain=12))
    responses.get(f"{BASE}/c", json={}, headers=usage_headers(150))
    responses.get(f"{BASE}/d", json={}, headers={"X-Page-Usage": json.dumps({"call_count": 5})})
    responses.get(f"{BASE}/e", json={})
    rec = Recorder()
    client = make_client(rec)

    client.get("/a", TOKEN)
    assert (client.usage, client.regain_after) == (40.0, None)
    client.get("/b", TOKEN)
    assert rec.sleeps == []  # 40 % before /b: no pause
    assert client.usage == 97.0
    assert client.regain_after == timedelta(minutes=12)

    client.get("/c", TOKEN)  # 97 % before /c: a short pause
    assert len(rec.sleeps) == 1 and 0 < rec.sleeps[0] < 5.0
    assert client.usage == 150.0

    client.get("/d", TOKEN)  # 150 % before /d: the longest pause, still bounded
    assert rec.sleeps[1] == 5.0
    assert client.usage == 5.0

    client.get("/e", TOKEN)  # 5 % before /e: no pause
    assert len(rec.sleeps) == 2
    assert client.usage == 0.0  # no headers: nothing known
    assert client.regain_after is None


@responses.activate
def test_throttle_error_carries_retry_after_from_headers() -> None:
    responses.post(
        f"{BASE}/1/feed",
        status=400,
        json={"error": {"message": "Page request limit reached", "code": 32, "fbtrace_id": "T"}},
        headers=usage_headers(100, 100, regain=25),
    )
    client = make_client()
    with pytest.raises(PublishError) as info:
        client.post("/1/feed", TOKEN, data={"message": "m"})
    assert info.value.category is ErrorCategory.THROTTLED
    assert info.value.retry_after == timedelta(minutes=25)
    assert client.regain_after == timedelta(minutes=25)
    assert client.usage == 100.0
