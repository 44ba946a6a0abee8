"""The QR code of the seal: error correction M, one alphanumeric segment (the seal's text is all in the
alphanumeric set), printed QR_SIZE_MM wide as a PNG of one pixel per module, quiet zone included.

Encoded by zxing-cpp (C++, about 1 ms) rather than segno: segno's pure-Python choice of the mask
pattern cost 20 ms of each permit's 150 ms budget. A test checks the symbol against segno's encoding
of the same text (same version, level, mode and modules), an independent implementation.
The PNG is drawn without interpolation (`image-rendering: pixelated` in the permit's style): crisp
modules at any zoom or print resolution, and WeasyPrint embeds it at a fraction of the cost of an
SVG path of several thousand points.
"""

import io
from typing import Any, cast

import zxingcpp
from PIL import Image

QR_SIZE_MM = 38  # printed size including the quiet zone (35-40 mm: scans well, fits the page)
QUIET_ZONE_MODULES = 4  # the minimum ISO/IEC 18004 asks for; zxing-cpp adds exactly this
ERROR_CORRECTION = "M"  # a choice (size vs robustness), not a floor a library may raise


def qr_modules(text: str) -> list[list[bool]]:
    """The symbol's modules, quiet zone included, row by row (True: dark)."""
    width, pixels = _symbol(text)
    return [[pixel == 0 for pixel in pixels[start : start + width]] for start in range(0, len(pixels), width)]


def qr_png(text: str) -> bytes:
    """A 1-bit PNG, one pixel per module, quiet zone included."""
    width, pixels = _symbol(text)
    image = Image.frombytes("L", (width, len(pixels) // width), pixels).convert("1")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _symbol(text: str) -> tuple[int, bytes]:
    """(width, pixels): one byte a module, row by row, quiet zone included; 0 dark, 255 light."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ERROR_CORRECTION)
    image = barcode.to_image(scale=1, add_quiet_zones=True)
    # zxing-cpp's Image has the buffer protocol (its type hints do not say so).
    return image.shape[1], memoryview(cast(Any, image)).tobytes()
