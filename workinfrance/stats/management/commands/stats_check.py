from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workinfrance.stats.direct import report_from_events
from workinfrance.stats.selectors import Filters, report_compute
from workinfrance.stats.services import stats_refresh


class Command(BaseCommand):
    help = "Check that the precomputed national figures equal a direct computation from the transition log."

    def handle(self, *args, **options):
        stats_refresh()
        today = timezone.localdate()
        precomputed = report_compute(filters=Filters(), today=today)
        direct = report_from_events(filters=Filters(), today=today)
        if precomputed != direct:
            raise CommandError(
                "The precomputed statistics differ from the event history: run stats_refresh --rebuild."
            )
        self.stdout.write(f"OK: {precomputed.total.filed} files over 12 months, figures identical.")
