"""Complements back to their agent (issue 15): a resubmitted file stays in review with the agent who
asked, in their "Mes dossiers" marked "complété, à revoir", and that agent is e-mailed; an assignment
e-mails the new agent. Each e-mail once, to the right person, in their language, without HTML entities."""

import re

import pytest
from django.urls import reverse

from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State

from tests.backoffice.conftest import filed, in_review
from tests.factories import agent_of

ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def rows(response):
    return {d.number: d for d in response.context["page"].object_list}


def awaiting(*, agent, **kwargs):
    dossier = in_review(agent=agent, **kwargs)
    services.dossier_request_complements(
        dossier=dossier, actor=agent, document_types=[], message="Contrat signé ?"
    )
    return dossier


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "complété, à revoir"), ("en", "completed, to review")]
)
def test_resubmitted_file_returns_to_its_agent_who_is_emailed(
    client, paris, applicant, mailoutbox, django_capture_on_commit_callbacks, language, expected
):
    agent = agent_of(paris, preferred_language=language, first_name="Zoë O'Neil")
    dossier = awaiting(agent=agent, applicant=applicant)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_resubmit(dossier=dossier, actor=applicant)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.assignee) == (State.IN_REVIEW, agent)
    to_agent = [mail for mail in mailoutbox if mail.to == [agent.email]]
    assert len(to_agent) == 1
    [mail] = to_agent
    assert expected in mail.subject.lower() and dossier.number in mail.subject
    assert reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid}) in mail.body
    assert "Zoë O'Neil" in mail.body
    for text in (mail.subject, mail.body):
        assert not ENTITY.search(text), text
    # The applicant hears of the state change only (once), nobody else is written to.
    assert sorted(m.to[0] for m in mailoutbox) == sorted([agent.email, applicant.email])

    client.force_login(agent)
    url = reverse("backoffice:inbox")
    mine = rows(client.get(url, {"tab": "mine"}))
    assert list(mine) == [dossier.number] and mine[dossier.number].returned_with_complements
    assert dossier.number not in rows(client.get(url, {"tab": "to_take"}))
    assert 'data-testid="returned"' in client.get(url, {"tab": "mine"}).content.decode()
    screen = client.get(reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid})).content.decode()
    assert 'data-testid="returned"' in screen


def test_only_files_back_from_the_applicant_are_marked(client, paris, agent, supervisor, applicant):
    taken = in_review(agent=agent, applicant=applicant)
    returned = awaiting(agent=agent, applicant=applicant)
    services.dossier_resubmit(dossier=returned, actor=applicant)
    # Reassigned after its return: still to review, by its new agent.
    reassigned = awaiting(agent=agent, applicant=applicant)
    services.dossier_resubmit(dossier=reassigned, actor=applicant)
    services.dossier_assign(dossier=reassigned, actor=supervisor, assignee=agent)
    # Decided after its return, then reopened: no longer "back from the applicant".
    reopened = awaiting(agent=agent, applicant=applicant)
    services.dossier_resubmit(dossier=reopened, actor=applicant)
    services.dossier_close(dossier=reopened, actor=agent, comment="Désistement")
    services.dossier_reopen(dossier=reopened, actor=supervisor, reason="Erreur")
    client.force_login(agent)
    mine = rows(client.get(reverse("backoffice:inbox"), {"tab": "mine"}))
    marked = {number for number, dossier in mine.items() if dossier.returned_with_complements}
    assert set(mine) == {taken.number, returned.number, reassigned.number, reopened.number}
    assert marked == {returned.number, reassigned.number}


@pytest.mark.parametrize(("language", "expected"), [("fr", "vous a attribué"), ("en", "assigned file")])
def test_assignment_emails_the_new_agent_once_in_their_language(
    paris, supervisor, mailoutbox, django_capture_on_commit_callbacks, language, expected
):
    agent = agent_of(paris, preferred_language=language)
    dossier = filed()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_assign(dossier=dossier, actor=supervisor, assignee=agent)
    to_agent = [mail for mail in mailoutbox if mail.to == [agent.email]]
    assert len(to_agent) == 1
    [mail] = to_agent
    assert expected in mail.body and dossier.number in mail.subject
    assert reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid}) in mail.body
    for text in (mail.subject, mail.body):
        assert not ENTITY.search(text), text

    # Giving it again to the same agent, or a supervisor taking it themselves, writes to no agent.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_assign(dossier=dossier, actor=supervisor, assignee=agent)
        services.dossier_assign(dossier=dossier, actor=supervisor, assignee=supervisor)
    assert mailoutbox == []
