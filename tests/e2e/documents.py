"""Real files to upload, made the way applicants make them: a PDF from a document, a photo as JPEG."""

from pathlib import Path

from PIL import Image, ImageDraw
from weasyprint import HTML


def pdf_file(folder: Path, name: str, title: str) -> Path:
    path = folder / name
    HTML(string=f"<h1>{title}</h1><p>Document produit pour les tests de bout en bout.</p>").write_pdf(path)
    return path


def jpeg_file(folder: Path, name: str, text: str) -> Path:
    """A scanned page: light background, dark text, saved as a baseline JPEG."""
    path = folder / name
    image = Image.new("RGB", (1240, 1754), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 1160, 1674), outline=(40, 40, 40), width=4)
    draw.text((140, 160), text, fill=(20, 20, 20))
    image.save(path, format="JPEG", quality=85)
    return path
