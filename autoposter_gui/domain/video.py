"""Video preflight: read a file's container, codecs, duration, frame rate and size with PyAV, check them against
what the target (Instagram Reels, Facebook Reels, Facebook video) accepts, and make a first-frame preview."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.domain.media_files import existing_file, require_readable

if TYPE_CHECKING:
    from fractions import Fraction  # only a type here (PyAV's rates); the module loads decimal

    from PIL import Image

MB = 1024 * 1024
VIDEO_CODECS = {"h264": "H.264", "hevc": "HEVC"}
AUDIO_CODECS = {"aac": "AAC"}
MAX_AUDIO_SAMPLE_RATE = 48_000
# The file types a post may carry (the container is what PyAV reads, whatever the file is called).
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi"})
# PyAV's names for codecs the owner will recognise.
_CODEC_NAMES = {
    "h264": "H.264",
    "hevc": "HEVC",
    "vp8": "VP8",
    "vp9": "VP9",
    "av1": "AV1",
    "mpeg4": "MPEG-4 Part 2",
    "prores": "ProRes",
    "mjpeg": "Motion JPEG",
    "aac": "AAC",
    "mp3": "MP3",
    "opus": "Opus",
    "vorbis": "Vorbis",
    "ac3": "AC-3",
    "eac3": "E-AC-3",
    "flac": "FLAC",
    "alac": "ALAC",
}
# A Facebook video that fits these goes out as a Reel: 9:16-ish portrait (width / height).
FB_REEL_RATIO = (0.5, 0.6)
FB_REEL_MIN_WIDTH = 540


class VideoRoute(StrEnum):
    """How a video goes out."""

    IG_REEL = "ig_reel"  # Instagram: every video is a Reel
    FB_REEL = "fb_reel"  # Facebook: /{page}/video_reels
    FB_VIDEO = "fb_video"  # Facebook: /{page}/videos


@dataclass(frozen=True)
class VideoInfo:
    """What preflight needs to know of a video file (``width`` and ``height`` as shown, rotation applied)."""

    path: Path
    size_bytes: int
    container: str  # "MP4", "MOV", or what PyAV calls another container ("matroska,webm", ...)
    video_codec: str  # PyAV's name: "h264", "hevc", "vp9", ...
    audio_codec: str | None  # None: no sound
    audio_sample_rate: int | None
    duration: float  # seconds
    fps: float
    width: int
    height: int

    @property
    def aspect(self) -> float:
        return self.width / self.height if self.height else 0.0


@dataclass(frozen=True)
class VideoLimits:
    """One target's limits: seconds, bytes, frames per second and pixels."""

    name: str  # as the owner reads it in a refusal: "Instagram Reels"
    network: str  # "Instagram" | "Facebook"
    min_seconds: float
    max_seconds: float
    max_bytes: int
    max_fps: float
    max_width: int


IG_REELS = VideoLimits("Instagram Reels", "Instagram", 3.0, 15 * 60.0, 300 * MB, 60.0, 1920)
FB_REELS = VideoLimits("Facebook Reels", "Facebook", 3.0, 90.0, 1024 * MB, 60.0, 1920)
# POST /{page}/videos in one (non-resumable) request: Meta's limit is 1 GB and 20 minutes.
FB_VIDEO = VideoLimits("Facebook videos", "Facebook", 1.0, 20 * 60.0, 1024 * MB, 60.0, 4096)
LIMITS = {VideoRoute.IG_REEL: IG_REELS, VideoRoute.FB_REEL: FB_REELS, VideoRoute.FB_VIDEO: FB_VIDEO}


def codec_label(name: str | None) -> str:
    """``vp9`` -> ``VP9``: a codec as the owner knows it."""
    if not name:
        return "unknown"
    return _CODEC_NAMES.get(name, name.upper())


