"""The fonts and stylesheet of a document are built once per process, and the fonts WeasyPrint
copies for them do not outlive the process."""

import os
import subprocess
import sys

from django.conf import settings

from workinfrance.core.pdf_style import fonts_and_stylesheet


def test_the_fonts_and_stylesheet_are_built_once_per_template_and_context():
    # Parsing the CSS and loading the fonts were most of a permit's rendering time.
    permit = fonts_and_stylesheet("permits/pdf/permit.css", qr_size_mm=30)
    assert fonts_and_stylesheet("permits/pdf/permit.css", qr_size_mm=30) is permit
    assert fonts_and_stylesheet("permits/pdf/decision_letter.css") is not permit


def test_a_process_that_rendered_a_permit_leaves_no_font_folder_behind(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from workinfrance.core.pdf_style import fonts_and_stylesheet\n"
        "import weasyprint\n"
        "fonts, css = fonts_and_stylesheet('permits/pdf/permit.css', qr_size_mm=30)\n"
        "html = weasyprint.HTML(string='<p style=\"font-family: Marianne\">Autorisation</p>')\n"
        "assert html.write_pdf(stylesheets=[css], font_config=fonts).startswith(b'%PDF')\n"
        "import tempfile, pathlib\n"
        "assert list(pathlib.Path(tempfile.gettempdir()).glob('weasyprint-*')), 'the fonts were copied'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
            "TMPDIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.glob("weasyprint-*"))
    assert "Traceback" not in done.stderr and "TypeError" not in done.stderr
