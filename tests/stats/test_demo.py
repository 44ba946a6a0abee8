from django.utils import timezone

from workinfrance.core.demo import seed_units_and_accounts
from workinfrance.dossiers.models import Dossier
from workinfrance.stats import demo
from workinfrance.stats.direct import report_from_events
from workinfrance.stats.models import DossierFact
from workinfrance.stats.selectors import Filters, report_compute


def test_demo_history_is_consistent_and_seeded_once(db, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(demo, "DOSSIERS", 40)
    units = seed_units_and_accounts()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(units)
    dossiers = Dossier.objects.filter(applicant__email=demo.HISTORY_APPLICANT)
    count = dossiers.count()
    assert 30 <= count <= 40  # files whose decision would still be ahead are left out
    assert not dossiers.exclude(state__in=["accepted", "refused", "closed"]).exists()
    assert not dossiers.filter(permits__isnull=False).exists()  # no signed PDF to render for history
    assert DossierFact.objects.count() == count
    today = timezone.localdate()
    assert report_compute(filters=Filters(), today=today) == report_from_events(
        filters=Filters(), today=today
    )
    demo.seed(units)
    assert dossiers.count() == count
