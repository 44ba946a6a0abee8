from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share one SIREN and follow a different key (sum of digits divisible by 5).
LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_is_valid(value: str) -> bool:
    if len(value) != 14 or not value.isdigit():
        return False
    if value.startswith(LA_POSTE_SIREN) and value != "35600000000048":
        return sum(int(c) for c in value) % 5 == 0
    return luhn_valid(value)


def normalize_siret(value: str) -> str:
    return "".join(ch for ch in (value or "") if not ch.isspace())


# One wording for the rule, at the field (form, autosave) and at review (checks.Problem).
SIRET_INVALID = _("Le numéro SIRET doit comporter 14 chiffres et sa clé de contrôle doit être juste.")


def validate_siret(value: str) -> None:
    if not siret_is_valid(normalize_siret(value)):
        raise ValidationError(SIRET_INVALID, code="siret")
