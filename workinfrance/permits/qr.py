"""The QR code of the seal: one alphanumeric segment, error correction M, SVG of a fixed printed size."""

import io

import segno

QR_SIZE_MM = 38  # printed size including the quiet zone (35-40 mm: scans well, fits the page)
QUIET_ZONE_MODULES = 4  # the minimum ISO/IEC 18004 asks for


def qr_code(text: str) -> segno.QRCode:
    # boost_error off: level M is a choice (size vs robustness), not a floor to raise silently.
    return segno.make_qr(text, error="m", boost_error=False, mode="alphanumeric")


def qr_svg(text: str, *, size_mm: float = QR_SIZE_MM) -> str:
    """An SVG `size_mm` wide, quiet zone included, black on white."""
    code = qr_code(text)
    modules = code.symbol_size(border=QUIET_ZONE_MODULES)[0]
    buffer = io.BytesIO()
    code.save(
        buffer,
        kind="svg",
        scale=size_mm / modules,
        unit="mm",
        border=QUIET_ZONE_MODULES,
        dark="#000",
        light="#fff",
        xmldecl=False,
        nl=False,
        svgclass=None,
        lineclass=None,
    )
    return buffer.getvalue().decode("ascii")
