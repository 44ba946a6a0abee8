"""The agent's workspace (issue 16): tab counts, a search across tabs, saved filters and columns per
agent, labels of a unit, batch actions."""

import pytest
from django.urls import reverse

from workinfrance.backoffice import services as backoffice_services
from workinfrance.backoffice.exports import headers
from workinfrance.backoffice.models import Batch, BatchItemStatus, DossierLabel, Label
from workinfrance.backoffice.selectors import inbox_tab_counts
from workinfrance.core.models import Event
from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier

from tests.backoffice.conftest import filed, in_review
from tests.backoffice.helpers import csv_rows, xlsx_rows
from tests.factories import agent_of


def rows(response):
    return [d.number for d in response.context["page"].object_list]


# --- Tabs --------------------------------------------------------------------------------------------


def test_tab_counts_are_exact_up_to_the_cap(client, agent, other_agent, paris, lyon, settings):
    filed(), filed(), filed()
    in_review(agent=agent)
    in_review(agent=other_agent)
    filed(department="69")  # another unit: never counted
    counts = inbox_tab_counts(user=agent)
    assert {key: c.count for key, c in counts.items()} == {
        "to_take": 3,
        "mine": 1,
        "awaiting": 0,
        "decided": 0,
        "all": 5,
    }
    assert not any(c.capped for c in counts.values())
    client.force_login(agent)
    page = client.get(reverse("backoffice:inbox")).content.decode()
    assert (
        'aria-current="page" data-testid="tab-to_take">À prendre&nbsp;<span class="wif-tab-count">3</span>'
        in page
    )

    settings.WIF_INBOX_TAB_COUNT_CAP = 2
    capped = inbox_tab_counts(user=agent)
    assert {key: c.count for key, c in capped.items()} == {
        "to_take": 3,  # cap + 1: "more than 2"
        "mine": 1,
        "awaiting": 0,
        "decided": 0,
        "all": 3,
    }
    assert capped["to_take"].capped and capped["all"].capped and not capped["mine"].capped
    page = client.get(reverse("backoffice:inbox")).content.decode()
    assert 'data-testid="tab-all">Tous&nbsp;<span class="wif-tab-count">plus de 2</span>' in page


def test_tab_counts_take_one_query(agent, paris, django_assert_num_queries):
    filed(), in_review(agent=agent)
    agent.unit_ids  # noqa: B018 - the user's units, read once per request anyway
    with django_assert_num_queries(1):
        counts = inbox_tab_counts(user=agent)
    assert counts["all"].count == 2


def test_tab_counts_of_staff_without_a_unit_are_zero(paris):
    from tests.factories import UserFactory

    loner = UserFactory(role="agent")
    filed()
    assert {c.count for c in inbox_tab_counts(user=loner).values()} == {0}


def test_the_active_tab_is_marked(client, agent, paris):
    client.force_login(agent)
    page = client.get(reverse("backoffice:inbox"), {"tab": "decided"}).content.decode()
    assert page.count('aria-current="page" data-testid="tab-') == 1
    assert 'aria-current="page" data-testid="tab-decided"' in page


def test_search_looks_across_tabs_and_says_where(client, agent, other_agent, paris):
    taken = in_review(agent=agent, student_last_name="Haddad")
    theirs = in_review(agent=other_agent, student_last_name="Haddad")
    client.force_login(agent)
    url = reverse("backoffice:inbox")
    response = client.get(url, {"tab": "to_take", "q": taken.number})
    assert rows(response) == [taken.number]
    page = response.content.decode()
    assert 'data-testid="row-tab">Onglet : Mes dossiers' in page
    assert "recherche dans tous les onglets" in page
    both = client.get(url, {"tab": "to_take", "q": "Haddad"})
    assert set(rows(both)) == {taken.number, theirs.number}
    assert "Onglet : Tous" in both.content.decode()  # a colleague's dossier is only under "all"
    # Kept to the tab: nothing to take.
    assert rows(client.get(url, {"tab": "to_take", "q": taken.number, "tab_only": "on"})) == []


# --- Saved filters and columns ------------------------------------------------------------------------


