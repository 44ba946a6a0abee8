"""The closed list of audit verbs: `event_record` refuses any other (a typo would hide an event
from every reader that filters on its verb)."""

from django.db import models


class Verb(models.TextChoices):
    # Accounts and sign-in.
    ACCOUNT_EMAIL_CONFIRMED = "account.email_confirmed"
    ACCOUNT_RECOVERY_CODE_USED = "account.recovery_code_used"
    ACCOUNT_RECOVERY_CODES_CREATED = "account.recovery_codes_created"
    ACCOUNT_SECOND_FACTOR_ENROLLED = "account.second_factor_enrolled"
    ACCOUNT_SECOND_FACTOR_RESET = "account.second_factor_reset"
    ACCOUNT_SIGNED_IN = "account.signed_in"
    ACCOUNT_SIGNED_OUT = "account.signed_out"
    ACCOUNT_SIGNED_UP = "account.signed_up"
    OIDC_LINK_ABANDONED = "oidc.link_abandoned"
    OIDC_LINK_EMAIL_SENT = "oidc.link_email_sent"
    OIDC_LINK_REQUESTED = "oidc.link_requested"
    OIDC_LINKED = "oidc.linked"
    OIDC_REFUSED_INACTIVE = "oidc.refused_inactive"
    OIDC_REFUSED_NO_EMAIL = "oidc.refused_no_email"
    OIDC_REFUSED_OTHER_IDENTITY = "oidc.refused_other_identity"
    OIDC_REFUSED_PROFESSIONAL_ACCOUNT = "oidc.refused_professional_account"
    OIDC_REFUSED_UNKNOWN_PROFESSIONAL = "oidc.refused_unknown_professional"
    # Dossiers: the applicant's writes, then one verb per lifecycle transition (`dossier.<transition>`,
    # a test keeps them equal to `lifecycle.Transition`).
    DOSSIER_CREATE = "dossier.create"
    DOSSIER_UPDATE = "dossier.update"
    DOCUMENT_UPLOAD = "document.upload"
    DOCUMENT_REMOVE = "document.remove"
    MESSAGE_POST = "message.post"
    # Co-applicants (dossiers.party_services): an invitation e-mailed, then accepted by an account.
    PARTY_INVITE = "party.invite"
    PARTY_ACCEPT = "party.accept"
    DOSSIER_SUBMIT = "dossier.submit"
    DOSSIER_TAKE = "dossier.take"
    DOSSIER_ASSIGN = "dossier.assign"
    DOSSIER_REQUEST_COMPLEMENTS = "dossier.request_complements"
    DOSSIER_RESUBMIT = "dossier.resubmit"
    DOSSIER_ACCEPT = "dossier.accept"
    DOSSIER_REFUSE = "dossier.refuse"
    DOSSIER_CLOSE = "dossier.close"
    DOSSIER_REOPEN = "dossier.reopen"
    # Staff reads (shown in the back-office's "reads" panel) and notes.
    DOSSIER_VIEW = "dossier.view"
    DOSSIER_DOCUMENT_VIEW = "dossier.document_view"
    DOSSIER_DOCUMENT_DOWNLOAD = "dossier.document_download"
    DOCUMENT_READ = "document.read"
    DOSSIER_NOTE = "dossier.note"
    BACKOFFICE_EXPORT = "backoffice.export"
    # Labels of a unit (its supervisor) and on dossiers (its agents); batch actions.
    LABEL_CREATE = "label.create"
    LABEL_UPDATE = "label.update"
    LABEL_DELETE = "label.delete"
    DOSSIER_LABEL_ADD = "dossier.label_add"
    DOSSIER_LABEL_REMOVE = "dossier.label_remove"
    BATCH_CREATE = "batch.create"
    BATCH_FINISH = "batch.finish"
    # Opinions asked of another service (workinfrance.opinions); the expert's events have no actor.
    OPINION_REQUEST = "opinion.request"
    OPINION_VIEW = "opinion.view"
    OPINION_DOCUMENT_READ = "opinion.document_read"
    OPINION_ANSWER = "opinion.answer"
    OPINION_REMIND = "opinion.remind"
    OPINION_CANCEL = "opinion.cancel"
    # Message templates of a unit (back-office).
    MESSAGE_TEMPLATE_SAVE = "message_template.save"
    MESSAGE_TEMPLATE_DELETE = "message_template.delete"
    # Permits.
    PERMIT_ISSUE = "permit.issue"
    PERMIT_REVOKE = "permit.revoke"
    PERMIT_PDF = "permit.pdf"
    PERMIT_DOWNLOAD = "permit.download"
    # Decision letters (refusal, revocation): issued with the decision, PDF signed, downloaded.
    DECISION_LETTER_ISSUE = "decision_letter.issue"
    DECISION_LETTER_PDF = "decision_letter.pdf"
    DECISION_LETTER_DOWNLOAD = "decision_letter.download"
    # API.
    API_CALL = "api.call"
    API_TOKEN_CREATE = "api_token.create"
    API_TOKEN_REVOKE = "api_token.revoke"
    WEBHOOK_CREATE = "webhook.create"
    WEBHOOK_DELETE = "webhook.delete"
    WEBHOOK_DISABLE = "webhook.disable"
    WEBHOOK_ENABLE = "webhook.enable"
    WEBHOOK_REPLAY = "webhook.replay"
    # Units and staff (administration pages).
    UNIT_CREATE = "unit.create"
    UNIT_UPDATE = "unit.update"
    STAFF_INVITE = "staff.invite"
    STAFF_DEACTIVATE = "staff.deactivate"
    # Follow-up: monthly reports, renewal list and reminders.
    FOLLOWUP_MONTHLY_REPORT = "followup.monthly_report"
    FOLLOWUP_REPORT_DOWNLOAD = "followup.report_download"
    FOLLOWUP_RENEWALS_EXPORT = "followup.renewals_export"
    DOSSIER_RENEWAL_REMINDER = "dossier.renewal_reminder"
    # Retention: each purge batch, with counts only.
    RETENTION_PURGE = "retention.purge"
    # Demo data.
    DEMO_SEED = "demo.seed"


# Reads of a dossier by staff: the back-office shows them apart from the dossier's history.
READ_VERBS = frozenset(
    {Verb.DOSSIER_VIEW, Verb.DOSSIER_DOCUMENT_VIEW, Verb.DOSSIER_DOCUMENT_DOWNLOAD, Verb.DOCUMENT_READ}
)


class UnknownVerb(ValueError):
    """A verb outside `Verb`: add it there (and to whatever reads it) rather than write free text."""


def verb_checked(verb: str) -> Verb:
    try:
        return Verb(verb)
    except ValueError:
        raise UnknownVerb(f"Unknown audit verb {verb!r}: add it to workinfrance.core.verbs.Verb.") from None
