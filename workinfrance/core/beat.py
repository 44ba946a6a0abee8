"""The periodic tasks the service relies on, checked when beat starts and by `manage.py check`.

Without the outbox sweep, e-mails held back by a broker outage would wait forever; without the
PDF sweep, a permit whose task was lost would never get its PDF; without the clean-up, staged
files of killed processes would pile up. A typo in a task name would only show as silence."""

import importlib
import importlib.util

from django.apps import apps as django_apps
from django.conf import settings
from django.core import checks

REQUIRED_PERIODIC_TASKS = {
    "workinfrance.outbox.tasks.sweep_outbox": "re-queues outgoing messages (e-mails, webhooks) still pending",
    "workinfrance.permits.tasks.issue_missing_permit_pdfs": "issues the PDFs of permits whose task was lost",
    "workinfrance.core.tasks.clean_temporary_files": "finishes file moves, removes staged files and spools",
    "workinfrance.followup.tasks.send_alert_digests": "mails the agents their units' daily alerts",
    "workinfrance.followup.tasks.send_renewal_reminders": "reminds permit holders to renew",
    "workinfrance.followup.tasks.produce_monthly_reports": "produces the units' monthly reports",
    "workinfrance.retention.tasks.purge_personal_data": "erases personal data past their retention period",
}


def beat_schedule_problems(schedule: dict | None = None, registered=None) -> list[str]:
    from config.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
    if registered is None:
        for app_config in django_apps.get_app_configs():  # what autodiscovery imports, without Celery's
            if importlib.util.find_spec(f"{app_config.name}.tasks") is not None:  # Django checks again
                importlib.import_module(f"{app_config.name}.tasks")
        registered = set(app.tasks)
    scheduled = {entry["task"] for entry in schedule.values()}
    problems = [
        f"periodic task {name!r} is not in CELERY_BEAT_SCHEDULE: nothing {why}"
        for name, why in REQUIRED_PERIODIC_TASKS.items()
        if name not in scheduled
    ]
    problems += [
        f"CELERY_BEAT_SCHEDULE entry {key!r} names an unknown task {entry['task']!r}"
        for key, entry in schedule.items()
        if entry["task"] not in registered
    ]
    return problems


@checks.register()
def beat_schedule_check(app_configs=None, **kwargs):
    return [checks.Error(problem, id="workinfrance.E014") for problem in beat_schedule_problems()]
