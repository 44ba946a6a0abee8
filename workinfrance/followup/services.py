"""Writes of the follow-up: monthly reports (stored, announced to supervisors) and renewal
reminders (sent once per permit). Each writes its rows, audit event and outbox e-mails in one
transaction, so a crash or a second run never loses nor doubles a message."""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from workinfrance.accounts.models import Role
from workinfrance.core.events import event_record
from workinfrance.core.files import file_stage, files_for_committed_rows
from workinfrance.core.links import absolute_url
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier
from workinfrance.outbox.services import outbox_email
from workinfrance.permits.models import Permit, PermitStatus
from workinfrance.stats.services import stats_refresh
from workinfrance.territories.models import Unit

from .models import MonthlyReport, RenewalReminder
from .renewals import reminder_due_on
from .report_figures import report_figures
from .report_workbook import report_workbook


def _language(user) -> str:
    return user.preferred_language if user.preferred_language in ("fr", "en") else "fr"


# --- monthly reports --------------------------------------------------------------------------


def previous_month(today: datetime.date) -> datetime.date:
    return today.replace(day=1) - relativedelta(months=1)


def monthly_report_produce(*, unit: Unit, month: datetime.date) -> MonthlyReport:
    """The unit's report for `month` (first day), produced and announced once: a second call returns it."""
    month = month.replace(day=1)
    existing = MonthlyReport.objects.filter(unit=unit, month=month).first()
    if existing is not None:
        return existing
    figures = report_figures(unit=unit, month=month)
    with translation.override("fr"):
        content = report_workbook(unit=unit, figures=figures)
    with files_for_committed_rows(), transaction.atomic():
        Unit.objects.select_for_update().get(pk=unit.pk)  # two producers of one unit: one report
        existing = MonthlyReport.objects.filter(unit=unit, month=month).first()
        if existing is not None:
            return existing
        report = MonthlyReport(unit=unit, month=month, size=len(content), produced_at=timezone.now())
        file_stage(report.file, ContentFile(content), filename="report.xlsx")
        report.save()
        event_record(
            actor=None,
            verb="followup.monthly_report",
            target=report,
            data={"month": month.isoformat(), "size": len(content), "filed": figures.total.filed},
        )
        link = absolute_url(reverse("followup:report_download", kwargs={"pk": report.pk}))
        supervisors = unit.members.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk")
        for supervisor in supervisors:
            with translation.override(_language(supervisor)):
                context = {"report": report, "unit": unit, "link": link, "recipient": supervisor}
                subject = render_to_string("followup/email/report_subject.txt", context).strip()
                body = render_to_string("followup/email/report.txt", context).strip()
            outbox_email(
                to=supervisor.email, subject=subject, body=body, idempotency_key=f"monthly-report:{report.pk}"
            )
    return report


def monthly_reports_produce(*, today: datetime.date) -> list[MonthlyReport]:
    """Every unit's report for the month before `today` (beat: the first day of each month)."""
    stats_refresh()  # the facts include yesterday's last decisions
    month = previous_month(today)
    return [monthly_report_produce(unit=unit, month=month) for unit in Unit.objects.order_by("pk")]


# --- renewal reminders ------------------------------------------------------------------------


def _reminder_candidates(today: datetime.date):
    """Valid, started, unexpired permits of accepted dossiers, not reminded yet and not already being
    renewed, whose reminder may be due (exact date checked by `reminder_due_on`)."""
    renewing = Dossier.objects.filter(renewal_of=OuterRef("dossier")).exclude(state=State.DRAFT)
    return (
        Permit.objects.filter(
            status=PermitStatus.VALID,
            dossier__state=State.ACCEPTED,
            renewal_reminder__isnull=True,
            valid_from__lte=today,
            valid_until__gte=today,
        )
        # Due dates come at most 330 days after the start or a month (<= 31 days) before the end.
        .filter(
            Q(valid_from__lte=today - datetime.timedelta(days=330))
            | Q(valid_until__lte=today + datetime.timedelta(days=31))
        )
        .exclude(Exists(renewing))
        .select_related("dossier", "dossier__applicant")
        .order_by("pk")
    )


def renewal_reminder_send(*, permit: Permit, today: datetime.date) -> RenewalReminder | None:
    """Remind the holder (the dossier's applicant) and the employer's contact, once per permit."""
    due_on = reminder_due_on(valid_from=permit.valid_from, valid_until=permit.valid_until)
    if due_on > today:
        return None
    with transaction.atomic():
        locked = Permit.objects.select_for_update().get(pk=permit.pk)
        if RenewalReminder.objects.filter(permit=locked).exists():
            return None
        reminder = RenewalReminder.objects.create(permit=locked, due_on=due_on, sent_at=timezone.now())
        dossier = permit.dossier
        link = absolute_url(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})) + "#renouvellement"
        recipients = [("holder", dossier.applicant.email)]
        if (
            dossier.employer_contact_email
            and dossier.employer_contact_email.lower() != dossier.applicant.email.lower()
        ):
            recipients.append(("employer", dossier.employer_contact_email))
        for kind, address in recipients:
            subject, body = _reminder_render(permit=locked, dossier=dossier, kind=kind, link=link)
            outbox_email(
                to=address, subject=subject, body=body, idempotency_key=f"renewal-reminder:{locked.pk}"
            )
        event_record(
            actor=None,
            verb="dossier.renewal_reminder",
            target=dossier,
            data={"permit": locked.number, "due_on": due_on.isoformat(), "recipients": len(recipients)},
        )
    return reminder


def _reminder_render(*, permit, dossier, kind: str, link: str) -> tuple[str, str]:
    """French then English, as every e-mail to applicants: the reader may not read French yet."""
    subjects, bodies = [], []
    for language in ("fr", "en"):
        with translation.override(language):
            context = {"permit": permit, "dossier": dossier, "kind": kind, "link": link}
            subjects.append(render_to_string("followup/email/renewal_subject.txt", context).strip())
            bodies.append(render_to_string("followup/email/renewal.txt", context).strip())
    return " / ".join(subjects), "\n\n----------\n\n".join(bodies)


def renewal_reminders_send(*, today: datetime.date) -> int:
    sent = 0
    for permit in _reminder_candidates(today).iterator(chunk_size=500):
        sent += renewal_reminder_send(permit=permit, today=today) is not None
    return sent


def report_download_record(*, report, actor) -> None:
    event_record(actor=actor, verb="followup.report_download", target=report, data={})


def renewals_export_record(*, unit, actor, within_days: int, rows: int, export_format: str) -> None:
    """Exports carry personal data: who exported which selection, with counts only."""
    event_record(
        actor=actor,
        verb="followup.renewals_export",
        target=unit,
        data={"format": export_format, "within_days": within_days, "rows": rows},
    )
