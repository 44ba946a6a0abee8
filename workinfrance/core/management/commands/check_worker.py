import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workinfrance.core.tasks import worker_echo


class Command(BaseCommand):
    help = "Send a task through the broker and wait for a worker to answer (exit 1 if none does)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, **options):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self.stdout.write("No broker configured: tasks run in-process.")
            return
        token = secrets.token_hex(8)
        try:
            answer = worker_echo.delay(token).get(timeout=options["timeout"])
        except Exception as error:  # broker down, no worker, timeout: all mean "not healthy"
            raise CommandError(f"No worker answered within {options['timeout']} s: {error}") from error
        if answer != token:
            raise CommandError("A worker answered with the wrong token.")
        self.stdout.write(self.style.SUCCESS("A worker answered through the broker."))
