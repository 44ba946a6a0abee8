import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workinfrance.retention.selectors import retention_plan
from workinfrance.retention.services import retention_purge


class Command(BaseCommand):
    help = (
        "Erase personal data past their retention period (docs/retention.md). With --dry-run, show "
        "what would go today and when the next items fall due, changing nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="show counts and next dates only")
        parser.add_argument("--date", help="act as on this day (YYYY-MM-DD), to see what a later run does")
        parser.add_argument("--batch-size", type=int, help="rows per transaction (WIF_RETENTION_BATCH)")

    def handle(self, *args, dry_run=False, date=None, batch_size=None, **options):
        today = timezone.localdate()
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if dry_run:
            self.stdout.write(f"Dry run for {today.isoformat()}: nothing is changed.")
            self.stdout.write(f"{'kind':<16} {'due now':>9}  next due")
            for line in retention_plan(today):
                next_date = line.next_date.isoformat() if line.next_date else "-"
                self.stdout.write(f"{line.kind:<16} {line.due:>9}  {next_date}")
            return
        run = retention_purge(today=today, batch_size=batch_size)
        for kind, counts in run.counts.items():
            figures = ", ".join(f"{name} {value}" for name, value in sorted(counts.items())) or "nothing"
            self.stdout.write(f"{kind:<16} {figures}")
        self.stdout.write(self.style.SUCCESS(f"Purge done (run {run.pk})."))
