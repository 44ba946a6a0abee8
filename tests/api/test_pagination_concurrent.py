"""Cursor pagination while another connection files dossiers at the same moment (PostgreSQL, real
concurrent transactions): every dossier filed before the first page is seen exactly once, in order,
and no dossier is ever seen twice.

A transactional test, in a file of its own (see tests/dossiers/test_submission_concurrency.py)."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier

from tests.api.helpers import call, make_token
from tests.dossiers.helpers import dossier_in_state


def _file(applicant, unit, submitted_at):
    dossier = dossier_in_state(State.SUBMITTED, applicant=applicant, unit=unit, documents=False)
    Dossier.objects.filter(pk=dossier.pk).update(submitted_at=submitted_at)
    return dossier.number


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration-seeded rows
@pytest.mark.parametrize("sort", ["filed", "-filed"])
def test_pages_hold_while_another_connection_files(client, applicant, paris, supervisor, sort):
    token = make_token(supervisor, unit=paris)
    start = timezone.now() - datetime.timedelta(days=2)
    # Ties on the filing instant: the cursor's second key (the id) must separate them.
    before = [_file(applicant, paris, start + datetime.timedelta(minutes=i // 3)) for i in range(24)]

    stop, filed_meanwhile, errors = threading.Event(), [], []
    first_page_read = threading.Event()

    def file_continuously():
        try:
            first_page_read.wait(timeout=30)
            while not stop.is_set():
                filed_meanwhile.append(_file(applicant, paris, timezone.now()))
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=file_continuously)
    writer.start()
    seen, cursor, pages = [], None, 0
    try:
        while True:
            query = f"tab=to_take&limit=4&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
            response = call(client, "GET", f"/api/v1/unit/dossiers?{query}", token)
            assert response.status_code == 200, response.content
            body = response.json()
            seen += [item["number"] for item in body["items"]]
            pages += 1
            first_page_read.set()
            cursor = body["next_cursor"]
            if cursor is None or pages > 200:
                break
    finally:
        stop.set()
        writer.join(timeout=60)
    assert errors == []
    assert filed_meanwhile, "the other connection filed nothing while the pages were read"
    assert len(seen) == len(set(seen)), "a dossier appeared twice"
    expected = before if sort == "filed" else list(reversed(before))
    assert [number for number in seen if number in set(before)] == expected
    if sort == "filed":
        # Oldest first: what was filed meanwhile comes after every earlier filing, never among them.
        assert seen[: len(before)] == before
