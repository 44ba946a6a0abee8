import pytest

from workinfrance.core.events import event_record, events_for
from workinfrance.core.models import Event


def test_event_records_actor_verb_target_and_data(applicant, paris):
    event = event_record(actor=applicant, verb="unit.viewed", target=paris, data={"why": "test"})
    assert (event.actor, event.verb, event.target_type, event.target_id) == (
        applicant,
        "unit.viewed",
        "territories.unit",
        str(paris.pk),
    )
    assert list(events_for(paris)) == [event]


def test_events_are_append_only(applicant, paris):
    event = event_record(actor=applicant, verb="unit.viewed", target=paris)
    event.verb = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        Event.objects.filter(pk=event.pk).update(verb="tampered")
    with pytest.raises(TypeError):
        Event.objects.all().delete()
    assert Event.objects.get(pk=event.pk).verb == "unit.viewed"