def test_saved_filters_belong_to_their_agent(client, agent, other_agent, paris):
    client.force_login(agent)
    response = client.post(
        reverse("backoffice:saved_filter_create"),
        {"name": " Mes  urgents ", "query_string": "tab=all&flag=late"},
    )
    assert response.status_code == 302 and response.url.endswith("?tab=all&flag=late")
    saved = agent.saved_filters.get()
    assert saved.name == "Mes urgents"
    page = client.get(reverse("backoffice:inbox")).content.decode()
    assert 'href="?tab=all&amp;flag=late" data-testid="saved-filter">Mes urgents<' in page
    # The same name twice is refused, case aside.
    client.post(
        reverse("backoffice:saved_filter_create"), {"name": "mes URGENTS", "query_string": "tab=mine"}
    )
    assert agent.saved_filters.count() == 1
    # A colleague neither sees nor deletes it.
    client.force_login(other_agent)
    assert "Mes urgents" not in client.get(reverse("backoffice:inbox")).content.decode()
    assert client.post(reverse("backoffice:saved_filter_delete", args=[saved.pk])).status_code == 404
    assert agent.saved_filters.exists()
    client.force_login(agent)
    client.post(reverse("backoffice:saved_filter_delete", args=[saved.pk]))
    assert not agent.saved_filters.exists()


def test_columns_are_chosen_per_agent(client, agent, other_agent, paris):
    filed(residence_permit_end="2031-05-04")
    client.force_login(agent)
    default = client.get(reverse("backoffice:inbox")).content.decode()
    assert '<th scope="col">Signalements</th>' in default
    assert "Fin du titre de séjour</th>" not in default
    client.post(reverse("backoffice:columns"), {"columns": ["residence_end", "labels", "bogus"]})
    assert agent.inbox_columns.columns == ["labels", "residence_end"]
    chosen = client.get(reverse("backoffice:inbox")).content.decode()
    assert '<th scope="col">Fin du titre de séjour</th>' in chosen
    assert "<td>04/05/2031</td>" in chosen
    assert '<th scope="col">Signalements</th>' not in chosen
    client.force_login(other_agent)
    assert '<th scope="col">Signalements</th>' in client.get(reverse("backoffice:inbox")).content.decode()


# --- Labels -------------------------------------------------------------------------------------------


@pytest.fixture
def urgent(supervisor, paris):
    return backoffice_services.label_create(actor=supervisor, unit=paris, name="Urgent", colour="pink-tuile")


