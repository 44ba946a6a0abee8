from django.utils import timezone

from workinfrance.stats.models import DossierFact
from workinfrance.stats.tasks import rebuild_statistics, refresh_statistics

from tests.stats.story import dossier_with_events


def test_celery_beat_runs_the_refresh_and_the_nightly_rebuild(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {refresh_statistics.name, rebuild_statistics.name} <= scheduled


def test_tasks_bring_the_facts_up_to_date(paris):
    first = dossier_with_events(
        unit=paris, department="75", category="apprenticeship", steps=[(timezone.now(), "submit")]
    )
    rebuild_statistics.delay()
    assert DossierFact.objects.get(pk=first.pk).outcome == ""
    second = dossier_with_events(
        unit=paris, department="75", category="apprenticeship", steps=[(timezone.now(), "submit")]
    )
    refresh_statistics.delay()
    assert DossierFact.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
