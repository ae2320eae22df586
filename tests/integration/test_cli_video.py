"""The CLI's --video (issue 13): a video the target refuses is refused (exit 2, one line, nothing written); an
accepted one is queued as a video and published as a Reel by run-due."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import connected_cli_env, ok, post_now, refused_post, run_cli
from tests.support.helpers import BAKERY, BAKERY_IG
from tests.support.videos import make_video, reel_video


@pytest.fixture
def env(tmp_path: Path, sandbox: Any) -> dict[str, str]:
    return connected_cli_env(tmp_path, sandbox)


def test_videos_the_target_refuses(env: dict[str, str], tmp_path: Path) -> None:
    vp9 = make_video(tmp_path / "vp9.mp4", codec="libvpx-vp9", seconds=4)
    line = refused_post(env, "--account", BAKERY_IG, "--text", "x", "--video", str(vp9))
    assert "Instagram needs H.264 or HEVC video; this file is VP9" in line
    short = make_video(tmp_path / "short.mp4", seconds=2)
    line = refused_post(env, "--account", BAKERY_IG, "--text", "x", "--video", str(short))
    assert "This video is 2.0 s long; Instagram Reels need at least 3 s" in line
    webm = make_video(tmp_path / "clip.webm", codec="libvpx-vp9", seconds=4)
    assert "Facebook needs an MP4 or MOV file" in refused_post(
        env, "--account", BAKERY, "--text", "x", "--video", str(webm)
    )
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n" * 50)
    assert "Can't read notes.mp4 as a video" in refused_post(
        env, "--account", BAKERY, "--text", "x", "--video", str(text)
    )
    missing = str(tmp_path / "missing.mp4")
    assert "Video not found" in refused_post(env, "--account", BAKERY, "--text", "x", "--video", missing)


def test_a_reel_to_both_networks(env: dict[str, str], tmp_path: Path, sandbox: Any) -> None:
    path = reel_video(tmp_path)
    rows = post_now(env, "Reel day", "--video", str(path), accounts=(BAKERY, BAKERY_IG))
    assert len(rows) == 2
    items = ok(run_cli(env, "queue", "--json"))
    for item in items:
        (media,) = item["media"]
        assert media["kind"] == "video" and item["image_path"] is None
        assert Path(media["path"]).read_bytes() == path.read_bytes()  # the media store's copy
        assert media["path"] != str(path)
    assert run_cli(env, "run-due", "--json").code == 0
    posted = ok(run_cli(env, "queue", "--json"))
    assert {i["status"] for i in posted} == {"posted"}
    assert all(i["permalink"] for i in posted)
    kinds = sorted(v["kind"] for v in sandbox.state()["videos"])
    assert kinds == ["fb_reel", "ig_reel"]