def test_labels_are_managed_by_the_units_supervisor_only(
    client, agent, supervisor, lyon_supervisor, paris, urgent
):
    client.force_login(agent)
    assert client.get(reverse("backoffice:labels")).status_code == 403
    assert client.post(reverse("backoffice:labels"), {"name": "X", "colour": "blue-ecume"}).status_code == 403
    assert client.post(reverse("backoffice:label_delete", args=[urgent.pk])).status_code == 403
    client.force_login(lyon_supervisor)
    assert "Urgent" not in client.get(reverse("backoffice:labels")).content.decode()
    assert client.get(reverse("backoffice:label", args=[urgent.pk])).status_code == 404
    assert client.post(reverse("backoffice:label_delete", args=[urgent.pk])).status_code == 404
    client.force_login(supervisor)
    response = client.post(reverse("backoffice:labels"), {"name": "À relancer", "colour": "yellow-moutarde"})
    assert response.status_code == 302
    # Unique per unit, whatever the case; an unknown colour is refused.
    duplicate = client.post(reverse("backoffice:labels"), {"name": "urgent", "colour": "blue-ecume"})
    assert duplicate.status_code == 400 and "déjà une étiquette" in duplicate.content.decode()
    assert client.post(reverse("backoffice:labels"), {"name": "Rouge", "colour": "red"}).status_code == 400
    assert sorted(Label.objects.filter(unit=paris).values_list("name", flat=True)) == ["Urgent", "À relancer"]
    # Another unit may use the same name.
    client.force_login(lyon_supervisor)
    assert (
        client.post(reverse("backoffice:labels"), {"name": "Urgent", "colour": "blue-ecume"}).status_code
        == 302
    )
    client.force_login(supervisor)
    client.post(
        reverse("backoffice:label", args=[urgent.pk]), {"name": "Très urgent", "colour": "pink-macaron"}
    )
    urgent.refresh_from_db()
    assert (urgent.name, urgent.colour) == ("Très urgent", "pink-macaron")
    client.post(reverse("backoffice:label_delete", args=[urgent.pk]))
    assert not Label.objects.filter(pk=urgent.pk).exists()
    verbs = list(
        Event.objects.filter(verb__startswith="label.").order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == ["label.create", "label.create", "label.create", "label.update", "label.delete"]


def test_label_services_refuse_agents_and_other_units(agent, lyon_supervisor, paris, urgent):
    from workinfrance.dossiers.services import ActorNotAllowed

    with pytest.raises(ActorNotAllowed):
        backoffice_services.label_create(actor=agent, unit=paris, name="X", colour="blue-ecume")
    with pytest.raises(ActorNotAllowed):
        backoffice_services.label_update(actor=lyon_supervisor, label=urgent, name="X", colour="blue-ecume")
    with pytest.raises(ActorNotAllowed):
        backoffice_services.label_delete(actor=lyon_supervisor, label=urgent)


def test_agents_label_their_units_dossiers(
    client, agent, lyon_agent, lyon_supervisor, lyon, paris_dossier, urgent
):
    url = reverse("backoffice:dossier_labels", args=[paris_dossier.uuid])
    client.force_login(agent)
    assert client.post(url, {"label": urgent.pk}).status_code == 302
    assert list(paris_dossier.dossier_labels.values_list("label__name", flat=True)) == ["Urgent"]
    screen = client.get(reverse("backoffice:dossier", args=[paris_dossier.uuid])).content.decode()
    assert "Retirer l'étiquette Urgent" in screen
    assert "Étiquette ajoutée" in screen  # in the history
    # Another unit's agent cannot, and another unit's label does not go on a Paris dossier.
    client.force_login(lyon_agent)
    assert client.post(url, {"label": urgent.pk, "remove": "1"}).status_code == 404
    assert paris_dossier.dossier_labels.exists()
    lyon_label = backoffice_services.label_create(
        actor=lyon_supervisor, unit=lyon, name="Lyon", colour="blue-ecume"
    )
    client.force_login(agent)
    client.post(url, {"label": lyon_label.pk})
    assert not paris_dossier.dossier_labels.filter(label=lyon_label).exists()
    with pytest.raises(services.DossierActionError):
        backoffice_services.dossier_label_add(dossier=paris_dossier, actor=agent, label=lyon_label)
    client.post(url, {"label": urgent.pk, "remove": "1"})
    assert not paris_dossier.dossier_labels.exists()
    verbs = (
        Event.objects.filter(verb__startswith="dossier.label").order_by("pk").values_list("verb", flat=True)
    )
    assert list(verbs) == ["dossier.label_add", "dossier.label_remove"]


def test_label_filter_rows_and_exports(client, agent, supervisor, paris, urgent):
    second = backoffice_services.label_create(
        actor=supervisor, unit=paris, name="Apprenti", colour="green-menthe"
    )
    labelled = filed(student_last_name="Etiquetee")
    plain = filed(student_last_name="Simple")
    backoffice_services.dossier_label_add(dossier=labelled, actor=agent, label=urgent)
    backoffice_services.dossier_label_add(dossier=labelled, actor=agent, label=second)
    client.force_login(agent)
    url = reverse("backoffice:inbox")
    assert rows(client.get(url, {"tab": "all", "label": urgent.pk})) == [labelled.number]
    assert set(rows(client.get(url, {"tab": "all"}))) == {labelled.number, plain.number}
    page = client.get(url, {"tab": "all"}).content.decode()
    assert '<p class="fr-badge fr-badge--sm fr-badge--no-icon fr-badge--pink-tuile">Urgent</p>' in page
    csv = csv_rows(b"".join(client.get(reverse("backoffice:export_csv"), {"tab": "all"}).streaming_content))
    column = headers().index("Étiquettes")
    assert {row[0]: row[column] for row in csv[1:]} == {labelled.number: "Apprenti, Urgent", plain.number: ""}
    filtered = csv_rows(
        b"".join(
            client.get(reverse("backoffice:export_csv"), {"tab": "all", "label": urgent.pk}).streaming_content
        )
    )
    assert [row[0] for row in filtered[1:]] == [labelled.number]
    xlsx = xlsx_rows(
        b"".join(client.get(reverse("backoffice:export_xlsx"), {"tab": "all"}).streaming_content)
    )
    assert xlsx[0][column] == "Étiquettes"
    assert {row[0]: row[column] for row in xlsx[1:]} == {
        labelled.number: "Apprenti, Urgent",
        plain.number: None,
    }


# --- Batch actions ------------------------------------------------------------------------------------


def run(actor, action, dossiers, **params):
    batch = backoffice_services.batch_create(
        actor=actor, action=action, references=[str(d.uuid) for d in dossiers], params=params
    )
    return backoffice_services.batch_run(batch_id=batch.pk)


def test_batch_accept_of_200_reports_each_dossier(client, agent, paris, django_capture_on_commit_callbacks):
    dossiers = [in_review(agent=agent, student_last_name=f"Lot{index}") for index in range(200)]
    client.force_login(agent)
    review = client.post(
        reverse("backoffice:batch_start"), {"action": "accept", "dossiers": [str(d.uuid) for d in dossiers]}
    )
    assert review.status_code == 200
    assert len(review.context["rows"]) == 200
    assert all(row["terms"] is not None for row in review.context["rows"])
    # Meanwhile, three of them are no longer in review.
    services.dossier_close(dossier=dossiers[10], actor=agent, comment="Désistement")
    services.dossier_refuse(dossier=dossiers[50], actor=agent, reason="hours", comment="")
    services.dossier_request_complements(dossier=dossiers[150], actor=agent, document_types=[], message="?")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:batch_accept"), {"dossiers": [str(d.uuid) for d in dossiers]}
        )
    batch = Batch.objects.get()
    assert response.url == reverse("backoffice:batch", args=[batch.uuid])
    assert (batch.status, batch.total, batch.done, batch.declined) == ("finished", 200, 197, 3)
    refused = batch.items.filter(status=BatchItemStatus.DECLINED).order_by("position")
    assert [item.position for item in refused] == [10, 50, 150]
    assert [item.reason for item in refused] == [
        "Action impossible : le dossier est désormais « Classé sans suite ». La page a été mise à jour.",
        "Action impossible : le dossier est désormais « Refusé ». La page a été mise à jour.",
        "Action impossible : le dossier est désormais « Compléments demandés ». La page a été mise à jour.",
    ]
    accepted = Dossier.objects.filter(pk__in=[d.pk for d in dossiers], state=State.ACCEPTED)
    assert accepted.count() == 197
    assert sum(d.permits.count() for d in accepted) == 197
    page = client.get(response.url)
    assert "197 fait(s), 3 refusé(s) sur 200." in page.content.decode()
    status = client.get(reverse("backoffice:batch_status", args=[batch.uuid])).json()
    assert status == {
        "status": "finished",
        "total": 200,
        "done": 197,
        "declined": 3,
        "percent": 100,
        "finished": True,
    }


