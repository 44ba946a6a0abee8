"""Every action through the views: done where the lifecycle allows it, refused with a message elsewhere."""

import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from workinfrance.core.events import events_for
from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State

from tests.backoffice.conftest import filed, in_review

DECIDED = {"accepted", "refused", "closed"}
REVIEWERS = {"agent", "supervisor"}  # `agent` took the dossier: it is the assignee
EVERYONE = {"agent", "other_agent", "supervisor"}

# (action, states where it is possible, roles who may do it) — DESIGN §3, written out independently.
EXPECTED = {
    "take": ({"submitted"}, EVERYONE),
    "assign": ({"submitted", "in_review", "awaiting_complements"}, {"supervisor"}),
    "complements": ({"in_review"}, REVIEWERS),
    "accept": ({"in_review"}, REVIEWERS),
    "refuse": ({"in_review"}, REVIEWERS),
    "close": ({"in_review", "awaiting_complements"}, REVIEWERS),
    "reopen": (DECIDED, {"supervisor"}),
}
STATES = ["submitted", "in_review", "awaiting_complements", "accepted", "refused", "closed"]


def dossier_in(state: str, agent):
    if state == "submitted":
        return filed()
    dossier = in_review(agent=agent)
    if state == "awaiting_complements":
        services.dossier_request_complements(
            dossier=dossier, actor=agent, document_types=[], message="Pièce ?"
        )
    elif state == "accepted":
        services.dossier_accept(dossier=dossier, actor=agent, terms=services.permit_terms_proposed(dossier))
    elif state == "refused":
        services.dossier_refuse(dossier=dossier, actor=agent, reason="hours", comment="")
    elif state == "closed":
        services.dossier_close(dossier=dossier, actor=agent, comment="Sans réponse")
    assert dossier.state == state
    return dossier


def post_data(name: str, dossier, *, other_agent) -> dict:
    if name == "assign":
        return {"assign-assignee": other_agent.pk}
    if name == "complements":
        return {
            "complements-message": "Le titre de séjour est illisible.",
            "complements-document_types": [dossier.category.document_types.first().pk],
        }
    if name == "accept":
        terms = services.permit_terms_proposed(dossier)
        return {
            "accept-validity_start": terms.validity_start.isoformat(),
            "accept-validity_end": terms.validity_end.isoformat(),
            "accept-weekly_hours": str(terms.weekly_hours),
        }
    if name == "refuse":
        return {"refuse-reason": "hours", "refuse-comment": "Au-delà de la limite."}
    if name == "close":
        return {"close-comment": "Désistement."}
    if name == "reopen":
        return {"reopen-reason": "Erreur matérielle."}
    return {}


@pytest.mark.parametrize("role", sorted(EVERYONE))
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_action_allowed_only_in_its_state_and_role(client, agent, other_agent, supervisor, name, state, role):
    dossier = dossier_in(state, agent)
    actor = {"agent": agent, "other_agent": other_agent, "supervisor": supervisor}[role]
    before = (dossier.state, dossier.assignee_id, events_for(dossier).exclude(verb="dossier.view").count())
    client.force_login(actor)
    url = reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": name})
    response = client.post(url, post_data(name, dossier, other_agent=other_agent))
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid})
    dossier.refresh_from_db()
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    states, roles = EXPECTED[name]
    if state in states and role in roles:
        assert levels == ["success"]
        assert events_for(dossier).exclude(verb="dossier.view").count() == before[2] + 1
        assert (dossier.state, dossier.assignee_id) != before[:2]
    else:
        assert levels == ["error"]
        assert (dossier.state, dossier.assignee_id) == before[:2]
        assert events_for(dossier).exclude(verb="dossier.view").count() == before[2]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_dossier_page_offers_only_allowed_actions(client, agent, other_agent, supervisor, state, role):
    dossier = dossier_in(state, agent)
    actor = {"agent": agent, "other_agent": other_agent, "supervisor": supervisor}[role]
    client.force_login(actor)
    response = client.get(reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid}))
    offered = set(response.context["forms"]) | ({"take"} if response.context["can_take"] else set())
    expected = {name for name, (states, roles) in EXPECTED.items() if state in states and role in roles}
    assert offered == expected
    for name in expected:
        assert (
            reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": name})
            in response.content.decode()
        )


def test_unknown_action_is_404(client, agent, paris):
    dossier = filed()
    client.force_login(agent)
    response = client.post(reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": "delete"}))
    assert response.status_code == 404


def test_second_agent_gets_clear_message_and_new_state(client, agent, other_agent, paris):
    dossier = filed()
    services.dossier_take(dossier=dossier, actor=agent)
    client.force_login(other_agent)
    url = reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": "take"})
    response = client.post(url, follow=True)
    page = html.unescape(response.content.decode())
    assert "Action impossible : le dossier est désormais « En cours d'instruction »" in page
    assert response.context["dossier"].state == State.IN_REVIEW
    dossier.refresh_from_db()
    assert dossier.assignee == agent


def test_second_decision_is_refused_with_message(client, agent, supervisor, paris):
    dossier = in_review(agent=agent)
    client.force_login(agent)
    client.post(
        reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": "refuse"}),
        post_data("refuse", dossier, other_agent=None),
    )
    client.force_login(supervisor)
    response = client.post(
        reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": "accept"}),
        post_data("accept", dossier, other_agent=None),
        follow=True,
    )
    assert "le dossier est désormais « Refusé »" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == State.REFUSED
    assert not dossier.permits.exists()
