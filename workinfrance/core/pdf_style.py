"""The fonts and parsed stylesheet of a WeasyPrint document, built once per process and template:
parsing the CSS and loading the Marianne fonts are most of WeasyPrint's fixed cost. The permit,
the decision letters and the applicant's printables all render through it."""

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

if TYPE_CHECKING:  # imported where used: WeasyPrint costs ~45 MB in every web worker
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration


@cache
def fonts_and_stylesheet(template: str, **context: object) -> "tuple[FontConfiguration, weasyprint.CSS]":
    """The font configuration and the stylesheet rendered from `template` (with `font_dir`, where
    the DSFR's Marianne fonts are, and `context`), to pass together to WeasyPrint."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    font_file = finders.find("dsfr/dist/fonts/Marianne-Regular.woff2")
    font_dir = Path(font_file).parent.as_uri() if font_file else ""
    css = render_to_string(template, {"font_dir": font_dir, **context})
    fonts = FontConfiguration()
    return fonts, weasyprint.CSS(string=css, font_config=fonts)
