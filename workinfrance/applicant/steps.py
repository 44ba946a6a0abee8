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
    Step("documents", _("Les pièces justificatives")),
    Step("review", _("Vérification et dépôt")),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)


def step_index(slug: str) -> int:
    return STEP_SLUGS.index(slug)


def step_after(slug: str) -> Step | None:
    index = step_index(slug) + 1
    return STEPS[index] if index < len(STEPS) else None


def step_before(slug: str) -> Step | None:
    index = step_index(slug) - 1
    return STEPS[index] if index >= 0 else None
