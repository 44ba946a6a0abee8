import pytest

from workinfrance.core.events import event_record, events_for
from workinfrance.core.models import Event
from workinfrance.core.verbs import READ_VERBS, UnknownVerb, Verb
from workinfrance.dossiers.lifecycle import Transition


def test_event_records_actor_verb_target_and_data(applicant, paris):
    event = event_record(actor=applicant, verb="dossier.view", target=paris, data={"why": "test"})
    assert (event.actor, event.verb, event.target_type, event.target_id) == (
        applicant,
        "dossier.view",
        "territories.unit",
        str(paris.pk),
    )
    assert list(events_for(paris)) == [event]


def test_events_are_append_only(applicant, paris):
    event = event_record(actor=applicant, verb="dossier.view", target=paris)
    event.verb = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        Event.objects.filter(pk=event.pk).update(verb="tampered")
    with pytest.raises(TypeError):
        Event.objects.all().delete()
    assert Event.objects.get(pk=event.pk).verb == "dossier.view"


def test_event_record_refuses_a_verb_outside_the_closed_list(applicant, paris):
    with pytest.raises(UnknownVerb, match="unit.viewed"):
        event_record(actor=applicant, verb="unit.viewed", target=paris)
    assert not Event.objects.exists()


def test_every_transition_has_its_verb_and_reads_are_verbs():
    assert {f"dossier.{t}" for t in Transition.values} <= set(Verb.values)
    assert Verb.DOCUMENT_READ in READ_VERBS


# Where else the audit trail may be written, and why.
EVENT_WRITERS_OUTSIDE_SERVICES = {
    "workinfrance/api/middleware.py",  # every API call, whatever the endpoint
    "workinfrance/api/tokens.py",  # the API tokens' service module
    "workinfrance/dossiers/demo.py",  # marks demo data as loaded (idempotence)
}


def test_audit_events_are_written_by_services_only():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for path in sorted((root / "workinfrance").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if (
            "services" in path.name
            or relative in EVENT_WRITERS_OUTSIDE_SERVICES
            or relative.endswith("core/events.py")
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "event_record"
            ):
                found.append(f"{relative}:{node.lineno}")
    assert not found
