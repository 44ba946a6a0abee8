"""Uploaded files rewritten before they are stored, so what an agent opens carries no code.

- PDF: parsed and written anew by qpdf (pikepdf). Everything that can act rather than show is
  removed — JavaScript, actions (document open, page, bookmark, annotation, form field),
  embedded and attached files, XFA, rich media; annotations and form fields are drawn into the
  page as they look (flattened), so what the agent sees stays and nothing is left to click.
  Bytes outside the PDF's objects (an HTML page or a zip glued to the file) do not survive the
  rewrite. A file qpdf cannot read, or one that is encrypted, is refused.
- Images: decoded into pixels (only after the header's width and height are checked against
  `WIF_UPLOAD_MAX_PIXELS`) and encoded again by Pillow: metadata (EXIF position included),
  trailing data and any second frame are gone.
"""

import io

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from .errors import UploadRefused

# Keys whose value acts when the document is opened or used (PDF 2.0, ISO 32000-2).
ACTIVE_KEYS = ("/OpenAction", "/AA", "/JavaScript", "/JS", "/AcroForm", "/XFA", "/EmbeddedFiles")
# Annotations that carry files, media or scripts, removed whole; and form fields still there after
# flattening (they had no picture to draw, so nothing visible goes with them).
ACTIVE_ANNOTATIONS = {"/FileAttachment", "/Movie", "/Sound", "/Screen", "/RichMedia", "/3D", "/Widget"}
# The only action kept on a remaining annotation or bookmark: a jump inside the document.
SAFE_ACTIONS = {"/GoTo"}
MAX_OUTLINE_ITEMS = 10_000


def _strip_keys(dictionary, keys=ACTIVE_KEYS) -> int:
    removed = 0
    for key in keys:
        if key in dictionary:
            del dictionary[key]
            removed += 1
    return removed


def _strip_action(dictionary) -> int:
    import pikepdf  # imported where used: no web page but an upload needs it

    removed = _strip_keys(dictionary)
    if "/A" in dictionary:
        action = dictionary.get("/A")
        if not isinstance(action, pikepdf.Dictionary) or action.get("/S") not in SAFE_ACTIONS:
            del dictionary["/A"]
            removed += 1
    return removed


def _strip_outlines(root) -> int:
    """Bookmarks may carry actions too (JavaScript, launch, links out)."""
    import pikepdf  # imported where used: no web page but an upload needs it

    outlines = root.get("/Outlines")
    if not isinstance(outlines, pikepdf.Dictionary):
        return 0
    removed, pending, visited = 0, [outlines.get("/First")], 0
    while pending and visited < MAX_OUTLINE_ITEMS:
        item = pending.pop()
        if not isinstance(item, pikepdf.Dictionary):
            continue
        visited += 1
        removed += _strip_action(item)
        pending += [item.get("/First"), item.get("/Next")]
    return removed


def pdf_sanitize(data: bytes, *, name: str) -> tuple[bytes, int]:
    """The PDF rewritten without active content, and how many active parts were removed."""
    import pikepdf  # imported where used: no web page but an upload needs it

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise UploadRefused(
            _("Le PDF « %(name)s » est protégé par un mot de passe : enregistrez-le sans protection.")
            % {"name": name}
        ) from None
    except pikepdf.PdfError:
        raise UploadRefused(
            _("Le fichier « %(name)s » n'est pas un PDF lisible. Enregistrez-le de nouveau en PDF.")
            % {"name": name}
        ) from None
    with pdf:
        if pdf.is_encrypted:
            raise UploadRefused(
                _("Le PDF « %(name)s » est protégé par un mot de passe : enregistrez-le sans protection.")
                % {"name": name}
            )
        if len(pdf.pages) > settings.WIF_UPLOAD_MAX_PDF_PAGES:
            raise UploadRefused(
                _("Le PDF « %(name)s » compte plus de %(max)s pages.")
                % {"name": name, "max": settings.WIF_UPLOAD_MAX_PDF_PAGES}
            )
        root = pdf.Root
        removed = 0
        if "/AcroForm" in root:
            # A form is drawn into its pages as it looks (qpdf draws text fields that have no
            # picture yet), then its fields, actions and scripts go.
            if isinstance(root.AcroForm, pikepdf.Dictionary):
                _strip_keys(root.AcroForm, ("/XFA",))
            pdf.generate_appearance_streams()
            removed += 1
        pdf.flatten_annotations("all")
        removed += _strip_keys(root) + _strip_outlines(root)
        if isinstance(root.get("/Names"), pikepdf.Dictionary):
            removed += _strip_keys(root.Names)
            if not root.Names.keys():
                del root["/Names"]
        for page in pdf.pages:
            removed += _strip_keys(page.obj)
            if "/Annots" not in page.obj:
                continue
            kept = pikepdf.Array()
            for annotation in page.obj.Annots:
                if not isinstance(annotation, pikepdf.Dictionary):
                    continue
                if annotation.get("/Subtype") in ACTIVE_ANNOTATIONS:
                    removed += 1
                    continue
                removed += _strip_action(annotation)
                kept.append(annotation)
            page.obj.Annots = pdf.make_indirect(kept)
        # qpdf writes only the objects still reachable from the catalogue: the removed scripts and
        # files, and anything outside the PDF's objects, are not in the output.
        out = io.BytesIO()
        pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue(), removed


IMAGE_OUTPUT = {"jpeg": "JPEG", "png": "PNG"}


def image_reencode(data: bytes, *, name: str, document_format: str) -> bytes:
    """The image drawn again from its pixels, in the same format, without anything else."""
    too_large = _(
        "L'image « %(name)s » est trop grande : %(max)s millions de pixels au plus. Réduisez-la ou "
        "numérisez-la en résolution plus basse."
    ) % {"name": name, "max": settings.WIF_UPLOAD_MAX_PIXELS // 1_000_000}
    unreadable = _("L'image « %(name)s » est illisible. Enregistrez-la de nouveau en JPEG ou PNG.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > settings.WIF_UPLOAD_MAX_PIXELS:
                raise UploadRefused(too_large)
            if (image.format or "").lower() != IMAGE_OUTPUT[document_format].lower():
                raise UploadRefused(unreadable % {"name": name})
            image.seek(0)  # first frame only
            image.load()
            pixels = ImageOps.exif_transpose(image)
    except UploadRefused:
        raise
    except Image.DecompressionBombError:  # Pillow's own ceiling, far above ours, met at open()
        raise UploadRefused(too_large) from None
    except (OSError, ValueError, SyntaxError):
        raise UploadRefused(unreadable % {"name": name}) from None
    out = io.BytesIO()
    if document_format == "jpeg":
        if pixels.mode not in {"RGB", "L"}:
            pixels = pixels.convert("RGB")
        pixels.save(out, format="JPEG", quality=90, optimize=True)
    else:
        if pixels.mode not in {"RGB", "RGBA", "L", "LA", "P", "1"}:
            pixels = pixels.convert("RGBA")
        pixels.save(out, format="PNG", optimize=False)
    return out.getvalue()
