"""Checks shared by every upload (applicant's documents, message attachments, back-office).

The type is decided by the file's first bytes, never by its name or the browser's declared
content type: a renamed executable stays refused. Each refusal says why, in the user's language."""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from workinfrance.procedures.models import DocumentFormat

from .errors import UploadRefused

# Format -> (content type served back, magic bytes at offset 0).
SIGNATURES = {
    DocumentFormat.PDF: ("application/pdf", b"%PDF-"),
    DocumentFormat.JPEG: ("image/jpeg", b"\xff\xd8\xff"),
    DocumentFormat.PNG: ("image/png", b"\x89PNG\r\n\x1a\n"),
}
HEAD_LENGTH = 8


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    original_name: str
    format: str
    content_type: str
    size: int
    sha256: str


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


def format_labels(formats) -> str:
    return ", ".join(DocumentFormat(f).label for f in formats)


def upload_check(uploaded_file, *, accepted_formats=None) -> CheckedUpload:
    """Validate one uploaded file; raise UploadRefused with a message for the user."""
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
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return CheckedUpload(
        file=uploaded_file,
        original_name=name,
        format=document_format,
        content_type=SIGNATURES[DocumentFormat(document_format)][0],
        size=size,
        sha256=digest.hexdigest(),
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
                upload_check(uploaded, accepted_formats=self.accepted_formats)
            except UploadRefused as error:
                raise forms.ValidationError(error.message, code="upload_refused") from error
        return uploaded
