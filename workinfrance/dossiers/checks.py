"""What stops a dossier from being submitted: missing data, missing documents, inconsistencies.

One list of problems, each with the step of the form where the applicant can fix it, so the
review page can link straight there. Submission refuses any dossier with a problem."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from workinfrance.procedures.models import Condition, ContractType, Requirement

from .models import Dossier, FilerKind, ResidencePermitType
from .terms import weekly_hours_ceiling
from .validators import SIRET_INVALID, normalize_siret, siret_is_valid


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    step: str  # the filing step that fixes it: student, residence, employer, job, mandate, documents
    # The fields it is about. When one step holds them all, the step's form shows it at the last of
    # them as soon as it is saved, instead of only at review.
    fields: tuple[str, ...] = ()


REQUIRED_FIELDS = {
    "student": [
        "student_first_name",
        "student_last_name",
        "student_birth_date",
        "student_birth_place",
        "student_nationality",
        "student_address",
        "student_postcode",
        "student_city",
        "institution_name",
        "enrolment_programme",
    ],
    "residence": ["residence_permit_type", "residence_permit_number", "residence_permit_end", "department"],
    "employer": ["employer_name", "employer_siret", "employer_address", "employer_postcode", "employer_city"],
    "job": ["job_title", "contract_type", "contract_start", "weekly_hours", "gross_monthly_salary"],
}


def active_conditions(dossier: Dossier) -> set[str]:
    conditions = set()
    if dossier.filer_kind != FilerKind.EMPLOYER:
        conditions.add(Condition.MANDATED_FILER)
    if dossier.renewal_of_id or dossier.previous_permit_number:
        conditions.add(Condition.RENEWAL)
    if dossier.regulated_profession:
        conditions.add(Condition.REGULATED_PROFESSION)
    if dossier.residence_permit_type == ResidencePermitType.RENEWAL_RECEIPT:
        conditions.add(Condition.RESIDENCE_RENEWAL)
    return conditions


def required_document_types(dossier: Dossier):
    """The document types this dossier must include, in display order."""
    conditions = active_conditions(dossier)
    return [
        doc_type
        for doc_type in dossier.category.document_types.all()
        if doc_type.requirement == Requirement.MANDATORY or doc_type.condition in conditions
    ]


def dossier_problems(dossier: Dossier) -> list[Problem]:
    problems: list[Problem] = []
    for step, fields in REQUIRED_FIELDS.items():
        for name in fields:
            if getattr(dossier, name if name != "department" else "department_id") in (None, ""):
                label = Dossier._meta.get_field(name).verbose_name
                problems.append(
                    Problem(f"missing:{name}", _("Champ à renseigner : %(field)s.") % {"field": label}, step)
                )
    problems += consistency_problems(dossier)
    problems += _document_problems(dossier)
    return problems


def consistency_problems(d: Dossier) -> list[Problem]:
    problems = []
    category = d.category
    if d.employer_siret and not siret_is_valid(normalize_siret(d.employer_siret)):
        problems.append(Problem("siret", str(SIRET_INVALID), "employer", ("employer_siret",)))
    if d.contract_start and d.contract_end and d.contract_end < d.contract_start:
        problems.append(
            Problem(
                "contract_dates",
                _("La fin du contrat est antérieure à son début."),
                "job",
                ("contract_start", "contract_end"),
            )
        )
    if d.contract_type and d.contract_type != ContractType.PERMANENT and not d.contract_end:
        problems.append(Problem("missing:contract_end", _("Indiquez la date de fin du contrat."), "job"))
    if (
        d.contract_type
        and category.allowed_contract_types
        and d.contract_type not in category.allowed_contract_types
    ):
        problems.append(
            Problem(
                "contract_type",
                _("Le type de contrat « %(type)s » ne correspond pas à la catégorie « %(category)s ».")
                % {"type": d.get_contract_type_display(), "category": category.label},
                "job",
            )
        )
    if (
        d.residence_permit_start
        and d.residence_permit_end
        and d.residence_permit_end < d.residence_permit_start
    ):
        problems.append(
            Problem(
                "residence_dates",
                _("Le titre de séjour expire avant sa date de début."),
                "residence",
                ("residence_permit_start", "residence_permit_end"),
            )
        )
    if d.residence_permit_end and d.contract_start and d.residence_permit_end < d.contract_start:
        problems.append(
            Problem(
                "residence_expires_before_start",
                _("Le titre de séjour expire (%(end)s) avant le début du contrat (%(start)s).")
                % {
                    "end": d.residence_permit_end.strftime("%d/%m/%Y"),
                    "start": d.contract_start.strftime("%d/%m/%Y"),
                },
                "residence",
            )
        )
    today = timezone.localdate()
    # An expired card under renewal is covered by the receipt (its own document).
    if (
        d.residence_permit_end
        and d.residence_permit_end < today
        and d.residence_permit_type != ResidencePermitType.RENEWAL_RECEIPT
    ):
        problems.append(
            Problem(
                "residence_expired",
                _(
                    "Le titre de séjour a expiré le %(end)s. S'il est en cours de renouvellement, "
                    "choisissez « Récépissé de renouvellement » et joignez le récépissé."
                )
                % {"end": d.residence_permit_end.strftime("%d/%m/%Y")},
                "residence",
            )
        )
    if d.student_birth_date and d.student_birth_date >= today:
        problems.append(
            Problem(
                "birth_date",
                _("La date de naissance doit être dans le passé."),
                "student",
                ("student_birth_date",),
            )
        )
    if d.weekly_hours is not None:
        if d.weekly_hours <= 0:
            problems.append(
                Problem(
                    "weekly_hours", _("La durée hebdomadaire doit être positive."), "job", ("weekly_hours",)
                )
            )
        elif category.max_weekly_hours is not None and d.weekly_hours > category.max_weekly_hours:
            problems.append(
                Problem(
                    "weekly_hours_limit",
                    _(
                        "%(hours)s h par semaine dépasse la limite de %(limit)s h pour la catégorie « %(category)s »."
                    )
                    % {
                        "hours": d.weekly_hours,
                        "limit": category.max_weekly_hours,
                        "category": category.label,
                    },
                    "job",
                    ("weekly_hours",),
                )
            )
        elif d.weekly_hours > weekly_hours_ceiling():
            problems.append(
                Problem(
                    "weekly_hours_max",
                    _("La durée hebdomadaire ne peut dépasser %(limit)s heures.")
                    % {"limit": weekly_hours_ceiling()},
                    "job",
                    ("weekly_hours",),
                )
            )
    if d.gross_monthly_salary is not None and d.gross_monthly_salary <= 0:
        problems.append(
            Problem(
                "salary",
                _("Le salaire brut mensuel doit être positif."),
                "job",
                ("gross_monthly_salary",),
            )
        )
    if d.department_id and d.department and not d.department.is_open:
        problems.append(
            Problem(
                "department_closed",
                _("Le département %(d)s n'est pas encore ouvert au service.") % {"d": d.department},
                "residence",
            )
        )
    return problems


def _document_problems(dossier: Dossier) -> list[Problem]:
    present = set(
        dossier.documents.filter(superseded_at__isnull=True, document_type__isnull=False).values_list(
            "document_type_id", flat=True
        )
    )
    return [
        Problem(
            f"document:{doc_type.code}",
            _("Document manquant : %(name)s.") % {"name": doc_type.label},
            # The employer's mandate has its own step (issue 15), where its prefilled form is printed.
            "mandate" if doc_type.condition == Condition.MANDATED_FILER else "documents",
        )
        for doc_type in required_document_types(dossier)
        if doc_type.pk not in present
    ]
