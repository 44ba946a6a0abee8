import time

from django.core.management.base import BaseCommand

from workinfrance.stats.services import stats_rebuild, stats_refresh


class Command(BaseCommand):
    help = "Bring the precomputed statistics up to date with the event history (cron, or after a purge)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Recompute everything from the events.")

    def handle(self, *args, rebuild=False, **options):
        started = time.perf_counter()
        state = stats_rebuild() if rebuild else stats_refresh()
        if state is None:
            self.stdout.write("Another refresh is under way; nothing done.")
            return
        self.stdout.write(
            f"Statistics {'rebuilt' if rebuild else 'refreshed'} up to event {state.last_event_id} "
            f"in {time.perf_counter() - started:.2f} s (version {state.version})."
        )
