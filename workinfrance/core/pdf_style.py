"""The fonts and parsed stylesheet of a WeasyPrint document, built once per process and template:
parsing the CSS and loading the Marianne fonts are most of WeasyPrint's fixed cost. The permit,
the decision letters and the applicant's printables all render through it."""

import atexit
import shutil
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
    atexit.register(_remove_font_folder, fonts)
    return fonts, weasyprint.CSS(string=css, font_config=fonts)


def _remove_font_folder(fonts: "FontConfiguration") -> None:
    """The temporary folder where WeasyPrint copied the fonts, removed when the process ends.

    WeasyPrint removes it in `FontConfiguration.__del__`, which for a configuration kept for the
    process's life runs during interpreter shutdown, after `shutil.rmtree` is gone: the folder
    stayed in /tmp (one per worker process, ~260 kB) and a TypeError was printed."""
    folder, fonts._folder = fonts._folder, None  # __del__ then has nothing left to do
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
