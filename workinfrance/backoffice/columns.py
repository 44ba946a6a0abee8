"""The inbox's optional columns: each agent chooses which to show (`InboxColumns`)."""

from django.utils.translation import gettext_lazy as _

# Always shown: number, student, employer, category, state, filing date.
OPTIONAL_COLUMNS = {
    "labels": _("Étiquettes"),
    "days": _("Jours"),
    "assignee": _("Instructeur"),
    "flags": _("Signalements"),
    "department": _("Département"),
    "residence_end": _("Fin du titre de séjour"),
    "contract": _("Contrat"),
}
DEFAULT_COLUMNS = ("labels", "days", "assignee", "flags")
