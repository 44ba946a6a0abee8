from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from workinfrance.core.demo import demo_accounts_table, seed_units_and_accounts

# Each app with demo content exposes a `seed(units)` function; listed here in dependency order.
DEMO_SEEDERS: list[str] = [
    "workinfrance.dossiers.demo.seed",
    "workinfrance.permits.demo.seed",
    "workinfrance.stats.demo.seed",
]


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        units = seed_units_and_accounts()
        for dotted in DEMO_SEEDERS:
            import_string(dotted)(units)
        self.stdout.write(demo_accounts_table())
