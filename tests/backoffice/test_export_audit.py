"""The export's audit record (issue 11, point 8): known filter fields only, cleaned; no request
input can make the event fail to save (PostgreSQL refuses a NUL byte in JSON)."""

import pytest
from django.urls import reverse

from workinfrance.core.events import event_record
from workinfrance.core.models import Event

from tests.backoffice.conftest import filed

NUL = "\x00"


def export(client, view, params):
    response = client.get(reverse(view), params)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("view", ["backoffice:export_csv", "backoffice:export_xlsx"])
def test_only_the_known_filters_are_recorded(client, agent, paris, view):
    filed(student_last_name="Nom")
    client.force_login(agent)
    params = {
        "tab": "all",
        "q": "  Nom ",
        "state": "submitted",
        "department": "75",
        "filed_from": "2026-01-01",
        "page": "3",
        "utm_source": "<script>",
        "state_extra": "x" * 10_000,
    }
    assert export(client, view, params).status_code == 200
    event = Event.objects.get(verb="backoffice.export")
    assert event.data == {
        "format": view.rsplit("_", 1)[1],
        "tab": "all",
        "q": "Nom",
        "state": "submitted",
        "department": "75",
        "filed_from": "2026-01-01",
        "across_tabs": True,  # a search looks across every tab unless kept to the current one
    }


def test_a_filter_value_outside_its_choices_is_not_recorded(client, agent, paris):
    client.force_login(agent)
    export(client, "backoffice:export_csv", {"tab": "nope", "state": "hacked", "sort": "'; drop"})
    assert Event.objects.get(verb="backoffice.export").data == {"format": "csv", "tab": "to_take"}


@pytest.mark.postgres
@pytest.mark.parametrize("view", ["backoffice:export_csv", "backoffice:export_xlsx"])
@pytest.mark.parametrize("parameter", ["q", "tab", "state", "filed_from", "anything"])
def test_a_nul_byte_in_any_parameter_still_exports_and_audits(client, agent, paris, view, parameter):
    filed(student_last_name="Nom")
    client.force_login(agent)
    response = export(client, view, {"tab": "all", parameter: f"a{NUL}b"})
    assert response.status_code == 200
    event = Event.objects.get(verb="backoffice.export")
    assert NUL not in str(event.data)


@pytest.mark.postgres
def test_the_audit_trail_saves_whatever_text_it_is_given(agent):
    event = event_record(
        actor=agent, verb="backoffice.export", target=agent, data={f"k{NUL}": [f"v{NUL}\x07", {"n": 1}]}
    )
    event.refresh_from_db()
    assert event.data == {"k": ["v", {"n": 1}]}
