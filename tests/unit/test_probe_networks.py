"""`autoposter-gui --probe-networks`: every network loads by name, checks a post and prepares its sign-in offline
(the packaged build runs it to prove the network packages, their OAuth libraries and data files were bundled)."""

from __future__ import annotations

import json

import pytest

from autoposter_gui.app import _main


def test_probe_networks_prints_each_network_s_sign_in_path_and_preflight(capsys: pytest.CaptureFixture[str]) -> None:
    assert _main(["--probe-networks"], gc_was_enabled=True) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == ["meta", "x", "google"]
    assert report["x"] == {"labels": ["X"], "preflight": [], "sign_in": "/i/oauth2/authorize"}
    assert report["google"] == {"labels": ["Google Business Profile"], "preflight": [], "sign_in": "/o/oauth2/auth"}
    assert report["meta"]["sign_in"] is None and report["meta"]["labels"] == ["Facebook", "Instagram"]
    assert any("Instagram" in p for p in report["meta"]["preflight"])  # the sample has no image
