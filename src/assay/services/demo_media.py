"""Small media files made on the spot for the demo, so it needs no network and no image library.

A PNG street-scene stand-in (coloured shapes to draw boxes around) and a WAV tone: both formats
are simple enough to write with the standard library, and adding Pillow or an audio library
for two demo files would cost every install more than these forty lines.
"""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def demo_png(width: int = 480, height: int = 300) -> bytes:
    """A sky, a road, a red car and a blue sign: objects worth drawing boxes around."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            colour = (170, 205, 235) if y < height * 0.55 else (90, 90, 95)
            if 0.55 * height < y < 0.62 * height and (x // 40) % 2 == 0:
                colour = (230, 230, 230)
            if 120 < x < 260 and 150 < y < 220:
                colour = (200, 40, 40)  # car body
            if (x - 150) ** 2 + (y - 222) ** 2 < 300 or (x - 230) ** 2 + (y - 222) ** 2 < 300:
                colour = (20, 20, 20)  # wheels
            if 360 < x < 372 and 80 < y < 200:
                colour = (120, 120, 120)  # sign post
            if 330 < x < 402 and 50 < y < 100:
                colour = (40, 80, 200)  # sign
            rows.extend(colour)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + _chunk(b"IEND", b"")
    )


def demo_wav(seconds: float = 1.5, rate: int = 16_000) -> bytes:
    """A 440 Hz tone with a click in the middle (something for audio questions to hear)."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        sample = 0.3 * math.sin(2 * math.pi * 440 * i / rate)
        if abs(i - rate * seconds / 2) < 40:
            sample = 0.9
        frames.extend(struct.pack("<h", int(sample * 32767)))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))
    return out.getvalue()
