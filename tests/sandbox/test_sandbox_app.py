"""The sandbox's fake developer flow: the demo Meta app read with its app token, Live or in development."""

from __future__ import annotations

import requests

from autoposter_gui.sandbox import world
from autoposter_gui.sandbox.server import SandboxServer


def _get(server: SandboxServer, fields: str, token: str = world.APP_TOKEN) -> requests.Response:
    return requests.get(
        f"{server.url}/v24.0/{world.APP_ID}", params={"fields": fields, "access_token": token}, timeout=5
    )


def test_the_app_answers_its_name_and_mode_to_its_app_token(server: SandboxServer) -> None:
    assert _get(server, "id,name").json() == {"id": world.APP_ID, "name": world.APP_NAME}
    assert _get(server, "app_mode").json() == {"id": world.APP_ID, "app_mode": "live"}
    server.configure(app_live=False)
    assert _get(server, "app_mode").json()["app_mode"] == "development"
    server.reset()
    assert _get(server, "app_mode").json()["app_mode"] == "live"


def test_a_wrong_app_secret_is_refused(server: SandboxServer) -> None:
    answer = _get(server, "id,name", token=f"{world.APP_ID}|not-the-secret")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 190
