"""Nobody reaches another applicant's dossier or document by guessing its address: 404, never 403."""

import uuid

import pytest
from django.urls import reverse

from workinfrance.dossiers.lifecycle import State

from tests.dossiers.helpers import dossier_in_state
from tests.factories import PDF_BYTES


def urls_of(dossier, document):
    kw = {"uuid": dossier.uuid}
    return {
        "get": [
            reverse("applicant:dossier", kwargs=kw),
            reverse("applicant:step", kwargs={**kw, "step": "student"}),
            reverse("applicant:step", kwargs={**kw, "step": "review"}),
            reverse("applicant:document", kwargs={**kw, "document_id": document.pk}),
        ],
        "post": [
            reverse("applicant:step", kwargs={**kw, "step": "job"}),
            reverse("applicant:upload", kwargs={**kw, "document_type_id": document.document_type_id}),
            reverse("applicant:submit", kwargs=kw),
            reverse("applicant:resubmit", kwargs=kw),
            reverse("applicant:message", kwargs=kw),
            reverse("applicant:renew", kwargs=kw),
        ],
    }


@pytest.mark.parametrize("state", [State.DRAFT, State.AWAITING_COMPLEMENTS, State.ACCEPTED])
def test_other_applicant_gets_404_everywhere(client, applicant, other_applicant, paris, agent, state):
    dossier = dossier_in_state(state, applicant=applicant, unit=paris, assignee=agent)
    document = dossier.documents.first()
    client.force_login(other_applicant)
    urls = urls_of(dossier, document)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"job_title": "pirate", "body": "x"}).status_code == 404, url
    dossier.refresh_from_db()
    assert dossier.state == state
    assert dossier.job_title != "pirate"
    assert dossier.messages.filter(body="x").count() == 0


def test_document_of_another_dossier_through_my_dossier_is_404(client, applicant, other_applicant, paris):
    mine = dossier_in_state(State.DRAFT, applicant=applicant)
    theirs = dossier_in_state(State.DRAFT, applicant=other_applicant)
    client.force_login(applicant)
    url = reverse(
        "applicant:document", kwargs={"uuid": mine.uuid, "document_id": theirs.documents.first().pk}
    )
    assert client.get(url).status_code == 404


def test_unknown_uuid_is_404(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("applicant:dossier", kwargs={"uuid": uuid.uuid4()})).status_code == 404


def test_anonymous_is_sent_to_login(client, applicant):
    dossier = dossier_in_state(State.DRAFT, applicant=applicant)
    response = client.get(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid}))
    assert response.status_code == 302 and "/comptes/" in response["Location"]
    document = dossier.documents.first()
    url = reverse("applicant:document", kwargs={"uuid": dossier.uuid, "document_id": document.pk})
    assert client.get(url).status_code == 404


def test_staff_of_the_unit_may_download_and_it_is_recorded(client, applicant, paris, agent, lyon_agent):
    from tests.dossiers.helpers import events_of

    dossier = dossier_in_state(State.SUBMITTED, applicant=applicant, unit=paris)
    document = dossier.documents.first()
    url = reverse("applicant:document", kwargs={"uuid": dossier.uuid, "document_id": document.pk})
    client.force_login(lyon_agent)
    assert client.get(url).status_code == 404
    client.force_login(agent)
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "document.read" in events_of(dossier)
    # The applicant pages themselves are not for staff.
    assert client.get(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})).status_code == 404


def test_staff_never_see_drafts(client, applicant, paris, agent):
    dossier = dossier_in_state(State.DRAFT, applicant=applicant)
    document = dossier.documents.first()
    client.force_login(agent)
    url = reverse("applicant:document", kwargs={"uuid": dossier.uuid, "document_id": document.pk})
    assert client.get(url).status_code == 404


def test_dashboard_lists_only_my_dossiers(client, applicant, other_applicant, paris):
    mine = dossier_in_state(State.SUBMITTED, applicant=applicant, unit=paris)
    theirs = dossier_in_state(State.SUBMITTED, applicant=other_applicant, unit=paris)
    client.force_login(applicant)
    html = client.get(reverse("applicant:dashboard")).content.decode()
    assert mine.number in html
    assert theirs.number not in html
