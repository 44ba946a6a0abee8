"""Walk-through figures of the happy path (issue 15): what filing costs a student and an employer.

    .venv/bin/python bench/walkthrough.py [--json]

Drives the real flow with Django's test client on a fresh in-memory database (the migrations seed the
categories and their documents): the guide, the first step, every filing step, the documents (a
residence permit photographed front and back, one file for each other document), the review and the
submission. For each filer (student, employer; category apprenticeship) it counts:

- pages: the distinct screens of the path (guide, each step, review, tracking);
- page loads: every page the browser loads, including the documents page again after each upload;
- fields: the fields the applicant must fill (needed to submit and not already filled from the
  account or the guide), and the fields shown in all (optional ones included);
- clicks: buttons and links pressed (answers in fields not counted), file choosers opened included;
- uploads: upload requests sent by a form, and the files kept in the dossier at the end (on a
  version that keeps one file per document, the back of the residence permit replaces its front).

It runs on any checkout that has the same URL names (the figures before and after a change: run it in
a `git worktree` of the older commit).
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

STEP_SLUGS = ("student", "residence", "employer", "job")


def happy_values(filer: str) -> dict:
    """What the applicant types, per field name (a consistent apprenticeship in Paris)."""
    from tests.factories import DossierFactory, open_department

    sample = DossierFactory.build(category=None, applicant=None, department=None)
    values = {}
    from workinfrance.dossiers.fields import STEP_FIELDS

    for step in STEP_SLUGS:
        for name in STEP_FIELDS[step]:
            value = getattr(sample, name, "")
            values[name] = (
                value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))
            )
    values["department"] = str(open_department("75").pk)
    return values


def field_is_filled(bound) -> bool:
    value = bound.value()
    return value not in (None, "", [])


def walk(filer: str) -> dict:
    from workinfrance.dossiers.checks import REQUIRED_FIELDS, required_document_types
    from workinfrance.dossiers.models import Dossier
    from workinfrance.procedures.models import Category

    from tests.factories import JPEG_BYTES, PDF_BYTES, UserFactory

    user = UserFactory()
    client = Client()
    client.force_login(user)
    figures = {"pages": 0, "page_loads": 0, "fields_to_fill": 0, "fields_shown": 0, "clicks": 0}
    figures |= {"upload_requests": 0, "files_chosen": 0, "files_kept": 0}
    steps_seen = []

    def load(url, name):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        figures["page_loads"] += 1
        if name not in steps_seen:
            steps_seen.append(name)
            figures["pages"] += 1
        return response

    # The guide: three answers, "Voir le résultat", then "Commencer ma demande".
    category = Category.objects.get(code="apprenticeship")
    guide = load(reverse("applicant:guide"), "guide")
    guide_fields = list(guide.context["form"].fields)
    figures["fields_to_fill"] += len(guide_fields)
    figures["fields_shown"] += len(guide_fields)
    figures["clicks"] += 1
    query = {"filer_kind": filer, "situation": category.code, "department": "75"}
    result = client.get(reverse("applicant:guide"), query)
    figures["page_loads"] += 1
    start = result.context.get("result", {}) or {}
    start_query = (
        start.get("start_query", "") if isinstance(start, dict) else getattr(start, "start_query", "")
    )
    figures["clicks"] += 1

    # First step (who files, which category), prefilled from the guide when the version does so.
    first = load(reverse("applicant:new") + (f"?{start_query}" if start_query else ""), "filer")
    form = first.context["form"]
    needed = {"filer_kind", "category"}
    figures["fields_shown"] += len(form.fields)
    figures["fields_to_fill"] += sum(1 for name in needed if not field_is_filled(form[name]))
    response = client.post(
        reverse("applicant:new"), {"filer_kind": filer, "category": category.pk, "previous_permit_number": ""}
    )
    figures["clicks"] += 1
    dossier = Dossier.objects.filter(applicant=user).latest("created_at")
    assert response.status_code == 302, response.status_code

    values = happy_values(filer)
    for slug in STEP_SLUGS:
        url = reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": slug})
        page = load(url, slug)
        form = page.context["form"]
        enabled = [name for name, field in form.fields.items() if not field.disabled]
        figures["fields_shown"] += len(enabled)
        figures["fields_to_fill"] += sum(
            1 for name in enabled if name in REQUIRED_FIELDS.get(slug, ()) and not field_is_filled(form[name])
        )
        data = {
            name: (form[name].value() if field_is_filled(form[name]) else values.get(name, ""))
            for name in enabled
        }
        data = {name: ("" if value is None else value) for name, value in data.items()}
        response = client.post(url, data)
        assert response.status_code == 302, (
            slug,
            response.context["form"].errors if response.context else "",
        )
        figures["clicks"] += 1

    # Documents: the residence permit as two photos (front and back), one PDF for each other document.
    dossier.refresh_from_db()
    documents_url = reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": "documents"})
    page = load(documents_url, "documents")
    from workinfrance.applicant.forms import DocumentUploadForm

    several = bool(getattr(DocumentUploadForm.base_fields["file"].widget, "allow_multiple_selected", False))
    for document_type in required_document_types(dossier):
        if document_type.code == "residence_permit":
            files = [("recto.jpg", JPEG_BYTES, "image/jpeg"), ("verso.jpg", JPEG_BYTES, "image/jpeg")]
        else:
            files = [(f"{document_type.code}.pdf", PDF_BYTES, "application/pdf")]
        rounds = [files] if several else [[f] for f in files]
        url = reverse("applicant:upload", kwargs={"uuid": dossier.uuid, "document_type_id": document_type.pk})
        for chosen in rounds:
            uploads = [SimpleUploadedFile(name, content, content_type=kind) for name, content, kind in chosen]
            response = client.post(
                url, {"next": "documents", f"t{document_type.pk}-file": uploads if several else uploads[0]}
            )
            assert response.status_code == 302, response.status_code
            figures["clicks"] += 2  # choose the file(s), send
            figures["upload_requests"] += 1
            figures["files_chosen"] += len(chosen)
            load(documents_url, "documents")  # the page again, with the file listed
    figures["files_kept"] = dossier.documents.filter(superseded_at__isnull=True).count()
    figures["clicks"] += 1  # "Continuer vers la vérification"

    load(reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": "review"}), "review")
    response = client.post(reverse("applicant:submit", kwargs={"uuid": dossier.uuid}))
    figures["clicks"] += 1
    assert response.status_code == 302
    load(response["Location"], "tracking")
    dossier.refresh_from_db()
    figures["filed"] = bool(dossier.number)
    figures["pages_list"] = steps_seen
    try:
        reverse("applicant:autosave", kwargs={"uuid": dossier.uuid, "step": "student"})
        figures["autosave"] = True
    except NoReverseMatch:
        figures["autosave"] = False
    figures["several_files_per_input"] = several
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)
    from workinfrance.dossiers.models import FilerKind

    from tests.factories import open_department

    open_department("75")
    results = {filer: walk(filer) for filer in (FilerKind.STUDENT, FilerKind.EMPLOYER)}
    if args.json:
        print(json.dumps(results, indent=2, default=str))
        return 0
    columns = (
        "pages",
        "page_loads",
        "fields_to_fill",
        "fields_shown",
        "clicks",
        "upload_requests",
        "files_chosen",
        "files_kept",
        "autosave",
        "several_files_per_input",
    )
    print(f"{'filer':10}" + "".join(f"{c:>24}" for c in columns))
    for filer, figures in results.items():
        print(f"{filer:10}" + "".join(f"{str(figures[c]):>24}" for c in columns))
    for filer, figures in results.items():
        print(f"{filer}: {' > '.join(figures['pages_list'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
