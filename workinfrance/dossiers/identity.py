"""A student identity certified by an identity provider (FranceConnect), as the filing form receives it."""

from dataclasses import dataclass
from datetime import date

# Dossier fields an identity provider certifies: prefilled, shown as certified, never editable.
CERTIFIED_IDENTITY_FIELDS = ("student_first_name", "student_last_name", "student_birth_date")


@dataclass(frozen=True)
class CertifiedIdentity:
    source: str  # the provider's name, e.g. "franceconnect"
    first_name: str
    last_name: str
    birth_date: date

    def field_values(self) -> dict:
        return {
            "student_first_name": self.first_name,
            "student_last_name": self.last_name,
            "student_birth_date": self.birth_date,
        }
