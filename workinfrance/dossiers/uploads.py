"""Checks shared by every upload (applicant's documents, message attachments, back-office).

The type is decided by the file's first bytes; the name's extension and the browser's declared
content type must then agree with it (a renamed file is refused, not guessed at). What is stored
is not the upload itself but its rewrite (`sanitize`): a PDF without active content, an image
drawn again from its pixels. Each refusal says why, in the user's language."""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from workinfrance.procedures.models import DocumentFormat

from .errors import UploadRefused
from .sanitize import image_reencode, pdf_sanitize

# Format -> (content type served back, magic bytes at offset 0).
SIGNATURES = {
    DocumentFormat.PDF: ("application/pdf", b"%PDF-"),
    DocumentFormat.JPEG: ("image/jpeg", b"\xff\xd8\xff"),
    DocumentFormat.PNG: ("image/png", b"\x89PNG\r\n\x1a\n"),
}
HEAD_LENGTH = 8
# What a name or a browser may call each format; the first extension is the one stored.
EXTENSIONS = {
    DocumentFormat.PDF: (".pdf",),
    DocumentFormat.JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    DocumentFormat.PNG: (".png",),
}
DECLARED_TYPES = {
    DocumentFormat.PDF: {"application/pdf", "application/x-pdf"},
    DocumentFormat.JPEG: {"image/jpeg", "image/pjpeg", "image/jpg"},
    DocumentFormat.PNG: {"image/png", "image/x-png"},
}
# Declarations that say nothing (a browser that does not know the extension).
UNDECLARED_TYPES = {"", "application/octet-stream"}


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    original_name: str
    format: str
    content_type: str
    size: int
    sha256: str
    extension: str


def detect_format(head: bytes) -> str | None:
    for document_format, (_content_type, magic) in SIGNATURES.items():
        if head.startswith(magic):
            return document_format.value
    return None


def clean_original_name(name: str) -> str:
    """Keep the user's file name for display only: no path, no control characters, bounded."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return (name or "document")[:200]


def stored_extension(document_format: str) -> str:
    return EXTENSIONS[DocumentFormat(document_format)][0]


def download_name(original_name: str, content_type: str) -> str:
    """The name a file is downloaded under: the user's stem, the extension of what it really is."""
    extension = next(
        (stored_extension(f) for f, (known, _magic) in SIGNATURES.items() if known == content_type), ".bin"
    )
    stem = os.path.splitext(clean_original_name(original_name))[0].strip(". ") or "document"
    return f"{stem[:120]}{extension}"


def _declared_format_agrees(uploaded_file, name: str, document_format: str) -> bool:
    extension = os.path.splitext(name)[1].lower()
    if extension and extension not in EXTENSIONS[DocumentFormat(document_format)]:
        return False
    declared = (getattr(uploaded_file, "content_type", "") or "").split(";")[0].strip().lower()
    return declared in UNDECLARED_TYPES or declared in DECLARED_TYPES[DocumentFormat(document_format)]


def format_labels(formats) -> str:
    return ", ".join(DocumentFormat(f).label for f in formats)


def upload_check(uploaded_file, *, accepted_formats=None) -> CheckedUpload:
    """Validate and rewrite one uploaded file; raise UploadRefused with a message for the user."""
    # A form field already checked this very file (the rewrite is the costly part): reuse it.
    done = getattr(uploaded_file, "_wif_checked", None)
    if done is not None and done[0] == tuple(accepted_formats or ()):
        return done[1]
    name = clean_original_name(getattr(uploaded_file, "name", ""))
    size = uploaded_file.size or 0
    if size == 0:
        raise UploadRefused(_("Le fichier « %(name)s » est vide.") % {"name": name})
    limit = settings.WIF_UPLOAD_MAX_BYTES
    if size > limit:
        raise UploadRefused(
            _("Le fichier « %(name)s » pèse %(size)s : la taille maximale est de %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_LENGTH)
    document_format = detect_format(head)
    if document_format is None:
        raise UploadRefused(
            _(
                "Le fichier « %(name)s » n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été "
                "vérifié, pas seulement son nom). Enregistrez-le dans l'un de ces formats."
            )
            % {"name": name}
        )
    accepted = list(accepted_formats or [])
    if accepted and document_format not in accepted:
        raise UploadRefused(
            _("Ce document doit être au format : %(formats)s.") % {"formats": format_labels(accepted)}
        )
    if not _declared_format_agrees(uploaded_file, name, document_format):
        raise UploadRefused(
            _(
                "Le nom ou le type du fichier « %(name)s » ne correspond pas à son contenu (%(format)s). "
                "Enregistrez-le de nouveau sous son vrai format."
            )
            % {"name": name, "format": DocumentFormat(document_format).label}
        )
    uploaded_file.seek(0)
    data = b"".join(uploaded_file.chunks())
    uploaded_file.seek(0)
    if document_format == DocumentFormat.PDF:
        clean, _removed = pdf_sanitize(data, name=name)
    else:
        clean = image_reencode(data, name=name, document_format=document_format)
    return CheckedUpload(
        file=ContentFile(clean),
        original_name=name,
        format=document_format,
        content_type=SIGNATURES[DocumentFormat(document_format)][0],
        size=len(clean),
        sha256=hashlib.sha256(clean).hexdigest(),
        extension=stored_extension(document_format),
    )


def _upload_help_text() -> str:
    return _("Formats acceptés : PDF, JPEG ou PNG ; %(limit)s au maximum ; un seul fichier par pièce.") % {
        "limit": filesizeformat(settings.WIF_UPLOAD_MAX_BYTES)
    }


# Evaluated when displayed, in the visitor's language and with the current size limit.
upload_help_text = lazy(_upload_help_text, str)


class DocumentFileField(forms.FileField):
    """A form field that runs `upload_check`, so the refusal shows next to the field."""

    def __init__(self, *, accepted_formats=None, **kwargs):
        kwargs.setdefault("allow_empty_file", True)  # refused by upload_check, with our wording
        kwargs.setdefault("help_text", upload_help_text())
        super().__init__(**kwargs)
        self.accepted_formats = accepted_formats
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png")

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded:
            try:
                checked = upload_check(uploaded, accepted_formats=self.accepted_formats)
            except UploadRefused as error:
                raise forms.ValidationError(error.message, code="upload_refused") from error
            uploaded._wif_checked = (tuple(self.accepted_formats or ()), checked)
        return uploaded
