"""Cursor pagination: stable while dossiers are filed between pages; constant query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier

from tests.api.helpers import call, make_token
from tests.dossiers.helpers import dossier_in_state
from tests.factories import UserFactory


def _file(world, n, *, start):
    applicant = UserFactory()
    made = []
    for i in range(n):
        dossier = dossier_in_state(State.SUBMITTED, applicant=applicant, unit=world.paris, documents=False)
        Dossier.objects.filter(pk=dossier.pk).update(submitted_at=start + datetime.timedelta(minutes=i))
        made.append(dossier.number)
    return made


def _pages(client, token, query, *, between_pages=None):
    seen, cursor, pages = [], None, 0
    while True:
        url = f"/api/v1/unit/dossiers?tab=to_take&limit=3{query}" + (f"&cursor={cursor}" if cursor else "")
        body = call(client, "GET", url, token).json()
        seen += [d["number"] for d in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if between_pages and pages == 1:
            between_pages()
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort", ["filed", "-filed"])
def test_pages_stay_stable_while_dossiers_are_filed(client, world, sort):
    token = make_token(world.supervisor, unit=world.paris)
    base = timezone.now() - datetime.timedelta(days=3)
    before = [world.submitted.number] + _file(world, 7, start=base)
    Dossier.objects.filter(pk=world.submitted.pk).update(submitted_at=base - datetime.timedelta(hours=1))
    late = []
    seen = _pages(
        client,
        token,
        f"&sort={sort}",
        between_pages=lambda: late.extend(_file(world, 4, start=timezone.now())),
    )
    assert len(seen) == len(set(seen)), "a dossier appeared twice"
    if sort == "filed":
        # Oldest first: nothing skipped, nothing repeated, and the new filings come at the end.
        assert seen == before + late
    else:
        # Newest first: the first page was read before the new filings, which land before the cursor.
        assert seen == list(reversed(before))


def test_listing_costs_the_same_queries_for_any_page_size(client, world):
    token = make_token(world.supervisor, unit=world.paris)
    _file(world, 30, start=timezone.now() - datetime.timedelta(days=1))

    def queries(limit):
        with CaptureQueriesContext(connection) as captured:
            response = call(client, "GET", f"/api/v1/unit/dossiers?tab=all&limit={limit}", token)
        assert response.status_code == 200 and len(response.json()["items"]) == limit
        return len(captured)

    assert queries(2) == queries(25)
