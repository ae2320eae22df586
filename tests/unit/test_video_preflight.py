"""Video preflight (domain/video.py): real files made with PyAV, and probe results checked against each target."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.video import (
    MB,
    VideoInfo,
    VideoRoute,
    format_duration,
    preflight_video,
    probe_video,
    route_for,
    video_preview,
)
from tests.support.videos import make_video, pad_video, reel_video


def _refusal(path: Path, platform: str) -> str:
    with pytest.raises(ValidationError) as caught:
        preflight_video(path, platform)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_portrait_h264_clip_is_a_reel_on_both_networks(tmp_path: Path) -> None:
    path = reel_video(tmp_path)
    info, route = preflight_video(path, "instagram")
    assert route is VideoRoute.IG_REEL
    assert (info.container, info.video_codec, info.audio_codec) == ("MP4", "h264", "aac")
    assert (info.width, info.height, info.fps) == (540, 960, 24.0)
    assert info.duration == pytest.approx(5.0, abs=0.1)
    assert info.size_bytes == path.stat().st_size
    assert preflight_video(path, "facebook")[1] is VideoRoute.FB_REEL


def test_landscape_video_goes_to_facebook_videos_and_is_an_instagram_reel(tmp_path: Path) -> None:
    path = make_video(tmp_path / "wide.mp4", width=320, height=180, seconds=4)
    assert preflight_video(path, "facebook")[1] is VideoRoute.FB_VIDEO
    assert preflight_video(path, "instagram")[1] is VideoRoute.IG_REEL


def test_mov_and_hevc_are_accepted(tmp_path: Path) -> None:
    mov = make_video(tmp_path / "clip.mov", container="mov", seconds=3.5)
    assert probe_video(mov).container in ("MOV", "MP4")
    assert preflight_video(mov, "instagram")[1] is VideoRoute.IG_REEL
    hevc = make_video(tmp_path / "hevc.mp4", codec="libx265", seconds=3.5, width=192, height=320)
    assert probe_video(hevc).video_codec == "hevc"
    assert preflight_video(hevc, "instagram")[1] is VideoRoute.IG_REEL


def test_vp9_in_mp4_is_refused_naming_the_codec(tmp_path: Path) -> None:
    path = make_video(tmp_path / "vp9.mp4", codec="libvpx-vp9", seconds=4)
    message = _refusal(path, "instagram")
    assert message.startswith("Instagram needs H.264 or HEVC video; this file is VP9")
    assert "export" in message
    assert _refusal(path, "facebook").startswith("Facebook needs H.264 or HEVC video; this file is VP9")


def test_webm_is_refused_for_its_container(tmp_path: Path) -> None:
    path = make_video(tmp_path / "clip.webm", codec="libvpx-vp9", seconds=4)
    message = _refusal(path, "instagram")
    assert "Instagram needs an MP4 or MOV file" in message and "WebM" in message


def test_opus_sound_is_refused(tmp_path: Path) -> None:
    path = make_video(tmp_path / "opus.mp4", audio="libopus", seconds=4)
    assert "needs AAC sound (or none); this file's sound is Opus" in _refusal(path, "instagram")


def test_a_two_second_clip_is_too_short_for_reels(tmp_path: Path) -> None:
    path = make_video(tmp_path / "short.mp4", seconds=2)
    assert _refusal(path, "instagram").startswith("This video is 2.0 s long; Instagram Reels need at least 3 s")
    # Facebook: not a Reel, but a plain video may be that short.
    assert preflight_video(path, "facebook")[1] is VideoRoute.FB_VIDEO


def test_too_wide_for_instagram(tmp_path: Path) -> None:
    path = make_video(tmp_path / "wide.mp4", width=2048, height=1080, seconds=3.2, fps=10)
    assert "2048 px wide; Instagram Reels take at most 1920 px" in _refusal(path, "instagram")


def test_rotation_is_applied_to_the_shape(tmp_path: Path) -> None:
    # Stored landscape, shown portrait (as phones record): 9:16 as the viewer sees it.
    path = make_video(tmp_path / "phone.mp4", width=960, height=540, rotation=-90, seconds=3.5, fps=10)
    info = probe_video(path)
    assert (info.width, info.height) == (540, 960)
    assert route_for(info, "facebook") is VideoRoute.FB_REEL


def _info(**changes: object) -> VideoInfo:
    base = VideoInfo(Path("v.mp4"), 10 * MB, "MP4", "h264", "aac", 44_100, 30.0, 30.0, 1080, 1920)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "platform", "expected"),
    [
        ({}, "instagram", VideoRoute.IG_REEL),
        ({}, "facebook", VideoRoute.FB_REEL),
        ({"duration": 91.0}, "facebook", VideoRoute.FB_VIDEO),  # too long for a Facebook Reel
        ({"width": 1080, "height": 1080}, "facebook", VideoRoute.FB_VIDEO),  # square
        ({"width": 360, "height": 640}, "facebook", VideoRoute.FB_VIDEO),  # under 540 px wide
        ({"duration": 14 * 60.0}, "instagram", VideoRoute.IG_REEL),
        ({"audio_codec": None, "audio_sample_rate": None}, "instagram", VideoRoute.IG_REEL),
    ],
)
def test_routes(changes: dict[str, object], platform: str, expected: VideoRoute) -> None:
    assert route_for(_info(**changes), platform) is expected


@pytest.mark.parametrize(
    ("changes", "platform", "fragment"),
    [
        ({"duration": 16 * 60.0}, "instagram", "This video is 16:00 long; Instagram Reels can be at most 15:00"),
        ({"size_bytes": 301 * MB}, "instagram", "This video is 301 MB; Instagram Reels take at most 300 MB"),
        ({"fps": 120.0}, "instagram", "120 frames per second; Instagram Reels take at most 60"),
        ({"fps": 120.0}, "facebook", "120 frames per second; Facebook videos take at most 60"),
        ({"audio_sample_rate": 96_000}, "instagram", "up to 48 kHz; this file's is 96 kHz"),
        ({"container": "3GP"}, "instagram", "Instagram needs an MP4 or MOV file"),
        ({"duration": 25 * 60.0, "width": 1920, "height": 1080}, "facebook", "Facebook videos can be at most 20:00"),
        ({"duration": 0.5}, "facebook", "This video is 0.5 s long; Facebook videos need at least 1 s"),
    ],
)
def test_refusals(changes: dict[str, object], platform: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        route_for(_info(**changes), platform)
    assert fragment in str(caught.value)


def test_preflight_uses_the_probe_it_is_given() -> None:
    info = _info(video_codec="vp9")
    with pytest.raises(ValidationError, match="this file is VP9"):
        preflight_video("any.mp4", "instagram", probe=lambda _path: info)


def test_files_that_are_not_videos(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n" * 100)
    with pytest.raises(ValidationError, match=r"Can.t read notes\.mp4 as a video"):
        probe_video(text)
    with pytest.raises(ValidationError, match="Video not found"):
        probe_video(tmp_path / "missing.mp4")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="empty"):
        probe_video(empty)
    with pytest.raises(ValidationError, match="folder"):
        probe_video(tmp_path)


def test_a_padded_file_counts_its_full_size(tmp_path: Path) -> None:
    path = pad_video(reel_video(tmp_path), 40 * MB)
    info = probe_video(path)
    assert info.size_bytes == 40 * MB
    assert info.video_codec == "h264" and info.duration == pytest.approx(5.0, abs=0.1)


def test_preview_is_the_first_frame_scaled_with_the_duration(tmp_path: Path) -> None:
    path = make_video(tmp_path / "blue.mp4", width=540, height=960, seconds=3, fps=10, color=(20, 40, 220))
    preview = video_preview(path, max_side=160)
    assert max(preview.image.size) == 160
    assert preview.image.size[0] < preview.image.size[1]  # portrait
    r, _g, b = preview.image.convert("RGB").getpixel((40, 80))  # type: ignore[misc]
    assert b > 180 and r < 60
    assert preview.duration == pytest.approx(3.0, abs=0.1)
    assert preview.duration_label == "0:03"


def test_preview_turns_a_rotated_video_upright(tmp_path: Path) -> None:
    path = make_video(tmp_path / "phone.mp4", width=320, height=180, rotation=-90, seconds=1, fps=10)
    assert video_preview(path).image.size == (180, 320)


def test_preview_of_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mov"
    broken.write_bytes(b"\x00\x00\x00\x18ftypqt  " + bytes(100))
    with pytest.raises(ValidationError, match=r"Can.t read broken\.mov"):
        video_preview(broken)


@pytest.mark.parametrize(("seconds", "label"), [(4.6, "0:05"), (90, "1:30"), (3723, "1:02:03")])
def test_format_duration(seconds: float, label: str) -> None:
    assert format_duration(seconds) == label


def test_probe_video_command_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from autoposter_gui.app import probe_video_command

    assert probe_video_command(str(reel_video(tmp_path))) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["video_codec"] == "h264" and info["routes"] == {"facebook": "fb_reel", "instagram": "ig_reel"}
    short = make_video(tmp_path / "short.mp4", seconds=2)
    assert probe_video_command(str(short)) == 0
    assert json.loads(capsys.readouterr().out)["routes"]["instagram"].startswith("refused: This video is 2.0 s")
    assert probe_video_command(str(tmp_path / "none.mp4")) == 2
    assert "Video not found" in capsys.readouterr().err
