from django.core.management.base import BaseCommand

from workinfrance.permits.models import Permit
from workinfrance.permits.services import decision_letters_pdf_issue_missing, permits_pdf_issue_missing


class Command(BaseCommand):
    help = "Produce now every permit PDF still missing (after a worker outage); safe to run any time."

    def handle(self, *args, **options):
        done = permits_pdf_issue_missing()
        self.stdout.write(f"{len(done)} PDF issued: {', '.join(done) or '-'}")
        letters = decision_letters_pdf_issue_missing()
        if letters:
            self.stdout.write(f"{len(letters)} decision letter PDF issued")
        still = Permit.objects.filter(pdf="", purged_at__isnull=True).count()
        if still:
            self.stderr.write(f"{still} permit(s) still without PDF: see the log")
