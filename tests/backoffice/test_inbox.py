import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from workinfrance.backoffice.selectors import InboxQuery, inbox_queryset
from workinfrance.dossiers import services
from workinfrance.dossiers.models import Dossier, Message
from workinfrance.followup.workdays import working_days_between

from tests.backoffice.conftest import filed, in_review
from tests.factories import UserFactory, category

# Session, user (with whether a unit requires ProConnect), the user's units, the unit's labels (the
# filter, the rows' badges, the batch action), the form's choices (categories, departments, agents),
# count, rows (their labels in the same query), the tab counts (one query for every tab, each
# capped), the agent's saved filters, the agent's columns. Issue 16 added the last three and the
# labels: 8 -> 12.
INBOX_QUERIES = 12
# On PostgreSQL a word search first looks its words up in the list of known words (corrections of
# typos; whether the last word is whole or still being typed): one query more.
WORD_LOOKUP_QUERIES = 1


def rows(response):
    return [d.number for d in response.context["page"].object_list]


@pytest.mark.parametrize("count", [2, 40])
@pytest.mark.parametrize("tab", ["to_take", "all"])
@pytest.mark.parametrize("word", ["Nom", "Nomm"])
def test_query_count_is_constant(
    client, agent, supervisor, paris, django_assert_num_queries, count, tab, word
):
    for i in range(count):
        # "Nommer" is a known word that "Nomm" starts: still being typed, never corrected.
        dossier = filed(student_first_name="Nommer", student_last_name=f"{word}{i}")
        if i % 3 == 0:
            services.dossier_assign(dossier=dossier, actor=supervisor, assignee=agent)
    client.force_login(agent)
    expected = INBOX_QUERIES
    if connection.vendor == "postgresql":  # whether the word may hold a typo or not
        expected += WORD_LOOKUP_QUERIES
    with django_assert_num_queries(expected):
        response = client.get(reverse("backoffice:inbox"), {"tab": tab, "q": word, "flag": ""})
    with django_assert_num_queries(expected):  # kept to the tab: the same queries
        in_tab = client.get(reverse("backoffice:inbox"), {"tab": tab, "q": word, "tab_only": "on"})
    # A search looks across every tab.
    assert len(rows(response)) == min(count, 25)
    assert len(rows(in_tab)) == (min(count, 25) if tab == "all" else min(count - (count + 2) // 3, 25))


def test_tabs(client, agent, other_agent, paris):
    submitted = filed()
    mine = in_review(agent=agent)
    theirs = in_review(agent=other_agent)
    awaiting = in_review(agent=agent)
    services.dossier_request_complements(dossier=awaiting, actor=agent, document_types=[], message="?")
    decided = in_review(agent=agent)
    services.dossier_close(dossier=decided, actor=agent, comment="Désistement")
    client.force_login(agent)
    url = reverse("backoffice:inbox")
    assert rows(client.get(url)) == [submitted.number]
    assert rows(client.get(url, {"tab": "mine"})) == [mine.number]
    assert rows(client.get(url, {"tab": "awaiting"})) == [awaiting.number]
    assert rows(client.get(url, {"tab": "decided"})) == [decided.number]
    assert set(rows(client.get(url, {"tab": "all"}))) == {
        d.number for d in (submitted, mine, theirs, awaiting, decided)
    }


def test_filters(client, agent, other_agent, paris):
    in_92 = filed(department="92", student_postcode="92100")
    mine = in_review(agent=agent)
    theirs = in_review(agent=other_agent)
    algerian = filed(category=category("algerian_student"), contract_type="fixed_term", weekly_hours="17.5")
    client.force_login(agent)
    url = reverse("backoffice:inbox")
    assert rows(client.get(url, {"tab": "all", "department": "92"})) == [in_92.number]
    assert rows(client.get(url, {"tab": "all", "assignee": other_agent.pk})) == [theirs.number]
    assert set(rows(client.get(url, {"tab": "all", "assignee": "none"}))) == {in_92.number, algerian.number}
    assert rows(client.get(url, {"tab": "all", "category": algerian.category_id})) == [algerian.number]
    assert set(rows(client.get(url, {"tab": "all", "state": "in_review"}))) == {mine.number, theirs.number}
    # The form shows the chosen filters back.
    page = client.get(
        url, {"tab": "all", "department": "92", "assignee": other_agent.pk, "q": "x"}
    ).content.decode()
    assert '<option value="92" selected>' in page
    assert f'<option value="{other_agent.pk}" selected>' in page
    assert 'name="q" value="x"' in page and 'name="tab" value="all"' in page


def test_filing_date_range_and_sort(client, agent, paris):
    now = timezone.now()
    old, middle, recent = filed(), filed(), filed()
    for dossier, days in ((old, 30), (middle, 10), (recent, 1)):
        Dossier.objects.filter(pk=dossier.pk).update(submitted_at=now - datetime.timedelta(days=days))
    client.force_login(agent)
    url = reverse("backoffice:inbox")
    assert rows(client.get(url)) == [old.number, middle.number, recent.number]
    assert rows(client.get(url, {"sort": "-filed"})) == [recent.number, middle.number, old.number]
    assert rows(client.get(url, {"sort": "-waiting"})) == [old.number, middle.number, recent.number]
    since = (timezone.localdate() - datetime.timedelta(days=15)).isoformat()
    until = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    assert rows(client.get(url, {"filed_from": since, "filed_to": until})) == [middle.number]
    # An invalid date is ignored rather than emptying the list.
    assert len(rows(client.get(url, {"filed_from": "not-a-date"}))) == 3


def test_sort_by_waiting_across_decided(client, agent, paris):
    now = timezone.now()
    quick = in_review(agent=agent)
    services.dossier_close(dossier=quick, actor=agent, comment="Désistement")
    waiting = filed()
    Dossier.objects.filter(pk=quick.pk).update(
        submitted_at=now - datetime.timedelta(days=20), decided_at=now - datetime.timedelta(days=19)
    )
    Dossier.objects.filter(pk=waiting.pk).update(submitted_at=now - datetime.timedelta(days=5))
    client.force_login(agent)
    url = reverse("backoffice:inbox")
    slow = in_review(agent=agent)
    services.dossier_refuse(dossier=slow, actor=agent, reason="hours", comment="")
    Dossier.objects.filter(pk=slow.pk).update(submitted_at=now - datetime.timedelta(days=10), decided_at=now)
    # Decided files: by processing time; elsewhere waiting follows the filing date.
    assert rows(client.get(url, {"tab": "decided", "sort": "-waiting"})) == [slow.number, quick.number]
    assert rows(client.get(url, {"tab": "decided", "sort": "waiting"})) == [quick.number, slow.number]
    assert rows(client.get(url, {"tab": "all", "sort": "-waiting"})) == [
        quick.number,
        slow.number,
        waiting.number,
    ]


def test_row_shows_days_assignee_and_flags(client, agent, paris):
    dossier = in_review(agent=agent)
    # Noon, local time, 50 calendar days ago: "now - 50 days" crosses a summer-time change late in the evening.
    noon = datetime.datetime.combine(timezone.localdate() - datetime.timedelta(days=50), datetime.time(12))
    Dossier.objects.filter(pk=dossier.pk).update(submitted_at=timezone.make_aware(noon))
    client.force_login(agent)
    response = client.get(reverse("backoffice:inbox"), {"tab": "mine"})
    row = response.context["page"].object_list[0]
    assert row.days_since_filing == 50
    assert {flag.code for flag in row.flags} == {"late", "deadline"}
    page = response.content.decode()
    waited = working_days_between(timezone.localdate() - datetime.timedelta(days=50), timezone.localdate())
    assert f"En attente depuis {waited} jours ouvrés" in page
    assert str(agent) in page and "Refus implicite le" in page


def test_flag_filters(client, agent, paris):
    late = filed()  # "late" counts working days: 20 calendar days are more than 7 of them
    Dossier.objects.filter(pk=late.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=20))
    expiring = filed(residence_permit_end=timezone.localdate() + datetime.timedelta(days=20))
    Dossier.objects.filter(pk=expiring.pk).update(
        contract_end=timezone.localdate() + datetime.timedelta(days=20)
    )
    decided = in_review(agent=agent)
    services.dossier_refuse(dossier=decided, actor=agent, reason="hours", comment="")
    Message.objects.create(dossier=decided, author=decided.applicant, body="Je conteste.")
    filed()
    client.force_login(agent)
    url = reverse("backoffice:inbox")
    assert rows(client.get(url, {"tab": "all", "flag": "late"})) == [late.number]
    assert rows(client.get(url, {"tab": "all", "flag": "residence_expiring"})) == [expiring.number]
    assert rows(client.get(url, {"tab": "all", "flag": "message_after_decision"})) == [decided.number]
    response = client.get(url, {"tab": "decided"})
    assert [f.code for f in response.context["page"].object_list[0].flags] == ["message_after_decision"]


def test_pagination(client, agent, paris):
    numbers = [filed().number for _ in range(27)]
    client.force_login(agent)
    url = reverse("backoffice:inbox")
    assert rows(client.get(url)) == numbers[:25]
    response = client.get(url, {"page": 2})
    assert rows(response) == numbers[25:]
    assert "page=1" in response.content.decode()


def test_capped_count(client, agent, paris, monkeypatch):
    from workinfrance.backoffice import selectors

    monkeypatch.setattr(selectors.CappedPaginator, "CAP", 3)
    monkeypatch.setattr(selectors.CappedPaginator, "SEARCH_CAP", 4)
    for _ in range(6):
        filed()
    page = selectors.inbox_page(user=agent, query=InboxQuery(tab="all"), page_number=1, per_page=2)
    assert page.paginator.count == 4 and page.paginator.capped
    page = selectors.inbox_page(
        user=agent, query=InboxQuery(tab="all", q="Haddad"), page_number=1, per_page=2
    )
    assert page.paginator.count == 5 and page.paginator.capped
    client.force_login(agent)
    assert "Plus de 3 dossiers" in client.get(reverse("backoffice:inbox"), {"tab": "all"}).content.decode()


@pytest.mark.parametrize(
    "text",
    [
        "Haddad-Unique",
        "haddad-uniq",
        "boulangerie panthéon",
        "boulangerie panth",
        "732 829 320 00074",
        "732829320",
        "Zoé",
    ],
)
def test_search_finds_by_name_employer_siret(agent, paris, text):
    wanted = filed(student_last_name="Haddad-Unique", student_first_name="Zoé")
    filed(employer_name="Autre entreprise", employer_siret="35600000000048", student_first_name="Ali")
    found = list(inbox_queryset(user=agent, query=InboxQuery(tab="all", q=text)))
    assert found == [wanted]


def test_search_by_number(agent, paris):
    wanted, other = filed(), filed()
    assert list(inbox_queryset(user=agent, query=InboxQuery(tab="all", q=wanted.number))) == [wanted]
    assert list(inbox_queryset(user=agent, query=InboxQuery(tab="all", q=other.number.lower()))) == [other]


@pytest.mark.postgres
def test_search_column_holds_the_documented_text(paris):
    import importlib

    from django.db import connection

    migration = importlib.import_module("workinfrance.dossiers.migrations.0010_search_vector_unit_lexeme")
    filed(student_first_name="Zoé", employer_name="Café du Port")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT bool_and(search_vector = {migration.SEARCH_DOCUMENT}) FROM dossiers_dossier")
        assert cursor.fetchone() == (True,)


@pytest.mark.postgres
def test_search_uses_french_stemming(agent, paris):
    wanted = filed(employer_name="Les Boulangeries Réunies")
    filed(employer_name="Garage central")
    assert list(inbox_queryset(user=agent, query=InboxQuery(tab="all", q="boulangerie"))) == [wanted]


def test_other_staff_unit_rows_never_listed(client, paris, lyon):
    agent_of_both = UserFactory(role="agent", units=[paris, lyon])
    dossier_paris, dossier_lyon = filed(), filed(department="69")
    client.force_login(agent_of_both)
    assert set(rows(client.get(reverse("backoffice:inbox")))) == {dossier_paris.number, dossier_lyon.number}
