#!/usr/bin/env python3
"""Draws Overtime's app icon and the per-mode tray icons as PNGs, and packs the app icon into
icons/icon.ico for the Windows build (the window's resource file needs one); no image library
needed.

Run from the repository root: `python3 scripts/make-icons.py`. The output is committed under
icons/; rerun only to change the artwork.
"""
import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "icons"

# 5x7 glyphs for the letter drawn on each tray icon.
GLYPHS = {
    "R": ["1110", "1001", "1001", "1110", "1010", "1001", "1001"],
    "V": ["1001", "1001", "1001", "1001", "1001", "0110", "0110"],
    "I": ["111", "010", "010", "010", "010", "010", "111"],
    "P": ["1110", "1001", "1001", "1110", "1000", "1000", "1000"],
    "!": ["1", "1", "1", "1", "1", "0", "1"],
}


def png_bytes(size, pixel):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            row.extend(pixel(x + 0.5, y + 0.5))
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def png(path, size, pixel):
    path.write_bytes(png_bytes(size, pixel))


def ico(path, images):
    """Writes an ICO file holding `images`, a list of (size, PNG bytes). ICO entries may be whole
    PNG files (Windows Vista and later, windres and Tauri read them), so no BMP encoder is needed."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, data = b"", b""
    for size, image in images:
        # Width and height are one byte each; 0 stands for 256.
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(image), offset + len(data))
        data += image
    path.write_bytes(header + entries + data)


def hex_rgb(h):
    return tuple(int(h[i : i + 2], 16) for i in (1, 3, 5))


def tray(name, color, letter, size=64):
    rgb = hex_rgb(color)
    glyph = GLYPHS[letter]
    cell = size // 11
    gw, gh = len(glyph[0]) * cell, len(glyph) * cell
    ox, oy = (size - gw) // 2, (size - gh) // 2

    def pixel(x, y):
        c = size / 2
        d = math.hypot(x - c, y - c)
        a = max(0.0, min(1.0, (c - 2 - d) + 0.5))
        gx, gy = int((x - ox) // cell), int((y - oy) // cell)
        on = 0 <= gy < len(glyph) and 0 <= gx < len(glyph[0]) and glyph[gy][gx] == "1" and x >= ox and y >= oy
        r, g, b = (255, 255, 255) if on else rgb
        return (r, g, b, int(a * 255))

    png(OUT / f"tray-{name}.png", size, pixel)


def app_icon_pixels(size):
    def pixel(x, y):
        s = size / 256
        # Rounded dark square, an amber dial, and clock hands: "overtime".
        r = 48 * s
        inside_x = min(max(x, 8 * s + r), size - 8 * s - r)
        inside_y = min(max(y, 8 * s + r), size - 8 * s - r)
        corner = math.hypot(x - inside_x, y - inside_y)
        a = max(0.0, min(1.0, r - corner + 0.5))
        if a == 0:
            return (0, 0, 0, 0)
        c = size / 2
        d = math.hypot(x - c, y - c)
        col = (0x26, 0x32, 0x38)
        if d < 76 * s:
            col = (0xFF, 0xB3, 0x00)
            if (abs(x - c) < 6 * s and c - 50 * s < y < c + 4 * s) or (abs(y - c) < 6 * s and c - 4 * s < x < c + 40 * s):
                col = (0x26, 0x32, 0x38)
        return (*col, int(a * 255))

    return pixel


def app_icon(size):
    png(OUT / ("icon.png" if size == 256 else f"{size}x{size}.png"), size, app_icon_pixels(size))


def app_icon_ico():
    # The sizes Windows asks for: title bar and taskbar (16-32), Explorer's views (48-256).
    sizes = (16, 24, 32, 48, 64, 128, 256)
    ico(OUT / "icon.ico", [(s, png_bytes(s, app_icon_pixels(s))) for s in sizes])


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for name, color, letter in [
        ("rental", "#2e7d32", "R"),
        ("volunteer", "#1565c0", "V"),
        ("idle", "#616161", "I"),
        ("paused", "#ef6c00", "P"),
        ("alert", "#c62828", "!"),
    ]:
        tray(name, color, letter)
    for size in (256, 128, 32):
        app_icon(size)
    app_icon_ico()