def test_batch_refuses_another_units_dossiers_one_by_one(agent, paris, lyon_dossier):
    mine = filed()
    batch = backoffice_services.batch_create(
        actor=agent, action="take", references=[str(lyon_dossier.uuid), str(mine.uuid), "not-a-uuid"]
    )
    batch = backoffice_services.batch_run(batch_id=batch.pk)
    items = list(batch.items.order_by("position"))
    assert [item.status for item in items] == ["declined", "done", "declined"]
    assert items[0].dossier is None and "introuvable parmi ceux de votre unité" in items[0].reason
    lyon_dossier.refresh_from_db()
    assert lyon_dossier.state == State.SUBMITTED and lyon_dossier.assignee is None
    mine.refresh_from_db()
    assert mine.state == State.IN_REVIEW and mine.assignee == agent


def test_batch_take_from_the_inbox_with_the_whole_page(
    client, agent, other_agent, paris, django_capture_on_commit_callbacks
):
    dossiers = [filed() for _ in range(3)]
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:batch_start"),
            {"action": "take", "whole_page": "on", "page_dossiers": [str(d.uuid) for d in dossiers]},
        )
    batch = Batch.objects.get()
    assert response.url == reverse("backoffice:batch", args=[batch.uuid])
    assert batch.done == 3
    assert set(Dossier.objects.values_list("assignee", flat=True)) == {agent.pk}
    # Seen by its author only.
    client.force_login(other_agent)
    assert client.get(reverse("backoffice:batch", args=[batch.uuid])).status_code == 404
    assert client.get(reverse("backoffice:batch_status", args=[batch.uuid])).status_code == 404
    assert Event.objects.filter(verb="batch.create").count() == 1
    assert Event.objects.filter(verb="batch.finish").get().data == {
        "action": "take",
        "done": 3,
        "declined": 0,
    }


