"""Several files per document type on the documents step: chosen together, each checked alone."""

import pytest
from django.urls import reverse

from workinfrance.dossiers.lifecycle import State

from tests.dossiers.helpers import dossier_in_state, events_of, upload
from tests.factories import JPEG_BYTES, PDF_BYTES, DossierFactory, UserFactory


def upload_url(dossier, document_type):
    return reverse("applicant:upload", kwargs={"uuid": dossier.uuid, "document_type_id": document_type.pk})


def step_url(dossier):
    return reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": "documents"})


@pytest.fixture
def logged(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def draft(applicant):
    dossier = DossierFactory(applicant=applicant)
    return dossier, dossier.category.document_types.get(code="residence_permit")


def test_front_and_back_in_one_post_are_both_kept_and_listed(logged, draft):
    dossier, permit = draft
    response = logged.post(
        upload_url(dossier, permit),
        {
            "next": "documents",
            f"t{permit.pk}-file": [
                upload(JPEG_BYTES, "recto.jpg", "image/jpeg"),
                upload(PDF_BYTES, "verso.pdf"),
            ],
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == step_url(dossier)
    kept = dossier.documents.filter(document_type=permit, superseded_at=None)
    assert sorted(kept.values_list("original_name", flat=True)) == ["recto.jpg", "verso.pdf"]
    page = response.content.decode()
    assert "2 fichiers enregistrés (recto.jpg, verso.pdf)" in page
    for document in kept:  # each listed, each with its own remove button
        assert (
            reverse("applicant:document", kwargs={"uuid": dossier.uuid, "document_id": document.pk}) in page
        )
        assert (
            reverse("applicant:document_remove", kwargs={"uuid": dossier.uuid, "document_id": document.pk})
            in page
        )
    assert "multiple" in page and "applicant/uploads.js" in page
    assert events_of(dossier).count("document.upload") == 2


def test_a_bad_file_is_refused_with_its_reason_and_the_good_one_kept(logged, draft):
    dossier, permit = draft
    response = logged.post(
        upload_url(dossier, permit),
        {
            "next": "documents",
            f"t{permit.pk}-file": [
                upload(b"MZ\x90\x00 executable", "virus.pdf"),
                upload(PDF_BYTES, "verso.pdf"),
            ],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "virus.pdf" in page and "ni un PDF" in page
    assert "fichier enregistré (verso.pdf)" in page
    assert list(dossier.documents.values_list("original_name", flat=True)) == ["verso.pdf"]


def test_the_maximum_count_refuses_the_extra_files_only(logged, draft, settings):
    settings.WIF_UPLOAD_MAX_FILES_PER_TYPE = 2
    dossier, permit = draft
    files = [upload(PDF_BYTES, f"page{n}.pdf") for n in range(1, 4)]
    page = logged.post(
        upload_url(dossier, permit), {"next": "documents", f"t{permit.pk}-file": files}, follow=True
    ).content.decode()
    assert "« page3.pdf » n&#x27;a pas été ajouté" in page and "2 fichiers, le maximum" in page
    assert sorted(dossier.documents.values_list("original_name", flat=True)) == ["page1.pdf", "page2.pdf"]


def test_the_pages_script_gets_json_per_file(logged, draft):
    dossier, permit = draft
    answer = logged.post(
        upload_url(dossier, permit),
        {"next": "documents", f"t{permit.pk}-file": upload(b"", "vide.pdf")},
        HTTP_ACCEPT="application/json",
    ).json()
    assert answer["saved"] == [] and "est vide" in answer["rejected"][0]
    assert answer["next"] == step_url(dossier)


def test_no_file_chosen_says_so(logged, draft):
    dossier, permit = draft
    page = logged.post(upload_url(dossier, permit), {"next": "documents"}, follow=True).content.decode()
    assert "choisissez un fichier" in page
    assert not dossier.documents.exists()


def test_remove_one_file_keeps_the_other(logged, draft):
    dossier, permit = draft
    logged.post(
        upload_url(dossier, permit),
        {
            "next": "documents",
            f"t{permit.pk}-file": [upload(PDF_BYTES, "recto.pdf"), upload(PDF_BYTES, "verso.pdf")],
        },
    )
    recto = dossier.documents.get(original_name="recto.pdf")
    response = logged.post(
        reverse("applicant:document_remove", kwargs={"uuid": dossier.uuid, "document_id": recto.pk}),
        {"next": "documents"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == step_url(dossier)
    assert "« recto.pdf » a été retiré du dossier." in response.content.decode()
    assert list(dossier.documents.filter(superseded_at=None).values_list("original_name", flat=True)) == [
        "verso.pdf"
    ]


def test_remove_refused_to_others_and_once_filed(client, applicant, paris):
    dossier = DossierFactory(applicant=applicant)
    permit = dossier.category.document_types.get(code="residence_permit")
    client.force_login(applicant)
    client.post(upload_url(dossier, permit), {"next": "documents", f"t{permit.pk}-file": upload(PDF_BYTES)})
    document = dossier.documents.get()
    url = reverse("applicant:document_remove", kwargs={"uuid": dossier.uuid, "document_id": document.pk})
    client.force_login(UserFactory())
    assert client.post(url).status_code == 404
    filed = dossier_in_state(State.SUBMITTED, applicant=applicant, unit=paris)
    client.force_login(applicant)
    filed_document = filed.documents.first()
    response = client.post(
        reverse("applicant:document_remove", kwargs={"uuid": filed.uuid, "document_id": filed_document.pk}),
        follow=True,
    )
    assert "ne peut plus être modifié" in response.content.decode()
    document.refresh_from_db()
    filed_document.refresh_from_db()
    assert document.superseded_at is None and filed_document.superseded_at is None
