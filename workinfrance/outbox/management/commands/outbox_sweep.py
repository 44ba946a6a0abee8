from django.core.management.base import BaseCommand

from workinfrance.outbox.models import OutboxMessage, OutboxStatus
from workinfrance.outbox.services import outbox_deliver, outbox_sweep


class Command(BaseCommand):
    help = (
        "Queue every outgoing message that is due (what Celery beat does periodically); with --now, "
        "deliver them in this process instead, even those not yet due (after an outage, or without a worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="deliver here and now, ignoring backoff")

    def handle(self, *args, now=False, **options):
        if now:
            pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("pk")
            outcomes = [outbox_deliver(message_id=pk).value for pk in pending.values_list("pk", flat=True)]
            self.stdout.write(
                ", ".join(f"{name}: {outcomes.count(name)}" for name in sorted(set(outcomes)))
                or "nothing pending"
            )
        else:
            self.stdout.write(f"{outbox_sweep()} message(s) queued")
        failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count()
        if failed:
            self.stderr.write(f"{failed} message(s) given up: see the admin (Messages sortants)")
