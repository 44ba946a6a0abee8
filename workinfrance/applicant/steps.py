"""The steps of the filing form, in order. `Problem.step` of dossiers.checks names one of them."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise  # translated when shown


STEPS = (
    Step("filer", _("Votre situation")),
    Step("student", _("L'étudiant")),
    Step("residence", _("Le titre de séjour")),
    Step("employer", _("L'employeur")),
    Step("job", _("L'emploi")),
    # Only when the student or a mandatary files (`steps_for`): the employer signs a mandate.
    Step("mandate", _("Le mandat de l'employeur")),
    Step("documents", _("Les pièces justificatives")),
    Step("review", _("Vérification et dépôt")),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)


MANDATE_STEP = "mandate"


def steps_for(dossier=None) -> tuple[Step, ...]:
    """The dossier's steps: the mandate step only when someone else than the employer files."""
    if dossier is not None and dossier.filer_kind and dossier.filer_kind != "employer":
        return STEPS
    return tuple(step for step in STEPS if step.slug != MANDATE_STEP)


def step_index(slug: str, dossier=None) -> int:
    return [step.slug for step in steps_for(dossier)].index(slug)


def step_after(slug: str, dossier=None) -> Step | None:
    steps = steps_for(dossier)
    index = step_index(slug, dossier) + 1
    return steps[index] if index < len(steps) else None


def step_before(slug: str, dossier=None) -> Step | None:
    steps = steps_for(dossier)
    index = step_index(slug, dossier) - 1
    return steps[index] if index >= 0 else None