def _container_label(format_name: str, brand: str) -> str:
    if "mov" in format_name.split(",") or "mp4" in format_name.split(","):
        if brand.strip().lower() == "qt":
            return "MOV"
        if brand.lower().startswith("3g"):
            return "3GP"
        return "MP4"
    short = format_name.split(",")
    return "WebM" if "webm" in short else short[0].upper()


def _rate(value: Fraction | None) -> float:
    return float(value) if value else 0.0


def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Read the file's headers and first frame with PyAV (never the whole file); ValidationError if it can't."""
    import av

    p, size = existing_file(path, "video")
    require_readable(p, "video")
    try:
        with av.open(str(p), mode="r") as container:
            if not container.streams.video:
                raise ValidationError(f"This file has no video in it: {p.name}; choose a video file", field="video")
            video = container.streams.video[0]
            audio = container.streams.audio[0] if container.streams.audio else None
            label = _container_label(container.format.name, str(container.metadata.get("major_brand", "")))
            duration = _duration(container.duration, video)
            fps = _rate(video.average_rate) or _rate(video.guessed_rate) or _rate(video.base_rate)
            width, height = video.codec_context.width, video.codec_context.height
            rotation = _first_frame_rotation(container, video)
            if rotation % 180 != 0:
                width, height = height, width
            return VideoInfo(
                path=p,
                size_bytes=size,
                container=label,
                video_codec=video.codec_context.name,
                audio_codec=audio.codec_context.name if audio is not None else None,
                audio_sample_rate=audio.codec_context.sample_rate if audio is not None else None,
                duration=duration,
                fps=fps,
                width=width,
                height=height,
            )
    except ValidationError:
        raise
    except (av.FFmpegError, OSError, ValueError, IndexError, StopIteration):
        raise ValidationError(
            f"Can't read {p.name} as a video; it may be damaged or not a video. Choose an MP4 or MOV file",
            field="video",
        ) from None


def _duration(container_duration: int | None, video: object) -> float:
    import av

    if container_duration:
        return container_duration / av.time_base
    stream_duration = getattr(video, "duration", None)
    time_base = getattr(video, "time_base", None)
    if stream_duration and time_base:
        return float(stream_duration * time_base)
    return 0.0


def _first_frame_rotation(container: object, video: object) -> int:
    """The display rotation (degrees) of the first frame; 0 when it can't be decoded here (checked elsewhere)."""
    import av

    try:
        for frame in container.decode(video):  # type: ignore[attr-defined]
            return int(getattr(frame, "rotation", 0) or 0)
    except av.FFmpegError:
        return 0
    return 0


def check_video(info: VideoInfo, limits: VideoLimits) -> None:
    """Raise ValidationError, saying what is wrong and what fixes it, if the target can't take this video."""
    net, name, fname = limits.network, limits.name, info.path.name
    export = "export it again as MP4 with H.264 video and AAC sound"
    if info.container not in ("MP4", "MOV"):
        raise ValidationError(f"{net} needs an MP4 or MOV file; {fname} is {info.container}: {export}", field="video")
    if info.video_codec not in VIDEO_CODECS:
        raise ValidationError(
            f"{net} needs H.264 or HEVC video; this file is {codec_label(info.video_codec)}: {export}", field="video"
        )
    if info.audio_codec is not None and info.audio_codec not in AUDIO_CODECS:
        raise ValidationError(
            f"{net} needs AAC sound (or none); this file's sound is {codec_label(info.audio_codec)}: {export}",
            field="video",
        )
    if info.audio_sample_rate is not None and info.audio_sample_rate > MAX_AUDIO_SAMPLE_RATE:
        raise ValidationError(
            f"{net} takes sound sampled at up to 48 kHz; this file's is {info.audio_sample_rate / 1000:g} kHz: "
            f"{export} at 48 kHz",
            field="video",
        )
    if info.duration < limits.min_seconds:
        raise ValidationError(
            f"This video is {info.duration:.1f} s long; {name} need at least {limits.min_seconds:g} s: "
            "use a longer clip",
            field="video",
        )
    if info.duration > limits.max_seconds:
        raise ValidationError(
            f"This video is {_clock(info.duration)} long; {name} can be at most {_clock(limits.max_seconds)}: trim it",
            field="video",
        )
    if info.size_bytes > limits.max_bytes:
        raise ValidationError(
            f"This video is {info.size_bytes / MB:.0f} MB; {name} take at most {limits.max_bytes // MB} MB: "
            "export it at a lower bitrate",
            field="video",
        )
    if info.fps > limits.max_fps + 0.01:
        raise ValidationError(
            f"This video runs at {info.fps:.0f} frames per second; {name} take at most {limits.max_fps:g}: "
            f"export it at 30 or {limits.max_fps:g} fps",
            field="video",
        )
    if info.width > limits.max_width:
        raise ValidationError(
            f"This video is {info.width} px wide; {name} take at most {limits.max_width} px: "
            f"export it at {limits.max_width} px wide or less",
            field="video",
        )