def test_batch_label_complements_and_assign(agent, supervisor, paris, urgent):
    first, second = in_review(agent=agent), in_review(agent=agent)
    batch = run(agent, "label", [first, second], label=urgent.pk)
    assert batch.done == 2 and DossierLabel.objects.count() == 2
    again = run(agent, "label", [first], label=urgent.pk)
    assert again.declined == 1 and "déjà cette étiquette" in again.items.get().reason
    codes = list(first.category.document_types.values_list("code", flat=True)[:1])
    batch = run(
        agent,
        "complements",
        [first, second],
        message="Merci d'envoyer le contrat signé.",
        document_types=codes,
    )
    assert batch.done == 2
    assert Dossier.objects.filter(state=State.AWAITING_COMPLEMENTS).count() == 2
    assert first.complement_requests.get().document_types.count() == 1
    missing = run(agent, "complements", [filed()], message="?", document_types=["nope"])
    assert "sans objet" in missing.items.get().reason
    with pytest.raises(services.ActorNotAllowed):
        backoffice_services.batch_create(actor=agent, action="assign", references=[str(first.uuid)])
    colleague = agent_of(paris)
    third = filed()
    assigned = run(supervisor, "assign", [third], assignee=colleague.pk)
    assert assigned.done == 1
    third.refresh_from_db()
    assert third.assignee == colleague


def test_batch_reasons_are_in_the_authors_language(agent, paris):
    from django.utils import translation

    closed = in_review(agent=agent)
    services.dossier_close(dossier=closed, actor=agent, comment="Désistement")
    with translation.override("en"):
        batch = backoffice_services.batch_create(actor=agent, action="take", references=[str(closed.uuid)])
    batch = backoffice_services.batch_run(batch_id=batch.pk)
    assert batch.language == "en"
    assert batch.items.get().reason == (
        "Action not possible: the file is now “Closed without action”. The page has been updated."
    )


def test_batch_export_gives_the_chosen_visible_dossiers(client, agent, paris, lyon_dossier):
    chosen, other = filed(), filed()
    client.force_login(agent)
    response = client.post(
        reverse("backoffice:batch_start"),
        {"action": "export", "dossiers": [str(chosen.uuid), str(lyon_dossier.uuid)]},
    )
    numbers = [row[0] for row in csv_rows(b"".join(response.streaming_content))[1:]]
    assert numbers == [chosen.number]
    assert other.number not in numbers


def test_a_batch_runs_in_process_when_the_broker_is_down(
    agent, paris, monkeypatch, django_capture_on_commit_callbacks
):
    from workinfrance.backoffice import tasks

    def broker_down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.run_batch, "delay", broker_down)
    dossier = filed()
    with django_capture_on_commit_callbacks(execute=True):
        batch = backoffice_services.batch_create(actor=agent, action="take", references=[str(dossier.uuid)])
    batch.refresh_from_db()
    assert (batch.status, batch.done) == ("finished", 1)


def test_two_labels_of_the_same_name_at_once_make_one(supervisor, paris, urgent, monkeypatch):
    # The check passed for both (created at the same moment): the database's constraint decides.
    monkeypatch.setattr(backoffice_services, "_label_name_clean", lambda unit_id, name, exclude=None: name)
    with pytest.raises(services.DossierActionError, match="déjà une étiquette"):
        backoffice_services.label_create(actor=supervisor, unit=paris, name="URGENT", colour="blue-ecume")
    assert Label.objects.filter(unit=paris).count() == 1
