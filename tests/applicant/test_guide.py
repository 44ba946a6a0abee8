import re

import pytest
from django.urls import reverse

from workinfrance.procedures.models import Category


@pytest.mark.django_db
def test_guide_needs_no_account(client):
    response = client.get(reverse("applicant:guide"))
    assert response.status_code == 200
    assert "Le guide" in response.content.decode()


def test_open_department_lists_documents_and_unit(client, paris):
    category = Category.objects.get(code="apprenticeship")
    html = client.get(
        reverse("applicant:guide"), {"filer_kind": "student", "situation": category.code, "department": "75"}
    ).content.decode()
    assert "La demande se fait en ligne" in html
    assert paris.name.replace("'", "&#x27;") in html
    assert "Passeport (pages d&#x27;identité)" in html
    # The student files for the employer: the mandate is required, listed with the documents.
    documents = html.split("Les documents à préparer")[1].split("Selon votre situation")[0]
    assert "Mandat de l&#x27;employeur" in documents


def test_employer_filing_needs_no_mandate(client, paris):
    html = client.get(
        reverse("applicant:guide"),
        {"filer_kind": "employer", "situation": "apprenticeship", "department": "75"},
    ).content.decode()
    documents = html.split("Les documents à préparer")[1].split("Selon votre situation")[0]
    assert "Mandat de l&#x27;employeur" not in documents


@pytest.mark.django_db
def test_closed_department_says_where_to_go(client):
    html = client.get(
        reverse("applicant:guide"),
        {"filer_kind": "student", "situation": "apprenticeship", "department": "13"},
    ).content.decode()
    assert "ne peut pas encore se faire en ligne" in html
    assert "DREETS ou DDETS" in html


@pytest.mark.django_db
def test_student_job_needs_no_authorisation(client):
    html = client.get(
        reverse("applicant:guide"), {"filer_kind": "student", "situation": "other_job", "department": "75"}
    ).content.decode()
    assert "964 heures" in html


def test_guide_in_english(client, paris):
    client.cookies["django_language"] = "en"
    html = client.get(
        reverse("applicant:guide"),
        {"filer_kind": "student", "situation": "algerian_student", "department": "75"},
    ).content.decode()
    assert "The request is made online" in html
    assert "Passport (identity pages)" in html


def test_the_guides_answers_are_not_asked_again_at_the_first_step(client, paris, applicant):
    client.force_login(applicant)
    html = client.get(
        reverse("applicant:guide"),
        {"filer_kind": "employer", "situation": "apprenticeship", "department": "75"},
    ).content.decode()
    start = re.search(r'href="(/[^"]*\?filer_kind=[^"]*)"', html).group(1).replace("&amp;", "&")
    form = client.get(start).context["form"]
    category = Category.objects.get(code="apprenticeship")
    assert form.initial == {"filer_kind": "employer", "category": category.pk}
    checked = re.findall(r"<input[^>]*checked[^>]*>", client.get(start).content.decode())
    assert any('value="employer"' in tag for tag in checked)
    assert any(f'value="{category.pk}"' in tag for tag in checked)
    # Answers that are not the guide's own choices are ignored, never an error.
    assert (
        client.get(reverse("applicant:new"), {"filer_kind": "x", "category": "nope"}).context["form"].initial
        == {}
    )
