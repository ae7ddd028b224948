"""Render the app icon from `resources/icons/netready.svg` for the bundles.

    python packaging/make_icons.py OUT_DIR

writes `netready.png` (256 px, Linux), `netready.ico` (Windows: 16-256 px) and
`netready.icns` (macOS: 16-1024 px). Qt (PySide6, a netready dependency) renders the SVG on
its offscreen platform; the ICO and ICNS containers hold PNG images and are written here,
so no image tool is needed on any of the three systems. Nothing generated is committed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SOURCE = Path(__file__).resolve().parents[1] / "resources" / "icons" / "netready.svg"

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: ICNS element types that may hold a PNG, by edge length in pixels
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09",
              1024: b"ic10"}  # fmt: skip


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """The icon as a `size` x `size` PNG with an alpha channel."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # stubs say bytes; Qt takes str
        raise RuntimeError(f"Qt could not encode a {size} px PNG")
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon: ICONDIR, one 16-byte entry per image, then the PNGs themselves."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    entries, images = b"", b""
    offset = len(header) + 16 * len(pngs)
    for size, png in sorted(pngs.items()):
        edge = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(png), offset + len(images))
        images += png
    return header + entries + images


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon: 'icns', the total length, then (type, length, PNG) elements."""
    elements = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png
        for size, png in sorted(pngs.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(elements)) + elements


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    app = QGuiApplication.instance() or QGuiApplication(["make_icons"])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise RuntimeError(f"Qt cannot read {SOURCE}")
    sizes = sorted(set(ICO_SIZES) | set(ICNS_TYPES))
    pngs = {size: render_png(renderer, size) for size in sizes}
    (out / "netready.png").write_bytes(pngs[256])
    (out / "netready.ico").write_bytes(ico({size: pngs[size] for size in ICO_SIZES}))
    (out / "netready.icns").write_bytes(icns({size: pngs[size] for size in ICNS_TYPES}))
    del app
    print(f"icons written to {out}: netready.png, netready.ico, netready.icns")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
