"""An agent of one unit sees none of another unit's dossiers, wherever they look."""

import pytest
from django.urls import reverse

from tests.backoffice.conftest import filed
from tests.backoffice.helpers import export_numbers


@pytest.fixture
def both(paris, lyon, paris_dossier, lyon_dossier):
    return paris_dossier, lyon_dossier


@pytest.mark.parametrize("tab", ["to_take", "mine", "awaiting", "decided", "all"])
def test_inbox_tabs_show_only_own_unit(client, lyon_agent, both, tab):
    paris_dossier, lyon_dossier = both
    client.force_login(lyon_agent)
    response = client.get(reverse("backoffice:inbox"), {"tab": tab})
    assert response.status_code == 200
    assert paris_dossier.number not in response.content.decode()
    rows = [d.pk for d in response.context["page"].object_list]
    assert paris_dossier.pk not in rows


def test_inbox_lists_own_unit(client, lyon_agent, both):
    _paris_dossier, lyon_dossier = both
    client.force_login(lyon_agent)
    response = client.get(reverse("backoffice:inbox"), {"tab": "all"})
    assert [d.pk for d in response.context["page"].object_list] == [lyon_dossier.pk]


@pytest.mark.parametrize("field", ["number", "student_last_name", "employer_siret"])
def test_search_never_reaches_other_unit(client, lyon_agent, both, field):
    paris_dossier, _lyon_dossier = both
    client.force_login(lyon_agent)
    response = client.get(reverse("backoffice:inbox"), {"tab": "all", "q": getattr(paris_dossier, field)})
    assert paris_dossier.pk not in [d.pk for d in response.context["page"].object_list]


def test_dossier_and_documents_are_404_for_other_unit(client, lyon_agent, both):
    paris_dossier, _ = both
    document = paris_dossier.documents.first()
    client.force_login(lyon_agent)
    urls = [
        reverse("backoffice:dossier", kwargs={"uuid": paris_dossier.uuid}),
        reverse("backoffice:document", kwargs={"uuid": paris_dossier.uuid, "document_id": document.pk}),
        reverse(
            "backoffice:document_download", kwargs={"uuid": paris_dossier.uuid, "document_id": document.pk}
        ),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_document_of_other_dossier_not_served_through_own_dossier(client, lyon_agent, both):
    paris_dossier, lyon_dossier = both
    document = paris_dossier.documents.first()
    client.force_login(lyon_agent)
    url = reverse("backoffice:document", kwargs={"uuid": lyon_dossier.uuid, "document_id": document.pk})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["take", "assign", "complements", "accept", "refuse", "close", "reopen"])
def test_actions_on_other_unit_are_404(client, lyon_supervisor, both, name):
    paris_dossier, _ = both
    client.force_login(lyon_supervisor)
    response = client.post(reverse("backoffice:action", kwargs={"uuid": paris_dossier.uuid, "name": name}))
    assert response.status_code == 404
    paris_dossier.refresh_from_db()
    assert paris_dossier.state == "submitted"


@pytest.mark.parametrize("view", ["backoffice:export_csv", "backoffice:export_xlsx"])
def test_exports_contain_only_own_unit(client, lyon_agent, both, view):
    paris_dossier, lyon_dossier = both
    client.force_login(lyon_agent)
    response = client.get(reverse(view), {"tab": "all"})
    assert export_numbers(response) == [lyon_dossier.number]


def test_workload_counts_only_own_unit(client, lyon_supervisor, both):
    filed(department="75")
    client.force_login(lyon_supervisor)
    response = client.get(reverse("backoffice:workload"))
    assert response.context["total"] == 1


def test_non_staff_cannot_enter(client, applicant, both):
    client.force_login(applicant)
    assert client.get(reverse("backoffice:inbox")).status_code == 403
    paris_dossier, _ = both
    assert client.get(reverse("backoffice:dossier", kwargs={"uuid": paris_dossier.uuid})).status_code == 403
    client.logout()
    assert client.get(reverse("backoffice:inbox")).status_code == 302
