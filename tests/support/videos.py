"""Small test videos made with PyAV (into a test's tmp_path): no binary fixtures in the repository."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image


def make_video(
    path: Path,
    *,
    codec: str = "libx264",
    width: int = 180,
    height: int = 320,
    fps: int = 30,
    seconds: float = 5.0,
    container: str | None = None,
    audio: str | None = None,
    sample_rate: int = 48_000,
    rotation: int | None = None,
    color: tuple[int, int, int] = (200, 40, 40),
) -> Path:
    """Encode a plain-colour clip (``audio``: "aac", "libopus", ... adds a silent track). Returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=container) as out:
        video = out.add_stream(codec, rate=Fraction(fps))
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        if rotation is not None:
            video.set_display_rotation(rotation)
        sound = out.add_stream(audio, rate=sample_rate) if audio else None
        image = Image.new("RGB", (width, height), color)
        for index in range(round(fps * seconds)):
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if sound is not None:
            samples = 1024
            for index in range(round(sample_rate * seconds / samples)):
                chunk = av.AudioFrame(format="fltp", layout="mono", samples=samples)
                chunk.planes[0].update(bytes(4 * samples))
                chunk.sample_rate, chunk.pts = sample_rate, index * samples
                for packet in sound.encode(chunk):
                    out.mux(packet)
            for packet in sound.encode():
                out.mux(packet)
    return path


def pad_video(path: Path, total_bytes: int) -> Path:
    """Grow an MP4/MOV to ``total_bytes`` with a trailing ``free`` box (players and Meta ignore it): a big file that
    is still a valid video, made in seconds."""
    extra = total_bytes - path.stat().st_size
    if extra < 16:
        return path
    chunk = bytes(1024 * 1024)
    with path.open("ab") as fh:
        fh.write(struct.pack(">I4sQ", 1, b"free", extra))  # size 1: a 64-bit size follows
        left = extra - 16
        while left > 0:
            fh.write(chunk[: min(left, len(chunk))])
            left -= min(left, len(chunk))
    return path


def reel_video(tmp_path: Path, name: str = "reel.mp4", **kwargs: object) -> Path:
    """A 5 s 540x960 H.264 + AAC clip: fits Instagram and Facebook Reels."""
    options: dict[str, object] = {"width": 540, "height": 960, "seconds": 5.0, "audio": "aac", "fps": 24}
    options.update(kwargs)
    return make_video(tmp_path / name, **options)  # type: ignore[arg-type]
