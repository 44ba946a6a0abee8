"""Public dossier numbers: WIF-<year>-<department>-<6-digit sequence>, e.g. WIF-2026-75-000123."""

from django.db import transaction

from .models import DossierNumberSequence


def next_dossier_number(*, year: int, department_code: str) -> str:
    """Must run inside the submitting transaction: the sequence row stays locked until commit."""
    assert transaction.get_connection().in_atomic_block, "numbering must happen inside a transaction"
    sequence, _ = DossierNumberSequence.objects.get_or_create(year=year, department_code=department_code)
    sequence = DossierNumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"WIF-{year}-{department_code}-{sequence.last_value:06d}"
