import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from workinfrance.backoffice.exports import headers
from workinfrance.backoffice.selectors import InboxQuery, inbox_queryset
from workinfrance.dossiers import services

from tests.backoffice.conftest import filed, in_review
from tests.backoffice.helpers import csv_rows, export_numbers, xlsx_rows
from tests.factories import category


@pytest.fixture
def mixed(paris, agent, supervisor):
    """Dossiers of several states, categories and filing dates in Paris."""
    dossiers = [filed(student_last_name=f"Nom{i}") for i in range(4)]
    dossiers.append(in_review(agent=agent, student_last_name="Revue"))
    refused = in_review(agent=agent, student_last_name="Refusee")
    services.dossier_refuse(dossier=refused, actor=agent, reason="hours", comment="35 h")
    dossiers.append(refused)
    accepted = in_review(agent=agent, student_last_name="Acceptee")
    services.dossier_accept(dossier=accepted, actor=agent, terms=services.permit_terms_proposed(accepted))
    dossiers.append(accepted)
    old = dossiers[0]
    type(old).objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=40))
    return dossiers


@pytest.mark.parametrize("view", ["backoffice:export_csv", "backoffice:export_xlsx"])
@pytest.mark.parametrize(
    "params",
    [
        {"tab": "all"},
        {"tab": "to_take"},
        {"tab": "decided", "sort": "-filed"},
        {"tab": "all", "state": "in_review"},
        {"tab": "all", "q": "Nom"},
        {"tab": "all", "flag": "late"},
        {"tab": "all", "sort": "-waiting"},
    ],
)
def test_export_matches_filtered_list(client, agent, mixed, view, params):
    client.force_login(agent)
    listed = client.get(reverse("backoffice:inbox"), params).context["page"].object_list
    expected = [d.number for d in listed]
    assert expected, "each filter selects something"
    response = client.get(reverse(view), params)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert export_numbers(response) == expected


def test_export_spans_every_page(client, agent, paris):
    for i in range(30):
        filed(student_last_name=f"Page{i}")
    client.force_login(agent)
    response = client.get(reverse("backoffice:export_csv"), {"tab": "all"})
    expected = list(inbox_queryset(user=agent, query=InboxQuery(tab="all")).values_list("number", flat=True))
    assert len(expected) == 30
    assert export_numbers(response) == expected


def test_csv_carries_structured_data(client, agent, mixed):
    accepted = mixed[-1]
    client.force_login(agent)
    response = client.get(reverse("backoffice:export_csv"), {"tab": "decided", "state": "accepted"})
    rows = csv_rows(b"".join(response.streaming_content))
    assert rows[0] == headers()
    row = dict(zip(rows[0], rows[1], strict=True))
    permit = accepted.permits.get()
    assert row["Numéro"] == accepted.number
    assert row["État"] == "Accepté"
    assert row["SIRET"] == accepted.employer_siret
    assert row["Date de naissance"] == "2002-03-14"
    assert row["Type de contrat"] == "Contrat d'apprentissage"
    assert row["Numéro d'autorisation"] == permit.number
    assert row["Autorisation valable jusqu'au"] == permit.valid_until.isoformat()
    assert row["Catégorie"] == category().name


def test_xlsx_carries_structured_data(client, agent, mixed):
    client.force_login(agent)
    response = client.get(reverse("backoffice:export_xlsx"), {"tab": "decided", "state": "refused"})
    rows = xlsx_rows(b"".join(response.streaming_content))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Motif de refus"] == "Durée du travail supérieure à la limite autorisée"
    assert row["Heures par semaine"] == 35
    assert row["Date de naissance"] == datetime.datetime(2002, 3, 14)


def test_applicant_text_cannot_become_a_formula(client, agent, paris):
    filed(employer_name='=HYPERLINK("http://evil")')
    client.force_login(agent)
    rows = csv_rows(b"".join(client.get(reverse("backoffice:export_csv"), {"tab": "all"}).streaming_content))
    assert rows[1][headers().index("Employeur")].startswith("'=")


def test_export_is_audited(client, agent, mixed):
    from workinfrance.core.models import Event

    client.force_login(agent)
    b"".join(client.get(reverse("backoffice:export_csv"), {"tab": "all", "q": "Nom"}).streaming_content)
    event = Event.objects.get(verb="backoffice.export")
    assert event.actor == agent
    assert event.data == {"format": "csv", "tab": "all", "q": "Nom", "across_tabs": True}


@pytest.mark.postgres
def test_postgres_copy_gives_the_same_csv_as_python(agent, supervisor, paris, mixed):
    from workinfrance.backoffice import exports
    from workinfrance.backoffice import services as backoffice_services

    tricky = filed(
        employer_name='Café "Le Point; Virgule"',
        student_first_name="=1+2",
        student_phone="+33 6 12 34 56 78",
        job_title="Serveur\nà mi-temps",
        employer_naf="",
        # Each formula start escaped, and nothing between "+" and "@" that is not one (digits, comma).
        student_birth_place="-Ville",
        student_city="@home",
        employer_representative="\tTab",
        work_address="\r\nRetour",  # not a lone CR: PostgreSQL quotes one, Python 3.11's csv does not
        student_address="12, rue de la Paix",
        employer_address=",5 quai",
    )
    assert tricky.employer_naf == ""
    # Labels: sorted by code point in both paths, a formula start escaped, commas kept.
    for name in ("=Urgent", "à relancer", "Zèbre", "B, virgule", "apprenti"):
        label = backoffice_services.label_create(actor=supervisor, unit=paris, name=name, colour="blue-ecume")
        backoffice_services.dossier_label_add(dossier=tricky, actor=agent, label=label)
        if name == "Zèbre":
            backoffice_services.dossier_label_add(dossier=mixed[0], actor=agent, label=label)
    queryset = inbox_queryset(user=agent, query=InboxQuery(tab="all"))
    python = "".join(exports.csv_chunks(exports.export_rows(queryset))).encode()
    postgres = b"".join(
        chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in exports.csv_stream(queryset)
    )
    assert postgres.count(b"\n") >= 8
    assert "'=Urgent, B, virgule, Zèbre, apprenti, à relancer".encode() in postgres
    for escaped in ("'=1+2", "'+33 6 12 34 56 78", "'-Ville", "'@home", "'\tTab", "'\r\nRetour"):
        assert escaped.encode() in postgres
    assert b";12, rue de la Paix;" in postgres.replace(b'"', b"") and b"',5 quai" not in postgres
    assert postgres == python


def test_xlsx_beyond_the_sheet_limit_asks_for_csv(client, agent, paris, monkeypatch):
    from workinfrance.backoffice import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 1)
    filed(), filed()
    client.force_login(agent)
    response = client.get(reverse("backoffice:export_xlsx"), {"tab": "all"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("backoffice:inbox") + "?tab=all"
    assert "exportez en CSV" in response.content.decode()