def fits_fb_reel(info: VideoInfo) -> bool:
    """A Facebook video goes out as a Reel when it is 9:16-ish, at least 540 px wide and 3 to 90 s long."""
    try:
        check_video(info, FB_REELS)
    except ValidationError:
        return False
    return FB_REEL_RATIO[0] <= info.aspect <= FB_REEL_RATIO[1] and info.width >= FB_REEL_MIN_WIDTH


def route_for(info: VideoInfo, platform: str) -> VideoRoute:
    """Where the video goes on ``platform`` ("facebook" | "instagram"); ValidationError if it can't go at all."""
    if platform == "instagram":
        check_video(info, IG_REELS)
        return VideoRoute.IG_REEL
    if fits_fb_reel(info):
        return VideoRoute.FB_REEL
    check_video(info, FB_VIDEO)
    return VideoRoute.FB_VIDEO


def preflight_video(
    path: str | os.PathLike[str], platform: str, *, probe: Callable[[str | os.PathLike[str]], VideoInfo] = probe_video
) -> tuple[VideoInfo, VideoRoute]:
    """Read the video and check it for ``platform``: its facts and how it goes out, or ValidationError."""
    info = probe(path)
    return info, route_for(info, platform)


def _clock(seconds: float) -> str:
    """Minutes and seconds: 0:05, 1:30, 15:00."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def format_duration(seconds: float) -> str:
    """A video's length as the composer shows it under the first frame: 0:05, 1:30, 1:02:03."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    if hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return _clock(whole)


@dataclass(frozen=True)
class VideoPreview:
    """A video's first frame (scaled to fit ``max_side``, rotation applied) and its length in seconds."""

    image: Image.Image
    duration: float

    @property
    def duration_label(self) -> str:
        return format_duration(self.duration)


def video_preview(path: str | os.PathLike[str], max_side: int = 320) -> VideoPreview:
    """Decode the first frame and read the duration, for the composer's thumbnail. Blocking (it decodes): call it
    off the GUI thread. ValidationError if the file can't be read as a video."""
    import av
    from PIL import Image

    p = Path(path).expanduser()
    try:
        with av.open(str(p), mode="r") as container:
            if not container.streams.video:
                raise ValidationError(f"This file has no video in it: {p.name}; choose a video file", field="video")
            video = container.streams.video[0]
            video.thread_type = "AUTO"
            frame = next(container.decode(video))
            image = frame.to_image()  # type: ignore[no-untyped-call]
            rotation = int(getattr(frame, "rotation", 0) or 0) % 360
            duration = _duration(container.duration, video)
    except ValidationError:
        raise
    except (av.FFmpegError, OSError, ValueError, StopIteration):
        raise ValidationError(f"Can't read {p.name} as a video; choose an MP4 or MOV file", field="video") from None
    if rotation:
        # A display matrix rotates counter-clockwise by ``rotation`` degrees; PIL's rotate does the same.
        image = image.rotate(rotation, expand=True)
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return VideoPreview(image, duration)
